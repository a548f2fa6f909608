//! `Desk`: one partner's portfolio, shared safely between Python threads.
//!
//! Why a lock inside a frozen class: long calls (search over a large desk, loading, export)
//! release the GIL, so another Python thread may call into the same desk meanwhile. An
//! `RwLock` lets searches run in parallel and makes changes wait; locks are always taken with
//! the GIL released, so a thread waiting for the lock never blocks the interpreter.
//!
//! The lock holds a [`HostDesk`]: in memory, or durable on a store (`Desk.open`, `save_to`).
//! Reads go through its `Deref` to the core's desk; every change goes through
//! [`PyDesk::change`], which on a durable desk commits the change (and a refusal's audit
//! records) before it returns, under the write lock and with the GIL released.
//!
//! An export holds the write lock only to prepare and to record; what the preparation would
//! build first (the id order and the copy of the exported fields: seconds at a million
//! customers) it builds before, under a read lock; while its rows stream it holds a read lock
//! (downgraded from the write lock, so that no change slips in between), so reads from other
//! threads run beside it. Its progress callback and file object run on the
//! exporting thread: their reads take that thread's read lock again (`parking_lot`'s recursive
//! read, which does not queue behind a waiting change), and their changes are refused, since
//! waiting there for the write lock would never end.
//!
//! A customer's detail list is written by the core in one change (`Desk::export_detail`), so
//! its export (and its download) holds the write lock while its rows are written: its progress
//! callback and file object may neither read nor change the desk (`RuntimeError`, see
//! [`PyDesk::read`]), since nothing can read it before that change ends.

use crate::errors::IntoPy;
use crate::export::{Progress, PyWriter};
use crate::governed::{actor_arg, ids_arg};
use crate::query::{query_arg, sort_arg};
use crate::values::{PyCustomerRow, PyPage, now_arg};
use chrono::{DateTime, Utc};
use parking_lot::{RwLockReadGuard, RwLockWriteGuard};
use partnerdesk::export::{ExportWritten, PreparedExport, RecordedSelection};
use partnerdesk::query::{PageRequest, Query, Sort};
use partnerdesk::row::CustomerRow;
use partnerdesk::{CustomerId, Desk, Invocation};
use partnerdesk_host::durable::Changing;
use partnerdesk_host::ops::customers::{OperatorInfo, PartnerInfo};
use partnerdesk_host::records::ExportJob;
use partnerdesk_host::records::IdPage;
use partnerdesk_host::{DeskLock, HostDesk, detail};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::collections::VecDeque;
use std::io::{BufWriter, Write};
use std::sync::Mutex;
use std::thread::ThreadId;

/// Marks this thread as writing an export of `desk` until dropped: holding its read lock (a
/// customer-list export), or its write lock (`exclusive`: a customer's detail list, which the
/// core writes in one change).
struct ExportingMark<'a> {
    desk: &'a PyDesk,
    thread: ThreadId,
}

impl<'a> ExportingMark<'a> {
    fn set(desk: &'a PyDesk, exclusive: bool) -> Self {
        let thread = std::thread::current().id();
        desk.exporting().push((thread, exclusive));
        ExportingMark { desk, thread }
    }
}

impl Drop for ExportingMark<'_> {
    fn drop(&mut self) {
        let mut exporting = self.desk.exporting();
        if let Some(at) = exporting.iter().rposition(|(t, _)| *t == self.thread) {
            exporting.swap_remove(at);
        }
    }
}

/// A partner's customer portfolio.
#[pyclass(name = "Desk", module = "partnerdesk", frozen)]
pub(crate) struct PyDesk {
    inner: DeskLock,
    /// The threads writing an export of this desk, each holding a read lock, or the write
    /// lock when marked `true` (a thread twice when its file object starts another export,
    /// which is refused; see `not_in_own_export`).
    exporting: Mutex<Vec<(ThreadId, bool)>>,
}

impl PyDesk {
    pub(crate) fn wrap(desk: Desk) -> Self {
        PyDesk::hold(HostDesk::new(desk))
    }

    fn hold(desk: HostDesk) -> Self {
        PyDesk {
            inner: DeskLock::new(desk),
            exporting: Mutex::new(Vec::new()),
        }
    }

