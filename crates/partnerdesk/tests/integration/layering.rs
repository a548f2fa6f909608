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
        "calendar" | "customer" | "ids" | "money" | "partner" | "resource" | "spend" | "model" => {
            "model"
        }
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
            "model", "error", "desk", "search", "validate", "hash", "privacy",
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
