//! The desk every host holds (`HostDesk`): what a change commits, what a reopen sees, and the
//! store's errors with their codes from the core's table, on real SQLite files (the fixtures
//! the host suites use too).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Utc};
use partnerdesk::chain::EventKey;
use partnerdesk::{Actor, Desk, Invocation, OperatorId, Permission, demo};
use partnerdesk_host::ops::privacy::Secret;
use partnerdesk_host::{HostDesk, StoreOptions};
use std::path::{Path, PathBuf};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn location(dir: &Path) -> String {
    dir.join("desk.db").to_string_lossy().into_owned()
}

fn demo_desk() -> Result<(Desk, DateTime<Utc>), partnerdesk::Error> {
    demo::portfolio(30, 7)
}

fn as_admin(now: DateTime<Utc>) -> Result<Invocation, partnerdesk::Error> {
    Ok(Invocation::new(
        Actor::Operator(OperatorId::new("admin")?),
        now,
    ))
}

fn code<T: std::fmt::Debug>(r: Result<T, partnerdesk::Error>) -> String {
    match r {
        Ok(v) => format!("ok: {v:?}"),
        Err(e) => e.code().to_owned(),
    }
}

#[test]
fn a_change_and_a_refusal_are_committed_before_they_return() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (desk, now) = demo_desk()?;
    let partner = desk.partner().id.as_str().to_owned();
    let mut held = HostDesk::create(&location(dir.path()), desk, StoreOptions::default())?;
    let admin = as_admin(now)?;
    let ops = OperatorId::new("ops_billing")?;
    held.change(|d| d.grant_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
    let am = Invocation::new(Actor::Operator(OperatorId::new("am_000")?), now);
    let refused = held.change(|d| d.grant_permissions(&am, &ops, &[Permission::SetBudget]));
    assert_eq!(code(refused), "ADMINISTRATOR_ONLY");
    let mark = held.mark();
    let held_ops = held.operator(&ops)?.clone();
    assert!(held_ops.permissions.contains(&Permission::ViewSpend));
    drop(held);

    let reopened = HostDesk::open(
        &location(dir.path()),
        Some(&partner),
        StoreOptions::default(),
    )?;
    assert_eq!(
        reopened.mark(),
        mark,
        "the events and audit records, the refusal's too"
    );
    assert!(mark.audit > 0);
    assert_eq!(reopened.operator(&ops)?, &held_ops);
    Ok(())
}

#[test]
fn create_never_overwrites_and_open_needs_a_stored_desk() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (desk, _) = demo_desk()?;
    let again = desk.clone();
    let held = HostDesk::create(&location(dir.path()), desk, StoreOptions::default())?;
    drop(held);
    let second = HostDesk::create(&location(dir.path()), again, StoreOptions::default());
    assert_eq!(code(second), "INVALID_ARGUMENT");
    let other = HostDesk::open(
        &location(dir.path()),
        Some("no_such_partner"),
        StoreOptions::default(),
    );
    assert_eq!(code(other), "STORE_UNAVAILABLE");
    assert_eq!(
        code(HostDesk::open(
            &location(dir.path()),
            Some(""),
            StoreOptions::default()
        )),
        "INVALID_ID"
    );
    assert_eq!(
        code(HostDesk::open("  ", None, StoreOptions::default())),
        "INVALID_ARGUMENT"
    );
    let zero = StoreOptions {
        max_attempts: Some(0),
        ..StoreOptions::default()
    };
    assert_eq!(
        code(HostDesk::open(&location(dir.path()), None, zero)),
        "INVALID_ARGUMENT"
    );
    Ok(())
}

#[test]
fn the_fixtures_give_the_store_codes() -> TestResult {
    let dir = tempfile::tempdir()?;
    for (name, want) in [
        ("newer-schema.db", "STORE_VERSION_UNSUPPORTED"),
        ("not-a-database.db", "STORE_CORRUPT"),
    ] {
        let path = dir.path().join(name);
        std::fs::copy(fixture(name), &path)?;
        let before = std::fs::read(&path)?;
        let opened = HostDesk::open(&path.to_string_lossy(), None, StoreOptions::default());
        assert_eq!(code(opened), want, "{name}");
        let after = std::fs::read(&path)?;
        assert!(after == before, "{name} is left byte for byte as it was");
    }
    // A folder that does not exist: the file cannot be created.
    let missing = dir.path().join("no/such/folder/desk.db");
    let opened = HostDesk::open(&missing.to_string_lossy(), None, StoreOptions::default());
    let message = opened
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert_eq!(code(opened), "STORE_UNAVAILABLE");
    assert!(
        !message.contains("no/such/folder"),
        "a location is never repeated in an error: {message}"
    );
    Ok(())
}

