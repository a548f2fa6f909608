//! The PostgreSQL backend against a real server (never a mock).
//!
//! The server: `PARTNERDESK_PG_URL` (scripts/test.sh starts one with scripts/pg.sh and exports
//! it; by hand: `eval "$(scripts/pg.sh start)"`). Without it these tests are skipped with a
//! printed reason outside CI, and fail in CI (`CI` set). Each test works in a schema of its
//! own (`search_path`), so they run in parallel on one database; the server-stop test starts a
//! second server of its own with scripts/pg.sh.
#![allow(unreachable_pub)]

mod common;

use partnerdesk::audit::AuditRecord;
use partnerdesk::event::Event;
use partnerdesk::{Actor, Desk, Invocation, Mark, OperatorId, PartnerId, Permission, demo};
use partnerdesk_store::postgres::{CHUNK_BYTES, PgStore, SCHEMA_VERSION};
use partnerdesk_store::{Batch, Checkpoint, Store, StoreError};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The test server's URL; `None` (test skipped, reason printed) only outside CI.
fn base_url() -> TestResult<Option<String>> {
    match std::env::var("PARTNERDESK_PG_URL") {
        Ok(url) if !url.is_empty() => Ok(Some(url)),
        _ if std::env::var_os("CI").is_some() => Err("CI is set but PARTNERDESK_PG_URL is not: \
             the PostgreSQL tests must run in CI (scripts/test.sh starts a server with \
             scripts/pg.sh)"
            .into()),
        _ => {
            eprintln!(
                "skipped: PARTNERDESK_PG_URL is not set (eval \"$(scripts/pg.sh start)\" starts a \
                 test server)"
            );
            Ok(None)
        }
    }
}

/// `url` with its connections in `schema`.
fn in_schema(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{schema}")
}

/// A fresh, empty schema for one test: the URL that works in it (`None`: skipped).
fn fresh(name: &str) -> TestResult<Option<String>> {
    let Some(url) = base_url()? else {
        return Ok(None);
    };
    let schema = format!("t_{name}");
    let mut admin = postgres::Client::connect(&url, postgres::NoTls)?;
    admin.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
    ))?;
    Ok(Some(in_schema(&url, &schema)))
}

/// What one command added.
struct Added {
    events: Vec<Event>,
    audit: Vec<AuditRecord>,
}

impl Added {
    fn batch(&self) -> Batch<'_> {
        Batch {
            events: &self.events,
            audit: &self.audit,
        }
    }
}

/// Runs command `i` of a fixed cycle on the desk (an administrator grants or revokes an item:
/// one event and an audit record; an account manager tries: refused, audit only) and returns
/// what it added.
fn command(desk: &mut Desk, now: chrono::DateTime<chrono::Utc>, i: usize) -> TestResult<Added> {
    let before = desk.mark();
    let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    let am = Invocation::new(Actor::Operator(OperatorId::new("am_000")?), now);
    let target = OperatorId::new("ops_billing")?;
    match i % 3 {
        0 => {
            desk.grant_permissions(&admin, &target, &[Permission::ViewSpend])?;
        }
        1 => {
            desk.revoke_permissions(&admin, &target, &[Permission::ViewSpend])?;
        }
        _ => {
            let refused = desk.grant_permissions(&am, &target, &[Permission::ViewSpend]);
            assert_eq!(refused.err().map(|e| e.code()), Some("ADMINISTRATOR_ONLY"));
        }
    }
    Ok(Added {
        events: desk.events_since(before.events).to_vec(),
        audit: desk.audit_since(before.audit).to_vec(),
    })
}

/// Command `i` of the same cycle as [`command`], for a durable desk: the refusal is its error.
fn step(desk: &mut Desk, now: chrono::DateTime<chrono::Utc>, i: usize) -> partnerdesk::Result<()> {
    let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    let target = OperatorId::new("ops_billing")?;
    match i % 3 {
        0 => desk.grant_permissions(&admin, &target, &[Permission::ViewSpend]),
        1 => desk.revoke_permissions(&admin, &target, &[Permission::ViewSpend]),
        _ => {
            let am = Invocation::new(Actor::Operator(OperatorId::new("am_000")?), now);
            desk.grant_permissions(&am, &target, &[Permission::ViewSpend])
        }
    }
}

fn first_checkpoint(desk: &Desk) -> Checkpoint {
    Checkpoint {
        mark: desk.mark(),
        bytes: b"checkpoint at the start".to_vec(),
    }
}

