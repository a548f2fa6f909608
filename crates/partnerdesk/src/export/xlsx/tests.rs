//! Tests of the XLSX writer.

use super::*;
use calamine::{Data, Reader, Xlsx};
use proptest::prelude::*;
use std::io::{Cursor, Read};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A workbook of these rows of text under a header `A`, `B`, ...
fn book(rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let mut sheet = Sheet::start(Vec::new(), "Customers", &vec![12.0; width])?;
    let header: Vec<String> = (0..width)
        .map(|c| String::from_utf8(column_letters(c)).unwrap_or_default())
        .collect();
    sheet.header(header.iter().map(String::as_str))?;
    for row in rows {
        sheet.begin_row();
        for cell in row {
            sheet.text(cell)?;
        }
        sheet.end_row()?;
    }
    sheet.finish()
}

/// The data rows read back by calamine, empty cells as empty texts, `width` cells a row
/// (calamine's range ends at the last cell that holds something: `height` rows at least).
fn read_back(
    bytes: Vec<u8>,
    width: usize,
    height: usize,
) -> Result<Vec<Vec<String>>, Box<dyn std::error::Error>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))?;
    let range = book.worksheet_range("Customers")?;
    let mut rows: Vec<Vec<String>> = range
        .rows()
        .skip(1)
        .map(|r| {
            r.iter()
                .take(width)
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    other => format!("unexpected {other:?}"),
                })
                .collect()
        })
        .collect();
    for r in &mut rows {
        r.resize(width, String::new());
    }
    if rows.len() < height {
        rows.resize(height, vec![String::new(); width]);
    }
    Ok(rows)
}

/// Entries of an archive: name and content.
type Parts = Vec<(String, Vec<u8>)>;

/// Every entry of the archive, read with the `zip` crate (which checks each CRC-32 when an
/// entry is read to its end).
fn unzip(bytes: &[u8]) -> Result<Parts, Box<dyn std::error::Error>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut parts = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let mut data = Vec::new();
        entry.read_to_end(&mut data)?;
        assert_eq!(data.len() as u64, entry.size());
        assert_eq!(entry.crc32(), crc32fast::hash(&data));
        parts.push((entry.name()?.into_owned(), data));
    }
    Ok(parts)
}

/// Cell texts built from the awkward pieces: XML specials, controls, carriage returns,
/// look-alike escapes, white space at either end, non-characters, any other character.
fn cell_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("&".to_owned()),
        Just("<".to_owned()),
        Just(">".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just(" ".to_owned()),
        Just("\t".to_owned()),
        Just("\r".to_owned()),
        Just("\n".to_owned()),
        Just("_x0041_".to_owned()),
        Just("_x005F_".to_owned()),
        Just("_xD83D_".to_owned()),
        Just("_x".to_owned()),
        Just("_".to_owned()),
        Just("0041".to_owned()),
        Just("\u{FFFE}".to_owned()),
        Just("\u{FFFF}".to_owned()),
        (0u32..0x20).prop_map(|c| char::from_u32(c).map(String::from).unwrap_or_default()),
        "[a-zA-Z0-9 ]{1,4}",
        "[\u{4e00}-\u{4e10}\u{0621}-\u{0630}\u{1F600}-\u{1F610}]{1,3}",
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|p| p.concat())
}

proptest! {
    /// Any text comes back from calamine exactly as written.
    #[test]
    fn cell_texts_read_back_exactly(
        rows in proptest::collection::vec(proptest::collection::vec(cell_text(), 1..5), 1..12)
    ) {
        let width = rows.iter().map(Vec::len).max().unwrap_or(1);
        let bytes = book(&rows).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let back = read_back(bytes, width, rows.len()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let want: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.resize(width, String::new());
                r
            })
            .collect();
        prop_assert_eq!(back, want);
    }
}

#[test]
fn the_zip_is_valid_and_its_crcs_match() -> TestResult {
    // Enough rows for many chunks of XML.
    let rows: Vec<Vec<String>> = (0..20_000)
        .map(|i| {
            vec![
                format!("row {i}"),
                format!("{:x}", i * 7919),
                "  x & y ".to_owned(),
            ]
        })
        .collect();
    let bytes = book(&rows).map_err(|e| format!("{e:?}"))?;
    assert!(
        !bytes.windows(4).any(|w| w == b"PK\x06\x06"),
        "no ZIP64 needed"
    );
    let parts = unzip(&bytes)?;
    assert_eq!(parts.len(), 6);
    assert_eq!(
        parts[0],
        (
            "[Content_Types].xml".to_owned(),
            CONTENT_TYPES.as_bytes().to_vec()
        )
    );
    assert_eq!(
        parts[3],
        ("xl/styles.xml".to_owned(), STYLES.as_bytes().to_vec())
    );
    assert!(parts[5].1.len() > 4 * CHUNK);
    assert_eq!(read_back(bytes, 3, rows.len())?, rows);
    Ok(())
}

