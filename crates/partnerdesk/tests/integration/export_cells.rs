//! Export cells against spreadsheet formula injection (issue #13, row 8): every column, ids
//! included, for every character a spreadsheet could take for the start of a formula, in CSV
//! (prefixed with `'`) and XLSX (inline strings marked quote-prefixed, read back unchanged,
//! never a formula).

use crate::ops_fixture::{desk, now};
use calamine::{Data, Reader, Xlsx};
use partnerdesk::Invocation;
use partnerdesk::export::{ExportColumn, ExportProgress, ExportRequest, ExportSelection};
use partnerdesk::freeze::{Freeze, FreezeOrigin, FreezeScope, FreezeState};
use partnerdesk::privacy::Personal;
use partnerdesk::{
    Actor, Association, AssociationType, BudgetKind, Customer, CustomerId, CustomerLevel,
    CustomerType, Desk, Mobile, Operator, OperatorId, ResellerId, Role, Tag, VerificationStatus,
};
use proptest::prelude::*;
use std::io::{Cursor, Read};
use std::ops::ControlFlow;
use std::str::FromStr;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// OWASP's formula starters, line feed, and their full-width forms.
const STARTERS: &[&str] = &[
    "=", "+", "-", "@", "\t", "\r", "\n", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}",
];

fn dangerous(cell: &str) -> bool {
    STARTERS.iter().any(|s| cell.starts_with(s))
}

fn go(_: ExportProgress) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

fn admin() -> Actor {
    Actor::Operator(OperatorId::new("admin").unwrap_or_else(|_| unreachable!()))
}

/// Whether an identifier may start with this starter: ids refuse whitespace and control
/// characters, so tab, CR and LF can never start one (the export guards the others).
fn id_starter(s: &str) -> bool {
    !s.starts_with(char::is_whitespace)
}

/// A desk whose customers carry, in every text column, values starting with each starter.
fn poisoned_desk(tail: &str) -> Result<Desk, Box<dyn std::error::Error>> {
    let mut d = desk()?;
    for (i, s) in STARTERS.iter().enumerate() {
        let v = format!("{s}{tail}");
        // Names, account names and e-mails refuse control characters at every door, so tab,
        // CR and LF can start only the columns that take any text (codes, display names).
        let text = if id_starter(s) {
            v.clone()
        } else {
            format!("x{tail}")
        };
        let id_text = if id_starter(s) {
            format!("{s}{i}{tail}")
        } else {
            format!("c{i}")
        };
        let manager = OperatorId::new(if id_starter(s) {
            format!("{s}m{i}")
        } else {
            format!("m{i}")
        })?;
        d.add_operator(Operator::new(manager.clone(), v.clone(), Role::Operator))?;
        let since = now() - chrono::Duration::days(30);
        let mut c = Customer::new(
            CustomerId::new(id_text.clone())?,
            format!("{text}acct"),
            text.clone(),
            Association::new(AssociationType::Other(v.clone()), since),
        );
        if id_starter(s) {
            c.association.reseller = Some(ResellerId::new(id_text.clone())?);
            c.tags.insert(Tag::new(v.clone())?);
        }
        c.customer_type = CustomerType::Other(v.clone());
        c.verification = VerificationStatus::Other(v.clone());
        c.level = CustomerLevel::Other(v.clone());
        c.mobile = Some(Personal::new(Mobile::new("+86", "13812345678")?));
        c.email = Some(Personal::new(format!("{text}x@example.com")));
        c.account_manager = Some(manager);
        c.freeze = FreezeState::Frozen(Box::new(Freeze {
            scope: FreezeScope::Other(v.clone()),
            origin: FreezeOrigin::Other(v.clone()),
            reason: String::new(),
            by: "system".into(),
            at: since,
        }));
        d.insert_customer(c)?;
        // A budget of another kind (only reseller-model customers have budgets).
        let mut r = Customer::new(
            CustomerId::new(format!("b{i}"))?,
            "acct",
            "name",
            Association::new(AssociationType::Reseller, since),
        );
        r.budget = Some(Box::new(partnerdesk::Budget {
            kind: BudgetKind::Other(v.clone()),
            amount: crate::ops_fixture::cny(100, 0),
            set_at: since,
            set_by: "system".into(),
            auto_freeze: false,
            thresholds: partnerdesk::budget::default_thresholds(),
        }));
        d.insert_customer(r)?;
    }
    Ok(d)
}

