//! Durable commands per second on PostgreSQL over loopback, beside the in-memory rate of the
//! same commands: `cargo bench -p partnerdesk-benches --bench pg_store` with a server
//! (`eval "$(scripts/pg.sh start)"`; without `PARTNERDESK_PG_URL` it says so and measures
//! nothing). The ops benchmark's command stream (`src/ops_workload.rs`) on a demo desk of
//! `PD_OPS_SIZE` customers (100,000 by default here); every command committed before it is
//! acknowledged: one transaction per command, then group commit (`execute_batch`, 100 commands
//! per transaction), then the same group commit from two instances at once on two desks of
//! one server (it shares WAL flushes between them).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

use chrono::{DateTime, Duration, Utc};
use partnerdesk::{Desk, Invocation};
use partnerdesk_benches::ops_workload::{self, Cmd, Setup};
use partnerdesk_store::postgres::PgStore;
use partnerdesk_store::{DurableDesk, Policy};
use std::time::Instant;

/// Runs one command of the stream; `true` when it succeeded.
fn one(desk: &mut Desk, s: &Setup, c: &Cmd, now: DateTime<Utc>) -> bool {
    let inv = Invocation::new(s.actor.clone(), now);
    match c {
        Cmd::Assign(id, m) => desk
            .assign_manager(&inv, std::slice::from_ref(id), m)
            .is_ok_and(|o| o.succeeded() > 0),
        Cmd::Freeze(r) => desk.freeze(&inv, r).is_ok_and(|o| o.succeeded() > 0),
        Cmd::Unfreeze(r) => desk.unfreeze(&inv, r).is_ok_and(|o| o.succeeded() > 0),
        Cmd::Budget(id, b) => desk.set_budget(&inv, id, b).is_ok(),
        Cmd::Order(r) => desk.place_order_on_behalf(&inv, r).is_ok(),
        Cmd::Evaluate(id) => desk.evaluate_budget(id, now).is_ok(),
    }
}

/// The clock of the `i`th command (a second per 1,000, as the ops benchmark's stream).
fn clock(s: &Setup, i: usize) -> DateTime<Utc> {
    s.now + Duration::seconds(i64::try_from(i / 1000).unwrap() + 1)
}

/// A fresh schema for one measurement.
fn schema(url: &str, name: &str) -> String {
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
        ))
        .unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{name}")
}

fn policy() -> Policy {
    Policy {
        // Checkpoints are measured elsewhere: none during the timed stream.
        checkpoint_every: None,
        ..Policy::default()
    }
}

fn durable(url: &str, desk: Desk) -> DurableDesk<PgStore> {
    DurableDesk::create_with(PgStore::connect(url).unwrap(), desk, policy()).unwrap()
}

/// Commands per second over `n` commands run one transaction each.
fn single(d: &mut DurableDesk<PgStore>, s: &Setup, n: usize) -> f64 {
    let t = Instant::now();
    for (i, c) in s.commands.iter().take(n).enumerate() {
        let now = clock(s, i);
        // A refused command is committed too (its audit record): it counts.
        let _ = d.execute(|desk| {
            one(desk, s, c, now);
            Ok(())
        });
    }
    n as f64 / t.elapsed().as_secs_f64()
}

/// Commands per second over `n` commands committed `per` at a time.
fn grouped(d: &mut DurableDesk<PgStore>, s: &Setup, n: usize, per: usize) -> f64 {
    let t = Instant::now();
    let items: Vec<(usize, &Cmd)> = s.commands.iter().take(n).enumerate().collect();
    for chunk in items.chunks(per) {
        d.execute_batch(chunk, |desk, (i, c)| {
            one(desk, s, c, clock(s, *i));
            Ok(())
        })
        .unwrap();
    }
    n as f64 / t.elapsed().as_secs_f64()
}

fn main() {
    let Ok(url) = std::env::var("PARTNERDESK_PG_URL") else {
        println!(
            "pg_store: PARTNERDESK_PG_URL is not set (eval \"$(scripts/pg.sh start)\"): skipped"
        );
        return;
    };
    let size = std::env::var("PD_OPS_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let n = 20_000;
    let t = Instant::now();
    let s = ops_workload::setup(size);
    println!("pg_store: {size} customers, set up in {:.1?}", t.elapsed());

    let mut memory = s.desk.clone();
    let t = Instant::now();
    for (i, c) in s.commands.iter().take(n).enumerate() {
        one(&mut memory, &s, c, clock(&s, i));
    }
    let in_memory = n as f64 / t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut d = durable(&schema(&url, "bench_single"), s.desk.clone());
    println!(
        "pg_store: desk created (first checkpoint) in {:.1?}",
        t.elapsed()
    );
    let one_each = single(&mut d, &s, 2_000);
    drop(d);

    let mut d = durable(&schema(&url, "bench_group"), s.desk.clone());
    let group = grouped(&mut d, &s, n, 100);
    drop(d);

    // Two instances, each on its own desk (two schemas of one server: one WAL), both
    // group-committing.
    let mut a = durable(&schema(&url, "bench_two_a"), s.desk.clone());
    let mut b = durable(&schema(&url, "bench_two_b"), s.desk.clone());
    let t = Instant::now();
    std::thread::scope(|scope| {
        scope.spawn(|| grouped(&mut a, &s, n, 100));
        scope.spawn(|| grouped(&mut b, &s, n, 100));
    });
    let two = (2 * n) as f64 / t.elapsed().as_secs_f64();

    println!();
    println!("| mode | commands | commands/s |");
    println!("| --- | ---: | ---: |");
    println!("| in memory (no store) | {n} | {in_memory:.0} |");
    println!("| PostgreSQL, one transaction per command | 2000 | {one_each:.0} |");
    println!("| PostgreSQL, group commit of 100 | {n} | {group:.0} |");
    println!(
        "| PostgreSQL, group commit of 100, two instances (two desks) | {} | {two:.0} |",
        2 * n
    );
}