#[test]
fn append_conflict_and_read_back() -> TestResult {
    let Some(url) = fresh("append")? else {
        return Ok(());
    };
    let mut store = PgStore::connect(&url)?;
    let mut other = PgStore::connect(&url)?;
    let partner = PartnerId::new("p-append")?;
    let (mut desk, now) = demo::portfolio(20, 1)?;
    let start = desk.mark();

    assert_eq!(store.head(&partner)?, None);
    assert_eq!(store.latest_checkpoint(&partner)?, None);
    assert!(store.create_desk(&partner, &first_checkpoint(&desk))?);
    assert!(!other.create_desk(&partner, &first_checkpoint(&desk))?);
    assert_eq!(other.head(&partner)?, Some(start));
    assert_eq!(
        other.latest_checkpoint(&partner)?,
        Some(first_checkpoint(&desk))
    );

    let mut added = Vec::new();
    for i in 0..9 {
        let before = desk.mark();
        let a = command(&mut desk, now, i)?;
        store.append(&partner, before, a.batch())?;
        added.push(a);
    }
    assert_eq!(other.head(&partner)?, Some(desk.mark()));
    let events: Vec<Event> = added.iter().flat_map(|a| a.events.clone()).collect();
    let audit: Vec<AuditRecord> = added.iter().flat_map(|a| a.audit.clone()).collect();
    assert_eq!(events.len(), 6);
    assert_eq!(audit.len(), 9);
    assert_eq!(other.events_after(&partner, start.events, 1000)?, events);
    assert_eq!(other.audit_after(&partner, start.audit, 1000)?, audit);
    assert_eq!(
        other.events_after(&partner, start.events + 2, 3)?,
        events[2..5].to_vec()
    );

    // The stored events replay on a copy of the desk at the start: the chain holds.
    let (mut replica, _) = demo::portfolio(20, 1)?;
    replica.apply_events(other.events_after(&partner, start.events, 1000)?)?;
    replica.append_audit(other.audit_after(&partner, start.audit, 1000)?)?;
    assert_eq!(replica.mark(), desk.mark());

    // A writer that did not see those appends: CONCURRENT_CHANGE naming where the log is,
    // and nothing written.
    let (mut stale, _) = demo::portfolio(20, 1)?;
    let late = command(&mut stale, now, 0)?;
    let refused = other.append(&partner, start, late.batch());
    match refused {
        Err(StoreError::ConcurrentChange { expected, found }) => {
            assert_eq!(expected, start);
            assert_eq!(found, desk.mark());
        }
        other => return Err(format!("expected CONCURRENT_CHANGE, got {other:?}").into()),
    }
    assert_eq!(store.head(&partner)?, Some(desk.mark()));
    assert_eq!(store.events_after(&partner, start.events, 1000)?.len(), 6);

    // A batch that does not follow on from the expected mark is refused before the database.
    let before = desk.mark();
    let next = command(&mut desk, now, 0)?;
    let skipped = Mark {
        events: before.events + 1,
        audit: before.audit,
    };
    let e = store.append(&partner, skipped, next.batch()).err();
    assert_eq!(e.map(|e| e.code()), Some("INVALID_EVENT"));
    assert_eq!(store.head(&partner)?, Some(before));
    store.append(&partner, before, next.batch())?;

    // No such desk.
    let nobody = PartnerId::new("p-nobody")?;
    let e = store
        .append(
            &nobody,
            Mark::default(),
            Batch {
                events: &[],
                audit: &[],
            },
        )
        .err();
    assert_eq!(e.map(|e| e.code()), Some("INVALID_ARGUMENT"));
    assert_eq!(store.head(&nobody)?, None);

    // Checkpoints: only at a mark the log has reached; the newest is read; two are kept.
    let beyond = Checkpoint {
        mark: Mark {
            events: desk.mark().events + 1,
            audit: desk.mark().audit,
        },
        bytes: vec![1],
    };
    let e = store.put_checkpoint(&partner, &beyond).err();
    assert_eq!(e.map(|e| e.code()), Some("INVALID_ARGUMENT"));
    let at_head = Checkpoint {
        mark: desk.mark(),
        bytes: vec![2; 100],
    };
    let earlier = Checkpoint {
        mark: before,
        bytes: vec![3; 10],
    };
    store.put_checkpoint(&partner, &earlier)?;
    store.put_checkpoint(&partner, &at_head)?;
    assert_eq!(other.latest_checkpoint(&partner)?, Some(at_head));
    let mut admin = postgres::Client::connect(&url, postgres::NoTls)?;
    let kept: i64 = admin
        .query_one(
            "SELECT count(*) FROM partnerdesk_checkpoints WHERE partner_id = $1",
            &[&partner.as_str()],
        )?
        .try_get(0)?;
    assert_eq!(kept, 2);
    Ok(())
}

#[test]
fn a_large_checkpoint_is_stored_in_pieces_and_a_missing_piece_is_corrupt() -> TestResult {
    let Some(url) = fresh("pieces")? else {
        return Ok(());
    };
    let mut store = PgStore::connect(&url)?;
    let partner = PartnerId::new("p-pieces")?;
    let (desk, _) = demo::portfolio(10, 1)?;
    let big = common::in_pieces(desk.mark(), CHUNK_BYTES);
    assert!(store.create_desk(&partner, &big)?);
    assert_eq!(
        PgStore::connect(&url)?.latest_checkpoint(&partner)?,
        Some(big)
    );
    let mut admin = postgres::Client::connect(&url, postgres::NoTls)?;
    let pieces: i64 = admin
        .query_one("SELECT count(*) FROM partnerdesk_checkpoint_chunks", &[])?
        .try_get(0)?;
    assert_eq!(pieces, 3);
    admin.execute("DELETE FROM partnerdesk_checkpoint_chunks WHERE n = 1", &[])?;
    let e = store.latest_checkpoint(&partner).err();
    assert_eq!(e.map(|e| e.code()), Some("STORE_CORRUPT"));
    admin.execute("DELETE FROM partnerdesk_checkpoint_chunks WHERE n = 2", &[])?;
    let e = store.latest_checkpoint(&partner).err();
    assert_eq!(e.map(|e| e.code()), Some("STORE_CORRUPT"));
    // A stored length no buffer can have: refused, not allocated (which would abort the host).
    admin.execute(
        "UPDATE partnerdesk_checkpoints SET bytes = 9000000000000000000",
        &[],
    )?;
    let e = store.latest_checkpoint(&partner).err();
    assert_eq!(e.map(|e| e.code()), Some("STORE_CORRUPT"));
    Ok(())
}

#[test]
fn many_partners_share_one_database() -> TestResult {
    let Some(url) = fresh("partners")? else {
        return Ok(());
    };
    let mut store = PgStore::connect(&url)?;
    let mut desks = Vec::new();
    for p in 0..4 {
        let (desk, now) = demo::portfolio(10 + p, 1)?;
        let partner = PartnerId::new(format!("partner-{p}"))?;
        assert!(store.create_desk(&partner, &first_checkpoint(&desk))?);
        let start = desk.mark();
        desks.push((partner, desk, now, start));
    }
    // Interleaved: each partner's log gets only its own commands, numbered from its own start.
    for round in 0..6 {
        for (p, (partner, desk, now, _)) in desks.iter_mut().enumerate() {
            if (round + p) % 2 == 0 {
                let before = desk.mark();
                let a = command(desk, *now, round)?;
                store.append(partner, before, a.batch())?;
            }
        }
    }
    let listed: Vec<PartnerId> = desks.iter().map(|(p, ..)| p.clone()).collect();
    assert_eq!(store.partners()?, listed, "every partner, in id order");
    for (partner, desk, _, start) in &desks {
        assert_eq!(store.head(partner)?, Some(desk.mark()));
        let events = store.events_after(partner, start.events, 1000)?;
        assert_eq!(events, desk.events_since(start.events).to_vec());
        let audit = store.audit_after(partner, start.audit, 1000)?;
        assert_eq!(audit, desk.audit_since(start.audit).to_vec());
    }
    Ok(())
}

