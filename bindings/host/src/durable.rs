//! The desk a host holds: in memory, or durable on a store, behind one type.
//!
//! Why here: every host (Python, Node, Kotlin/Swift) offers the same `open(location, partner)`
//! and must commit every change before it answers. Written once, the rule cannot drift: a
//! binding reads through [`HostDesk`]'s `Deref` to the core's [`Desk`] (as fast as without a
//! store) and changes it only through [`HostDesk::change`], which on a durable desk is
//! [`DurableDesk::execute`]: the change and its audit records are committed before it returns,
//! a refusal's audit records too, and a failed commit leaves the desk as it was
//! (`STORE_UNAVAILABLE`, `CONCURRENT_CHANGE` after the retries). There is no `DerefMut`: a
//! binding that tried to change the desk another way would not compile.
//!
//! Locations are [`partnerdesk_store::open_store`]'s: a file path (or `sqlite:` and a path) for
//! the embedded SQLite store, a `postgresql://` URL for a server shared by several instances.
//! A location is never repeated in an error or in `Debug` output (a URL may hold a password).
//!
//! ## A keyed event chain
//!
//! [`StoreOptions::event_key`] seals a durable desk's events with HMAC-SHA256 under the host's
//! secret (see [`partnerdesk::chain`]). The store never holds the key: give the same one to
//! every `open`, `create` and `save_to` of that desk. Opening with no key or with another key
//! is `STORE_CORRUPT` (the message names `EVENT_CHAIN_BROKEN`), never a desk that seals
//! differently: a checkpoint records which key its desk sealed with (a MAC of a fixed message
//! under the key, or `none`; [`Desk::loaded_seal_is`]), and every stored event after it is
//! checked as it is applied. A desk opened with a key is refused the same way when it was
//! stored without one. Checkpoints written before they recorded the key (before this version)
//! are checked through their last stored event instead, which a desk just stored by `create`
//! or `save_to` with at most one event since does not have: store a new checkpoint
//! (`checkpoint()`) to close that gap for such a desk.

use crate::ops::privacy::Secret;
use partnerdesk::chain::EventKey;
use partnerdesk::{Desk, Error, PartnerId};
use partnerdesk_store::{AnyStore, DurableDesk, Policy, Store, open_store};
use std::ops::Deref;
use std::time::Duration;

/// How a durable desk retries a command after another instance's change, how often it
/// stores a checkpoint and which key seals its events. Hosts pass these as optional arguments
/// of `open`, `create` and `save_to`; the defaults are the store's ([`Policy::default`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoreOptions {
    /// How many times a command runs before `CONCURRENT_CHANGE` is returned (1 to
    /// [`StoreOptions::MAX_ATTEMPTS`]; default 8).
    pub max_attempts: Option<u32>,
    /// A checkpoint every this many events (default 10,000; 0: only when asked for, with
    /// `checkpoint()`). It is stored after the change that makes it due, once that change has
    /// released the write lock, under a read lock: other threads' reads go on while it is
    /// written (see [`HostDesk::checkpoint_if_due`]).
    pub checkpoint_every: Option<u64>,
    /// The secret (at least 16 bytes) the desk's events are sealed with, HMAC-SHA256 (see
    /// the [module documentation](self)); shorter is `INVALID_ARGUMENT` on `event_key`.
    /// Default: none, plain SHA-256 links. `Debug` shows its length only.
    pub event_key: Option<Secret>,
}

impl StoreOptions {
    /// The most attempts a command may be given.
    pub const MAX_ATTEMPTS: u32 = 64;

    /// The store's policy for these options (`INVALID_ARGUMENT` on `max_attempts` out of
    /// range, on `event_key` too short).
    fn policy(&self) -> Result<Policy, Error> {
        let mut policy = Policy {
            event_key: self
                .event_key
                .as_ref()
                .map(|k| EventKey::new(&k.0))
                .transpose()?,
            ..Policy::default()
        };
        if let Some(n) = self.max_attempts {
            if !(1..=Self::MAX_ATTEMPTS).contains(&n) {
                return Err(Error::InvalidArgument {
                    field: "max_attempts".to_owned(),
                    reason: format!("expected 1 to {}", Self::MAX_ATTEMPTS),
                });
            }
            policy.max_attempts = n;
        }
        if let Some(every) = self.checkpoint_every {
            policy.checkpoint_every = (every > 0).then_some(every);
        }
        Ok(policy)
    }
}

/// Which store a durable desk is on, without its location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreKind {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL database.
    Postgresql,
}

impl StoreKind {
    /// `sqlite` or `postgresql`.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::Sqlite => "sqlite",
            StoreKind::Postgresql => "postgresql",
        }
    }

    fn of(location: &str) -> StoreKind {
        if location.starts_with("postgresql://") || location.starts_with("postgres://") {
            StoreKind::Postgresql
        } else {
            StoreKind::Sqlite
        }
    }
}

