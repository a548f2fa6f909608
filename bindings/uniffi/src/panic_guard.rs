//! The last line against panics: every fallible entry point runs under `catch_unwind`.
//!
//! uniffi's scaffolding catches a panic itself, but hands it to Kotlin as its own
//! `InternalException` (Swift: a fatal error), with the panic's message. With
//! `#[partnerdesk_panic_guard::entry_points(fallible_only)]` above every `#[uniffi::export]`,
//! each function that returns a `Result` runs its body through [`run`], so a panic arrives as
//! `PartnerDeskException.Internal` (code `INTERNAL`) naming the operation only (the panic's
//! message could hold anything, personal data included). Functions that cannot fail (plain
//! accessors such as `partner()`, `errorCodes()`) keep their signatures: making them throw would
//! change the Swift API, and they do no work a panic could come from beyond copying fields.

use crate::error::{PartnerDeskError, Result};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs one entry point's body; a panic becomes `PartnerDeskError::Internal` naming
/// `operation`.
///
/// `AssertUnwindSafe` is sound here: the desk sits behind a lock and every core change
/// validates before it mutates; the error says the operation may not have completed.
pub(crate) fn run<T>(operation: &'static str, body: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_payload| {
        Err(PartnerDeskError::from(partnerdesk::Error::Internal {
            operation: operation.to_owned(),
        }))
    })
}

/// Internal diagnostic, not part of the API: panics on purpose, to test that a panic reaches
/// Kotlin as `PartnerDeskException.Internal` instead of uniffi's `InternalException`.
#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
#[allow(clippy::panic, reason = "the one deliberate panic, to test the guard")]
pub fn panic_for_tests() -> Result<()> {
    // `black_box` keeps the compiler from seeing the rest as unreachable.
    if std::hint::black_box(true) {
        panic!("deliberate panic for the binding's tests");
    }
    Ok(())
}