#[test]
fn a_database_migrated_by_a_newer_version_is_refused() -> TestResult {
    let Some(url) = fresh("newer")? else {
        return Ok(());
    };
    drop(PgStore::connect(&url)?);
    let mut admin = postgres::Client::connect(&url, postgres::NoTls)?;
    let version: i32 = admin
        .query_one("SELECT version FROM partnerdesk_schema", &[])?
        .try_get(0)?;
    assert_eq!(u32::try_from(version)?, SCHEMA_VERSION);
    // Connecting again migrates nothing and keeps the data.
    let partner = PartnerId::new("p-newer")?;
    let (desk, _) = demo::portfolio(10, 1)?;
    PgStore::connect(&url)?.create_desk(&partner, &first_checkpoint(&desk))?;
    assert_eq!(PgStore::connect(&url)?.head(&partner)?, Some(desk.mark()));

    admin.execute("UPDATE partnerdesk_schema SET version = 99", &[])?;
    match PgStore::connect(&url) {
        Err(
            e @ StoreError::VersionUnsupported {
                found: 99,
                supported,
            },
        ) => {
            assert_eq!(supported, SCHEMA_VERSION);
            assert_eq!(e.code(), "STORE_VERSION_UNSUPPORTED");
        }
        other => return Err(format!("expected STORE_VERSION_UNSUPPORTED, got {other:?}").into()),
    }
    // Nothing was changed by the refused connection.
    let version: i32 = admin
        .query_one("SELECT version FROM partnerdesk_schema", &[])?
        .try_get(0)?;
    assert_eq!(version, 99);
    Ok(())
}

#[test]
fn unreachable_server_is_store_unavailable() -> TestResult {
    // A loopback port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let e = PgStore::connect(&format!("postgresql://postgres@127.0.0.1:{port}/none")).err();
    assert_eq!(e.as_ref().map(|e| e.code()), Some("STORE_UNAVAILABLE"));
    let e = PgStore::connect("postgresql://[::1").err();
    assert_eq!(e.map(|e| e.code()), Some("INVALID_ARGUMENT"));
    Ok(())
}