/// A desk as a host holds it: in memory, or durable on a store (see the
/// [module documentation](self)).
///
/// ```
/// use partnerdesk::{demo, Actor, Invocation, OperatorId, Permission};
/// use partnerdesk_host::durable::{HostDesk, StoreOptions};
/// let dir = tempfile::tempdir()?;
/// let location = dir.path().join("desk.db").to_string_lossy().into_owned();
/// let (desk, now) = demo::portfolio(20, 1)?;
/// let partner = desk.partner().id.as_str().to_owned();
/// let mut held = HostDesk::create(&location, desk, StoreOptions::default())?;
/// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
/// let ops = OperatorId::new("ops_billing")?;
/// held.change(|d| d.grant_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
/// drop(held);
///
/// // Reopened: the grant was committed before `change` returned.
/// let reopened = HostDesk::open(&location, Some(&partner), StoreOptions::default())?;
/// assert!(reopened.operator(&ops)?.permissions.contains(&Permission::ViewSpend));
/// assert_eq!(reopened.store_kind().map(|k| k.as_str()), Some("sqlite"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct HostDesk {
    kind: Kind,
}

/// The lock every binding holds its desk behind: `parking_lot`'s, whose `read_recursive`
/// does not queue behind a waiting writer (a host thread that must not wait reads while an
/// export waits for the write lock), whose upgradable read lets an export build its order
/// beside reads and then take the write lock with no change between
/// ([`crate::export::prepare`]), and which is not poisoned (a panic is caught at each
/// binding's entry point; the desk is never left half-changed, as every core change
/// validates before it mutates).
pub type DeskLock = parking_lot::RwLock<HostDesk>;

enum Kind {
    Memory(Box<Desk>),
    Durable(Box<DurableDesk<AnyStore>>, StoreKind),
}

impl std::fmt::Debug for HostDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostDesk")
            .field("store", &self.store_kind())
            .field("desk", &**self)
            .finish()
    }
}

impl From<Desk> for HostDesk {
    fn from(desk: Desk) -> Self {
        HostDesk::new(desk)
    }
}

impl Deref for HostDesk {
    type Target = Desk;

    fn deref(&self) -> &Desk {
        match &self.kind {
            Kind::Memory(desk) => desk,
            Kind::Durable(durable, _) => durable.desk(),
        }
    }
}

impl HostDesk {
    fn of(kind: Kind) -> Self {
        HostDesk { kind }
    }

    /// A desk in memory only (a demo, a snapshot, a new desk): changes are not committed
    /// anywhere.
    pub fn new(desk: Desk) -> Self {
        HostDesk::of(Kind::Memory(Box::new(desk)))
    }

    /// Opens the desk of `partner` stored at `location` (no partner: the one desk the store
    /// holds): its latest checkpoint and the events and audit records after it.
    ///
    /// With [`StoreOptions::event_key`] the stored events are checked against that key, and
    /// the desk seals its next ones with it.
    ///
    /// Errors: `INVALID_ID` (partner), `INVALID_ARGUMENT` (location, options; no partner named
    /// while the store holds several desks), `STORE_UNAVAILABLE` (unreachable, or no such desk
    /// there), `STORE_CORRUPT` (also: events sealed with a key opened without it or with
    /// another, see the [module documentation](self)), `STORE_VERSION_UNSUPPORTED`.
    pub fn open(
        location: &str,
        partner: Option<&str>,
        options: StoreOptions,
    ) -> Result<Self, Error> {
        let partner = partner.map(PartnerId::new).transpose()?;
        let policy = options.policy()?;
        let mut store = open_store(location)?;
        let partner = match partner {
            Some(p) => p,
            None => the_one_desk(&mut store)?,
        };
        let durable = DurableDesk::open_with(store, &partner, beside_reads(policy))?;
        Ok(HostDesk::of(Kind::Durable(
            Box::new(durable),
            StoreKind::of(location),
        )))
    }

