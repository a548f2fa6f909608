//! The tour's privacy part runs and shows what it promises: masked rows, an audited reveal, and
//! CSV and XLSX exports on disk with their first rows.
#![allow(missing_docs)]

use partnerdesk::demo;
use partnerdesk_examples::privacy_tour::privacy_tour;

#[test]
fn privacy_tour_masks_reveals_and_exports() -> Result<(), Box<dyn std::error::Error>> {
    let (desk, now) = demo::portfolio(3_000, 2026)?;
    let mut out = Vec::new();
    privacy_tour(&desk, now, &mut out)?;
    let text = String::from_utf8(out)?;
    assert!(text.contains("masked by default"));
    assert!(text.contains("admin reveals the e-mail"));
    assert!(text.contains("refused, PERMISSION_DENIED"));
    let audit: Vec<&str> = text.lines().filter(|l| l.contains("audit:")).collect();
    assert!(
        audit
            .iter()
            .any(|l| l.contains(" reveal ") && l.contains(" allowed")),
        "{text}"
    );
    assert!(
        audit
            .iter()
            .any(|l| l.contains(" reveal ") && l.contains(" denied PERMISSION_DENIED")),
        "{text}"
    );
    assert!(text.contains("Customer ID,Account Name,Customer Name"));
    assert!(text.contains("Customer ID | Account Name | Customer Name"));
    // The files were written to a temporary folder, read back above, and removed at the end.
    let csv = text
        .lines()
        .find_map(|l| l.strip_prefix("CSV:  "))
        .and_then(|l| l.split(" (").next())
        .ok_or("no CSV path")?;
    let folder = std::path::Path::new(csv).parent().ok_or("no folder")?;
    assert!(text.contains("is removed now"), "{text}");
    assert!(!folder.exists(), "the tour leaves nothing behind");
    // Only the revealed e-mail appears in clear; no other raw name of the desk.
    for c in desk.customers().take(300) {
        let name = c.name.expose();
        if name.chars().count() > 2 {
            assert!(!text.contains(name.as_str()), "a raw name leaked");
        }
    }
    Ok(())
}
