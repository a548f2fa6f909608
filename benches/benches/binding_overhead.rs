//! The Rust side of the bindings' overhead (issue #18 item 6): the calls the Python and Node
//! bindings make for one page of 20 rows, timed here so that the host scripts
//! (`bindings/python/bench/bench_overhead.py`, `bindings/node/bench/bench_overhead.mjs`) can
//! print host minus Rust for the same work, side by side (`benches/binding_overhead.sh`).
//!
//! The work is exactly what a binding's `search` / `search_ids` does once it holds the desk:
//! parse the text filter (or take a built `Query`), then the core's `Desk::search` or
//! `Desk::search_ids` (the bindings' shared `HostDesk` derefs to it) for the first page of 20
//! rows with its total and next cursor, at the demo's `now`. Two queries:
//!
//! - `q5`: the bindings' benchmark query, `assoc=reseller and mtd>=1000 and (tag:vip or
//!   tag:gold)` sorted by month-to-date spend descending (the search itself costs about a
//!   hundred microseconds at 100k, so the overhead is a small difference of large figures);
//! - `q1`: the search benchmark's Q1, `manager=am_001 and mtd>=100 and mtd<=5000` by
//!   month-to-date spend descending (86 matches at 100k), whose search is cheap, so the same
//!   20-row page's overhead stands out against it. (Not "every customer by id": that search
//!   ranks all ~98k matches, about 9 ms.)
//!
//! Run: `cargo bench -p partnerdesk-benches --bench binding_overhead` (`PD_BENCH_SIZE` sets the
//! demo size, default 100,000; the seed is 42, as the binding scripts use).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use criterion::{Criterion, criterion_group, criterion_main};
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
use std::hint::black_box;
use std::time::Duration;

/// The binding benchmarks' four-criteria query and its sort.
const Q5: &str = "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)";
/// The search benchmark's Q1: a cheap search with more than a page of matches.
const Q1: &str = "manager=am_001 and mtd>=100 and mtd<=5000";
/// Rows per page.
const LIMIT: u32 = 20;

fn bench(c: &mut Criterion) {
    let (n, desk, now) = partnerdesk_benches::bench_desk();
    let first = || PageRequest::Cursor {
        cursor: None,
        limit: LIMIT,
    };
    let cases = [
        ("q5", Q5, Sort::desc(SortKey::MonthToDate)),
        ("q1", Q1, Sort::desc(SortKey::MonthToDate)),
    ];
    let mut g = c.benchmark_group("binding_overhead");
    g.sample_size(60);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    for (name, filter, sort) in cases {
        let built = Query::parse(filter).unwrap();
        let page = desk.search(&built, sort, &first(), now).unwrap();
        println!(
            "{name}: {} rows of {} matches at {n} customers",
            page.rows.len(),
            page.total
        );
        assert_eq!(page.rows.len(), LIMIT as usize);
        g.bench_function(format!("{name}_rows_text"), |b| {
            b.iter(|| {
                let q = Query::parse(black_box(filter)).unwrap();
                desk.search(&q, sort, &first(), now).unwrap()
            });
        });
        g.bench_function(format!("{name}_ids_text"), |b| {
            b.iter(|| {
                let q = Query::parse(black_box(filter)).unwrap();
                desk.search_ids(&q, sort, &first(), now).unwrap()
            });
        });
        g.bench_function(format!("{name}_rows_query"), |b| {
            b.iter(|| desk.search(black_box(&built), sort, &first(), now).unwrap());
        });
        g.bench_function(format!("{name}_ids_query"), |b| {
            b.iter(|| {
                desk.search_ids(black_box(&built), sort, &first(), now)
                    .unwrap()
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
