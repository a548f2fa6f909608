//! The tour's durable part: a command, a data change and a refusal committed to an embedded
//! SQLite file, all there after the file is opened again.
#![allow(missing_docs)]

use partnerdesk::demo;
use partnerdesk_examples::store_tour;

#[test]
fn store_tour_commits_and_reopens() -> Result<(), Box<dyn std::error::Error>> {
    let (desk, now) = demo::portfolio(2_000, 2026)?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("desk.db");
    let mut out = Vec::new();
    let durable = store_tour::create(desk, &path, &mut out)?;
    store_tour::store_tour(durable, &path, now, &mut out)?;
    let text = String::from_utf8(out)?;
    assert!(text.contains("1 of 1 frozen, committed"), "{text}");
    assert!(text.contains("refused PERMISSION_DENIED"), "{text}");
    assert!(
        text.contains("events 2 and audit records 2 as before (2 and 2)"),
        "{text}"
    );
    assert!(text.contains("is frozen: true, tags: 0"), "{text}");
    Ok(())
}
