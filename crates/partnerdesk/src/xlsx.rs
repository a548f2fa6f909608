//! A streaming XLSX writer: one worksheet of inline strings, written straight into any
//! `std::io::Write` (feature `export`); the ZIP container is the `zip` crate's streaming writer.
//!
//! Why our own sheet writer: an XLSX file is a ZIP of a few XML parts, and an export's sheet is
//! one long XML stream. General-purpose writers build a cell model (a `String` per cell, a map
//! per row) and, to keep memory flat, spool the sheet to a temporary file before zipping it,
//! which needed a scratch directory from the host. This writer formats each row as XML into one
//! reused buffer and hands it to the container in chunks of about [`CHUNK`] bytes, so memory
//! stays flat in the row count, nothing touches the disk, and the sink needs no `Seek` (ADR
//! 0005 says what stays hand-written and the figures behind it).
//!
//! **Container.** `zip::ZipWriter::new_stream`: local file headers set general-purpose bit 3
//! (the CRC-32 and the sizes follow each entry's data in a data descriptor and are repeated in
//! the central directory), entries are deflated at level 1 (for speed), every entry is dated
//! 1980-01-01 00:00 so that the same export gives the same bytes. No ZIP64 record is written:
//! a streamed local header would have to announce it in advance for every export, which older
//! Excel versions reject. So an entry over 4 GiB of XML is refused by the crate (an I/O error,
//! hence `EXPORT_WRITE_FAILED`) instead of being written as ZIP64 as the hand-written container
//! did: a full sheet ([`crate::export::XLSX_MAX_ROWS`] rows) of the demo portfolio's rows,
//! about 680 bytes of XML each, is about 0.7 GB, and Excel cannot open a 4 GiB sheet anyway. An archive dropped unfinished (a
//! cancelled or failed export) stays partial: the crate would finish it on drop, a gate in
//! front of the sink discards that.
//!
//! **Cells.** Text cells are inline strings (`t="inlineStr"`): a shared-strings table would
//! grow with the row count. Text is escaped as Excel writes it: `&`, `<`, `>` and `"` as XML
//! entities; characters XML 1.0 does not allow (the controls other than tab and line feed, and
//! U+FFFE, U+FFFF) as `_xHHHH_`, carriage return included (XML readers would turn it into a
//! line feed); and a literal `_xHHHH_` in the text gets its underscore escaped (`_x005F_`) so
//! that it reads back as written. Text starting or ending with white space is marked
//! `xml:space="preserve"`. A cell holds at most [`MAX_CELL_CHARS`] UTF-16 code units (Excel's
//! limit); a longer one is refused with [`XlsxError::CellTooLong`].

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use zip::write::{SimpleFileOptions, StreamWriter, ZipWriter};
use zip::{CompressionMethod, DateTime, result::ZipError};

/// Excel's longest cell text, in UTF-16 code units (what Excel counts as characters).
pub(crate) const MAX_CELL_CHARS: usize = 32_767;

/// The sheet's XML goes to the deflater in chunks of about this many bytes.
pub(crate) const CHUNK: usize = 1 << 17;

