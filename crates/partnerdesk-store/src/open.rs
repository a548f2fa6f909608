//! A store named by one string, as hosts and configuration files name it.
//!
//! Why: a host's `open("desk.db")` or `open("postgresql://...")` picks the backend at run
//! time from the text alone, and a service reads it from its configuration; one rule for
//! every host keeps them alike.

use crate::error::{Result, StoreError};
use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;
use crate::store::{Batch, Checkpoint, Store};
use partnerdesk::audit::AuditRecord;
use partnerdesk::event::Event;
use partnerdesk::{Mark, PartnerId};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// A store chosen at run time (an embedded SQLite file or a PostgreSQL server, as
/// [`open_store`] picks it from its location), which several threads may share.
///
/// Why a type: a backend is `Send` but not `Sync` (a SQLite connection must not be used by
/// two threads at once), while hosts keep their desk behind a `RwLock` shared by threads, which
/// needs `Sync`. Every [`Store`] method takes `&mut self`, so the backend sits in a `Mutex`
/// reached through [`Mutex::get_mut`]: never locked, never waited for. One exception: a
/// checkpoint stored beside reads ([`crate::DurableDesk::checkpoint_if_due_shared`]) takes the
/// lock through a shared reference, with `try_lock` (a second such checkpoint at the same time
/// is skipped, not waited for); no `&mut` use can overlap it.
pub struct AnyStore(Mutex<Box<dyn Store>>);

impl std::fmt::Debug for AnyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnyStore")
    }
}

impl AnyStore {
    /// A store of any backend.
    pub fn new(store: impl Store + 'static) -> Self {
        AnyStore(Mutex::new(Box::new(store)))
    }

    /// The backend. A poisoned lock is harmless here: the store's own transactions keep it
    /// consistent, whatever a panicking holder left half done.
    fn get(&mut self) -> &mut dyn Store {
        &mut **self.0.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    /// The backend through a shared reference, unless another thread holds it now.
    pub(crate) fn try_shared(&self) -> Option<std::sync::MutexGuard<'_, Box<dyn Store>>> {
        match self.0.try_lock() {
            Ok(guard) => Some(guard),
            Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }
}

impl Store for AnyStore {
    fn create_desk(&mut self, partner: &PartnerId, first: &Checkpoint) -> Result<bool> {
        self.get().create_desk(partner, first)
    }

    fn head(&mut self, partner: &PartnerId) -> Result<Option<Mark>> {
        self.get().head(partner)
    }

    fn partners(&mut self) -> Result<Vec<PartnerId>> {
        self.get().partners()
    }

    fn append(&mut self, partner: &PartnerId, expected: Mark, batch: Batch<'_>) -> Result<()> {
        self.get().append(partner, expected, batch)
    }

    fn latest_checkpoint(&mut self, partner: &PartnerId) -> Result<Option<Checkpoint>> {
        self.get().latest_checkpoint(partner)
    }

    fn put_checkpoint(&mut self, partner: &PartnerId, checkpoint: &Checkpoint) -> Result<()> {
        self.get().put_checkpoint(partner, checkpoint)
    }

    fn events_after(
        &mut self,
        partner: &PartnerId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Event>> {
        self.get().events_after(partner, after, limit)
    }

    fn audit_after(
        &mut self,
        partner: &PartnerId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<AuditRecord>> {
        self.get().audit_after(partner, after, limit)
    }

    fn wait_for_change(
        &mut self,
        partner: &PartnerId,
        known: Mark,
        timeout: Duration,
    ) -> Result<bool> {
        self.get().wait_for_change(partner, known, timeout)
    }
}

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
/// use partnerdesk_store::Store;
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
pub fn open_store(location: &str) -> Result<AnyStore> {
    if location.trim().is_empty() {
        return Err(StoreError::Desk(partnerdesk::Error::InvalidArgument {
            field: "location".to_owned(),
            reason: "expected a file path or a postgresql:// URL".to_owned(),
        }));
    }
    if location.starts_with("postgresql://") || location.starts_with("postgres://") {
        return Ok(AnyStore::new(PgStore::connect(location).map_err(
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
    Ok(AnyStore::new(SqliteStore::open(path)?))
}
