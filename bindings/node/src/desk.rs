//! The `Desk` class: one partner's portfolio, searched from JS.
//!
//! Why a handle around `Arc<DeskLock>` (the host layer's `RwLock`): JS holds the desk as a
//! class instance, while long work (collecting every row of a large search, saving a
//! snapshot, an export) runs on a libuv worker thread so the event loop keeps turning. The
//! worker takes a read lock (or, for imports, the write lock; an export builds its order
//! under a read lock, takes the write lock for the moments it prepares and records, and a
//! read lock while its rows stream) on the same desk; short calls (one page of a search) run
//! on the JS thread directly, because marshalling their result costs more than the search.
//! The JS thread never waits long for a lock: its reads never queue behind a worker waiting
//! for the write lock, wait at most a few milliseconds for a worker holding it, and throw
//! `DESK_BUSY` past that (during an import); its changes throw `DESK_BUSY` whenever a worker
//! uses the desk.
//!
//! The lock holds a [`HostDesk`]: in memory, or durable on a store (`crate::durable`). Reads go
//! through its `Deref` to the core's desk; every change goes through [`HostDesk::change`], which
//! on a durable desk commits before it returns.
//!
//! Time: the core reads no clock. Every call that depends on time takes an optional `now`
//! (a `Date`), which defaults to this process's wall clock (UTC), as in every host
//! (`docs/conventions.md`); a desk keeps no time of its own.

use crate::args::QueryArg;
use crate::error::{Code, invalid_argument, to_js, to_js_value};
use crate::iterate::{IdPage, Page};
use crate::types::{CustomerRow, PartnerInfo, SortKey, count32};
use chrono::{DateTime, Utc};
use napi::bindgen_prelude::{AsyncTask, Env, Generator, Object};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Status, Task};
use napi_derive::napi;
use parking_lot::{RwLockReadGuard, RwLockWriteGuard};
use partnerdesk::query::{MAX_PAGE_LIMIT, PageRequest, Query as CoreQuery, Sort};
use partnerdesk::{CustomerId, Desk as CoreDesk, Error as CoreError};
use partnerdesk_host::DeskLock;
use partnerdesk_host::HostDesk;
use partnerdesk_host::durable::Changing;
use std::sync::Arc;
use std::time::Duration;

/// The default number of rows per page.
const DEFAULT_LIMIT: u32 = 20;

/// Options of a search: sort, paging and the moment it is evaluated at.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// Sort key (default `id`); ties are always broken by customer id ascending.
    pub sort: Option<SortKey>,
    /// Sort descending (default `false`).
    pub descending: Option<bool>,
    /// Rows per page, 1..=1000 (default 20).
    pub limit: Option<u32>,
    /// Rows to skip (offset paging). Not together with `cursor`.
    pub offset: Option<u32>,
    /// The previous page's `nextCursor` (cursor paging). Not together with `offset`.
    pub cursor: Option<String>,
    /// The moment the search is evaluated at (default: the desk's `now`).
    pub now: Option<DateTime<Utc>>,
}

/// Progress of long work: `done` of `total` rows.
#[napi(object)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Rows done so far.
    pub done: u32,
    /// Rows in all.
    pub total: u32,
}

/// A progress callback, called on the JS thread while work runs on a worker thread.
///
/// Ticks arrive in order and none is dropped. The queue holds one tick and the worker waits
/// while it is full, so work never runs more than two ticks ahead of the JS thread: a busy
/// event loop slows the work down instead of growing a queue without bound. This cannot
/// deadlock, because nothing on the JS thread waits for a lock (see [`Desk::read`]).
pub(crate) type ProgressFn = ThreadsafeFunction<Progress, (), Progress, Status, false, false, 1>;

/// Reports `done` of `total` to `progress`, if there is one (see [`ProgressFn`]). A closed
/// callback (the environment shutting down) is not an error of the work: its tick is dropped.
pub(crate) fn report(progress: Option<&ProgressFn>, done: u32, total: u32) {
    if let Some(cb) = progress {
        let _status = cb.call(
            Progress { done, total },
            ThreadsafeFunctionCallMode::Blocking,
        );
    }
}

/// Options of work that returns every matching row.
#[napi(object, object_to_js = false)]
pub struct CollectOptions {
    /// Sort key (default `id`).
    pub sort: Option<SortKey>,
    /// Sort descending (default `false`).
    pub descending: Option<bool>,
    /// The moment the search is evaluated at (default: the desk's `now`).
    pub now: Option<DateTime<Utc>>,
    /// Called with `{ done, total }` as rows are built (at most once per 1,000 rows).
    #[napi(ts_type = "(progress: Progress) => void")]
    pub on_progress: Option<ProgressFn>,
}