/// Why writing a workbook failed (never naming a value).
#[derive(Debug, thiserror::Error)]
pub(crate) enum XlsxError {
    /// The sink failed.
    #[error("writing the sink failed: {0}")]
    Io(#[from] io::Error),
    /// The ZIP container or its deflater failed otherwise (not expected with valid input).
    #[error("deflate failed")]
    Deflate,
    /// A cell's text is longer than [`MAX_CELL_CHARS`].
    #[error("a cell is longer than {MAX_CELL_CHARS} characters")]
    CellTooLong,
}

impl From<ZipError> for XlsxError {
    fn from(e: ZipError) -> Self {
        match e {
            ZipError::Io(e) => XlsxError::Io(e),
            _ => XlsxError::Deflate,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ZIP
// ---------------------------------------------------------------------------------------------

/// The sink, behind a gate that an unfinished archive closes when it is dropped.
///
/// The `zip` crate's writer finishes its archive when it is dropped (it writes the central
/// directory). An export cancelled or failed half way must not leave what looks like a whole
/// workbook of part of the rows, so [`Zip`]'s own `Drop` closes this gate first: what the
/// crate then writes is discarded, and the sink keeps a partial archive, as it did before.
struct Gate<W: Write> {
    out: W,
    open: Arc<AtomicBool>,
}

impl<W: Write> Write for Gate<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.open.load(Ordering::Relaxed) {
            self.out.write(buf)
        } else {
            Ok(buf.len())
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.open.load(Ordering::Relaxed) {
            self.out.flush()
        } else {
            Ok(())
        }
    }
}

/// A ZIP archive written front to back into a sink (no `Seek`), entries deflated: the `zip`
/// crate's streaming writer, with the options every entry shares.
pub(crate) struct Zip<W: Write> {
    /// `None` once finished.
    z: Option<ZipWriter<StreamWriter<Gate<W>>>>,
    options: SimpleFileOptions,
    /// The gate of the sink, closed when the archive is dropped unfinished.
    open: Arc<AtomicBool>,
}

impl<W: Write> Zip<W> {
    /// An empty archive writing into `out`.
    pub(crate) fn new(out: W) -> Self {
        let open = Arc::new(AtomicBool::new(true));
        let gate = Gate {
            out,
            open: Arc::clone(&open),
        };
        Zip {
            z: Some(ZipWriter::new_stream(gate)),
            options: SimpleFileOptions::default()
                .compression_method(CompressionMethod::Deflated)
                .compression_level(Some(1))
                .last_modified_time(DateTime::DEFAULT),
            open,
        }
    }

    /// The writer, while the archive is not finished.
    fn writer(&mut self) -> Result<&mut ZipWriter<StreamWriter<Gate<W>>>, XlsxError> {
        self.z.as_mut().ok_or(XlsxError::Deflate)
    }

    /// Starts an entry (ending the open one, if any).
    pub(crate) fn begin(&mut self, name: &'static str) -> Result<(), XlsxError> {
        let options = self.options;
        Ok(self.writer()?.start_file(name, options)?)
    }

    /// Appends data to the open entry.
    pub(crate) fn write(&mut self, data: &[u8]) -> Result<(), XlsxError> {
        Ok(self.writer()?.write_all(data)?)
    }

    /// Ends the open entry, writes the central directory and the end records, flushes the
    /// sink and returns it.
    pub(crate) fn finish(mut self) -> Result<W, XlsxError> {
        let z = self.z.take().ok_or(XlsxError::Deflate)?;
        let mut out = z.finish()?.into_inner().out;
        out.flush()?;
        Ok(out)
    }
}

impl<W: Write> Drop for Zip<W> {
    /// Unfinished (cancelled, or failed): closes the gate before the writer, dropped next,
    /// would finish the archive.
    fn drop(&mut self) {
        self.open.store(false, Ordering::Relaxed);
    }
}

// ---------------------------------------------------------------------------------------------
// XML text
// ---------------------------------------------------------------------------------------------

/// Bytes that may need escaping: XML's `& < > "`, the controls XML 1.0 forbids (all below
/// 0x20 but tab and line feed; carriage return too, see the module docs), `_` (a literal
/// `_xHHHH_`) and 0xEF (the first byte of U+FFFE and U+FFFF).
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b != 0x09 && b != 0x0A;
        b += 1;
    }
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'"' as usize] = true;
    t[b'_' as usize] = true;
    t[0xEF] = true;
    t
};

/// Whether the byte at `i` starts something the escaping turns into `_xHHHH_`.
fn escaped_as_x(b: &[u8], i: usize) -> bool {
    match b.get(i) {
        Some(&c) if c < 0x20 => SPECIAL[c as usize],
        Some(0xEF) => b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)),
        Some(b'_') => true,
        _ => false,
    }
}

/// Whether the `_` at `i` starts text that a reader would take for an `_xHHHH_` escape once
/// the text is written: `_x`, four hex digits, then `_` or a character escaped as `_x..._`.
fn literal_escape_at(b: &[u8], i: usize) -> bool {
    b.get(i + 1) == Some(&b'x')
        && b.get(i + 2..i + 6)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
        && escaped_as_x(b, i + 6)
}

/// Appends `s` as XML element text, escaped as the module docs say.
pub(crate) fn escape_into(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let b = s.as_bytes();
    let mut from = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !SPECIAL[c as usize] {
            i += 1;
            continue;
        }
        let control;
        let (with, len): (&[u8], usize) = match c {
            b'&' => (b"&amp;", 1),
            b'<' => (b"&lt;", 1),
            b'>' => (b"&gt;", 1),
            b'"' => (b"&quot;", 1),
            b'_' => {
                if literal_escape_at(b, i) {
                    // The underscore itself stays, after its escape.
                    out.extend_from_slice(&b[from..i]);
                    out.extend_from_slice(b"_x005F");
                    from = i;
                }
                i += 1;
                continue;
            }
            0xEF => match (b.get(i + 1), b.get(i + 2)) {
                (Some(0xBF), Some(0xBE)) => (b"_xFFFE_", 3),
                (Some(0xBF), Some(0xBF)) => (b"_xFFFF_", 3),
                _ => {
                    i += 1;
                    continue;
                }
            },
            _ => {
                control = [
                    b'_',
                    b'x',
                    b'0',
                    b'0',
                    HEX[usize::from(c >> 4)],
                    HEX[usize::from(c & 15)],
                    b'_',
                ];
                (&control, 1)
            }
        };
        out.extend_from_slice(&b[from..i]);
        out.extend_from_slice(with);
        i += len;
        from = i;
    }
    out.extend_from_slice(&b[from..]);
}

