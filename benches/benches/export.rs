//! Export benchmarks: anonymised CSV and XLSX exports of the whole demo portfolio, rows per
//! second, and the peak memory an export adds, at two sizes to show it is flat in the row count.
//!
//! Two parts per size:
//!
//! - **One measured run per case, each in a fresh process.** The benchmark starts itself again
//!   (`PD_EXPORT_PROBE=<case> <n>`) so that no heap pages freed by an earlier export can hide
//!   what this one allocates. The child builds the desk, runs an empty export (which brings the
//!   desk's id order and its compact copy of the exported fields up to date: the first export
//!   after loading pays for that, and the child reports its time and the memory the desk keeps
//!   from then on, `VmRSS` after less before), then resets the kernel's peak-RSS mark (`/proc/self/clear_refs`, value
//!   5), runs the export into a sink and reports `VmHWM - VmRSS(before)` from
//!   `/proc/self/status`, with wall and CPU time (`/proc/thread-self/stat`). The workspace
//!   forbids `unsafe`, so there is no counting allocator; Linux only, elsewhere memory and CPU
//!   time are reported as unavailable. Cases: `csv` and `xlsx` (every associated customer, by
//!   id) and `csv-query` (`assoc=reseller`, by id: a query whose selection passes through the
//!   search's list of slots).
//! - **Criterion**, wall clock, CSV and XLSX of every associated customer by id.
//! - **The XLSX container side by side** (`xlsx_container/*`, in the same criterion run as
//!   `export/xlsx`): the parts of that XLSX export (unzipped once, before timing) zipped again
//!   into a sink in chunks of 128 KiB, as the sheet writer hands them over, by the `zip` crate's
//!   streaming writer with the core's options (`zip_crate`) and by the hand-written container
//!   the core used before (`hand`, `partnerdesk_benches::hand_zip`). Their difference is what
//!   the crate costs; `export/xlsx` is the figure it is a share of.
//!
//! The load average (`/proc/loadavg`) is printed before and after each size: the machine is
//! shared, and rows per CPU second is the closest figure to "one core" there.
//!
//! Run: `cargo bench -p partnerdesk-benches --bench export` (set `PD_EXPORT_SIZES=100000,1000000`
//! to choose sizes; that is the default).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use partnerdesk::Invocation;
use partnerdesk::access::Actor;
use partnerdesk::export::{ExportProgress, ExportRequest, ExportSelection};
use partnerdesk::query::{Query, Sort, SortKey};
use partnerdesk::{Desk, OperatorId, demo};
use partnerdesk_benches::hand_zip;
use std::io::{Cursor, Read, Write};
use std::ops::ControlFlow;
use std::process::Command;
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

