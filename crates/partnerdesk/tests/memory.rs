//! `Desk::memory_report` against a counting allocator (`stats_alloc`): a test binary of its
//! own, as the allocator is the process's, and one test in it, so that no other test's
//! allocations are counted.

use partnerdesk::access::Actor;
use partnerdesk::export::{ExportRequest, ExportSelection};
use partnerdesk::{Invocation, OperatorId, Result, demo};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use std::alloc::System;
use std::ops::ControlFlow;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes held through the allocator now.
fn held() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

/// Whether `estimate` is within `percent` of `actual`.
fn within(estimate: usize, actual: i64, percent: i64) -> bool {
    (estimate as i64 - actual).abs() * 100 <= actual * percent
}

/// The report's total is within 5% of what the allocator holds for a 10k demo desk, as built
/// and after an export (which adds the export copy), and grows with the desk.
#[test]
fn the_report_tracks_the_allocator_and_grows_with_the_desk() -> Result<()> {
    let before = held();
    let (mut desk, now) = demo::portfolio(10_000, 7)?;
    let built = held() - before;
    let report = desk.memory_report();
    assert!(
        within(report.total(), built, 5),
        "estimated {} against {built} held\n{report}",
        report.total()
    );
    assert!(report.bytes_of("customers.heap") > report.bytes_of("by_id"));
    assert_eq!(report.bytes_of("export_copy"), 0);

    let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    let csv = ExportRequest::csv(ExportSelection::all());
    desk.export(&admin, &csv, std::io::sink(), |_| ControlFlow::Continue(()))?;
    let exported = held() - before;
    let after = desk.memory_report();
    assert!(
        within(after.total(), exported, 5),
        "estimated {} against {exported} held after the export\n{after}",
        after.total()
    );
    assert!(after.bytes_of("export_copy") > 100 * 10_000);

    let (small, _) = demo::portfolio(1_000, 7)?;
    let small = small.memory_report();
    assert!(small.total() * 5 < report.total());
    // Every part that holds something a customer grows with them.
    for part in [
        "customers.slots",
        "customers.heap",
        "by_id",
        "index.mobile_rev",
        "index.mtd",
    ] {
        assert!(
            small.bytes_of(part) * 5 < report.bytes_of(part),
            "{part}: {} at 1k, {} at 10k",
            small.bytes_of(part),
            report.bytes_of(part)
        );
    }
    Ok(())
}
