//! The store's errors: the core's own, plus what a store can go through (unreachable, a
//! concurrent writer, a corrupt or newer file), each with a stable code.
//!
//! Why a type of its own for now: the core's one error table is what every host binding
//! mirrors, and the hosts do not open stores yet (issue #15 item 3, after the shared binding
//! layer of issue #16). When they do, these variants move into the core's table under the same
//! codes. Messages name partners, sequence numbers and database conditions, never personal
//! data.

use partnerdesk::Mark;

/// A store's result.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Everything opening, reading or writing a durable desk can give.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The desk refused the command or the data (its own code, e.g. `PERMISSION_DENIED`).
    #[error(transparent)]
    Desk(#[from] partnerdesk::Error),
    /// The store could not be reached or could not write (server gone, disk full, file
    /// locked); nothing of the command was committed and the in-memory desk is as before it.
    #[error("store unavailable: {reason}")]
    Unavailable {
        /// What the database said (no personal data: conditions and identifiers only).
        reason: String,
    },
    /// Another writer appended first: the store is at `found`, the append expected
    /// `expected`. The desk catches up and the command is retried (bounded).
    #[error("concurrent change: expected the store at {expected:?}, found {found:?}")]
    ConcurrentChange {
        /// Where the writer believed the desk's history stood.
        expected: Mark,
        /// Where it stands in the store.
        found: Mark,
    },
    /// A checkpoint, event or audit record in the store does not read back (bad checksum,
    /// unknown format, a gap in the sequence): refused rather than open a wrong desk.
    #[error("store corrupt: {what}")]
    Corrupt {
        /// Which record and why.
        what: String,
    },
    /// The store was written by a newer version of this library (its schema version is
    /// `found`, this library knows up to `supported`).
    #[error("store schema version {found} is newer than this library's {supported}")]
    VersionUnsupported {
        /// The store's schema version.
        found: u32,
        /// The newest this library reads.
        supported: u32,
    },
}

impl StoreError {
    /// The stable machine code: the core's code for [`StoreError::Desk`], else
    /// `STORE_UNAVAILABLE`, `CONCURRENT_CHANGE`, `STORE_CORRUPT` or
    /// `STORE_VERSION_UNSUPPORTED`.
    ///
    /// ```
    /// use partnerdesk_store::StoreError;
    /// let e = StoreError::Unavailable { reason: "connection refused".into() };
    /// assert_eq!(e.code(), "STORE_UNAVAILABLE");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Desk(e) => e.code(),
            StoreError::Unavailable { .. } => "STORE_UNAVAILABLE",
            StoreError::ConcurrentChange { .. } => "CONCURRENT_CHANGE",
            StoreError::Corrupt { .. } => "STORE_CORRUPT",
            StoreError::VersionUnsupported { .. } => "STORE_VERSION_UNSUPPORTED",
        }
    }
}
