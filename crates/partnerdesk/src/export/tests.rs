//! Tests of the cell text and the CSV writer.

use super::cells::{decimal, time, unsigned};
use super::csv::csv_record;
use super::plan::check_rows;
use super::types::{ExportFormat, XLSX_MAX_ROWS};
use chrono::Utc;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn record(fields: &[&str]) -> String {
    let mut out = String::new();
    csv_record(&mut out, fields.iter().copied());
    out
}

#[test]
fn csv_quotes_only_what_needs_it() {
    assert_eq!(record(&["a", "b c", ""]), "a,b c,\r\n");
    assert_eq!(
        record(&["say \"hi\"", "x,y", "l1\nl2", "cr\r", "张***"]),
        "\"say \"\"hi\"\"\",\"x,y\",\"l1\nl2\",\"cr\r\",张***\r\n"
    );
    assert_eq!(record(&[""]), "\"\"\r\n");
    assert_eq!(record(&["\"\""]), "\"\"\"\"\"\"\r\n");
}

proptest! {
    /// Any fields (quotes, commas, CR, LF, any script) come out as the `csv` crate
    /// writes them.
    #[test]
    fn csv_records_match_the_csv_crate(
        fields in proptest::collection::vec("[a-z\",\r\n \u{4e00}-\u{4e10}'=]{0,6}", 1..6)
    ) {
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let mut want = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(Vec::new());
        want.write_record(&fields).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let want = want.into_inner().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(record(&fields), String::from_utf8(want).unwrap_or_default());
    }
}

#[test]
fn xlsx_refuses_more_rows_than_a_sheet_holds() {
    let xlsx = ExportFormat::Xlsx;
    assert!(check_rows(xlsx, XLSX_MAX_ROWS).is_ok());
    let err = check_rows(xlsx, XLSX_MAX_ROWS + 1).err();
    assert_eq!(err.map(|e| e.code()), Some("INVALID_ARGUMENT"));
    assert!(check_rows(ExportFormat::Csv { bom: false }, XLSX_MAX_ROWS + 1).is_ok());
}

#[test]
fn times_are_digit_by_digit() {
    use chrono::TimeZone;
    let mut buf = String::new();
    if let Some(t) = Utc.with_ymd_and_hms(2026, 3, 7, 4, 5, 9).single() {
        time(&mut buf, t);
    }
    assert_eq!(buf, "2026-03-07T04:05:09Z");
}

proptest! {
    #[test]
    fn decimals_read_as_display_does(
        lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(),
        negative in any::<bool>(), scale in 0u32..=28, small in any::<bool>(),
    ) {
        // Small mantissas (the usual amounts) as well as the full 96-bit range.
        let (mid, hi) = if small { (mid % 4, 0) } else { (mid, hi) };
        let v = Decimal::from_parts(lo, mid, hi, negative, scale);
        let mut buf = String::new();
        decimal(&mut buf, v);
        prop_assert_eq!(buf, v.to_string());
    }

    #[test]
    fn zero_decimals_read_as_display_does(negative in any::<bool>(), scale in 0u32..=28) {
        let v = Decimal::from_parts(0, 0, 0, negative, scale);
        let mut buf = String::new();
        decimal(&mut buf, v);
        prop_assert_eq!(buf, v.to_string());
    }

    #[test]
    fn unsigned_reads_as_display_does(v in any::<u64>()) {
        let mut buf = String::new();
        unsigned(&mut buf, v);
        prop_assert_eq!(buf, v.to_string());
    }
}
