//! Iteration the way JS iterates: a page of a search is iterable over its rows (and an id page
//! over its ids), and `desk.searchAll(query, options)` is an async iterable over every matching
//! row, page after page by cursor, each page searched on the libuv worker pool.
//!
//! Why a page stays a plain object: `page.rows`, `page.total`, spreading, `JSON.stringify` and
//! `assert.deepStrictEqual` keep working as before. Its `[Symbol.iterator]` is an own property
//! that is not enumerable, one shared native function per JS thread (made by `install`), so
//! nothing else about the object changes.
//!
//! Why the async iterator hands over one row at a time: a page is searched and its rows built
//! (as Rust values) on a worker thread; what reaches the JS thread per `next()` is one row to
//! convert. Rows already fetched resolve at once, and such promises run back to back as
//! microtasks, so once the iterations of a JS thread have handed rows over at once for 2 ms in
//! one turn of the event loop (one budget for all of them, `handover::at_once`), the next row
//! resolves on the next turn, handed over by the JS thread's pump: the loop is never held for
//! a whole result (the issue #17 measurement: 100k rows converted at once held it 2.2 s), nor
//! for a budget per iteration (40 iterations of 64 rows each held one turn about 11 ms). Pages
//! are as large as a page may be (1000 rows) by default, because a page sorted other than by
//! id ranks the matches again. A page is searched on a thread of lower priority
//! (`panic_guard::background`), which the worker-pool thread waits for.
//!
//! Unsafe code: implementing napi's `ToNapiValue` means writing an `unsafe fn`; each one here
//! passes the `env` and the value napi handed it, unchanged, to napi's own conversion.

#![allow(unsafe_code)]

use crate::args::QueryArg;
use crate::desk::{Desk, SearchOptions, Shared, query_of, read, sort_of};
use crate::error::{Code, invalid_argument, to_js_value, well_known};
use crate::types::CustomerRow;
use chrono::{DateTime, Utc};
use napi::bindgen_prelude::{
    Env, Function, FunctionCallContext, JsObjectValue, JsValue, Object, ObjectRef, PromiseRaw,
    ToNapiValue, TypeName, ValueType,
};
use napi::{Property, PropertyAttributes, Task, sys};
use napi_derive::napi;
use partnerdesk::Error as CoreError;
use partnerdesk::query::{MAX_PAGE_LIMIT, PageRequest, Query as CoreQuery, Sort};
use partnerdesk_host::records;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

/// Rows fetched per page by `searchAll` when no `limit` is given: the most a page holds, because
/// each page's search sorts the matches again (fewer pages, less work).
const DEFAULT_CHUNK: u32 = MAX_PAGE_LIMIT;

/// A page of masked rows, iterable in JS over its rows: the core's page, made into the JS
/// shape of the record every host shares (`records::Page`) without that record in between.
pub struct Page(pub partnerdesk::search::Page);

/// A page of customer ids, iterable in JS over its ids (the JS shape of `records::IdPage`).
pub struct IdPage(pub partnerdesk::search::IdPage);

impl From<partnerdesk::search::Page> for Page {
    fn from(p: partnerdesk::search::Page) -> Self {
        Page(p)
    }
}

impl From<partnerdesk::search::IdPage> for IdPage {
    fn from(p: partnerdesk::search::IdPage) -> Self {
        IdPage(p)
    }
}

/// The shared functions of this thread's JS environment (see `install`).
struct Iterators {
    rows: ObjectRef<false>,
    ids: ObjectRef<false>,
}

thread_local! {
    static ITERATORS: RefCell<Option<Iterators>> = const { RefCell::new(None) };
}

/// The shared function `which` picks, if this environment has it.
fn iterator_of(
    env: sys::napi_env,
    which: fn(&Iterators) -> &ObjectRef<false>,
) -> napi::Result<Option<sys::napi_value>> {
    let env = Env::from(env);
    ITERATORS.with(|i| {
        i.borrow()
            .as_ref()
            .map(|its| which(its).get_value(&env).map(|f| f.raw()))
            .transpose()
    })
}