    /// The threads writing an export of this desk. The list is only pushed to and removed
    /// from, so a poisoned lock still holds a consistent list.
    fn exporting(&self) -> std::sync::MutexGuard<'_, Vec<(ThreadId, bool)>> {
        self.exporting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether this thread is writing an export of this desk (the call comes from its
    /// progress callback or file object).
    fn in_own_export(&self) -> bool {
        let me = std::thread::current().id();
        self.exporting().iter().any(|(t, _)| *t == me)
    }

    /// Read access, or `RuntimeError` on a thread writing a detail export of this desk (its
    /// progress callback or file object): that thread holds the write lock, so no read can
    /// come before the export ends. On a thread writing a customer-list export, the read lock
    /// that thread holds is taken again, even with a change waiting for the lock: waiting
    /// behind that change would wait forever.
    pub(crate) fn read(&self) -> PyResult<RwLockReadGuard<'_, HostDesk>> {
        let me = std::thread::current().id();
        let (mut own, mut exclusive) = (false, false);
        for (t, x) in self.exporting().iter() {
            if *t == me {
                own = true;
                exclusive |= *x;
            }
        }
        if exclusive {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "this desk is writing a customer's detail list on this thread: its progress callback and file object may not use it",
            ));
        }
        Ok(if own {
            self.inner.read_recursive()
        } else {
            self.inner.read()
        })
    }

    /// Runs `f` on the desk under the read lock (see [`PyDesk::read`]) with the GIL released.
    pub(crate) fn reading<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&HostDesk) -> T + Send,
    ) -> PyResult<T> {
        py.detach(|| self.read().map(|d| f(&d)))
    }

    /// Refuses (`RuntimeError`) a change made on this thread while it writes an export of
    /// this desk, i.e. from the export's progress callback or file object: the export holds a
    /// read lock, and waiting there for the write lock would wait forever. Reads are allowed.
    pub(crate) fn not_in_own_export(&self) -> PyResult<()> {
        if self.in_own_export() {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "this desk is being exported on this thread: its progress callback and file object may read it but not change it",
            ));
        }
        Ok(())
    }

    /// Write access (see [`PyDesk::read`]), for the store's operations and an export's
    /// phases; a change goes through [`PyDesk::change`]. Once released, a due checkpoint is
    /// stored under a read lock ([`Changing`]).
    pub(crate) fn write(&self) -> Changing<'_, RwLockWriteGuard<'_, HostDesk>, PyDesk> {
        Changing::new(self.inner.write(), self, PyDesk::checkpoint_after_change)
    }

    /// Stores a due checkpoint under a read lock, on this thread (the GIL released, as the
    /// change was). The change is committed already: a failed checkpoint fails nothing, and
    /// the next change tries again.
    fn checkpoint_after_change(&self) {
        let _ = self.inner.read().checkpoint_if_due();
    }

    /// Runs a change under the write lock: on a durable desk it is committed (with a
    /// refusal's audit records) before this returns, and `f` may run again after another
    /// instance's change, so it must do the same each time.
    pub(crate) fn change<T>(
        &self,
        f: impl FnMut(&mut Desk) -> partnerdesk::Result<T>,
    ) -> partnerdesk::Result<T> {
        self.write().change(f)
    }
}

/// A file path argument (`str` or `os.PathLike`); else `TypeError`.
fn path_arg(path: &Bound<'_, PyAny>) -> PyResult<std::path::PathBuf> {
    path.extract()
        .map_err(|_| pyo3::exceptions::PyTypeError::new_err("path: expected a str or os.PathLike"))
}

/// A detail export's request from Python's arguments: the list, its customer and format
/// (`list, customer, format, bom, file_name`), then the list's options (`scope, kinds,
/// statuses, expiring_within_days, sort, month, group`).
#[allow(clippy::type_complexity)]
fn detail_export_request(
    py: Python<'_>,
    (list, customer, format, bom, file_name): (String, String, &str, bool, Option<String>),
    (scope, kinds, statuses, expiring_within_days, sort, month, group): (
        Option<String>,
        Option<Vec<String>>,
        Option<Vec<String>>,
        Option<&Bound<'_, PyAny>>,
        Option<String>,
        Option<String>,
        Option<String>,
    ),
) -> PyResult<partnerdesk::export::DetailExportRequest> {
    let expiring_within_days = expiring_within_days
        .map(|d| days_arg(py, d, "expiring_within_days"))
        .transpose()?;
    let args = detail::DetailArgs {
        list,
        customer_id: customer,
        scope,
        kinds,
        statuses,
        expiring_within_days,
        sort,
        month,
        group,
    };
    detail::export_request(&args, format, bom, file_name).py(py)
}

fn days_arg(py: Python<'_>, days: &Bound<'_, PyAny>, field: &str) -> PyResult<u32> {
    let days = days.extract::<u64>().unwrap_or(u64::MAX);
    partnerdesk::calendar::check_days(field, days).py(py)
}

