//! The durable store, side by side with the in-memory desk and the JSON snapshot (issue #15):
//!
//! - `store_open/*`: opening the demo portfolio (1M customers by default) from a SQLite store
//!   holding one checkpoint and an empty tail (`sqlite_checkpoint`: read the chunks, check
//!   and decode the checkpoint, build the desk), from the checkpoint's bytes already in
//!   memory (`checkpoint_bytes`), and from the JSON snapshot string (`json_snapshot`).
//! - `store_freeze/*`: freeze-or-unfreeze commands on one reseller-model customer each, by the
//!   administrator, in memory (`in_memory`), on a SQLite durable desk one transaction per
//!   command (`sqlite_each`), and group-committed 100 to a transaction (`sqlite_group_100`).
//!   No automatic checkpoint during these (`checkpoint_every: None`).
//!
//! Printed once: checkpoint and JSON bytes per customer. The store file lives in the system's
//! temporary folder. Run: `cargo bench -p partnerdesk-benches --bench store`
//! (`PD_STORE_SIZE=100000` for a smaller portfolio).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use chrono::{DateTime, Utc};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::{Actor, CustomerId, Desk, FreezeScope, Invocation, OperatorId, demo};
use partnerdesk_store::sqlite::SqliteStore;
use partnerdesk_store::{DurableDesk, Policy};
use std::time::{Duration, Instant};

fn size() -> usize {
    std::env::var("PD_STORE_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

/// Freezes the customer, or unfreezes it when it is frozen: always a change.
fn toggle(desk: &mut Desk, admin: &Invocation, id: &CustomerId) -> partnerdesk::Result<()> {
    let frozen = desk.customer(id)?.freeze.is_frozen();
    let request = FreezeRequest::new(vec![id.clone()], FreezeScope::Account, "bench")?;
    let outcome = if frozen {
        desk.unfreeze(admin, &request)?
    } else {
        desk.freeze(admin, &request)?
    };
    assert_eq!(outcome.succeeded(), 1);
    Ok(())
}

fn bench(c: &mut Criterion) {
    let n = size();
    let (desk, now): (Desk, DateTime<Utc>) = demo::portfolio(n, 42).unwrap();
    let partner = desk.partner().id.clone();
    let dir = std::env::temp_dir().join(format!("pd-store-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // ---- open ---------------------------------------------------------------------------
    let json = desk.to_snapshot_json().unwrap();
    let checkpoint = desk.to_checkpoint().unwrap();
    println!(
        "store: {n} customers; checkpoint {} bytes ({:.0} a customer), JSON snapshot {} bytes \
         ({:.0} a customer), checkpoint/JSON {:.2}",
        checkpoint.len(),
        checkpoint.len() as f64 / n as f64,
        json.len(),
        json.len() as f64 / n as f64,
        checkpoint.len() as f64 / json.len() as f64
    );
    let open_path = dir.join("open.db");
    let policy = Policy {
        checkpoint_every: None,
        ..Policy::default()
    };
    let t = Instant::now();
    drop(
        DurableDesk::create_with(
            SqliteStore::open(&open_path).unwrap(),
            desk.clone(),
            policy.clone(),
        )
        .unwrap(),
    );
    println!(
        "store: create (encode + write the first checkpoint) {:?}",
        t.elapsed()
    );

    let mut g = c.benchmark_group("store_open");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(1));
    g.throughput(Throughput::Elements(n as u64));
    // The opened desk is dropped outside the timed part (`iter_with_large_drop`): freeing a
    // million customers' memory is about a second that is not the open's. A sample holds the
    // desks it opened until it ends, so every sample opens one (flat sampling: one iteration
    // each, where linear sampling's tenth sample would hold ten desks).
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("sqlite_checkpoint", |b| {
        b.iter_with_large_drop(|| {
            let store = SqliteStore::open(&open_path).unwrap();
            DurableDesk::open_with(store, &partner, policy.clone()).unwrap()
        })
    });
    g.bench_function("checkpoint_bytes", |b| {
        b.iter_with_large_drop(|| Desk::from_checkpoint(&checkpoint).unwrap())
    });
    g.bench_function("json_snapshot", |b| {
        b.iter_with_large_drop(|| Desk::from_snapshot_json(&json).unwrap())
    });
    g.finish();
    drop(json);
    drop(checkpoint);

    // ---- commands -----------------------------------------------------------------------
    let admin = Invocation::new(Actor::Operator(OperatorId::new("admin").unwrap()), now);
    let ids: Vec<CustomerId> = desk
        .customers()
        .filter(|c| c.association.is_reseller_model() && c.is_associated() && !c.freeze.is_frozen())
        .take(10_000)
        .map(|c| c.id.clone())
        .collect();
    let mut g = c.benchmark_group("store_freeze");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(1));
    const PER_SAMPLE: usize = 1_000;
    g.throughput(Throughput::Elements(PER_SAMPLE as u64));

    let mut memory = desk.clone();
    let mut k = 0usize;
    g.bench_function("in_memory", |b| {
        b.iter(|| {
            for _ in 0..PER_SAMPLE {
                k += 1;
                toggle(&mut memory, &admin, &ids[k % ids.len()]).unwrap();
            }
        })
    });
    drop(memory);

    let each_path = dir.join("each.db");
    let mut durable = DurableDesk::create_with(
        SqliteStore::open(&each_path).unwrap(),
        desk.clone(),
        policy.clone(),
    )
    .unwrap();
    g.bench_function("sqlite_each", |b| {
        b.iter(|| {
            for _ in 0..PER_SAMPLE {
                k += 1;
                let id = &ids[k % ids.len()];
                durable.execute(|d| toggle(d, &admin, id)).unwrap();
            }
        })
    });
    drop(durable);

    let group_path = dir.join("group.db");
    let mut durable =
        DurableDesk::create_with(SqliteStore::open(&group_path).unwrap(), desk, policy).unwrap();
    g.bench_function("sqlite_group_100", |b| {
        b.iter(|| {
            for _ in 0..PER_SAMPLE / 100 {
                let batch: Vec<&CustomerId> = (0..100)
                    .map(|_| {
                        k += 1;
                        &ids[k % ids.len()]
                    })
                    .collect();
                let outcomes = durable
                    .execute_batch(&batch, |d, id| toggle(d, &admin, id))
                    .unwrap();
                assert!(outcomes.iter().all(Result::is_ok));
            }
        })
    });
    g.finish();
    drop(durable);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
