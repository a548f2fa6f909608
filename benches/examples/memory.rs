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

use chrono::{DateTime, Utc};
use partnerdesk::access::Actor;
use partnerdesk::export::{ExportProgress, ExportRequest, ExportSelection};
use partnerdesk::{Customer, Desk, Invocation, OperatorId, demo};
use rusqlite::{Connection, params};
use rust_decimal::Decimal;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use std::alloc::System;
use std::ops::ControlFlow;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Resident bytes of the process.
fn rss() -> i64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<i64>().ok())
        .map_or(0, |pages| pages * 4096)
}

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

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

fn cents(d: Decimal) -> i64 {
    i64::try_from((d * Decimal::ONE_HUNDRED).trunc().mantissa()).unwrap()
}

/// The search benchmark's SQLite table, indexes and tag table, with each customer's JSON
/// document in a `doc` column.
fn load_sqlite(desk: &Desk, now: DateTime<Utc>) -> Connection {
    let db = Connection::open_in_memory().unwrap();
    db.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE TABLE customers (slot INTEGER PRIMARY KEY, id TEXT NOT NULL, name_lower TEXT NOT NULL,
            manager TEXT, mtd_cents INTEGER NOT NULL, next_expiry INTEGER, mobile_rev TEXT,
            assoc TEXT NOT NULL, active INTEGER NOT NULL, doc TEXT NOT NULL);
         CREATE TABLE tags (slot INTEGER NOT NULL, tag TEXT NOT NULL);",
    )
    .unwrap();
    let month = desk.partner().billing_offset.month_of(now);
    let tx = db.unchecked_transaction().unwrap();
    {
        let mut ins = tx
            .prepare("INSERT INTO customers VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
            .unwrap();
        let mut tag = tx.prepare("INSERT INTO tags VALUES (?1, ?2)").unwrap();
        for (slot, c) in desk.customers().enumerate() {
            ins.execute(params![
                slot as i64,
                c.id.as_str(),
                c.name.expose().to_lowercase(),
                c.account_manager.as_ref().map(|m| m.as_str().to_owned()),
                cents(c.month_spend(month)),
                c.next_expiry(now).map(|e| e.timestamp()),
                c.mobile
                    .as_ref()
                    .map(|m| m.expose().number.chars().rev().collect::<String>()),
                c.association.kind.as_str(),
                i64::from(c.is_associated()),
                serde_json::to_string(c).unwrap(),
            ])
            .unwrap();
            for t in &c.tags {
                tag.execute(params![slot as i64, t.as_str()]).unwrap();
            }
        }
    }
    tx.commit().unwrap();
    db.execute_batch(
        "CREATE INDEX c_manager_mtd ON customers (manager, active, mtd_cents, id);
         CREATE INDEX c_expiry ON customers (active, next_expiry, id);
         CREATE INDEX c_mobile ON customers (active, mobile_rev, id);
         CREATE INDEX c_expiry_assoc_mtd ON customers (active, next_expiry, assoc, mtd_cents, id);
         CREATE INDEX c_name ON customers (active, name_lower, id);
         CREATE INDEX c_id ON customers (id);
         CREATE INDEX t_tag ON tags (tag, slot);
         CREATE INDEX t_slot ON tags (slot, tag);
         ANALYZE;",
    )
    .unwrap();
    db
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

/// One size, in this process (a child of `main`).
fn one(n: usize) {
    let base = point();
    let (mut desk, now): (Desk, _) = demo::portfolio(n, 7).unwrap();
    let built = point();
    row(
        "desk",
        n,
        built.rss - base.rss,
        built.held - base.held,
        Some(built.blocks - base.blocks),
    );
    let report = desk.memory_report();

    let admin = Actor::Operator(OperatorId::new("admin").unwrap());
    let csv = ExportRequest::csv(ExportSelection::all());
    desk.export(&Invocation::new(admin, now), &csv, std::io::sink(), go)
        .unwrap();
    let exported = point();
    row(
        "desk+export",
        n,
        exported.rss - base.rss,
        exported.held - base.held,
        Some(exported.blocks - base.blocks),
    );
    let after_export = desk.memory_report();

    let before = point();
    let customers: Vec<Customer> = desk.customers().cloned().collect();
    let cloned = point();
    row(
        "customers",
        n,
        cloned.rss - before.rss,
        cloned.held - before.held,
        Some(cloned.blocks - before.blocks),
    );
    drop(customers);

    let before = point();
    let db = load_sqlite(&desk, now);
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
    let args: Vec<String> = std::env::args().collect();
    if let Some(n) = args.get(2).filter(|_| args[1] == "--one") {
        one(n.parse().unwrap());
        return;
    }
    let sizes: Vec<usize> = std::env::var("PD_MEM_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 1_000_000]);
    let exe = std::env::current_exe().unwrap();
    for n in sizes {
        println!("load average before n={n}: {}", loadavg());
        let status = std::process::Command::new(&exe)
            .args(["--one", &n.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "the child for n={n} failed");
    }
    println!("load average after: {}", loadavg());
}
