//! Profiles opening a desk: `cargo build --release -p partnerdesk-benches --example
//! profile_open && valgrind --tool=callgrind target/release/examples/profile_open 100000
//! checkpoint` (size; `checkpoint` or `json`; the build of the demo portfolio and of the
//! bytes is done before `start` is printed, so a profile can skip it: callgrind's
//! `--toggle-collect=*load*` or the times printed).
#![allow(missing_docs, clippy::unwrap_used, clippy::print_stdout)]
use partnerdesk::{Desk, demo};
use std::hint::black_box;

#[inline(never)]
fn load_checkpoint(bytes: &[u8]) -> Desk {
    Desk::from_checkpoint(bytes).unwrap()
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
    let (bytes, json) = match &file {
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
        let d = if mode == "json" {
            load_json(&json)
        } else {
            load_checkpoint(&bytes)
        };
        println!(
            "{mode}: {:?} wall, {:?} CPU (all threads) ({} customers)",
            t.elapsed(),
            cpu() - c,
            d.len()
        );
        // `PD_NO_DROP`: the desk is leaked, so a profile of the process holds the loads only.
        if std::env::var_os("PD_NO_DROP").is_some() {
            std::mem::forget(d);
        } else {
            black_box(d);
        }
    }
}
