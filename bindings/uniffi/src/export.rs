//! Exports for Kotlin and Swift: to a path (written atomically, see
//! `partnerdesk_host::FileSink`), to bytes, and streamed to a host listener with progress and
//! cancellation; downloads of earlier exports; the export history.
//!
//! Why thin: the file sink and the request are `partnerdesk_host::export`'s, shared with Node;
//! this file only turns uniffi arguments into them. The three phases are that module's
//! `phases` over the desk this binding holds (`partnerdesk_host::HostDesk`): prepared as a
//! change, written under a read lock, recorded once.

use crate::desk::{Desk, parse_query};
use crate::error::Result;
use crate::ops::parse_customer_ids;
use crate::types::SortOrder;
use partnerdesk::export::{ExportRequest, ExportSelection};
use partnerdesk::{ExportId, Invocation};
use partnerdesk_host::export as host;
use partnerdesk_host::records::ExportJob as HostJob;
use partnerdesk_host::{Actor, HostInstant};
use std::io::Write;

/// What to export and how. Select with `ids` (in that order) or else with `filter` (blank:
/// everyone) and `sort`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExportOptions {
    /// The text filter of a query selection.
    #[uniffi(default = "")]
    pub filter: String,
    /// These customers instead of a query.
    #[uniffi(default = None)]
    pub ids: Option<Vec<String>>,
    /// The order of a query selection (by id when `null`).
    #[uniffi(default = None)]
    pub sort: Option<SortOrder>,
    /// Include disassociated customers in a query selection.
    #[uniffi(default = false)]
    pub include_disassociated: bool,
    /// `csv` or `xlsx`.
    #[uniffi(default = "csv")]
    pub format: String,
    /// Column keys, in order (`exportColumns()`); the default set when `null`.
    #[uniffi(default = None)]
    pub columns: Option<Vec<String>>,
    /// Start a CSV with a UTF-8 byte-order mark (for Excel).
    #[uniffi(default = false)]
    pub bom: bool,
    /// The file name offered for download.
    #[uniffi(default = None)]
    pub file_name: Option<String>,
}

/// Receives a streamed export: the file in chunks, and progress with the choice to go on.
/// Called on the exporting thread while the desk is held for reading: do not call the desk
/// from it.
#[uniffi::export(callback_interface)]
pub trait ExportListener: Send + Sync {
    /// The next chunk of the file; `false` if it could not be taken (`EXPORT_WRITE_FAILED`).
    fn on_chunk(&self, chunk: Vec<u8>) -> bool;

    /// Rows done of total; `false` cancels the export (`EXPORT_CANCELLED`).
    fn on_progress(&self, done: u64, total: u64) -> bool;
}

fn request(options: ExportOptions) -> Result<ExportRequest> {
    let selection = match options.ids {
        Some(ids) => ExportSelection::Ids(parse_customer_ids(&ids)?),
        None => ExportSelection::Query {
            query: parse_query(&options.filter, options.include_disassociated)?,
            sort: options.sort.map(Into::into).unwrap_or_default(),
        },
    };
    let columns = options.columns.as_deref();
    Ok(host::request(
        selection,
        &options.format,
        options.bom,
        columns,
        options.file_name,
    )?)
}

impl Desk {
    /// Runs an export into `out` in the core's three phases, with `go_on` for progress.
    fn export_into(
        &self,
        (inv, request): &(Invocation, ExportRequest),
        out: &mut (dyn Write + Send),
        go_on: impl FnMut(u64, u64) -> bool,
    ) -> std::result::Result<HostJob, partnerdesk::Error> {
        let job = host::phases(
            self.lock(),
            inv.actor(),
            |d| d.prepare_export(inv, request),
            out,
            host::progress(go_on),
            partnerdesk::Desk::record_export,
        )?;
        Ok((&job).into())
    }
}

/// The invocation and the request of an export, parsed.
fn export_args(
    actor: &Actor,
    options: ExportOptions,
    now: Option<HostInstant>,
) -> Result<(Invocation, ExportRequest)> {
    Ok((
        Invocation::new(actor.to_core()?, partnerdesk_host::at(now)),
        request(options)?,
    ))
}

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl Desk {
    /// Exports customers, anonymised, to a file at `path` (administrator or the export item):
    /// written beside it and renamed over it only on success, so a refused or failed export
    /// leaves an existing file byte for byte as it was.
    #[uniffi::method(default(now = None))]
    pub fn export_to_file(
        &self,
        actor: Actor,
        path: String,
        options: ExportOptions,
        now: Option<HostInstant>,
    ) -> Result<HostJob> {
        let args = export_args(&actor, options, now)?;
        let path = std::path::PathBuf::from(path);
        Ok(host::to_path(&path, |out| {
            self.export_into(&args, out, |_, _| true)
        })?)
    }

    /// Exports customers, anonymised, to bytes in memory.
    #[uniffi::method(default(now = None))]
    pub fn export_to_buffer(
        &self,
        actor: Actor,
        options: ExportOptions,
        now: Option<HostInstant>,
    ) -> Result<Vec<u8>> {
        let args = export_args(&actor, options, now)?;
        let mut bytes = Vec::new();
        self.export_into(&args, &mut bytes, |_, _| true)?;
        Ok(bytes)
    }

    /// Exports customers, anonymised, streamed to `listener` in chunks, with progress; the
    /// listener cancels by answering `false` to `onProgress` (`EXPORT_CANCELLED`).
    #[uniffi::method(default(now = None))]
    pub fn export_to_stream(
        &self,
        actor: Actor,
        options: ExportOptions,
        now: Option<HostInstant>,
        listener: Box<dyn ExportListener>,
    ) -> Result<HostJob> {
        let args = export_args(&actor, options, now)?;
        let listener = &*listener;
        Ok(host::to_chunks(
            |chunk| listener.on_chunk(chunk.to_vec()),
            |out| self.export_into(&args, out, |d, t| listener.on_progress(d, t)),
        )?)
    }

    /// Writes an earlier export again (its recorded selection over today's data) to a file at
    /// `path`, atomically as `exportToFile`; returns the rows written. A customer's detail list
    /// (`exportDetailToFile`) is written again the same way.
    #[uniffi::method(default(now = None))]
    pub fn download_export(
        &self,
        actor: Actor,
        export_id: String,
        path: String,
        now: Option<HostInstant>,
    ) -> Result<u64> {
        let inv = Invocation::new(actor.to_core()?, partnerdesk_host::at(now));
        let id = ExportId::new(export_id)?;
        let path = std::path::PathBuf::from(path);
        Ok(host::to_path(&path, |out| {
            host::download(self.lock(), &inv, &id, out, host::progress(|_, _| true))
        })?)
    }

    /// Every export job recorded, oldest first.
    pub fn exports(&self) -> Vec<HostJob> {
        self.read().exports().iter().map(Into::into).collect()
    }
}
