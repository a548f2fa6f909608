//! The tour's detail part runs and shows what it promises: a customer's orders, resources
//! expiring soon and spend details, and the portfolio's first renewal page with a next page.
#![allow(missing_docs)]

use partnerdesk::demo;
use partnerdesk_examples::detail_tour::detail_tour;

#[test]
fn detail_tour_shows_every_list() -> Result<(), Box<dyn std::error::Error>> {
    let (desk, now) = demo::portfolio(10_000, 2026)?;
    let mut out = Vec::new();
    detail_tour(&desk, now, &mut out)?;
    let text = String::from_utf8(out)?;
    for part in [
        "-- orders, newest first:",
        "1 unpaid",
        "-- resources expiring within 90 days, soonest first: 3 of",
        "-- spend details of 2026-11 by product",
        "-- the resources exported as resources.xlsx (3 rows",
        "Resource ID | Name | Kind | Service | Region | Status",
        "resource(s) to renew",
        "(the next page, by its cursor, starts at",
    ] {
        assert!(text.contains(part), "missing {part:?} in\n{text}");
    }
    assert!(!text.contains('…'), "{text}");
    Ok(())
}
