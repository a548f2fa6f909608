//! Search benchmarks: partnerdesk's indexed search vs SQLite (in memory, bundled, with the best
//! indexes we could give it) vs a naive `Vec` filter-and-sort, on the same demo portfolios.
//!
//! Every contender returns the same thing: the first page of 20 ids and the total count; the
//! setup asserts that all three agree before anything is timed.
//!
//! SQLite gets every advantage we could think of: covering composite indexes for each query
//! (`(manager, active, mtd, id)`, `(active, next_expiry, id)`, ...), tags in their own indexed
//! table probed with `EXISTS`, month-to-date spend as exact integer cents and the next expiry
//! precomputed as a column for the benchmark's `now` (partnerdesk derives it at query time).
//! SQLite answers the name search by a scan (`instr` on a lower-cased column); partnerdesk from
//! its trigram index. For Q3 only, PostgreSQL 15 with a `pg_trgm` GIN index on the lower-cased
//! name joins when `PARTNERDESK_PG_URL` is set (`eval "$(scripts/pg.sh start)"`), and must
//! return the same page and total.
//!
//! `R1_renewals_7d` is the portfolio's first page of resources to renew in the next 7 days
//! (issue #19): `Desk::renewals_page` against a SQLite table of every resource to renew with
//! the covering index `(expires_at, customer, resource)`, and against the walk of every
//! customer (`Desk::resources_to_renew`).
//!
//! Run: `cargo bench -p partnerdesk-benches --bench search` (set `PD_BENCH_SIZES=10000,100000`
//! to choose sizes; the default is 10k, 100k and 1M). Above 2M the naive walks' answers are
//! checked but not timed (seconds a run); at 10M the desk and SQLite's database take about
//! 20 GB together.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use chrono::{DateTime, Duration, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
use partnerdesk::search::MatchContext;
use partnerdesk::{Customer, Desk, demo};
use partnerdesk_benches::queries::q1_to_q5;
use rusqlite::{Connection, params};
use std::hint::black_box;

#[path = "common/sqlite.rs"]
mod sqlite;

struct Case {
    name: &'static str,
    filter: String,
    sort: Sort,
    sql_where: String,
    sql_order: &'static str,
}

fn cases(desk: &Desk, now: DateTime<Utc>) -> Vec<Case> {
    // A manager with a typical book of customers (Q1's filter names the same).
    let manager = "am_001";
    let now_s = now.timestamp();
    let d7 = (now + Duration::days(7)).timestamp();
    let d30 = (now + Duration::days(30)).timestamp();
    let _ = desk;
    let sql: [(String, &'static str); 5] = [
        (
            format!("active = 1 AND manager = '{manager}' AND mtd_cents BETWEEN 10000 AND 500000"),
            "mtd_cents DESC, id ASC",
        ),
        (
            format!("active = 1 AND next_expiry BETWEEN {now_s} AND {d7}"),
            "next_expiry ASC, id ASC",
        ),
        (
            "active = 1 AND instr(name_lower, 'cloud') > 0".into(),
            "name_lower ASC, id ASC",
        ),
        (
            "active = 1 AND mobile_rev >= '876' AND mobile_rev < '877' \
             AND EXISTS (SELECT 1 FROM tags t WHERE t.slot = customers.slot AND t.tag IN ('vip', 'gold'))"
                .into(),
            "id ASC",
        ),
        (
            format!(
                "active = 1 AND assoc = 'reseller' AND mtd_cents >= 100000 \
                 AND EXISTS (SELECT 1 FROM tags t WHERE t.slot = customers.slot AND t.tag IN ('vip', 'gold')) \
                 AND next_expiry BETWEEN {now_s} AND {d30}"
            ),
            "mtd_cents DESC, id ASC",
        ),
    ];
    q1_to_q5()
        .into_iter()
        .zip(sql)
        .map(|(q, (sql_where, sql_order))| Case {
            name: q.name,
            filter: q.filter.to_owned(),
            sort: q.sort,
            sql_where,
            sql_order,
        })
        .collect()
}

fn sqlite_query(db: &Connection, case: &Case) -> (Vec<String>, usize) {
    let mut page = db
        .prepare_cached(&format!(
            "SELECT id FROM customers WHERE {} ORDER BY {} LIMIT 20",
            case.sql_where, case.sql_order
        ))
        .unwrap();
    let ids: Vec<String> = page
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut count = db
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM customers WHERE {}",
            case.sql_where
        ))
        .unwrap();
    let total: i64 = count.query_row([], |r| r.get(0)).unwrap();
    (ids, total as usize)
}