#[test]
fn two_desks_on_one_file_conflict_then_converge() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (desk, now) = demo_desk()?;
    let partner = desk.partner().id.as_str().to_owned();
    let once = StoreOptions {
        max_attempts: Some(1),
        ..StoreOptions::default()
    };
    let mut a = HostDesk::create(&location(dir.path()), desk, once.clone())?;
    let mut b = HostDesk::open(&location(dir.path()), Some(&partner), once)?;
    let admin = as_admin(now)?;
    let ops = OperatorId::new("ops_billing")?;
    a.change(|d| d.grant_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
    // B did not see A's change: with one attempt allowed it is refused, nothing committed,
    // and B has caught up.
    let late = b.change(|d| d.grant_permissions(&admin, &ops, &[Permission::SetBudget]));
    assert_eq!(code(late), "CONCURRENT_CHANGE");
    assert_eq!(b.mark(), a.mark());
    b.change(|d| d.grant_permissions(&admin, &ops, &[Permission::SetBudget]))?;
    assert_eq!(a.refresh()?, 1);
    assert_eq!(a.mark(), b.mark());
    assert_eq!(a.to_snapshot_json()?, b.to_snapshot_json()?);
    // With the default attempts the same race resolves by itself.
    let mut c = HostDesk::open(
        &location(dir.path()),
        Some(&partner),
        StoreOptions::default(),
    )?;
    a.change(|d| d.revoke_permissions(&admin, &ops, &[Permission::SetBudget]))?;
    c.change(|d| d.revoke_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
    let perms = &c.operator(&ops)?.permissions;
    assert!(!perms.contains(&Permission::ViewSpend) && !perms.contains(&Permission::SetBudget));
    assert_eq!(a.refresh()?, 1, "C's change, after A's");
    Ok(())
}

#[test]
fn an_in_memory_desk_changes_in_place_and_has_no_checkpoint() -> TestResult {
    let (desk, now) = demo_desk()?;
    let mut held = HostDesk::new(desk);
    assert_eq!(held.store_kind(), None);
    let admin = as_admin(now)?;
    let ops = OperatorId::new("ops_billing")?;
    held.change(|d| d.grant_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
    assert!(
        held.operator(&ops)?
            .permissions
            .contains(&Permission::ViewSpend)
    );
    assert_eq!(held.refresh()?, 0);
    assert_eq!(code(held.checkpoint()), "INVALID_ARGUMENT");
    Ok(())
}

#[test]
fn a_checkpoint_is_where_the_next_open_starts() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (desk, now) = demo_desk()?;
    let partner = desk.partner().id.as_str().to_owned();
    let mut held = HostDesk::create(&location(dir.path()), desk, StoreOptions::default())?;
    let admin = as_admin(now)?;
    let ops = OperatorId::new("ops_billing")?;
    held.change(|d| d.grant_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
    let at = held.checkpoint()?;
    assert_eq!(at, held.mark().events);
    held.change(|d| d.revoke_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
    let snapshot = held.to_snapshot_json()?;
    drop(held);
    let reopened = HostDesk::open(
        &location(dir.path()),
        Some(&partner),
        StoreOptions::default(),
    )?;
    assert_eq!(reopened.to_snapshot_json()?, snapshot);
    Ok(())
}

/// The automatic checkpoint is not stored by the change that makes it due (that would hold
/// the write lock for as long as a large desk takes to encode) but when the change's write
/// lock is released ([`Changing`]), under a read lock.
#[test]
fn a_due_checkpoint_is_stored_once_the_change_releases_the_write_lock() -> TestResult {
    use partnerdesk_host::durable::{Changing, checkpoint_after_change};
    use partnerdesk_store::Store;
    let dir = tempfile::tempdir()?;
    let (desk, now) = demo_desk()?;
    let partner = partnerdesk::PartnerId::new(desk.partner().id.as_str())?;
    let options = StoreOptions {
        checkpoint_every: Some(2),
        ..StoreOptions::default()
    };
    let first = desk.mark().events;
    let lock =
        partnerdesk_host::DeskLock::new(HostDesk::create(&location(dir.path()), desk, options)?);
    let stored = || -> Result<u64, Box<dyn std::error::Error>> {
        let mut store = partnerdesk_store::open_store(&location(dir.path()))?;
        Ok(store
            .latest_checkpoint(&partner)?
            .ok_or("no checkpoint")?
            .mark
            .events)
    };
    let write = || Changing::new(lock.write(), &lock, checkpoint_after_change);
    let admin = as_admin(now)?;
    let ops = OperatorId::new("ops_billing")?;
    let grant = |d: &mut Desk| d.grant_permissions(&admin, &ops, &[Permission::ViewSpend]);
    let revoke = |d: &mut Desk| d.revoke_permissions(&admin, &ops, &[Permission::ViewSpend]);

    write().change(grant)?;
    assert!(!lock.read().checkpoint_due());
    assert_eq!(stored()?, first);
    {
        // The second event makes it due: the change itself does not store it.
        let mut w = write();
        w.change(revoke)?;
        assert!(w.checkpoint_due());
        assert_eq!(stored()?, first);
    }
    // Released: stored.
    let at = lock.read().mark().events;
    assert_eq!(at, first + 2);
    assert_eq!(stored()?, at);
    assert!(!lock.read().checkpoint_due());
    // Called again, nothing is due.
    assert_eq!(lock.read().checkpoint_if_due()?, None);
    Ok(())
}

#[test]
fn without_a_partner_the_one_stored_desk_opens() -> TestResult {
    let dir = tempfile::tempdir()?;
    let loc = location(dir.path());
    assert_eq!(
        code(HostDesk::open(&loc, None, StoreOptions::default())),
        "STORE_UNAVAILABLE",
        "an empty store"
    );
    let (desk, now) = demo_desk()?;
    let snapshot = desk.to_snapshot_json()?;
    drop(HostDesk::create(&loc, desk, StoreOptions::default())?);
    let only = HostDesk::open(&loc, None, StoreOptions::default())?;
    assert_eq!(only.to_snapshot_json()?, snapshot);
    drop(only);
    let partner = partnerdesk::Partner::new(
        partnerdesk::PartnerId::new("other_partner")?,
        "Other",
        partnerdesk::Site::China,
        partnerdesk::Tier::Distributor,
    );
    let other = Desk::new(partner, now);
    drop(HostDesk::create(&loc, other, StoreOptions::default())?);
    assert_eq!(
        code(HostDesk::open(&loc, None, StoreOptions::default())),
        "INVALID_ARGUMENT",
        "two desks: name one"
    );
    Ok(())
}

#[test]
fn save_to_moves_a_desk_onto_a_store_and_leaves_it_on_failure() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (desk, now) = demo_desk()?;
    let partner = desk.partner().id.as_str().to_owned();
    let mut held = HostDesk::new(desk);
    let refused = held.save_to(
        &dir.path().join("no/such/dir.db").to_string_lossy(),
        StoreOptions::default(),
    );
    assert_eq!(code(refused), "STORE_UNAVAILABLE");
    assert_eq!(held.store_kind(), None, "still in memory");
    held.save_to(&location(dir.path()), StoreOptions::default())?;
    assert_eq!(held.store_kind().map(|k| k.as_str()), Some("sqlite"));
    let admin = as_admin(now)?;
    let ops = OperatorId::new("ops_billing")?;
    held.change(|d| d.grant_permissions(&admin, &ops, &[Permission::RevealSensitive]))?;
    // A copy onto a second file: both stores hold the desk as it was then.
    let second = dir.path().join("second.db").to_string_lossy().into_owned();
    held.save_to(&second, StoreOptions::default())?;
    let snapshot = held.to_snapshot_json()?;
    drop(held);
    for loc in [location(dir.path()), second] {
        let reopened = HostDesk::open(&loc, Some(&partner), StoreOptions::default())?;
        assert_eq!(reopened.to_snapshot_json()?, snapshot);
    }
    Ok(())
}

/// Hosts share a desk between threads behind a `RwLock` (Node's workers, uniffi's and pyo3's
/// objects), which needs `HostDesk: Send + Sync`.
#[test]
fn a_host_desk_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<HostDesk>();
    shared::<std::sync::Arc<partnerdesk_host::DeskLock>>();
}

#[test]
fn an_unkeyed_durable_desk_takes_no_key_and_follow_waits_at_most_an_hour() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (desk, _) = demo_desk()?;
    let mut held = HostDesk::new(desk);
    let key = partnerdesk::chain::EventKey::new(&[7u8; 32])?;
    held.set_event_key(Some(key.clone()))?;
    assert!(held.has_event_key());
    let keyed = held.save_to(&location(dir.path()), StoreOptions::default());
    assert_eq!(code(keyed), "INVALID_ARGUMENT");
    assert_eq!(held.store_kind(), None);
    held.set_event_key(None)?;
    held.save_to(&location(dir.path()), StoreOptions::default())?;
    assert_eq!(code(held.set_event_key(Some(key))), "INVALID_ARGUMENT");
    held.set_event_key(None)?;
    let long = held.follow(HostDesk::MAX_FOLLOW + std::time::Duration::from_millis(1));
    assert_eq!(code(long), "INVALID_ARGUMENT");
    assert!(!held.follow(std::time::Duration::from_millis(10))?);
    Ok(())
}