pub(crate) type Shared = Arc<DeskLock>;

/// How long a read on the JS thread waits for a change that holds the desk on a worker thread
/// (an export preparing or recording: moments; an import: until it ends) before it throws
/// `DESK_BUSY`: short enough not to stall the event loop, long enough for an export's moments.
const READ_WAIT: Duration = Duration::from_millis(5);

/// The code thrown when a call on the JS thread finds the desk in use by work on a worker
/// thread. A binding-level code (like napi's `InvalidArg`), not one of the core's.
pub(crate) const DESK_BUSY: &str = "DESK_BUSY";

fn busy() -> napi::Error<Code> {
    napi::Error::new(
        Code::plain(DESK_BUSY),
        "the desk is in use by work on a worker thread (an export, import, collectRows, saveTo, follow or checkpoint); call again when its promise settles",
    )
}

pub(crate) fn read(desk: &Shared) -> RwLockReadGuard<'_, HostDesk> {
    desk.read()
}

pub(crate) fn query_of(query: QueryArg) -> napi::Result<CoreQuery, Code> {
    match query {
        QueryArg::Built(q) => Ok(q),
        QueryArg::Text(text) => CoreQuery::parse(&text).map_err(to_js),
    }
}

pub(crate) fn sort_of(sort: Option<SortKey>, descending: Option<bool>) -> Sort {
    Sort {
        key: sort.map_or(partnerdesk::query::SortKey::Id, Into::into),
        descending: descending.unwrap_or(false),
    }
}

fn page_of(o: &SearchOptions) -> napi::Result<PageRequest, Code> {
    let limit = o.limit.unwrap_or(DEFAULT_LIMIT);
    match (&o.offset, &o.cursor) {
        (Some(_), Some(_)) => Err(invalid_argument(
            "offset",
            "give either offset or cursor, not both",
        )),
        (Some(offset), None) => Ok(PageRequest::offset(*offset as usize, limit)),
        (None, cursor) => Ok(PageRequest::Cursor {
            cursor: cursor.clone(),
            limit,
        }),
    }
}

/// One partner's customer portfolio: search it, page through it, save it.
#[napi]
pub struct Desk {
    pub(crate) inner: Shared,
}

impl Desk {
    pub(crate) fn wrap(desk: CoreDesk) -> Desk {
        Desk {
            inner: Arc::new(DeskLock::new(HostDesk::new(desk))),
        }
    }

    /// Shared access for a read on the JS thread. Never queues behind a change waiting for
    /// the lock (`read_recursive`): reads run while exports stream, while rows are collected,
    /// while snapshots are written, and while an export waits to prepare. A change that holds
    /// the desk on a worker thread (an export's moments to prepare and to record, an import)
    /// is waited for at most [`READ_WAIT`]; past that it throws `DESK_BUSY` instead of
    /// stopping the event loop until that work ends.
    pub(crate) fn read(&self) -> napi::Result<RwLockReadGuard<'_, HostDesk>, Code> {
        self.inner
            .try_read_recursive_for(READ_WAIT)
            .ok_or_else(busy)
    }

    /// Exclusive access for a change on the JS thread; `DESK_BUSY` while work on a worker
    /// thread uses the desk (reads included). Once released, a due checkpoint is stored
    /// ([`Desk::checkpoint_after_change`]).
    pub(crate) fn write(&self) -> napi::Result<Written<'_>, Code> {
        let guard = self.inner.try_write().ok_or_else(busy)?;
        Ok(Changing::new(guard, self, Desk::checkpoint_after_change))
    }

    /// Stores a due checkpoint under a read lock, on the JS thread as the change was
    /// committed there (`checkpointEvery: 0` and `await desk.checkpoint()` take it to a
    /// worker thread). Skipped while a worker thread holds the desk exclusively: the next
    /// change tries again. A failed checkpoint fails nothing: the change is committed.
    fn checkpoint_after_change(&self) {
        if let Some(desk) = self.inner.try_read_recursive() {
            let _ = desk.checkpoint_if_due();
        }
    }
}

/// The JS thread's write access: the lock, and the checkpoint after it.
pub(crate) type Written<'a> = Changing<'a, RwLockWriteGuard<'a, HostDesk>, Desk>;

