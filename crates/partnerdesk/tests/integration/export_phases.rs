//! Exports in three phases: prepare (`&mut`), write (`&self`, beside other reads), record
//! (`&mut`); what a prepared export may not do (be written after its desk changed, be written
//! or recorded on another desk, be recorded with another export's outcome).

use partnerdesk::Invocation;
use partnerdesk::access::Actor;
use partnerdesk::export::{ExportProgress, ExportRequest, ExportSelection, ExportStatus};
use partnerdesk::privacy::PseudonymKey;
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
use partnerdesk::{CustomerId, Error, OperatorId, demo};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A change to a desk.
type Change<'a> = &'a dyn Fn(&mut partnerdesk::Desk) -> Result<(), Error>;

fn admin() -> Result<Actor, Error> {
    Ok(Actor::Operator(OperatorId::new("admin")?))
}

fn go(_: ExportProgress) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// Threads search, count and page the desk while another thread writes a prepared export;
/// the writer waits (in its progress callback, inside the write) until the readers have read,
/// so the reads provably ran during the export. The reads return what they return on an idle
/// desk, and the bytes equal a one-shot export's.
#[test]
fn reads_run_beside_the_write_phase_and_the_bytes_equal_a_one_shot_export() -> TestResult {
    let (mut desk, now) = demo::portfolio(6_000, 11)?;
    let admin = admin()?;
    let busy = Query::parse("mtd>=0")?;
    let by_mtd = Sort::desc(SortKey::MonthToDate);
    let mut first_ids: Vec<CustomerId> =
        desk.select_ids(&Query::all(), Sort::asc(SortKey::Id), now);
    first_ids.truncate(20);
    let requests = [
        ExportRequest::csv(ExportSelection::all()).with_bom(true),
        ExportRequest::csv(ExportSelection::Query {
            query: busy.clone(),
            sort: by_mtd,
        }),
        ExportRequest::xlsx(ExportSelection::Ids(first_ids)),
    ];
    for request in &requests {
        let mut one_shot = Vec::new();
        let job = desk.clone().export(
            &Invocation::new(admin.clone(), now),
            request,
            &mut one_shot,
            go,
        )?;
        // What the reads return on an idle desk.
        let want_count = desk.count(&busy, now);
        let want_page = desk.search(&busy, by_mtd, &PageRequest::first(25), now)?;
        let prepared = desk.prepare_export(&Invocation::new(admin.clone(), now), request)?;
        assert_eq!(prepared.total(), job.total);
        let (reads, writing) = (AtomicUsize::new(0), AtomicBool::new(true));
        let mut out = Vec::new();
        let desk_ref = &desk;
        let written = std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| -> Result<(), Error> {
                    while writing.load(Ordering::Acquire) {
                        assert_eq!(desk_ref.count(&busy, now), want_count);
                        let page = desk_ref.search(&busy, by_mtd, &PageRequest::first(25), now)?;
                        assert_eq!(page, want_page);
                        reads.fetch_add(1, Ordering::AcqRel);
                    }
                    Ok(())
                });
            }
            let written = desk_ref.write_export(&prepared, &mut out, |p| {
                if p.done == 0 {
                    // Let the readers read while this export is in its write phase.
                    let until = Instant::now() + Duration::from_secs(20);
                    while reads.load(Ordering::Acquire) < 4 && Instant::now() < until {
                        std::thread::yield_now();
                    }
                }
                // A read from the callback itself, on the exporting thread.
                assert_eq!(desk_ref.count(&busy, now), want_count);
                ControlFlow::Continue(())
            });
            writing.store(false, Ordering::Release);
            written
        })?;
        assert!(
            reads.load(Ordering::Acquire) >= 4,
            "the readers ran during the export"
        );
        assert_eq!(out, one_shot, "the bytes of a one-shot export");
        assert_eq!(written.rows(), job.rows);
        assert_eq!(written.status(), ExportStatus::Completed);
        let recorded = desk.record_export(prepared, written)?;
        assert_eq!(recorded.status, ExportStatus::Completed);
        assert_eq!((recorded.rows, recorded.total), (job.rows, job.total));
        assert_eq!(desk.export_job(&recorded.id)?, &recorded);
    }
    Ok(())
}