/// Opening the desk at `loc` with `options` is `STORE_CORRUPT`, its message naming the core's
/// `EVENT_CHAIN_BROKEN` (a missing, other or unexpected event key).
fn refused_for_its_key(loc: &str, partner: &str, options: StoreOptions, what: &str) {
    let opened = HostDesk::open(loc, Some(partner), options);
    let message = opened.as_ref().err().map(ToString::to_string);
    assert_eq!(code(opened), "STORE_CORRUPT", "{what}");
    assert!(
        message.is_some_and(|m| m.contains("EVENT_CHAIN_BROKEN")),
        "{what}: the message names the core's refusal"
    );
}

fn key_options(secret: &[u8]) -> StoreOptions {
    StoreOptions {
        event_key: Some(Secret(secret.to_vec())),
        ..StoreOptions::default()
    }
}

/// The field an `INVALID_ARGUMENT` names (else the error's code).
fn field<T: std::fmt::Debug>(r: Result<T, partnerdesk::Error>) -> String {
    match r {
        Err(partnerdesk::Error::InvalidArgument { field, .. }) => field,
        other => code(other),
    }
}

const KEY: &[u8] = b"the host's event key, 32 bytes!!";
const OTHER: &[u8] = b"another host's key, also 32 b..";

#[test]
fn a_keyed_store_reopens_with_its_key_and_refuses_a_missing_or_other_key() -> TestResult {
    let dir = tempfile::tempdir()?;
    let loc = location(dir.path());
    let (desk, now) = demo_desk()?;
    let partner = desk.partner().id.as_str().to_owned();
    // An unkeyed desk takes the options' key from its first checkpoint on.
    let mut held = HostDesk::create(&loc, desk, key_options(KEY))?;
    let key = EventKey::new(KEY)?;
    assert!(held.seals_with(Some(&key)));
    let admin = as_admin(now)?;
    let ops = OperatorId::new("ops_billing")?;
    held.change(|d| d.grant_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
    let (mark, head) = (held.mark(), held.chain_head().to_owned());
    let last = held.events().last().map(|e| e.link.clone());
    assert_eq!(last.as_deref(), Some(head.as_str()), "the change is sealed");
    drop(held);

    for (options, what) in [
        (StoreOptions::default(), "without the key"),
        (key_options(OTHER), "with another key"),
    ] {
        refused_for_its_key(&loc, &partner, options, what);
    }

    let mut reopened = HostDesk::open(&loc, Some(&partner), key_options(KEY))?;
    assert_eq!(reopened.mark(), mark);
    assert_eq!(reopened.chain_head(), head);
    assert!(
        reopened
            .operator(&ops)?
            .permissions
            .contains(&Permission::ViewSpend)
    );
    assert!(reopened.seals_with(Some(&key)));
    // It keeps sealing with the key: a second change reopens too.
    reopened.change(|d| d.grant_permissions(&admin, &ops, &[Permission::SetBudget]))?;
    let head = reopened.chain_head().to_owned();
    drop(reopened);
    let again = HostDesk::open(&loc, None, key_options(KEY))?;
    assert_eq!(again.chain_head(), head);
    assert!(
        again
            .operator(&ops)?
            .permissions
            .contains(&Permission::SetBudget)
    );
    Ok(())
}

#[test]
fn a_keyed_store_refuses_a_missing_or_other_key_right_after_a_checkpoint() -> TestResult {
    let dir = tempfile::tempdir()?;
    let loc = location(dir.path());
    let (desk, now) = demo_desk()?;
    let partner = desk.partner().id.as_str().to_owned();
    let mut held = HostDesk::create(&loc, desk, key_options(KEY))?;
    let admin = as_admin(now)?;
    let ops = OperatorId::new("ops_billing")?;
    held.change(|d| d.grant_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
    held.change(|d| d.grant_permissions(&admin, &ops, &[Permission::SetBudget]))?;
    // Nothing is stored after this checkpoint: the key is checked against its last event.
    held.checkpoint()?;
    let head = held.chain_head().to_owned();
    drop(held);
    for (options, what) in [
        (StoreOptions::default(), "without the key"),
        (key_options(OTHER), "with another key"),
    ] {
        refused_for_its_key(&loc, &partner, options, what);
    }
    let reopened = HostDesk::open(&loc, Some(&partner), key_options(KEY))?;
    assert_eq!(reopened.chain_head(), head);
    Ok(())
}

/// A desk just stored (its earlier events not in the store), with no event or one since,
/// has no stored event to check a key against: its checkpoint's record of the key is what
/// refuses a missing or other key (and a key given to a desk stored without one).
#[test]
fn a_desk_just_stored_refuses_a_missing_or_other_key_by_its_checkpoints_record() -> TestResult {
    let admin_ops = |now| -> Result<_, partnerdesk::Error> {
        Ok((as_admin(now)?, OperatorId::new("ops_billing")?))
    };
    for events_since in [0, 1] {
        for keyed in [true, false] {
            let dir = tempfile::tempdir()?;
            let loc = location(dir.path());
            let (mut desk, now) = demo_desk()?;
            let (admin, ops) = admin_ops(now)?;
            // Events before the store: not in its log.
            desk.grant_permissions(&admin, &ops, &[Permission::ViewSpend])?;
            desk.revoke_permissions(&admin, &ops, &[Permission::ViewSpend])?;
            let partner = desk.partner().id.as_str().to_owned();
            let stored_with = if keyed {
                key_options(KEY)
            } else {
                StoreOptions::default()
            };
            let mut held = HostDesk::create(&loc, desk, stored_with.clone())?;
            if events_since == 1 {
                held.change(|d| d.grant_permissions(&admin, &ops, &[Permission::SetBudget]))?;
            }
            let head = held.chain_head().to_owned();
            drop(held);
            let wrong = if keyed {
                vec![
                    (StoreOptions::default(), "without the key"),
                    (key_options(OTHER), "with another key"),
                ]
            } else {
                vec![(key_options(KEY), "with a key, stored without")]
            };
            for (options, what) in wrong {
                let what = format!("{what}, {events_since} event(s) since");
                refused_for_its_key(&loc, &partner, options, &what);
            }
            let reopened = HostDesk::open(&loc, Some(&partner), stored_with)?;
            assert_eq!(reopened.chain_head(), head);
        }
    }
    Ok(())
}

#[test]
fn create_and_save_to_take_a_keyed_desk_only_with_its_own_key() -> TestResult {
    let dir = tempfile::tempdir()?;
    let loc = location(dir.path());
    let (desk, now) = demo_desk()?;
    let key = EventKey::new(KEY)?;
    let mut held = HostDesk::new(desk);
    held.set_event_key(Some(key.clone()))?;
    let admin = as_admin(now)?;
    let ops = OperatorId::new("ops_billing")?;
    held.change(|d| d.grant_permissions(&admin, &ops, &[Permission::ViewSpend]))?;

    // Refused before the store is touched: no file appears.
    assert_eq!(
        field(held.save_to(&loc, StoreOptions::default())),
        "event_key"
    );
    assert_eq!(field(held.save_to(&loc, key_options(OTHER))), "event_key");
    assert_eq!(
        field(held.save_to(&loc, key_options(b"short"))),
        "event_key"
    );
    let copy = (*held).clone();
    assert_eq!(
        field(HostDesk::create(&loc, copy, StoreOptions::default())),
        "event_key"
    );
    assert!(!std::path::Path::new(&loc).exists());
    assert_eq!(held.store_kind(), None, "still in memory");

    held.save_to(&loc, key_options(KEY))?;
    assert_eq!(held.store_kind().map(|k| k.as_str()), Some("sqlite"));
    // On a durable desk only the key it has is accepted.
    held.set_event_key(Some(key.clone()))?;
    assert_eq!(field(held.set_event_key(None)), "key");
    assert_eq!(
        field(held.set_event_key(Some(EventKey::new(OTHER)?))),
        "key"
    );
    assert!(held.seals_with(Some(&key)));
    held.change(|d| d.grant_permissions(&admin, &ops, &[Permission::SetBudget]))?;
    let snapshot = held.to_snapshot_json()?;
    // A keyed durable desk copied onto another store needs its key there too.
    let second = dir.path().join("second.db").to_string_lossy().into_owned();
    assert_eq!(
        field(held.save_to(&second, StoreOptions::default())),
        "event_key"
    );
    drop(held);
    let reopened = HostDesk::open(&loc, None, key_options(KEY))?;
    assert_eq!(reopened.to_snapshot_json()?, snapshot);
    Ok(())
}

/// Exports prepared beside reads (`export::prepare`): four threads export at once while
/// another thread holds a read lock (the builds run beside it; only the moments that install
/// the order and prepare wait for it), each writes what a plain one-shot export writes, in
/// memory and on a durable desk (where the installed order is no change to commit), and the
/// order is up to date afterwards. A refused actor gets no build.
#[test]
fn exports_build_their_order_beside_reads_and_install_it_with_the_preparation() -> TestResult {
    use partnerdesk::export::{ExportRequest, ExportSelection};
    use partnerdesk_host::DeskLock;
    use partnerdesk_host::export::phases;
    use std::ops::ControlFlow;
    let dir = tempfile::tempdir()?;
    let (desk, now) = demo::portfolio(300, 5)?;
    let admin = as_admin(now)?;
    let request = ExportRequest::csv(ExportSelection::all());
    let mut want = Vec::new();
    desk.clone()
        .export(&admin, &request, &mut want, |_| ControlFlow::Continue(()))?;
    let memory = DeskLock::new(HostDesk::new(desk.clone()));
    let durable = DeskLock::new(HostDesk::create(
        &location(dir.path()),
        desk,
        StoreOptions::default(),
    )?);
    for lock in [&memory, &durable] {
        let stranger = Actor::Operator(OperatorId::new("nobody_here")?);
        assert!(lock.read().export_order_update(&stranger).is_none());
        let outs = std::thread::scope(|s| {
            let held = lock.read();
            let exports: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        let mut out = Vec::new();
                        let job = phases(
                            lock,
                            admin.actor(),
                            |d| d.prepare_export(&admin, &request),
                            &mut out,
                            |_| ControlFlow::Continue(()),
                            Desk::record_export,
                        );
                        job.map(|j| (j.rows, j.total, out))
                    })
                })
                .collect();
            std::thread::sleep(std::time::Duration::from_millis(50));
            drop(held);
            exports.into_iter().map(|e| e.join()).collect::<Vec<_>>()
        });
        for out in outs {
            let (rows, total, bytes) = out.map_err(|_| "an export panicked")??;
            assert_eq!(rows, total);
            assert_eq!(bytes, want);
        }
        assert!(
            lock.read().export_order_update(admin.actor()).is_none(),
            "installed"
        );
    }
    let reopened = HostDesk::open(&location(dir.path()), None, StoreOptions::default())?;
    assert_eq!(reopened.exports().len(), 4, "the jobs are committed");
    Ok(())
}
