//! Profiles one search in a loop: `cargo build --release -p partnerdesk-benches --example
//! profile_search && ITERS=20000 perf record -g target/release/examples/profile_search 100000
//! "expires<=7d" expires` (size, filter, sort: mtd, expires, name or id). `LIMIT` sets the page
//! size (20); `ROWS=1` asks for the masked rows (`Desk::search`) instead of the ids, so the two
//! runs' difference is what building the rows costs. The filter `renewals` profiles
//! `Desk::renewals_page` instead: the first page of resources to renew in 7 days.
#![allow(missing_docs, clippy::unwrap_used, clippy::print_stdout)]
use partnerdesk::demo;
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let filter = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "manager=am_001 and mtd>=100 and mtd<=5000".into());
    let (desk, now) = demo::portfolio(n, 20_261_129).unwrap();
    let renewals = filter == "renewals";
    let q = Query::parse(if renewals { "" } else { &filter }).unwrap();
    let admin = partnerdesk::Actor::Operator(partnerdesk::OperatorId::new("admin").unwrap());
    let sort = match std::env::args().nth(3).as_deref() {
        Some("expires") => Sort::asc(SortKey::NextExpiry),
        Some("name") => Sort::asc(SortKey::Name),
        Some("id") => Sort::asc(SortKey::Id),
        _ => Sort::desc(SortKey::MonthToDate),
    };
    let t = std::time::Instant::now();
    let iters: u32 = std::env::var("ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let limit: u32 = std::env::var("LIMIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let rows = std::env::var("ROWS").is_ok_and(|v| v == "1");
    let page = PageRequest::first(limit);
    let mut total = 0;
    for _ in 0..iters {
        total += if renewals {
            desk.renewals_page(&admin, 7, &page, now).unwrap().total
        } else if rows {
            desk.search(&q, sort, &page, now).unwrap().total
        } else {
            desk.search_ids(&q, sort, &page, now).unwrap().total
        };
    }
    println!(
        "{:?} per search, total {}",
        t.elapsed() / iters,
        total / iters as usize
    );
}
