//! The bindings' checked error text agrees with the core's `Error::TABLE`, which the core's
//! `errors!` macro generates from the one list that declares the enum. Nothing here parses
//! Rust. Python: the exception stubs in `_partnerdesk.pyi` and the table in its README. Node:
//! the `ErrorDetails` typings in `index.header.d.ts` (the header of the generated
//! `index.d.ts`), the table in its README, and `__test__/error-table.json`, the fixture the
//! Node error test compares every thrown error's `details` with.
//!
//! Stale text fails this test; `PD_BLESS=1 cargo test -p partnerdesk-host --test error_tables`
//! rewrites the generated regions (between their `BEGIN GENERATED ERRORS` and `END GENERATED
//! ERRORS` lines) and the fixture instead. `bindings/python/test.sh` and
//! `bindings/node/test.sh` run it.
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

fn node() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../node")
}

/// A detail field's name as Node names it (`found_events` is `foundEvents`): napi's case rule.
fn camel(name: &str) -> String {
    use convert_case::Casing;
    name.to_case(convert_case::Case::Camel)
}

fn ts_type(kind: DetailKind) -> &'static str {
    match kind {
        DetailKind::Int => "number",
        _ => "string",
    }
}

/// The Node test's fixture: each code's detail fields (camelCase) and their JS types.
fn node_fixture() -> String {
    let mut out = vec!["{".to_owned()];
    for (i, v) in Error::TABLE.iter().enumerate() {
        let fields: Vec<String> = v
            .fields()
            .iter()
            .map(|f| format!("\"{}\": \"{}\"", camel(f.name()), ts_type(f.kind())))
            .collect();
        let comma = if i + 1 < Error::TABLE.len() { "," } else { "" };
        out.push(format!(
            "  \"{}\": {{{}}}{comma}",
            v.code(),
            fields.join(", ")
        ));
    }
    out.push("}".to_owned());
    out.join("\n") + "\n"
}

/// The `ErrorDetails` entries of the core's codes in the `index.d.ts` header.
fn node_dts() -> String {
    let mut out = vec!["export interface ErrorDetails {".to_owned()];
    for v in Error::TABLE {
        let fields: Vec<String> = v
            .fields()
            .iter()
            .map(|f| format!("readonly {}: {}", camel(f.name()), ts_type(f.kind())))
            .collect();
        let fields = if fields.is_empty() {
            "{}".to_owned()
        } else {
            format!("{{ {} }}", fields.join("; "))
        };
        out.push(format!("  /** {} */", v.doc()));
        out.push(format!("  {}: {fields}", v.code()));
    }
    out.push("}".to_owned());
    out.join("\n")
}

/// The Node README's table.
fn node_readme() -> String {
    let mut out = vec![
        "| `err.code` | `err.details` | meaning |".to_owned(),
        "| --- | --- | --- |".to_owned(),
    ];
    for v in Error::TABLE {
        let fields: Vec<String> = v
            .fields()
            .iter()
            .map(|f| format!("`{}`", camel(f.name())))
            .collect();
        let fields = if fields.is_empty() {
            "-".to_owned()
        } else {
            fields.join(", ")
        };
        out.push(format!("| `{}` | {fields} | {} |", v.code(), v.doc()));
    }
    out.join("\n")
}

#[test]
fn node_fixture_typings_and_readme_match_the_core_table() {
    let bless = std::env::var_os("PD_BLESS").is_some();
    let mut stale = Vec::new();
    let fixture = node().join("__test__/error-table.json");
    let old = std::fs::read_to_string(&fixture).unwrap_or_default();
    if old != node_fixture() {
        if bless {
            std::fs::write(&fixture, node_fixture()).unwrap();
        } else {
            stale.push(fixture.display().to_string());
        }
    }
    for (path, content, comment) in [
        (node().join("index.header.d.ts"), node_dts(), "//"),
        (node().join("README.md"), node_readme(), "<!--"),
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
        "stale Node error tables (rerun with PD_BLESS=1): {stale:?}"
    );
}
