//! Large results reach the JS thread in slices: the rows of every `collectRows` (and the text
//! of every `saveSnapshot`) that has finished on the worker pool wait in one queue per JS
//! thread, and one pump converts them into their arrays (strings) for at most [`SLICE`] per
//! event-loop turn, then lets the loop turn (`setImmediate`) before it goes on. A string cannot
//! be made in parts: it is made in one go, from UTF-16 prepared on the worker thread (one copy,
//! no decoding), and no more than one per turn once the slice is over.
//!
//! Why one queue and not a slice per promise: libuv runs the completions of every finished
//! worker-pool job back to back, and Node every `setImmediate` queued before a turn's check
//! phase; a slice per job would let 40 jobs hold the loop 40 slices long. One pump bounds the
//! loop's wait however many results are pending (the issue #17 measurement: 100k rows
//! converted when one promise resolved held the loop 2.2 s).
//!
//! How the promise stays `Promise<CustomerRow[]>`: the task's promise resolves to a second
//! promise (made here), which it adopts; the pump resolves that one with the array once its
//! last row is in. The rows (the core's masked rows) are built on the worker thread; only their
//! conversion to JS objects happens here, 32 rows a call of the row functions (`crate::rows`),
//! each slice dropped once converted.
//!
//! The pump also keeps the turn's budget of the `searchAll` iterations' rows handed over at
//! once ([`at_once`], one for all of them), and hands over, on the next turn, the rows asked
//! for once it is spent ([`later`]).
//!
//! Unsafe code: the promise, the array and the `setImmediate` call go through napi's C
//! functions (`napi_create_promise`, `napi_create_array_with_length`, `napi_set_element`,
//! `napi_resolve_deferred`, `napi_call_function`), each called on the JS thread with the `env`
//! napi handed to the callback that runs it.

#![allow(unsafe_code)]

use napi::bindgen_prelude::{
    Env, FunctionCallContext, JsObjectValue, JsValue, Object, ObjectRef, Unknown,
};
use napi::{Status, sys};
use partnerdesk::row::CustomerRow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::ptr;
use std::time::{Duration, Instant};

/// The longest the pump converts rows before it lets the event loop turn.
pub(crate) const SLICE: Duration = Duration::from_millis(4);

/// The longest the async iterations of a JS thread, all together, hand over rows at once in
/// one turn of the event loop (see [`at_once`]).
pub(crate) const ITERATION_SLICE: Duration = Duration::from_millis(2);

/// Rows converted in one call of the row functions, between two looks at the clock.
const ROWS_PER_LOOK: usize = 32;

/// One result waiting to be handed over.
struct Job {
    content: Content,
    /// Resolved with the array (or the string) when it is complete.
    deferred: sys::napi_deferred,
    /// The operation, named by an `INTERNAL` error should the hand-over fail.
    operation: &'static str,
}

/// What a job hands over.
enum Content {
    /// Rows, into an array a slice at a time.
    Rows {
        /// The rows not yet in the array: each slice is dropped once converted, here and
        /// there, rather than all of them with the job (a million rows were 0.3 s on the JS
        /// thread at once).
        rows: std::vec::IntoIter<CustomerRow>,
        /// The JS array being filled (held by a reference across turns).
        array: ObjectRef<false>,
        /// How many rows are in it.
        done: usize,
    },
    /// A text already in UTF-16 (made on the worker thread), so that making the JS string
    /// is one copy, no decoding; one such string per turn at most.
    Text(Vec<u16>),
    /// A small value made on the JS thread on a later turn (an async iteration's next row once
    /// this turn's budget is spent, [`later`]); `None` once made.
    Later(Option<Make>),
}

/// What makes a value on the JS thread, on a later turn ([`later`]).
pub(crate) type Make = Box<dyn FnOnce(&Env) -> napi::Result<sys::napi_value>>;

/// This JS thread's queue and pump.
struct Pump {
    jobs: VecDeque<Job>,
    /// The native function that `setImmediate` calls.
    function: Option<ObjectRef<false>>,
    /// A `setImmediate` of the pump is pending.
    scheduled: bool,
    /// When the async iterations began to hand over rows at once in this turn of the event
    /// loop (`None`: not yet); the pump's next run, on the next turn, clears it.
    turn: Option<Instant>,
}

thread_local! {
    static PUMP: RefCell<Pump> = const {
        RefCell::new(Pump { jobs: VecDeque::new(), function: None, scheduled: false, turn: None })
    };
}

/// A raw napi call's status as a result (`what` names the call that failed).
pub(crate) fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(Status::GenericFailure, what.to_owned()))
    }
}

