//! The host-neutral helpers every binding calls, and the list of operations the parity tests
//! of each host read.

use partnerdesk::export::{ExportSelection, ExportWritten};
use partnerdesk_host::{OPERATIONS_TOML, export, thresholds};
use std::collections::HashSet;

/// The `key = "text"` lines of each `[section]`, in order.
fn sections() -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in OPERATIONS_TOML.lines() {
        let line = line.trim_end();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push((name.to_owned(), Vec::new()));
        } else if let Some((key, value)) = line.split_once(" = \"")
            && let Some(section) = out.last_mut()
        {
            let text = value.trim_end_matches('"').to_owned();
            section.1.push((key.to_owned(), text));
        }
    }
    out
}

#[test]
fn the_operations_list_is_well_formed() {
    let sections = sections();
    let names: Vec<&str> = sections.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["naming", "desk", "module"]);
    for (key, rule) in &sections[0].1 {
        assert!(
            ["python", "node", "kotlin", "swift"].contains(&key.as_str()),
            "{key}"
        );
        assert!(
            ["snake_case", "camelCase"].contains(&rule.as_str()),
            "{key} = {rule}"
        );
    }
    let mut seen = HashSet::new();
    for (section, entries) in &sections[1..] {
        assert!(entries.len() >= 10, "{section}");
        for (key, text) in entries {
            let snake = key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            assert!(snake && !key.starts_with('_'), "{key} is not snake_case");
            assert!(seen.insert(key.clone()), "{key} is listed twice");
            assert!(!text.is_empty(), "{key} has no description");
        }
    }
}

#[test]
fn thresholds_are_decimal_percentages_or_refused() {
    let t = thresholds(&["80".to_owned(), " 95.5 ".to_owned()]).map_err(|e| e.code());
    assert_eq!(
        t.map(|t| t.iter().map(|d| d.to_string()).collect::<Vec<_>>()),
        Ok(vec!["80".to_owned(), "95.5".to_owned()])
    );
    let bad = thresholds(&["eighty".to_owned()]).map_err(|e| e.code());
    assert_eq!(bad.err(), Some("INVALID_ARGUMENT"));
}

#[test]
fn export_requests_take_csv_or_xlsx_and_a_bom_only_on_csv() {
    let code = |format: &str, bom: bool, columns: Option<&[String]>| {
        export::request(ExportSelection::all(), format, bom, columns, None)
            .err()
            .map(|e| e.code())
    };
    assert_eq!(code("csv", true, None), None);
    assert_eq!(code("xlsx", false, None), None);
    assert_eq!(code("xlsx", true, None), Some("INVALID_ARGUMENT"));
    assert_eq!(code("pdf", false, None), Some("INVALID_ARGUMENT"));
    assert_eq!(
        code("csv", false, Some(&["password".to_owned()])),
        Some("INVALID_ARGUMENT")
    );
}

#[test]
fn a_refused_chunk_fails_the_export_and_a_failed_write_keeps_the_file() -> Result<(), String> {
    let refused = export::to_chunks(
        |_| false,
        |out| {
            out.write_all(b"row\n")
                .map_err(|_| export::write_failed("x"))?;
            Ok(())
        },
    );
    assert_eq!(refused.err().map(|e| e.code()), Some("EXPORT_WRITE_FAILED"));

    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("out.csv");
    std::fs::write(&path, b"old").map_err(|e| e.to_string())?;
    let failed: Result<ExportWritten, _> = export::to_path(&path, |out| {
        out.write_all(b"half")
            .map_err(|_| export::write_failed("x"))?;
        Err(export::write_failed("the host gave up"))
    });
    assert_eq!(failed.err().map(|e| e.code()), Some("EXPORT_WRITE_FAILED"));
    assert_eq!(std::fs::read(&path).map_err(|e| e.to_string())?, b"old");
    let missing = export::to_path(&dir.path().join("no/such/dir.csv"), |_| Ok(()));
    assert_eq!(missing.err().map(|e| e.code()), Some("INVALID_ARGUMENT"));
    Ok(())
}
