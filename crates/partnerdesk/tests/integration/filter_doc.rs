//! `docs/filter.md` is the one description of the filter language: every field and sort key the
//! parser knows is in it, its examples parse, its limits are the code's, and its typo examples
//! give the errors it shows.

use partnerdesk::calendar::MAX_DAYS;
use partnerdesk::query::{FIELDS, MAX_CRITERIA, MAX_DEPTH, MAX_FILTER_LEN, Query, SortKey};
use partnerdesk::{Error, Result};

const DOC: &str = include_str!("../../../../docs/filter.md");

/// The rows of the markdown table under `heading`, first cell of each, without backticks.
fn first_cells(heading: &str) -> Vec<String> {
    DOC.split(heading)
        .nth(1)
        .unwrap_or_default()
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .filter_map(|l| l.split('|').nth(1))
        .map(|c| c.trim().trim_matches('`').to_owned())
        .collect()
}

#[test]
fn every_field_and_sort_key_is_described() {
    let fields = first_cells("Fields and their operators:").join(", ");
    for f in FIELDS {
        assert!(
            fields.split(", ").any(|c| c.trim_matches('`') == *f),
            "field {f} is not in docs/filter.md"
        );
    }
    let keys = first_cells("## Sort keys");
    for k in SortKey::ALL {
        assert!(keys.iter().any(|c| c == k.as_str()), "sort key {k:?}");
        assert_eq!(SortKey::parse(k.as_str()).ok(), Some(k));
    }
    assert_eq!(keys.len(), 6, "every documented key exists");
    for k in &keys {
        assert!(SortKey::parse(k).is_ok(), "documented key {k} parses");
    }
}

#[test]
fn the_examples_parse() -> Result<()> {
    let examples = first_cells("## Examples");
    assert!(examples.len() >= 15);
    for e in &examples {
        Query::parse(e)?;
    }
    Ok(())
}

#[test]
fn the_limits_are_the_codes() {
    for (what, n) in [
        ("characters of text", MAX_FILTER_LEN),
        ("levels of nesting", MAX_DEPTH),
        ("terms", MAX_CRITERIA),
        ("days", MAX_DAYS as usize),
    ] {
        assert!(
            DOC.contains(&format!("at most {n} {what}")),
            "docs/filter.md gives another limit of {what} than {n}"
        );
    }
}

fn position(filter: &str) -> Option<usize> {
    match Query::parse(filter) {
        Err(Error::FilterSyntax { position, .. }) => Some(position),
        _ => None,
    }
}

#[test]
fn the_typos_give_the_errors_shown() {
    assert_eq!(position("nmae~cloud"), Some(0));
    assert!(DOC.contains("FILTER_SYNTAX at position 0: expected a field (name, account, ...)"));
    assert_eq!(position("mtd>=1000 and (tag:vip or"), Some(25));
    assert!(DOC.contains("FILTER_SYNTAX at position 25"));
    assert_eq!(position("mtd>=lots"), Some(5));
    let unknown = Query::parse("nmae~cloud").err().map(|e| e.to_string());
    for f in FIELDS {
        assert!(unknown.as_deref().is_some_and(|m| m.contains(f)), "{f}");
    }
}

/// Every README a host user starts from links the one description of the filter language.
#[test]
fn every_readme_links_the_filter_language() -> std::result::Result<(), std::io::Error> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for (readme, link) in [
        ("README.md", "docs/filter.md"),
        ("bindings/python/README.md", "../../docs/filter.md"),
        ("bindings/node/README.md", "../../docs/filter.md"),
        ("bindings/uniffi/README.md", "../../docs/filter.md"),
    ] {
        let text = std::fs::read_to_string(root.join(readme))?;
        assert!(
            text.contains(&format!("]({link})")),
            "{readme} links {link}"
        );
    }
    Ok(())
}
