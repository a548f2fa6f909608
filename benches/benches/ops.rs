//! Governed-operation benchmarks on the 1M-customer demo portfolio:
//!
//! - `ops/mixed_100k`: a stream of 100k mixed commands (assign manager, freeze, unfreeze, set
//!   budget, place order on behalf, evaluate a budget) by operators, each with its permission
//!   check, preconditions, index upkeep, events and audit record; refusals count as commands.
//! - `ops/replay_1m`: applying 1M recorded events onto the desk they started from.
//!
//! The 1M desk is built once; each iteration works on a fresh clone (the clone is not timed).
//! Run: `cargo bench -p partnerdesk-benches --bench ops` (`PD_OPS_SIZE=100000` for a smaller
//! portfolio).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use partnerdesk::event::Event;
use partnerdesk_benches::ops_workload::{detached, run, setup, size};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let s = setup(size());
    // How many succeed (printed once so the mix can be judged).
    let mut probe = s.desk.clone();
    let ok = run(&mut probe, &s);
    println!(
        "ops: {} customers, 100000 commands, {ok} successes, {} events",
        s.desk.len(),
        probe.events().len() - s.desk.events().len()
    );
    drop(probe);

    let mut g = c.benchmark_group("ops");
    g.sample_size(10);
    g.throughput(Throughput::Elements(s.commands.len() as u64));
    g.bench_function("mixed_100k", |b| {
        b.iter_batched(
            || s.desk.clone(),
            |mut desk| {
                black_box(run(&mut desk, &s));
                desk
            },
            BatchSize::PerIteration,
        )
    });

    // 1M events: keep running command streams until the log holds a million more events.
    let base = s.desk.clone();
    let mut live = s.desk.clone();
    let start = live.events().len();
    while live.events().len() - start < 1_000_000 {
        run(&mut live, &s);
    }
    let events: Vec<Event> = detached(&live.events()[start..start + 1_000_000]);
    drop(live);
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("replay_1m", |b| {
        b.iter_batched(
            || (base.clone(), events.clone()),
            |(mut desk, events)| {
                desk.apply_events(events).unwrap();
                desk
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