#[test]
fn a_notification_wakes_a_waiter() -> TestResult {
    let Some(url) = fresh("notify")? else {
        return Ok(());
    };
    let partner = PartnerId::new("p-notify")?;
    let (mut desk, now) = demo::portfolio(10, 1)?;
    let mut writer = PgStore::connect(&url)?;
    writer.create_desk(&partner, &first_checkpoint(&desk))?;
    let known = desk.mark();

    let mut follower = PgStore::connect(&url)?;
    // Polling this rarely cannot be what wakes it within the test's bounds.
    follower.set_poll_interval(Duration::from_secs(600));
    // Nothing happens: the wait ends at its timeout with `false`.
    let t = Instant::now();
    assert!(!follower.wait_for_change(&partner, known, Duration::from_millis(300))?);
    assert!(t.elapsed() >= Duration::from_millis(300));

    let waiter = {
        let partner = partner.clone();
        std::thread::spawn(move || -> TestResult<(bool, Duration)> {
            let t = Instant::now();
            let changed = follower.wait_for_change(&partner, known, Duration::from_secs(60))?;
            Ok((changed, t.elapsed()))
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    // Another partner's append does not end the wait...
    let bystander = PartnerId::new("p-bystander")?;
    let (mut other_desk, other_now) = demo::portfolio(10, 1)?;
    writer.create_desk(&bystander, &first_checkpoint(&other_desk))?;
    let before = other_desk.mark();
    let a = command(&mut other_desk, other_now, 0)?;
    writer.append(&bystander, before, a.batch())?;
    std::thread::sleep(Duration::from_millis(300));
    assert!(!waiter.is_finished());
    // ...this partner's does.
    let a = command(&mut desk, now, 0)?;
    writer.append(&partner, known, a.batch())?;
    let (changed, waited) = waiter.join().map_err(|_| "waiter panicked")??;
    assert!(changed);
    assert!(waited < Duration::from_secs(30), "woken after {waited:?}");
    Ok(())
}

#[test]
fn polling_catches_a_change_without_notification() -> TestResult {
    let Some(url) = fresh("poll")? else {
        return Ok(());
    };
    let partner = PartnerId::new("p-poll")?;
    let (desk, _) = demo::portfolio(10, 1)?;
    let mut follower = PgStore::connect(&url)?;
    follower.create_desk(&partner, &first_checkpoint(&desk))?;
    follower.set_poll_interval(Duration::from_millis(50));
    let known = desk.mark();
    let moved = {
        let url = url.clone();
        let partner = partner.clone();
        std::thread::spawn(move || -> TestResult {
            std::thread::sleep(Duration::from_millis(300));
            // A head moved behind the store's back: no notification is sent.
            let mut admin = postgres::Client::connect(&url, postgres::NoTls)?;
            admin.execute(
                "UPDATE partnerdesk_desks SET audit_seq = audit_seq + 1 WHERE partner_id = $1",
                &[&partner.as_str()],
            )?;
            Ok(())
        })
    };
    let t = Instant::now();
    assert!(follower.wait_for_change(&partner, known, Duration::from_secs(60))?);
    assert!(t.elapsed() < Duration::from_secs(30));
    moved.join().map_err(|_| "writer panicked")??;
    Ok(())
}

/// A second PostgreSQL server, for the test that stops it; removed on drop.
struct OwnServer {
    dir: PathBuf,
    script: PathBuf,
}

impl OwnServer {
    /// Starts it (`None`: skipped outside CI when no server can be started).
    fn start(name: &str) -> TestResult<Option<(OwnServer, String)>> {
        if base_url()?.is_none() {
            return Ok(None);
        }
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg.sh");
        let dir =
            std::env::temp_dir().join(format!("partnerdesk-pg-{name}-{}", std::process::id()));
        let server = OwnServer { dir, script };
        let url = server.run(&["start", "--quiet"])?;
        let url = url
            .trim()
            .strip_prefix("export PARTNERDESK_PG_URL=")
            .ok_or("pg.sh start printed no URL")?
            .to_owned();
        Ok(Some((server, url)))
    }

    fn run(&self, args: &[&str]) -> TestResult<String> {
        let out = Command::new("bash")
            .arg(&self.script)
            .args(args)
            .env("PARTNERDESK_PG_DIR", &self.dir)
            .output()?;
        if !out.status.success() {
            return Err(format!(
                "pg.sh {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok(String::from_utf8(out.stdout)?)
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let _ = self.run(&["clean"]);
    }
}

/// Waits (at most a minute) until `progress` reaches `n`.
fn wait_for(progress: &AtomicUsize, n: usize) -> TestResult {
    let t = Instant::now();
    while progress.load(Ordering::Relaxed) < n {
        if t.elapsed() > Duration::from_secs(60) {
            return Err("the writer made no progress".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}

#[test]
fn the_server_stopped_mid_run_gives_typed_errors_and_recovers() -> TestResult {
    let Some((server, url)) = OwnServer::start("stop")? else {
        return Ok(());
    };
    let partner = PartnerId::new("p-stop")?;
    let (mut desk, now) = demo::portfolio(10, 1)?;
    let start = desk.mark();
    let mut store = PgStore::connect(&url)?;
    store.create_desk(&partner, &first_checkpoint(&desk))?;

    // A writer appends as fast as it can; the server is stopped (immediate: no clean shutdown)
    // under it.
    let progress = std::sync::Arc::new(AtomicUsize::new(0));
    let writer = {
        let url = url.clone();
        let partner = partner.clone();
        let progress = progress.clone();
        std::thread::spawn(move || -> TestResult<(Desk, usize, StoreError)> {
            let mut store = PgStore::connect(&url)?;
            let mut acked = 0usize;
            for i in 0.. {
                let before = desk.mark();
                let a = command(&mut desk, now, i)?;
                match store.append(&partner, before, a.batch()) {
                    Ok(()) => acked += 1,
                    Err(e) => return Ok((desk, acked, e)),
                }
                progress.store(acked, Ordering::Relaxed);
            }
            Err("the writer never failed".into())
        })
    };
    wait_for(&progress, 20)?;
    server.run(&["stop", "--immediate"])?;
    let (desk, acked, failure) = writer.join().map_err(|_| "writer panicked")??;
    assert_eq!(failure.code(), "STORE_UNAVAILABLE", "{failure:?}");
    assert!(acked >= 20, "only {acked} appends before the stop");
    // The reason names the operation, not data.
    assert!(
        failure.to_string().starts_with("store unavailable: append"),
        "{failure}"
    );

    // While it is down: every call is STORE_UNAVAILABLE, none hangs.
    assert_eq!(
        store.head(&partner).err().map(|e| e.code()),
        Some("STORE_UNAVAILABLE")
    );
    let e = store.events_after(&partner, 0, 10).err();
    assert_eq!(e.map(|e| e.code()), Some("STORE_UNAVAILABLE"));
    assert_eq!(
        PgStore::connect(&url).err().map(|e| e.code()),
        Some("STORE_UNAVAILABLE")
    );

    // Restarted: the same store reconnects by itself.
    server.run(&["start", "--quiet"])?;
    let head = store.head(&partner)?.ok_or("the desk is gone")?;
    // Every acknowledged append is there; the one that failed is there whole or not at all
    // (its commit may have happened before the connection broke: no client can know).
    let commands = usize::try_from(head.audit - start.audit)?;
    assert!(
        commands == acked || commands == acked + 1,
        "{commands} stored, {acked} acked"
    );
    let events = store.events_after(&partner, start.events, 100_000)?;
    let audit = store.audit_after(&partner, start.audit, 100_000)?;
    assert_eq!(audit.len(), commands);
    assert_eq!(events.len(), (0..commands).filter(|i| i % 3 != 2).count());
    assert_eq!(events.last().map_or(start.events, |e| e.seq), head.events);
    // The in-memory desk ran one command more than was acknowledged: the copy that catches up
    // is the stored history, and it replays.
    let (mut replica, _) = demo::portfolio(10, 1)?;
    replica.apply_events(events.clone())?;
    replica.append_audit(audit)?;
    assert_eq!(replica.mark(), head);
    assert_eq!(
        replica.events_since(start.events),
        &desk.events_since(start.events)[..events.len()]
    );

    // And it goes on from the stored history.
    let mut desk = replica;
    let before = desk.mark();
    let a = command(&mut desk, now, commands)?;
    store.append(&partner, before, a.batch())?;
    assert_eq!(store.head(&partner)?, Some(desk.mark()));
    Ok(())
}

/// A durable desk on a server of its own, run until the server is stopped (immediate) under
/// its commands.
struct Stopped {
    server: OwnServer,
    url: String,
    partner: PartnerId,
    now: chrono::DateTime<chrono::Utc>,
    durable: DurableDesk<PgStore>,
    /// Commands acknowledged (the cycle's index of the failed one).
    acked: usize,
    /// The desk's mark before the failed command.
    before: Mark,
    failure: StoreError,
}

fn run_until_stopped(name: &str) -> TestResult<Option<Stopped>> {
    let Some((server, url)) = OwnServer::start(name)? else {
        return Ok(None);
    };
    let (desk, now) = demo::portfolio(10, 1)?;
    let partner = desk.partner().id.clone();
    let mut durable = DurableDesk::create(PgStore::connect(&url)?, desk)?;
    let progress = std::sync::Arc::new(AtomicUsize::new(0));
    let runner = {
        let progress = progress.clone();
        std::thread::spawn(
            move || -> TestResult<(DurableDesk<PgStore>, usize, Mark, StoreError)> {
                for i in 0.. {
                    let before = durable.desk().mark();
                    match durable.execute(|d| step(d, now, i)) {
                        // A refusal (every third) is committed too.
                        Ok(()) | Err(StoreError::Desk(_)) => {
                            progress.store(i + 1, Ordering::Relaxed)
                        }
                        Err(e) => return Ok((durable, i, before, e)),
                    }
                }
                Err("the commands never failed".into())
            },
        )
    };
    wait_for(&progress, 20)?;
    server.run(&["stop", "--immediate"])?;
    let (durable, acked, before, failure) = runner.join().map_err(|_| "runner panicked")??;
    Ok(Some(Stopped {
        server,
        url,
        partner,
        now,
        durable,
        acked,
        before,
        failure,
    }))
}

#[test]
fn a_durable_desk_survives_its_server_stopping_mid_run() -> TestResult {
    let Some(Stopped {
        server,
        url,
        partner,
        now,
        mut durable,
        acked,
        before,
        failure,
    }) = run_until_stopped("durable-stop")?
    else {
        return Ok(());
    };
    assert_eq!(failure.code(), "STORE_UNAVAILABLE", "{failure:?}");
    // While the server is down, commands are STORE_UNAVAILABLE.
    let e = durable.execute(|d| step(d, now, acked)).err();
    assert_eq!(e.map(|e| e.code()), Some("STORE_UNAVAILABLE"));

    // Restarted: the desk reopens from the store, with every acknowledged command, and the
    // failed one whole or not at all.
    server.run(&["start", "--quiet"])?;
    durable.reopen()?;
    let head = durable.desk().mark();
    assert!(
        head == before || head.audit == before.audit + 1,
        "{head:?} after {before:?}"
    );
    let mut fresh = DurableDesk::open(PgStore::connect(&url)?, &partner)?;
    assert_eq!(fresh.desk().mark(), head);
    // And it goes on (with the cycle's next grant or revoke); another instance follows.
    let next = if head == before { acked } else { acked + 1 };
    let next = if next % 3 == 2 { next + 1 } else { next };
    durable.execute(|d| step(d, now, next))?;
    assert_ne!(fresh.catch_up()?, head);
    assert_eq!(fresh.desk().mark(), durable.desk().mark());
    Ok(())
}

/// The issue: a store that fails mid-command "leaves the in-memory desk as it was before the
/// command", also when the server is gone (no reload possible: the core's savepoint rolls it
/// back).
#[test]
fn a_failed_command_leaves_the_desk_as_before_when_the_server_is_gone() -> TestResult {
    let Some(Stopped {
        now,
        mut durable,
        acked,
        before,
        failure,
        ..
    }) = run_until_stopped("durable-rollback")?
    else {
        return Ok(());
    };
    assert_eq!(failure.code(), "STORE_UNAVAILABLE", "{failure:?}");
    assert_eq!(durable.desk().mark(), before);
    let e = durable.execute(|d| step(d, now, acked)).err();
    assert_eq!(e.map(|e| e.code()), Some("STORE_UNAVAILABLE"));
    assert_eq!(durable.desk().mark(), before);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Two processes on one desk.
//
// The test re-executes its own binary twice (`two_process_child`, a no-op unless
// `PD_PG_CHILD` is set); each child opens the same durable desk on its own PgStore and runs
// `PD_PG_COMMANDS` random commands at once with the other: partner disassociation requests on
// a few customers (the quota: 3 in any rolling 3 months), the customers rejecting them, grants
// and revokes, refused attempts, and commands under idempotency keys that both children use on
// purpose (the same grant: one effect, the other a replay; a revoke under the key:
// IDEMPOTENCY_CONFLICT). Every command also carries a key of its own, so that its effect can be
// found in the log. Half the time a command is committed alone, else in a group commit of 2 to
// 8 (`execute_batch`: each acknowledged when the group's one transaction commits). Each child writes one line per command (its outcome), then, once both are
// done, catches up and writes its snapshot.

use partnerdesk::association::{Initiator, RequestStatus};
use partnerdesk::event::EventKind;
use partnerdesk::{CustomerId, IdempotencyKey};
use partnerdesk_store::{DurableDesk, Policy};
use std::collections::{BTreeMap, BTreeSet};

/// Commands per child (the issue asks for 10,000 each); `PD_PG_COMMANDS` overrides it.
const COMMANDS: usize = 10_000;
/// Keys both children use: about one command in ten.
const SHARED_KEYS: u64 = 40;
/// Simulated time runs this many seconds per real millisecond (the quota's 3-month window rolls
/// several times in a run).
const SIM_SECONDS_PER_MS: i64 = 600;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The default retry policy (8 attempts from 2 ms); a checkpoint every 1,000 events so that
/// checkpoints are taken during the run.
fn policy() -> Policy {
    Policy {
        checkpoint_every: Some(1000),
        ..Policy::default()
    }
}

fn env(name: &str) -> TestResult<String> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

fn unix_ms() -> TestResult<i64> {
    Ok(i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis(),
    )?)
}

/// The actors of the children's commands.
struct Actors {
    admin: Actor,
    am: Actor,
    ops: OperatorId,
}

/// What a child's command does.
enum Kind {
    /// The partner asks a customer to leave (the quota).
    Request,
    /// The customer declines its pending partner request (none pending: request 0, refused
    /// as unknown).
    Decline,
    /// The administrator grants (`true`) or revokes an item.
    Permissions(bool),
    /// An account manager tries to grant: refused.
    Refused,
    /// Under a key both children use: the grant (`true`) or a revoke.
    Shared(bool),
}

impl Kind {
    fn name(&self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Decline => "decline",
            Kind::Permissions(_) => "permissions",
            Kind::Refused => "refused",
            Kind::Shared(_) => "shared",
        }
    }
}

/// One command of a child: what, on whom, under which key.
struct Spec {
    what: Kind,
    key: IdempotencyKey,
    target: CustomerId,
}

impl Spec {
    /// Runs it (again after a concurrent change: the same command, the same key); the detail
    /// of its success.
    fn run(
        &self,
        d: &mut Desk,
        who: &Actors,
        sim: chrono::DateTime<chrono::Utc>,
    ) -> partnerdesk::Result<String> {
        // Never before the log's last event (the other child may be ahead): a host's clock.
        let now = d.events().last().map_or(sim, |e| e.at.max(sim));
        let admin = Invocation::new(who.admin.clone(), now).key(self.key.clone());
        let ops = std::slice::from_ref(&Permission::ViewSpend);
        match self.what {
            Kind::Request => d
                .request_partner_disassociation(&admin, &self.target, "partner review")
                .map(|id| id.to_string()),
            Kind::Decline => {
                let pending = d
                    .disassociation_requests()
                    .iter()
                    .find(|r| {
                        r.customer == self.target
                            && r.initiator == Initiator::Partner
                            && r.status == RequestStatus::Pending
                    })
                    .map_or(0, |r| r.id);
                let customer = Invocation::new(Actor::Customer(self.target.clone()), now)
                    .key(self.key.clone());
                d.decide_disassociation(&customer, pending, false, "staying")
                    .map(|()| pending.to_string())
            }
            Kind::Permissions(true) => d
                .grant_permissions(&admin, &who.ops, ops)
                .map(|()| String::new()),
            Kind::Permissions(false) => d
                .revoke_permissions(&admin, &who.ops, ops)
                .map(|()| String::new()),
            Kind::Refused => {
                let am = Invocation::new(who.am.clone(), now).key(self.key.clone());
                d.grant_permissions(&am, &who.ops, ops)
                    .map(|()| String::new())
            }
            Kind::Shared(true) => d
                .grant_permissions(&admin, &who.ops, ops)
                .map(|()| "grant".to_owned()),
            Kind::Shared(false) => d
                .revoke_permissions(&admin, &who.ops, ops)
                .map(|()| "revoke".to_owned()),
        }
    }
}

/// A store that times its calls and counts the conflicts (what the children report).
struct Timed {
    inner: PgStore,
    /// Per method: calls and total time.
    calls: BTreeMap<&'static str, (u64, Duration)>,
    conflicts: u64,
}

impl Timed {
    fn time<T>(&mut self, what: &'static str, f: impl FnOnce(&mut PgStore) -> T) -> T {
        let t = Instant::now();
        let out = f(&mut self.inner);
        let e = self.calls.entry(what).or_default();
        e.0 += 1;
        e.1 += t.elapsed();
        out
    }
    fn report(&self) -> String {
        let mut s = format!("conflicts {}", self.conflicts);
        for (what, (n, d)) in &self.calls {
            s.push_str(&format!(", {what} {n} in {d:.1?}"));
        }
        s
    }
}

impl Store for Timed {
    fn create_desk(
        &mut self,
        partner: &PartnerId,
        first: &Checkpoint,
    ) -> partnerdesk_store::Result<bool> {
        self.time("create_desk", |s| s.create_desk(partner, first))
    }
    fn head(&mut self, partner: &PartnerId) -> partnerdesk_store::Result<Option<Mark>> {
        self.time("head", |s| s.head(partner))
    }
    fn partners(&mut self) -> partnerdesk_store::Result<Vec<PartnerId>> {
        self.time("partners", |s| s.partners())
    }
    fn append(
        &mut self,
        partner: &PartnerId,
        expected: Mark,
        batch: Batch<'_>,
    ) -> partnerdesk_store::Result<()> {
        let r = self.time("append", |s| s.append(partner, expected, batch));
        if matches!(r, Err(StoreError::ConcurrentChange { .. })) {
            self.conflicts += 1;
        }
        r
    }
    fn latest_checkpoint(
        &mut self,
        partner: &PartnerId,
    ) -> partnerdesk_store::Result<Option<Checkpoint>> {
        self.time("latest_checkpoint", |s| s.latest_checkpoint(partner))
    }
    fn put_checkpoint(
        &mut self,
        partner: &PartnerId,
        checkpoint: &Checkpoint,
    ) -> partnerdesk_store::Result<()> {
        self.time("put_checkpoint", |s| s.put_checkpoint(partner, checkpoint))
    }
    fn events_after(
        &mut self,
        partner: &PartnerId,
        after: u64,
        limit: usize,
    ) -> partnerdesk_store::Result<Vec<Event>> {
        self.time("events_after", |s| s.events_after(partner, after, limit))
    }
    fn audit_after(
        &mut self,
        partner: &PartnerId,
        after: u64,
        limit: usize,
    ) -> partnerdesk_store::Result<Vec<AuditRecord>> {
        self.time("audit_after", |s| s.audit_after(partner, after, limit))
    }
    fn wait_for_change(
        &mut self,
        partner: &PartnerId,
        known: Mark,
        timeout: Duration,
    ) -> partnerdesk_store::Result<bool> {
        self.time("wait_for_change", |s| {
            s.wait_for_change(partner, known, timeout)
        })
    }
}

/// One child's work (see above).
fn child_run() -> TestResult {
    let id: u64 = env("PD_PG_CHILD")?.parse()?;
    let url = env("PD_PG_URL")?;
    let out_dir = PathBuf::from(env("PD_PG_OUT")?);
    let commands: usize = env("PD_PG_COMMANDS")?.parse()?;
    let epoch_ms: i64 = env("PD_PG_EPOCH_MS")?.parse()?;
    let base: chrono::DateTime<chrono::Utc> = env("PD_PG_BASE")?.parse()?;
    let partner = PartnerId::new(env("PD_PG_PARTNER")?)?;
    let targets: Vec<CustomerId> = env("PD_PG_TARGETS")?
        .split(',')
        .map(CustomerId::new)
        .collect::<Result<_, _>>()?;

    let timed = Timed {
        inner: PgStore::connect(&url)?,
        calls: BTreeMap::new(),
        conflicts: 0,
    };
    let mut durable = DurableDesk::open_with(timed, &partner, policy())?;
    let started = Instant::now();
    let actors = Actors {
        admin: Actor::Operator(OperatorId::new("admin")?),
        am: Actor::Operator(OperatorId::new("am_000")?),
        ops: OperatorId::new("ops_billing")?,
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (id + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let mut log = String::new();
    let mut k = 0;
    while k < commands {
        // Half the time one command per transaction, else a group commit of 2 to 8.
        let group = if rng.below(2) == 0 {
            1
        } else {
            2 + rng.below(7)
        };
        let group = usize::try_from(group)?.min(commands - k);
        let mut specs = Vec::with_capacity(group);
        for i in k..k + group {
            let roll = rng.below(100);
            let target = targets[usize::try_from(rng.below(targets.len() as u64))?].clone();
            let flip = rng.below(5);
            specs.push(if roll >= 90 {
                // A shared key: always the same grant, except one time in five, when it is a
                // revoke (IDEMPOTENCY_CONFLICT once the key is recorded).
                Spec {
                    what: Kind::Shared(flip != 0),
                    key: IdempotencyKey::new(format!("shared-{}", rng.below(SHARED_KEYS)))?,
                    target,
                }
            } else {
                Spec {
                    what: match roll {
                        0..35 => Kind::Request,
                        35..60 => Kind::Decline,
                        60..80 => Kind::Permissions(flip.is_multiple_of(2)),
                        _ => Kind::Refused,
                    },
                    key: IdempotencyKey::new(format!("c{id}-{i}"))?,
                    target,
                }
            });
        }
        let sim = base + chrono::Duration::seconds((unix_ms()? - epoch_ms) * SIM_SECONDS_PER_MS);
        let outcomes: Vec<(&str, String)> =
            match durable.execute_batch(&specs, |d, spec| spec.run(d, &actors, sim)) {
                Ok(outs) => outs
                    .into_iter()
                    .map(|o| match o {
                        Ok(detail) => ("ok", detail),
                        Err(e) => ("refused", e.code().to_owned()),
                    })
                    .collect(),
                Err(StoreError::ConcurrentChange { .. }) => {
                    specs.iter().map(|_| ("gaveup", String::new())).collect()
                }
                Err(e) => return Err(format!("command {k}: {e}").into()),
            };
        for (spec, (status, detail)) in specs.iter().zip(outcomes) {
            log.push_str(&format!(
                "{k}\t{}\t{}\t{status}\t{detail}\n",
                spec.key,
                spec.what.name()
            ));
            k += 1;
        }
    }
    std::fs::write(out_dir.join(format!("child-{id}.log")), log)?;
    let report = format!(
        "child {id}: {commands} commands in {:.1?}; store: {}",
        started.elapsed(),
        durable.store_mut().report()
    );
    std::fs::write(out_dir.join(format!("child-{id}.stats")), report)?;
    std::fs::write(out_dir.join(format!("child-{id}.done")), "")?;
    // Both done: catch up with the other's last commands, then the snapshot.
    let other = out_dir.join(format!("child-{}.done", 1 - id));
    let waited = Instant::now();
    while !other.exists() {
        if waited.elapsed() > Duration::from_secs(600) {
            return Err("the other child never finished".into());
        }
        durable.follow(Duration::from_millis(100))?;
    }
    durable.catch_up()?;
    std::fs::write(
        out_dir.join(format!("child-{id}.json")),
        durable.desk().to_snapshot_json()?,
    )?;
    Ok(())
}

/// The child's entry point: nothing to do unless the parent test started this process.
#[test]
fn two_process_child() -> TestResult {
    if std::env::var_os("PD_PG_CHILD").is_none() {
        return Ok(());
    }
    child_run()
}

/// Where two snapshot documents first differ (a JSON path).
fn difference(a: &str, b: &str) -> TestResult<String> {
    fn walk(a: &serde_json::Value, b: &serde_json::Value, path: String) -> Option<String> {
        use serde_json::Value;
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => walk(u, v, format!("{path}.{k}")),
                    _ => Some(format!("{path}.{k} (only in one)")),
                })
            }
            (Value::Array(x), Value::Array(y)) => {
                if x.len() != y.len() {
                    return Some(format!("{path} (lengths {} and {})", x.len(), y.len()));
                }
                x.iter()
                    .zip(y)
                    .enumerate()
                    .find_map(|(i, (u, v))| walk(u, v, format!("{path}[{i}]")))
            }
            (x, y) if x == y => None,
            _ => Some(path),
        }
    }
    let a: serde_json::Value = serde_json::from_str(a)?;
    let b: serde_json::Value = serde_json::from_str(b)?;
    Ok(walk(&a, &b, String::new()).unwrap_or_else(|| "no value (key order only)".to_owned()))
}

/// One line of a child's log.
struct Outcome {
    key: String,
    what: String,
    status: String,
    detail: String,
}

fn read_log(path: &std::path::Path) -> TestResult<Vec<Outcome>> {
    let mut out = Vec::new();
    for line in std::fs::read_to_string(path)?.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 5 {
            return Err(format!("bad log line {line:?}").into());
        }
        out.push(Outcome {
            key: f[1].to_owned(),
            what: f[2].to_owned(),
            status: f[3].to_owned(),
            detail: f[4].to_owned(),
        });
    }
    Ok(out)
}

#[test]
fn two_processes_share_one_desk() -> TestResult {
    let Some(url) = fresh("two")? else {
        return Ok(());
    };
    let commands: usize = match std::env::var("PD_PG_COMMANDS") {
        Ok(n) => n.parse()?,
        Err(_) => COMMANDS,
    };
    let (desk, now) = demo::portfolio(30, 7)?;
    let partner = desk.partner().id.clone();
    // Customers a partner may ask to leave now: associated, nothing blocking.
    let targets: Vec<CustomerId> = desk
        .customers()
        .filter(|c| {
            c.is_associated()
                && !c.freeze.is_frozen()
                && partnerdesk::association::disassociation_blocker(c, now).is_none()
        })
        .map(|c| c.id.clone())
        .take(4)
        .collect();
    assert_eq!(targets.len(), 4, "the demo desk has too few free customers");
    let start = desk.mark();
    drop(DurableDesk::create_with(
        PgStore::connect(&url)?,
        desk,
        policy(),
    )?);

    let out = tempfile::tempdir()?;
    let epoch = unix_ms()?;
    let t = Instant::now();
    let mut children = Vec::new();
    for id in 0..2 {
        children.push(
            Command::new(std::env::current_exe()?)
                .args([
                    "--exact",
                    "two_process_child",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("PD_PG_CHILD", id.to_string())
                .env("PD_PG_URL", &url)
                .env("PD_PG_OUT", out.path())
                .env("PD_PG_COMMANDS", commands.to_string())
                .env("PD_PG_EPOCH_MS", epoch.to_string())
                .env("PD_PG_BASE", now.to_rfc3339())
                .env("PD_PG_PARTNER", partner.as_str())
                .env(
                    "PD_PG_TARGETS",
                    targets
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                )
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()?,
        );
    }
    for (id, child) in children.into_iter().enumerate() {
        let done = child.wait_with_output()?;
        if !done.status.success() {
            return Err(format!(
                "child {id} failed: {}\n{}",
                String::from_utf8_lossy(&done.stdout),
                String::from_utf8_lossy(&done.stderr)
            )
            .into());
        }
    }
    let took = t.elapsed();

    let logs = [
        read_log(&out.path().join("child-0.log"))?,
        read_log(&out.path().join("child-1.log"))?,
    ];
    let all: Vec<&Outcome> = logs.iter().flatten().collect();
    assert_eq!(all.len(), 2 * commands);
    let acked: Vec<&Outcome> = all
        .iter()
        .copied()
        .filter(|o| o.status != "gaveup")
        .collect();
    let count = |status: &str, what: Option<&str>| {
        all.iter()
            .filter(|o| o.status == status && what.is_none_or(|w| o.what == w))
            .count()
    };

    // The store's history, read by a third instance.
    let mut store = PgStore::connect(&url)?;
    let events = store.events_after(&partner, start.events, usize::MAX >> 1)?;
    let audit = store.audit_after(&partner, start.audit, usize::MAX >> 1)?;
    // Every acknowledged command is in the log exactly once: one audit record each (refusals
    // and replays included), none for a command that gave up.
    assert_eq!(
        audit.len(),
        acked.len(),
        "audit records against acknowledged commands"
    );
    let mut recorded: BTreeMap<String, usize> = BTreeMap::new();
    for e in &events {
        if let EventKind::CommandRecorded { key, .. } = &e.kind {
            *recorded.entry(key.to_string()).or_default() += 1;
        }
    }
    assert!(recorded.values().all(|&n| n == 1), "a key recorded twice");
    for o in &acked {
        if !o.key.starts_with("shared-") {
            // A command under its own key: recorded once if it succeeded, never if refused.
            let n = recorded.get(&o.key).copied().unwrap_or(0);
            assert_eq!(n, usize::from(o.status == "ok"), "key {}", o.key);
        }
    }
    let own_recorded = recorded
        .keys()
        .filter(|k| !k.starts_with("shared-"))
        .count();
    assert_eq!(
        own_recorded,
        acked
            .iter()
            .filter(|o| o.status == "ok" && o.what != "shared")
            .count()
    );

    // Shared keys: one effect each, every success answers as the first (a grant); a revoke
    // under a recorded key is refused.
    let mut answers: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for o in all
        .iter()
        .filter(|o| o.what == "shared" && o.status == "ok")
    {
        answers
            .entry(o.key.as_str())
            .or_default()
            .insert(o.detail.as_str());
    }
    for (key, ids) in &answers {
        assert_eq!(ids.len(), 1, "key {key} took effect as {ids:?}");
        assert_eq!(recorded.get(*key), Some(&1), "key {key}");
    }
    let both: usize = answers
        .keys()
        .filter(|k| {
            logs.iter()
                .all(|l| l.iter().any(|o| o.key == **k && o.status == "ok"))
        })
        .count();
    let conflicts = all
        .iter()
        .filter(|o| o.detail == "IDEMPOTENCY_CONFLICT")
        .count();

    // Both desks end identical, and equal to the desk a fresh instance opens.
    let a = std::fs::read_to_string(out.path().join("child-0.json"))?;
    let b = std::fs::read_to_string(out.path().join("child-1.json"))?;
    let fresh_desk = DurableDesk::open_with(PgStore::connect(&url)?, &partner, policy())?;
    let c = fresh_desk.desk().to_snapshot_json()?;
    // Compared as JSON documents: the snapshot's object keys come out in hash order, which
    // differs between processes.
    let same = |x: &str, y: &str| -> TestResult<bool> {
        Ok(serde_json::from_str::<serde_json::Value>(x)?
            == serde_json::from_str::<serde_json::Value>(y)?)
    };
    assert!(
        same(&a, &b)?,
        "the two children's desks differ at {}",
        difference(&a, &b)?
    );
    assert!(
        same(&a, &c)?,
        "a fresh open differs at {}",
        difference(&a, &c)?
    );
    let desk = fresh_desk.desk();
    assert_eq!(desk.mark(), store.head(&partner)?.ok_or("no head")?);

    // The quota held across both: no customer has more than 3 partner requests in any rolling
    // 3 months.
    for c in &targets {
        let times: Vec<_> = desk
            .disassociation_requests()
            .iter()
            .filter(|r| &r.customer == c && r.initiator == Initiator::Partner)
            .map(|r| r.requested_at)
            .collect();
        for t in &times {
            let window = t.checked_sub_months(chrono::Months::new(3)).ok_or("date")?;
            let inside = times.iter().filter(|u| **u > window && *u <= t).count();
            assert!(
                inside <= 3,
                "{inside} partner requests within 3 months for a customer"
            );
        }
    }
    let quota_hits = all
        .iter()
        .filter(|o| o.detail == "DISASSOCIATION_QUOTA_EXCEEDED")
        .count();
    eprintln!(
        "two processes: {} commands in {took:.1?} ({:.0}/s), acknowledged {}, gave up {}, \
         refused {} (by the core's rules), quota refusals {quota_hits}, shared keys answered in both {both}, \
         idempotency conflicts {conflicts}, requests {}",
        2 * commands,
        (2 * commands) as f64 / took.as_secs_f64(),
        acked.len(),
        count("gaveup", None),
        count("refused", None),
        desk.disassociation_requests().len(),
    );
    for id in 0..2 {
        eprintln!(
            "{}",
            std::fs::read_to_string(out.path().join(format!("child-{id}.stats")))?
        );
    }
    // The run exercised what it checks.
    assert!(quota_hits > 0, "the quota was never reached");
    assert!(both > 0, "no shared key was answered in both processes");
    assert!(conflicts > 0, "no idempotency conflict");
    Ok(())
}

/// Both mask policies are data changes on PostgreSQL too: another instance following the log
/// gets them, and so does a reopen.
#[test]
fn mask_policies_reach_another_instance_and_survive_a_reopen() -> TestResult {
    use partnerdesk::privacy::{MaskPolicy, MaskRule, SensitiveField};
    let Some(url) = fresh("policies")? else {
        return Ok(());
    };
    let (desk, _now) = demo::portfolio(10, 1)?;
    let partner = desk.partner().id.clone();
    let mut rows = MaskPolicy::strict();
    rows.set(SensitiveField::Email, MaskRule::Hidden)?;
    let mut exports = MaskPolicy::console();
    exports.set(SensitiveField::Mobile, MaskRule::Pseudonym)?;
    let mut writer = DurableDesk::create(PgStore::connect(&url)?, desk)?;
    let mut follower = DurableDesk::open(PgStore::connect(&url)?, &partner)?;
    writer.execute(|d| d.set_row_policy(rows.clone()))?;
    writer.execute(|d| d.set_export_policy(exports.clone()))?;
    follower.catch_up()?;
    assert_eq!(follower.desk().row_policy(), &rows);
    assert_eq!(follower.desk().export_policy(), &exports);
    assert_eq!(follower.desk(), writer.desk());
    let expected = writer.desk().clone();
    drop(writer);
    let again = DurableDesk::open(PgStore::connect(&url)?, &partner)?;
    assert_eq!(again.desk(), &expected);
    assert_eq!(again.desk().row_policy(), &rows);
    Ok(())
}
