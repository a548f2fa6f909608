//! A customer's packed lists (`partnerdesk::packed::Packed`) side by side with a maintained
//! compact serde format on the same records (ADR 0008): MessagePack by `rmp-serde`,
//! positional (no field names), as the checkpoints hold customers. (`postcard` cannot read
//! these records back: it refuses `deserialize_any`, which their serde forms use; `bincode`
//! documents the same limit.) It prints the bytes each form takes for the demo portfolio's
//! resources, orders and spend records, and measures writing and reading every list back, and
//! what a row reads (last month's spend and the unpaid orders). Run: `cargo bench -p
//! partnerdesk-benches --bench packed` (size from `PD_BENCH_SIZE`, default 100,000).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use chrono::Datelike;
use criterion::{Criterion, criterion_group, criterion_main};
use partnerdesk::packed::Packed;
use partnerdesk::{Order, Resource, SpendRecord};
use std::hint::black_box;
use std::time::Duration;

/// Every customer's three lists, as records.
type Lists = Vec<(Vec<Resource>, Vec<Order>, Vec<SpendRecord>)>;

fn packed(lists: &Lists) -> Vec<(Packed<Resource>, Packed<Order>, Packed<SpendRecord>)> {
    lists
        .iter()
        .map(|(r, o, s)| {
            (
                Packed::from_records(r),
                Packed::from_records(o),
                Packed::from_records(s),
            )
        })
        .collect()
}

fn msgpack(lists: &Lists) -> Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    lists
        .iter()
        .map(|(r, o, s)| {
            (
                rmp_serde::to_vec(r).unwrap(),
                rmp_serde::to_vec(o).unwrap(),
                rmp_serde::to_vec(s).unwrap(),
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (n, desk, now) = partnerdesk_benches::bench_desk();
    let lists: Lists = desk
        .customers()
        .map(|c| (c.resources.to_vec(), c.orders.to_vec(), c.spend.to_vec()))
        .collect();
    let ours = packed(&lists);
    let theirs = msgpack(&lists);
    // Both read back to the same records.
    for ((p, q), l) in ours.iter().zip(&theirs).zip(&lists) {
        assert_eq!(p.0.to_vec(), l.0);
        assert_eq!(rmp_serde::from_slice::<Vec<Resource>>(&q.0).unwrap(), l.0);
        assert_eq!(p.1.to_vec(), l.1);
        assert_eq!(rmp_serde::from_slice::<Vec<Order>>(&q.1).unwrap(), l.1);
        assert_eq!(p.2.to_vec(), l.2);
        assert_eq!(
            rmp_serde::from_slice::<Vec<SpendRecord>>(&q.2).unwrap(),
            l.2
        );
    }
    let ours_bytes: usize = ours
        .iter()
        .map(|(r, o, s)| r.heap_bytes() + o.heap_bytes() + s.heap_bytes())
        .sum();
    let theirs_bytes: usize = theirs
        .iter()
        .map(|(r, o, s)| r.len() + o.len() + s.len())
        .sum();
    println!(
        "bytes a customer at {n}: packed {:.1}, MessagePack {:.1}",
        ours_bytes as f64 / n as f64,
        theirs_bytes as f64 / n as f64
    );

    let mut g = c.benchmark_group(format!("packed_lists/{n}"));
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(4));
    g.bench_function("write/packed", |b| b.iter(|| black_box(packed(&lists))));
    g.bench_function("write/msgpack", |b| b.iter(|| black_box(msgpack(&lists))));
    g.bench_function("read/packed", |b| {
        b.iter(|| {
            ours.iter()
                .map(|(r, o, s)| r.iter().count() + o.iter().count() + s.iter().count())
                .sum::<usize>()
        })
    });
    g.bench_function("read/msgpack", |b| {
        b.iter(|| {
            theirs
                .iter()
                .map(|(r, o, s)| {
                    rmp_serde::from_slice::<Vec<Resource>>(r).unwrap().len()
                        + rmp_serde::from_slice::<Vec<Order>>(o).unwrap().len()
                        + rmp_serde::from_slice::<Vec<SpendRecord>>(s).unwrap().len()
                })
                .sum::<usize>()
        })
    });
    // What a row and the indexes read: last month's sum and the unpaid orders, in place
    // against decoding the lists.
    let to = now.date_naive().with_day(1).unwrap().pred_opt().unwrap();
    let from = to.with_day(1).unwrap();
    g.bench_function("month_sum_and_unpaid/packed", |b| {
        b.iter(|| {
            desk.customers()
                .map(|c| (c.spend_between(from, to), c.orders.unpaid()))
                .fold((rust_decimal::Decimal::ZERO, 0), |(a, u), (s, n)| {
                    (a + s, u + n)
                })
        })
    });
    g.bench_function("month_sum_and_unpaid/msgpack", |b| {
        b.iter(|| {
            theirs
                .iter()
                .map(|(_, o, s)| {
                    let spend = rmp_serde::from_slice::<Vec<SpendRecord>>(s).unwrap();
                    let orders = rmp_serde::from_slice::<Vec<Order>>(o).unwrap();
                    (
                        spend
                            .iter()
                            .filter(|r| r.day >= from && r.day <= to)
                            .map(|r| r.amount.amount)
                            .sum::<rust_decimal::Decimal>(),
                        orders.iter().filter(|o| o.is_unpaid()).count(),
                    )
                })
                .fold((rust_decimal::Decimal::ZERO, 0), |(a, u), (s, n)| {
                    (a + s, u + n)
                })
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
