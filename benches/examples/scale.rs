//! The desk at every size (issue 18 item 5): the demo portfolio built, searched (Q1 to Q5),
//! commanded, replayed and exported, at 10k, 100k and 1M customers, and at 10M on request.
//!
//! Run: `cargo run --release -p partnerdesk-benches --example scale` (sizes from
//! `PD_SCALE_SIZES`, default `10000,100000,1000000`; `PD_SCALE_SIZES=10000000` takes about 16
//! GB and a quarter of an hour on the 2-core machine). Each size runs in a fresh child process,
//! so that one size's freed memory does not hide the next one's; the parent prints the table.
//!
//! For each size, one run (the figures are wall times of this process, single-threaded but
//! for the desk's own bulk work):
//! - `build`: the operations benchmark's setup (`ops_workload::setup`): the demo portfolio
//!   (`demo::portfolio(n, 42)`, customers added one by one, every index kept), an operator and
//!   5,000 authorized customers; and the resident memory it added, a customer;
//! - `Q1`..`Q5`: the search benchmark's queries, count and first page of 20 ids, the median of
//!   repeated runs (as many as fit in about half a second, at least 5), and each one's count
//!   of matches (after the commands);
//! - `commands`: the operations benchmark's stream of 100,000 mixed commands, each with its
//!   permission check, rules, index upkeep, events and audit record, a second;
//! - `replay`: the events those commands recorded, applied (checked link by link) onto the
//!   desk they started from, built again from the same seed, a second; the replayed desk must
//!   reach the same chain head and answer Q1 to Q5 as the commanded one did;
//! - `export`: an anonymised CSV of every customer into a sink: the first after the commands
//!   (it builds the id order and the export copy), then a second, rows a second.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use partnerdesk::access::Actor;
use partnerdesk::event::Event;
use partnerdesk::export::{ExportProgress, ExportRequest, ExportSelection};
use partnerdesk::query::{PageRequest, Query};
use partnerdesk::{Desk, Invocation, OperatorId};
use partnerdesk_benches::ops_workload::{Setup, detached, run, setup};
use partnerdesk_benches::process::{each_size_in_a_child, rss};
use partnerdesk_benches::queries::q1_to_q5;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

/// The setup's desk taken out of it (the stream runs on it; the setup keeps the rest).
fn take_desk(s: &mut Setup) -> Desk {
    let empty = Desk::new(s.desk.partner().clone(), s.now);
    std::mem::replace(&mut s.desk, empty)
}

/// Q1 to Q5's answers: each one's total and first page of ids.
fn answers(desk: &Desk, s: &Setup) -> Vec<(usize, Vec<String>)> {
    q1_to_q5()
        .iter()
        .map(|q| {
            let query = Query::parse(q.filter).unwrap();
            let page = desk
                .search_ids(&query, q.sort, &PageRequest::first(20), s.now)
                .unwrap();
            (page.total, page.ids.iter().map(|i| i.to_string()).collect())
        })
        .collect()
}

/// The median time of Q1 to Q5 each (count and first page), in microseconds.
fn search_times(desk: &Desk, s: &Setup) -> Vec<f64> {
    q1_to_q5()
        .iter()
        .map(|q| {
            let query = Query::parse(q.filter).unwrap();
            let once = || {
                let t = Instant::now();
                let page = desk
                    .search_ids(&query, q.sort, &PageRequest::first(20), s.now)
                    .unwrap();
                std::hint::black_box(page);
                t.elapsed()
            };
            let first = once();
            let runs = (Duration::from_millis(500).as_nanos() / first.as_nanos().max(1))
                .clamp(5, 2_000) as usize;
            let mut times: Vec<Duration> = (0..runs).map(|_| once()).collect();
            times.sort();
            times[times.len() / 2].as_secs_f64() * 1e6
        })
        .collect()
}

fn go(_: ExportProgress) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// One CSV export of every customer; its time and rows.
fn export(desk: &mut Desk, s: &Setup) -> (Duration, u64) {
    let admin = Actor::Operator(OperatorId::new("admin").unwrap());
    let csv = ExportRequest::csv(ExportSelection::all());
    let t = Instant::now();
    let job = desk
        .export(&Invocation::new(admin, s.now), &csv, std::io::sink(), go)
        .unwrap();
    (t.elapsed(), job.rows)
}

/// One size, in this process (a child of `main`); prints one line of `key=value`.
fn one(n: usize) {
    let base = rss();
    let t = Instant::now();
    let mut s = setup(n);
    let build = t.elapsed();
    let built = rss() - base;
    let mut desk = take_desk(&mut s);

    let searches = search_times(&desk, &s);

    let start = desk.events().len();
    let t = Instant::now();
    run(&mut desk, &s);
    let commands = t.elapsed();
    let events: Vec<Event> = detached(&desk.events()[start..]);
    let head = desk.chain_head().to_owned();
    let want = answers(&desk, &s);

    let (first_export, rows) = export(&mut desk, &s);
    let (second_export, _) = export(&mut desk, &s);
    let exported = rss() - base;
    drop(desk);

    // The same start again (the same seed), then the log.
    drop(s);
    let mut again = setup(n);
    let mut replayed = take_desk(&mut again);
    let n_events = events.len();
    let t = Instant::now();
    replayed.apply_events(events).unwrap();
    let replay = t.elapsed();
    assert_eq!(
        replayed.chain_head(),
        head,
        "the replay reached another chain head"
    );
    assert_eq!(
        answers(&replayed, &again),
        want,
        "the replayed desk answers Q1 to Q5 otherwise"
    );

    let q: Vec<String> = searches.iter().map(|us| format!("{us:.2}")).collect();
    let totals: Vec<String> = want.iter().map(|(total, _)| total.to_string()).collect();
    println!(
        "n={n} build_s={:.2} rss_per_customer={:.0} rss_after_commands_and_export_per_customer={:.0} \
         q_us={} q_totals={} commands_per_s={:.0} events={n_events} replay_events_per_s={:.0} \
         first_export_rows_per_s={:.0} export_rows_per_s={:.0} rows={rows}",
        build.as_secs_f64(),
        built as f64 / n as f64,
        exported as f64 / n as f64,
        q.join(","),
        totals.join(","),
        again.commands.len() as f64 / commands.as_secs_f64(),
        n_events as f64 / replay.as_secs_f64(),
        rows as f64 / first_export.as_secs_f64(),
        rows as f64 / second_export.as_secs_f64(),
    );
}

fn main() {
    each_size_in_a_child("PD_SCALE_SIZES", &[10_000, 100_000, 1_000_000], one);
}