fn admin() -> Actor {
    Actor::Operator(OperatorId::new("admin").unwrap())
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
/// ticks of 10 ms).
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

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

fn request(case: &str) -> ExportRequest {
    match case {
        "xlsx" => ExportRequest::xlsx(ExportSelection::all()),
        "csv-query" => ExportRequest::csv(ExportSelection::Query {
            query: Query::parse("assoc=reseller").unwrap(),
            sort: Sort::asc(SortKey::Id),
        }),
        _ => ExportRequest::csv(ExportSelection::all()),
    }
}

/// The child: one measured export in a fresh process; prints `key=value` pairs.
fn probe(spec: &str) {
    let mut it = spec.split_whitespace();
    let case = it.next().unwrap_or("csv").to_owned();
    let n: usize = it.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let (mut desk, now): (Desk, _) = demo::portfolio(n, 42).unwrap();
    // The first export after loading brings the id order and the copy of the exported fields
    // up to date; an empty one does only that.
    let empty = ExportRequest::csv(ExportSelection::Ids(Vec::new()));
    let rss_before = rss_hwm().map(|(rss, _)| rss);
    let (first, _) = timed(|| {
        desk.export(&Invocation::new(admin(), now), &empty, std::io::sink(), go)
            .unwrap();
    });
    // What the desk keeps from then on (its id order and its copy of the exported fields).
    let kept = rss_before
        .zip(rss_hwm())
        .map_or("n/a".into(), |(a, (b, _))| b.saturating_sub(a).to_string());
    let req = request(&case);
    let mut rows = 0;
    let mut t = (0.0, None);
    let mem = peak_delta(|| {
        t = timed(|| {
            rows = desk
                .export(&Invocation::new(admin(), now), &req, std::io::sink(), go)
                .unwrap()
                .rows;
        });
    });
    let opt = |v: Option<f64>| v.map_or("n/a".into(), |v| format!("{v:.3}"));
    println!(
        "rows={rows} wall={:.3} cpu={} peak_kib={} id_order_secs={first:.3} kept_kib={kept}",
        t.0,
        opt(t.1),
        mem.map_or("n/a".into(), |k| k.to_string()),
    );
}

/// Runs one case in a fresh process and prints its figures.
fn measured_run(case: &str, n: usize) {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .env("PD_EXPORT_PROBE", format!("{case} {n}"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with("rows="))
        .unwrap_or("");
    let get = |k: &str| {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(k)?.strip_prefix('='))
            .and_then(|v| v.parse::<f64>().ok())
    };
    let rows = get("rows").unwrap_or(0.0);
    let rate = |secs: Option<f64>| {
        secs.filter(|s| *s > 0.0)
            .map_or("n/a".into(), |s| format!("{:.0}", rows / s))
    };
    let mib = get("peak_kib").map_or("n/a".into(), |k| format!("{:.1} MiB", k / 1024.0));
    let kept = get("kept_kib").map_or("n/a".into(), |k| format!("{:.1} MiB", k / 1024.0));
    println!(
        "export {case:9} n={n} rows={rows}: {} rows/s wall, {} rows/s CPU, peak +{mib} \
         (fresh process; id order and copy of the exported fields built in {:.2} s before, \
         kept on the desk: +{kept})",
        rate(get("wall")),
        rate(get("cpu")),
        get("id_order_secs").unwrap_or(0.0),
    );
}

fn bench_export(c: &mut Criterion) {
    for n in sizes() {
        println!("load average before n={n}: {}", loadavg());
        for case in ["csv", "csv-query", "xlsx"] {
            measured_run(case, n);
        }
        let (mut desk, now): (Desk, _) = demo::portfolio(n, 42).unwrap();
        let csv = request("csv");
        let xlsx = request("xlsx");
        let rows = desk
            .export(&Invocation::new(admin(), now), &csv, std::io::sink(), go)
            .unwrap()
            .rows;
        let mut g = c.benchmark_group("export");
        g.sample_size(10);
        g.throughput(Throughput::Elements(rows));
        g.measurement_time(Duration::from_secs(if n >= 1_000_000 { 20 } else { 5 }));
        g.bench_with_input(BenchmarkId::new("csv", n), &n, |b, _| {
            b.iter(|| {
                desk.export(&Invocation::new(admin(), now), &csv, std::io::sink(), go)
                    .unwrap()
            })
        });
        g.measurement_time(Duration::from_secs(if n >= 1_000_000 { 90 } else { 10 }));
        g.bench_with_input(BenchmarkId::new("xlsx", n), &n, |b, _| {
            b.iter(|| {
                desk.export(&Invocation::new(admin(), now), &xlsx, std::io::sink(), go)
                    .unwrap()
            })
        });
        g.finish();
        bench_container(c, &mut desk, &xlsx, n, rows, now);
        println!("load average after n={n}: {}", loadavg());
    }
}

/// The part names of an export's XLSX, in the order the sheet writer writes them.
const PARTS: [&str; 6] = [
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
    "xl/workbook.xml",
    "xl/worksheets/sheet1.xml",
];

/// The parts of an XLSX export, unzipped.
fn parts_of(bytes: Vec<u8>) -> Vec<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    PARTS
        .iter()
        .map(|name| {
            let mut data = Vec::new();
            archive
                .by_name(name)
                .unwrap()
                .read_to_end(&mut data)
                .unwrap();
            data
        })
        .collect()
}

