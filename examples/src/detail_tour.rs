//! The detail part of the tour: what the console's detail view of one customer shows (its
//! orders, its resources expiring soon, its spend details of the month) and the portfolio's
//! first page of resources to renew, each a paged list; and the resources page exported to
//! XLSX and read back.

use crate::table::write_table;
use calamine::{Reader, Xlsx};
use chrono::{DateTime, Utc};
use partnerdesk::Invocation;
use partnerdesk::access::Actor;
use partnerdesk::detail::{DetailList, OrderScope, ResourceFilter, ResourceSort, SpendGroup};
use partnerdesk::export::DetailExportRequest;
use partnerdesk::query::PageRequest;
use partnerdesk::{Desk, OperatorId};
use std::io::Write;

fn day(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "-".to_owned(), |t| t.format("%Y-%m-%d").to_string())
}

/// Runs the detail pages of the customer with the most orders, then the portfolio's renewals.
pub fn detail_tour(
    desk: &Desk,
    now: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<(), Box<dyn std::error::Error>> {
    let admin = Actor::Operator(OperatorId::new("admin")?);
    let month = desk.partner().billing_offset.month_of(now);
    // The customer whose pages show the most: unpaid orders, resources expiring soon,
    // several products this month.
    let soon = ResourceFilter::default().expiring_within(90);
    let customer = desk
        .customers()
        .filter(|c| c.is_associated() && c.association.reseller.is_none())
        .max_by_key(|c| {
            let unpaid = c.orders.iter().any(|o| o.is_unpaid());
            let expiring = c
                .resources
                .iter()
                .filter(|r| {
                    r.counts_for_expiry()
                        && r.expires_at
                            .is_some_and(|e| e >= now && e <= now + chrono::Duration::days(90))
                })
                .count()
                .min(3);
            let products = c
                .spend
                .iter()
                .filter(|r| r.day >= month.first_day())
                .map(|r| r.product)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
                .min(4);
            (unpaid, expiring, products, c.orders.len(), c.id.clone())
        })
        .ok_or("no customer with orders")?;
    let id = &customer.id;
    writeln!(out, "== The detail pages of customer {id} ==")?;

    let orders = desk.customer_orders(&admin, id, OrderScope::All, &PageRequest::first(5))?;
    let unpaid = desk.customer_orders(&admin, id, OrderScope::Unpaid, &PageRequest::first(1))?;
    writeln!(
        out,
        "\n-- orders, newest first: {} in all, {} unpaid (the overview's counts); first {}",
        orders.total,
        unpaid.total,
        orders.items.len()
    )?;
    let rows: Vec<Vec<String>> = orders
        .items
        .iter()
        .map(|o| {
            vec![
                o.id.to_string(),
                o.kind.to_string(),
                o.status.to_string(),
                o.amount.to_string(),
                day(Some(o.created_at)),
                day(o.paid_at),
                o.placed_by.as_ref().map_or("-".into(), |p| p.to_string()),
            ]
        })
        .collect();
    write_table(
        out,
        &[
            "order",
            "type",
            "status",
            "amount",
            "created",
            "paid",
            "placed by",
        ],
        &rows,
    )?;

    let resources = desk.customer_resources(
        &admin,
        id,
        &soon,
        ResourceSort::Expiry,
        &PageRequest::first(5),
        now,
    )?;
    writeln!(
        out,
        "\n-- resources expiring within 90 days, soonest first: {} of {}",
        resources.total,
        customer.resources.len()
    )?;
    let rows: Vec<Vec<String>> = resources
        .items
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.kind.to_string(),
                r.service.to_string(),
                r.status.to_string(),
                day(r.expires_at),
                r.expiry_policy.to_string(),
            ]
        })
        .collect();
    write_table(
        out,
        &[
            "resource",
            "kind",
            "service",
            "status",
            "expires",
            "at expiry",
        ],
        &rows,
    )?;

    let spend = desk.spend_details(
        &admin,
        id,
        month,
        SpendGroup::Product,
        &PageRequest::first(5),
    )?;
    writeln!(
        out,
        "\n-- spend details of {month} by product, highest first: {} product(s); month-to-date {}",
        spend.total,
        customer.month_spend(month)
    )?;
    let rows: Vec<Vec<String>> = spend
        .items
        .iter()
        .map(|l| {
            vec![
                l.product.clone().unwrap_or_default(),
                l.amount.to_string(),
                l.records.to_string(),
            ]
        })
        .collect();
    write_table(out, &["product", "spend", "records"], &rows)?;

    // The resources page's export: the same rows, as a spreadsheet, recorded as a job.
    let mut desk = desk.clone();
    let list = DetailList::Resources {
        customer: id.clone(),
        filter: ResourceFilter::default(),
        sort: ResourceSort::Expiry,
    };
    let mut xlsx = Vec::new();
    let job = desk.export_detail(
        &Invocation::new(admin.clone(), now),
        &DetailExportRequest::xlsx(list).named("resources.xlsx"),
        &mut xlsx,
        |_| std::ops::ControlFlow::Continue(()),
    )?;
    writeln!(
        out,
        "\n-- the resources exported as {} ({} rows, {} bytes, job {}, {:?}); read back:",
        job.file_name,
        job.rows,
        xlsx.len(),
        job.id,
        job.status
    )?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx))?;
    if let Some(Ok(range)) = book.worksheet_range_at(0) {
        for row in range.rows().take(4) {
            let cells: Vec<String> = row.iter().take(6).map(|c| c.to_string()).collect();
            writeln!(out, "  {}", cells.join(" | "))?;
        }
    }
    let desk = &desk;

    writeln!(
        out,
        "\n== The portfolio's resources to renew within 7 days =="
    )?;
    let renewals = desk.renewals_page(&admin, 7, &PageRequest::first(5), now)?;
    writeln!(
        out,
        "{} resource(s) to renew (not renewing themselves); the first {}, soonest first:",
        renewals.total,
        renewals.items.len()
    )?;
    let rows: Vec<Vec<String>> = renewals
        .items
        .iter()
        .map(|i| {
            vec![
                i.customer.to_string(),
                i.resource.id.to_string(),
                i.resource.kind.to_string(),
                day(i.resource.expires_at),
                i.resource.expiry_policy.to_string(),
            ]
        })
        .collect();
    write_table(
        out,
        &["customer", "resource", "kind", "expires", "at expiry"],
        &rows,
    )?;
    if let Some(cursor) = renewals.next_cursor {
        let next = desk.renewals_page(&admin, 7, &PageRequest::after(cursor, 5), now)?;
        writeln!(
            out,
            "(the next page, by its cursor, starts at {} / {})",
            next.items
                .first()
                .map_or("-".into(), |i| i.customer.to_string()),
            next.items
                .first()
                .map_or("-".into(), |i| i.resource.id.to_string())
        )?;
    }
    Ok(())
}