#[test]
fn a_prepared_export_is_not_written_after_its_desk_changed() -> TestResult {
    let (mut desk, now) = demo::portfolio(200, 3)?;
    let admin = admin()?;
    let request = ExportRequest::csv(ExportSelection::all());
    let id = desk.select_ids(&Query::all(), Sort::asc(SortKey::Id), now)[0].clone();
    let changes: [Change<'_>; 3] = [
        &|d| d.update_customer(&id, |c| c.tags.clear()),
        &|d| d.remove_customer(&id).map(drop),
        &|d| {
            d.set_pseudonym_key(Some(PseudonymKey::new(&[7; 32])?));
            Ok(())
        },
    ];
    for change in changes {
        let mut d = desk.clone();
        let prepared = d.prepare_export(&Invocation::new(admin.clone(), now), &request)?;
        change(&mut d)?;
        let mut out = Vec::new();
        let err = d.write_export(&prepared, &mut out, go).err();
        assert_eq!(err.as_ref().map(Error::code), Some("INVALID_ARGUMENT"));
        assert!(out.is_empty(), "nothing written");
        // Prepared again, it writes the desk as it is now.
        let again = d.prepare_export(&Invocation::new(admin.clone(), now), &request)?;
        assert_ne!(again.id(), prepared.id(), "job ids are reserved at prepare");
        let written = d.write_export(&again, &mut out, go)?;
        d.record_export(again, written)?;
        assert_eq!(d.exports().len(), 1, "the stale one was never recorded");
    }
    // A read-only call, or another export prepared meanwhile, does not make it stale.
    let first = desk.prepare_export(&Invocation::new(admin.clone(), now), &request)?;
    let second = desk.prepare_export(&Invocation::new(admin.clone(), now), &request)?;
    let _ = desk.search(
        &Query::all(),
        Sort::asc(SortKey::Id),
        &PageRequest::first(5),
        now,
    )?;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let wa = desk.write_export(&first, &mut a, go)?;
    let wb = desk.write_export(&second, &mut b, go)?;
    assert_eq!(a, b);
    // Recording is not held back by a change after the write.
    desk.update_customer(&id, |c| c.tags.clear())?;
    let jb = desk.record_export(second, wb)?;
    let ja = desk.record_export(first, wa)?;
    assert_ne!(ja.id, jb.id);
    Ok(())
}

#[test]
fn a_prepared_export_belongs_to_its_desk_and_its_own_outcome() -> TestResult {
    let (mut desk, now) = demo::portfolio(50, 5)?;
    let admin = admin()?;
    let request = ExportRequest::csv(ExportSelection::all());
    let mut other = desk.clone();
    let prepared = desk.prepare_export(&Invocation::new(admin.clone(), now), &request)?;
    // Another desk (a clone is one) neither writes nor records it.
    let err = other.write_export(&prepared, Vec::new(), go).err();
    assert_eq!(err.as_ref().map(Error::code), Some("INVALID_ARGUMENT"));
    let written = desk.write_export(&prepared, Vec::new(), go)?;
    let err = other.record_export(prepared, written.clone()).err();
    assert_eq!(err.as_ref().map(Error::code), Some("INVALID_ARGUMENT"));
    assert!(other.exports().is_empty());
    // Another prepared export's outcome is refused; its own is accepted, once (record
    // consumes the prepared export).
    let prepared = desk.prepare_export(&Invocation::new(admin.clone(), now), &request)?;
    let later = desk.prepare_export(&Invocation::new(admin.clone(), now), &request)?;
    let later_written = desk.write_export(&later, Vec::new(), go)?;
    let err = desk.record_export(prepared, later_written.clone()).err();
    assert_eq!(err.as_ref().map(Error::code), Some("INVALID_ARGUMENT"));
    assert!(desk.exports().is_empty(), "nothing recorded by a refusal");
    let job = desk.record_export(later, later_written)?;
    assert_eq!(desk.exports(), std::slice::from_ref(&job));
    Ok(())
}