/// Write access on a worker thread (waits for the lock); once released, a due checkpoint is
/// stored there, under a read lock.
pub(crate) fn write_on_worker(
    desk: &Shared,
) -> Changing<'_, RwLockWriteGuard<'_, HostDesk>, DeskLock> {
    Changing::new(
        desk.write(),
        desk,
        partnerdesk_host::durable::checkpoint_after_change,
    )
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// A deterministic demo portfolio of `size` customers (the same seed gives the same desk),
    /// built for the demo's fixed moment (`demoNow()`; pass it as `now` to see the demo's data
    /// as of that moment). At most 20,000,000 customers: a larger `size` is
    /// `INVALID_ARGUMENT`.
    #[napi(factory)]
    pub fn demo(size: u32, seed: u32) -> napi::Result<Desk, Code> {
        let (desk, _now) =
            partnerdesk::demo::portfolio(size as usize, u64::from(seed)).map_err(to_js)?;
        Ok(Desk::wrap(desk))
    }

    /// Like `Desk.demo`, built on a worker thread (large portfolios take a while).
    #[napi(ts_return_type = "Promise<Desk>")]
    pub fn demo_async(size: u32, seed: u32) -> AsyncTask<BuildDesk> {
        AsyncTask::new(BuildDesk {
            source: Source::Demo { size, seed },
        })
    }

    /// Loads a desk from snapshot JSON, checking every invariant. Throws `MALFORMED_JSON`,
    /// `INVALID_SNAPSHOT` or `UNSUPPORTED_SNAPSHOT_VERSION`.
    #[napi(factory)]
    pub fn from_snapshot_json(json: String) -> napi::Result<Desk, Code> {
        let desk = CoreDesk::from_snapshot_json(&json).map_err(to_js)?;
        Ok(Desk::wrap(desk))
    }

    /// Like `Desk.fromSnapshotJson`, parsed and checked on a worker thread.
    #[napi(ts_return_type = "Promise<Desk>")]
    pub fn load_snapshot(json: String) -> AsyncTask<BuildDesk> {
        AsyncTask::new(BuildDesk {
            source: Source::Snapshot { json },
        })
    }

    /// Loads a desk from a snapshot file, read and checked on a worker thread: the JSON never
    /// becomes a JS string (a million customers is about 1.7 GB of it, longer than V8 allows).
    /// `INVALID_ARGUMENT` on `path` when the file cannot be read.
    #[napi(ts_return_type = "Promise<Desk>")]
    pub fn from_snapshot_file(path: String) -> AsyncTask<BuildDesk> {
        AsyncTask::new(BuildDesk {
            source: Source::SnapshotFile { path: path.into() },
        })
    }

    /// Writes the desk's snapshot to a file on a worker thread, replacing the file only once
    /// the whole snapshot is written and synced (a failed save, `EXPORT_WRITE_FAILED`, leaves
    /// the old file as it was); no JS string in between. Reads on the JS thread go on.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn save_snapshot_file(&self, path: String) -> AsyncTask<SaveSnapshotFile> {
        AsyncTask::new(SaveSnapshotFile {
            desk: self.inner.clone(),
            path: path.into(),
        })
    }

    /// Like `toSnapshotJson`, written on a worker thread.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn save_snapshot(&self) -> AsyncTask<SaveSnapshot> {
        AsyncTask::new(SaveSnapshot {
            desk: self.inner.clone(),
        })
    }

    /// How many customers are on the desk (associated or not).
    #[napi(getter)]
    pub fn size(&self) -> napi::Result<u32, Code> {
        Ok(count32(self.read()?.len()))
    }

    /// The partner that owns the desk.
    #[napi(getter)]
    pub fn partner(&self) -> napi::Result<PartnerInfo, Code> {
        Ok(self.read()?.partner().into())
    }

    /// One page of masked rows matching a query (a `Query` or a text filter), with the total
    /// and the cursor of the next page.
    #[napi(ts_args_type = "query: Query | string, options?: SearchOptions")]
    pub fn search(
        &self,
        query: QueryArg,
        options: Option<SearchOptions>,
    ) -> napi::Result<Page, Code> {
        let o = options.unwrap_or_default();
        let q = query_of(query)?;
        let page = page_of(&o)?;
        self.read()?
            .search(
                &q,
                sort_of(o.sort, o.descending),
                &page,
                partnerdesk_host::now_or_clock(o.now),
            )
            .map(Page::from)
            .map_err(to_js)
    }

    /// Like `search`, but only the customer ids.
    #[napi(ts_args_type = "query: Query | string, options?: SearchOptions")]
    pub fn search_ids(
        &self,
        query: QueryArg,
        options: Option<SearchOptions>,
    ) -> napi::Result<IdPage, Code> {
        let o = options.unwrap_or_default();
        let q = query_of(query)?;
        let page = page_of(&o)?;
        self.read()?
            .search_ids(
                &q,
                sort_of(o.sort, o.descending),
                &page,
                partnerdesk_host::now_or_clock(o.now),
            )
            .map(IdPage::from)
            .map_err(to_js)
    }

    /// The id of every customer matching a query, in sort order, without paging (for batch
    /// work over a whole selection); `limit`, `offset` and `cursor` are not used.
    #[napi(ts_args_type = "query: Query | string, options?: SearchOptions")]
    pub fn select_ids(
        &self,
        query: QueryArg,
        options: Option<SearchOptions>,
    ) -> napi::Result<Vec<String>, Code> {
        let o = options.unwrap_or_default();
        let q = query_of(query)?;
        let sort = sort_of(o.sort, o.descending);
        let ids = self
            .read()?
            .select_ids(&q, sort, partnerdesk_host::now_or_clock(o.now));
        Ok(ids.into_iter().map(|i| i.as_str().to_owned()).collect())
    }

    /// How many customers match a query (at `now`, default the current time).
    #[napi(ts_args_type = "query: Query | string, now?: Date")]
    pub fn count(&self, query: QueryArg, now: Option<DateTime<Utc>>) -> napi::Result<u32, Code> {
        let q = query_of(query)?;
        Ok(count32(
            self.read()?.count(&q, partnerdesk_host::now_or_clock(now)),
        ))
    }

    /// The masked row of one customer. Throws `INVALID_ID` or `CUSTOMER_NOT_FOUND`.
    #[napi]
    pub fn customer_row(
        &self,
        id: String,
        now: Option<DateTime<Utc>>,
    ) -> napi::Result<CustomerRow, Code> {
        let id = CustomerId::new(id).map_err(to_js)?;
        self.read()?
            .customer_row(&id, partnerdesk_host::now_or_clock(now))
            .map(CustomerRow::from)
            .map_err(to_js)
    }

    /// Iterates over the pages of a search (`for (const page of desk.pages(q, { limit: 100 }))`).
    /// The first page is fetched at once, so a bad query or page size throws here.
    #[napi(ts_args_type = "query: Query | string, options?: SearchOptions")]
    pub fn pages(
        &self,
        query: QueryArg,
        options: Option<SearchOptions>,
    ) -> napi::Result<PageIterator, Code> {
        let o = options.unwrap_or_default();
        if o.offset.is_some() {
            return Err(invalid_argument("offset", "pages are continued by cursor"));
        }
        let q = query_of(query)?;
        let sort = sort_of(o.sort, o.descending);
        let limit = o.limit.unwrap_or(DEFAULT_LIMIT);
        let now = partnerdesk_host::now_or_clock(o.now);
        let first = self
            .read()?
            .search(
                &q,
                sort,
                &PageRequest::Cursor {
                    cursor: o.cursor.clone(),
                    limit,
                },
                now,
            )
            .map_err(to_js)?;
        Ok(PageIterator {
            desk: self.inner.clone(),
            query: q,
            sort,
            limit,
            now,
            next: Some(first),
        })
    }

    /// Every matching row in sort order, built on a worker thread, with progress. Resolves to
    /// an array of rows, converted to JS objects a few milliseconds per event-loop turn (shared
    /// by every result being handed over), so the loop keeps turning however large it is;
    /// rejects with the core's code.
    #[napi(
        ts_args_type = "query: Query | string, options?: CollectOptions",
        ts_return_type = "Promise<CustomerRow[]>"
    )]
    pub fn collect_rows(
        &self,
        query: QueryArg,
        options: Option<CollectOptions>,
    ) -> napi::Result<AsyncTask<CollectRows>, Code> {
        let q = query_of(query)?;
        let (sort, now, progress) = match options {
            Some(o) => (sort_of(o.sort, o.descending), o.now, o.on_progress),
            None => (sort_of(None, None), None, None),
        };
        Ok(AsyncTask::new(CollectRows {
            desk: self.inner.clone(),
            query: q,
            sort,
            now: partnerdesk_host::now_or_clock(now),
            progress,
        }))
    }
}

