//! Checkpoints of an older format keep opening.
//!
//! `tests/fixtures/checkpoint-vN.bin` is a version N checkpoint written once and committed,
//! beside `checkpoint-vN.json`, the JSON snapshot of the same desk (a small demo portfolio,
//! one freeze, one refused grant: customers, events and audit records). Each test checks that
//! the committed bytes of one version still open: for every version but the newest, the test
//! that "a checkpoint of an older format still opens". Never rewrite a fixture to make this
//! pass: add a reader for the old version instead. To write the newest version's fixture the
//! first time: `PARTNERDESK_WRITE_FIXTURES=1 cargo test -p partnerdesk --test integration
//! checkpoints` (it writes only a fixture that is not there yet).

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

/// Opens the committed fixture of `version` and compares it with the JSON snapshot beside it.
fn opens(version: u32) -> TestResult {
    let bin = fixture(&format!("checkpoint-v{version}.bin"));
    let json = fixture(&format!("checkpoint-v{version}.json"));
    if std::env::var_os("PARTNERDESK_WRITE_FIXTURES").is_some()
        && version == partnerdesk::checkpoint::CHECKPOINT_VERSION
        && !bin.exists()
    {
        let desk = fixture_desk()?;
        std::fs::write(&bin, desk.to_checkpoint()?)?;
        std::fs::write(&json, desk.to_snapshot_json()?)?;
    }
    let bytes = std::fs::read(&bin)?;
    assert_eq!(
        bytes.get(8..12),
        Some(&version.to_le_bytes()[..]),
        "a version {version} file"
    );
    let desk = Desk::from_checkpoint(&bytes)?;
    let expected = Desk::from_snapshot_json(&std::fs::read_to_string(&json)?)?;
    assert_eq!(desk, expected);
    assert_eq!(desk.len(), 6);
    assert!(!desk.events().is_empty(), "the fixture holds events");
    assert!(desk.mark().audit > 0, "the fixture holds audit records");
    Ok(())
}

#[test]
fn the_version_1_checkpoint_fixture_still_opens() -> TestResult {
    opens(1)
}

#[test]
fn the_version_2_checkpoint_fixture_still_opens() -> TestResult {
    opens(2)
}

#[test]
fn the_version_3_checkpoint_fixture_still_opens() -> TestResult {
    opens(3)
}

#[test]
fn the_version_4_checkpoint_fixture_still_opens() -> TestResult {
    opens(4)
}

#[test]
fn the_newest_version_has_a_fixture() {
    assert!(
        fixture(&format!(
            "checkpoint-v{}.bin",
            partnerdesk::checkpoint::CHECKPOINT_VERSION
        ))
        .exists()
    );
}

/// Both mask policies go through a checkpoint, and so does a `mask_policy_set` event in its
/// log (every rule shape, inside the log's tagged events, decodes back from MessagePack).
#[test]
fn a_checkpoint_keeps_both_mask_policies_and_their_events() -> TestResult {
    use partnerdesk::privacy::{MaskPolicy, MaskRule};
    let mut desk = fixture_desk()?;
    let rows = MaskPolicy {
        name: MaskRule::Keep { first: 1, last: 2 },
        email: MaskRule::Hidden,
        manager_name: MaskRule::Fixed("staff".into()),
        ..MaskPolicy::strict()
    };
    let exports = MaskPolicy {
        mobile: MaskRule::Pseudonym,
        ..MaskPolicy::console()
    };
    desk.set_row_policy(rows.clone())?;
    desk.set_export_policy(exports.clone())?;
    let again = Desk::from_checkpoint(&desk.to_checkpoint()?)?;
    assert_eq!(again.row_policy(), &rows);
    assert_eq!(again.export_policy(), &exports);
    assert_eq!(again.events(), desk.events());
    assert_eq!(again, desk);
    // The committed fixtures, written before the policies were saved: the console's.
    for version in [1, 2] {
        let old = Desk::from_checkpoint(&std::fs::read(fixture(&format!(
            "checkpoint-v{version}.bin"
        )))?)?;
        assert_eq!(old.row_policy(), &MaskPolicy::console());
        assert_eq!(old.export_policy(), &MaskPolicy::console());
    }
    Ok(())
}