/// Whether a cell's text must be marked `xml:space="preserve"` (leading or trailing white
/// space, which readers otherwise trim).
fn needs_preserve(s: &str) -> bool {
    let ws = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t' | b'\n' | b'\r'));
    ws(s.as_bytes().first()) || ws(s.as_bytes().last())
}

/// The column letters of a 0-based column index (`A`, `Z`, `AA`).
fn column_letters(mut col: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    out
}

/// Appends `v` in decimal.
fn push_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// A column width as Excel stores it, from a width in characters (as `rust_xlsxwriter` and
/// Excel compute it: pixels at a 7-pixel digit with 5 pixels of padding, in 1/256ths).
fn stored_width(width: f64) -> f64 {
    let pixels = (width * 7.0 + 0.5).trunc() + 5.0;
    (pixels / 7.0 * 256.0).trunc() / 256.0
}

// ---------------------------------------------------------------------------------------------
// The workbook
// ---------------------------------------------------------------------------------------------

const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

const CONTENT_TYPES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>",
    "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
    "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>",
    "</Types>"
);

const ROOT_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>",
    "</Relationships>"
);

const WORKBOOK_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>",
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
    "</Relationships>"
);

/// Three cell formats: 0 the default, 1 bold (the header row), 2 quote-prefixed text (a cell
/// Excel keeps as text even when it is edited: what typing a leading `'` gives).
const STYLES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    "<fonts count=\"2\">",
    "<font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>",
    "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>",
    "</fonts>",
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>",
    "<fill><patternFill patternType=\"gray125\"/></fill></fills>",
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>",
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>",
    "<cellXfs count=\"3\">",
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>",
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>",
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" quotePrefix=\"1\"/>",
    "</cellXfs>",
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>",
    "</styleSheet>"
);

/// The cell format of quote-prefixed text (see [`STYLES`]).
const QUOTE_PREFIXED: u8 = 2;

const SHEET_END: &str = concat!(
    "</sheetData>",
    "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>",
    "</worksheet>"
);

/// A workbook of one sheet, written row by row: [`Sheet::start`], then per row
/// [`Sheet::begin_row`], a cell call per column, [`Sheet::end_row`]; then [`Sheet::finish`].
pub(crate) struct Sheet<W: Write> {
    zip: Zip<W>,
    /// The sheet's XML not yet deflated.
    xml: Vec<u8>,
    /// The current row number (1-based; the first row is the header).
    row: u64,
    /// The column the next cell goes to.
    col: usize,
    /// Whether a cell was skipped in this row (the next cell then names its position).
    gap: bool,
    /// The letters of each column.
    letters: Vec<Vec<u8>>,
    /// The cell style of this row (`Some(1)`: bold).
    style: Option<u8>,
}

impl<W: Write> Sheet<W> {
    /// Writes the workbook's fixed parts into `out` and opens the sheet named `name` (1 to 31
    /// characters, no `[]:*?/\`), with these column widths in characters, the first row frozen.
    pub(crate) fn start(out: W, name: &str, widths: &[f64]) -> Result<Self, XlsxError> {
        let mut zip = Zip::new(out);
        let mut xml = Vec::with_capacity(CHUNK + (CHUNK >> 2));
        for (part, text) in [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/styles.xml", STYLES),
        ] {
            zip.begin(part)?;
            zip.write(text.as_bytes())?;
        }
        zip.begin("xl/workbook.xml")?;
        xml.extend_from_slice(XML_DECL.as_bytes());
        for part in [
            "<workbook xmlns=\"",
            MAIN_NS,
            "\" xmlns:r=\"",
            REL_NS,
            "\"><bookViews><workbookView/></bookViews><sheets><sheet name=\"",
        ] {
            xml.extend_from_slice(part.as_bytes());
        }
        escape_into(&mut xml, name);
        xml.extend_from_slice(b"\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
        zip.write(&xml)?;
        xml.clear();

        // The sheet, last (only it grows).
        zip.begin("xl/worksheets/sheet1.xml")?;
        xml.extend_from_slice(XML_DECL.as_bytes());
        for part in [
            "<worksheet xmlns=\"",
            MAIN_NS,
            "\" xmlns:r=\"",
            REL_NS,
            "\"><sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">",
            "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>",
            "<selection pane=\"bottomLeft\"/></sheetView></sheetViews>",
            "<sheetFormatPr defaultRowHeight=\"15\"/>",
        ] {
            xml.extend_from_slice(part.as_bytes());
        }
        if !widths.is_empty() {
            xml.extend_from_slice(b"<cols>");
            for (i, w) in widths.iter().enumerate() {
                let n = i as u64 + 1;
                xml.extend_from_slice(b"<col min=\"");
                push_u64(&mut xml, n);
                xml.extend_from_slice(b"\" max=\"");
                push_u64(&mut xml, n);
                xml.extend_from_slice(b"\" width=\"");
                xml.extend_from_slice(stored_width(*w).to_string().as_bytes());
                xml.extend_from_slice(b"\" customWidth=\"1\"/>");
            }
            xml.extend_from_slice(b"</cols>");
        }
        xml.extend_from_slice(b"<sheetData>");
        Ok(Sheet {
            zip,
            xml,
            row: 0,
            col: 0,
            gap: false,
            letters: (0..widths.len().max(1)).map(column_letters).collect(),
            style: None,
        })
    }

    /// Writes the header row: these texts, bold.
    pub(crate) fn header<'a>(
        &mut self,
        cells: impl Iterator<Item = &'a str>,
    ) -> Result<(), XlsxError> {
        self.begin_row();
        self.style = Some(1);
        for c in cells {
            self.text(c)?;
        }
        self.style = None;
        self.end_row()
    }

