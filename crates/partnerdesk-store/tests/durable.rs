//! The durable desk on SQLite: what is committed survives a reopen, what the store refuses
//! leaves the desk as it was, and two instances on one file converge with the rules holding
//! across them.

mod common;

use common::*;
use partnerdesk::privacy::{MaskPolicy, MaskRule, SensitiveField};
use partnerdesk::{Actor, Desk, IdempotencyKey, Invocation, association};
use partnerdesk_store::sqlite::{SCHEMA_VERSION, SqliteStore};
use partnerdesk_store::{DurableDesk, Policy, Store, StoreError};
use std::time::Duration;

fn code<T>(r: &Result<T, StoreError>) -> Option<&'static str> {
    r.as_ref().err().map(StoreError::code)
}

#[test]
fn a_reopened_store_has_every_committed_command_and_audit_record() -> TestResult {
    let (_dir, path, desk, now, partner) = fixture()?;
    let ids = unfrozen_resellers(&desk);
    let mut durable = DurableDesk::create(SqliteStore::open(&path)?, desk)?;
    let first = durable.desk().mark();
    durable.execute(|d| grant(d, now))?;
    let refused = durable.execute(|d| refused_grant(d, now));
    assert_eq!(code(&refused), Some("ADMINISTRATOR_ONLY"));
    let outcome = durable.execute(|d| d.freeze(&admin(now)?, &freeze_request(&ids[0])?))?;
    assert_eq!(outcome.succeeded(), 1);
    let mark = durable.desk().mark();
    assert!(mark.events >= first.events + 2 && mark.audit >= first.audit + 3);
    let expected = durable.desk().clone();
    drop(durable);

    let mut again = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    assert_eq!(again.desk().mark(), mark);
    assert_eq!(again.desk(), &expected);
    assert_eq!(
        again.desk().audit_since(first.audit).len() as u64,
        mark.audit - first.audit
    );
    // And the replay of the whole log from the first checkpoint is that desk.
    assert_eq!(&replay_from_first(again.store_mut(), &partner)?, &expected);
    Ok(())
}

