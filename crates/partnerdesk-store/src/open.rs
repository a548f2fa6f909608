//! A store named by one string, as hosts and configuration files name it.
//!
//! Why: a host's `open("desk.db")` or `open("postgresql://...")` picks the backend at run
//! time from the text alone, and a service reads it from its configuration; one rule for
//! every host keeps them alike.

use crate::error::{Result, StoreError};
use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;
use crate::store::Store;

/// Opens the store `location` names: a `postgresql://` or `postgres://` URL connects to that
/// PostgreSQL database ([`PgStore::connect`]); `sqlite:` followed by a path, or any other
/// text, is the path of an embedded SQLite file, created when missing
/// ([`SqliteStore::open`]).
///
/// Errors: `INVALID_ARGUMENT` on `location` for an empty text or a bad URL,
/// `STORE_UNAVAILABLE` (file or server unreachable, not a database),
/// `STORE_VERSION_UNSUPPORTED` (written by a newer library). The errors never repeat the
/// location: a URL may hold a password.
///
/// ```
/// let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
/// let path = dir.path().join("desk.db");
/// let mut store = partnerdesk_store::open_store(&path.to_string_lossy())?;
/// let partner = partnerdesk::PartnerId::new("p1")?;
/// assert_eq!(store.head(&partner)?, None);
/// assert_eq!(
///     partnerdesk_store::open_store(" ").err().map(|e| e.code()),
///     Some("INVALID_ARGUMENT")
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open_store(location: &str) -> Result<Box<dyn Store>> {
    if location.trim().is_empty() {
        return Err(StoreError::Desk(partnerdesk::Error::InvalidArgument {
            field: "location".to_owned(),
            reason: "expected a file path or a postgresql:// URL".to_owned(),
        }));
    }
    if location.starts_with("postgresql://") || location.starts_with("postgres://") {
        return Ok(Box::new(PgStore::connect(location).map_err(
            |e| match e {
                // `connect` names its argument `url`; here it is the location.
                StoreError::Desk(partnerdesk::Error::InvalidArgument { reason, .. }) => {
                    StoreError::Desk(partnerdesk::Error::InvalidArgument {
                        field: "location".to_owned(),
                        reason,
                    })
                }
                e => e,
            },
        )?));
    }
    let path = location.strip_prefix("sqlite:").unwrap_or(location);
    Ok(Box::new(SqliteStore::open(path)?))
}
