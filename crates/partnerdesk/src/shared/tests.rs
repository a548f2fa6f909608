use super::SharedDesk;
use crate::freeze::FreezeRequest;
use crate::{Actor, CustomerId, Desk, FreezeScope, Invocation, OperatorId, Result, demo};
use chrono::{DateTime, Utc};

fn admin(now: DateTime<Utc>) -> Result<Invocation> {
    Ok(Invocation::new(
        Actor::Operator(OperatorId::new("admin")?),
        now,
    ))
}

fn ids(desk: &Desk, n: usize) -> Vec<CustomerId> {
    desk.customers().take(n).map(|c| c.id.clone()).collect()
}

/// A demo desk of `n` customers, the same desk shared, the first `k` ids and the demo's `now`.
fn pair(
    n: usize,
    seed: u64,
    k: usize,
) -> Result<(Desk, SharedDesk, Vec<CustomerId>, DateTime<Utc>)> {
    let (desk, now) = demo::portfolio(n, seed)?;
    let some = ids(&desk, k);
    let shared = SharedDesk::new(desk.clone());
    Ok((desk, shared, some, now))
}

fn snapshot(shared: &SharedDesk) -> Result<String> {
    shared.read(Desk::to_snapshot_json)
}

/// Publishes what is staged, then holds both copies (the one published, then, after an empty
/// change switches them, the other) equal to `plain`.
fn both_copies_hold(shared: &mut SharedDesk, plain: &Desk) -> Result<()> {
    let want = plain.to_snapshot_json()?;
    shared.publish();
    assert!(snapshot(shared)? == want, "the published copy differs");
    shared.write(|_| ());
    assert!(snapshot(shared)? == want, "the other copy differs");
    Ok(())
}

#[test]
fn a_held_read_keeps_its_desk_while_a_change_is_published() -> Result<()> {
    let (_, mut shared, id, now) = pair(30, 3, 1)?;
    let reader = shared.reader();
    let held = reader.enter();
    let manager = OperatorId::new("am_002")?;
    let inv = admin(now)?;
    shared.write(|d| d.assign_manager(&inv, &id, &manager))?;
    // The held guard still reads the copy it entered; a new read sees the change.
    let before = held.customer(&id[0]).map(|c| c.account_manager.clone());
    let after = reader.read(|d| d.customer(&id[0]).map(|c| c.account_manager.clone()));
    drop(held);
    let name = |m: Result<Option<OperatorId>>| -> Result<Option<String>> {
        Ok(m?.map(|m| m.as_str().to_owned()))
    };
    assert_ne!(name(before)?.as_deref(), Some("am_002"));
    assert_eq!(name(after)?.as_deref(), Some("am_002"));
    Ok(())
}

#[test]
fn both_copies_hold_what_one_desk_holds_after_the_same_changes() -> Result<()> {
    let (desk, now) = demo::portfolio(40, 5)?;
    let mut plain = desk.clone();
    let mut shared = SharedDesk::new(desk);
    let some = ids(&plain, 6);
    let inv = admin(now)?;
    // A freeze, a refused command (an unknown manager: an audit record, no event) and a data
    // change, each on the plain desk and through the shared one.
    let freeze = FreezeRequest::new(some[..3].to_vec(), FreezeScope::Account, "overdue")?;
    plain.freeze(&inv, &freeze)?;
    shared.write(|d| d.freeze(&inv, &freeze))?;
    let nobody = OperatorId::new("nobody_here")?;
    let refused = plain.assign_manager(&inv, &some[3..], &nobody).err();
    let refused_shared = shared
        .write(|d| d.assign_manager(&inv, &some[3..], &nobody))
        .err();
    assert_eq!(refused.map(|e| e.code()), refused_shared.map(|e| e.code()));
    let gone = some[5].clone();
    plain.remove_customer(&gone)?;
    shared.write(|d| d.remove_customer(&gone).map(|_| ()))?;
    let want = plain.to_snapshot_json()?;
    // The published copy ran the changes; one more (empty) change publishes the other copy,
    // which replayed them.
    let first = snapshot(&shared)?;
    shared.write(|_| ());
    let second = snapshot(&shared)?;
    assert!(first == want, "the copy that ran the changes differs");
    assert!(second == want, "the copy that replayed them differs");
    assert_eq!(shared.read(Desk::mark), plain.mark());
    Ok(())
}