/// Defines `value[Symbol.iterator]` (not enumerable) as the shared function `which` picks.
fn make_iterable(
    env: sys::napi_env,
    value: sys::napi_value,
    which: fn(&Iterators) -> &ObjectRef<false>,
) -> napi::Result<()> {
    let env = Env::from(env);
    let function = ITERATORS.with(|i| {
        i.borrow()
            .as_ref()
            .map(|its| which(its).get_value(&env))
            .transpose()
    })?;
    let Some(function) = function else {
        return Ok(());
    };
    let mut obj = Object::from_raw(env.raw(), value);
    obj.define_properties(&[Property::new()
        .with_name(&env, well_known(&env, "iterator")?)?
        .with_value(&function)
        .with_property_attributes(PropertyAttributes::Writable | PropertyAttributes::Configurable)])
}

impl ToNapiValue for Page {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        // `{ rows, total, nextCursor? }` in one call of `crate::rows`'s page function.
        let iterator = iterator_of(env, |i| &i.rows)?;
        // SAFETY: `env` is the one napi passed to this conversion; `iterator` a value of it.
        if let Some(page) = unsafe { crate::rows::page(env, &val.0, iterator) }? {
            return Ok(page);
        }
        // Without it: as napi-rs makes the shared record.
        // SAFETY: `env` is the one napi passed to this conversion.
        let value = unsafe { records::Page::to_napi_value(env, val.0.into()) }?;
        make_iterable(env, value, |i| &i.rows)?;
        Ok(value)
    }
}

impl ToNapiValue for IdPage {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let iterator = iterator_of(env, |i| &i.ids)?;
        // SAFETY: `env` is the one napi passed to this conversion; `iterator` a value of it.
        if let Some(page) = unsafe { crate::rows::id_page(env, &val.0, iterator) }? {
            return Ok(page);
        }
        // SAFETY: `env` is the one napi passed to this conversion.
        let value = unsafe { records::IdPage::to_napi_value(env, val.0.into()) }?;
        make_iterable(env, value, |i| &i.ids)?;
        Ok(value)
    }
}

/// A native function that returns `this[field].values()` (an array iterator).
fn values_of<'e>(env: &'e Env, field: &'static str) -> napi::Result<Object<'e>> {
    let f = env.create_function_from_closure::<(), _, _>(
        field,
        move |ctx: FunctionCallContext<'_>| {
            let this: Object<'_> = ctx.this()?;
            let array: Object<'_> = this.get_named_property(field)?;
            let values: Function<'_, (), Object<'_>> = array.get_named_property("values")?;
            let iterator = values.apply(array, ())?;
            Ok(Object::from_raw(ctx.env.raw(), iterator.raw()))
        },
    )?;
    Ok(Object::from_raw(env.raw(), f.raw()))
}

/// Makes this JS environment's iterator functions: a page's and an id page's
/// `[Symbol.iterator]`, and `AsyncRowIterator.prototype[Symbol.asyncIterator]` (returns
/// `this`).
pub(crate) fn install(env: &Env, exports: &Object<'_>) -> napi::Result<()> {
    let rows = values_of(env, "rows")?.create_ref::<false>()?;
    let ids = values_of(env, "ids")?.create_ref::<false>()?;
    ITERATORS.with(|i| *i.borrow_mut() = Some(Iterators { rows, ids }));
    let class = crate::error::class_of(env, exports, "AsyncRowIterator")?;
    let mut proto: Object<'_> = class.get_named_property("prototype")?;
    let itself = env.create_function_from_closure::<(), _, _>(
        "[Symbol.asyncIterator]",
        |ctx: FunctionCallContext<'_>| {
            let this: Object<'_> = ctx.this()?;
            Ok(Object::from_raw(ctx.env.raw(), this.raw()))
        },
    )?;
    proto.define_properties(&[Property::new()
        .with_name(env, well_known(env, "asyncIterator")?)?
        .with_value(&itself)
        .with_property_attributes(PropertyAttributes::Writable | PropertyAttributes::Configurable)])
}

