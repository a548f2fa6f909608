//! The last line against panics: every entry point runs under `catch_unwind`.
//!
//! Without it a panic (a bug in the core or in this addon) unwinds into napi's `extern "C"`
//! callback and aborts the Node process. `#[partnerdesk_panic_guard::entry_points]` (above
//! every `#[napi]` block and function) wraps each body in `run`, so the call throws an
//! `Error` with `code === "INTERNAL"` instead; work on a worker thread (`Task::compute`) goes
//! through `compute` and rejects its promise the same way. napi's own `catch_unwind` option
//! is not used: it throws with napi's `GenericFailure` status, not the package's code. The
//! panic's message is not passed on (it could hold anything, personal data included); the
//! error names the operation only.

use crate::error::{Code, to_js};
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;
use partnerdesk::Error as CoreError;
use std::panic::{AssertUnwindSafe, catch_unwind};

fn internal(operation: &str) -> CoreError {
    CoreError::Internal {
        operation: operation.to_owned(),
    }
}

/// Runs one entry point's body on the JS thread; a panic becomes an `INTERNAL` error naming
/// `operation`.
///
/// `AssertUnwindSafe` is sound here: the desk sits behind a lock and every core change
/// validates before it mutates; the error says the operation may not have completed.
pub(crate) fn run<T>(
    operation: &'static str,
    body: impl FnOnce() -> napi::Result<T, Code>,
) -> napi::Result<T, Code> {
    crate::error::throwing(|| {
        catch_unwind(AssertUnwindSafe(body))
            .unwrap_or_else(|_payload| Err(to_js(internal(operation))))
    })
}

/// Runs the work of a `Task` on a worker thread; a panic becomes the task's own error type
/// built from an `INTERNAL` core error, so the promise rejects with `code === "INTERNAL"`.
pub(crate) fn compute<T, E: From<CoreError>>(
    operation: &'static str,
    body: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_payload| Err(internal(operation).into()))
}

/// How much the threads that run long work raise their nice value (Linux) above the thread
/// that starts them (at most to 19): the scheduler then gives the JS thread, and V8's garbage
/// collection helpers, a core first.
pub(crate) const BACKGROUND_NICE: i32 = 10;

/// The stack of a thread that runs long work.
const WORK_STACK: usize = 8 << 20;

/// Runs long CPU work (a search page, an export, a snapshot, an open or an import) as
/// [`compute`] does, but on a thread of its own at a lower CPU priority ([`BACKGROUND_NICE`]
/// above its own), which the worker-pool thread waits for; on this thread when none can be
/// started.
///
/// Why: with the worker pool's threads at the JS thread's own priority, 40 exports, collections
/// and snapshots at once on 2 cores kept the JS thread, and V8's garbage collection helpers,
/// waiting for a core: the event loop waited 30 to 60 ms at worst (issue #17, item 4). Not for
/// work that waits (`follow`): its thread is idle anyway. The worker-pool thread itself keeps
/// its priority (a raised nice value cannot be lowered again without privileges, and the pool
/// is the host's, shared with `fs` and `crypto`).
pub(crate) fn background<T: Send, E: From<CoreError> + Send>(
    operation: &'static str,
    body: impl FnOnce() -> Result<T, E> + Send,
) -> Result<T, E> {
    let mut body = Some(body);
    let ran = std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("partnerdesk-bg".into())
            // The stack a worker-pool thread has (libuv takes the process's stack limit, 8 MiB
            // by default), not Rust's 2 MiB for a new thread.
            .stack_size(WORK_STACK)
            .spawn_scoped(scope, || {
                lower_priority();
                body.take().map(|b| compute(operation, b))
            });
        thread.ok().map(|t| t.join())
    });
    match (ran, body.take()) {
        (Some(Ok(Some(out))), _) => out,
        // No thread could be started: the work runs here.
        (None, Some(body)) => compute(operation, body),
        // The thread ended without a result (it cannot panic outside `compute`).
        _ => Err(internal(operation).into()),
    }
}

/// Raises the calling thread's nice value by [`BACKGROUND_NICE`] (at most to 19; Linux's nice
/// value is a thread's own, and a new thread starts with its creator's); where that fails, or
/// elsewhere, the thread keeps its priority.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    #[allow(unsafe_code)]
    // SAFETY: `getpriority` and `setpriority` read their integer arguments only; `who` 0 names
    // the calling thread. A failed `getpriority` reads as -1 (the nice value -1 looks the
    // same): the thread then asks for 9, which lowers its priority or is refused. A refused
    // `setpriority` changes nothing.
    unsafe {
        let current = libc::getpriority(libc::PRIO_PROCESS, 0);
        let _status = libc::setpriority(libc::PRIO_PROCESS, 0, (current + BACKGROUND_NICE).min(19));
    }
}

/// Internal diagnostic, not part of the API (kept out of `index.d.ts`): panics on purpose on
/// the JS thread, to test that a panic throws `INTERNAL` instead of ending the process.
#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi(js_name = "__panicForTests", skip_typescript)]
#[allow(clippy::panic, reason = "the one deliberate panic, to test the guard")]
pub fn panic_for_tests() -> napi::Result<(), Code> {
    // `black_box` keeps the compiler from seeing the rest as unreachable.
    if std::hint::black_box(true) {
        panic!("deliberate panic for the addon's tests");
    }
    Ok(())
}

/// Internal diagnostic, not part of the API (kept out of `index.d.ts`): a promise whose work
/// panics on a worker thread, to test that it rejects with `INTERNAL`.
#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi(js_name = "__panicForTestsAsync", skip_typescript)]
pub fn panic_for_tests_async() -> AsyncTask<PanicTask> {
    AsyncTask::new(PanicTask)
}

/// The work of `__panicForTestsAsync`: panics on the worker thread.
pub struct PanicTask;

impl Task for PanicTask {
    type Output = Result<(), CoreError>;
    type JsValue = ();

    #[allow(clippy::panic, reason = "the one deliberate panic, to test the guard")]
    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(compute("__panicForTestsAsync", || {
            if std::hint::black_box(true) {
                panic!("deliberate panic for the addon's tests");
            }
            Ok(())
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<()> {
        output.map_err(|e| crate::error::to_js_value(&env, &e))
    }
}