#[test]
fn the_same_book_gives_the_same_bytes() -> TestResult {
    let rows: Vec<Vec<String>> = (0..500).map(|i| vec![format!("r{i}")]).collect();
    let one = book(&rows).map_err(|e| format!("{e:?}"))?;
    let two = book(&rows).map_err(|e| format!("{e:?}"))?;
    assert_eq!(one, two);
    // Every entry dated 1980-01-01 00:00 (MS-DOS time 0, date 0x21) in its local header.
    let mut archive = zip::ZipArchive::new(Cursor::new(one))?;
    for i in 0..archive.len() {
        let entry = archive.by_index(i)?;
        let t = entry.last_modified().ok_or("no date")?;
        assert_eq!((t.year(), t.month(), t.day(), t.hour()), (1980, 1, 1, 0));
        assert_eq!(entry.compression(), zip::CompressionMethod::Deflated);
    }
    Ok(())
}

#[test]
fn cells_hold_at_most_32767_utf16_units() -> TestResult {
    let fits = "a".repeat(MAX_CELL_CHARS);
    let bytes = book(&[vec![fits.clone()]]).map_err(|e| format!("{e:?}"))?;
    assert_eq!(read_back(bytes, 1, 1)?, [[fits]]);
    for long in [
        "a".repeat(MAX_CELL_CHARS + 1),
        "\u{1F600}".repeat(MAX_CELL_CHARS / 2 + 1),
    ] {
        assert!(matches!(book(&[vec![long]]), Err(XlsxError::CellTooLong)));
    }
    // Characters outside the BMP count twice, as Excel counts them; 3-byte ones once.
    let cjk = "\u{4e00}".repeat(MAX_CELL_CHARS);
    assert!(book(&[vec![cjk]]).is_ok());
    Ok(())
}

#[test]
fn numbers_and_gaps_keep_their_columns() -> TestResult {
    let mut sheet = Sheet::start(Vec::new(), "Customers", &[10.0, 10.0, 10.0])?;
    sheet.header(["a", "b", "c"].into_iter())?;
    sheet.begin_row();
    sheet.skip();
    sheet.number(42);
    sheet.text("z")?;
    sheet.end_row()?;
    sheet.begin_row();
    sheet.text("")?;
    sheet.text("")?;
    sheet.number(7);
    sheet.end_row()?;
    let bytes = sheet.finish()?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))?;
    let range = book.worksheet_range("Customers")?;
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(
        rows[1],
        [Data::Empty, Data::Float(42.0), Data::String("z".into())]
    );
    assert_eq!(rows[2], [Data::Empty, Data::Empty, Data::Float(7.0)]);
    Ok(())
}

fn escaped(s: &str) -> String {
    let mut out = Vec::new();
    escape_into(&mut out, s);
    String::from_utf8(out).unwrap_or_default()
}

#[test]
fn escapes_as_excel_does() {
    assert_eq!(escaped("plain 张"), "plain 张");
    assert_eq!(escaped("a&b<c>\"d'"), "a&amp;b&lt;c&gt;&quot;d'");
    assert_eq!(escaped("\u{1}\t\n\r"), "_x0001_\t\n_x000D_");
    assert_eq!(
        escaped("\u{FFFE}\u{FFFF}\u{FFFD}"),
        "_xFFFE__xFFFF_\u{FFFD}"
    );
    assert_eq!(escaped("_x0041_"), "_x005F_x0041_");
    assert_eq!(escaped("_x0041_x0042_"), "_x005F_x0041_x005F_x0042_");
    assert_eq!(escaped("_x004"), "_x004");
    assert_eq!(escaped("_x00G1_"), "_x00G1_");
    // A literal `_xHHHH` before a character escaped as `_x..._` is escaped too.
    assert_eq!(escaped("_x0041\u{1}"), "_x005F_x0041_x0001_");
    assert_eq!(escaped("a_b"), "a_b");
}

#[test]
fn columns_and_widths() {
    let letters: Vec<String> = [0, 25, 26, 27, 701, 702]
        .iter()
        .map(|&c| String::from_utf8(column_letters(c)).unwrap_or_default())
        .collect();
    assert_eq!(letters, ["A", "Z", "AA", "AB", "ZZ", "AAA"]);
    assert_eq!(stored_width(36.0), 36.7109375);
    assert_eq!(stored_width(18.0), 18.7109375);
}

#[test]
fn preserve_marks_outer_white_space() {
    assert!(needs_preserve(" a"));
    assert!(needs_preserve("a\n"));
    assert!(!needs_preserve("a b"));
}