/// `INTERNAL` naming `operation`: napi could not make a promise.
fn internal(operation: &str) -> napi::Error<Code> {
    crate::error::to_js(CoreError::Internal {
        operation: operation.to_owned(),
    })
}

/// One step of an async iteration: `{ value: row, done: false }`, or `{ done: true }` at the end.
#[napi(object)]
pub struct RowStep {
    /// The next row (absent at the end).
    pub value: Option<CustomerRow>,
    /// Whether the iteration has ended.
    pub done: bool,
}

impl RowStep {
    fn of(row: Option<partnerdesk::row::CustomerRow>) -> Step {
        Step(row)
    }
}

/// A [`RowStep`] as JS gets it, `{ done, value }`, its row (the core's) converted by
/// `crate::rows` (the fast conversion of large results) instead of napi-rs's own.
pub struct Step(Option<partnerdesk::row::CustomerRow>);

impl TypeName for Step {
    fn type_name() -> &'static str {
        "RowStep"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Step {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        match val.0 {
            // SAFETY: the env napi passed to this conversion.
            Some(row) => unsafe { crate::rows::row_step(env, row) },
            None => {
                let mut obj = Object::new(&Env::from(env))?;
                obj.set_named_property("done", true)?;
                Ok(obj.raw())
            }
        }
    }
}

/// Where an async iteration is: the search, the next cursor and the rows fetched but not yet
/// handed over.
struct Scan {
    desk: Shared,
    query: CoreQuery,
    sort: Sort,
    limit: u32,
    now: DateTime<Utc>,
    /// The cursor of the next page (`None` before the first page: it starts at `start`).
    cursor: Option<String>,
    start: Option<String>,
    started: bool,
    rows: VecDeque<partnerdesk::row::CustomerRow>,
    /// No page is left to fetch.
    exhausted: bool,
    /// How many `next()` steps on the worker pool have taken their row: step `n` (from 0)
    /// waits for this to be `n`, so rows reach the promises in the order of the `next()` calls.
    served: u64,
}

impl Scan {
    /// The next row, fetching the next page first when none is left (on a worker thread).
    fn next_row(&mut self) -> Result<Option<partnerdesk::row::CustomerRow>, CoreError> {
        if self.rows.is_empty() && !self.exhausted {
            let request = match (self.started, self.cursor.take()) {
                (false, _) => PageRequest::Cursor {
                    cursor: self.start.take(),
                    limit: self.limit,
                },
                (true, Some(cursor)) => PageRequest::after(cursor, self.limit),
                (true, None) => {
                    self.exhausted = true;
                    return Ok(None);
                }
            };
            self.started = true;
            let page = read(&self.desk).search(&self.query, self.sort, &request, self.now);
            let page = match page {
                Ok(p) => p,
                Err(e) => {
                    self.exhausted = true;
                    return Err(e);
                }
            };
            self.exhausted = page.next_cursor.is_none();
            self.cursor = page.next_cursor;
            self.rows = page.rows.into();
        }
        Ok(self.rows.pop_front())
    }
}