    /// Starts the next row.
    pub(crate) fn begin_row(&mut self) {
        self.row += 1;
        self.col = 0;
        self.gap = false;
        self.xml.extend_from_slice(b"<row r=\"");
        push_u64(&mut self.xml, self.row);
        self.xml.extend_from_slice(b"\">");
    }

    /// Opens the next cell: `<c`, its position after a skipped cell, its style.
    fn open_cell(&mut self) {
        self.xml.extend_from_slice(b"<c");
        if self.gap {
            self.xml.extend_from_slice(b" r=\"");
            match self.letters.get(self.col) {
                Some(letters) => self.xml.extend_from_slice(letters),
                None => self.xml.extend_from_slice(&column_letters(self.col)),
            }
            push_u64(&mut self.xml, self.row);
            self.xml.push(b'"');
            self.gap = false;
        }
        if let Some(s) = self.style {
            self.xml.extend_from_slice(b" s=\"");
            push_u64(&mut self.xml, u64::from(s));
            self.xml.push(b'"');
        }
        self.col += 1;
    }

    /// The next cell, as text (an empty text leaves the cell empty).
    pub(crate) fn text(&mut self, s: &str) -> Result<(), XlsxError> {
        if s.is_empty() {
            self.skip();
            return Ok(());
        }
        if s.len() > MAX_CELL_CHARS && s.encode_utf16().count() > MAX_CELL_CHARS {
            return Err(XlsxError::CellTooLong);
        }
        self.open_cell();
        if needs_preserve(s) {
            self.xml
                .extend_from_slice(b" t=\"inlineStr\"><is><t xml:space=\"preserve\">");
        } else {
            self.xml.extend_from_slice(b" t=\"inlineStr\"><is><t>");
        }
        escape_into(&mut self.xml, s);
        self.xml.extend_from_slice(b"</t></is></c>");
        Ok(())
    }

    /// The next cell, as text marked quote-prefixed (style 2): for text a spreadsheet could
    /// take for a formula.
    pub(crate) fn quoted_text(&mut self, s: &str) -> Result<(), XlsxError> {
        let style = self.style.replace(QUOTE_PREFIXED);
        let written = self.text(s);
        self.style = style;
        written
    }

    /// The next cell, as a number.
    pub(crate) fn number(&mut self, n: u64) {
        self.open_cell();
        self.xml.extend_from_slice(b"><v>");
        push_u64(&mut self.xml, n);
        self.xml.extend_from_slice(b"</v></c>");
    }

    /// Leaves the next cell empty.
    pub(crate) fn skip(&mut self) {
        self.col += 1;
        self.gap = true;
    }

    /// Ends the row; the XML goes to the deflater once a chunk is full.
    pub(crate) fn end_row(&mut self) -> Result<(), XlsxError> {
        self.xml.extend_from_slice(b"</row>");
        if self.xml.len() >= CHUNK {
            self.zip.write(&self.xml)?;
            self.xml.clear();
        }
        Ok(())
    }

    /// Ends the sheet and the archive; returns the sink, flushed.
    pub(crate) fn finish(mut self) -> Result<W, XlsxError> {
        self.xml.extend_from_slice(SHEET_END.as_bytes());
        self.zip.write(&self.xml)?;
        self.zip.finish()
    }
}

#[cfg(test)]
mod tests {
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
}
