//! Side by side (issue 14): the export read-ahead on (A) and off (B), in one run, through the
//! hidden runtime switch `partnerdesk::ab::set_read_ahead`. (The slot table's inline id keys
//! were measured here too, and deleted: see `benches/README.md`.)
//!
//! - `read_ahead/customers`: a CSV export that reads the customers (the default columns and the
//!   budget, which the export copy does not hold: every associated customer, in id order), with
//!   and without `CellWriter::each`'s read-ahead.
//! - `read_ahead/first_export`: the first export of a desk that never exported (the id order
//!   and the export copy built, then a CSV of every associated customer), with and without the
//!   copy build's read-ahead; each run on a fresh clone (the clone is not timed).
//!
//! Each case prints CPU time per run (this thread's, `/proc/thread-self/schedstat`, in ns),
//! A and B alternating, and criterion gives the wall clock. Run:
//! `PD_AB_SIZE=100000 cargo bench -p partnerdesk-benches --bench read_ahead` (100k is the
//! default).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group};
use partnerdesk::Invocation;
use partnerdesk::access::Actor;
use partnerdesk::export::{ExportColumn, ExportProgress, ExportRequest, ExportSelection};
use partnerdesk::{Desk, OperatorId, ab, demo};
use std::ops::ControlFlow;
use std::time::Duration;

fn go(_: ExportProgress) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

fn size() -> usize {
    std::env::var("PD_AB_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

/// This thread's CPU time in seconds: `/proc/thread-self/schedstat` (ns), else `stat` ticks.
fn cpu_secs() -> f64 {
    if let Some(ns) = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
    {
        return ns / 1e9;
    }
    f64::NAN
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

/// Rounds of each A/B (`PD_AB_ROUNDS`, 7 by default).
fn rounds() -> usize {
    std::env::var("PD_AB_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7)
}

/// CPU seconds of `f` (after an untimed `prep`), A and B alternating, `ROUNDS` each; prints
/// the means and B's difference as a share of A.
fn alternate<T>(name: &str, mut prep: impl FnMut(bool) -> T, mut f: impl FnMut(bool, T)) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let rounds = rounds();
    for _ in 0..rounds {
        for on in [true, false] {
            let x = prep(on);
            let t0 = cpu_secs();
            f(on, x);
            let t = cpu_secs() - t0;
            if on { a.push(t) } else { b.push(t) }
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let (ma, mb) = (mean(&a), mean(&b));
    println!(
        "AB {name}: CPU s per run, mean of {rounds} alternating: on {ma:.4} (min {:.4}), off \
         {mb:.4} (min {:.4}); the part saves {:.1}% (load {})",
        min(&a),
        min(&b),
        (mb - ma) / mb * 100.0,
        loadavg()
    );
}

fn bench(c: &mut Criterion) {
    let n = size();
    println!("load average before n={n}: {}", loadavg());
    bench_read_ahead(c, n);
    println!("load average after n={n}: {}", loadavg());
}

fn bench_read_ahead(c: &mut Criterion, n: usize) {
    let (desk, now) = demo::portfolio(n, 42).unwrap();
    let admin = Actor::Operator(OperatorId::new("admin").unwrap());
    let mut columns = ExportColumn::DEFAULT.to_vec();
    columns.push(ExportColumn::Budget);
    let customers = ExportRequest::csv(ExportSelection::all()).with_columns(columns);
    let csv = ExportRequest::csv(ExportSelection::all());

    // The read-ahead of an export that reads the customers.
    let mut warm = desk.clone();
    warm.export(
        &Invocation::new(admin.clone(), now),
        &csv,
        std::io::sink(),
        go,
    )
    .unwrap();
    alternate(
        &format!("read_ahead/customers n={n}"),
        ab::set_read_ahead,
        |_, ()| {
            warm.export(
                &Invocation::new(admin.clone(), now),
                &customers,
                std::io::sink(),
                go,
            )
            .unwrap();
        },
    );
    // The read-ahead of the copy build, in the first export of a desk.
    alternate(
        &format!("read_ahead/first_export n={n}"),
        |on| {
            ab::set_read_ahead(on);
            desk.clone()
        },
        |_, mut d: Desk| {
            d.export(
                &Invocation::new(admin.clone(), now),
                &csv,
                std::io::sink(),
                go,
            )
            .unwrap();
        },
    );
    let mut g = c.benchmark_group("read_ahead");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(5));
    for on in [true, false] {
        let label = if on { "on" } else { "off" };
        g.bench_with_input(BenchmarkId::new("customers", label), &on, |b, &on| {
            ab::set_read_ahead(on);
            b.iter(|| {
                warm.export(
                    &Invocation::new(admin.clone(), now),
                    &customers,
                    std::io::sink(),
                    go,
                )
                .unwrap()
            })
        });
        g.bench_with_input(BenchmarkId::new("first_export", label), &on, |b, &on| {
            ab::set_read_ahead(on);
            b.iter_batched(
                || desk.clone(),
                |mut d| {
                    d.export(
                        &Invocation::new(admin.clone(), now),
                        &csv,
                        std::io::sink(),
                        go,
                    )
                    .unwrap();
                    d
                },
                BatchSize::PerIteration,
            )
        });
    }
    ab::set_read_ahead(true);
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
