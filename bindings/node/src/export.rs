//! Anonymised exports and audited reveal from JS.
//!
//! Why a worker thread and a progress callback: an export of a large portfolio writes for
//! seconds; on the JS thread it would stop every timer and socket. `exportToFile` /
//! `exportToBuffer` run the core's streaming writer on a libuv worker, forward its progress
//! (rows done of total, every 4,096 rows) to a JS callback through a threadsafe function, and
//! stop at the next progress tick after `CancelToken.cancel()`. The export runs in the core's
//! three phases: it holds the desk exclusively only to prepare (authorize, plan, reserve the
//! job id) and to record (history and audit), and shares it while the rows stream; what the
//! preparation would build first (the id order and the copy of the exported fields) it builds
//! before, sharing the desk (`partnerdesk_host::export::phases`). Reads on the JS thread
//! (`search`, `count`, `page`, `exports`, ...) therefore run during an export (waiting at most
//! a few milliseconds for its exclusive moments); changes meanwhile throw `DESK_BUSY` rather
//! than stop the event loop until it ends. A customer's detail list
//! (`exportDetailToFile`, `crate::detail`) is one change of the core that holds the desk
//! exclusively while it writes one customer's lines: calls meanwhile throw `DESK_BUSY`.

use crate::args::SelectionArg;
use crate::desk::{Desk, ProgressFn, Shared, query_of, report};
use crate::error::{Code, to_js, to_js_value};
use crate::ops::{ActorArg, ToCoreActor};
use crate::types::SortKey;
use chrono::{DateTime, Utc};
use napi::Task;
use napi::bindgen_prelude::{AsyncTask, Buffer, Either3, Env};
use napi_derive::napi;
use partnerdesk::access::Actor as CoreActor;
use partnerdesk::export::{
    DetailExportRequest, ExportJob as CoreJob, ExportProgress, ExportRequest, ExportSelection,
};
use partnerdesk::query::Sort;
use partnerdesk::{CustomerId, Error as CoreError, ExportId};
use partnerdesk_host::export as host;
pub use partnerdesk_host::records::ExportJob;
use std::io::Write;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// CSV or XLSX.
#[napi(string_enum = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFileFormat {
    /// RFC 4180 CSV in UTF-8.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// Cancels a running export: pass it in the options, call `cancel()` (e.g. from an
/// `AbortSignal`'s `abort` event). The export stops at its next progress tick, is recorded as
/// cancelled, and the promise rejects with `EXPORT_CANCELLED`.
#[napi]
#[derive(Debug, Default)]
pub struct CancelToken {
    flag: Arc<AtomicBool>,
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl CancelToken {
    /// A token not cancelled yet.
    #[napi(constructor)]
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// Asks the export to stop.
    #[napi]
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }

    /// Whether `cancel()` was called.
    #[napi(getter)]
    pub fn cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
}

impl CancelToken {
    /// The flag an export running on a worker thread reads.
    pub(crate) fn flag(&self) -> Arc<AtomicBool> {
        self.flag.clone()
    }
}

/// How to export: format, columns, order, names; and progress and cancellation.
#[napi(object, object_to_js = false)]
pub struct ExportOptions {
    /// `csv` (default) or `xlsx`.
    pub format: Option<ExportFileFormat>,
    /// Column keys in order (`customer_id`, `name`, `month_to_date`, ...; default: the
    /// console's columns).
    pub columns: Option<Vec<String>>,
    /// Sort of a query selection (default `id`).
    pub sort: Option<SortKey>,
    /// Sort descending.
    pub descending: Option<bool>,
    /// CSV: start with a UTF-8 byte-order mark (for Excel).
    pub bom: Option<bool>,
    /// The file name recorded in the history (default `customers-<id>.<ext>`).
    pub file_name: Option<String>,
    /// How personal fields are anonymised (default: the desk's export policy). A policy that
    /// shows a name, mobile or e-mail in clear is refused.
    pub masks: Option<partnerdesk_host::ops::privacy::MaskPolicy>,
    /// The export's instant: a query is evaluated then (default: the desk's `now`).
    pub now: Option<DateTime<Utc>>,
    /// Called with `{ done, total }` rows as the export runs (on the JS thread).
    #[napi(ts_type = "(progress: Progress) => void")]
    pub on_progress: Option<ProgressFn>,
    /// Cancels the export.
    #[napi(ts_type = "CancelToken")]
    pub cancel: Option<napi::bindgen_prelude::ClassInstance<'static, CancelToken>>,
}

/// Where an export goes.
enum Sink {
    File(PathBuf),
    Memory,
}

/// What an export run produced (and the bytes, for an export to memory).
pub enum Written {
    /// A new export job.
    Job(Box<CoreJob>, Vec<u8>),
    /// A download of a recorded job: the rows written.
    Rows(u64, Vec<u8>),
}

/// Forwards the core's progress to JS and answers cancellation.
struct Ticker {
    progress: Option<ProgressFn>,
    cancel: Option<Arc<AtomicBool>>,
}