#[test]
fn checkpoints_are_taken_every_n_events_and_opening_reads_from_the_latest() -> TestResult {
    let (_dir, path, desk, now, partner) = fixture()?;
    let ids = unfrozen_resellers(&desk);
    let policy = Policy {
        checkpoint_every: Some(2),
        ..Policy::default()
    };
    let mut durable = DurableDesk::create_with(SqliteStore::open(&path)?, desk, policy)?;
    for id in ids.iter().take(4) {
        durable.execute(|d| d.unfreeze(&admin(now)?, &freeze_request(id)?))?;
        durable.execute(|d| d.freeze(&admin(now)?, &freeze_request(id)?))?;
    }
    let expected = durable.desk().clone();
    let count: i64 = durable.store_mut().connection().query_row(
        "SELECT COUNT(*) FROM checkpoints",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(count, 3, "the first checkpoint and the two newest are kept");
    let latest = durable
        .store_mut()
        .latest_checkpoint(&partner)?
        .ok_or("no checkpoint")?;
    assert!(latest.mark.events + 2 > expected.mark().events);
    drop(durable);
    let again = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    assert_eq!(again.desk(), &expected);
    // On demand too.
    let mut again = again;
    let at = again.checkpoint()?;
    assert_eq!(
        again
            .store_mut()
            .latest_checkpoint(&partner)?
            .map(|c| c.mark),
        Some(at)
    );
    assert_eq!(&replay_from_first(again.store_mut(), &partner)?, &expected);
    Ok(())
}

/// With `checkpoint_in_commands: false` no command stores a checkpoint; a due one is stored
/// through `&self` (a read lock) while another thread keeps reading the same desk, and opening
/// then starts from it.
#[test]
fn a_due_checkpoint_is_stored_under_a_read_lock_while_reads_go_on() -> TestResult {
    let (_dir, path, desk, now, partner) = fixture()?;
    let ids = unfrozen_resellers(&desk);
    let policy = Policy {
        checkpoint_every: Some(3),
        checkpoint_in_commands: false,
        ..Policy::default()
    };
    let store = partnerdesk_store::open_store(&path.to_string_lossy())?;
    let shared = std::sync::RwLock::new(DurableDesk::create_with(store, desk, policy)?);
    let first = shared.read().map_err(|e| e.to_string())?.desk().mark();
    // The latest checkpoint, read through a connection of its own.
    let stored = || -> TestResult<u64> {
        let latest = SqliteStore::open(&path)?
            .latest_checkpoint(&partner)?
            .ok_or("no checkpoint")?;
        Ok(latest.mark.events)
    };
    for id in ids.iter().take(2) {
        let mut w = shared.write().map_err(|e| e.to_string())?;
        w.execute(|d| d.freeze(&admin(now)?, &freeze_request(id)?))?;
        w.execute(|d| d.unfreeze(&admin(now)?, &freeze_request(id)?))?;
    }
    let (mark, due) = {
        let r = shared.read().map_err(|e| e.to_string())?;
        (r.desk().mark(), r.checkpoint_due())
    };
    assert_eq!(mark.events, first.events + 4);
    assert!(due);
    assert_eq!(stored()?, first.events, "no command stored one");

    let reads = std::sync::atomic::AtomicU64::new(0);
    let done = std::sync::atomic::AtomicBool::new(false);
    let checkpointed = std::thread::scope(|scope| -> TestResult<Option<partnerdesk::Mark>> {
        let reader = scope.spawn(|| {
            // Reads under their own read locks, alongside the checkpoint's.
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(r) = shared.read() {
                    let _ = r.desk().customer(&ids[0]);
                    reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        });
        let r = shared.read().map_err(|e| e.to_string())?;
        let out = r.checkpoint_if_due_shared();
        // A reader was able to take the lock while this one is held.
        while reads.load(std::sync::atomic::Ordering::Relaxed) == 0 {
            std::thread::yield_now();
        }
        drop(r);
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        reader.join().map_err(|_| "the reader panicked")?;
        Ok(out?)
    })?;
    assert_eq!(checkpointed, Some(mark));
    assert_eq!(stored()?, mark.events);
    let r = shared.read().map_err(|e| e.to_string())?;
    assert!(!r.checkpoint_due());
    assert_eq!(r.events_since_checkpoint(), 0);
    assert_eq!(r.checkpoint_if_due_shared()?, None, "not due again");
    let expected = r.desk().clone();
    drop(r);
    drop(shared);
    let again = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    assert_eq!(again.desk(), &expected);
    assert_eq!(again.events_since_checkpoint(), 0);
    Ok(())
}

#[test]
fn a_store_written_by_a_newer_version_is_refused_and_left_alone() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("desk.db");
    let store = SqliteStore::open(&path)?;
    assert_eq!(store.schema_version()?, SCHEMA_VERSION);
    store.connection().execute(
        "UPDATE schema_version SET version = ?1",
        [SCHEMA_VERSION + 1],
    )?;
    drop(store);
    let err = SqliteStore::open(&path).err();
    assert!(matches!(
        err,
        Some(StoreError::VersionUnsupported { found, supported })
            if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION
    ));
    assert_eq!(err.map(|e| e.code()), Some("STORE_VERSION_UNSUPPORTED"));
    let conn = rusqlite::Connection::open(&path)?;
    let v: u32 = conn.query_row("SELECT version FROM schema_version", [], |r| r.get(0))?;
    assert_eq!(v, SCHEMA_VERSION + 1);
    Ok(())
}

/// A store with one desk and a few commands; its path.
fn store_with_history(dir: &tempfile::TempDir) -> TestResult<(std::path::PathBuf, Desk)> {
    let path = dir.path().join("desk.db");
    let (desk, now) = small_desk()?;
    let ids = unfrozen_resellers(&desk);
    let mut durable = DurableDesk::create(SqliteStore::open(&path)?, desk)?;
    durable.execute(|d| grant(d, now))?;
    durable.execute(|d| d.freeze(&admin(now)?, &freeze_request(&ids[1])?))?;
    durable.execute(|d| d.unfreeze(&admin(now)?, &freeze_request(&ids[1])?))?;
    Ok((path, durable.desk().clone()))
}

fn open_code(path: &std::path::Path, desk: &Desk) -> Option<&'static str> {
    let r = SqliteStore::open(path).and_then(|s| DurableDesk::open(s, &desk.partner().id));
    code(&r)
}

