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
    // The exported files exist; clean up the folder the tour keeps for people.
    let csv = text
        .lines()
        .find_map(|l| l.strip_prefix("CSV:  "))
        .and_then(|l| l.split(" (").next())
        .ok_or("no CSV path")?;
    let csv = std::path::Path::new(csv);
    let folder = csv.parent().ok_or("no folder")?;
    assert!(csv.is_file() && folder.join("customers.xlsx").is_file());
    assert_eq!(
        std::fs::read_dir(folder)?.count(),
        2,
        "the two exports and nothing else"
    );
    std::fs::remove_dir_all(folder)?;
    // Only the revealed e-mail appears in clear; no other raw name of the desk.
    for c in desk.customers().take(300) {
        let name = c.name.expose();
        if name.chars().count() > 2 {
            assert!(!text.contains(name.as_str()), "a raw name leaked");
        }
    }
    Ok(())
}