    /// Stores `desk` at `location` as a new durable desk (its first checkpoint) and holds it
    /// there. `INVALID_ARGUMENT` on `location` when the store already holds a desk of that
    /// partner (open that one instead: nothing is overwritten); otherwise as
    /// [`HostDesk::open`].
    ///
    /// With [`StoreOptions::event_key`], the desk seals every event from its first checkpoint
    /// on with that key: a desk without a key is given it, a desk that already has one must
    /// have the same. A desk sealed with a key the options do not carry (none, or another) is
    /// refused with `INVALID_ARGUMENT` on `event_key`, before the store is touched.
    pub fn create(location: &str, mut desk: Desk, options: StoreOptions) -> Result<Self, Error> {
        let policy = options.policy()?;
        if !desk.seals_with(policy.event_key.as_ref()) {
            if desk.has_event_key() {
                return Err(other_event_key());
            }
            desk.set_event_key(policy.event_key.clone());
        }
        let mut store = open_store(location)?;
        if store.head(&desk.partner().id)?.is_some() {
            return Err(Error::InvalidArgument {
                field: "location".to_owned(),
                reason: "the store already holds a desk of this partner; open it instead"
                    .to_owned(),
            });
        }
        let durable = DurableDesk::create_with(store, desk, beside_reads(policy))?;
        Ok(HostDesk::of(Kind::Durable(
            Box::new(durable),
            StoreKind::of(location),
        )))
    }

    /// Stores a copy of this desk at `location` as a new durable desk and holds that one from
    /// now on: every later change is committed there. On a desk that is durable already this
    /// copies it to another store (say from a SQLite file to PostgreSQL); the old store is
    /// left as it is. On any error this desk stays as and where it was. Errors as
    /// [`HostDesk::create`].
    pub fn save_to(&mut self, location: &str, options: StoreOptions) -> Result<(), Error> {
        let copy = (**self).clone();
        *self = HostDesk::create(location, copy, options)?;
        Ok(())
    }

    /// Which store holds this desk (`None`: in memory only).
    pub fn store_kind(&self) -> Option<StoreKind> {
        match &self.kind {
            Kind::Memory(_) => None,
            Kind::Durable(_, kind) => Some(*kind),
        }
    }

    /// Runs a change on the desk. On a durable desk what it added (events, audit records,
    /// a refusal's audit records included) is committed before this returns; the closure may
    /// run again after another instance's change (on the desk caught up with it), so it must
    /// do the same each time. A failed commit leaves the desk as it was.
    pub fn change<T>(
        &mut self,
        mut f: impl FnMut(&mut Desk) -> partnerdesk::Result<T>,
    ) -> Result<T, Error> {
        match &mut self.kind {
            Kind::Memory(desk) => f(desk),
            Kind::Durable(durable, _) => durable.execute(f).map_err(Error::from),
        }
    }

    /// [`HostDesk::change`] for a change that can run only once (it consumes what it
    /// records): on a durable desk, after another instance's change it is not run again but
    /// answered with `CONCURRENT_CHANGE`, nothing of it committed, the desk caught up.
    pub fn change_once<T>(
        &mut self,
        f: impl FnOnce(&mut Desk) -> partnerdesk::Result<T>,
    ) -> Result<T, Error> {
        match &mut self.kind {
            Kind::Memory(desk) => f(desk),
            Kind::Durable(durable, _) => durable.execute_once(f).map_err(Error::from),
        }
    }

    /// Applies what other instances committed since this desk last read the store; returns
    /// how many events that was (0 in memory).
    pub fn refresh(&mut self) -> Result<u64, Error> {
        match &mut self.kind {
            Kind::Memory(_) => Ok(0),
            Kind::Durable(durable, _) => {
                let before = durable.desk().mark().events;
                let after = durable.catch_up()?.events;
                Ok(after.saturating_sub(before))
            }
        }
    }

    /// The longest [`HostDesk::follow`] waits in one call (call it again to wait longer).
    pub const MAX_FOLLOW: Duration = Duration::from_secs(3600);

    /// Waits up to `timeout` (at most [`HostDesk::MAX_FOLLOW`], else `INVALID_ARGUMENT` on
    /// `timeout`) for another instance to commit, then applies it; `true` when something new
    /// was applied (in memory: `false` at once).
    pub fn follow(&mut self, timeout: Duration) -> Result<bool, Error> {
        if timeout > Self::MAX_FOLLOW {
            return Err(Error::InvalidArgument {
                field: "timeout".to_owned(),
                reason: "expected at most an hour".to_owned(),
            });
        }
        match &mut self.kind {
            Kind::Memory(_) => Ok(false),
            Kind::Durable(durable, _) => Ok(durable.follow(timeout)?),
        }
    }

    /// Seals this desk's next events with `key` (`None`: plain SHA-256 links), as
    /// [`Desk::set_event_key`]. On a durable desk only the key it already seals with (the one
    /// it was opened or created with, [`StoreOptions::event_key`]) is accepted, as a no-op:
    /// any other key, or `None` on a keyed desk, is `INVALID_ARGUMENT` on `key`, since a key
    /// changed mid-log would make the stored log fail its next open (`STORE_CORRUPT`).
    pub fn set_event_key(&mut self, key: Option<EventKey>) -> Result<(), Error> {
        match &mut self.kind {
            Kind::Memory(desk) => {
                desk.set_event_key(key);
                Ok(())
            }
            Kind::Durable(durable, _) if durable.desk().seals_with(key.as_ref()) => Ok(()),
            Kind::Durable(..) => Err(Error::InvalidArgument {
                field: "key".to_owned(),
                reason: "a durable desk keeps the event key it was opened with (a key changed \
                         mid-log would not open again); give the key to open, create or save_to"
                    .to_owned(),
            }),
        }
    }