/// Makes this JS environment's pump function (called once, from the module's init).
pub(crate) fn install(env: &Env) -> napi::Result<()> {
    let f = env.create_function_from_closure::<(), _, _>(
        "partnerdeskHandover",
        |ctx: FunctionCallContext<'_>| {
            PUMP.with(|p| {
                let mut p = p.borrow_mut();
                p.scheduled = false;
                p.turn = None;
            });
            // A panic must not unwind into napi; the jobs left then wait for the next result.
            let _ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(*ctx.env)));
            Ok(())
        },
    )?;
    let function = Object::from_raw(env.raw(), f.raw()).create_ref::<false>()?;
    PUMP.with(|p| p.borrow_mut().function = Some(function));
    Ok(())
}

/// A promise of the array of `rows`, filled slice by slice on later turns of the event loop.
pub(crate) fn array_of(env: &Env, rows: Vec<CustomerRow>) -> napi::Result<Object<'static>> {
    let raw = env.raw();
    let len = rows.len();
    let mut array = ptr::null_mut();
    // Made at its full length; each slice of rows is put at its index.
    // SAFETY: `raw` is the live env of this JS-thread callback; `array` is an out pointer.
    check(
        unsafe { sys::napi_create_array_with_length(raw, len, &mut array) },
        "napi_create_array_with_length",
    )?;
    let array = Object::from_raw(raw, array).create_ref::<false>()?;
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: as above; both are out pointers.
    if let Err(e) = check(
        unsafe { sys::napi_create_promise(raw, &mut deferred, &mut promise) },
        "napi_create_promise",
    ) {
        array.unref(env)?;
        return Err(e);
    }
    queue(
        env,
        Job {
            content: Content::Rows {
                rows: rows.into_iter(),
                array,
                done: 0,
            },
            deferred,
            operation: "Desk.collectRows",
        },
    );
    Ok(Object::from_raw(raw, promise))
}

/// A promise of the JS string of `utf16` (UTF-16 code units), made on a later turn of the event
/// loop, one such string per turn at most. `operation` names the call in an `INTERNAL` error.
pub(crate) fn text_of(
    env: &Env,
    utf16: Vec<u16>,
    operation: &'static str,
) -> napi::Result<Object<'static>> {
    promised(env, Content::Text(utf16), operation)
}

/// A promise of the value `make` makes on the JS thread on a later turn of the event loop, in
/// the pump's order and within its slice. `operation` names the call in an `INTERNAL` error.
pub(crate) fn later(
    env: &Env,
    make: Make,
    operation: &'static str,
) -> napi::Result<Object<'static>> {
    promised(env, Content::Later(Some(make)), operation)
}

