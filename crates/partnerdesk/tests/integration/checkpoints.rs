//! Checkpoints of an older format keep opening.
//!
//! `tests/fixtures/checkpoint-v1.bin` is a version 1 checkpoint written once and committed,
//! beside `checkpoint-v1.json`, the JSON snapshot of the same desk (a small demo portfolio,
//! one freeze, one refused grant: customers, events and audit records). While version 1 is
//! the newest format this checks that the committed bytes still open; from version 2 on it is
//! the test that "a checkpoint of an older format still opens". Never rewrite the fixture to
//! make this pass: add a reader for the old version instead. To write it the first time:
//! `PARTNERDESK_WRITE_FIXTURES=1 cargo test -p partnerdesk --test integration checkpoints`.

use partnerdesk::freeze::FreezeRequest;
use partnerdesk::{Actor, Desk, FreezeScope, Invocation, OperatorId, Permission, demo};
use std::path::PathBuf;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn fixture_desk() -> Result<Desk, partnerdesk::Error> {
    let (mut desk, now) = demo::portfolio(6, 11)?;
    let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    let ids: Vec<_> = desk
        .customers()
        .filter(|c| c.association.is_reseller_model() && c.is_associated() && !c.freeze.is_frozen())
        .take(1)
        .map(|c| c.id.clone())
        .collect();
    if !ids.is_empty() {
        desk.freeze(
            &admin,
            &FreezeRequest::new(ids, FreezeScope::Account, "overdue")?,
        )?;
    }
    let am = Invocation::new(Actor::Operator(OperatorId::new("am_000")?), now);
    let refused = desk.grant_permissions(
        &am,
        &OperatorId::new("ops_billing")?,
        &[Permission::ViewSpend],
    );
    assert!(refused.is_err());
    Ok(desk)
}

#[test]
fn the_version_1_checkpoint_fixture_still_opens() -> TestResult {
    let bin = fixture("checkpoint-v1.bin");
    let json = fixture("checkpoint-v1.json");
    if std::env::var_os("PARTNERDESK_WRITE_FIXTURES").is_some() {
        let desk = fixture_desk()?;
        std::fs::write(&bin, desk.to_checkpoint()?)?;
        std::fs::write(&json, desk.to_snapshot_json()?)?;
    }
    let bytes = std::fs::read(&bin)?;
    assert_eq!(
        bytes.get(8..12),
        Some(&1u32.to_le_bytes()[..]),
        "a version 1 file"
    );
    let desk = Desk::from_checkpoint(&bytes)?;
    let expected = Desk::from_snapshot_json(&std::fs::read_to_string(&json)?)?;
    assert_eq!(desk, expected);
    assert_eq!(desk.len(), 6);
    assert!(!desk.events().is_empty(), "the fixture holds events");
    assert!(desk.mark().audit > 0, "the fixture holds audit records");
    Ok(())
}
