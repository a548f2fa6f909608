//! The store's errors: the core's own, plus what a store can go through (unreachable, a
//! concurrent writer, a corrupt or newer file), each with a stable code.
//!
//! Why a type of its own beside the core's [`partnerdesk::Error`]: in Rust a concurrent change
//! names the two [`Mark`]s, which the store's retry and tests use. The codes come from the
//! core's one table, which holds the same four variants for hosts (`STORE_UNAVAILABLE`,
//! `CONCURRENT_CHANGE`, `STORE_CORRUPT`, `STORE_VERSION_UNSUPPORTED`); `From<StoreError>` turns
//! one into the other. Messages name partners, sequence numbers and database conditions,
//! never personal data.

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
    /// The stable machine code, from the core's one table: the core's code for
    /// [`StoreError::Desk`], else `STORE_UNAVAILABLE`, `CONCURRENT_CHANGE`, `STORE_CORRUPT` or
    /// `STORE_VERSION_UNSUPPORTED` (the variants [`partnerdesk::Error`] gives hosts).
    ///
    /// ```
    /// use partnerdesk_store::StoreError;
    /// let e = StoreError::Unavailable { reason: "connection refused".into() };
    /// assert_eq!(e.code(), "STORE_UNAVAILABLE");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Desk(e) => e.code(),
            StoreError::Unavailable { .. } => partnerdesk::Error::StoreUnavailable {
                reason: String::new(),
            }
            .code(),
            StoreError::ConcurrentChange { .. } => partnerdesk::Error::ConcurrentChange {
                expected_events: 0,
                found_events: 0,
            }
            .code(),
            StoreError::Corrupt { .. } => partnerdesk::Error::StoreCorrupt {
                what: String::new(),
            }
            .code(),
            StoreError::VersionUnsupported { .. } => partnerdesk::Error::StoreVersionUnsupported {
                found: 0,
                supported: 0,
            }
            .code(),
        }
    }
}

/// What a host sees: the core's error with the same code and details (the marks of a
/// concurrent change become their event counts).
impl From<StoreError> for partnerdesk::Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Desk(e) => e,
            StoreError::Unavailable { reason } => partnerdesk::Error::StoreUnavailable { reason },
            StoreError::ConcurrentChange { expected, found } => {
                partnerdesk::Error::ConcurrentChange {
                    expected_events: expected.events,
                    found_events: found.events,
                }
            }
            StoreError::Corrupt { what } => partnerdesk::Error::StoreCorrupt { what },
            StoreError::VersionUnsupported { found, supported } => {
                partnerdesk::Error::StoreVersionUnsupported { found, supported }
            }
        }
    }
}