impl Ticker {
    fn tick(&self, p: ExportProgress) -> ControlFlow<()> {
        report(
            self.progress.as_ref(),
            u32::try_from(p.done).unwrap_or(u32::MAX),
            u32::try_from(p.total).unwrap_or(u32::MAX),
        );
        match &self.cancel {
            Some(flag) if flag.load(Ordering::SeqCst) => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    }
}

/// An export or a download, run on a worker thread.
pub struct ExportTask {
    desk: Shared,
    actor: CoreActor,
    work: Work,
    sink: Sink,
    ticker: Ticker,
    now: DateTime<Utc>,
}

enum Work {
    Export(Box<ExportRequest>),
    /// One of a customer's detail lists (`crate::detail`).
    Detail(Box<DetailExportRequest>),
    Download(ExportId),
}

impl ExportTask {
    /// The export of a customer's detail list to `path`, or to memory without one.
    pub(crate) fn detail(
        desk: Shared,
        actor: CoreActor,
        request: DetailExportRequest,
        path: Option<PathBuf>,
        (progress, cancel): (Option<ProgressFn>, Option<Arc<AtomicBool>>),
        now: DateTime<Utc>,
    ) -> Self {
        ExportTask {
            desk,
            actor,
            work: Work::Detail(Box::new(request)),
            sink: path.map_or(Sink::Memory, Sink::File),
            ticker: Ticker { progress, cancel },
            now,
        }
    }

    fn run(&self) -> Result<Written, CoreError> {
        match &self.sink {
            Sink::Memory => {
                let mut buffer = Vec::new();
                Ok(match self.write_to(&mut buffer)? {
                    Written::Job(job, _) => Written::Job(job, buffer),
                    Written::Rows(rows, _) => Written::Rows(rows, buffer),
                })
            }
            // See `FileSink`: a refused, cancelled or failed export leaves an existing file
            // byte for byte as it was.
            Sink::File(path) => partnerdesk_host::export::to_path(path, |out| self.write_to(out)),
        }
    }

    /// Runs the export or download into `out` in the core's three phases (its order built
    /// first under a read lock): prepared under the desk's write lock, written under a read lock (downgraded from the write lock, so that
    /// no change comes between and the prepared export stays valid), recorded under the write
    /// lock again. While the rows stream, reads on the JS thread run; changes throw
    /// `DESK_BUSY`.
    ///
    /// A customer's detail list (a new export, or a download of one) is a single change of the
    /// core (`Desk::export_detail`, `Desk::download_export`) that runs once under the write
    /// lock: one customer's lines, written in a moment; on a durable desk its job and audit
    /// are committed before the promise settles.
    fn write_to(&self, out: &mut (dyn Write + Send)) -> Result<Written, CoreError> {
        let inv = partnerdesk::Invocation::new(self.actor.clone(), self.now);
        let tick = |p| self.ticker.tick(p);
        match &self.work {
            Work::Detail(request) => self
                .desk
                .write()
                .change_once(|d| d.export_detail(&inv, request, out, tick))
                .map(|job| Written::Job(Box::new(job), Vec::new())),
            Work::Export(request) => host::phases(
                &self.desk,
                &self.actor,
                |d| d.prepare_export(&inv, request),
                out,
                tick,
                |d, prepared, written| {
                    d.record_export(prepared, written)
                        .map(|job| Written::Job(Box::new(job), Vec::new()))
                },
            ),
            Work::Download(id) => host::download(&self.desk, &inv, id, out, tick)
                .map(|rows| Written::Rows(rows, Vec::new())),
        }
    }
}

impl Task for ExportTask {
    type Output = Result<Written, CoreError>;
    type JsValue = Either3<ExportJob, Buffer, u32>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(crate::panic_guard::background("Desk.export", || self.run()))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        match (output, &self.sink) {
            (Ok(Written::Job(job, _)), Sink::File(_)) => Ok(Either3::A(job.as_ref().into())),
            (Ok(Written::Job(_, bytes) | Written::Rows(_, bytes)), Sink::Memory) => {
                Ok(Either3::B(bytes.into()))
            }
            (Ok(Written::Rows(rows, _)), Sink::File(_)) => {
                Ok(Either3::C(u32::try_from(rows).unwrap_or(u32::MAX)))
            }
            (Err(e), _) => Err(to_js_value(&env, &e)),
        }
    }
}

fn selection_of(selection: SelectionArg, o: &ExportOptions) -> napi::Result<ExportSelection, Code> {
    Ok(match selection {
        SelectionArg::Ids(ids) => ExportSelection::Ids(
            ids.into_iter()
                .map(|i| CustomerId::new(i).map_err(to_js))
                .collect::<Result<_, _>>()?,
        ),
        SelectionArg::Query(q) => ExportSelection::Query {
            query: query_of(q)?,
            sort: sort_of(o),
        },
    })
}

