//! Profiles the anonymised export in a loop: `cargo build --release -p partnerdesk-benches
//! --example profile_export && perf record -g target/release/examples/profile_export 300000
//! csv 5` (size, `csv` or `xlsx`, iterations). Prints rows per second, wall and CPU.
#![allow(missing_docs, clippy::unwrap_used, clippy::print_stdout)]
use partnerdesk::Invocation;
use partnerdesk::access::Actor;
use partnerdesk::export::{ExportRequest, ExportSelection};
use partnerdesk::{OperatorId, demo};
use std::ops::ControlFlow;

/// CPU time of this thread in seconds (from `/proc/thread-self/stat`, clock ticks of 10 ms).
fn cpu_secs() -> f64 {
    let s = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let rest = s.rfind(')').and_then(|i| s.get(i + 2..)).unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

fn main() {
    let arg = |i: usize| std::env::args().nth(i);
    let n: usize = arg(1).and_then(|s| s.parse().ok()).unwrap_or(300_000);
    let format = arg(2).unwrap_or_else(|| "csv".into());
    let iters: u32 = arg(3).and_then(|s| s.parse().ok()).unwrap_or(5);
    let (mut desk, now) = demo::portfolio(n, 42).unwrap();
    let admin = Actor::Operator(OperatorId::new("admin").unwrap());
    let req = match format.as_str() {
        "xlsx" => ExportRequest::xlsx(ExportSelection::all()),
        _ => ExportRequest::csv(ExportSelection::all()),
    };
    // Warm-up (and whatever the first export after loading builds: the id order and the copy
    // of the exported fields), timed on its own.
    let go = |_| ControlFlow::Continue(());
    let (c0, t0) = (cpu_secs(), std::time::Instant::now());
    desk.export(
        &Invocation::new(admin.clone(), now),
        &req,
        std::io::sink(),
        go,
    )
    .unwrap();
    println!(
        "{format} n={n}: first export after loading {:.2} s wall, {:.2} s CPU",
        t0.elapsed().as_secs_f64(),
        cpu_secs() - c0
    );
    let (c0, t0) = (cpu_secs(), std::time::Instant::now());
    let mut rows = 0;
    for _ in 0..iters {
        rows += desk
            .export(
                &Invocation::new(admin.clone(), now),
                &req,
                std::io::sink(),
                go,
            )
            .unwrap()
            .rows;
    }
    let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_secs() - c0);
    println!(
        "{format} n={n}: {} rows/export, {:.0} rows/s wall, {:.0} rows/s CPU",
        rows / u64::from(iters),
        rows as f64 / wall,
        rows as f64 / cpu
    );
}
