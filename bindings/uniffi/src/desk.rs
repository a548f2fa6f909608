//! The `Desk` object Kotlin and Swift hold: one partner's portfolio behind a lock.
//!
//! Why a lock: uniffi objects are shared (`Arc`) and may be called from any thread (a phone's UI
//! thread and a background worker), so reads share an `RwLock` and changes take it exclusively.
//! The lock is the host layer's [`DeskLock`]: a read never queues behind a change that waits
//! for the lock (an export waiting to prepare while other threads read), so a UI thread's read
//! waits at most for a change that holds it, and an export holds it for moments only (it
//! builds its order under a read lock first, `partnerdesk_host::export::order_update`).
//!
//! What the lock holds is a [`HostDesk`]: in memory, or durable on a store (`Desk.open`,
//! `saveTo`; see `store.rs`). Reads go through its `Deref` to the core's desk; every change goes
//! through [`Desk::change`], which on a durable desk commits before it returns.

use crate::error::Result;
use crate::types::{CustomerRow, Page, PageRequest, SortOrder, to_u64};
use parking_lot::{RwLockReadGuard, RwLockWriteGuard};
use partnerdesk::CustomerId;
use partnerdesk::query::Query;
use partnerdesk_host::HostInstant;
use partnerdesk_host::durable::Changing;
use partnerdesk_host::ops::customers::PartnerInfo;
use partnerdesk_host::{DeskLock, HostDesk};
use std::sync::Arc;

/// A partner's customer portfolio: load it, search it, act on customers.
///
/// Every call that depends on time takes an optional `now` (`java.time.Instant` in Kotlin),
/// which defaults to the device's clock (UTC), as in every host (`docs/conventions.md`).
#[derive(Debug, uniffi::Object)]
pub struct Desk {
    inner: DeskLock,
}

impl Desk {
    pub(crate) fn wrap(desk: partnerdesk::Desk) -> Arc<Self> {
        Self::hold(HostDesk::new(desk))
    }

    /// A desk held as it is (in memory or durable on a store).
    pub(crate) fn hold(desk: HostDesk) -> Arc<Self> {
        Arc::new(Desk {
            inner: DeskLock::new(desk),
        })
    }

    /// The desk for reads (it derefs to the core's desk).
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, HostDesk> {
        self.inner.read_recursive()
    }

    /// The lock itself (for the export phases, which downgrade it).
    pub(crate) fn lock(&self) -> &DeskLock {
        &self.inner
    }

    /// The held desk, exclusively: for the store's own operations (`saveTo`, `refresh`,
    /// `checkpoint`). Changes go through [`Desk::change`]. Once released, a due checkpoint is
    /// stored on this thread under a read lock, so that other threads' reads go on
    /// ([`partnerdesk_host::durable::Changing`]).
    pub(crate) fn write(&self) -> Changing<'_, RwLockWriteGuard<'_, HostDesk>, DeskLock> {
        Changing::new(
            self.inner.write(),
            &self.inner,
            partnerdesk_host::durable::checkpoint_after_change,
        )
    }

    /// Runs one change under the write lock ([`HostDesk::change`]): on a durable desk it is
    /// committed before this returns, and `f` may run again after another instance's change,
    /// so it must do the same each time (it clones what it consumes).
    pub(crate) fn change<T>(
        &self,
        f: impl FnMut(&mut partnerdesk::Desk) -> partnerdesk::Result<T>,
    ) -> Result<T> {
        Ok(self.write().change(f)?)
    }
}

