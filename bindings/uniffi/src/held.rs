//! The desk a Kotlin or Swift `Desk` holds: in memory, or durable on a store.
//!
//! Why not `partnerdesk_host::HostDesk` itself: a uniffi object is shared between threads
//! (`Send + Sync`), and its reads run in parallel under an `RwLock`, so what the lock holds must
//! be `Sync`. `HostDesk` holds a `Box<dyn Store>`, which is only `Send` (a SQLite connection must
//! not be used by two threads at once). [`Exclusive`] wraps the store so that it is reachable
//! only through `&mut` (a `Mutex` that is never locked, read through `get_mut`), which makes it
//! `Sync` without `unsafe` and at no cost. Everything else is `HostDesk`'s
//! (bindings/host/src/durable.rs), method for method: the same options, the same codes, the same
//! commit rule (a change on a durable desk is committed before it returns, a refusal's audit
//! records too). When `HostDesk` is `Sync`, this module goes and `desk.rs` holds `HostDesk`.

use partnerdesk::{Desk, Error, Mark, PartnerId};
use partnerdesk_host::{StoreKind, StoreOptions};
use partnerdesk_store::{Batch, Checkpoint, DurableDesk, Policy, Store, open_store};
use std::ops::Deref;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// A store reachable only through `&mut`, hence `Sync` (see the module documentation).
pub(crate) struct Exclusive(Mutex<Box<dyn Store>>);

impl Exclusive {
    fn at(location: &str) -> Result<Self, Error> {
        open_store(location)
            .map(|store| Exclusive(Mutex::new(store)))
            .map_err(|e| without_location(location, e.into()))
    }

    fn store(&mut self) -> &mut dyn Store {
        // Only `get_mut` reaches the mutex: it is never locked, so never poisoned.
        &mut **self.0.get_mut().unwrap_or_else(PoisonError::into_inner)
    }
}

type StoreResult<T> = partnerdesk_store::Result<T>;

impl Store for Exclusive {
    fn create_desk(&mut self, partner: &PartnerId, first: &Checkpoint) -> StoreResult<bool> {
        self.store().create_desk(partner, first)
    }

    fn head(&mut self, partner: &PartnerId) -> StoreResult<Option<Mark>> {
        self.store().head(partner)
    }

    fn partners(&mut self) -> StoreResult<Vec<PartnerId>> {
        self.store().partners()
    }

    fn append(&mut self, partner: &PartnerId, expected: Mark, batch: Batch<'_>) -> StoreResult<()> {
        self.store().append(partner, expected, batch)
    }

    fn latest_checkpoint(&mut self, partner: &PartnerId) -> StoreResult<Option<Checkpoint>> {
        self.store().latest_checkpoint(partner)
    }

    fn put_checkpoint(&mut self, partner: &PartnerId, checkpoint: &Checkpoint) -> StoreResult<()> {
        self.store().put_checkpoint(partner, checkpoint)
    }

    fn events_after(
        &mut self,
        partner: &PartnerId,
        after: u64,
        limit: usize,
    ) -> StoreResult<Vec<partnerdesk::event::Event>> {
        self.store().events_after(partner, after, limit)
    }

    fn audit_after(
        &mut self,
        partner: &PartnerId,
        after: u64,
        limit: usize,
    ) -> StoreResult<Vec<partnerdesk::audit::AuditRecord>> {
        self.store().audit_after(partner, after, limit)
    }

    fn wait_for_change(
        &mut self,
        partner: &PartnerId,
        known: Mark,
        timeout: Duration,
    ) -> StoreResult<bool> {
        self.store().wait_for_change(partner, known, timeout)
    }
}

/// `e` with `location` taken out of its text. `open_store` promises errors that never repeat
/// the location (a URL may hold a password, a path a user's name), but SQLite's "unable to open
/// database file" comes with the path appended (by rusqlite), in `STORE_UNAVAILABLE`'s reason.
fn without_location(location: &str, e: Error) -> Error {
    let path = location.strip_prefix("sqlite:").unwrap_or(location).trim();
    let scrub = |text: String| {
        if path.is_empty() {
            text
        } else {
            text.replace(path, "(the location)")
        }
    };
    match e {
        Error::StoreUnavailable { reason } => Error::StoreUnavailable {
            reason: scrub(reason),
        },
        Error::StoreCorrupt { what } => Error::StoreCorrupt { what: scrub(what) },
        e => e,
    }
}

/// A desk in memory or durable on a store (see the module documentation).
pub(crate) struct HeldDesk {
    kind: Kind,
}

enum Kind {
    Memory(Box<Desk>),
    Durable(Box<DurableDesk<Exclusive>>, StoreKind),
}

impl std::fmt::Debug for HeldDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldDesk")
            .field("store", &self.store_kind())
            .field("desk", &**self)
            .finish()
    }
}

impl Deref for HeldDesk {
    type Target = Desk;

    fn deref(&self) -> &Desk {
        match &self.kind {
            Kind::Memory(desk) => desk,
            Kind::Durable(durable, _) => durable.desk(),
        }
    }
}

/// The store's policy for `options`: `StoreOptions::policy` of bindings/host, which is private
/// there (`INVALID_ARGUMENT` on `max_attempts` out of range).
fn policy(options: StoreOptions) -> Result<Policy, Error> {
    let mut policy = Policy::default();
    if let Some(n) = options.max_attempts {
        if !(1..=StoreOptions::MAX_ATTEMPTS).contains(&n) {
            return Err(partnerdesk_host::invalid(
                "max_attempts",
                &format!("expected 1 to {}", StoreOptions::MAX_ATTEMPTS),
            ));
        }
        policy.max_attempts = n;
    }
    if let Some(every) = options.checkpoint_every {
        policy.checkpoint_every = (every > 0).then_some(every);
    }
    Ok(policy)
}