/// Every row matching a search, as an async iterable: `for await (const row of
/// desk.searchAll(query, options))`. Each page (`options.limit` rows, default 1000) is searched
/// off the JS thread when the rows before it have been taken; one row at a time reaches the
/// JS thread, and the event loop turns after at most 2 ms of them. Later pages continue from the
/// previous page's cursor, as `pages` does. A failure (a cursor the desk refuses) rejects
/// `next()` with its `PartnerDeskError` and ends the iteration; `return()` (a `break` out of
/// `for await`) ends it too.
#[napi]
pub struct AsyncRowIterator {
    scan: Arc<Mutex<Scan>>,
    closed: Arc<AtomicBool>,
    /// Steps sent to the worker pool so far (the next one's number).
    issued: Cell<u64>,
    /// Steps sent to the worker pool and not yet settled: while any is, no row is handed over
    /// at once (it would overtake them).
    pending: Arc<AtomicU64>,
    /// Wakes the steps waiting for their turn.
    turn: Arc<Condvar>,
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl AsyncRowIterator {
    /// The next row: `{ value: row, done: false }`, or `{ done: true }` after the last one.
    /// Resolves at once while rows of the current page are left; otherwise the next page is
    /// searched on the worker pool.
    #[napi(ts_return_type = "Promise<IteratorResult<CustomerRow, undefined>>")]
    pub fn next(&self, env: Env) -> napi::Result<Object<'static>, Code> {
        let js = |r: napi::Result<sys::napi_value>| {
            r.map(|v| Object::from_raw(env.raw(), v))
                .map_err(|_| internal("AsyncRowIterator.next"))
        };
        if self.closed.load(Ordering::Acquire) {
            return js(PromiseRaw::resolve(&env, RowStep::of(None)).map(|p| p.raw()));
        }
        // Never wait on the JS thread: a worker fetching a page holds the scan, and then this
        // step queues behind it on the worker pool. Once this thread's iterations have handed
        // over rows at once for `handover::ITERATION_SLICE` in this turn, the next ones resolve
        // on the next turn (`next_turn`), so the event loop turns in between.
        let at_once = self.pending.load(Ordering::Acquire) == 0;
        if let (true, Ok(mut scan)) = (at_once, self.scan.try_lock()) {
            if scan.exhausted && scan.rows.is_empty() {
                return js(PromiseRaw::resolve(&env, RowStep::of(None)).map(|p| p.raw()));
            }
            if !scan.rows.is_empty() {
                if crate::handover::at_once(&env) {
                    let row = scan.rows.pop_front();
                    return js(PromiseRaw::resolve(&env, RowStep::of(row)).map(|p| p.raw()));
                }
                drop(scan);
                return self.next_turn(env);
            }
        }
        let ticket = self.issued.get();
        self.issued.set(ticket + 1);
        self.pending.fetch_add(1, Ordering::AcqRel);
        let task = NextRow {
            scan: self.scan.clone(),
            closed: self.closed.clone(),
            pending: self.pending.clone(),
            turn: self.turn.clone(),
            ticket,
        };
        match env.spawn(task) {
            Ok(p) => js(Ok(p.promise_object().raw())),
            Err(_) => {
                // Not queued: its number is free again, and no later step waits for it.
                self.issued.set(ticket);
                self.pending.fetch_sub(1, Ordering::AcqRel);
                Err(internal("AsyncRowIterator.next"))
            }
        }
    }

    /// The next row on a later turn of the event loop, once this turn's budget of rows at once
    /// is spent (no step pending, and rows of the page left): handed over by the JS thread's
    /// pump, without a trip through the worker pool.
    fn next_turn(&self, env: Env) -> napi::Result<Object<'static>, Code> {
        let ticket = self.issued.get();
        self.issued.set(ticket + 1);
        self.pending.fetch_add(1, Ordering::AcqRel);
        // No step was pending, so every earlier one was served: this one is `served`'s next.
        let (scan, closed) = (self.scan.clone(), self.closed.clone());
        let (pending, turn) = (self.pending.clone(), self.turn.clone());
        let make = move |env: &Env| {
            // A worker step made after this one waits for it (its wait releases the lock).
            let mut scan = scan.lock().unwrap_or_else(PoisonError::into_inner);
            let out = crate::panic_guard::compute("AsyncRowIterator.next", || {
                if closed.load(Ordering::Acquire) {
                    Ok(None)
                } else {
                    scan.next_row()
                }
            });
            scan.served += 1;
            drop(scan);
            turn.notify_all();
            pending.fetch_sub(1, Ordering::AcqRel);
            match out {
                // SAFETY: the live env of the pump's callback on the JS thread.
                Ok(row) => unsafe { Step::to_napi_value(env.raw(), RowStep::of(row)) },
                Err(e) => Err(to_js_value(env, &e)),
            }
        };
        crate::handover::later(&env, Box::new(make), "AsyncRowIterator.next").map_err(|_| {
            // Not queued: its number is free again, and no later step waits for it.
            self.issued.set(ticket);
            self.pending.fetch_sub(1, Ordering::AcqRel);
            internal("AsyncRowIterator.next")
        })
    }

    /// Ends the iteration (what `break` out of `for await` calls): resolves to `{ done: true }`.
    #[napi(
        js_name = "return",
        ts_return_type = "Promise<IteratorResult<CustomerRow, undefined>>"
    )]
    pub fn finish(&self, env: Env) -> napi::Result<Object<'static>, Code> {
        self.closed.store(true, Ordering::Release);
        if let Ok(mut scan) = self.scan.try_lock() {
            scan.rows.clear();
            scan.exhausted = true;
        }
        PromiseRaw::resolve(&env, RowStep::of(None))
            .map(|p| Object::from_raw(env.raw(), p.raw()))
            .map_err(|_| internal("AsyncRowIterator.return"))
    }
}