/// PostgreSQL 15 with `pg_trgm`, for Q3 only (issue 18): the customers' id, lower-cased name
/// and whether associated, in an unlogged table with a GIN trigram index on the lower-cased
/// name, as PostgreSQL users index a substring search. Only when `PARTNERDESK_PG_URL` names a
/// server (`eval "$(scripts/pg.sh start)"`); the table is dropped and loaded again each run.
fn load_pg(desk: &Desk) -> Option<postgres::Client> {
    let Ok(url) = std::env::var("PARTNERDESK_PG_URL") else {
        println!("Q3 PostgreSQL contender skipped: PARTNERDESK_PG_URL is not set");
        return None;
    };
    let mut pg = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    pg.batch_execute(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;
         DROP TABLE IF EXISTS bench_q3;
         CREATE UNLOGGED TABLE bench_q3 (id text NOT NULL, name_lower text NOT NULL,
            active boolean NOT NULL);",
    )
    .unwrap();
    let mut rows = String::new();
    for c in desk.customers() {
        // COPY's text format: tabs, newlines and backslashes escaped.
        let name = c.name.expose().to_lowercase();
        let escaped = name
            .replace('\\', "\\\\")
            .replace('\t', "\\t")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        let active = if c.is_associated() { "t" } else { "f" };
        rows.push_str(&format!("{}\t{escaped}\t{active}\n", c.id.as_str()));
    }
    let mut w = pg.copy_in("COPY bench_q3 FROM STDIN").unwrap();
    std::io::Write::write_all(&mut w, rows.as_bytes()).unwrap();
    w.finish().unwrap();
    pg.batch_execute("CREATE INDEX bench_q3_trgm ON bench_q3 USING gin (name_lower gin_trgm_ops)")
        .unwrap();
    pg.batch_execute("VACUUM ANALYZE bench_q3").unwrap();
    Some(pg)
}

/// Q3 on PostgreSQL: the count and the first page by name (byte order, as the others), each
/// through the trigram index.
fn pg_q3(pg: &mut postgres::Client) -> (Vec<String>, usize) {
    let pattern = "%cloud%";
    let ids: Vec<String> = pg
        .query(
            "SELECT id FROM bench_q3 WHERE active AND name_lower LIKE $1
             ORDER BY name_lower COLLATE \"C\", id COLLATE \"C\" LIMIT 20",
            &[&pattern],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let total: i64 = pg
        .query_one(
            "SELECT count(*) FROM bench_q3 WHERE active AND name_lower LIKE $1",
            &[&pattern],
        )
        .unwrap()
        .get(0);
    (ids, total as usize)
}

/// The naive contender: check every customer, then sort the matches.
fn naive(desk: &Desk, q: &Query, sort: Sort, now: DateTime<Utc>) -> (Vec<String>, usize) {
    let ctx: MatchContext<'_> = desk.match_context(now);
    let mut hits: Vec<&Customer> = desk.customers().filter(|c| q.matches(c, &ctx)).collect();
    let total = hits.len();
    let month = ctx.month();
    hits.sort_by(|a, b| {
        let primary = match sort.key {
            SortKey::MonthToDate => a.month_spend(month).cmp(&b.month_spend(month)),
            SortKey::Name => a
                .name
                .expose()
                .to_lowercase()
                .cmp(&b.name.expose().to_lowercase()),
            SortKey::NextExpiry => a.next_expiry(now).cmp(&b.next_expiry(now)),
            _ => std::cmp::Ordering::Equal,
        };
        let primary = if sort.descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| a.id.cmp(&b.id))
    });
    (
        hits.iter().take(20).map(|c| c.id.to_string()).collect(),
        total,
    )
}

fn ours(desk: &Desk, q: &Query, sort: Sort, now: DateTime<Utc>) -> (Vec<String>, usize) {
    let page = desk
        .search_ids(q, sort, &PageRequest::first(20), now)
        .unwrap();
    (page.ids.iter().map(|i| i.to_string()).collect(), page.total)
}

/// Every resource to renew of the associated customers, in a table indexed in the page's order.
fn load_renewals(db: &Connection, desk: &Desk) {
    db.execute_batch(
        "CREATE TABLE renewals (expires_at INTEGER NOT NULL, customer TEXT NOT NULL,
            resource TEXT NOT NULL);",
    )
    .unwrap();
    let tx = db.unchecked_transaction().unwrap();
    {
        let mut ins = tx
            .prepare("INSERT INTO renewals VALUES (?1, ?2, ?3)")
            .unwrap();
        for c in desk.customers().filter(|c| c.is_associated()) {
            for r in &c.resources {
                let renews = r.expiry_policy == partnerdesk::ExpiryPolicy::AutoRenew;
                if let (true, false, Some(e)) = (r.counts_for_expiry(), renews, r.expires_at) {
                    ins.execute(params![
                        e.timestamp_nanos_opt().unwrap(),
                        c.id.as_str(),
                        r.id.as_str()
                    ])
                    .unwrap();
                }
            }
        }
    }
    tx.commit().unwrap();
    db.execute_batch("CREATE INDEX r_order ON renewals (expires_at, customer, resource); ANALYZE;")
        .unwrap();
}

type Renewals = (Vec<(String, String)>, usize);

