//! Export cells: customers with arbitrary text in every field (formula starters, quotes,
//! separators, control characters) are exported as CSV and XLSX. Nothing may panic; the CSV
//! parses back with one record per row and a constant width, and no cell that is not a plain
//! number starts a spreadsheet formula (OWASP: `=`, `+`, `-`, `@`, tab, carriage return).

use super::{Fuzz, Target, demo};
use crate::mutate;
use crate::rng::Rng;
use chrono::{DateTime, Utc};
use partnerdesk::Invocation;
use partnerdesk::access::Actor;
use partnerdesk::export::{ExportColumn, ExportRequest, ExportSelection};
use partnerdesk::{Decimal, Desk, OperatorId};
use serde_json::Value;
use std::ops::ControlFlow;
use std::str::FromStr;

/// The target.
pub(crate) const TARGET: Target = Target {
    name: "export",
    about: "CSV and XLSX export of customers with arbitrary field text: no panic, no formula cell",
    setup: || Box::new(Export::new()),
};

struct Export {
    snapshot: Value,
    now: DateTime<Utc>,
}

impl Export {
    fn new() -> Self {
        let (desk, now) = demo(8, 17);
        let snapshot = desk
            .to_snapshot_json()
            .ok()
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or(Value::Null);
        Export { snapshot, now }
    }
}

/// Edge-case text for a field: a dangerous first character before the old value or an
/// edge-case string.
fn tainted(rng: &mut Rng, old: &str) -> String {
    let start = rng
        .pick(&["=", "+", "-", "@", "\t", "\r", "\"", ",", ""])
        .copied()
        .unwrap_or("");
    let rest = if rng.chance(50) {
        mutate::string(rng)
    } else {
        old.to_owned()
    };
    format!("{start}{rest}")
}

/// The text fields of a customer record that reach export cells (ids, names, contact data,
/// tags, the reseller), by their JSON path.
const FIELDS: &[&[&str]] = &[
    &["id"],
    &["account_name"],
    &["name"],
    &["email"],
    &["mobile", "country_code"],
    &["mobile", "number"],
    &["tags", "0"],
    &["association", "reseller"],
];

/// The value at a path of object keys and array indexes.
fn at<'a>(v: &'a mut Value, path: &[&str]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, key| match v {
        Value::Object(m) => m.get_mut(*key),
        Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
        _ => None,
    })
}

/// Puts edge-case text into some text fields of some customers (and operators' names, which
/// the account manager column shows), each with probability `percent`.
fn taint(rng: &mut Rng, snapshot: &mut Value, percent: usize) {
    if let Some(Value::Array(customers)) = snapshot.get_mut("customers") {
        for c in customers {
            for path in FIELDS {
                if !rng.chance(percent) {
                    continue;
                }
                if let Some(v) = at(c, path) {
                    let old = v.as_str().unwrap_or("").to_owned();
                    *v = Value::String(tainted(rng, &old));
                }
            }
        }
    }
    if let Some(Value::Array(operators)) = snapshot.get_mut("operators") {
        for o in operators {
            if rng.chance(percent)
                && let Some(v) = o.get_mut("name")
            {
                let old = v.as_str().unwrap_or("").to_owned();
                *v = Value::String(tainted(rng, &old));
            }
        }
    }
}

/// Whether a CSV cell would start a formula in a spreadsheet.
fn is_formula(cell: &str) -> bool {
    let Some(first) = cell.chars().next() else {
        return false;
    };
    matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') && Decimal::from_str(cell.trim()).is_err()
}

impl Fuzz for Export {
    fn generate(&self, rng: &mut Rng) -> Vec<u8> {
        let mut snap = self.snapshot.clone();
        let percent = 3 + rng.below(15);
        taint(rng, &mut snap, percent);
        serde_json::to_vec(&snap).unwrap_or_default()
    }

    fn run(&self, input: &[u8]) -> Result<(), String> {
        let text = String::from_utf8_lossy(input);
        let Ok(mut desk) = Desk::from_snapshot_json(&text) else {
            return Ok(());
        };
        let admin = Actor::Operator(OperatorId::new("admin").map_err(|e| e.to_string())?);
        let columns = ExportColumn::ALL.to_vec();
        let mut csv = Vec::new();
        let job = desk
            .export(
                &Invocation::new(admin.clone(), self.now),
                &ExportRequest::csv(ExportSelection::all()).with_columns(columns.clone()),
                &mut csv,
                |_| ControlFlow::Continue(()),
            )
            .map_err(|e| format!("CSV export of a loaded desk failed: {} ({e})", e.code()))?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(csv.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&csv));
        let headers = reader
            .headers()
            .map_err(|e| format!("the CSV header does not parse: {e}"))?
            .clone();
        let mut records = 0u64;
        for record in reader.records() {
            let record = record.map_err(|e| format!("the CSV does not parse back: {e}"))?;
            records += 1;
            if let Some((i, cell)) = record.iter().enumerate().find(|(_, c)| is_formula(c)) {
                let first = cell.chars().next().unwrap_or(' ');
                let column = headers.get(i).unwrap_or("?");
                return Err(format!(
                    "a CSV cell of column {column:?} starts a formula with {first:?}"
                ));
            }
        }
        if records != job.rows {
            return Err(format!("{records} CSV records for {} rows", job.rows));
        }
        let mut xlsx = Vec::new();
        desk.export(
            &Invocation::new(admin.clone(), self.now),
            &ExportRequest::xlsx(ExportSelection::all()).with_columns(columns),
            &mut xlsx,
            |_| ControlFlow::Continue(()),
        )
        .map_err(|e| format!("XLSX export of a loaded desk failed: {} ({e})", e.code()))?;
        if !xlsx.starts_with(b"PK") {
            return Err("the XLSX file is not a zip archive".to_owned());
        }
        Ok(())
    }
}