/// Which store a location names (as `open_store` reads it).
fn kind_of(location: &str) -> StoreKind {
    if location.starts_with("postgresql://") || location.starts_with("postgres://") {
        StoreKind::Postgresql
    } else {
        StoreKind::Sqlite
    }
}

impl HeldDesk {
    /// `HostDesk::new`: a desk in memory only.
    pub(crate) fn new(desk: Desk) -> Self {
        HeldDesk {
            kind: Kind::Memory(Box::new(desk)),
        }
    }

    /// `HostDesk::open`: the desk of `partner` stored at `location` (no partner: the one desk
    /// the store holds).
    pub(crate) fn open(
        location: &str,
        partner: Option<&str>,
        options: StoreOptions,
    ) -> Result<Self, Error> {
        let partner = partner.map(PartnerId::new).transpose()?;
        let policy = policy(options)?;
        let mut store = Exclusive::at(location)?;
        let partner = match partner {
            Some(p) => p,
            None => the_one_desk(&mut store)?,
        };
        let durable = DurableDesk::open_with(store, &partner, policy)?;
        Ok(HeldDesk {
            kind: Kind::Durable(Box::new(durable), kind_of(location)),
        })
    }

    /// `HostDesk::create`: `desk` stored at `location` as a new durable desk, never over a desk
    /// of the same partner (`INVALID_ARGUMENT` on `location`).
    pub(crate) fn create(location: &str, desk: Desk, options: StoreOptions) -> Result<Self, Error> {
        let policy = policy(options)?;
        let mut store = Exclusive::at(location)?;
        if store.head(&desk.partner().id)?.is_some() {
            return Err(partnerdesk_host::invalid(
                "location",
                "the store already holds a desk of this partner; open it instead",
            ));
        }
        let durable = DurableDesk::create_with(store, desk, policy)?;
        Ok(HeldDesk {
            kind: Kind::Durable(Box::new(durable), kind_of(location)),
        })
    }

    /// `HostDesk::save_to`: a copy of this desk stored at `location`, held from now on; on any
    /// error this desk stays as and where it was.
    pub(crate) fn save_to(&mut self, location: &str, options: StoreOptions) -> Result<(), Error> {
        let copy = (**self).clone();
        *self = HeldDesk::create(location, copy, options)?;
        Ok(())
    }

    /// Which store holds this desk (`None`: in memory only).
    pub(crate) fn store_kind(&self) -> Option<StoreKind> {
        match &self.kind {
            Kind::Memory(_) => None,
            Kind::Durable(_, kind) => Some(*kind),
        }
    }

    /// `HostDesk::change`: on a durable desk what `f` added is committed before this returns;
    /// `f` may run again after another instance's change, so it must do the same each time.
    pub(crate) fn change<T>(
        &mut self,
        mut f: impl FnMut(&mut Desk) -> partnerdesk::Result<T>,
    ) -> Result<T, Error> {
        match &mut self.kind {
            Kind::Memory(desk) => f(desk),
            Kind::Durable(durable, _) => durable.execute(f).map_err(Error::from),
        }
    }

    /// `HostDesk::change_once`: a change that runs once (after another instance's change:
    /// `CONCURRENT_CHANGE`, nothing of it committed, the desk caught up).
    pub(crate) fn change_once<T>(
        &mut self,
        f: impl FnOnce(&mut Desk) -> partnerdesk::Result<T>,
    ) -> Result<T, Error> {
        match &mut self.kind {
            Kind::Memory(desk) => f(desk),
            Kind::Durable(durable, _) => durable.execute_once(f).map_err(Error::from),
        }
    }

    /// `HostDesk::refresh`: applies what other instances committed since; how many events
    /// that was (0 in memory). `Desk.follow` polls with it rather than waiting on the store
    /// as `HostDesk::follow` does, which would keep every reader of the `Desk` waiting as long.
    pub(crate) fn refresh(&mut self) -> Result<u64, Error> {
        match &mut self.kind {
            Kind::Memory(_) => Ok(0),
            Kind::Durable(durable, _) => {
                let before = durable.desk().mark().events;
                let after = durable.catch_up()?.events;
                Ok(after.saturating_sub(before))
            }
        }
    }

    /// `HostDesk::checkpoint`: a checkpoint now; how many events the log held at it
    /// (`INVALID_ARGUMENT` in memory: there is no store).
    pub(crate) fn checkpoint(&mut self) -> Result<u64, Error> {
        match &mut self.kind {
            Kind::Memory(_) => Err(partnerdesk_host::invalid(
                "desk",
                "this desk is in memory only; open or create it on a store",
            )),
            Kind::Durable(durable, _) => Ok(durable.checkpoint()?.events),
        }
    }
}

/// The partner of the one desk a store holds (as in bindings/host).
fn the_one_desk(store: &mut Exclusive) -> Result<PartnerId, Error> {
    let mut partners = store.partners()?;
    match (partners.pop(), partners.is_empty()) {
        (Some(only), true) => Ok(only),
        (None, _) => Err(Error::StoreUnavailable {
            reason: "the store holds no desk yet; create one first".to_owned(),
        }),
        (Some(_), false) => Err(partnerdesk_host::invalid(
            "partner",
            &format!(
                "the store holds {} desks; name the partner to open",
                partners.len() + 1
            ),
        )),
    }
}