fn export(d: &mut Desk, req: &ExportRequest) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    d.export(&Invocation::new(admin(), now()), req, &mut out, go)?;
    Ok(out)
}

/// Every cell of a CSV export of every column: none starts like a formula, except numbers the
/// module formats itself (a negative amount).
fn check_csv(d: &mut Desk) -> TestResult {
    let req = ExportRequest::csv(ExportSelection::all()).with_columns(ExportColumn::ALL.to_vec());
    let out = export(d, &req)?;
    let mut r = csv::Reader::from_reader(out.as_slice());
    let mut rows = 0;
    let mut guarded = 0;
    for rec in r.records() {
        let rec = rec?;
        rows += 1;
        for (cell, col) in rec.iter().zip(ExportColumn::ALL) {
            assert!(
                !dangerous(cell) || partnerdesk::Decimal::from_str(cell).is_ok(),
                "{col:?}: {cell:?}"
            );
            if let Some(rest) = cell.strip_prefix('\'')
                && dangerous(rest)
            {
                guarded += 1;
            }
        }
    }
    assert!(rows >= STARTERS.len());
    // Every text column of every poisoned customer was guarded (at least one per column).
    assert!(guarded >= STARTERS.len() * 8, "{guarded}");
    Ok(())
}

/// XLSX: every cell reads back as the text itself (never `'`-prefixed, never a formula), and
/// every text cell that starts like a formula carries the quote-prefix format.
fn check_xlsx(d: &mut Desk) -> TestResult {
    let req = ExportRequest::xlsx(ExportSelection::all()).with_columns(ExportColumn::ALL.to_vec());
    let out = export(d, &req)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(out.clone()))?;
    let formulas = book.worksheet_formula("Customers")?;
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    let range = book.worksheet_range("Customers")?;
    let mut dangerous_cells = 0;
    for row in range.rows().skip(1) {
        for (cell, col) in row.iter().zip(ExportColumn::ALL) {
            if let Data::String(s) = cell {
                assert!(!s.starts_with('\''), "{col:?}: {s:?}");
                if dangerous(s) {
                    dangerous_cells += 1;
                }
            }
        }
    }
    assert!(dangerous_cells >= STARTERS.len() * 8, "{dangerous_cells}");
    // The sheet's XML: each such cell is `s="2"` (quote-prefixed).
    let mut archive = zip::ZipArchive::new(Cursor::new(out))?;
    let mut sheet = String::new();
    archive
        .by_name("xl/worksheets/sheet1.xml")?
        .read_to_string(&mut sheet)?;
    let mut marked = 0;
    for cell in sheet.split("</c>") {
        let Some(open) = cell.rfind("<c") else {
            continue;
        };
        let cell = &cell[open..];
        let Some(text) = cell
            .find("<t")
            .and_then(|t| cell[t..].find('>').map(|g| &cell[t + g + 1..]))
        else {
            continue;
        };
        let text = text.strip_suffix("</t></is>").unwrap_or(text);
        let looks = dangerous(text) || text.starts_with("_x000D_");
        let head = &cell[..cell.find('>').unwrap_or(cell.len())];
        assert_eq!(looks, head.contains(" s=\"2\""), "{cell}");
        marked += usize::from(looks);
    }
    assert_eq!(marked, dangerous_cells);
    Ok(())
}

#[test]
fn ids_cannot_start_with_whitespace_or_control_characters() {
    for s in ["\t1", "\r1", "\n1"] {
        assert!(CustomerId::new(s).is_err());
        assert!(ResellerId::new(s).is_err());
        assert!(OperatorId::new(s).is_err());
    }
}

#[test]
fn every_column_is_neutralised_in_csv_and_xlsx() -> TestResult {
    let mut d = poisoned_desk("1+2")?;
    check_csv(&mut d)?;
    check_xlsx(&mut d)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The same for any tail after the starter.
    #[test]
    fn every_column_every_starter_any_tail(tail in "[A-Za-z0-9()+=|!:]{1,12}") {
        let run = || -> TestResult {
            let mut d = poisoned_desk(&tail)?;
            check_csv(&mut d)?;
            check_xlsx(&mut d)
        };
        run().map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
}
