//! Profiles opening a desk: `cargo build --release -p partnerdesk-benches --example
//! profile_open && valgrind --tool=callgrind target/release/examples/profile_open 100000
//! checkpoint` (size; `checkpoint`, `json` or `sqlite`; the build of the demo portfolio and of
//! the bytes is done before `start` is printed, so a profile can skip it: callgrind's
//! `--toggle-collect=*load*` or the times printed).
//!
//! `sqlite` opens a durable desk from the SQLite store at `PD_STORE_FILE` (made from the demo
//! portfolio when it does not exist yet, one checkpoint and no tail), as a service's restart
//! does, in a fresh process: the store bench's `store_open` opens it again and again in one
//! process, whose allocator then reuses the memory of the desks before.
#![allow(missing_docs, clippy::unwrap_used, clippy::print_stdout)]
use partnerdesk::{Desk, demo};
use partnerdesk_store::sqlite::SqliteStore;
use partnerdesk_store::{DurableDesk, Policy};
use std::hint::black_box;

#[inline(never)]
fn load_checkpoint(bytes: &[u8]) -> Desk {
    Desk::from_checkpoint(bytes).unwrap()
}

#[inline(never)]
fn load_store(
    path: &std::path::Path,
    partner: &partnerdesk::PartnerId,
) -> DurableDesk<SqliteStore> {
    let store = SqliteStore::open(path).unwrap();
    DurableDesk::open(store, partner).unwrap()
}

/// The SQLite store of the demo portfolio of `n` customers at `PD_STORE_FILE` (made when it
/// does not exist), and its partner.
fn store_file(n: usize) -> (std::path::PathBuf, partnerdesk::PartnerId) {
    let path = std::env::var_os("PD_STORE_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("partnerdesk-profile-{n}.db")));
    let partner = demo::portfolio(1, 42).unwrap().0.partner().id.clone();
    if !path.exists() {
        let (desk, _now) = demo::portfolio(n, 42).unwrap();
        let policy = Policy {
            checkpoint_every: None,
            ..Policy::default()
        };
        let store = SqliteStore::open(&path).unwrap();
        drop(DurableDesk::create_with(store, desk, policy).unwrap());
    }
    (path, partner)
}

#[inline(never)]
fn load_json(json: &str) -> Desk {
    Desk::from_snapshot_json(json).unwrap()
}

/// CPU time of the whole process so far (every thread, user and system), from
/// `/proc/self/stat` in clock ticks (Linux, 100 a second; zero elsewhere): on a loaded machine
/// it moves less than the wall clock.
fn cpu() -> std::time::Duration {
    let ticks: u64 = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // The fields after the command name (in parentheses): utime and stime are the
            // 12th and 13th.
            let rest = s.rsplit_once(')')?.1.to_owned();
            let f: Vec<u64> = rest
                .split_whitespace()
                .map(|x| x.parse().unwrap_or(0))
                .collect();
            Some(f.get(11)? + f.get(12)?)
        })
        .unwrap_or(0);
    std::time::Duration::from_millis(ticks * 10)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let mode = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "checkpoint".into());
    let iters: u32 = std::env::var("ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    // `PD_CHECKPOINT_FILE`: the checkpoint is read from that file when it exists, and written
    // there after it is built when it does not (so a profiler sees the loads only).
    let file = std::env::var_os("PD_CHECKPOINT_FILE").map(std::path::PathBuf::from);
    let store = (mode == "sqlite").then(|| store_file(n));
    let (bytes, json) = match &file {
        _ if store.is_some() => (Vec::new(), String::new()),
        Some(path) if mode != "json" && path.exists() => {
            (std::fs::read(path).unwrap(), String::new())
        }
        _ => {
            let (desk, _now) = demo::portfolio(n, 42).unwrap();
            let built = if mode == "json" {
                (Vec::new(), desk.to_snapshot_json().unwrap())
            } else {
                (desk.to_checkpoint().unwrap(), String::new())
            };
            if let (Some(path), false) = (&file, built.0.is_empty()) {
                std::fs::write(path, &built.0).unwrap();
            }
            built
        }
    };
    println!(
        "start: {mode}, {n} customers, {} bytes",
        bytes.len().max(json.len())
    );
    for _ in 0..iters {
        let (t, c) = (std::time::Instant::now(), cpu());
        // What was opened, kept as it is (a durable desk holds its store), and its size.
        let (d, len): (Box<dyn std::any::Any>, usize) = if let Some((path, partner)) = &store {
            let d = load_store(path, partner);
            let len = d.desk().len();
            (Box::new(d), len)
        } else if mode == "json" {
            let d = load_json(&json);
            let len = d.len();
            (Box::new(d), len)
        } else {
            let d = load_checkpoint(&bytes);
            let len = d.len();
            (Box::new(d), len)
        };
        println!(
            "{mode}: {:?} wall, {:?} CPU (all threads) ({len} customers)",
            t.elapsed(),
            cpu() - c,
        );
        // `PD_NO_DROP`: the desk is leaked, so a profile of the process holds the loads only.
        if std::env::var_os("PD_NO_DROP").is_some() {
            std::mem::forget(d);
        } else {
            black_box(d);
        }
    }
}
