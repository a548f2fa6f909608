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

fn snapshot(shared: &SharedDesk) -> Result<String> {
    shared
        .read(Desk::to_snapshot_json)
        .unwrap_or_else(|| Ok(String::new()))
}

#[test]
fn a_held_read_keeps_its_desk_while_a_change_is_published() -> Result<()> {
    let (desk, now) = demo::portfolio(30, 3)?;
    let id = ids(&desk, 1);
    let mut shared = SharedDesk::new(desk);
    let reader = shared.reader();
    let held = reader.enter();
    let manager = OperatorId::new("am_002")?;
    let (inv, assigned) = (admin(now)?, id.clone());
    shared.write(move |d| d.assign_manager(&inv, &assigned, &manager))?;
    // The held guard still reads the copy it entered; a new read sees the change.
    let before = held
        .as_ref()
        .map(|d| d.customer(&id[0]).map(|c| c.account_manager.clone()));
    let after = reader.read(|d| d.customer(&id[0]).map(|c| c.account_manager.clone()));
    drop(held);
    let name = |m: Option<Result<Option<OperatorId>>>| -> Result<Option<String>> {
        Ok(m.transpose()?.flatten().map(|m| m.as_str().to_owned()))
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
    let (i, f) = (inv.clone(), freeze.clone());
    shared.write(move |d| d.freeze(&i, &f))?;
    let nobody = OperatorId::new("nobody_here")?;
    let refused = plain.assign_manager(&inv, &some[3..], &nobody).err();
    let (i, s, n) = (inv.clone(), some[3..].to_vec(), nobody.clone());
    let refused_shared = shared.write(move |d| d.assign_manager(&i, &s, &n)).err();
    assert_eq!(refused.map(|e| e.code()), refused_shared.map(|e| e.code()));
    let gone = some[5].clone();
    plain.remove_customer(&gone)?;
    shared.write(move |d| d.remove_customer(&gone).map(|_| ()))?;
    let want = plain.to_snapshot_json()?;
    // The published copy ran the changes; one more (empty) change publishes the other copy,
    // which replayed them.
    let first = snapshot(&shared)?;
    shared.write(|_| Ok(()))?;
    let second = snapshot(&shared)?;
    assert!(first == want, "the copy that ran the changes differs");
    assert!(second == want, "the copy that replayed them differs");
    assert_eq!(shared.read(Desk::mark), Some(plain.mark()));
    Ok(())
}

#[test]
fn readers_on_other_threads_read_while_the_writer_changes() -> Result<()> {
    let (desk, now) = demo::portfolio(200, 9)?;
    let some = ids(&desk, 50);
    let mut plain = desk.clone();
    let mut shared = SharedDesk::new(desk);
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
                        let total = reader.read(|d| d.len()).unwrap_or(0);
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
            shared.write(move |d| d.assign_manager(&inv, &id, &manager))?;
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(running.into_iter().map(|h| h.join().unwrap_or(0)).collect())
    })?;
    assert!(reads.iter().all(|n| *n > 0), "{reads:?}");
    assert!(!plain.events().is_empty());
    assert_eq!(shared.read(Desk::mark), Some(plain.mark()));
    assert!(snapshot(&shared)? == plain.to_snapshot_json()?);
    Ok(())
}

#[test]
fn a_reader_of_a_dropped_desk_reads_nothing() -> Result<()> {
    let (desk, _now) = demo::portfolio(5, 1)?;
    let shared = SharedDesk::new(desk);
    let reader = shared.reader();
    assert_eq!(reader.read(|d| d.len()), Some(5));
    drop(shared);
    assert_eq!(reader.read(|d| d.len()), None);
    assert!(reader.enter().is_none());
    Ok(())
}
