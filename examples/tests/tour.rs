//! The tour's search part runs and prints what it promises (on a smaller desk).
#![allow(missing_docs)]

use partnerdesk::demo;
use partnerdesk_examples::search_tour::{SEARCHES, search_tour};

#[test]
fn search_tour_prints_every_search_and_pages() -> Result<(), Box<dyn std::error::Error>> {
    // The size the tour runs on, so that what it shows is what a reader sees.
    let (desk, now) = demo::portfolio(10_000, 2026)?;
    let mut out = Vec::new();
    search_tour(&desk, now, &mut out)?;
    let text = String::from_utf8(out)?;
    for (title, filter, ..) in SEARCHES {
        assert!(text.contains(title), "missing {title}");
        assert!(text.contains(filter), "missing {filter}");
    }
    assert!(text.contains("-- page 2"));
    // Every search shows rows, and no value is cut to fit its column.
    assert!(!text.contains(" 0 match(es)"), "{text}");
    assert!(!text.contains('…'), "{text}");
    assert!(text.contains("FILTER_SYNTAX"));
    // Rows are masked: no raw customer name of the desk appears.
    for c in desk.customers().take(200) {
        let name = c.name.expose();
        if name.chars().count() > 2 {
            assert!(!text.contains(name.as_str()), "a raw name leaked");
        }
    }
    Ok(())
}
