//! Exports of the customer list: anonymised CSV and XLSX, streamed, with a job history.
//!
//! Why here and why like this: the console lets only the administrator export, and anonymises
//! customer names, mobile numbers and e-mails in every export (domain §11, reference §14). The
//! Huawei API has no export, so the library applies both rules itself:
//!
//! - **Administrator only.** [`Desk::export`](crate::Desk::export) checks [`Permission::Export`](crate::Permission::Export) (administrator-only,
//!   it cannot be granted); a refusal returns its code (`ADMINISTRATOR_ONLY`) and is audited.
//! - **Always anonymised.** Cells of personal fields go through the one [`Masker`](crate::privacy::Masker); the request
//!   may choose *how* (a [`MaskPolicy`](crate::privacy::MaskPolicy), e.g. a keyed pseudonym so analysts can join rows), but
//!   a policy that shows a name, mobile or e-mail in clear is refused. There is no switch.
//! - **Streamed, in constant memory.** Rows are written one by one to any `std::io::Write`; a
//!   million rows never sit in memory as one file. Cells are formatted into one reused buffer
//!   (amounts and times digit by digit), and CSV records go out in 64 KiB chunks. The rows are
//!   not materialised either: a query in id order (the default) keeps a bitmap of the selected
//!   slots (at most a bit per customer, compressed) and walks the desk's own id order, kept as
//!   customers come and go (the private `export::id_order` module). The search yields the selection
//!   as a bitmap directly (a query of every customer takes the index's bitmap as it is), so a
//!   filtered query holds no list of slots either. Selected ids, and queries in another order,
//!   hold their ordered slots (4 bytes a row) for the whole export.
//! - **A compact copy, read in order.** Customers lie scattered in memory (704-byte records
//!   pointing to a dozen allocations), so a row read from them is mostly waiting for cache
//!   misses. The desk therefore keeps, beside its id order, a compact copy of what the default
//!   columns read, in id order (the private `export::copy` module: about 240 bytes a customer,
//!   built by the first export and merged from the desk's marks of added, removed and changed
//!   customers by the next ones). An export by id of columns the copy holds, in the copy's
//!   month, streams it from start to end; masks are still applied per cell, with the request's
//!   policy. Other exports read the customers, touching the fields of the next rows in batches
//!   first so that memory fetches them in parallel (see `CellWriter::each`).
//! - **Progress and cancellation.** The callback receives [`ExportProgress`] (rows done of
//!   total) at the start, every [`PROGRESS_EVERY`] rows and at the end; returning
//!   [`ControlFlow::Break`](std::ops::ControlFlow::Break) cancels. A cancelled export is recorded as
//!   [`ExportStatus::Cancelled`] and returns `EXPORT_CANCELLED`; what was already written to the
//!   sink is incomplete and must be discarded (for XLSX, the start of a ZIP archive without its
//!   central directory, which no reader opens).
//! - **Three phases, so that reads run beside the stream.** [`Desk::prepare_export`](crate::Desk::prepare_export) (`&mut`)
//!   authorizes, brings the id order and the compact copy up to date, plans the request and
//!   reserves the job id; [`Desk::write_export`](crate::Desk::write_export) (`&self`) streams the rows, so any number of
//!   searches and other reads run meanwhile (a host's read lock suffices); [`Desk::record_export`](crate::Desk::record_export)
//!   (`&mut`) appends the job and audits it. [`Desk::export`](crate::Desk::export) runs the three. The
//!   [`PreparedExport`] between them is written only on its own desk and only while that desk is
//!   unchanged, and recorded once (see its docs), so the rows are always those of the desk at
//!   prepare time. A download again has the same phases ([`Desk::prepare_download`](crate::Desk::prepare_download),
//!   [`Desk::record_download`](crate::Desk::record_download)).
//! - **History.** Every export that started is an [`ExportJob`] (id, who, when, selection,
//!   format, columns, masks, rows, status, file name), kept on the desk and saved in snapshots.
//!
//! **Download again regenerates, it does not keep bytes.** The core does no storage of its own
//! and a desk that kept every exported file would grow without bound (and would hold
//! anonymised copies of personal data in its snapshot). [`Desk::download_export`](crate::Desk::download_export) therefore
//! re-runs the recorded selection (the same ids, or the same query and sort evaluated at the
//! job's original instant) with the recorded columns and masks, over the data *as it is now*:
//! a customer changed since shows its new (masked) values, a customer removed since is left
//! out, and a query may match other customers than it did. Time-relative columns and criteria
//! (month-to-date, `expires<=7d`) use the job's original instant, so only changed data makes a
//! difference. The download is audited and reports how many rows it wrote. A host that must
//! serve the identical bytes keeps the file it received the first time.
//!
//! **XLSX is streamed too, by a writer of the crate's own** (the private `export::xlsx` module): each
//! row is formatted as sheet XML into one reused buffer, which is deflated into the sink in
//! chunks, inside a ZIP archive written front to back (sizes in data descriptors, ZIP64 records
//! past 4 GiB). Like CSV it needs nothing but the sink: no `Seek`, no temporary file, no scratch
//! directory, and memory stays flat in the row count. The workbook has one sheet,
//! `Customers`, a bold header row that stays frozen when scrolling, and column widths fitted
//! to the columns. Text cells are inline strings (no shared-strings table, which would grow
//! with the rows), escaped as Excel does (control characters as `_xHHHH_`). An XLSX sheet holds
//! at most [`XLSX_MAX_ROWS`] data rows; a larger selection is refused before anything is
//! written. A cell holds at most 32,767 characters (Excel's limit): a longer cell (say, a
//! customer with thousands of tags) fails the export with `EXPORT_WRITE_FAILED`.
//!
//! Cells: amounts are exact decimal text in the partner's currency (never a float, in CSV and
//! XLSX alike; in XLSX only the count of unpaid orders is a number); times are UTC,
//! `YYYY-MM-DDTHH:MM:SSZ`. Against formula injection (OWASP), every text
//! cell (every column but amounts, times, counts and the currency code: ids, logins, tags,
//! codes and masked values included) that starts with `=`, `+`, `-`, `@`, tab, carriage
//! return, line feed or a full-width `＝ ＋ － ＠` is neutralised: in CSV (RFC 4180: `,`, `"`
//! quoting, CRLF line ends, UTF-8, optionally with a byte-order mark for Excel) it is prefixed
//! with `'` (`'+86 138****5678`); in XLSX, where text is an inline string that is never
//! evaluated, it keeps its text and is marked quote-prefixed, as Excel marks a cell typed with a
//! leading `'`, so that editing it does not make it a formula either. The CSV records are written here (a
//! field is quoted only when it holds a quote, comma, CR or LF, quotes doubled), byte for byte
//! as the `csv` crate writes them (the tests check it, and read them back with it), without
//! a call into its writer per field.
//!
//! **How the parts fit** (folder `export/`): `types` holds what a host builds and reads
//! (requests, selections, formats, columns, jobs, history, progress); the private `plan` checks
//! a request and resolves its rows; `phases` runs prepare, write and record (and download
//! again) on the desk; `cells` formats one customer's cells (masks, formula neutralisation,
//! numbers, decimals and times), which `csv` and `xlsx` (sheet XML in the `zip` crate's
//! container) write; `copy` is the desk's compact copy of the exported fields and `id_order`
//! the desk's id order that it follows. Only `types`, the phases' `PreparedExport` and
//! `ExportWritten` and the plan's `ExportOrderUpdate` are public; the rest is crate-private.

#[cfg(feature = "export")]
mod cells;
// Read by the export writers only; without them the desk never builds the copy.
#[cfg_attr(not(feature = "export"), allow(dead_code))]
pub(crate) mod copy;
#[cfg(feature = "export")]
mod csv;
#[cfg(feature = "export")]
mod detail;
pub(crate) mod id_order;
#[cfg(feature = "export")]
mod phases;
#[cfg(feature = "export")]
mod plan;
#[cfg(all(test, feature = "export"))]
mod tests;
mod types;
#[cfg(feature = "export")]
mod xlsx;

#[cfg(feature = "export")]
pub use detail::DetailExportRequest;
#[cfg(feature = "export")]
pub use phases::{ExportWritten, PreparedExport};
#[cfg(feature = "export")]
pub use plan::ExportOrderUpdate;
pub use types::{
    ExportColumn, ExportFormat, ExportHistory, ExportJob, ExportProgress, ExportRequest,
    ExportSelection, ExportStatus, PROGRESS_EVERY, RecordedSelection, XLSX_MAX_ROWS,
};
