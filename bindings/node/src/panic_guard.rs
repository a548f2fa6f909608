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
