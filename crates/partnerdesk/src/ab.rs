//! A runtime switch for side-by-side benchmarks (issue 14, ADR 0005's rule to re-measure):
//! hidden, set by `benches/benches/read_ahead.rs` only, on by default. Not part of the API.

use std::sync::atomic::{AtomicBool, Ordering};

static READ_AHEAD: AtomicBool = AtomicBool::new(true);

/// Turns the export read-ahead on or off: `CellWriter::each` (exports that read the
/// customers) and the build of the export copy. On by default.
pub fn set_read_ahead(on: bool) {
    READ_AHEAD.store(on, Ordering::Relaxed);
}

/// Whether the export reads ahead.
pub(crate) fn read_ahead() -> bool {
    READ_AHEAD.load(Ordering::Relaxed)
}