fn renewals_sqlite(db: &Connection, now: DateTime<Utc>, days: i64) -> Renewals {
    let (from, to) = (
        now.timestamp_nanos_opt().unwrap(),
        (now + Duration::days(days)).timestamp_nanos_opt().unwrap(),
    );
    let mut page = db
        .prepare_cached(
            "SELECT customer, resource FROM renewals WHERE expires_at BETWEEN ?1 AND ?2
             ORDER BY expires_at, customer, resource LIMIT 20",
        )
        .unwrap();
    let ids = page
        .query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut count = db
        .prepare_cached("SELECT COUNT(*) FROM renewals WHERE expires_at BETWEEN ?1 AND ?2")
        .unwrap();
    let total: i64 = count.query_row(params![from, to], |r| r.get(0)).unwrap();
    (ids, total as usize)
}

fn renewal_ids(items: &[partnerdesk::analysis::RenewalItem<'_>]) -> Vec<(String, String)> {
    items
        .iter()
        .take(20)
        .map(|i| (i.customer.to_string(), i.resource.id.to_string()))
        .collect()
}

fn renewals_ours(desk: &Desk, actor: &partnerdesk::Actor, now: DateTime<Utc>) -> Renewals {
    let page = desk
        .renewals_page(actor, 7, &PageRequest::first(20), now)
        .unwrap();
    (renewal_ids(&page.items), page.total)
}

fn renewals_walk(desk: &Desk, actor: &partnerdesk::Actor, now: DateTime<Utc>) -> Renewals {
    let all = desk.resources_to_renew(actor, None, 7, now).unwrap();
    (renewal_ids(&all), all.len())
}

fn bench_renewals(c: &mut Criterion, desk: &Desk, db: &Connection, now: DateTime<Utc>, n: usize) {
    load_renewals(db, desk);
    let admin = partnerdesk::Actor::Operator(partnerdesk::OperatorId::new("admin").unwrap());
    let a = renewals_ours(desk, &admin, now);
    assert_eq!(a, renewals_sqlite(db, now, 7), "renewals at {n}: vs SQLite");
    assert_eq!(
        a,
        renewals_walk(desk, &admin, now),
        "renewals at {n}: vs walk"
    );
    println!("R1_renewals_7d at {n}: total {}", a.1);
    let mut g = c.benchmark_group(format!("R1_renewals_7d/{n}"));
    g.sample_size(if n >= 1_000_000 { 10 } else { 30 });
    g.warm_up_time(std::time::Duration::from_millis(500));
    g.measurement_time(std::time::Duration::from_secs(2));
    g.bench_function(BenchmarkId::new("partnerdesk", n), |b| {
        b.iter(|| black_box(renewals_ours(desk, &admin, now)))
    });
    g.bench_function(BenchmarkId::new("sqlite", n), |b| {
        b.iter(|| black_box(renewals_sqlite(db, now, 7)))
    });
    if n <= NAIVE_MAX {
        g.bench_function(BenchmarkId::new("walk", n), |b| {
            b.iter(|| black_box(renewals_walk(desk, &admin, now)))
        });
    }
    g.finish();
}

/// The largest size whose naive walk is timed.
const NAIVE_MAX: usize = 2_000_000;

fn sizes() -> Vec<usize> {
    std::env::var("PD_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000])
}

fn bench(c: &mut Criterion) {
    for n in sizes() {
        let (desk, now) = demo::portfolio(n, 20_261_129).unwrap();
        let db = sqlite::load_sqlite(&desk, now, false);
        let mut pg = load_pg(&desk);
        for case in cases(&desk, now) {
            let q = Query::parse(&case.filter).unwrap();
            let a = ours(&desk, &q, case.sort, now);
            let b = sqlite_query(&db, &case);
            let n_ = naive(&desk, &q, case.sort, now);
            assert_eq!(a, b, "{} at {n}: partnerdesk vs SQLite", case.name);
            assert_eq!(a, n_, "{} at {n}: partnerdesk vs naive", case.name);
            println!("{} at {n}: total {}", case.name, a.1);
            let mut g = c.benchmark_group(format!("{}/{n}", case.name));
            g.sample_size(if n >= 1_000_000 { 10 } else { 30 });
            g.warm_up_time(std::time::Duration::from_millis(500));
            g.measurement_time(std::time::Duration::from_secs(if n >= 1_000_000 {
                4
            } else {
                2
            }));
            g.bench_function(BenchmarkId::new("partnerdesk", n), |bch| {
                bch.iter(|| black_box(ours(&desk, &q, case.sort, now)))
            });
            g.bench_function(BenchmarkId::new("sqlite", n), |bch| {
                bch.iter(|| black_box(sqlite_query(&db, &case)))
            });
            if let (Some(pg), true) = (pg.as_mut(), case.name.starts_with("Q3")) {
                assert_eq!(a, pg_q3(pg), "Q3 at {n}: partnerdesk vs PostgreSQL");
                g.bench_function(BenchmarkId::new("postgres_trgm", n), |bch| {
                    bch.iter(|| black_box(pg_q3(pg)))
                });
            }
            // Above 2M the walk of every customer takes seconds a run: its answer is still
            // checked above, its time is not measured.
            if n <= NAIVE_MAX {
                g.bench_function(BenchmarkId::new("naive", n), |bch| {
                    bch.iter(|| black_box(naive(&desk, &q, case.sort, now)))
                });
            }
            g.finish();
        }
        bench_renewals(c, &desk, &db, now, n);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
