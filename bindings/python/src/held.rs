//! The desk a Python `Desk` holds: in memory, or durable on a store.
//!
//! Why not `partnerdesk_host::HostDesk` itself: a Python `Desk` is shared by Python threads
//! (a frozen class must be `Sync`) and its reads run in parallel under an `RwLock`, so what the
//! lock holds must be `Sync`. `HostDesk` holds a `Box<dyn Store>`, which is only `Send` (a
//! SQLite connection must not be used by two threads at once). [`Exclusive`] wraps the store
//! so that it is reachable only through `&mut` (a `Mutex` that is never locked, read through
//! `get_mut`), which makes it `Sync` without `unsafe` and costs nothing. The rest follows
//! `HostDesk` (bindings/host/src/durable.rs) method for method: the same options, codes and
//! commit rule (a change on a durable desk is committed before it returns, a refusal's audit
//! records too). When `HostDesk` is `Sync`, this module can go and `desk.rs` hold `HostDesk`.

use partnerdesk::{Desk, Error, PartnerId};
use partnerdesk_host::{StoreKind, StoreOptions};
use partnerdesk_store::{Batch, Checkpoint, DurableDesk, Policy, Store, open_store};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDelta, PyString};
use std::ops::Deref;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// A store reachable only through `&mut`, hence `Sync` (see the module documentation).
pub(crate) struct Exclusive(Mutex<Box<dyn Store>>);

impl Exclusive {
    fn store(&mut self) -> &mut Box<dyn Store> {
        // The mutex is never locked (only `get_mut` reaches it), so it cannot be poisoned.
        self.0.get_mut().unwrap_or_else(PoisonError::into_inner)
    }
}

type StoreResult<T> = partnerdesk_store::Result<T>;

impl Store for Exclusive {
    fn create_desk(&mut self, partner: &PartnerId, first: &Checkpoint) -> StoreResult<bool> {
        self.store().create_desk(partner, first)
    }

    fn head(&mut self, partner: &PartnerId) -> StoreResult<Option<partnerdesk::Mark>> {
        self.store().head(partner)
    }

    fn partners(&mut self) -> StoreResult<Vec<PartnerId>> {
        self.store().partners()
    }

