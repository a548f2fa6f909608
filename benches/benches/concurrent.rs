//! Reads on every core while writes go on (issue 18, item 4): reader threads search Q1-Q5 in
//! turn while one writer applies the operations benchmark's command stream, side by side in one
//! run, on:
//!
//! - `RwLock<Desk>`: one desk behind a `std::sync::RwLock` (what the bindings hold);
//! - `left-right`: the `left-right` crate's two copies, each change one operation that runs
//!   the command on the first copy and replays its events on the second, published after each
//!   (the maintained crate the core's `SharedDesk` was measured against: ADR 0007);
//! - `SharedDesk`: the core's two copies, each change published (`write`);
//! - `SharedDesk staged`: the same, changes staged and published every 5 ms (`stage`,
//!   `publish`).
//!
//! `cargo bench -p partnerdesk-benches --bench concurrent` (`PD_CONC_SIZE`, default 1M;
//! `PD_CONC_SECONDS` a phase, default 3; `PD_CONC_PACE` the paced writer's commands a second,
//! default 1,000). Each desk runs these phases one after the other:
//!
//! - `1 reader` and `2 readers`, alone (idle);
//! - `writer`, alone, as fast as it goes;
//! - `1 reader + writer`, `2 readers + writer`: the writer as fast as it goes;
//! - `1 reader + paced`, `2 readers + paced`: the writer paced at `PD_CONC_PACE` commands a
//!   second (a service's writes arrive; they do not take a core).
//!
//! Printed per phase: searches a second (all readers), the readers' p50 and p99 latency, the
//! writer's commands a second. Figures in `benches/README.md`, "Reads on every core".
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::expect_used
)]

use chrono::{DateTime, Duration as Days, Utc};
use partnerdesk::Desk;
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
use partnerdesk::shared::{DeskReader, SharedDesk};
use partnerdesk_benches::ops_workload::{self, Cmd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Q1-Q5 of the search benchmark, with their sorts.
fn queries() -> Vec<(Query, Sort)> {
    [
        (
            "manager=am_001 and mtd>=100 and mtd<=5000",
            Sort::desc(SortKey::MonthToDate),
        ),
        ("expires<=7d", Sort::asc(SortKey::NextExpiry)),
        ("name~cloud", Sort::asc(SortKey::Name)),
        ("tag in (vip, gold) and mobile~678", Sort::asc(SortKey::Id)),
        (
            "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold) and expires<=30d",
            Sort::desc(SortKey::MonthToDate),
        ),
    ]
    .into_iter()
    .map(|(f, s)| (Query::parse(f).unwrap(), s))
    .collect()
}

/// One search: the count and the first page of ids, as the search benchmark measures it.
fn search(desk: &Desk, q: &(Query, Sort), now: DateTime<Utc>) -> usize {
    let page = desk
        .search_ids(&q.0, q.1, &PageRequest::first(20), now)
        .unwrap();
    page.total
}

/// `left-right`'s operation: the command to run on the first copy, then what it added there.
struct LrOp {
    cmd: usize,
    now: DateTime<Utc>,
    added: Option<(
        Vec<partnerdesk::event::Event>,
        Vec<partnerdesk::audit::AuditRecord>,
    )>,
}

/// The desk as `left-right` holds it (a local type, for its trait).
struct LrDesk {
    desk: Desk,
    cmds: Arc<Vec<Cmd>>,
    actor: partnerdesk::Actor,
}

impl left_right::Absorb<LrOp> for LrDesk {
    fn absorb_first(&mut self, op: &mut LrOp, _: &Self) {
        let before = self.desk.mark();
        ops_workload::apply(&mut self.desk, &self.cmds[op.cmd], &self.actor, op.now);
        op.added = Some((
            self.desk.events_since(before.events).to_vec(),
            self.desk.audit_since(before.audit).to_vec(),
        ));
    }

    fn absorb_second(&mut self, op: LrOp, other: &Self) {
        match op.added {
            Some((events, audit)) => {
                self.desk.apply_events(events).unwrap();
                self.desk.append_audit(audit).unwrap();
            }
            None => self.absorb_first(&mut LrOp { added: None, ..op }, other),
        }
    }

    fn sync_with(&mut self, first: &Self) {
        if self.desk.mark() != first.desk.mark() {
            self.desk = first.desk.clone();
        }
    }
}

impl Clone for LrDesk {
    fn clone(&self) -> Self {
        LrDesk {
            desk: self.desk.clone(),
            cmds: Arc::clone(&self.cmds),
            actor: self.actor.clone(),
        }
    }
}

/// The ways to share a desk.
enum Holder {
    Locked(Arc<RwLock<Desk>>),
    /// `left-right`'s writer (`Send`, not `Sync`: behind a `Mutex`) and a reader factory.
    LeftRight(
        std::sync::Mutex<left_right::WriteHandle<LrDesk, LrOp>>,
        left_right::ReadHandleFactory<LrDesk>,
    ),
    /// Staged changes (`Some`: published every that long) or each one published (`None`).
    Shared(
        std::sync::Mutex<(SharedDesk, Instant)>,
        DeskReader,
        Option<Duration>,
    ),
}

impl Holder {
    fn name(&self) -> &'static str {
        match self {
            Holder::Locked(_) => "RwLock<Desk>",
            Holder::LeftRight(..) => "left-right",
            Holder::Shared(_, _, None) => "SharedDesk",
            Holder::Shared(_, _, Some(_)) => "SharedDesk staged",
        }
    }

    /// A reader for one thread.
    fn reader(&self) -> Reader {
        match self {
            Holder::Locked(l) => Reader::Locked(Arc::clone(l)),
            Holder::LeftRight(_, f) => Reader::LeftRight(f.handle()),
            Holder::Shared(_, r, _) => Reader::Shared(r.clone()),
        }
    }

    fn write(&self, cmds: &Arc<Vec<Cmd>>, k: usize, w: &Writer) {
        let now = w.now(k);
        let i = k % cmds.len();
        match self {
            Holder::Locked(l) => {
                let mut desk = l.write().unwrap();
                ops_workload::apply(&mut desk, &cmds[i], &w.actor, now);
            }
            Holder::LeftRight(lr, _) => {
                let mut lr = lr.lock().unwrap();
                lr.append(LrOp {
                    cmd: i,
                    now,
                    added: None,
                });
                lr.publish();
            }
            Holder::Shared(s, _, every) => {
                let mut s = s.lock().unwrap();
                let (shared, last) = &mut *s;
                match every {
                    None => {
                        shared.write(|d| ops_workload::apply(d, &cmds[i], &w.actor, now));
                    }
                    Some(every) => {
                        shared.stage(|d| ops_workload::apply(d, &cmds[i], &w.actor, now));
                        if last.elapsed() >= *every {
                            shared.publish();
                            *last = Instant::now();
                        }
                    }
                }
            }
        }
    }
}

