//! Export cells: customers with arbitrary text in every field (formula starters, quotes,
//! separators, control characters) are exported as CSV and XLSX. Nothing may panic; the CSV
//! parses back with one record per row and a constant width, and no cell that is not a plain
//! number starts a spreadsheet formula (OWASP: `=`, `+`, `-`, `@`, tab, carriage return).

use super::{Fuzz, Target, demo};
use crate::mutate;
use crate::rng::Rng;
use chrono::{DateTime, Utc};
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

/// Replaces string leaves of customer records with edge-case text (mostly dangerous first
/// characters), each with probability `percent`.
fn taint(rng: &mut Rng, v: &mut Value, percent: usize) {
    match v {
        Value::String(s) if rng.chance(percent) => {
            let start = rng
                .pick(&["=", "+", "-", "@", "\t", "\r", "\"", ",", ""])
                .copied()
                .unwrap_or("");
            *s = format!(
                "{start}{}",
                if rng.chance(50) {
                    mutate::string(rng)
                } else {
                    s.clone()
                }
            );
        }
        Value::Array(items) => items.iter_mut().for_each(|x| taint(rng, x, percent)),
        Value::Object(map) => map.values_mut().for_each(|x| taint(rng, x, percent)),
        _ => {}
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
        let percent = 5 + rng.below(30);
        if let Some(customers) = snap.get_mut("customers") {
            taint(rng, customers, percent);
        }
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
                &admin,
                &ExportRequest::csv(ExportSelection::all()).with_columns(columns.clone()),
                &mut csv,
                |_| ControlFlow::Continue(()),
                self.now,
            )
            .map_err(|e| format!("CSV export of a loaded desk failed: {} ({e})", e.code()))?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(csv.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&csv));
        let mut records = 0u64;
        for record in reader.records() {
            let record = record.map_err(|e| format!("the CSV does not parse back: {e}"))?;
            records += 1;
            if let Some(cell) = record.iter().find(|c| is_formula(c)) {
                let first = cell.chars().next().unwrap_or(' ');
                return Err(format!("a CSV cell starts a formula with {first:?}"));
            }
        }
        if records != job.rows {
            return Err(format!("{records} CSV records for {} rows", job.rows));
        }
        let mut xlsx = Vec::new();
        desk.export(
            &admin,
            &ExportRequest::xlsx(ExportSelection::all()).with_columns(columns),
            &mut xlsx,
            |_| ControlFlow::Continue(()),
            self.now,
        )
        .map_err(|e| format!("XLSX export of a loaded desk failed: {} ({e})", e.code()))?;
        if !xlsx.starts_with(b"PK") {
            return Err("the XLSX file is not a zip archive".to_owned());
        }
        Ok(())
    }
}