/// The next row of an async iteration, fetched on a worker thread.
pub struct NextRow {
    scan: Arc<Mutex<Scan>>,
    closed: Arc<AtomicBool>,
    pending: Arc<AtomicU64>,
    turn: Arc<Condvar>,
    ticket: u64,
}

impl Task for NextRow {
    type Output = Result<Option<partnerdesk::row::CustomerRow>, CoreError>;
    type JsValue = Step;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let mut scan = self.scan.lock().unwrap_or_else(PoisonError::into_inner);
        // The steps before this one were queued on the pool first, so they run or have run:
        // waiting for them cannot deadlock.
        while scan.served < self.ticket {
            scan = self.turn.wait(scan).unwrap_or_else(PoisonError::into_inner);
        }
        let closed = self.closed.load(Ordering::Acquire);
        // A page to search is long work, on a thread of lower priority; a row already fetched
        // is not.
        let fetch = !closed && scan.rows.is_empty() && !scan.exhausted;
        let state: &mut Scan = &mut scan;
        let step = || if closed { Ok(None) } else { state.next_row() };
        let out = if fetch {
            crate::panic_guard::background("AsyncRowIterator.next", step)
        } else {
            crate::panic_guard::compute("AsyncRowIterator.next", step)
        };
        scan.served += 1;
        drop(scan);
        self.turn.notify_all();
        Ok(out)
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Step> {
        self.pending.fetch_sub(1, Ordering::AcqRel);
        match output {
            Ok(row) => Ok(RowStep::of(row)),
            Err(e) => Err(to_js_value(&env, &e)),
        }
    }
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// Every row matching a query, as an async iterable, page after page by cursor on the
    /// worker pool (`for await (const row of desk.searchAll('tag:vip', { sort: 'mtd' }))`).
    /// `limit` is the number of rows fetched per page (1 to 1000, default 1000), `cursor` a
    /// page's `nextCursor` to start after; `offset` is refused. A bad query or limit throws
    /// here.
    #[napi(ts_args_type = "query: Query | string, options?: SearchOptions")]
    pub fn search_all(
        &self,
        query: QueryArg,
        options: Option<SearchOptions>,
    ) -> napi::Result<AsyncRowIterator, Code> {
        let o = options.unwrap_or_default();
        if o.offset.is_some() {
            return Err(invalid_argument(
                "offset",
                "an iteration continues by cursor",
            ));
        }
        let limit = o.limit.unwrap_or(DEFAULT_CHUNK);
        if limit == 0 || limit > MAX_PAGE_LIMIT {
            return Err(crate::error::to_js(CoreError::InvalidPage {
                reason: format!("limit must be 1 to {MAX_PAGE_LIMIT}"),
            }));
        }
        let query = query_of(query)?;
        Ok(AsyncRowIterator {
            scan: Arc::new(Mutex::new(Scan {
                desk: self.inner.clone(),
                query,
                sort: sort_of(o.sort, o.descending),
                limit,
                now: partnerdesk_host::now_or_clock(o.now),
                cursor: None,
                start: o.cursor,
                started: false,
                rows: VecDeque::new(),
                exhausted: false,
                served: 0,
            })),
            closed: Arc::new(AtomicBool::new(false)),
            issued: Cell::new(0),
            pending: Arc::new(AtomicU64::new(0)),
            turn: Arc::new(Condvar::new()),
        })
    }
}