    fn append(
        &mut self,
        partner: &PartnerId,
        expected: partnerdesk::Mark,
        batch: Batch<'_>,
    ) -> StoreResult<()> {
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
        known: partnerdesk::Mark,
        timeout: Duration,
    ) -> StoreResult<bool> {
        self.store().wait_for_change(partner, known, timeout)
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

impl Deref for HeldDesk {
    type Target = Desk;

    fn deref(&self) -> &Desk {
        match &self.kind {
            Kind::Memory(desk) => desk,
            Kind::Durable(durable, _) => durable.desk(),
        }
    }
}

/// The store's policy for `options` (`INVALID_ARGUMENT` on `max_attempts` out of range), as
/// `StoreOptions::policy` in bindings/host.
fn policy(options: StoreOptions) -> Result<Policy, Error> {
    let mut policy = Policy::default();
    if let Some(n) = options.max_attempts {
        if !(1..=StoreOptions::MAX_ATTEMPTS).contains(&n) {
            return Err(Error::InvalidArgument {
                field: "max_attempts".to_owned(),
                reason: format!("expected 1 to {}", StoreOptions::MAX_ATTEMPTS),
            });
        }
        policy.max_attempts = n;
    }
    if let Some(every) = options.checkpoint_every {
        policy.checkpoint_every = (every > 0).then_some(every);
    }
    Ok(policy)
}

fn kind_of(location: &str) -> StoreKind {
    if location.starts_with("postgresql://") || location.starts_with("postgres://") {
        StoreKind::Postgresql
    } else {
        StoreKind::Sqlite
    }
}

fn store_at(location: &str) -> Result<Exclusive, Error> {
    Ok(Exclusive(Mutex::new(open_store(location)?)))
}

/// `e` without `location` in its text. The host's rule is that a location is never repeated
/// in an error (a path may name a person, a URL may hold a password), but SQLite's "unable to
/// open database file" message quotes the path; until the store drops it, the binding does.
fn without_location(e: Error, location: &str) -> Error {
    // The location as given, and the path `open_store` takes from a `sqlite:` one.
    let path = location.strip_prefix("sqlite:").unwrap_or(location);
    let scrub = |text: String| {
        if path.trim().is_empty() {
            text
        } else {
            text.replace(location, "<location>")
                .replace(path, "<location>")
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

impl HeldDesk {
    /// A desk in memory only.
    pub(crate) fn new(desk: Desk) -> Self {
        HeldDesk {
            kind: Kind::Memory(Box::new(desk)),
        }
    }

    /// `HostDesk::open`: the desk of `partner` at `location` (no partner: the one desk there).
    pub(crate) fn open(
        location: &str,
        partner: Option<&str>,
        options: StoreOptions,
    ) -> Result<Self, Error> {
        Self::open_at(location, partner, options).map_err(|e| without_location(e, location))
    }

    fn open_at(
        location: &str,
        partner: Option<&str>,
        options: StoreOptions,
    ) -> Result<Self, Error> {
        let partner = partner.map(PartnerId::new).transpose()?;
        let policy = policy(options)?;
        let mut store = store_at(location)?;
        let partner = match partner {
            Some(p) => p,
            None => the_one_desk(&mut store)?,
        };
        let durable = DurableDesk::open_with(store, &partner, policy)?;
        Ok(HeldDesk {
            kind: Kind::Durable(Box::new(durable), kind_of(location)),
        })
    }

    /// `HostDesk::create`: `desk` stored at `location` as a new durable desk (never over one
    /// of the same partner: `INVALID_ARGUMENT`).
    pub(crate) fn create(location: &str, desk: Desk, options: StoreOptions) -> Result<Self, Error> {
        Self::create_at(location, desk, options).map_err(|e| without_location(e, location))
    }

    fn create_at(location: &str, desk: Desk, options: StoreOptions) -> Result<Self, Error> {
        let policy = policy(options)?;
        let mut store = store_at(location)?;
        if store.head(&desk.partner().id)?.is_some() {
            return Err(Error::InvalidArgument {
                field: "location".to_owned(),
                reason: "the store already holds a desk of this partner; open it instead"
                    .to_owned(),
            });
        }
        let durable = DurableDesk::create_with(store, desk, policy)?;
        Ok(HeldDesk {
            kind: Kind::Durable(Box::new(durable), kind_of(location)),
        })
    }

    /// `HostDesk::save_to`: a copy of this desk stored at `location`, held from now on; on an
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

    /// `HostDesk::change`: on a durable desk, committed before it returns; the closure may run
    /// again after another instance's change.
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
    /// `CONCURRENT_CHANGE`, nothing committed, the desk caught up).
    pub(crate) fn change_once<T>(
        &mut self,
        f: impl FnOnce(&mut Desk) -> partnerdesk::Result<T>,
    ) -> Result<T, Error> {
        match &mut self.kind {
            Kind::Memory(desk) => f(desk),
            Kind::Durable(durable, _) => durable.execute_once(f).map_err(Error::from),
        }
    }

    /// `HostDesk::refresh`: applies other instances' commits; how many events (0 in memory).
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

    /// `HostDesk::follow`: waits up to `timeout` for another instance's commit, applies it.
    pub(crate) fn follow(&mut self, timeout: Duration) -> Result<bool, Error> {
        match &mut self.kind {
            Kind::Memory(_) => Ok(false),
            Kind::Durable(durable, _) => Ok(durable.follow(timeout)?),
        }
    }

    /// `HostDesk::checkpoint`: a checkpoint now; the events it holds (`INVALID_ARGUMENT` in
    /// memory).
    pub(crate) fn checkpoint(&mut self) -> Result<u64, Error> {
        match &mut self.kind {
            Kind::Memory(_) => Err(Error::InvalidArgument {
                field: "desk".to_owned(),
                reason: "this desk is in memory only; open or create it on a store".to_owned(),
            }),
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
        (Some(_), false) => Err(Error::InvalidArgument {
            field: "partner".to_owned(),
            reason: format!(
                "the store holds {} desks; name the partner to open",
                partners.len() + 1
            ),
        }),
    }
}

/// How long `follow` holds the desk's write lock at a time while it waits.
pub(crate) const FOLLOW_SLICE: Duration = Duration::from_millis(50);

/// The longest `follow` waits in one call (call it again to wait longer).
const MAX_FOLLOW: Duration = Duration::from_secs(3600);

fn invalid(py: Python<'_>, field: &str, reason: &str) -> PyErr {
    crate::errors::to_py(
        py,
        Error::InvalidArgument {
            field: field.to_owned(),
            reason: reason.to_owned(),
        },
    )
}

/// A store location: a `str` (a path or a `postgresql://` URL) or an `os.PathLike`.
pub(crate) fn location_arg(py: Python<'_>, location: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = location.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    let path: std::path::PathBuf = location.extract().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(
            "location: expected a path (str or os.PathLike) or a postgresql:// URL",
        )
    })?;
    path.into_os_string()
        .into_string()
        .map_err(|_| invalid(py, "location", "expected a UTF-8 path"))
}

/// `open`'s and `save_to`'s options; out of range: `InvalidArgumentError`.
pub(crate) fn options_arg(
    py: Python<'_>,
    max_attempts: Option<i64>,
    checkpoint_every: Option<i64>,
) -> PyResult<StoreOptions> {
    let range = format!("expected 1 to {}", StoreOptions::MAX_ATTEMPTS);
    let max_attempts = max_attempts
        .map(|n| u32::try_from(n).map_err(|_| invalid(py, "max_attempts", &range)))
        .transpose()?;
    let checkpoint_every = checkpoint_every
        .map(|n| {
            u64::try_from(n).map_err(|_| invalid(py, "checkpoint_every", "expected 0 or more"))
        })
        .transpose()?;
    Ok(StoreOptions {
        max_attempts,
        checkpoint_every,
    })
}

/// `follow`'s timeout: a `datetime.timedelta` or seconds (`int` or `float`), 0 to an hour.
pub(crate) fn timeout_arg(py: Python<'_>, timeout: &Bound<'_, PyAny>) -> PyResult<Duration> {
    let seconds: f64 = if timeout.is_instance_of::<PyDelta>() {
        timeout.call_method0("total_seconds")?.extract()?
    } else if timeout.is_instance_of::<PyBool>() {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "timeout: expected a datetime.timedelta or seconds",
        ));
    } else {
        timeout.extract().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(
                "timeout: expected a datetime.timedelta or seconds",
            )
        })?
    };
    let reason = "expected 0 to 3600 seconds";
    if !seconds.is_finite() || seconds < 0.0 || seconds > MAX_FOLLOW.as_secs_f64() {
        return Err(invalid(py, "timeout", reason));
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| invalid(py, "timeout", reason))
}

/// `INVALID_ARGUMENT` on `key`: an event key on a durable desk. `open` (like
/// `partnerdesk_host::HostDesk::open`) reads a store's events without a key, so events sealed
/// with one would make the store fail to open (`STORE_CORRUPT`, `EVENT_CHAIN_BROKEN`).
pub(crate) fn no_event_key() -> Error {
    Error::InvalidArgument {
        field: "key".to_owned(),
        reason: "a durable desk's events are not sealed with a key (open reads them without one)"
            .to_owned(),
    }
}
