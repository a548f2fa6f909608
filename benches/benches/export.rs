//! Export benchmarks: anonymised CSV and XLSX exports of the whole demo portfolio, rows per
//! second, and the peak memory an export adds, at two sizes to show it is flat in the row count.
//!
//! Memory: the workspace forbids `unsafe`, so there is no counting global allocator here;
//! instead the benchmark resets the kernel's peak-RSS mark (`/proc/self/clear_refs`, value 5)
//! after the desk is built, runs one export into a sink, and reads `VmHWM - VmRSS(before)` from
//! `/proc/self/status`. That is the export's own peak (buffers, the row order, the XLSX
//! writer), the desk excluded. Linux only; elsewhere memory is reported as unavailable.
//!
//! Run: `cargo bench -p partnerdesk-benches --bench export` (set `PD_EXPORT_SIZES=100000,1000000`
//! to choose sizes; that is the default).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use partnerdesk::access::Actor;
use partnerdesk::export::{ExportProgress, ExportRequest, ExportSelection};
use partnerdesk::{Desk, OperatorId, demo};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

fn sizes() -> Vec<usize> {
    std::env::var("PD_EXPORT_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 1_000_000])
}

fn go(_: ExportProgress) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// `(VmRSS, VmHWM)` in KiB, from `/proc/self/status`.
fn rss_hwm() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Peak memory added by `f`, in KiB (None where the kernel cannot reset the peak mark).
fn peak_delta(f: impl FnOnce()) -> Option<u64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    let (before, _) = rss_hwm()?;
    f();
    let (_, hwm) = rss_hwm()?;
    Some(hwm.saturating_sub(before))
}

/// CPU time of this thread in seconds (user + system, from `/proc/thread-self/stat`, in clock
/// ticks of 10 ms): on a shared machine, rows per CPU-second is the figure "on one core".
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = s.get(s.rfind(')')? + 2..)?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Runs `f`, returning (wall seconds, CPU seconds if known).
fn timed(f: impl FnOnce()) -> (f64, Option<f64>) {
    let c0 = cpu_secs();
    let t0 = Instant::now();
    f();
    let wall = t0.elapsed().as_secs_f64();
    (wall, c0.zip(cpu_secs()).map(|(a, b)| b - a))
}

fn rate(rows: u64, secs: Option<f64>) -> String {
    secs.filter(|s| *s > 0.0)
        .map_or("n/a".into(), |s| format!("{:.0}", rows as f64 / s))
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("n/a".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

fn bench_export(c: &mut Criterion) {
    let admin = Actor::Operator(OperatorId::new("admin").unwrap());
    let scratch = tempfile::tempdir().unwrap();
    for n in sizes() {
        let (mut desk, now): (Desk, _) = demo::portfolio(n, 42).unwrap();
        let csv = ExportRequest::csv(ExportSelection::all());
        let xlsx = ExportRequest::xlsx(ExportSelection::all(), scratch.path());
        let rows = desk
            .export(&admin, &csv, std::io::sink(), go, now)
            .unwrap()
            .rows;

        // One measured run of each, outside criterion: wall and CPU time, and peak memory.
        for (name, req) in [("csv ", &csv), ("xlsx", &xlsx)] {
            let mut t = (0.0, None);
            let mem = peak_delta(|| {
                t = timed(|| {
                    desk.export(&admin, req, std::io::sink(), go, now).unwrap();
                });
            });
            println!(
                "export {name} n={n} rows={rows}: {} rows/s wall, {} rows/s CPU, peak +{}",
                rate(rows, Some(t.0)),
                rate(rows, t.1),
                mib(mem)
            );
        }

        let mut g = c.benchmark_group("export");
        g.sample_size(10);
        g.throughput(Throughput::Elements(rows));
        g.measurement_time(Duration::from_secs(if n >= 1_000_000 { 20 } else { 5 }));
        g.bench_with_input(BenchmarkId::new("csv", n), &n, |b, _| {
            b.iter(|| desk.export(&admin, &csv, std::io::sink(), go, now).unwrap())
        });
        g.measurement_time(Duration::from_secs(if n >= 1_000_000 { 60 } else { 10 }));
        g.bench_with_input(BenchmarkId::new("xlsx", n), &n, |b, _| {
            b.iter(|| {
                desk.export(&admin, &xlsx, std::io::sink(), go, now)
                    .unwrap()
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench_export);
criterion_main!(benches);
