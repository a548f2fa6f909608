//! Profiles the `ops` benchmark's workload once: the command stream, then a replay of the
//! events it recorded (repeated streams until `EVENTS` events, default 1M), with wall times.
//! `cargo build --release -p partnerdesk-benches --example profile_ops && perf record -g
//! target/release/examples/profile_ops 1000000`.
#![allow(missing_docs, clippy::unwrap_used, clippy::print_stdout)]
use partnerdesk_benches::ops_workload::{detached, run, setup};
use std::time::Instant;

/// This thread's CPU time in seconds (`/proc/thread-self/schedstat`, Linux), 0 elsewhere: on a
/// shared machine, the rate per CPU second is the figure "on one core".
fn cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let want: usize = std::env::var("EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let s = setup(n);
    let base = s.desk.clone();
    let mut desk = s.desk.clone();
    let start = desk.events().len();
    if std::env::var("PAUSE").is_ok() {
        println!("stream starts");
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    let (t, c) = (Instant::now(), cpu());
    let ok = run(&mut desk, &s);
    let (took, cpu_took) = (t.elapsed(), cpu() - c);
    println!(
        "stream: {} commands in {took:?} ({:.0} commands/s; {:.0} per CPU second), {ok} successes",
        s.commands.len(),
        s.commands.len() as f64 / took.as_secs_f64(),
        s.commands.len() as f64 / cpu_took
    );
    while desk.events().len() - start < want {
        run(&mut desk, &s);
    }
    let events = detached(&desk.events()[start..start + want]);
    drop(desk);
    let mut target = base;
    // PAUSE=1: announce the replay and wait a second (to attach a profiler to it alone).
    if std::env::var("PAUSE").is_ok() {
        println!("replay starts");
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    let (t, c) = (Instant::now(), cpu());
    target.apply_events(events).unwrap();
    let (took, cpu_took) = (t.elapsed(), cpu() - c);
    println!(
        "replay: {want} events in {took:?} ({:.0} events/s; {:.0} per CPU second)",
        want as f64 / took.as_secs_f64(),
        want as f64 / cpu_took
    );
}
