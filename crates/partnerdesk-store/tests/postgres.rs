//! The PostgreSQL backend against a real server (never a mock).
//!
//! The server: `PARTNERDESK_PG_URL` (scripts/test.sh starts one with scripts/pg.sh and exports
//! it; by hand: `eval "$(scripts/pg.sh start)"`). Without it these tests are skipped with a
//! printed reason outside CI, and fail in CI (`CI` set). Each test works in a schema of its
//! own (`search_path`), so they run in parallel on one database; the server-stop test starts a
//! second server of its own with scripts/pg.sh.
#![allow(unreachable_pub)]

use partnerdesk::audit::AuditRecord;
use partnerdesk::event::Event;
use partnerdesk::{Actor, Desk, Invocation, Mark, OperatorId, PartnerId, Permission, demo};
use partnerdesk_store::postgres::{PgStore, SCHEMA_VERSION};
use partnerdesk_store::{Batch, Checkpoint, Store, StoreError};
use std::path::PathBuf;
use std::process::Command;
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
    let writer = {
        let url = url.clone();
        let partner = partner.clone();
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
            }
            Err("the writer never failed".into())
        })
    };
    std::thread::sleep(Duration::from_millis(700));
    server.run(&["stop", "--immediate"])?;
    let (desk, acked, failure) = writer.join().map_err(|_| "writer panicked")??;
    assert_eq!(failure.code(), "STORE_UNAVAILABLE", "{failure:?}");
    assert!(acked > 10, "only {acked} appends before the stop");
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