enum Reader {
    Locked(Arc<RwLock<Desk>>),
    LeftRight(left_right::ReadHandle<LrDesk>),
    Shared(DeskReader),
}

impl Reader {
    fn search(&self, q: &(Query, Sort), now: DateTime<Utc>) -> usize {
        match self {
            Reader::Locked(l) => search(&l.read().unwrap(), q, now),
            Reader::LeftRight(r) => search(&r.enter().unwrap().desk, q, now),
            Reader::Shared(r) => r.read(|d| search(d, q, now)),
        }
    }
}

/// The writer's clock: one second a thousand commands from the stream's start, as
/// `ops_workload::run` advances it, continuing across phases.
struct Writer {
    actor: partnerdesk::Actor,
    start: DateTime<Utc>,
    next: AtomicU64,
}

impl Writer {
    fn now(&self, k: usize) -> DateTime<Utc> {
        self.start + Days::seconds(1 + (k / 1000) as i64)
    }
}

struct Figures {
    searches: u64,
    p50: Duration,
    p99: Duration,
    commands: u64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs `readers` reader threads and, when `pace` is `Some`, a writer (`Some(0)`: as fast as
/// it goes), for `seconds`.
fn phase(
    h: &Holder,
    cmds: &Arc<Vec<Cmd>>,
    w: &Writer,
    readers: usize,
    pace: Option<u64>,
    seconds: u64,
    now: DateTime<Utc>,
) -> Figures {
    let qs = queries();
    let stop = AtomicBool::new(false);
    let length = Duration::from_secs(seconds);
    std::thread::scope(|scope| {
        let reading: Vec<_> = (0..readers)
            .map(|t| {
                let reader = h.reader();
                let (qs, stop) = (&qs, &stop);
                scope.spawn(move || {
                    let mut lat = Vec::with_capacity(100_000);
                    let mut k = t;
                    while !stop.load(Ordering::Relaxed) {
                        let t0 = Instant::now();
                        std::hint::black_box(reader.search(&qs[k % qs.len()], now));
                        lat.push(t0.elapsed());
                        k += 1;
                    }
                    lat
                })
            })
            .collect();
        let writing = pace.map(|pace| {
            let stop = &stop;
            scope.spawn(move || {
                let (t0, mut n) = (Instant::now(), 0u64);
                while !stop.load(Ordering::Relaxed) {
                    if pace > 0 {
                        let due = t0 + Duration::from_secs_f64(n as f64 / pace as f64);
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                    }
                    let k = w.next.fetch_add(1, Ordering::Relaxed) as usize;
                    h.write(cmds, k, w);
                    n += 1;
                }
                n
            })
        });
        std::thread::sleep(length);
        stop.store(true, Ordering::Relaxed);
        let mut lat: Vec<Duration> = reading
            .into_iter()
            .flat_map(|r| r.join().unwrap())
            .collect();
        let commands = writing.map_or(0, |w| w.join().unwrap());
        lat.sort_unstable();
        Figures {
            searches: lat.len() as u64 / seconds,
            p50: percentile(&lat, 0.50),
            p99: percentile(&lat, 0.99),
            commands: commands / seconds,
        }
    })
}

fn main() {
    let n = env("PD_CONC_SIZE", 1_000_000) as usize;
    let seconds = env("PD_CONC_SECONDS", 3).max(1);
    let pace = env("PD_CONC_PACE", 1_000).max(1);
    let setup = ops_workload::setup(n);
    let cmds = Arc::new(setup.commands);
    // The demo's `now`: the searches see the demo's expiries and month-to-date spend.
    let now = setup.now;
    println!(
        "concurrent reads: {n} customers, {seconds} s a phase, paced writer {pace} commands/s, {} cores",
        std::thread::available_parallelism().map_or(1, |c| c.get())
    );
    println!(
        "| desk | phase | searches/s | p50 | p99 | commands/s |\n| --- | --- | ---: | ---: | ---: | ---: |"
    );
    let phases: [(&str, usize, Option<u64>); 7] = [
        ("1 reader", 1, None),
        ("2 readers", 2, None),
        ("writer", 0, Some(0)),
        ("1 reader + writer", 1, Some(0)),
        ("2 readers + writer", 2, Some(0)),
        ("1 reader + paced", 1, Some(pace)),
        ("2 readers + paced", 2, Some(pace)),
    ];
    // Each way starts from the same desk: a clone of the one built (two ways at a time at
    // most: the two-copy ways hold two desks).
    let built = setup.desk;
    for way in 0..4 {
        let d = built.clone();
        let h = match way {
            0 => Holder::Locked(Arc::new(RwLock::new(d))),
            1 => {
                let (mut w, r) = left_right::new_from_empty::<LrDesk, LrOp>(LrDesk {
                    desk: d,
                    cmds: Arc::clone(&cmds),
                    actor: setup.actor.clone(),
                });
                w.publish();
                Holder::LeftRight(std::sync::Mutex::new(w), r.factory())
            }
            _ => {
                let s = SharedDesk::new(d);
                let r = s.reader();
                let every = (way == 3).then(|| Duration::from_millis(5));
                Holder::Shared(std::sync::Mutex::new((s, Instant::now())), r, every)
            }
        };
        let w = Writer {
            actor: setup.actor.clone(),
            start: now,
            next: AtomicU64::new(0),
        };
        // Warm up: every query once from each of two threads, before the first phase.
        let _ = phase(&h, &cmds, &w, 2, None, 1, now);
        for (name, readers, writer) in phases {
            let f = phase(&h, &cmds, &w, readers, writer, seconds, now);
            let show = |d: Duration| format!("{:.0} µs", d.as_secs_f64() * 1e6);
            println!(
                "| {} | {name} | {} | {} | {} | {} |",
                h.name(),
                if readers > 0 {
                    f.searches.to_string()
                } else {
                    String::new()
                },
                if readers > 0 {
                    show(f.p50)
                } else {
                    String::new()
                },
                if readers > 0 {
                    show(f.p99)
                } else {
                    String::new()
                },
                if writer.is_some() {
                    f.commands.to_string()
                } else {
                    String::new()
                },
            );
        }
    }
}
