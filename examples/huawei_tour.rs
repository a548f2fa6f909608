//! The Huawei tour: a desk started from Huawei BSS responses instead of the demo portfolio.
//!
//! It imports the fixture responses of `crates/partnerdesk-huawei/tests/fixtures/` (customer
//! lists of both sites merged from several pages, budgets, resources, orders, bills), runs a
//! console search, shows which part of the query `ListSubCustomers` would filter, and prints the
//! `FreezeSubCustomers` body it would send for one customer, then reads Huawei's answers.
//!
//! Run: `cargo run -p partnerdesk-examples --example huawei_tour`
#![allow(clippy::print_stdout)]

use chrono::{TimeZone, Utc};
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
use partnerdesk::{FreezeScope, Site};
use partnerdesk_huawei::{fixtures, listing, paging::ApiPage, request, response};
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = Utc
        .with_ymd_and_hms(2025, 3, 20, 9, 0, 0)
        .single()
        .ok_or("bad time")?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();

    // 1. Start the desk from Huawei responses (China site: customers, resources, orders, bills).
    let (desk, reports) = fixtures::desk(Site::China, now)?;
    writeln!(
        out,
        "desk from Huawei responses: {} ({}), {} customers, {} operators",
        desk.partner().name,
        desk.partner().site,
        desk.len(),
        desk.operators().count()
    )?;
    for (step, r) in [
        "customers",
        "pay-per-use resources",
        "yearly/monthly resources",
        "orders",
        "fee records",
    ]
    .iter()
    .zip(&reports)
    {
        writeln!(
            out,
            "  imported {step:<25} items {:>3}, added {:>3}, operators +{}, resources {}, orders {}, spend records {}, warnings {}",
            r.items,
            r.added.len(),
            r.operators_added.len(),
            r.resources,
            r.orders,
            r.spend_records,
            r.warnings.len()
        )?;
        // A warning names the JSON path and the customer, never a personal value.
        for w in &r.warnings {
            let who = w
                .customer
                .as_ref()
                .map_or(String::new(), |c| format!(" (customer {c})"));
            writeln!(out, "    warning: {}{who}: {}", w.field, w.reason)?;
        }
    }

    // 2. A console search on the imported desk (rows come back masked).
    let query = Query::parse("assoc=reseller and frozen=true and account~large_0")?;
    let page = desk.search(
        &query,
        Sort::desc(SortKey::AssociatedAt),
        &PageRequest::first(5),
        now,
    )?;
    writeln!(
        out,
        "\nsearch `{query}`: {} match, first {}:",
        page.total,
        page.rows.len()
    )?;
    for row in &page.rows {
        writeln!(
            out,
            "  {}  {:<12} {:<14} frozen {:<22} manager {}",
            row.id,
            row.account_name,
            row.name,
            row.freeze_scope.as_ref().map_or("-", |s| s.as_str()),
            row.account_manager.as_ref().map_or("-", |m| m.as_str()),
        )?;
    }

    // 3. What Huawei would filter, and what stays local.
    let split = listing::split_query(&query);
    let body = split
        .api
        .body(desk.partner().site.clone(), ApiPage::first(100)?)?;
    writeln!(
        out,
        "\nListSubCustomers body: {}",
        serde_json::to_string(&body)?
    )?;
    writeln!(out, "applied locally:       {}", split.local)?;

    // 4. The freeze request body for one customer, built from the domain's validated command.
    let target = page
        .rows
        .first()
        .map(|r| r.id.clone())
        .ok_or("no customer matched")?;
    let freeze = FreezeRequest::new(
        vec![target],
        FreezeScope::AccountAndResources,
        "Budget overrun pending review",
    )?;
    let body = request::freeze_body(&freeze, None)?;
    writeln!(
        out,
        "\nPOST /v2/partners/sub-customers/freeze\n{}",
        serde_json::to_string_pretty(&body)?
    )?;

    // 5. Reading Huawei's answer, per customer: success, a partial failure, throttling.
    let id = freeze.ids().first().ok_or("no customer")?;
    let answers = [
        (200, String::new()),
        (
            200,
            format!(
                r#"{{"error_details":[{{"error_code":"CBC.5024","error_msg":"The association type of the customer is incorrect.","id":"{id}"}}]}}"#
            ),
        ),
        (
            429,
            r#"{"error_code":"CBC.0250","error_msg":"Flow control."}"#.to_owned(),
        ),
    ];
    for (status, answer) in answers {
        let outcome = response::batch_outcome(freeze.ids(), Some(status), &answer)?;
        for item in &outcome.items {
            match &item.result {
                Ok(()) => writeln!(out, "  HTTP {status}: {} frozen", item.customer)?,
                Err(e) => writeln!(
                    out,
                    "  HTTP {status}: {} refused, Huawei {} = {}{}",
                    item.customer,
                    e.huawei_code,
                    e.code(),
                    e.retry_after(0)
                        .map_or(String::new(), |d| format!(", retry in {} s", d.as_secs()))
                )?,
            }
        }
    }
    Ok(())
}