#[test]
fn readers_on_other_threads_read_while_the_writer_changes() -> Result<()> {
    let (mut plain, mut shared, some, now) = pair(200, 9, 50)?;
    let readers: Vec<_> = (0..2).map(|_| shared.reader()).collect();
    let done = std::sync::atomic::AtomicBool::new(false);
    let reads = std::thread::scope(|scope| -> Result<Vec<usize>> {
        let running: Vec<_> = readers
            .into_iter()
            .map(|reader| {
                let done = &done;
                scope.spawn(move || {
                    let mut n = 0usize;
                    while !done.load(std::sync::atomic::Ordering::Relaxed) || n == 0 {
                        let total = reader.read(|d| d.len());
                        assert!(total > 0);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        for (k, id) in some.iter().enumerate() {
            let manager = OperatorId::new(format!("am_{:03}", k % 3))?;
            let (inv, id) = (admin(now)?, vec![id.clone()]);
            plain.assign_manager(&inv, &id, &manager)?;
            shared.write(|d| d.assign_manager(&inv, &id, &manager))?;
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(running.into_iter().map(|h| h.join().unwrap_or(0)).collect())
    })?;
    assert!(reads.iter().all(|n| *n > 0), "{reads:?}");
    assert!(!plain.events().is_empty());
    assert_eq!(shared.read(Desk::mark), plain.mark());
    assert!(snapshot(&shared)? == plain.to_snapshot_json()?);
    Ok(())
}

#[test]
fn a_reader_keeps_reading_the_last_published_desk_after_the_writer_is_dropped() -> Result<()> {
    let (_, mut shared, gone, _) = pair(5, 1, 1)?;
    let reader = shared.reader();
    shared.write(|d| d.remove_customer(&gone[0]).map(|_| ()))?;
    drop(shared);
    assert_eq!(reader.read(|d| d.len()), 4);
    assert_eq!(reader.enter().len(), 4);
    Ok(())
}

/// Runs a change that removes `id` and then panics (a bug), published (`write`) or staged;
/// true when the panic reached the caller.
fn panics_half_way(shared: &mut SharedDesk, id: &CustomerId, publish: bool) -> bool {
    let half = |d: &mut Desk| {
        let _ = d.remove_customer(id);
        #[allow(clippy::panic)]
        {
            panic!("a bug in the change")
        }
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if publish {
            shared.write(half)
        } else {
            shared.stage(half)
        }
    }))
    .is_err()
}

#[test]
fn a_change_that_panics_leaves_the_published_desk_and_the_next_change_starts_clean() -> Result<()> {
    let (mut plain, mut shared, some, now) = pair(30, 2, 2)?;
    let before = snapshot(&shared)?;
    let inv = admin(now)?;
    let manager = OperatorId::new("am_001")?;
    assert!(panics_half_way(&mut shared, &some[0], true));
    assert!(snapshot(&shared)? == before, "a torn change was published");
    plain.assign_manager(&inv, &some[1..], &manager)?;
    shared.write(|d| d.assign_manager(&inv, &some[1..], &manager))?;
    shared.write(|_| ());
    both_copies_hold(&mut shared, &plain)
}

#[test]
fn a_panic_drops_the_unpublished_changes_and_the_next_ones_publish_whole() -> Result<()> {
    let (mut plain, mut shared, some, now) = pair(30, 4, 3)?;
    // One published change, so the writer's copy has something to catch up with, then one
    // staged change, then a change that panics half-way: the staged one is lost with it.
    plain.remove_customer(&some[0])?;
    shared.write(|d| d.remove_customer(&some[0]).map(|_| ()))?;
    shared.stage(|d| d.remove_customer(&some[1]).map(|_| ()))?;
    assert!(panics_half_way(&mut shared, &some[2], false));
    assert_eq!(shared.read(|d| d.len()), 29);
    let (inv, manager) = (admin(now)?, OperatorId::new("am_001")?);
    plain.assign_manager(&inv, &some[1..], &manager)?;
    shared.stage(|d| d.assign_manager(&inv, &some[1..], &manager))?;
    both_copies_hold(&mut shared, &plain)
}

#[test]
fn a_change_rolled_back_by_a_later_one_is_not_published() -> Result<()> {
    let (mut plain, mut shared, some, now) = pair(30, 6, 2)?;
    let (inv, manager) = (admin(now)?, OperatorId::new("am_002")?);
    // As a durable store does when its commit fails: savepoint, command, rollback.
    let point = shared.stage(Desk::savepoint);
    shared.stage(|d| d.assign_manager(&inv, &some, &manager))?;
    shared.stage(|d| d.rollback(point))?;
    plain.remove_customer(&some[0])?;
    shared.stage(|d| d.remove_customer(&some[0]).map(|_| ()))?;
    both_copies_hold(&mut shared, &plain)
}