/// Parses a customer id argument.
pub(crate) fn customer_id(id: &str) -> Result<CustomerId> {
    Ok(CustomerId::new(id)?)
}

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl Desk {
    /// Loads a desk from a snapshot (the JSON `toSnapshotJson` wrote). Every invariant is
    /// checked; a bad snapshot gives `MALFORMED_JSON`, `INVALID_SNAPSHOT` or
    /// `UNSUPPORTED_SNAPSHOT_VERSION`.
    #[uniffi::constructor]
    pub fn from_snapshot_json(json: String) -> Result<Arc<Self>> {
        Ok(Self::wrap(partnerdesk::Desk::from_snapshot_json(&json)?))
    }

    /// A deterministic demo portfolio of `customers` customers (same seed, same desk), built
    /// for [`demo_now`](crate::demo_now). At most 20,000,000 customers: a larger number is
    /// `InvalidArgument`.
    #[uniffi::constructor]
    pub fn demo(customers: u32, seed: u64) -> Result<Arc<Self>> {
        let n = usize::try_from(customers).unwrap_or(usize::MAX);
        let (desk, _now) = partnerdesk::demo::portfolio(n, seed)?;
        Ok(Self::wrap(desk))
    }

    /// Loads a desk from a snapshot file, checking every invariant; the JSON is never a host
    /// string. `INVALID_ARGUMENT` on `path` when the file cannot be read.
    #[uniffi::constructor]
    pub fn from_snapshot_file(path: String) -> Result<Arc<Self>> {
        let desk = partnerdesk_host::snapshot_file::load_snapshot_file(path.as_ref())?;
        Ok(Self::wrap(desk))
    }

    /// Writes the desk's snapshot to a file, replacing it only once the whole snapshot is
    /// written and synced (a failed save, `EXPORT_WRITE_FAILED`, leaves the old file as it
    /// was); no host string in between.
    pub fn save_snapshot_file(&self, path: String) -> Result<()> {
        Ok(partnerdesk_host::snapshot_file::save_snapshot_file(
            &self.read(),
            path.as_ref(),
        )?)
    }

    /// The partner whose desk this is.
    pub fn partner(&self) -> PartnerInfo {
        PartnerInfo::from(self.read().partner())
    }

    /// Number of customers on the desk (including disassociated ones kept for history).
    pub fn customer_count(&self) -> u64 {
        to_u64(self.read().len())
    }

    /// Searches with the text filter (`assoc=reseller and mtd>=1000 and (tag:vip or
    /// tag:gold)`; empty for everyone): one page of masked rows, the total and the next cursor.
    /// Disassociated customers are left out unless `include_disassociated`.
    #[uniffi::method(default(now = None, include_disassociated = false))]
    pub fn search(
        &self,
        filter: String,
        sort: SortOrder,
        page: PageRequest,
        now: Option<HostInstant>,
        include_disassociated: bool,
    ) -> Result<Page> {
        let now = partnerdesk_host::at(now);
        let query = parse_query(&filter, include_disassociated)?;
        let page = self.read().search(&query, sort.into(), &page.into(), now)?;
        Ok(page.into())
    }

    /// How many customers match the text filter at `now`.
    #[uniffi::method(default(now = None, include_disassociated = false))]
    pub fn count(
        &self,
        filter: String,
        now: Option<HostInstant>,
        include_disassociated: bool,
    ) -> Result<u64> {
        let now = partnerdesk_host::at(now);
        let query = parse_query(&filter, include_disassociated)?;
        Ok(to_u64(self.read().count(&query, now)))
    }

    /// The masked row of one customer at `now`.
    #[uniffi::method(default(now = None))]
    pub fn customer_row(&self, id: String, now: Option<HostInstant>) -> Result<CustomerRow> {
        let now = partnerdesk_host::at(now);
        let id = customer_id(&id)?;
        Ok(self.read().customer_row(&id, now)?.into())
    }

    /// The billing month month-to-date spend is indexed for (`2026-11`).
    pub fn indexed_month(&self) -> String {
        self.read().indexed_month().to_string()
    }
}

/// Parses a text filter; blank text means every customer.
pub(crate) fn parse_query(filter: &str, include_disassociated: bool) -> Result<Query> {
    let query = if filter.trim().is_empty() {
        Query::all()
    } else {
        Query::parse(filter)?
    };
    Ok(query.including_disassociated(include_disassociated))
}

/// Parses a text filter and returns its canonical form (for a search box: check as you type).
#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
pub fn normalize_filter(filter: String) -> Result<String> {
    Ok(parse_query(&filter, false)?.filter.to_string())
}
