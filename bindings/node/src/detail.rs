//! A customer's detail pages from JS: its orders, its resources, its spend details for a
//! month, the portfolio's renewal page, and the export of one of those lists.
//!
//! Why so little here: the records (`OrderLine`, `ResourceLine`, `SpendDetail` and their
//! pages, `DetailArgs`) and the bodies of the reads (parse the options, call the core, convert
//! the page) are declared once for every host in `partnerdesk_host::detail`. This module only
//! takes the desk's read lock, names the actor and `now` the Node way, pages like `search`
//! (`limit`, `offset` or `cursor`), and runs the export on a worker thread like `exportToFile`
//! (`crate::export`). Options are their stable text (`unpaid`, `newest_first`, `charging_mode`):
//! a typo is `INVALID_ARGUMENT` naming the option, as in every host.

use crate::desk::{Desk, ProgressFn};
use crate::error::{Code, to_js};
use crate::export::{CancelToken, ExportFileFormat, ExportTask};
use crate::ops::{ActorArg, ToCoreActor};
use chrono::{DateTime, Utc};
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use partnerdesk::export::DetailExportRequest;

pub use partnerdesk_host::detail::{
    DetailArgs, OrderLine, OrderPage, ResourceLine, ResourcePage, SpendDetail, SpendPage,
};
use std::path::PathBuf;

/// How to export a detail list: format, file name, the moment it is read at; progress and
/// cancellation (as `ExportOptions`).
#[napi(object, object_to_js = false)]
pub struct DetailExportOptions {
    /// `csv` (default) or `xlsx`.
    pub format: Option<ExportFileFormat>,
    /// CSV: start with a UTF-8 byte-order mark (for Excel); refused for XLSX.
    pub bom: Option<bool>,
    /// The file name recorded in the history (default `<list>-<id>.<ext>`).
    pub file_name: Option<String>,
    /// The export's instant: the list is read then (default: the wall clock).
    pub now: Option<DateTime<Utc>>,
    /// Called with `{ done, total }` lines as the export runs (on the JS thread).
    #[napi(ts_type = "(progress: Progress) => void")]
    pub on_progress: Option<ProgressFn>,
    /// Cancels the export.
    #[napi(ts_type = "CancelToken")]
    pub cancel: Option<napi::bindgen_prelude::ClassInstance<'static, CancelToken>>,
}

/// The export request and what the worker needs besides: progress, cancel and `now`.
type Prepared = (
    DetailExportRequest,
    Option<ProgressFn>,
    Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    Option<DateTime<Utc>>,
);

fn detail_request(
    list: &DetailArgs,
    options: Option<DetailExportOptions>,
) -> napi::Result<Prepared, Code> {
    let o = options.unwrap_or(DetailExportOptions {
        format: None,
        bom: None,
        file_name: None,
        now: None,
        on_progress: None,
        cancel: None,
    });
    let format = match o.format.unwrap_or(ExportFileFormat::Csv) {
        ExportFileFormat::Csv => "csv",
        ExportFileFormat::Xlsx => "xlsx",
    };
    let request =
        partnerdesk_host::detail::export_request(list, format, o.bom.unwrap_or(false), o.file_name)
            .map_err(to_js)?;
    let cancel = o.cancel.map(|c| c.flag());
    Ok((request, o.on_progress, cancel, o.now))
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// Exports one of a customer's detail lists (`{ list: 'orders' | 'resources' | 'spend',
    /// customerId, ...its options }`) as CSV or XLSX to a file, on a worker thread. Resolves to
    /// the recorded job (selection `detail`; `downloadExport` writes it again); rejects with
    /// `EXPORT_CANCELLED` or `EXPORT_WRITE_FAILED` (the job recorded anyway), or with the code
    /// of a refused request (nothing recorded but the audit). The file is written beside `path`
    /// and renamed over it only on success. On a durable desk the job is committed before the
    /// promise resolves.
    #[napi(
        ts_args_type = "actor: string | Actor, list: DetailArgs, path: string, options?: DetailExportOptions",
        ts_return_type = "Promise<ExportJob>"
    )]
    pub fn export_detail_to_file(
        &self,
        actor: ActorArg,
        list: DetailArgs,
        path: String,
        options: Option<DetailExportOptions>,
    ) -> napi::Result<AsyncTask<ExportTask>, Code> {
        let (request, progress, cancel, now) = detail_request(&list, options)?;
        Ok(AsyncTask::new(ExportTask::detail(
            self.inner.clone(),
            actor.core()?,
            request,
            Some(PathBuf::from(path)),
            (progress, cancel),
            partnerdesk_host::now_or_clock(now),
        )))
    }

    /// Like `exportDetailToFile`, resolving to the file's bytes. The job is recorded in the
    /// history the same way.
    #[napi(
        ts_args_type = "actor: string | Actor, list: DetailArgs, options?: DetailExportOptions",
        ts_return_type = "Promise<Buffer>"
    )]
    pub fn export_detail_to_buffer(
        &self,
        actor: ActorArg,
        list: DetailArgs,
        options: Option<DetailExportOptions>,
    ) -> napi::Result<AsyncTask<ExportTask>, Code> {
        let (request, progress, cancel, now) = detail_request(&list, options)?;
        Ok(AsyncTask::new(ExportTask::detail(
            self.inner.clone(),
            actor.core()?,
            request,
            None,
            (progress, cancel),
            partnerdesk_host::now_or_clock(now),
        )))
    }
}
