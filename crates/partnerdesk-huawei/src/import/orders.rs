//! Orders: `ListCustomerOrders`.

use super::ImportReport;
use super::commit::Working;
use super::read::{customer_id, each_item, id, money, need, opt_time, read, required_time};
use crate::codes;
use crate::error::Result;
use crate::wire::{self, Amount};
use partnerdesk::{Desk, Order, OrderId};
use rust_decimal::Decimal;

/// Imports `ListCustomerOrders` pages. An order the customer already has (same id) is replaced,
/// keeping who placed it.
pub fn import_orders(desk: &mut Desk, json_pages: &[&str]) -> Result<ImportReport> {
    let (parsed, mut report) = read::<wire::ListCustomerOrdersResponse>(json_pages)?;
    let currency = desk.partner().currency;
    let mut work = Working::new();
    each_item(&parsed, &mut report, |_, o, path, report| {
        let id = customer_id(&o.customer_id, path)?;
        let oid = id_of(&o.order_id, path)?;
        let amount = o
            .amount_after_discount
            .value()
            .or(o.official_amount.value())
            .map(|a: &Amount| a.0)
            .unwrap_or(Decimal::ZERO);
        let order = Order {
            id: oid,
            status: codes::order_status(need(&o.status, path, "status")?),
            kind: codes::order_type(need(&o.order_type, path, "order_type")?),
            amount: money(amount, &o.measure_id, &o.currency, currency, path)?,
            created_at: required_time(&o.create_time, path, "create_time")?,
            paid_at: opt_time(&o.payment_time, path, "payment_time")?,
            placed_by: None,
        };
        if let Some(c) = work.get(desk, &id, path, report) {
            c.orders.edit(
                |orders| match orders.iter_mut().find(|x| x.id == order.id) {
                    Some(x) => {
                        let placed_by = x.placed_by.take();
                        *x = Order { placed_by, ..order };
                    }
                    None => orders.push(order),
                },
            );
            report.orders += 1;
        }
        Ok(())
    })?;
    work.commit(desk, &mut report)?;
    Ok(report)
}

/// The `order_id` member of the order at `path`.
fn id_of(f: &crate::field::Field<String>, path: &str) -> Result<OrderId> {
    id(
        f,
        format!("{path}.order_id"),
        OrderId::new,
        "not a valid id",
    )
}
