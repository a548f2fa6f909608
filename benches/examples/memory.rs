//! Memory of the desk (issue 18): bytes a customer of the demo desk, beside the SQLite anchor.
//!
//! Run: `cargo run --release -p partnerdesk-benches --example memory` (sizes from
//! `PD_MEM_SIZES`, default `100000,1000000`; each size runs in a fresh child process, so that
//! one size's freed memory does not hide the next one's growth).
//!
//! For each size it prints, a customer:
//! - `desk`: the demo desk as built (`demo::portfolio(n, 7)`);
//! - `desk+export`: the same after one anonymised CSV export of every customer (the desk then
//!   keeps its id order and the compact copy of the exported fields);
//! - `customers`: the customer records alone (`desk.customers().cloned()`; shared id texts are
//!   not copied by the clone, so they count with the desk);
//! - `sqlite`: the same customers as JSON documents in an in-memory SQLite database, with the
//!   search benchmark's columns, indexes and tag table (`benches/benches/search.rs`).
//!
//! Above 2M customers (the 10M run) the clone of the customers is skipped (it would not fit
//! beside the desk on a 23 GiB machine) and the SQLite database is a file in the temporary
//! folder (`PD_MEM_SQLITE_DIR` to choose another), removed at the end: its `alloc` column is
//! still its database size, and its `rss` column is the process's growth (SQLite's page cache,
//! not the file's pages).
//!
//! Two figures each: `rss` is the growth of the process's resident memory (`/proc/self/statm`,
//! 4 KiB pages), `alloc` the growth of the bytes held through Rust's allocator (a counting
//! allocator, `stats_alloc`). SQLite allocates outside Rust's allocator: its `alloc` column is
//! its database size instead, `page_count * page_size` (what the database file would take on
//! disk; the in-memory database holds the same pages). Then the desk's own estimate,
//! [`partnerdesk::Desk::memory_report`], part by part, beside the allocator's figure.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use partnerdesk::access::Actor;
use partnerdesk::export::{ExportProgress, ExportRequest, ExportSelection};
use partnerdesk::{Customer, Desk, Invocation, OperatorId, demo};
use partnerdesk_benches::process::{each_size_in_a_child, rss};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use std::alloc::System;
use std::ops::ControlFlow;

#[path = "../benches/common/sqlite.rs"]
mod sqlite;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes held through Rust's allocator (a reallocation counts its growth as allocated and its
/// shrinking as deallocated).
fn held() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

/// Allocations held through Rust's allocator.
fn blocks() -> i64 {
    let s = GLOBAL.stats();
    s.allocations as i64 - s.deallocations as i64
}

#[derive(Clone, Copy)]
struct Point {
    rss: i64,
    held: i64,
    blocks: i64,
}

fn point() -> Point {
    Point {
        rss: rss(),
        held: held(),
        blocks: blocks(),
    }
}

fn go(_: ExportProgress) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// Bytes a customer, one decimal.
fn per(bytes: i64, n: usize) -> String {
    format!("{:.1}", bytes as f64 / n as f64)
}

fn row(what: &str, n: usize, rss: i64, alloc: i64, blocks: Option<i64>) {
    let blocks = blocks.map_or("".into(), |b| per(b, n));
    println!(
        "n={n:<9} {what:<13} rss/customer={:>8}  alloc/customer={:>8}  allocations/customer={blocks:>6}",
        per(rss, n),
        per(alloc, n)
    );
}

/// A row of the growth from `from` to `to`.
fn growth(what: &str, n: usize, from: Point, to: Point) {
    row(
        what,
        n,
        to.rss - from.rss,
        to.held - from.held,
        Some(to.blocks - from.blocks),
    );
}

/// One size, in this process (a child of `main`).
fn one(n: usize) {
    let base = point();
    let (mut desk, now): (Desk, _) = demo::portfolio(n, 7).unwrap();
    let built = point();
    growth("desk", n, base, built);
    let report = desk.memory_report();

    let admin = Actor::Operator(OperatorId::new("admin").unwrap());
    let csv = ExportRequest::csv(ExportSelection::all());
    desk.export(&Invocation::new(admin, now), &csv, std::io::sink(), go)
        .unwrap();
    let exported = point();
    growth("desk+export", n, base, exported);
    let after_export = desk.memory_report();

    let large = n > 2_000_000;
    if large {
        println!("n={n:<9} customers     skipped: a clone would not fit beside the desk");
    } else {
        let before = point();
        let customers: Vec<Customer> = desk.customers().cloned().collect();
        let cloned = point();
        growth("customers", n, before, cloned);
        drop(customers);
    }

    let before = point();
    let file = large.then(|| {
        std::env::var_os("PD_MEM_SQLITE_DIR")
            .map_or_else(std::env::temp_dir, std::path::PathBuf::from)
            .join(format!("partnerdesk-memory-{n}-{}.db", std::process::id()))
    });
    let db = match &file {
        Some(path) => {
            sqlite::load_sqlite_into(rusqlite::Connection::open(path).unwrap(), &desk, now, true)
        }
        None => sqlite::load_sqlite(&desk, now, true),
    };
    let loaded = point();
    let pages: i64 = db.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    let page_size: i64 = db.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    row(
        "sqlite",
        n,
        loaded.rss - before.rss,
        pages * page_size,
        None,
    );
    drop(db);
    if let Some(path) = file {
        std::fs::remove_file(path).unwrap();
    }

    println!("n={n:<9} breakdown (Desk::memory_report, estimated heap bytes; after the export)");
    for p in &after_export.parts {
        println!(
            "n={n:<9}   {:<26} {:>8} bytes/customer  {:>6.1}%",
            p.name,
            per(p.bytes as i64, n),
            100.0 * p.bytes as f64 / after_export.total().max(1) as f64
        );
    }
    println!(
        "n={n:<9}   {:<26} {:>8} bytes/customer (the allocator: {} as built, {} after the export; estimate as built {})",
        "total",
        per(after_export.total() as i64, n),
        per(built.held - base.held, n),
        per(exported.held - base.held, n),
        per(report.total() as i64, n),
    );
}

fn main() {
    each_size_in_a_child("PD_MEM_SIZES", &[100_000, 1_000_000], one);
}
