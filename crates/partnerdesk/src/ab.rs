//! Runtime switches for side-by-side benchmarks (issue 14): hidden, read by the benchmarks
//! only, on by default. Not part of the API.

use std::sync::atomic::{AtomicBool, Ordering};

static READ_AHEAD: AtomicBool = AtomicBool::new(true);
static INLINE_IDS: AtomicBool = AtomicBool::new(true);

/// Turns the export read-ahead (`touch_*`) on or off.
pub fn set_read_ahead(on: bool) {
    READ_AHEAD.store(on, Ordering::Relaxed);
}

/// Turns the slot table's inline id keys on or off, for customers inserted from now on.
pub fn set_inline_ids(on: bool) {
    INLINE_IDS.store(on, Ordering::Relaxed);
}

pub(crate) fn read_ahead() -> bool {
    READ_AHEAD.load(Ordering::Relaxed)
}

pub(crate) fn inline_ids() -> bool {
    INLINE_IDS.load(Ordering::Relaxed)
}
