//! The CSV writer (RFC 4180, byte for byte as the `csv` crate writes).

use super::cells::CellWriter;
use super::plan::RunEnd;
use std::io::Write;
use std::ops::ControlFlow;

pub(super) fn io_reason(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "not found",
        K::PermissionDenied => "permission denied",
        K::BrokenPipe => "broken pipe",
        K::WriteZero => "write zero",
        K::StorageFull => "storage full",
        K::Interrupted => "interrupted",
        _ => "i/o error",
    }
}

/// The CSV writer's output buffer is handed to the sink once it holds this many bytes.
const CSV_CHUNK: usize = 1 << 16;

/// Whether an RFC 4180 field must be quoted: it holds a quote, a comma, CR or LF.
fn needs_quotes(field: &[u8]) -> bool {
    field
        .iter()
        .fold(false, |q, b| q | matches!(b, b'"' | b',' | b'\r' | b'\n'))
}

/// Ends the CSV field that starts at `start` of `out`, and the separator after it: the
/// field is quoted only when it needs it, its quotes doubled.
fn csv_field(out: &mut String, start: usize) {
    if needs_quotes(&out.as_bytes()[start..]) {
        let field = out.split_off(start);
        out.push('"');
        for part in field.split_inclusive('"') {
            out.push_str(part);
            if part.ends_with('"') {
                out.push('"');
            }
        }
        out.push('"');
    }
    out.push(',');
}

/// Ends the CSV record that starts at `start` of `out` (its fields ended by [`csv_field`]):
/// the last separator becomes CRLF, and a record of one empty field is written `""` so
/// that it is not an empty line (as the `csv` crate does).
fn csv_end(out: &mut String, start: usize, fields: usize) {
    out.pop();
    if fields == 1 && out.len() == start {
        out.push_str("\"\"");
    }
    out.push_str("\r\n");
}

/// Appends a CSV record of these fields.
pub(super) fn csv_record<'a>(out: &mut String, fields: impl ExactSizeIterator<Item = &'a str>) {
    let (start, n) = (out.len(), fields.len());
    for f in fields {
        let at = out.len();
        out.push_str(f);
        csv_field(out, at);
    }
    csv_end(out, start, n);
}

pub(super) fn write_csv<W: Write>(
    cells: &CellWriter<'_>,
    slots: impl Iterator<Item = u32>,
    bom: bool,
    mut out: W,
    tick: &mut impl FnMut(u64) -> ControlFlow<()>,
) -> (u64, RunEnd) {
    // Records are written straight into the chunk, which goes to the sink when full.
    let mut chunk = String::with_capacity(CSV_CHUNK + 4096);
    if bom {
        chunk.push('\u{FEFF}');
    }
    csv_record(&mut chunk, cells.columns.iter().map(|c| c.header()));
    let n = cells.columns.len();
    let mut done = 0u64;
    let ended = cells.each(slots, |slot| {
        let start = chunk.len();
        cells.cells(slot, &mut chunk, true, csv_field);
        csv_end(&mut chunk, start, n);
        if chunk.len() >= CSV_CHUNK {
            if let Err(e) = out.write_all(chunk.as_bytes()) {
                return ControlFlow::Break(RunEnd::Failed(io_reason(&e)));
            }
            chunk.clear();
        }
        done += 1;
        if tick(done).is_break() {
            let _ = out.write_all(chunk.as_bytes()).and_then(|()| out.flush());
            return ControlFlow::Break(RunEnd::Cancelled);
        }
        ControlFlow::Continue(())
    });
    if let ControlFlow::Break(end) = ended {
        return (done, end);
    }
    if let Err(e) = out.write_all(chunk.as_bytes()).and_then(|()| out.flush()) {
        return (done, RunEnd::Failed(io_reason(&e)));
    }
    (done, RunEnd::Completed)
}