/// The parts zipped by the `zip` crate's streaming writer, with the options of the core's
/// `xlsx::Zip` (deflate level 1, entries dated 1980-01-01).
fn zip_crate<W: Write>(out: W, parts: &[Vec<u8>]) -> W {
    use zip::write::{SimpleFileOptions, ZipWriter};
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(zip::DateTime::DEFAULT);
    let mut z = ZipWriter::new_stream(out);
    for (name, data) in PARTS.iter().zip(parts) {
        z.start_file(*name, options).unwrap();
        for chunk in data.chunks(hand_zip::CHUNK) {
            z.write_all(chunk).unwrap();
        }
    }
    z.finish().unwrap().into_inner()
}

/// The parts zipped by the hand-written container the core used before.
fn hand<W: Write>(out: W, parts: &[Vec<u8>]) -> W {
    let mut z = hand_zip::Zip::new(out);
    for (name, data) in PARTS.iter().zip(parts) {
        z.begin(name).unwrap();
        for chunk in data.chunks(hand_zip::CHUNK) {
            z.write(chunk).unwrap();
        }
    }
    z.finish().unwrap()
}

/// The XLSX container side by side: the same parts zipped by the `zip` crate and by hand.
fn bench_container(
    c: &mut Criterion,
    desk: &mut Desk,
    xlsx: &ExportRequest,
    n: usize,
    rows: u64,
    now: chrono::DateTime<chrono::Utc>,
) {
    let mut bytes = Vec::new();
    desk.export(&Invocation::new(admin(), now), xlsx, &mut bytes, go)
        .unwrap();
    let parts = parts_of(bytes);
    // Both containers hold the same parts, and their sizes are within a few per cent.
    let by_crate = zip_crate(Vec::new(), &parts);
    let by_hand = hand(Vec::new(), &parts);
    assert_eq!(parts_of(by_crate.clone()), parts);
    assert_eq!(parts_of(by_hand.clone()), parts);
    println!(
        "xlsx container n={n}: sheet {} bytes, zip crate {} bytes, hand-written {} bytes",
        parts[5].len(),
        by_crate.len(),
        by_hand.len()
    );
    // CPU time of each container, alternating, in this thread: closer to one idle core than
    // the wall clock on a shared machine. Printed beside the export's own CPU figure.
    let (mut cpu_crate, mut cpu_hand) = (0.0, 0.0);
    let rounds = 5;
    for _ in 0..rounds {
        cpu_crate += timed(|| {
            zip_crate(std::io::sink(), &parts);
        })
        .1
        .unwrap_or(f64::NAN);
        cpu_hand += timed(|| {
            hand(std::io::sink(), &parts);
        })
        .1
        .unwrap_or(f64::NAN);
    }
    let cpu_export = (0..rounds)
        .map(|_| {
            timed(|| {
                desk.export(&Invocation::new(admin(), now), xlsx, std::io::sink(), go)
                    .unwrap();
            })
            .1
            .unwrap_or(f64::NAN)
        })
        .sum::<f64>();
    let r = f64::from(rounds);
    println!(
        "xlsx container n={n}, CPU seconds per run (mean of {rounds}, alternating): zip crate \
         {:.3}, hand-written {:.3}, difference {:.3} = {:.1}% of the whole XLSX export's {:.3}",
        cpu_crate / r,
        cpu_hand / r,
        (cpu_crate - cpu_hand) / r,
        (cpu_crate - cpu_hand) / cpu_export * 100.0,
        cpu_export / r,
    );
    let mut g = c.benchmark_group("xlsx_container");
    g.sample_size(10);
    g.throughput(Throughput::Elements(rows));
    g.measurement_time(Duration::from_secs(if n >= 1_000_000 { 60 } else { 10 }));
    g.bench_with_input(BenchmarkId::new("zip_crate", n), &n, |b, _| {
        b.iter(|| zip_crate(std::io::sink(), &parts))
    });
    g.bench_with_input(BenchmarkId::new("hand", n), &n, |b, _| {
        b.iter(|| hand(std::io::sink(), &parts))
    });
    g.finish();
}

criterion_group!(benches, bench_export);

fn main() {
    // A child started by `measured_run`.
    if let Ok(spec) = std::env::var("PD_EXPORT_PROBE") {
        probe(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
