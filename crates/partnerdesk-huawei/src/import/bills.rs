//! Bills: fee records (`ListSubCustomerBillDetail`) and monthly sums
//! (`ListSubcustomerMonthlyBills`) into spend records.

use super::ImportReport;
use super::commit::Working;
use super::read::{customer_id, each_item, money, need, opt_time, read, text};
use crate::codes;
use crate::error::{HuaweiError, Result};
use crate::wire;
use chrono::NaiveDate;
use partnerdesk::{ChargingMode, CustomerId, Desk, Money, SpendRecord, YearMonth};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

type SpendKey = (CustomerId, NaiveDate, String, ChargingMode);

fn write_spend(
    desk: &mut Desk,
    sums: BTreeMap<SpendKey, Decimal>,
    cycles: &BTreeSet<YearMonth>,
    report: &mut ImportReport,
) -> Result<()> {
    let currency = desk.partner().currency;
    let mut work = Working::new();
    // The sums come by customer (the key's first part): each customer's records are
    // replaced in one change of its packed list.
    let mut by_customer: Vec<(CustomerId, Vec<SpendRecord>)> = Vec::new();
    for ((id, day, product, mode), amount) in sums {
        let record = SpendRecord {
            day,
            product: product.into(),
            amount: Money::new(amount, currency),
            mode,
        };
        match by_customer.last_mut() {
            Some((last, records)) if *last == id => records.push(record),
            _ => by_customer.push((id, vec![record])),
        }
    }
    for (id, records) in by_customer {
        let Some(c) = work.get(desk, &id, "customer_id", report) else {
            continue;
        };
        report.spend_records += records.len();
        c.spend
            .edit(|v| v.retain(|r| !cycles.iter().any(|m| m.contains(r.day))));
        c.add_spend_records(records);
    }
    work.commit(desk, report)
}

fn add_sum(
    sums: &mut BTreeMap<SpendKey, Decimal>,
    key: SpendKey,
    amount: Decimal,
    path: &str,
) -> Result<()> {
    let slot = sums.entry(key).or_insert(Decimal::ZERO);
    *slot = slot
        .checked_add(amount)
        .ok_or_else(|| HuaweiError::data(path, "sum out of range"))?;
    Ok(())
}

/// Imports `ListSubCustomerBillDetail` pages (fee records) of a billing cycle into spend
/// records, replacing the named customers' spend in the cycle. The spend of a record is its
/// `payment_amount` (amount payable), else `official_amount - official_discount_amount`; its
/// day is the billing day of `consume_time` (else `trade_time`), kept inside its cycle.
/// Records with the same `id` (pages that overlap) count once.
pub fn import_fee_records(
    desk: &mut Desk,
    cycle: YearMonth,
    json_pages: &[&str],
) -> Result<ImportReport> {
    let (parsed, mut report) = read::<wire::ListSubCustomerBillDetailResponse>(json_pages)?;
    let currency = desk.partner().currency;
    let offset = desk.partner().billing_offset;
    let mut cycles = BTreeSet::from([cycle]);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut sums: BTreeMap<SpendKey, Decimal> = BTreeMap::new();
    each_item(&parsed, &mut report, |page, r, path, _| {
        if let Some(rid) = text(&r.id)
            && !seen.insert(rid.to_owned())
        {
            return Ok(());
        }
        let id = customer_id(&r.customer_id, path)?;
        let month = match text(&r.bill_cycle) {
            Some(m) => m
                .parse::<YearMonth>()
                .map_err(|_| HuaweiError::data(format!("{path}.bill_cycle"), "not YYYY-MM"))?,
            None => cycle,
        };
        cycles.insert(month);
        let when = match opt_time(&r.consume_time, path, "consume_time")? {
            Some(t) => Some(t),
            None => opt_time(&r.trade_time, path, "trade_time")?,
        };
        let day = when
            .map(|t| offset.day_of(t))
            .unwrap_or_else(|| month.first_day())
            .clamp(month.first_day(), month.last_day());
        let amount = match (
            r.payment_amount.value(),
            r.official_amount.value(),
            r.official_discount_amount.value(),
        ) {
            (Some(a), _, _) => a.0,
            // The list price less the discount, both from Huawei's text: a difference a
            // decimal cannot hold is bad data, not a panic.
            (None, Some(o), d) => {
                o.0.checked_sub(d.map_or(Decimal::ZERO, |d| d.0))
                    .ok_or_else(|| {
                        HuaweiError::data(
                            format!("{path}.official_amount"),
                            "less the discount, out of range",
                        )
                    })?
            }
            (None, None, _) => {
                return Err(HuaweiError::data(
                    format!("{path}.payment_amount"),
                    "missing",
                ));
            }
        };
        let amount = money(amount, &page.measure_id, &page.currency, currency, path)?.amount;
        let mode = codes::charging_mode(need(&r.charging_mode, path, "charging_mode")?);
        let product = text(&r.service_type_code)
            .or(text(&r.resource_type_code))
            .unwrap_or("unknown")
            .to_owned();
        add_sum(&mut sums, (id, day, product, mode), amount, path)
    })?;
    write_spend(desk, sums, &cycles, &mut report)?;
    Ok(report)
}

/// Imports `ListSubcustomerMonthlyBills` pages (monthly sums per service) of a cycle: one spend
/// record per customer, service and charging mode, dated the first day of the cycle, replacing
/// the named customers' spend in the cycle. Unsubscriptions and write-offs arrive negative.
pub fn import_monthly_bills(
    desk: &mut Desk,
    cycle: YearMonth,
    json_pages: &[&str],
) -> Result<ImportReport> {
    let (parsed, mut report) = read::<wire::ListSubcustomerMonthlyBillsResponse>(json_pages)?;
    let currency = desk.partner().currency;
    let mut sums: BTreeMap<SpendKey, Decimal> = BTreeMap::new();
    each_item(&parsed, &mut report, |page, b, path, _| {
        let id = customer_id(&b.customer_id, path)?;
        let amount = need(&b.amount, path, "amount")?.0;
        let amount = money(amount, &b.measure_id, &page.currency, currency, path)?.amount;
        let mode = codes::charging_mode(need(&b.charge_mode, path, "charge_mode")?);
        let product = text(&b.cloud_service_type).unwrap_or("unknown").to_owned();
        add_sum(
            &mut sums,
            (id, cycle.first_day(), product, mode),
            amount,
            path,
        )
    })?;
    write_spend(desk, sums, &BTreeSet::from([cycle]), &mut report)?;
    Ok(report)
}