fn sort_of(o: &ExportOptions) -> Sort {
    Sort {
        key: o.sort.map_or(partnerdesk::query::SortKey::Id, Into::into),
        descending: o.descending.unwrap_or(false),
    }
}

fn request_of(selection: ExportSelection, o: &ExportOptions) -> napi::Result<ExportRequest, Code> {
    let format = match o.format.unwrap_or(ExportFileFormat::Csv) {
        ExportFileFormat::Csv => "csv",
        ExportFileFormat::Xlsx => "xlsx",
    };
    let bom = o.bom.unwrap_or(false);
    let (columns, name) = (o.columns.as_deref(), o.file_name.clone());
    let mut request = host::request(selection, format, bom, columns, name).map_err(to_js)?;
    if let Some(masks) = &o.masks {
        request = request.with_masks(masks.to_core().map_err(to_js)?);
    }
    Ok(request)
}

impl Desk {
    fn export_task(
        &self,
        actor: &ActorArg,
        work: Work,
        sink: Sink,
        options: Option<ExportOptions>,
    ) -> napi::Result<AsyncTask<ExportTask>, Code> {
        let (progress, cancel, now) = match options {
            Some(o) => (o.on_progress, o.cancel.map(|c| c.flag.clone()), o.now),
            None => (None, None, None),
        };
        Ok(AsyncTask::new(ExportTask {
            desk: self.inner.clone(),
            actor: actor.core()?,
            work,
            sink,
            ticker: Ticker { progress, cancel },
            now: partnerdesk_host::now_or_clock(now),
        }))
    }
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// Exports customers, anonymised, to a file on a worker thread: `selection` is a list of
    /// customer ids ("Export Selected"), a `Query` or a text filter (evaluated at the export's
    /// instant). Administrator only (`ADMINISTRATOR_ONLY`, audited). Resolves to the recorded
    /// job; rejects with `EXPORT_CANCELLED` or `EXPORT_WRITE_FAILED` (the job is recorded
    /// anyway), or with the code of a refused request (nothing recorded but the audit). The
    /// file is written beside `path` and renamed over it only on success: a refused, cancelled
    /// or failed export leaves an existing file byte for byte as it was.
    #[napi(
        ts_args_type = "actor: string | Actor, selection: Query | string | string[], path: string, options?: ExportOptions",
        ts_return_type = "Promise<ExportJob>"
    )]
    pub fn export_to_file(
        &self,
        actor: ActorArg,
        selection: SelectionArg,
        path: String,
        options: Option<ExportOptions>,
    ) -> napi::Result<AsyncTask<ExportTask>, Code> {
        let request = {
            let o = options.as_ref();
            let defaults = ExportOptions::none();
            let o = o.unwrap_or(&defaults);
            request_of(selection_of(selection, o)?, o)?
        };
        self.export_task(
            &actor,
            Work::Export(Box::new(request)),
            Sink::File(PathBuf::from(path)),
            options,
        )
    }

    /// Like `exportToFile`, resolving to the file's bytes (for small exports and HTTP
    /// responses). The job is recorded in the history the same way.
    #[napi(
        ts_args_type = "actor: string | Actor, selection: Query | string | string[], options?: ExportOptions",
        ts_return_type = "Promise<Buffer>"
    )]
    pub fn export_to_buffer(
        &self,
        actor: ActorArg,
        selection: SelectionArg,
        options: Option<ExportOptions>,
    ) -> napi::Result<AsyncTask<ExportTask>, Code> {
        let request = {
            let defaults = ExportOptions::none();
            let o = options.as_ref().unwrap_or(&defaults);
            request_of(selection_of(selection, o)?, o)?
        };
        self.export_task(
            &actor,
            Work::Export(Box::new(request)),
            Sink::Memory,
            options,
        )
    }

    /// Downloads a recorded export again to a file: regenerated from the recorded selection,
    /// columns and masks over the data as it is now. Resolves to the rows written.
    /// `EXPORT_NOT_FOUND` for an unknown job.
    #[napi(
        ts_args_type = "actor: string | Actor, exportId: string, path: string, options?: ExportOptions",
        ts_return_type = "Promise<number>"
    )]
    pub fn download_export(
        &self,
        actor: ActorArg,
        export_id: String,
        path: String,
        options: Option<ExportOptions>,
    ) -> napi::Result<AsyncTask<ExportTask>, Code> {
        let id = ExportId::new(export_id).map_err(to_js)?;
        self.export_task(
            &actor,
            Work::Download(id),
            Sink::File(PathBuf::from(path)),
            options,
        )
    }

    /// The export history, oldest first.
    #[napi]
    pub fn exports(&self) -> napi::Result<Vec<ExportJob>, Code> {
        Ok(self.read()?.exports().iter().map(ExportJob::from).collect())
    }
}

impl ExportOptions {
    fn none() -> Self {
        ExportOptions {
            format: None,
            columns: None,
            sort: None,
            descending: None,
            bom: None,
            file_name: None,
            masks: None,
            now: None,
            on_progress: None,
            cancel: None,
        }
    }
}
