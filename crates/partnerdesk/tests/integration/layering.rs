//! The core's layering, as ARCHITECTURE.md states it, checked on the source: the model imports
//! nothing of the operations, the search, the export or the log; search and privacy read the
//! model, not the operations. A `crate::` path that breaks a rule fails this test with the file
//! and the path.

use std::path::{Path, PathBuf};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// A `crate::` path found: the file, the part it leads to, the path.
type Import = (String, String, String);

/// The folder (or root module) a `crate::` path leads to, through the root's re-exports.
fn part(first: &str) -> &str {
    match first {
        "calendar" | "customer" | "ids" | "money" | "partner" | "resource" | "spend" | "tags"
        | "model" => "model",
        "access" | "analysis" | "association" | "authorization" | "budget" | "command"
        | "freeze" | "invocation" | "manager" | "order" | "ops" => "ops",
        "audit" | "chain" | "event" | "ledger" | "log" => "log",
        "index" | "sorted" | "query" | "row" | "search" => "search",
        "export" | "export_rows" | "id_order" | "xlsx" => "export",
        // The root's type re-exports.
        "Desk" => "desk",
        "Error" | "Result" | "IdKind" => "error",
        "Invocation" => "ops",
        "Decimal" => "rust_decimal",
        t if t.starts_with(char::is_uppercase) => "model",
        other => other,
    }
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            sources(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Every `crate::` path of the folder's code (comments and test modules left out), as
/// (file, the part it leads to, the path).
fn imports(folder: &str) -> TestResult<Vec<Import>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(folder);
    let mut files = Vec::new();
    sources(&root, &mut files)?;
    assert!(!files.is_empty(), "no sources under {}", root.display());
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        let code = text
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap_or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let rest = &line[i + "crate::".len()..];
                let first: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let path: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                found.push((
                    file.display().to_string(),
                    part(&first).to_owned(),
                    format!("crate::{path}"),
                ));
            }
        }
    }
    Ok(found)
}

fn assert_only(folder: &str, allowed: &[&str]) -> TestResult {
    let wrong: Vec<_> = imports(folder)?
        .into_iter()
        .filter(|(_, part, _)| !allowed.contains(&part.as_str()))
        .collect();
    assert!(
        wrong.is_empty(),
        "{folder}/ may import only {allowed:?}; found {wrong:#?}"
    );
    Ok(())
}

#[test]
fn the_model_imports_only_the_model_and_the_error_type() -> TestResult {
    assert_only("model", &["model", "error"])
}

#[test]
fn search_reads_the_model_and_the_desk_not_the_operations() -> Result<(), Box<dyn std::error::Error>>
{
    assert_only(
        "search",
        &[
            "model", "error", "desk", "search", "validate", "hash", "par", "privacy",
        ],
    )
}

#[test]
fn privacy_reads_the_model_not_search_or_export() -> TestResult {
    assert_only(
        "privacy",
        &[
            "model", "error", "desk", "privacy", "validate", "log", "ops",
        ],
    )
}

#[test]
fn export_reads_the_search_privacy_and_model_not_the_operations() -> TestResult {
    // The export is an audited operation (`log`) that takes an `Invocation` (`ops`), and
    // nothing else of the operations.
    let ops: Vec<_> = imports("export")?
        .into_iter()
        .filter(|(_, part, path)| part == "ops" && path != "crate::invocation::Invocation")
        .collect();
    assert!(ops.is_empty(), "export/ imports operations: {ops:#?}");
    assert_only(
        "export",
        &[
            "model", "error", "desk", "export", "search", "privacy", "validate", "log", "ops",
            "hash", "ab",
        ],
    )
}

/// No source file of the core is over 700 lines, its unit tests (from the first
/// `#[cfg(test)]` line on) excepted: issue #14's bound, so that a file stays one concern.
#[test]
fn no_core_source_file_is_over_700_lines_without_its_tests() -> TestResult {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files)?;
    assert!(files.len() > 30, "the core's sources were found");
    let mut over = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f)?;
        let lines = text
            .lines()
            .take_while(|l| l.trim() != "#[cfg(test)]")
            .count();
        if lines > 700 {
            over.push(format!("{} ({lines} lines)", f.display()));
        }
    }
    assert!(over.is_empty(), "over 700 lines: {over:?}");
    Ok(())
}

/// Each governed concept applies its own events in its `ops/` module, and the log's event
/// module applies none (issue #14: `log/event.rs` keeps the event types, their text and
/// replay's dispatch, not a concept's state change).
#[test]
fn each_concept_applies_its_own_events() -> TestResult {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let event = std::fs::read_to_string(src.join("log/event.rs"))?;
    assert!(
        !event.contains("fn apply"),
        "log/event.rs applies no event itself"
    );
    for (module, function) in [
        ("access", "fn apply_permissions"),
        ("association", "fn apply_associated"),
        ("authorization", "fn apply_authorization_requested"),
        ("budget", "fn apply_budget_set"),
        ("command", "fn apply_command_recorded"),
        ("freeze", "fn apply_freeze"),
        ("manager", "fn apply_manager"),
        ("order", "fn apply_order_placed"),
    ] {
        let text = std::fs::read_to_string(src.join(format!("ops/{module}.rs")))?;
        assert!(text.contains(function), "ops/{module}.rs has {function}");
    }
    Ok(())
}
