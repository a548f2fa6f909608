//! The last line against panics: every entry point runs under `catch_unwind`.
//!
//! `#[partnerdesk_panic_guard::entry_points]` (above every `#[pymethods]` block and
//! `#[pyfunction]`) wraps each body in [`run`], so a panic (a bug in the core or in this
//! binding) reaches Python as [`InternalError`](crate::errors) with code `INTERNAL`, a
//! subclass of `PartnerDeskError` that `except Exception` catches, instead of pyo3's
//! `PanicException` (a `BaseException`). The panic's message is not passed on: it could hold
//! anything, personal data included; the error names the operation only.

use crate::errors::to_py;
use partnerdesk::Error;
use pyo3::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs one entry point's body; a panic becomes `InternalError` naming `operation`.
///
/// `AssertUnwindSafe` is sound here: the desk handles guard their state with locks that
/// every change validates before it mutates, and a panic is reported as an error that says
/// the operation may not have completed.
pub(crate) fn run<T>(operation: &'static str, body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(_payload) => Err(Python::attach(|py| {
            to_py(
                py,
                Error::Internal {
                    operation: operation.to_owned(),
                },
            )
        })),
    }
}

/// Panics on purpose, to prove that a panic reaches Python as `InternalError`. A hidden
/// diagnostic for the binding's own tests (it is not part of the public API, not re-exported
/// by the `partnerdesk` package, and not documented there).
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
#[allow(clippy::panic, reason = "the one deliberate panic, to test the guard")]
pub(crate) fn _panic_for_tests() -> PyResult<()> {
    // `black_box` keeps the compiler from seeing the rest as unreachable.
    if std::hint::black_box(true) {
        panic!("deliberate panic for the binding's tests");
    }
    Ok(())
}