/// A new promise, settled by the pump once `content` is handed over.
fn promised(env: &Env, content: Content, operation: &'static str) -> napi::Result<Object<'static>> {
    let raw = env.raw();
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: `raw` is the live env of this JS-thread callback; both are out pointers.
    check(
        unsafe { sys::napi_create_promise(raw, &mut deferred, &mut promise) },
        "napi_create_promise",
    )?;
    queue(
        env,
        Job {
            content,
            deferred,
            operation,
        },
    );
    Ok(Object::from_raw(raw, promise))
}

fn queue(env: &Env, job: Job) {
    PUMP.with(|p| p.borrow_mut().jobs.push_back(job));
    if !schedule(env) {
        run(*env);
    }
}

/// Whether an async iteration may hand over a row at once (resolve its `next()` now), or must
/// let the event loop turn first (the row then comes from [`later`]): every iteration of this
/// JS thread shares one budget of [`ITERATION_SLICE`] per turn.
///
/// Why shared: rows that resolve at once run back to back as microtasks, and a budget per
/// iteration would let forty iterations hold one turn forty budgets long (the issue #17
/// workload: 40 iterations of 64 rows each, about 11 ms a turn).
pub(crate) fn at_once(env: &Env) -> bool {
    let now = Instant::now();
    let started = PUMP.with(|p| *p.borrow_mut().turn.get_or_insert(now));
    if started != now {
        return now.duration_since(started) < ITERATION_SLICE;
    }
    // The first row of this turn: the pump's next run clears the budget. Should it not be
    // queued (the environment shutting down), there is no next turn to wait for.
    if !schedule(env) {
        PUMP.with(|p| p.borrow_mut().turn = None);
    }
    true
}

/// Queues the pump on `setImmediate` unless it is queued already; `false` when that fails
/// (the environment shutting down), and the caller does the pump's work now: the results are
/// handed over at once rather than never.
fn schedule(env: &Env) -> bool {
    PUMP.with(|p| {
        let mut p = p.borrow_mut();
        if p.scheduled {
            return true;
        }
        let Some(function) = p.function.as_ref() else {
            return false;
        };
        let ok = set_immediate(env, function).is_ok();
        p.scheduled = ok;
        ok
    })
}

fn set_immediate(env: &Env, function: &ObjectRef<false>) -> napi::Result<()> {
    let function = function.get_value(env)?;
    let global = env.get_global()?;
    let set: Unknown<'_> = global.get_named_property("setImmediate")?;
    let args = [function.raw()];
    let mut out = ptr::null_mut();
    // SAFETY: the live env of this JS-thread callback; `global`, `set` and `args` are values of
    // it, `args` holds one value as its length says, and `out` is an out pointer.
    check(
        unsafe {
            sys::napi_call_function(
                env.raw(),
                global.raw(),
                set.raw(),
                1,
                args.as_ptr(),
                &mut out,
            )
        },
        "setImmediate",
    )
}

/// Converts rows into their arrays (and texts into strings) for at most [`SLICE`], settling
/// each promise whose value is complete; queues itself again while work is left.
fn run(env: Env) {
    let started = Instant::now();
    loop {
        let Some(mut job) = PUMP.with(|p| p.borrow_mut().jobs.pop_front()) else {
            return;
        };
        match step(&env, &mut job, started) {
            Ok(Some(value)) => settle(&env, job, Ok(value)),
            Ok(None) => {
                PUMP.with(|p| p.borrow_mut().jobs.push_front(job));
                if !schedule(&env) {
                    continue;
                }
                return;
            }
            Err(e) => settle(&env, job, Err(e)),
        }
        if started.elapsed() >= SLICE
            && PUMP.with(|p| !p.borrow().jobs.is_empty())
            && schedule(&env)
        {
            return;
        }
    }
}

/// Works on `job` until its value is complete (`Some`) or the slice is over (`None`).
fn step(env: &Env, job: &mut Job, started: Instant) -> napi::Result<Option<sys::napi_value>> {
    match &mut job.content {
        Content::Rows { rows, array, done } => {
            let array = array.get_value(env)?;
            loop {
                let slice = rows.as_slice();
                if slice.is_empty() {
                    return Ok(Some(array.raw()));
                }
                let slice = slice.get(..ROWS_PER_LOOK).unwrap_or(slice);
                let start = u32::try_from(*done).map_err(|_| {
                    napi::Error::new(Status::InvalidArg, "too many rows".to_owned())
                })?;
                // SAFETY: the live env of this JS-thread callback; `array` is a value of it.
                unsafe { crate::rows::put_rows(env.raw(), array.raw(), start, slice) }?;
                let converted = slice.len();
                *done += converted;
                // Drops the rows just converted.
                let _last = rows.nth(converted - 1);
                if started.elapsed() >= SLICE {
                    return Ok(None);
                }
            }
        }
        Content::Text(utf16) => {
            let len = isize::try_from(utf16.len())
                .map_err(|_| napi::Error::new(Status::InvalidArg, "text too long".to_owned()))?;
            let mut value = ptr::null_mut();
            // SAFETY: the live env of this JS-thread callback; `utf16` holds `len` code units;
            // `value` is an out pointer.
            check(
                unsafe {
                    sys::napi_create_string_utf16(env.raw(), utf16.as_ptr(), len, &mut value)
                },
                "napi_create_string_utf16",
            )?;
            Ok(Some(value))
        }
        Content::Later(make) => match make.take() {
            Some(make) => make(env).map(Some),
            None => Err(napi::Error::new(
                Status::GenericFailure,
                "made already".to_owned(),
            )),
        },
    }
}

/// Resolves `job`'s promise with its value, or rejects it with an `INTERNAL` error naming the
/// operation.
fn settle(env: &Env, job: Job, value: napi::Result<sys::napi_value>) {
    // SAFETY: the live env of this JS-thread callback; `job.deferred` came from
    // `napi_create_promise` on it and is settled exactly once, here.
    let _status = unsafe {
        match value {
            Ok(v) => sys::napi_resolve_deferred(env.raw(), job.deferred, v),
            // A value made later fails with its own error (a `PartnerDeskError`).
            Err(e) if matches!(job.content, Content::Later(_)) => sys::napi_reject_deferred(
                env.raw(),
                job.deferred,
                napi::JsError::from(e).into_value(env.raw()),
            ),
            Err(_) => {
                let code = crate::error::Code::of(&partnerdesk::Error::Internal {
                    operation: job.operation.to_owned(),
                });
                let message = "internal error while handing the result to JS";
                let error = crate::error::error_object(env, &code, message)
                    .or_else(|_| env.create_error(napi::Error::from_reason(message)))
                    .map_or(ptr::null_mut(), |o| o.raw());
                sys::napi_reject_deferred(env.raw(), job.deferred, error)
            }
        }
    };
    if let Content::Rows { array, .. } = job.content {
        let _released = array.unref(env);
    }
}
