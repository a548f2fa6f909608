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

use super::cells::{CellWriter, formula_start};
use super::csv::io_reason;
use super::plan::RunEnd;
use super::types::ExportColumn;
use std::io::{self, Write};
use std::ops::ControlFlow;
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

/// Begins the part `path` and its XML: the declaration and the root element `root` with the
/// main and relationship namespaces, its start tag left open.
fn open_part<W: Write>(
    zip: &mut Zip<W>,
    xml: &mut Vec<u8>,
    path: &'static str,
    root: &str,
) -> Result<(), XlsxError> {
    zip.begin(path)?;
    xml.extend_from_slice(XML_DECL.as_bytes());
    for part in [
        "<",
        root,
        " xmlns=\"",
        MAIN_NS,
        "\" xmlns:r=\"",
        REL_NS,
        "\"",
    ] {
        xml.extend_from_slice(part.as_bytes());
    }
    Ok(())
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
        open_part(&mut zip, &mut xml, "xl/workbook.xml", "workbook")?;
        xml.extend_from_slice(b"><bookViews><workbookView/></bookViews><sheets><sheet name=\"");
        escape_into(&mut xml, name);
        xml.extend_from_slice(b"\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
        zip.write(&xml)?;
        xml.clear();

        // The sheet, last (only it grows).
        open_part(&mut zip, &mut xml, "xl/worksheets/sheet1.xml", "worksheet")?;
        for part in [
            "><sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">",
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

/// Why an XLSX export failed, as the job's reason (never a value).
pub(super) fn xlsx_reason(e: &XlsxError) -> &'static str {
    match e {
        XlsxError::Io(e) => io_reason(e),
        XlsxError::Deflate => "deflate error",
        XlsxError::CellTooLong => "an xlsx cell over 32767 characters",
    }
}

pub(super) fn write_xlsx<W: Write>(
    cells: &CellWriter<'_>,
    slots: impl Iterator<Item = u32>,
    out: W,
    tick: &mut impl FnMut(u64) -> ControlFlow<()>,
) -> (u64, RunEnd) {
    let fail = |e: XlsxError| RunEnd::Failed(xlsx_reason(&e));
    let widths: Vec<f64> = cells.columns.iter().map(|c| column_width(*c)).collect();
    let started = Sheet::start(out, "Customers", &widths).and_then(|mut sheet| {
        sheet.header(cells.columns.iter().map(|c| c.header()))?;
        Ok(sheet)
    });
    let mut sheet = match started {
        Ok(sheet) => sheet,
        Err(e) => return (0, fail(e)),
    };
    // Counts are numbers (exact in a spreadsheet); everything else, amounts included, is
    // text, so no amount passes through a float.
    let numeric: Vec<bool> = cells
        .columns
        .iter()
        .map(|c| *c == ExportColumn::UnpaidOrders)
        .collect();
    let mut buf = String::with_capacity(512);
    let mut ends = Vec::with_capacity(cells.columns.len());
    let mut done = 0u64;
    let ended = cells.each(slots, |slot| {
        buf.clear();
        ends.clear();
        cells.cells(slot, &mut buf, false, |buf, _| ends.push(buf.len()));
        sheet.begin_row();
        let mut start = 0;
        for ((&end, &numeric), col) in ends.iter().zip(&numeric).zip(cells.columns) {
            let s = &buf[start..end];
            start = end;
            let written = match numeric.then(|| s.parse::<u64>().ok()).flatten() {
                Some(n) => {
                    sheet.number(n);
                    Ok(())
                }
                // An inline string is never evaluated; a text cell that looks like a
                // formula is also marked quote-prefixed, as Excel marks a cell typed with a
                // leading `'`, so that editing it does not turn it into one either.
                None if col.is_text() && formula_start(s) => sheet.quoted_text(s),
                None => sheet.text(s),
            };
            if let Err(e) = written {
                return ControlFlow::Break(fail(e));
            }
        }
        if let Err(e) = sheet.end_row() {
            return ControlFlow::Break(fail(e));
        }
        done += 1;
        if tick(done).is_break() {
            return ControlFlow::Break(RunEnd::Cancelled);
        }
        ControlFlow::Continue(())
    });
    if let ControlFlow::Break(end) = ended {
        return (done, end);
    }
    match sheet.finish() {
        Ok(_) => (done, RunEnd::Completed),
        Err(e) => (done, fail(e)),
    }
}

fn column_width(col: ExportColumn) -> f64 {
    match col {
        ExportColumn::CustomerId => 36.0,
        ExportColumn::Mobile | ExportColumn::Email | ExportColumn::Tags => 24.0,
        ExportColumn::AssociatedAt | ExportColumn::DisassociatedAt | ExportColumn::NextExpiry => {
            22.0
        }
        ExportColumn::MonthToDate | ExportColumn::LastMonth => 26.0,
        _ => 18.0,
    }
}

#[cfg(test)]
mod tests;