/// Pages of a search, as a JS iterator. Later pages continue from the previous page's cursor,
/// which this iterator made itself for the same query, so they cannot fail on input. `next()`
/// cannot throw a typed error, so unlike other calls it waits while an export or import holds
/// the desk.
#[napi(iterator)]
pub struct PageIterator {
    desk: Shared,
    query: CoreQuery,
    sort: Sort,
    limit: u32,
    now: DateTime<Utc>,
    next: Option<partnerdesk::search::Page>,
}

#[napi]
impl Generator for PageIterator {
    type Yield = Page;
    type Next = ();
    type Return = ();

    fn next(&mut self, _value: Option<()>) -> Option<Page> {
        let page = self.next.take()?;
        if let Some(cursor) = &page.next_cursor {
            // An error here would need the desk to change under the cursor in a way the core
            // refuses; the iteration then ends after this page. `next()` cannot throw, so a
            // panic (caught: it must not unwind into napi) ends it too.
            self.next = crate::panic_guard::compute("PageIterator.next", || {
                read(&self.desk).search(
                    &self.query,
                    self.sort,
                    &PageRequest::after(cursor.clone(), self.limit),
                    self.now,
                )
            })
            .ok();
        }
        Some(page.into())
    }
}

/// Where a desk built off the JS thread comes from.
pub(crate) enum Source {
    /// The demo portfolio.
    Demo {
        /// Customers.
        size: u32,
        /// Seed.
        seed: u32,
    },
    /// Snapshot JSON.
    Snapshot {
        /// The JSON text.
        json: String,
    },
    /// A snapshot file.
    SnapshotFile {
        /// Its path.
        path: std::path::PathBuf,
    },
}