#[test]
fn refusals_cancels_and_failures_keep_their_phase() -> TestResult {
    let (mut desk, now) = demo::portfolio(5_000, 9)?;
    // Refused at prepare, audited, no job and no id used.
    let clerk = Actor::Operator(OperatorId::new("nobody")?);
    let request = ExportRequest::csv(ExportSelection::all());
    let err = desk
        .prepare_export(&Invocation::new(clerk.clone(), now), &request)
        .err();
    assert!(err.is_some());
    assert!(desk.exports().is_empty());
    // Cancelled in the write phase: recorded as cancelled, `EXPORT_CANCELLED` at record.
    let admin = admin()?;
    let prepared = desk.prepare_export(&Invocation::new(admin.clone(), now), &request)?;
    let written = desk.write_export(&prepared, Vec::new(), |p| {
        if p.done >= 4096 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    assert_eq!(written.status(), ExportStatus::Cancelled);
    assert_eq!(written.rows(), 4096);
    let err = desk.record_export(prepared, written).err();
    assert_eq!(err.as_ref().map(Error::code), Some("EXPORT_CANCELLED"));
    assert_eq!(desk.exports()[0].status, ExportStatus::Cancelled);
    Ok(())
}

#[test]
fn a_download_again_runs_in_the_same_three_phases() -> TestResult {
    let (mut desk, now) = demo::portfolio(300, 13)?;
    let admin = admin()?;
    let mut first = Vec::new();
    let job = desk.export(
        &Invocation::new(admin.clone(), now),
        &ExportRequest::csv(ExportSelection::all()),
        &mut first,
        go,
    )?;
    let mut one_shot = Vec::new();
    let rows = desk.clone().download_export(
        &Invocation::new(admin.clone(), now),
        &job.id,
        &mut one_shot,
        go,
    )?;
    let prepared = desk.prepare_download(&Invocation::new(admin.clone(), now), &job.id)?;
    assert_eq!(prepared.id(), &job.id);
    let mut out = Vec::new();
    let written = desk.write_export(&prepared, &mut out, |_| {
        // A read during the download's write phase.
        assert_eq!(desk.count(&Query::all(), now) as u64, job.total);
        ControlFlow::Continue(())
    })?;
    assert_eq!(out, one_shot);
    // A prepared download is not recorded as a new export.
    let refused = desk.record_export(prepared, written.clone()).err();
    assert_eq!(refused.as_ref().map(Error::code), Some("INVALID_ARGUMENT"));
    let prepared = desk.prepare_download(&Invocation::new(admin.clone(), now), &job.id)?;
    let written = desk.write_export(&prepared, Vec::new(), go)?;
    assert_eq!(desk.record_download(prepared, written)?, rows);
    assert_eq!(desk.exports().len(), 1, "a download records no job");
    Ok(())
}

/// The export order brought up to date from a shared borrow (`export_order_update`) and
/// installed in a moment (`install_export_order`): after each kind of change (none yet, a
/// freeze, a customer removed, spend recorded, a month roll) the update is built, the desk
/// then exports the same bytes as a clone that never saw an update, and the preparation finds
/// nothing left to do. An update is not installed after a change, on another desk, or built
/// for an actor who may not export.
#[test]
fn an_export_order_built_beside_reads_is_installed_only_on_its_unchanged_desk() -> TestResult {
    use partnerdesk::freeze::FreezeRequest;
    use partnerdesk::{ChargingMode, FreezeScope, Money, SpendRecord};
    let (mut desk, now) = demo::portfolio(400, 21)?;
    let admin = admin()?;
    let inv = Invocation::new(admin.clone(), now);
    let request = ExportRequest::csv(ExportSelection::all());
    let by_manager = ExportRequest::csv(ExportSelection::Query {
        query: Query::parse("assoc=reseller")?,
        sort: Sort::desc(SortKey::Id),
    });
    let stranger = Actor::Operator(OperatorId::new("nobody_here")?);
    assert!(desk.export_order_update(&stranger).is_none());
    let ids: Vec<CustomerId> = desk.customers().map(|c| c.id.clone()).collect();
    let resellers: Vec<CustomerId> = desk
        .customers()
        .filter(|c| c.is_associated() && c.association.is_reseller_model())
        .map(|c| c.id.clone())
        .collect();
    let changes: [Change; 5] = [
        &|_| Ok(()),
        &|d| {
            let freeze =
                FreezeRequest::new(resellers[..3].to_vec(), FreezeScope::Account, "review")?;
            d.freeze(&Invocation::new(admin.clone(), now), &freeze)
                .map(|_| ())
        },
        &|d| d.remove_customer(&ids[7]).map(|_| ()),
        &|d| {
            let spend = SpendRecord {
                day: (now - chrono::Duration::days(1)).date_naive(),
                product: "ecs".into(),
                amount: Money::new(partnerdesk::Decimal::new(4321, 2), d.partner().currency),
                mode: ChargingMode::PayPerUse,
            };
            d.add_spend(&ids[11], spend)
        },
        &|d| d.roll_to(now + chrono::Duration::days(31)),
    ];
    for (step, change) in changes.iter().enumerate() {
        change(&mut desk)?;
        let mut plain = desk.clone();
        let update = desk
            .export_order_update(&admin)
            .ok_or("an update to build")?;
        // Built on this desk: not for its clone.
        let for_clone = desk.export_order_update(&admin).ok_or("an update")?;
        assert!(!plain.install_export_order(for_clone), "step {step}");
        assert!(desk.install_export_order(update), "step {step}");
        assert!(desk.export_order_update(&admin).is_none(), "step {step}");
        for req in [&request, &by_manager] {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            desk.export(&inv, req, &mut a, go)?;
            plain.export(&inv, req, &mut b, go)?;
            assert_eq!(String::from_utf8(a)?, String::from_utf8(b)?, "step {step}");
        }
        // Built, then the desk changed: not installed, and the next export is still right.
        let stale = desk.export_order_update(&admin);
        assert!(stale.is_none(), "step {step}: up to date after the exports");
        desk.remove_customer(&ids[40 + step])?;
        let update = desk
            .export_order_update(&admin)
            .ok_or("a change to merge")?;
        desk.remove_customer(&ids[20 + step])?;
        assert!(!desk.install_export_order(update), "step {step}");
        let mut plain = desk.clone();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        desk.export(&inv, &request, &mut a, go)?;
        plain.export(&inv, &request, &mut b, go)?;
        assert_eq!(String::from_utf8(a)?, String::from_utf8(b)?, "step {step}");
    }
    Ok(())
}