    /// Whether a durable desk has committed [`StoreOptions::checkpoint_every`] events since its
    /// latest checkpoint (`false` in memory).
    pub fn checkpoint_due(&self) -> bool {
        match &self.kind {
            Kind::Memory(_) => false,
            Kind::Durable(durable, _) => durable.checkpoint_due(),
        }
    }

    /// Stores the automatic checkpoint if one is due, through a shared reference: hosts call
    /// it under a read lock once a change has released the write lock (see [`Changing`]), so
    /// other threads' reads go on while a large desk is encoded and written; changes wait, as
    /// for any read. Returns how many events the log held at the checkpoint; `None` when none
    /// was due (or in memory), or another thread is storing one.
    pub fn checkpoint_if_due(&self) -> Result<Option<u64>, Error> {
        match &self.kind {
            Kind::Memory(_) => Ok(None),
            Kind::Durable(durable, _) => Ok(durable.checkpoint_if_due_shared()?.map(|m| m.events)),
        }
    }

    /// Stores a checkpoint now (opening reads from there on); returns how many events the log
    /// held at it. In memory: `INVALID_ARGUMENT`, there is no store.
    pub fn checkpoint(&mut self) -> Result<u64, Error> {
        match &mut self.kind {
            Kind::Memory(_) => Err(no_store()),
            Kind::Durable(durable, _) => Ok(durable.checkpoint()?.events),
        }
    }
}

/// The store's policy with the automatic checkpoint taken out of the commands: a host stores
/// it after the change, beside reads ([`HostDesk::checkpoint_if_due`]).
fn beside_reads(policy: Policy) -> Policy {
    Policy {
        checkpoint_in_commands: false,
        ..policy
    }
}

/// A write lock on a host's desk that, once released, stores a due checkpoint: the guard is
/// dropped first (the write lock released), then `then(owner)` runs, which takes a read lock
/// and calls [`HostDesk::checkpoint_if_due`] (or hands that to another thread). Every change a
/// binding makes through its `write()` passes here, so none can forget the checkpoint, and no
/// command holds the write lock while a large desk is encoded.
pub struct Changing<'a, W, C: ?Sized> {
    // Dropped in this order: the lock, then the hook.
    guard: W,
    _then: Then<'a, C>,
}

/// Runs its hook when dropped (after the guard declared before it in [`Changing`]).
struct Then<'a, C: ?Sized>(&'a C, fn(&C));

impl<C: ?Sized> Drop for Then<'_, C> {
    fn drop(&mut self) {
        (self.1)(self.0);
    }
}

impl<'a, W, C: ?Sized> Changing<'a, W, C> {
    /// Holds `guard`; `then(owner)` runs once it is released.
    pub fn new(guard: W, owner: &'a C, then: fn(&C)) -> Self {
        Changing {
            guard,
            _then: Then(owner, then),
        }
    }
}

impl<W: Deref<Target = HostDesk>, C: ?Sized> Deref for Changing<'_, W, C> {
    type Target = HostDesk;

    fn deref(&self) -> &HostDesk {
        &self.guard
    }
}

impl<W: std::ops::DerefMut<Target = HostDesk>, C: ?Sized> std::ops::DerefMut
    for Changing<'_, W, C>
{
    fn deref_mut(&mut self) -> &mut HostDesk {
        &mut self.guard
    }
}

/// The hook of [`Changing`] for a desk behind a [`DeskLock`] (Node's worker threads,
/// Kotlin/Swift, the export phases): a due checkpoint stored under a read lock, on this
/// thread. The change is committed already, so a failed checkpoint fails nothing; the next
/// change tries again.
pub fn checkpoint_after_change(lock: &DeskLock) {
    let _ = lock.read().checkpoint_if_due();
}

/// The partner of the one desk a store holds.
fn the_one_desk(store: &mut dyn Store) -> Result<PartnerId, Error> {
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

/// `INVALID_ARGUMENT` on `event_key`: a desk sealed with a key the store options do not carry.
fn other_event_key() -> Error {
    Error::InvalidArgument {
        field: "event_key".to_owned(),
        reason: "the desk seals its events with a key the options do not carry; pass the same \
                 key as event_key"
            .to_owned(),
    }
}

fn no_store() -> Error {
    Error::InvalidArgument {
        field: "desk".to_owned(),
        reason: "this desk is in memory only; open or create it on a store".to_owned(),
    }
}