/// Builds a desk on a worker thread.
pub struct BuildDesk {
    source: Source,
}

impl Task for BuildDesk {
    type Output = Result<CoreDesk, CoreError>;
    type JsValue = Desk;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(crate::panic_guard::background(
            "Desk.build",
            || match &self.source {
                Source::Demo { size, seed } => {
                    partnerdesk::demo::portfolio(*size as usize, u64::from(*seed)).map(|(d, _)| d)
                }
                Source::Snapshot { json } => CoreDesk::from_snapshot_json(json),
                Source::SnapshotFile { path } => {
                    partnerdesk_host::snapshot_file::load_snapshot_file(path)
                }
            },
        ))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Desk> {
        match output {
            Ok(desk) => Ok(Desk::wrap(desk)),
            Err(e) => Err(to_js_value(&env, &e)),
        }
    }
}

/// Writes a snapshot to a file on a worker thread: no JS string at all.
pub struct SaveSnapshotFile {
    desk: Shared,
    path: std::path::PathBuf,
}

impl Task for SaveSnapshotFile {
    type Output = Result<(), CoreError>;
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(crate::panic_guard::background(
            "Desk.saveSnapshotFile",
            || partnerdesk_host::snapshot_file::save_snapshot_file(&read(&self.desk), &self.path),
        ))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<()> {
        output.map_err(|e| to_js_value(&env, &e))
    }
}

/// Writes a snapshot on a worker thread (as UTF-16, so that the JS string is one copy; it is
/// made by `crate::handover`, one per event-loop turn at most).
pub struct SaveSnapshot {
    desk: Shared,
}

impl Task for SaveSnapshot {
    type Output = Result<Vec<u16>, CoreError>;
    /// The promise of the string.
    type JsValue = Object<'static>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(crate::panic_guard::background("Desk.saveSnapshot", || {
            read(&self.desk)
                .to_snapshot_json()
                .map(|json| json.encode_utf16().collect())
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Object<'static>> {
        match output {
            Ok(utf16) => crate::handover::text_of(&env, utf16, "Desk.saveSnapshot"),
            Err(e) => Err(to_js_value(&env, &e)),
        }
    }
}

/// Builds every matching row on a worker thread, page by page, reporting progress; the rows
/// reach JS a slice per event-loop turn (`crate::handover`).
pub struct CollectRows {
    desk: Shared,
    query: CoreQuery,
    sort: Sort,
    now: DateTime<Utc>,
    progress: Option<ProgressFn>,
}

impl CollectRows {
    fn run(&self) -> Result<Vec<partnerdesk::row::CustomerRow>, CoreError> {
        let desk = read(&self.desk);
        let mut rows = Vec::new();
        let mut request = PageRequest::first(MAX_PAGE_LIMIT);
        loop {
            let page = desk.search(&self.query, self.sort, &request, self.now)?;
            rows.extend(page.rows);
            report(
                self.progress.as_ref(),
                count32(rows.len()),
                count32(page.total),
            );
            match page.next_cursor {
                Some(c) => request = PageRequest::after(c, MAX_PAGE_LIMIT),
                None => return Ok(rows),
            }
        }
    }
}

impl Task for CollectRows {
    type Output = Result<Vec<partnerdesk::row::CustomerRow>, CoreError>;
    /// The promise of the array, filled a slice per event-loop turn (`crate::handover`).
    type JsValue = Object<'static>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(crate::panic_guard::background("Desk.collectRows", || {
            self.run()
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Object<'static>> {
        match output {
            Ok(rows) => crate::handover::array_of(&env, rows),
            Err(e) => Err(to_js_value(&env, &e)),
        }
    }
}
