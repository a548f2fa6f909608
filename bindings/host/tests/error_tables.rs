//! The Python binding's checked error text (the exception stubs in `_partnerdesk.pyi`, the
//! table in its README) agrees with the core's `Error::TABLE`, which the core's `errors!` macro
//! generates from the one list that declares the enum. Nothing here parses Rust.
//!
//! Stale text fails this test; `PD_BLESS=1 cargo test -p partnerdesk-host --test error_tables`
//! rewrites the two regions (between their `BEGIN GENERATED ERRORS` and `END GENERATED ERRORS`
//! lines) instead. `bindings/python/test.sh` runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use partnerdesk::{DetailKind, Error};
use std::path::PathBuf;

fn python() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../python")
}

fn py_type(kind: DetailKind) -> &'static str {
    match kind {
        DetailKind::Int => "int",
        _ => "str",
    }
}

/// The exception classes of the stubs.
fn pyi() -> String {
    let mut out = Vec::new();
    for v in Error::TABLE {
        out.push(format!("class {}Error(PartnerDeskError):", v.name()));
        out.push(format!("    \"\"\"{} Code `{}`.\"\"\"", v.doc(), v.code()));
        for f in v.fields() {
            out.push(format!("    {}: {}", f.name(), py_type(f.kind())));
        }
        if v.fields().is_empty() {
            out.push("    ...".into());
        }
        out.push(String::new());
    }
    out.push("__all__ += [".into());
    for v in Error::TABLE {
        out.push(format!("    \"{}Error\",", v.name()));
    }
    out.push("]".into());
    out.join("\n")
}

/// The README's table.
fn readme() -> String {
    let mut out = vec![
        "| code | exception | attributes | meaning |".to_owned(),
        "| --- | --- | --- | --- |".to_owned(),
    ];
    for v in Error::TABLE {
        let attrs: Vec<String> = v
            .fields()
            .iter()
            .map(|f| format!("`{}`", f.name()))
            .collect();
        let attrs = if attrs.is_empty() {
            "-".to_owned()
        } else {
            attrs.join(", ")
        };
        out.push(format!(
            "| `{}` | `{}Error` | {attrs} | {} |",
            v.code(),
            v.name(),
            v.doc()
        ));
    }
    out.join("\n")
}

/// The file with its generated region (the lines after the `BEGIN` line, up to the `END` line)
/// replaced by `content`.
fn spliced(old: &str, content: &str, comment: &str) -> String {
    let begin = old
        .find(&format!("{comment} BEGIN GENERATED ERRORS"))
        .expect("BEGIN marker");
    let end = old
        .find(&format!("{comment} END GENERATED ERRORS"))
        .expect("END marker");
    let after_begin = begin + old[begin..].find('\n').expect("marker line") + 1;
    format!("{}{content}\n{}", &old[..after_begin], &old[end..])
}

#[test]
fn python_stubs_and_readme_match_the_core_table() {
    let bless = std::env::var_os("PD_BLESS").is_some();
    let mut stale = Vec::new();
    for (path, content, comment) in [
        (
            python().join("python/partnerdesk/_partnerdesk.pyi"),
            pyi(),
            "#",
        ),
        (python().join("README.md"), readme(), "<!--"),
    ] {
        let old = std::fs::read_to_string(&path).unwrap();
        let new = spliced(&old, &content, comment);
        if old != new {
            if bless {
                std::fs::write(&path, new).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale error tables (rerun with PD_BLESS=1): {stale:?}"
    );
}