/// The page of a search: by `offset`, or after `cursor` (the first page when neither).
fn page_request(
    limit: u32,
    offset: Option<usize>,
    cursor: Option<String>,
) -> PyResult<PageRequest> {
    match (offset, cursor) {
        (Some(_), Some(_)) => Err(pyo3::exceptions::PyValueError::new_err(
            "pass either offset or cursor, not both",
        )),
        (Some(offset), None) => Ok(PageRequest::offset(offset, limit)),
        (None, cursor) => Ok(PageRequest::Cursor { cursor, limit }),
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyDesk {
    /// The deterministic demo portfolio of `customers` customers; see `demo_portfolio`.
    #[staticmethod]
    #[pyo3(signature = (customers = 1000, seed = 42))]
    fn demo(py: Python<'_>, customers: usize, seed: u64) -> PyResult<Self> {
        let (desk, _) = py
            .detach(|| partnerdesk::demo::portfolio(customers, seed))
            .py(py)?;
        Ok(Self::wrap(desk))
    }

    /// Loads a desk from snapshot JSON (`str` or `bytes`); releases the GIL while parsing.
    #[staticmethod]
    fn from_snapshot_json(py: Python<'_>, json: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = partnerdesk_host::python::json_text(json, "json")?;
        let desk = py.detach(|| Desk::from_snapshot_json(&text)).py(py)?;
        Ok(Self::wrap(desk))
    }

    /// Loads a desk from a snapshot file (`str` or `os.PathLike`), checking every invariant,
    /// with the GIL released; the JSON never becomes a Python string (a million customers is
    /// about 1.7 GB of it). `InvalidArgumentError` on `path` when the file cannot be read.
    #[staticmethod]
    fn from_snapshot_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        let path = path_arg(path)?;
        let desk = py
            .detach(|| partnerdesk_host::snapshot_file::load_snapshot_file(&path))
            .py(py)?;
        Ok(Self::wrap(desk))
    }

    /// Writes the desk's snapshot to a file (`str` or `os.PathLike`), replacing it only once
    /// the whole snapshot is written and synced (a failed save leaves the old file as it
    /// was: `ExportWriteFailedError`), with the GIL released and no Python string in between.
    fn save_snapshot_file(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        let path = path_arg(path)?;
        self.reading(py, |d| {
            partnerdesk_host::snapshot_file::save_snapshot_file(d, &path)
        })?
        .py(py)
    }

    // ---- durable desks ---------------------------------------------------------------------

    /// Opens the desk stored at `location`: a SQLite file path (`str` or `os.PathLike`; the
    /// file is made if missing) or a `postgresql://` URL. `partner` names the desk to open;
    /// without it, the one desk the store holds. `max_attempts` (1 to 64, default 8): how many
    /// times a change runs when other instances keep committing first; `checkpoint_every`
    /// (default 10,000; 0: only on `checkpoint()`); `event_key` (`bytes`, at least 16): the
    /// secret the stored events were sealed with, HMAC-SHA256, which the desk seals its next
    /// ones with too. A store sealed with a key opened without it or with another is
    /// `StoreCorruptError`. Every change is committed before it returns. Releases the GIL
    /// while it reads the store.
    #[staticmethod]
    #[pyo3(signature = (location, *, partner = None, max_attempts = None, checkpoint_every = None, event_key = None))]
    fn open(
        py: Python<'_>,
        location: &Bound<'_, PyAny>,
        partner: Option<String>,
        max_attempts: Option<i64>,
        checkpoint_every: Option<i64>,
        event_key: Option<partnerdesk_host::ops::privacy::Secret>,
    ) -> PyResult<Self> {
        let location = crate::held::location_arg(py, location)?;
        let options = crate::held::options_arg(py, max_attempts, checkpoint_every, event_key)?;
        let held = py
            .detach(|| HostDesk::open(&location, partner.as_deref(), options))
            .py(py)?;
        Ok(Self::hold(held))
    }

    /// Stores a copy of this desk at `location` (as `open`'s) as a new durable desk and keeps
    /// working there: every later change is committed to it before it returns. Refused
    /// (`InvalidArgumentError`) when that store already holds this partner's desk; on any
    /// error the desk stays as and where it was. With `event_key` (as `open`'s) the stored
    /// desk seals its events with that key; a desk that already has an event key
    /// (`set_event_key`) must be given the same one (`InvalidArgumentError` on `event_key`
    /// otherwise). Releases the GIL while it writes.
    #[pyo3(signature = (location, *, max_attempts = None, checkpoint_every = None, event_key = None))]
    fn save_to(
        &self,
        py: Python<'_>,
        location: &Bound<'_, PyAny>,
        max_attempts: Option<i64>,
        checkpoint_every: Option<i64>,
        event_key: Option<partnerdesk_host::ops::privacy::Secret>,
    ) -> PyResult<()> {
        self.not_in_own_export()?;
        let location = crate::held::location_arg(py, location)?;
        let options = crate::held::options_arg(py, max_attempts, checkpoint_every, event_key)?;
        py.detach(|| self.write().save_to(&location, options))
            .py(py)
    }

    /// `"sqlite"` or `"postgresql"` for a durable desk, `None` for one in memory only.
    #[getter]
    fn store_kind(&self, py: Python<'_>) -> PyResult<Option<&'static str>> {
        self.reading(py, |d| d.store_kind().map(|k| k.as_str()))
    }

    /// Applies what other instances committed to the store since this desk last read it;
    /// returns how many events that was (0 in memory).
    fn refresh(&self, py: Python<'_>) -> PyResult<u64> {
        self.not_in_own_export()?;
        py.detach(|| self.write().refresh()).py(py)
    }

    /// Waits up to `timeout` (a `datetime.timedelta` or seconds, at most an hour) for
    /// another instance to commit, then applies it; `True` when something new was applied
    /// (in memory: `False` at once). Waits with the GIL released and lets other threads use
    /// the desk meanwhile; Ctrl-C interrupts it.
    fn follow(&self, py: Python<'_>, timeout: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.not_in_own_export()?;
        let timeout = crate::held::timeout_arg(py, timeout)?;
        if self.reading(py, |d| d.store_kind())?.is_none() {
            return Ok(false);
        }
        let deadline = std::time::Instant::now() + timeout;
        loop {
            // In slices, the write lock released between them: other threads' reads and
            // changes run while this one waits.
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let slice = left.min(crate::held::FOLLOW_SLICE);
            if py.detach(|| self.write().follow(slice)).py(py)? {
                return Ok(true);
            }
            if slice == left {
                return Ok(false);
            }
            py.check_signals()?;
        }
    }

    /// Stores a checkpoint now, so that the next `open` reads less of the log; returns how
    /// many events the log held at it. `InvalidArgumentError` in memory (there is no store).
    fn checkpoint(&self, py: Python<'_>) -> PyResult<u64> {
        self.not_in_own_export()?;
        py.detach(|| self.write().checkpoint()).py(py)
    }

    /// The partner that owns the desk.
    #[getter]
    fn partner(&self, py: Python<'_>) -> PyResult<PartnerInfo> {
        self.reading(py, partnerdesk_host::ops::customers::partner)?
            .py(py)
    }

    /// Customers on the desk (including disassociated ones kept for history).
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.reading(py, |d| d.len())
    }

    /// Whether a customer id is on the desk.
    fn __contains__(&self, py: Python<'_>, id: &str) -> PyResult<bool> {
        let Ok(id) = CustomerId::new(id) else {
            return Ok(false);
        };
        self.reading(py, |d| d.customer(&id).is_ok())
    }

    /// One page of masked rows.
    ///
    /// `query` is a `Query` or a text filter (every field, operator and sort key:
    /// docs/filter.md); `sort` a key (`"mtd"`, or `"-mtd"` for descending); page by `cursor`
    /// (from the previous page) or by `offset`. Tags match case-sensitively (`tag:VIP` does not
    /// find `vip`); names match case-insensitively. Month-to-date spend is counted in the
    /// partner's billing month at `now`, and may be negative (refunds).
    #[pyo3(signature = (query = None, *, sort = "id", descending = false, limit = 50, offset = None, cursor = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn search(
        &self,
        py: Python<'_>,
        query: Option<&Bound<'_, PyAny>>,
        sort: &str,
        descending: bool,
        limit: u32,
        offset: Option<usize>,
        cursor: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyPage> {
        let q = query_arg(query)?;
        let sort = sort_arg(py, sort, descending)?;
        let req = page_request(limit, offset, cursor)?;
        let now = now_arg(py, now)?;
        let page = self
            .reading(py, |d| d.search(&q, sort, &req, now))?
            .py(py)?;
        Ok(PyPage {
            rows: page.rows.into_iter().map(PyCustomerRow::from).collect(),
            total: page.total,
            next_cursor: page.next_cursor,
        })
    }

    /// The ids of one page (no rows built), as an `IdPage` (`ids`, `total`, `next_cursor`).
    /// Pass `page.ids` to a batch command: the page itself is refused there
    /// (`InvalidArgumentError`).
    #[pyo3(signature = (query = None, *, sort = "id", descending = false, limit = 50, offset = None, cursor = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn search_ids(
        &self,
        py: Python<'_>,
        query: Option<&Bound<'_, PyAny>>,
        sort: &str,
        descending: bool,
        limit: u32,
        offset: Option<usize>,
        cursor: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<IdPage> {
        let q = query_arg(query)?;
        let sort = sort_arg(py, sort, descending)?;
        let req = page_request(limit, offset, cursor)?;
        let now = now_arg(py, now)?;
        let page = self
            .reading(py, |d| d.search_ids(&q, sort, &req, now))?
            .py(py)?;
        Ok(page.into())
    }

    /// Every matching row, page by page, as a Python iterator (cursor paging underneath).
    #[pyo3(signature = (query = None, *, sort = "id", descending = false, page_size = 100, now = None))]
    fn iter_search(
        slf: &Bound<'_, Self>,
        query: Option<&Bound<'_, PyAny>>,
        sort: &str,
        descending: bool,
        page_size: u32,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PySearchIter> {
        let py = slf.py();
        let q = query_arg(query)?;
        let sort = sort_arg(py, sort, descending)?;
        // Validate the page size now, not at the first next().
        if page_size == 0 || page_size > partnerdesk::query::MAX_PAGE_LIMIT {
            return Err(crate::errors::to_py(
                py,
                partnerdesk::Error::InvalidPage {
                    reason: format!(
                        "page_size must be 1..={}",
                        partnerdesk::query::MAX_PAGE_LIMIT
                    ),
                },
            ));
        }
        Ok(PySearchIter {
            desk: slf.clone().unbind(),
            query: q,
            sort,
            page_size,
            now: now_arg(py, now)?,
            cursor: None,
            buffer: VecDeque::new(),
            done: false,
            total: None,
            pages: 0,
        })
    }

    /// How many customers match.
    #[pyo3(signature = (query = None, *, now = None))]
    fn count(
        &self,
        py: Python<'_>,
        query: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<usize> {
        let q = query_arg(query)?;
        let now = now_arg(py, now)?;
        self.reading(py, |d| d.count(&q, now))
    }

    /// The masked row of one customer; raises `CustomerNotFoundError`.
    #[pyo3(signature = (id, *, now = None))]
    fn customer_row(
        &self,
        py: Python<'_>,
        id: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCustomerRow> {
        let id = CustomerId::new(id).py(py)?;
        let now = now_arg(py, now)?;
        let row = self.reading(py, |d| d.customer_row(&id, now))?.py(py)?;
        Ok(row.into())
    }

    // ---- operators and permissions ------------------------------------------------------

    /// The partner's operators, by login.
    #[getter]
    fn operators(&self, py: Python<'_>) -> PyResult<Vec<OperatorInfo>> {
        self.reading(py, partnerdesk_host::ops::customers::operators)?
            .py(py)
    }

    // ---- governed operations ---------------------------------------------------------------

    // ---- export ----------------------------------------------------------------------------

    /// Exports customers, anonymised, to `dest`: a path (`str` / `os.PathLike`) or a binary
    /// file object with `write(bytes)`. Select with `query` (and `sort`) or `ids`. `progress`
    /// is called as `progress(done, total)` with the GIL released in between; returning
    /// `False` cancels (`ExportCancelledError`). Administrator only. The rows are written under
    /// a read lock (prepared and recorded under the write lock): other threads' reads run
    /// meanwhile and their changes wait; the callback and the file object may read this desk,
    /// and a change from them raises `RuntimeError` (waiting there would never end). A path is written
    /// beside it and renamed over it only on success: a refused, cancelled or failed export
    /// leaves an existing file byte for byte as it was.
    #[pyo3(signature = (actor, dest, *, format = "csv", query = None, ids = None, sort = "id", descending = false, columns = None, bom = false, file_name = None, progress = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn export(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        dest: &Bound<'_, PyAny>,
        format: &str,
        query: Option<&Bound<'_, PyAny>>,
        ids: Option<&Bound<'_, PyAny>>,
        sort: &str,
        descending: bool,
        columns: Option<Vec<String>>,
        bom: bool,
        file_name: Option<String>,
        progress: Option<Py<PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<ExportJob> {
        self.not_in_own_export()?;
        use partnerdesk::export::ExportSelection;
        let actor = actor_arg(actor)?;
        let ids: Option<Vec<String>> = ids
            .map(|ids| crate::declared::argument(py, "ids", ids))
            .transpose()?
            .flatten();
        let selection = match ids {
            Some(ids) => {
                if query.is_some_and(|q| !q.is_none()) {
                    return Err(pyo3::exceptions::PyValueError::new_err(
                        "pass either query or ids, not both",
                    ));
                }
                ExportSelection::Ids(ids_arg(py, ids)?)
            }
            None => ExportSelection::Query {
                query: query_arg(query)?,
                sort: sort_arg(py, sort, descending)?,
            },
        };
        let request = partnerdesk_host::export::request(
            selection,
            format,
            bom,
            columns.as_deref(),
            file_name,
        )
        .py(py)?;
        let now = now_arg(py, now)?;
        let mut progress = Progress::new(progress);
        let (result, writer_failure) = self.run_export(
            py,
            dest,
            |pd, out, progress| {
                pd.export_phases(
                    &actor,
                    |desk| desk.prepare_export(&Invocation::new(actor.clone(), now), &request),
                    out,
                    progress,
                    Desk::record_export,
                )
            },
            &mut progress,
        )?;
        finish_export(py, result, writer_failure, progress).map(|job| ExportJob::from(&job))
    }

    /// Writes a recorded export again (from its recorded selection, over today's data);
    /// returns the rows written.
    #[pyo3(signature = (actor, export_id, dest, *, progress = None, now = None))]
    fn download_export(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        export_id: String,
        dest: &Bound<'_, PyAny>,
        progress: Option<Py<PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        self.not_in_own_export()?;
        let actor = actor_arg(actor)?;
        let id = partnerdesk::ExportId::new(export_id).py(py)?;
        let now = now_arg(py, now)?;
        let mut progress = Progress::new(progress);
        // A customer's detail list is written again by the core in one change (a job's
        // selection never changes, so reading it first is safe).
        let detail = self.reading(py, |d| {
            d.export_job(&id)
                .is_ok_and(|j| matches!(j.selection, RecordedSelection::Detail(_)))
        })?;
        if detail {
            let inv = Invocation::new(actor, now);
            let (result, writer_failure) = self.run_export(
                py,
                dest,
                |pd, out, progress| {
                    pd.exclusively(|d| d.download_export(&inv, &id, out, |p| progress.call(p)))
                },
                &mut progress,
            )?;
            return finish_export(py, result, writer_failure, progress);
        }
        let (result, writer_failure) = self.run_export(
            py,
            dest,
            |pd, out, progress| {
                pd.export_phases(
                    &actor,
                    |desk| desk.prepare_download(&Invocation::new(actor.clone(), now), &id),
                    out,
                    progress,
                    Desk::record_download,
                )
            },
            &mut progress,
        )?;
        finish_export(py, result, writer_failure, progress)
    }

    /// Every export job recorded, oldest first.
    #[getter]
    fn exports(&self, py: Python<'_>) -> PyResult<Vec<ExportJob>> {
        self.reading(py, |d| d.exports().iter().map(ExportJob::from).collect())
    }

    // ---- a customer's detail pages ----------------------------------------------------------

    /// Exports one of a customer's detail lists to a path (`str` / `os.PathLike`), written
    /// beside it and renamed over it only on success. `list`: `"orders"` (option `scope`),
    /// `"resources"` (`kinds`, `statuses`, `expiring_within_days`, `sort`) or `"spend"`
    /// (`month`, required, and `group`), the options as in `customer_orders`,
    /// `customer_resources` and `spend_details`. Needs the permission that shows the list
    /// (not administrator only). `progress(done, total)` as in `export`; the job is in
    /// `exports()` (selection `"detail"`) and `download_export` writes it again. The desk is
    /// locked for writing while the rows are written: other threads wait, and the callback
    /// may not use this desk (`RuntimeError`).
    #[pyo3(signature = (actor, path, list, customer, *, format = "csv", bom = false, file_name = None, scope = None, kinds = None, statuses = None, expiring_within_days = None, sort = None, month = None, group = None, progress = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn export_detail_to_file(
        &self,
        py: Python<'_>,
        actor: &Bound<'_, PyAny>,
        path: &Bound<'_, PyAny>,
        list: String,
        customer: String,
        format: &str,
        bom: bool,
        file_name: Option<String>,
        scope: Option<String>,
        kinds: Option<Vec<String>>,
        statuses: Option<Vec<String>>,
        expiring_within_days: Option<&Bound<'_, PyAny>>,
        sort: Option<String>,
        month: Option<String>,
        group: Option<String>,
        progress: Option<Py<PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<ExportJob> {
        self.not_in_own_export()?;
        let request = detail_export_request(
            py,
            (list, customer, format, bom, file_name),
            (
                scope,
                kinds,
                statuses,
                expiring_within_days,
                sort,
                month,
                group,
            ),
        )?;
        let actor = actor_arg(actor)?;
        let path = path_arg(path)?;
        let inv = Invocation::new(actor, now_arg(py, now)?);
        let mut progress = Progress::new(progress);
        // See `FileSink`: a refused, cancelled or failed export leaves an existing file byte
        // for byte as it was.
        let sink = crate::export::FileSink::open(&path)?;
        let result = py.detach(|| {
            partnerdesk_host::export::to_sink(sink, |out| {
                self.exclusively(|d| d.export_detail(&inv, &request, out, |p| progress.call(p)))
            })
        });
        finish_export(py, result, None, progress).map(|job| ExportJob::from(&job))
    }

    /// `export_detail_to_file` to bytes in memory (same arguments but the path).
    #[pyo3(signature = (actor, list, customer, *, format = "csv", bom = false, file_name = None, scope = None, kinds = None, statuses = None, expiring_within_days = None, sort = None, month = None, group = None, progress = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn export_detail_to_buffer<'py>(
        &self,
        py: Python<'py>,
        actor: &Bound<'_, PyAny>,
        list: String,
        customer: String,
        format: &str,
        bom: bool,
        file_name: Option<String>,
        scope: Option<String>,
        kinds: Option<Vec<String>>,
        statuses: Option<Vec<String>>,
        expiring_within_days: Option<&Bound<'_, PyAny>>,
        sort: Option<String>,
        month: Option<String>,
        group: Option<String>,
        progress: Option<Py<PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        self.not_in_own_export()?;
        let request = detail_export_request(
            py,
            (list, customer, format, bom, file_name),
            (
                scope,
                kinds,
                statuses,
                expiring_within_days,
                sort,
                month,
                group,
            ),
        )?;
        let actor = actor_arg(actor)?;
        let inv = Invocation::new(actor, now_arg(py, now)?);
        let mut progress = Progress::new(progress);
        let mut bytes = Vec::new();
        let result = py.detach(|| {
            self.exclusively(|d| d.export_detail(&inv, &request, &mut bytes, |p| progress.call(p)))
        });
        finish_export(py, result, None, progress)?;
        Ok(PyBytes::new(py, &bytes))
    }

    // ---- privacy ---------------------------------------------------------------------------

    // ---- audit and events ------------------------------------------------------------------

    /// A desk rebuilt from a snapshot and the events recorded since (JSON text from
    /// `events_json`), checked as `apply_events` checks them; `key` for a log sealed with one
    /// (the desk keeps it).
    #[staticmethod]
    #[pyo3(signature = (snapshot_json, events_json, key = None))]
    fn replay(
        py: Python<'_>,
        snapshot_json: &Bound<'_, PyAny>,
        events_json: &Bound<'_, PyAny>,
        key: Option<Vec<u8>>,
    ) -> PyResult<Self> {
        let (text, events) = (
            partnerdesk_host::python::json_text(snapshot_json, "snapshot_json")?,
            partnerdesk_host::python::json_text(events_json, "events_json")?,
        );
        let key = key
            .map(|k| partnerdesk::chain::EventKey::new(&k).py(py))
            .transpose()?;
        let events: Vec<partnerdesk::event::Event> = partnerdesk_host::from_json(&events).py(py)?;
        let desk = py
            .detach(|| Desk::replay_with_key(&text, events, key.as_ref()))
            .py(py)?;
        Ok(Self::wrap(desk))
    }

    /// The id of every customer matching, in sort order, without paging (for batch work over
    /// a whole selection).
    #[pyo3(signature = (query = None, *, sort = "id", descending = false, now = None))]
    fn select_ids(
        &self,
        py: Python<'_>,
        query: Option<&Bound<'_, PyAny>>,
        sort: &str,
        descending: bool,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<String>> {
        let (q, sort, now) = (
            query_arg(query)?,
            sort_arg(py, sort, descending)?,
            now_arg(py, now)?,
        );
        let ids = self.reading(py, |d| d.select_ids(&q, sort, now));
        Ok(ids?.into_iter().map(|i| i.as_str().to_owned()).collect())
    }

    /// Signs search cursors with a key derived from `secret` (at least 16 bytes): desks given
    /// the same secret accept each other's cursors; earlier cursors are refused from now on.
    fn set_cursor_key(&self, py: Python<'_>, secret: Vec<u8>) -> PyResult<()> {
        self.not_in_own_export()?;
        py.detach(|| self.change(|d| partnerdesk_host::set_cursor_key(d, &secret)))
            .py(py)
    }

    /// `export` to a path (same keyword arguments); the path is replaced only on success.
    #[pyo3(signature = (actor, path, **kwargs))]
    fn export_to_file(
        slf: &Bound<'_, Self>,
        actor: &Bound<'_, PyAny>,
        path: &Bound<'_, PyAny>,
        kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        Ok(slf.call_method("export", (actor, path), kwargs)?.unbind())
    }

    /// `export` to bytes in memory (same keyword arguments).
    #[pyo3(signature = (actor, **kwargs))]
    fn export_to_buffer(
        slf: &Bound<'_, Self>,
        actor: &Bound<'_, PyAny>,
        kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let buffer = slf.py().import("io")?.getattr("BytesIO")?.call0()?;
        slf.call_method("export", (actor, &buffer), kwargs)?;
        Ok(buffer.call_method0("getvalue")?.unbind())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let (id, n) = self.reading(py, |d| (d.partner().id.to_string(), d.len()))?;
        Ok(format!("Desk(partner='{id}', customers={n})"))
    }
}

impl PyDesk {}

/// Raises the exception a Python writer or progress callback raised, if any (it explains a
/// cancelled or failed export better than the core's code), else maps the core's result.
fn finish_export<T>(
    py: Python<'_>,
    result: Result<T, partnerdesk::Error>,
    writer_failure: Option<PyErr>,
    progress: Progress,
) -> PyResult<T> {
    match result {
        Ok(v) => Ok(v),
        Err(e) => {
            let err = crate::errors::to_py(py, e);
            if let Some(cause) = writer_failure.or(progress.failure) {
                err.set_cause(py, Some(cause));
            }
            Err(err)
        }
    }
}

impl PyDesk {
    /// Runs an export's three phases: prepare under the write lock, write under a read lock
    /// (downgraded from the write lock, so that no change comes between: the prepared export
    /// stays valid), record under the write lock again. While it writes, other threads' reads
    /// run and their changes wait; this thread's (from the callback or the file object) reads
    /// run and its changes are refused (see [`PyDesk::not_in_own_export`]). What the
    /// preparation would build first (the order and the copy of the exported fields) is built
    /// before, beside other threads' reads (`partnerdesk_host::export::prepare`), so the write
    /// lock is held for moments only.
    fn export_phases<T>(
        &self,
        actor: &partnerdesk::access::Actor,
        prepare: impl FnMut(&mut Desk) -> Result<PreparedExport, partnerdesk::Error>,
        out: &mut (dyn Write + Send),
        progress: &mut Progress,
        record: impl FnOnce(&mut Desk, PreparedExport, ExportWritten) -> Result<T, partnerdesk::Error>,
    ) -> Result<T, partnerdesk::Error> {
        // The raw lock, to downgrade it; the record below goes through `write()`.
        let (desk, prepared) = partnerdesk_host::export::prepare(&self.inner, actor, prepare)?;
        let desk = RwLockWriteGuard::downgrade(desk);
        let written = {
            let _mark = ExportingMark::set(self, false);
            desk.write_export(&prepared, out, |p| progress.call(p))
        };
        drop(desk);
        let written = written?;
        self.write().change_once(|d| record(d, prepared, written))
    }

    /// Runs a change that writes an export itself (a customer's detail list, or its
    /// download) once under the write lock, this thread marked as exporting: the progress
    /// callback and file object it calls may not use this desk (`RuntimeError`), since no
    /// read can come before the change ends.
    fn exclusively<T>(
        &self,
        f: impl FnOnce(&mut Desk) -> Result<T, partnerdesk::Error>,
    ) -> Result<T, partnerdesk::Error> {
        let mut desk = self.write();
        let _mark = ExportingMark::set(self, true);
        desk.change_once(f)
    }

    /// Opens the destination, runs `f` (the phases of an export, see
    /// [`PyDesk::export_phases`]) with the GIL released, and returns the core's result with
    /// the writer's Python exception, if it raised one.
    #[allow(clippy::type_complexity)]
    fn run_export<T: Send>(
        &self,
        py: Python<'_>,
        dest: &Bound<'_, PyAny>,
        f: impl FnOnce(&Self, &mut (dyn Write + Send), &mut Progress) -> Result<T, partnerdesk::Error>
        + Send,
        progress: &mut Progress,
    ) -> PyResult<(Result<T, partnerdesk::Error>, Option<PyErr>)> {
        if dest.hasattr("write")? {
            let writer = PyWriter::new(dest.clone().unbind());
            let failure = writer.failure.clone();
            let result = py.detach(|| {
                let mut out = BufWriter::with_capacity(64 * 1024, writer);
                let r = f(self, &mut out, progress);
                let flushed = out.flush();
                match (r, flushed) {
                    (Ok(v), Ok(())) => Ok(v),
                    (Ok(_), Err(_)) => Err(partnerdesk::Error::ExportWriteFailed {
                        id: String::new(),
                        reason: "flushing the file object failed".into(),
                    }),
                    (Err(e), _) => Err(e),
                }
            });
            let failure = failure.lock().ok().and_then(|mut f| f.take());
            return Ok((result, failure));
        }
        let path: std::path::PathBuf = dest.extract().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(
                "dest: expected a path (str or os.PathLike) or a binary file object",
            )
        })?;
        // See `FileSink`: a refused, cancelled or failed export leaves an existing file byte
        // for byte as it was.
        let sink = crate::export::FileSink::open(&path)?;
        let result =
            py.detach(|| partnerdesk_host::export::to_sink(sink, |out| f(self, out, progress)));
        Ok((result, None))
    }
}

/// Iterates over every row of a search, fetching pages by cursor.
#[pyclass(name = "SearchIterator", module = "partnerdesk")]
pub(crate) struct PySearchIter {
    desk: Py<PyDesk>,
    query: Query,
    sort: Sort,
    page_size: u32,
    now: DateTime<Utc>,
    cursor: Option<String>,
    buffer: VecDeque<CustomerRow>,
    done: bool,
    total: Option<usize>,
    pages: usize,
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PySearchIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<PyCustomerRow>> {
        if self.buffer.is_empty() && !self.done {
            self.fetch(py)?;
        }
        Ok(self.buffer.pop_front().map(PyCustomerRow::from))
    }

    /// How many rows match in all (runs the first page if needed).
    #[getter]
    fn total(&mut self, py: Python<'_>) -> PyResult<usize> {
        if self.total.is_none() {
            self.fetch(py)?;
        }
        Ok(self.total.unwrap_or(0))
    }

    /// How many pages were fetched so far.
    #[getter]
    fn pages_fetched(&self) -> usize {
        self.pages
    }
}

impl PySearchIter {
    fn fetch(&mut self, py: Python<'_>) -> PyResult<()> {
        let desk = self.desk.get();
        desk.not_in_own_export()?;
        let req = PageRequest::Cursor {
            cursor: self.cursor.clone(),
            limit: self.page_size,
        };
        let (q, sort, now) = (&self.query, self.sort, self.now);
        let page = py
            .detach(|| desk.read().map(|d| d.search(q, sort, &req, now)))?
            .py(py)?;
        self.pages += 1;
        self.total = Some(page.total);
        self.buffer.extend(page.rows);
        self.cursor = page.next_cursor;
        self.done = self.cursor.is_none();
        Ok(())
    }
}

/// The demo portfolio and the moment it was generated for, as a `DemoPortfolio` named tuple
/// (`desk`, `now`): `desk, now = demo_portfolio(1000)` unpacks it. At most 20,000,000
/// customers: a larger `customers` is `InvalidArgumentError`.
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
#[pyo3(signature = (customers = 1000, seed = 42))]
pub(crate) fn demo_portfolio(
    py: Python<'_>,
    customers: usize,
    seed: u64,
) -> PyResult<Bound<'_, PyAny>> {
    let (desk, now) = py
        .detach(|| partnerdesk::demo::portfolio(customers, seed))
        .py(py)?;
    crate::values::named(py, "DemoPortfolio", (PyDesk::wrap(desk), now))
}