#[test]
fn a_corrupt_checkpoint_is_store_corrupt_never_a_desk() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (path, desk) = store_with_history(&dir)?;
    let conn = rusqlite::Connection::open(&path)?;
    // One byte of the body flipped: the checksum no longer matches.
    conn.execute(
        "UPDATE checkpoint_chunks SET data = substr(data, 1, 100) || x'00' || substr(data, 102)",
        [],
    )?;
    assert_eq!(open_code(&path, &desk), Some("STORE_CORRUPT"));
    // A chunk missing.
    let dir = tempfile::tempdir()?;
    let (path, desk) = store_with_history(&dir)?;
    let conn = rusqlite::Connection::open(&path)?;
    conn.execute("DELETE FROM checkpoint_chunks", [])?;
    assert_eq!(open_code(&path, &desk), Some("STORE_CORRUPT"));
    Ok(())
}

/// The frame's bytes before its checksum: magic, version, length.
const PREFIX_LEN: usize = 8 + 4 + 8;

/// A version 4 checkpoint framed again around `body`, its length and checksum (XXH3-128, the
/// value little-endian) true.
fn reframed(bytes: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = bytes.get(..12).unwrap_or_default().to_vec();
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&xxhash_rust::xxh3::xxh3_128(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

#[test]
fn a_lying_chunked_checkpoint_is_store_corrupt_even_with_a_true_checksum() -> TestResult {
    // What a writer with a bug, or someone who recomputed the digest, could leave: the
    // checkpoint edited inside its body (a chunk that does not decode, a chunk count that
    // lies, the body cut short) and framed again with a true length and checksum.
    for edit in 0..4 {
        let dir = tempfile::tempdir()?;
        let (path, desk) = store_with_history(&dir)?;
        let mut store = SqliteStore::open(&path)?;
        let cp = store
            .latest_checkpoint(&desk.partner().id)?
            .ok_or("a checkpoint")?;
        let newest = partnerdesk::checkpoint::CHECKPOINT_VERSION;
        assert_eq!(cp.bytes.get(8..12), Some(&newest.to_le_bytes()[..]));
        assert_eq!(newest, 4, "reframed writes version 4's checksum");
        let mut body = cp.bytes.get(PREFIX_LEN + 16..).ok_or("short")?.to_vec();
        let head_len = u64::from_le_bytes(body.get(..8).ok_or("short")?.try_into()?);
        let chunks_at = 8 + usize::try_from(head_len)? + 8;
        match edit {
            // The first chunk's array marker made one MessagePack never uses.
            1 => body[chunks_at + 4 + 12] = 0xc1,
            // One chunk more than the body holds.
            2 => body[chunks_at] += 1,
            // The body's last byte gone.
            3 => {
                body.pop();
            }
            // Unedited: the rewritten checkpoint opens.
            _ => {}
        }
        let conn = rusqlite::Connection::open(&path)?;
        conn.execute("DELETE FROM checkpoint_chunks", [])?;
        conn.execute("DELETE FROM checkpoints", [])?;
        let edited = partnerdesk_store::Checkpoint {
            mark: cp.mark,
            bytes: reframed(&cp.bytes, &body),
        };
        store.put_checkpoint(&desk.partner().id, &edited)?;
        drop(store);
        let want = (edit > 0).then_some("STORE_CORRUPT");
        assert_eq!(open_code(&path, &desk), want, "edit {edit}");
    }
    Ok(())
}

#[test]
fn a_corrupt_event_row_is_store_corrupt() -> TestResult {
    let cases = [
        // JSON that does not parse.
        "UPDATE events SET body = '{not json' WHERE seq = (SELECT MAX(seq) FROM events)",
        // A gap in the sequence.
        "DELETE FROM events WHERE seq = (SELECT MIN(seq) FROM events)",
        // The last rows missing: the log ends before the head.
        "DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)",
        // A row whose JSON names another sequence number.
        "UPDATE events SET seq = seq + 100 WHERE seq = (SELECT MAX(seq) FROM events)",
        // An edited event: the chain breaks.
        "UPDATE events SET body = replace(body, 'overdue', 'overdux')",
        // An audit row that does not parse.
        "UPDATE audit SET body = '[]' WHERE seq = (SELECT MAX(seq) FROM audit)",
    ];
    for sql in cases {
        let dir = tempfile::tempdir()?;
        let (path, desk) = store_with_history(&dir)?;
        let conn = rusqlite::Connection::open(&path)?;
        assert!(conn.execute(sql, [])? > 0, "{sql}");
        assert_eq!(open_code(&path, &desk), Some("STORE_CORRUPT"), "{sql}");
    }
    Ok(())
}

#[test]
fn a_store_failing_mid_command_is_store_unavailable_and_the_desk_is_as_before() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (path, _) = store_with_history(&dir)?;
    let (desk, now) = small_desk()?;
    let partner = desk.partner().id.clone();
    let ids = unfrozen_resellers(&desk);
    let mut durable = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    let before = durable.desk().clone();
    // The audit insert fails (as a full disk would) after the event row was written.
    rusqlite::Connection::open(&path)?.execute_batch(
        "CREATE TRIGGER fail BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END;",
    )?;
    let r = durable.execute(|d| d.freeze(&admin(now)?, &freeze_request(&ids[2])?));
    assert_eq!(code(&r), Some("STORE_UNAVAILABLE"));
    assert_eq!(durable.desk(), &before);
    assert_eq!(head(durable.store_mut(), &partner)?, before.mark());
    // A refused command's audit cannot be stored either: STORE_UNAVAILABLE, not the refusal.
    let r = durable.execute(|d| refused_grant(d, now));
    assert_eq!(code(&r), Some("STORE_UNAVAILABLE"));
    assert_eq!(durable.desk(), &before);
    // The store recovers: the command goes through.
    rusqlite::Connection::open(&path)?.execute_batch("DROP TRIGGER fail")?;
    durable.execute(|d| d.freeze(&admin(now)?, &freeze_request(&ids[2])?))?;
    let expected = durable.desk().clone();
    drop(durable);
    let again = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    assert_eq!(again.desk(), &expected);
    Ok(())
}

#[test]
fn a_file_locked_past_the_busy_timeout_is_store_unavailable_and_the_desk_is_as_before() -> TestResult
{
    let dir = tempfile::tempdir()?;
    let (path, _) = store_with_history(&dir)?;
    let (desk, now) = small_desk()?;
    let partner = desk.partner().id.clone();
    let mut durable = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    let before = durable.desk().clone();
    // Another connection holds the write lock: past the busy timeout the append gives up.
    let mut blocker = rusqlite::Connection::open(&path)?;
    let tx = blocker.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut quick = DurableDesk::open(
        SqliteStore::open_with(&path, Duration::from_millis(50))?,
        &partner,
    )?;
    let r = quick.execute(|d| grant(d, now));
    assert_eq!(code(&r), Some("STORE_UNAVAILABLE"));
    assert_eq!(quick.desk(), &before);
    tx.rollback()?;
    quick.execute(|d| grant(d, now))?;
    durable.catch_up()?;
    assert_eq!(durable.desk(), quick.desk());
    Ok(())
}

#[test]
fn two_instances_on_one_file_converge_and_the_rules_hold_across_them() -> TestResult {
    let (_dir, path, desk, now, partner) = fixture()?;
    let target = desk
        .customers()
        .find(|c| c.is_associated() && association::disassociation_blocker(c, now).is_none())
        .map(|c| c.id.clone())
        .ok_or("no customer to disassociate")?;
    let mut a = DurableDesk::create(SqliteStore::open(&path)?, desk)?;
    let mut b = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    let me = Invocation::new(Actor::Customer(target.clone()), now);

    // The partner asks three times, alternating instances, never catching up by hand: each
    // stale instance meets CONCURRENT_CHANGE, catches up and runs the command again.
    for round in 0..3 {
        let inst = if round % 2 == 0 { &mut a } else { &mut b };
        let req =
            inst.execute(|d| d.request_partner_disassociation(&admin(now)?, &target, "cleanup"))?;
        inst.execute(|d| d.decide_disassociation(&me, req, false, "I stay"))?;
    }
    // The fourth, on either instance, is over the quota.
    let r = b.execute(|d| d.request_partner_disassociation(&admin(now)?, &target, "cleanup"));
    assert_eq!(code(&r), Some("DISASSOCIATION_QUOTA_EXCEEDED"));
    let r = a.execute(|d| d.request_partner_disassociation(&admin(now)?, &target, "cleanup"));
    assert_eq!(code(&r), Some("DISASSOCIATION_QUOTA_EXCEEDED"));

    // An idempotency key used on one instance answers the same on the other, once.
    let ids = resellers(a.desk());
    let id = ids
        .iter()
        .find(|id| a.desk().customer(id).is_ok_and(|c| !c.freeze.is_frozen()))
        .ok_or("no unfrozen reseller customer")?
        .clone();
    let keyed = admin(now)?.key(IdempotencyKey::new("freeze-1")?);
    let first = a.execute(|d| d.freeze(&keyed, &freeze_request(&id)?))?;
    let events = a.desk().mark().events;
    let second = b.execute(|d| d.freeze(&keyed, &freeze_request(&id)?))?;
    assert_eq!(first, second);
    b.catch_up()?;
    a.catch_up()?;
    assert_eq!(b.desk().mark().events, events, "the retry added no event");
    let frozen = a
        .desk()
        .events()
        .iter()
        .filter(|e| {
            e.customer.as_ref() == Some(&id)
                && matches!(e.kind, partnerdesk::event::EventKind::Frozen { .. })
        })
        .count();
    assert_eq!(frozen, 1);

    // Both converge on the same desk, which is also the log's replay.
    assert_eq!(a.desk(), b.desk());
    assert_eq!(
        a.desk().to_snapshot_json()?.len(),
        b.desk().to_snapshot_json()?.len()
    );
    assert_eq!(&replay_from_first(a.store_mut(), &partner)?, a.desk());
    Ok(())
}

#[test]
fn follow_sees_another_instances_commit() -> TestResult {
    let (_dir, path, desk, now, partner) = fixture()?;
    let mut a = DurableDesk::create(SqliteStore::open(&path)?, desk)?;
    let mut b = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    assert!(!b.follow(Duration::from_millis(30))?);
    let writer = std::thread::spawn(move || -> Result<Desk, StoreError> {
        std::thread::sleep(Duration::from_millis(50));
        a.execute(|d| grant(d, now))?;
        Ok(a.desk().clone())
    });
    assert!(b.follow(Duration::from_secs(10))?);
    let a_desk = writer.join().map_err(|_| "writer panicked")??;
    assert_eq!(b.desk(), &a_desk);
    Ok(())
}

#[test]
fn a_group_commit_acknowledges_each_command_with_one_transaction() -> TestResult {
    let (_dir, path, desk, now, partner) = fixture()?;
    let ids = unfrozen_resellers(&desk);
    let mut durable = DurableDesk::create(SqliteStore::open(&path)?, desk)?;
    assert!(ids.len() >= 5, "{} unfrozen reseller customers", ids.len());
    let before = durable.desk().mark();
    let mut batch: Vec<_> = ids.iter().take(5).collect();
    batch.push(&ids[0]); // frozen twice: the second is refused in its outcome
    let outcomes =
        durable.execute_batch(&batch, |d, id| d.freeze(&admin(now)?, &freeze_request(id)?))?;
    assert_eq!(outcomes.len(), 6);
    assert!(outcomes.iter().all(Result::is_ok));
    let last = outcomes
        .last()
        .and_then(|o| o.as_ref().ok())
        .ok_or("no outcome")?;
    assert_eq!(last.succeeded(), 0);
    let expected = durable.desk().clone();
    assert!(expected.mark().events >= before.events + 5);
    drop(durable);
    let again = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    assert_eq!(again.desk(), &expected);
    Ok(())
}

#[test]
fn a_current_thread_runtime_keeps_running_while_commands_commit() -> TestResult {
    use std::sync::{Arc, Mutex, mpsc};
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("desk.db");
    let (desk, now) = small_desk()?;
    let durable = Arc::new(Mutex::new(DurableDesk::create(
        SqliteStore::open(&path)?,
        desk,
    )?));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let (tx, rx) = mpsc::channel::<u32>();
    let shared = Arc::clone(&durable);
    let outcome = rt.block_on(async move {
        // The command blocks until another task of this one-thread runtime has ticked five
        // times and said so: it can only finish if the executor kept running while it waited
        // (run it on the executor's thread instead, and it times out).
        let command = tokio::task::spawn_blocking(move || {
            let mut d = shared.lock().map_err(|_| "poisoned")?;
            d.execute(|desk| {
                let ticks = rx
                    .recv_timeout(Duration::from_secs(10))
                    .map_err(|_| partnerdesk::Error::InvalidCursor)?;
                assert_eq!(ticks, 5);
                grant(desk, now)
            })
            .map_err(|e| e.code())
        });
        let ticker = tokio::spawn(async move {
            for n in 1..=5u32 {
                tokio::time::sleep(Duration::from_millis(2)).await;
                if n == 5 {
                    let _ = tx.send(n);
                }
            }
        });
        let _ = ticker.await;
        command.await.map_err(|_| "the blocking task failed")
    });
    assert_eq!(outcome, Ok(Ok(())));
    let d = durable.lock().map_err(|_| "poisoned")?;
    assert_eq!(
        d.desk().mark(),
        head(&mut SqliteStore::open(&path)?, d.partner())?
    );
    Ok(())
}

#[test]
fn data_changes_are_committed_like_commands() -> TestResult {
    let (_dir, path, desk, now, partner) = fixture()?;
    // A customer of the desk under another id, a spend record for an existing one, an
    // update and a removal: each is an event, committed before `execute` returns.
    let template = desk.customers().next().cloned().ok_or("empty desk")?;
    let existing = template.id.clone();
    let gone = desk
        .customers()
        .nth(1)
        .map(|c| c.id.clone())
        .ok_or("empty desk")?;
    let spend = template.spend.first().ok_or("no spend")?;
    let mut fresh = template.clone();
    fresh.id = partnerdesk::CustomerId::new("d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0")?;
    let mut durable = DurableDesk::create(SqliteStore::open(&path)?, desk)?;
    let before = durable.desk().mark();
    durable.execute(|d| d.upsert_customers(vec![fresh.clone()]))?;
    durable.execute(|d| d.add_spend(&existing, spend.clone()))?;
    durable.execute(|d| d.update_customer(&existing, |c| c.tags.clear()))?;
    durable.execute(|d| d.remove_customer(&gone).map(|_| ()))?;
    durable.execute(|d| d.roll_to(now))?;
    assert!(durable.desk().mark().events >= before.events + 4);
    let expected = durable.desk().clone();
    drop(durable);

    let again = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    assert_eq!(again.desk(), &expected);
    assert!(again.desk().customer(&fresh.id).is_ok());
    assert!(again.desk().customer(&gone).is_err());
    Ok(())
}

/// The policies the store tests set: rows with the account name masked and e-mails hidden,
/// exports with keyed pseudonyms for mobiles.
fn policies() -> partnerdesk::Result<(MaskPolicy, MaskPolicy)> {
    let mut rows = MaskPolicy::strict();
    rows.set(SensitiveField::Email, MaskRule::Hidden)?;
    let mut exports = MaskPolicy::console();
    exports.set(SensitiveField::Mobile, MaskRule::Pseudonym)?;
    Ok((rows, exports))
}

/// Both mask policies are data changes: set on a durable desk, they are there after a reopen,
/// from the log and from a checkpoint (they were the defaults again after every reopen).
#[test]
fn mask_policies_survive_a_reopen_and_a_checkpoint() -> TestResult {
    let (_dir, path, desk, _now, partner) = fixture()?;
    let (rows, exports) = policies()?;
    let mut durable = DurableDesk::create(SqliteStore::open(&path)?, desk)?;
    let before = durable.desk().mark();
    durable.execute(|d| d.set_row_policy(rows.clone()))?;
    durable.execute(|d| d.set_export_policy(exports.clone()))?;
    assert_eq!(durable.desk().mark().events, before.events + 2);
    let expected = durable.desk().clone();
    drop(durable);

    // From the first checkpoint and the log after it.
    let mut again = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    assert_eq!(again.desk().row_policy(), &rows);
    assert_eq!(again.desk().export_policy(), &exports);
    assert_eq!(again.desk(), &expected);
    assert_eq!(&replay_from_first(again.store_mut(), &partner)?, &expected);

    // From a checkpoint holding them, with no event after it.
    let at = again.checkpoint()?;
    assert_eq!(at, expected.mark());
    drop(again);
    let again = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    assert_eq!(again.desk().row_policy(), &rows);
    assert_eq!(again.desk().export_policy(), &exports);

    // A policy set before the desk was stored is in its first checkpoint.
    let dir = tempfile::tempdir()?;
    let (mut desk, _) = small_desk()?;
    desk.set_row_policy(rows.clone())?;
    let first = DurableDesk::create(SqliteStore::open(dir.path().join("d.db"))?, desk)?;
    drop(first);
    let again = DurableDesk::open(SqliteStore::open(dir.path().join("d.db"))?, &partner)?;
    assert_eq!(again.desk().row_policy(), &rows);
    Ok(())
}

#[test]
fn a_large_checkpoint_is_read_back_from_its_pieces_and_a_bad_piece_is_corrupt() -> TestResult {
    let (desk, _) = small_desk()?;
    let partner = desk.partner().id.clone();
    let big = in_pieces(desk.mark(), partnerdesk_store::sqlite::CHUNK_BYTES);
    // Each case edits a fresh store holding `big`, then reads it back.
    let cases: [(&str, Option<&str>); 6] = [
        ("", None),
        (
            "DELETE FROM checkpoint_chunks WHERE n = 1",
            Some("chunk 1 missing"),
        ),
        (
            "DELETE FROM checkpoint_chunks WHERE n = 2",
            Some("2 of 3 chunks"),
        ),
        (
            "UPDATE checkpoint_chunks SET data = substr(data, 1, 1000) WHERE n = 0",
            Some("of 20971520 bytes"),
        ),
        (
            "UPDATE checkpoint_chunks SET data = 'text' WHERE n = 1",
            Some("not a blob"),
        ),
        // A length no buffer can have: refused, not allocated (which would abort the host).
        (
            "UPDATE checkpoints SET bytes = 9000000000000000000",
            Some("of 9000000000000000000 bytes"),
        ),
    ];
    for (edit, refused) in cases {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("desk.db");
        let mut store = SqliteStore::open(&path)?;
        assert!(store.create_desk(&partner, &big)?);
        if !edit.is_empty() {
            rusqlite::Connection::open(&path)?.execute(edit, [])?;
        }
        let read = store.latest_checkpoint(&partner);
        match refused {
            None => assert_eq!(read?.as_ref(), Some(&big)),
            Some(what) => {
                let e = read.err().ok_or("refused")?;
                assert_eq!(e.code(), "STORE_CORRUPT", "{edit}");
                assert!(e.to_string().contains(what), "{edit}: {e}");
            }
        }
    }
    Ok(())
}

/// A checkpoint of at least four pieces is read by two connections at once (each half of the
/// pieces into its half of the buffer): it comes back byte for byte, also while another
/// connection holds the file open, and a short piece in the second half is still refused as
/// corrupt.
#[test]
fn a_checkpoint_read_on_two_connections_comes_back_whole() -> TestResult {
    let (desk, _) = small_desk()?;
    let partner = desk.partner().id.clone();
    let piece = partnerdesk_store::sqlite::CHUNK_BYTES;
    let bytes: Vec<u8> = (0..piece * 9 / 2)
        .map(|i| (i % 253) as u8 ^ (i / piece) as u8)
        .collect();
    let big = partnerdesk_store::Checkpoint {
        mark: desk.mark(),
        bytes,
    };
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("desk.db");
    let mut store = SqliteStore::open(&path)?;
    assert!(store.create_desk(&partner, &big)?);
    assert_eq!(store.latest_checkpoint(&partner)?.as_ref(), Some(&big));
    // Again through a fresh store, with another connection holding the file open.
    let other = SqliteStore::open(&path)?;
    assert_eq!(
        SqliteStore::open(&path)?
            .latest_checkpoint(&partner)?
            .as_ref(),
        Some(&big)
    );
    drop(other);
    rusqlite::Connection::open(&path)?.execute(
        "UPDATE checkpoint_chunks SET data = substr(data, 1, 1000) WHERE n = 4",
        [],
    )?;
    let e = store.latest_checkpoint(&partner).err().ok_or("refused")?;
    assert_eq!(e.code(), "STORE_CORRUPT");
    Ok(())
}

/// A batch command with an idempotency key records its outcome in an event, refusals
/// included. A refusal of a kind the outcome's stored form did not spell out (an account
/// manager unassigned twice: `INVALID_TRANSITION`) came back from the log as another error
/// (`INVALID_ARGUMENT`), so the event's content, and with it its chain link, changed: the
/// store then refused to open (`STORE_CORRUPT`, "EVENT_CHAIN_BROKEN").
#[test]
fn a_recorded_batch_outcome_with_any_refusal_reopens_and_replays() -> TestResult {
    let (_dir, path, desk, now, partner) = fixture()?;
    // An associated customer with a manager, and one without.
    let first = |managed: bool| {
        desk.customers()
            .find(|c| c.is_associated() && c.account_manager.is_some() == managed)
            .map(|c| c.id.clone())
            .ok_or("no such customer in the fixture")
    };
    let ids = [first(true)?, first(false)?];
    let mut durable = DurableDesk::create(SqliteStore::open(&path)?, desk)?;
    let key = IdempotencyKey::new("unassign-twice")?;
    let inv = admin(now)?.with_key(Some(key));
    let outcome = durable.execute(|d| d.unassign_manager(&inv, &ids))?;
    assert_eq!((outcome.succeeded(), outcome.failed()), (1, 1));
    let refusal = outcome.items[1].result.as_ref().err().map(|e| e.code());
    assert_eq!(refusal, Some("INVALID_TRANSITION"));
    let expected = durable.desk().clone();
    drop(durable);

    let mut again = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    assert_eq!(again.desk(), &expected);
    // The retry returns the first outcome, with the same refusal.
    let retried = again.execute(|d| d.unassign_manager(&inv, &ids))?;
    let refusal = retried.items[1].result.as_ref().err().map(|e| e.code());
    assert_eq!(refusal, Some("INVALID_TRANSITION"));
    assert_eq!(&replay_from_first(again.store_mut(), &partner)?, &expected);
    // And a checkpoint of it opens too.
    again.checkpoint()?;
    drop(again);
    let from_checkpoint = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
    assert_eq!(from_checkpoint.desk(), &expected);
    Ok(())
}
