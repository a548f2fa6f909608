//! A desk whose every change is committed to a [`Store`] before the call that made it
//! returns.
//!
//! Why a wrapper and not a desk that writes: the core stays free of I/O. [`DurableDesk`]
//! takes the desk's [`Mark`] before a command, runs it on the in-memory desk, and appends what
//! the command added (its events and its audit records, refused attempts included) to the
//! store as one batch at that mark. Reads go straight to the in-memory desk
//! ([`DurableDesk::desk`]), as fast as without a store.
//!
//! ## When the append fails
//!
//! - `CONCURRENT_CHANGE` (another instance appended first): the desk is brought back to the
//!   store's state (see below), and the command runs again on it, up to
//!   [`Policy::max_attempts`] times with a short growing pause. Rules that look at the history
//!   (the 3-disassociations-in-3-months quota, idempotency keys) see the other instance's
//!   commands then, so they hold across instances.
//! - `STORE_UNAVAILABLE` (or any other store error): the command is not committed; the desk is
//!   brought back to the store's state and the error returned.
//!
//! "Brought back" is the core's savepoint ([`Desk::savepoint`], opened before every command
//! and rolled back when its append fails): it costs what the command touched, not the desk.
//! After a concurrent change the desk then catches up with the store and runs the command
//! again. Should a rollback be refused (it cannot be for the savepoint the durable desk holds),
//! the desk is reloaded from the store instead (latest checkpoint plus the
//! tail); if that fails too (the store is gone), the desk answers every command and catch-up
//! with `STORE_UNAVAILABLE` until [`DurableDesk::reopen`] succeeds; reads still answer from
//! the last committed state.
//!
//! ## Group commit
//!
//! [`DurableDesk::execute_batch`] runs several commands and appends all they added in one
//! transaction: one `fsync` for all of them. Each command is acknowledged (its outcome
//! returned) only after that transaction commits; if it fails, none is. A refused command in
//! a batch does not stop the others; its audit records are committed with the batch.
//!
//! ## Async services
//!
//! Every method blocks on the store. A tokio service keeps the durable desk in an
//! `Arc<std::sync::Mutex<DurableDesk<S>>>` and calls it inside `tokio::task::spawn_blocking`:
//! the executor's threads never wait on a disk or a lock (the test
//! `tests/durable.rs::a_current_thread_runtime_keeps_running_while_commands_commit` shows a
//! second task progressing while commands commit).
//!
//! ## Data changes
//!
//! Every change a desk makes is an event, data included: a customer inserted, upserted,
//! updated or removed (a Huawei import page is one event), spend recorded, an operator added,
//! a month roll, an export job, a mask policy of rows or exports set. Run them through
//! [`DurableDesk::execute`] like commands, e.g.
//! `durable.execute(|d| d.upsert_customers(page.clone()))`, and they are committed before the
//! call returns. What a desk held before [`DurableDesk::create`] (a demo desk, a snapshot) is
//! in its first checkpoint.

use crate::error::{Result, StoreError};
use crate::open::AnyStore;
use crate::store::{Batch, Checkpoint, Store};
use partnerdesk::{Desk, Mark, PartnerId};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

mod load;
use load::{catch_up, load};

/// How a [`DurableDesk`] retries and checkpoints.
#[derive(Debug, Clone)]
pub struct Policy {
    /// How many times a command runs at most when other instances keep appending first
    /// (then `CONCURRENT_CHANGE`). At least 1.
    pub max_attempts: u32,
    /// The pause before the second attempt; it doubles for each further one. Each pause is
    /// drawn between half and one and a half times that (jitter), so that instances that
    /// collided do not retry in step.
    pub backoff: Duration,
    /// A checkpoint is due after this many events since the last one (`None`: only on
    /// demand).
    pub checkpoint_every: Option<u64>,
    /// Whether the command that makes a checkpoint due stores it before it returns (the
    /// default). Encoding a large desk takes seconds, during which `&mut self` stops every
    /// read; an owner that keeps the desk behind a `RwLock` sets this to `false` and calls
    /// [`DurableDesk::checkpoint_if_due_shared`] under a read lock after each change, so
    /// that reads go on while the checkpoint is written (the hosts do).
    pub checkpoint_in_commands: bool,
    /// How many events or audit records are read from the store at a time when opening or
    /// catching up.
    pub page: usize,
    /// The key the desk's events are sealed with ([`Desk::set_event_key`]), set again on
    /// every desk loaded from the store (a checkpoint never holds it). `None`: plain SHA-256
    /// links.
    pub event_key: Option<partnerdesk::chain::EventKey>,
}

impl Default for Policy {
    /// 8 attempts from 2 ms, a checkpoint every 10,000 events, pages of 10,000.
    fn default() -> Self {
        Policy {
            max_attempts: 8,
            backoff: Duration::from_millis(2),
            checkpoint_every: Some(10_000),
            checkpoint_in_commands: true,
            page: 10_000,
            event_key: None,
        }
    }
}

/// A desk kept in a [`Store`] (see the [module documentation](self)).
pub struct DurableDesk<S: Store> {
    store: S,
    desk: Desk,
    partner: PartnerId,
    policy: Policy,
    /// How many events the log held at the latest checkpoint this instance stored or opened
    /// from (atomic: a checkpoint may be stored through `&self`).
    checkpointed_at: AtomicU64,
    /// Set when a failed command could be rolled back neither by its savepoint nor by a
    /// reload.
    lost: bool,
}

impl<S: Store> std::fmt::Debug for DurableDesk<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DurableDesk")
            .field("partner", &self.partner)
            .field("mark", &self.desk.mark())
            .field("lost", &self.lost)
            .finish()
    }
}

/// `STORE_CORRUPT` for a stored history the core refuses (a checkpoint that does not load, an
/// event that does not apply).
fn corrupt_history(what: &str, e: partnerdesk::Error) -> StoreError {
    match e {
        // A checkpoint from a newer library: say so rather than "corrupt".
        partnerdesk::Error::UnsupportedSnapshotVersion { .. } => StoreError::Desk(e),
        e => StoreError::Corrupt {
            what: format!("{what}: {} ({e})", e.code()),
        },
    }
}

/// A pause between half and one and a half times `pause`, drawn anew each time: instances
/// that collided once do not retry in step and collide again. The randomness is the standard
/// library's per-process random hashing keys over the clock and the thread.
fn jittered(pause: Duration) -> Duration {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    std::thread::current().id().hash(&mut h);
    // Half of `pause`, plus 0 to 1023 1024ths of it.
    let spread = u32::try_from(h.finish() % 1024).unwrap_or(0);
    (pause / 2).saturating_add(pause.saturating_mul(spread) / 1024)
}

fn lost_store() -> StoreError {
    StoreError::Unavailable {
        reason: "the desk could not be reloaded after a failed append; reopen it".to_owned(),
    }
}

impl<S: Store> DurableDesk<S> {
    /// Stores `desk` as its partner's desk (its first checkpoint) and keeps it. If the store
    /// already holds a desk for that partner (another instance created it first), that one is
    /// opened instead and `desk` is dropped: instances racing to create end on one desk.
    pub fn create(store: S, desk: Desk) -> Result<Self> {
        DurableDesk::create_with(store, desk, Policy::default())
    }

    /// [`DurableDesk::create`] with a [`Policy`].
    ///
    /// With [`Policy::event_key`], the desk seals its events with that key from its first
    /// checkpoint on: a desk without a key is given it; a desk that seals with another key
    /// (or with one when the policy has none) is refused with `INVALID_ARGUMENT` on
    /// `event_key`, before the store is touched.
    pub fn create_with(mut store: S, mut desk: Desk, policy: Policy) -> Result<Self> {
        if !desk.seals_with(policy.event_key.as_ref()) {
            if desk.has_event_key() {
                return Err(StoreError::Desk(partnerdesk::Error::InvalidArgument {
                    field: "event_key".to_owned(),
                    reason: "the desk seals its events with a key the policy does not carry"
                        .to_owned(),
                }));
            }
            desk.set_event_key(policy.event_key.clone());
        }
        let partner = desk.partner().id.clone();
        let first = Checkpoint {
            mark: desk.mark(),
            bytes: desk.to_checkpoint()?,
        };
        if store.create_desk(&partner, &first)? {
            Ok(DurableDesk {
                store,
                desk,
                partner,
                policy,
                checkpointed_at: AtomicU64::new(first.mark.events),
                lost: false,
            })
        } else {
            DurableDesk::open_with(store, &partner, policy)
        }
    }

    /// Opens the partner's desk: its latest checkpoint, then the events and audit records
    /// after it. `STORE_UNAVAILABLE` when there is no such desk or the store cannot be read;
    /// `STORE_CORRUPT` when what is stored does not load (never a wrong desk).
    pub fn open(store: S, partner: &PartnerId) -> Result<Self> {
        DurableDesk::open_with(store, partner, Policy::default())
    }

    /// [`DurableDesk::open`] with a [`Policy`].
    pub fn open_with(mut store: S, partner: &PartnerId, policy: Policy) -> Result<Self> {
        let (desk, since) = load(&mut store, partner, &policy)?;
        let checkpointed_at = AtomicU64::new(desk.mark().events.saturating_sub(since));
        Ok(DurableDesk {
            store,
            desk,
            partner: partner.clone(),
            policy,
            checkpointed_at,
            lost: false,
        })
    }

    /// The desk, for reads (searches, exports, lookups): the state of everything committed
    /// by this instance and caught up from others.
    pub fn desk(&self) -> &Desk {
        &self.desk
    }

    /// The partner whose desk this is.
    pub fn partner(&self) -> &PartnerId {
        &self.partner
    }

    /// The store.
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Runs a command on the desk and commits what it added before returning (see the
    /// [module documentation](self)). The closure may run more than once (after a concurrent
    /// change, on the desk caught up with the other instance's commands): it must do the
    /// same thing each time, with the same `now` and idempotency key.
    ///
    /// A command the desk refuses returns its error as [`StoreError::Desk`], after its audit
    /// records are committed.
    ///
    /// ```
    /// use partnerdesk::{demo, Actor, Invocation, OperatorId, Permission};
    /// use partnerdesk_store::{DurableDesk, sqlite::SqliteStore};
    /// let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    /// let (desk, now) = demo::portfolio(20, 1)?;
    /// let mut durable = DurableDesk::create(SqliteStore::open(dir.path().join("d.db"))?, desk)?;
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// let ops = OperatorId::new("ops_billing")?;
    /// durable.execute(|d| d.grant_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
    /// // Refused: the audit record is committed, the core's error returned.
    /// let am = Invocation::new(Actor::Operator(OperatorId::new("am_000")?), now);
    /// let err = durable.execute(|d| d.grant_permissions(&am, &ops, &[Permission::ViewSpend]));
    /// assert_eq!(err.err().map(|e| e.code()), Some("ADMINISTRATOR_ONLY"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn execute<T>(
        &mut self,
        mut command: impl FnMut(&mut Desk) -> partnerdesk::Result<T>,
    ) -> Result<T> {
        let mut outs = self.run_batch(1, |desk, _| command(desk))?;
        match outs.pop() {
            Some(out) => out.map_err(StoreError::Desk),
            None => Err(StoreError::Unavailable {
                reason: "the command did not run".to_owned(),
            }),
        }
    }

    /// Group commit: runs `run` for each of `commands`, in order, and commits everything they
    /// added in one transaction; returns each command's outcome (a refusal included) once that
    /// transaction has committed. A store failure fails the whole batch: none of its commands
    /// is committed, and the desk is as before it. Like [`DurableDesk::execute`], the batch
    /// may run again after a concurrent change.
    ///
    /// ```
    /// use partnerdesk::{demo, Actor, Invocation, OperatorId, Permission};
    /// use partnerdesk_store::{DurableDesk, sqlite::SqliteStore};
    /// let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    /// let (desk, now) = demo::portfolio(20, 1)?;
    /// let mut durable = DurableDesk::create(SqliteStore::open(dir.path().join("d.db"))?, desk)?;
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// let am = Invocation::new(Actor::Operator(OperatorId::new("am_000")?), now);
    /// let ops = OperatorId::new("ops_billing")?;
    /// let outcomes = durable.execute_batch(&[&admin, &am], |d, who| {
    ///     d.grant_permissions(who, &ops, &[Permission::ViewSpend])
    /// })?;
    /// assert!(outcomes[0].is_ok());
    /// assert_eq!(outcomes[1].as_ref().err().map(|e| e.code()), Some("ADMINISTRATOR_ONLY"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn execute_batch<C, T>(
        &mut self,
        commands: &[C],
        mut run: impl FnMut(&mut Desk, &C) -> partnerdesk::Result<T>,
    ) -> Result<Vec<partnerdesk::Result<T>>> {
        // `run_batch` calls with indexes below `commands.len()` only.
        self.run_batch(commands.len(), |desk, i| run(desk, &commands[i]))
    }

    /// [`DurableDesk::execute`] for a command that can run only once (it consumes what it
    /// records, e.g. a prepared export): after another instance's change it is not run again;
    /// the desk catches up and `CONCURRENT_CHANGE` is returned, nothing of it committed.
    pub fn execute_once<T>(
        &mut self,
        command: impl FnOnce(&mut Desk) -> partnerdesk::Result<T>,
    ) -> Result<T> {
        let mut command = Some(command);
        let mut outs = self.run_batch_attempts(1, 1, |desk, _| match command.take() {
            Some(run) => run(desk),
            // `run_batch_attempts` with one attempt and one command calls this once.
            None => Err(partnerdesk::Error::Internal {
                operation: "execute_once".to_owned(),
            }),
        })?;
        match outs.pop() {
            Some(out) => out.map_err(StoreError::Desk),
            None => Err(StoreError::Unavailable {
                reason: "the command did not run".to_owned(),
            }),
        }
    }

    fn run_batch<T>(
        &mut self,
        n: usize,
        run: impl FnMut(&mut Desk, usize) -> partnerdesk::Result<T>,
    ) -> Result<Vec<partnerdesk::Result<T>>> {
        self.run_batch_attempts(self.policy.max_attempts, n, run)
    }

    fn run_batch_attempts<T>(
        &mut self,
        attempts: u32,
        n: usize,
        mut run: impl FnMut(&mut Desk, usize) -> partnerdesk::Result<T>,
    ) -> Result<Vec<partnerdesk::Result<T>>> {
        let attempts = attempts.max(1);
        let mut pause = self.policy.backoff;
        let mut attempt = 1;
        loop {
            if self.lost {
                return Err(lost_store());
            }
            let before = self.desk.mark();
            let savepoint = self.desk.savepoint();
            let outs: Vec<partnerdesk::Result<T>> =
                (0..n).map(|i| run(&mut self.desk, i)).collect();
            let events = self.desk.events_since(before.events);
            let audit = self.desk.audit_since(before.audit);
            if events.is_empty() && audit.is_empty() {
                self.desk.release(savepoint);
                return Ok(outs);
            }
            match self
                .store
                .append(&self.partner, before, Batch { events, audit })
            {
                Ok(()) => {
                    self.desk.release(savepoint);
                    self.checkpoint_if_due();
                    return Ok(outs);
                }
                Err(StoreError::ConcurrentChange { expected, found }) => {
                    self.roll_back(savepoint)?;
                    if attempt >= attempts {
                        // Leave the desk where the store is, so that a retry by the caller
                        // sees the other instance's change.
                        let _ = self.catch_up();
                        return Err(StoreError::ConcurrentChange { expected, found });
                    }
                    std::thread::sleep(jittered(pause));
                    pause = pause.saturating_mul(2);
                    attempt += 1;
                    // Catch up with what the other instance committed, then run again. (A
                    // catch-up that fails part-way leaves the desk at a committed state.)
                    self.catch_up()?;
                }
                Err(e) => {
                    self.roll_back(savepoint)?;
                    return Err(e);
                }
            }
        }
    }

    /// Undoes a command whose append failed: the core's savepoint, or (should that refuse)
    /// a reload from the store.
    fn roll_back(&mut self, savepoint: partnerdesk::Savepoint) -> Result<()> {
        if self.desk.rollback(savepoint).is_err() {
            self.reload()?;
        }
        Ok(())
    }

    /// Brings the in-memory desk back to the store's state after a failed append (a reload);
    /// when that fails too, the desk is marked lost until [`DurableDesk::reopen`].
    fn reload(&mut self) -> Result<()> {
        match load(&mut self.store, &self.partner, &self.policy) {
            Ok((desk, since)) => {
                self.set_checkpointed(&desk, since);
                self.desk = desk;
                Ok(())
            }
            Err(_) => {
                self.lost = true;
                Err(lost_store())
            }
        }
    }

    /// Loads the desk again from the store (after `STORE_UNAVAILABLE` left it lost, or to
    /// drop any doubt about the in-memory state).
    pub fn reopen(&mut self) -> Result<()> {
        let (desk, since) = load(&mut self.store, &self.partner, &self.policy)?;
        self.set_checkpointed(&desk, since);
        self.desk = desk;
        self.lost = false;
        Ok(())
    }

    /// Applies what other instances committed since this desk's mark; returns the new mark.
    pub fn catch_up(&mut self) -> Result<Mark> {
        if self.lost {
            return Err(lost_store());
        }
        catch_up(
            &mut self.store,
            &self.partner,
            &mut self.desk,
            self.policy.page,
        )?;
        Ok(self.desk.mark())
    }

    /// Waits up to `timeout` for another instance to commit, then catches up; `true` when
    /// something new was applied.
    pub fn follow(&mut self, timeout: Duration) -> Result<bool> {
        if self.lost {
            return Err(lost_store());
        }
        let known = self.desk.mark();
        if self.store.wait_for_change(&self.partner, known, timeout)? {
            Ok(self.catch_up()? != known)
        } else {
            Ok(false)
        }
    }

    /// Stores a checkpoint of the desk now (opening then reads from here on).
    pub fn checkpoint(&mut self) -> Result<Mark> {
        let cp = self.encode_checkpoint()?;
        self.store.put_checkpoint(&self.partner, &cp)?;
        self.checkpointed_at
            .fetch_max(cp.mark.events, Ordering::Relaxed);
        Ok(cp.mark)
    }

    /// How many events were committed (or caught up) since the latest checkpoint this
    /// instance stored or opened from.
    pub fn events_since_checkpoint(&self) -> u64 {
        self.desk
            .mark()
            .events
            .saturating_sub(self.checkpointed_at.load(Ordering::Relaxed))
    }

    /// Whether [`Policy::checkpoint_every`] events have been committed since the latest
    /// checkpoint.
    pub fn checkpoint_due(&self) -> bool {
        self.policy
            .checkpoint_every
            .is_some_and(|n| self.events_since_checkpoint() >= n)
    }

    /// The desk as it is, as a checkpoint. Between commands the desk is what the log holds at
    /// its mark, so the checkpoint stays right for that mark whatever is appended later.
    fn encode_checkpoint(&self) -> Result<Checkpoint> {
        if self.lost {
            return Err(lost_store());
        }
        Ok(Checkpoint {
            mark: self.desk.mark(),
            bytes: self.desk.to_checkpoint()?,
        })
    }

    /// Records the checkpoint a load started from: `since` events before the desk's mark.
    fn set_checkpointed(&self, desk: &Desk, since: u64) {
        self.checkpointed_at
            .store(desk.mark().events.saturating_sub(since), Ordering::Relaxed);
    }

    /// The automatic checkpoint inside a command ([`Policy::checkpoint_in_commands`]). Its
    /// failure fails no command (the command is committed; the log is the truth): the next
    /// command tries again.
    fn checkpoint_if_due(&mut self) {
        if self.policy.checkpoint_in_commands && self.checkpoint_due() {
            let _ = self.checkpoint();
        }
    }

    /// Gives the store back (dropping the in-memory desk).
    pub fn into_store(self) -> S {
        self.store
    }
}

impl DurableDesk<AnyStore> {
    /// Stores a checkpoint if one is due ([`DurableDesk::checkpoint_due`]), through a shared
    /// reference: an owner that keeps the desk behind a `RwLock` calls this under a read
    /// lock after a change, and other threads' reads go on while the desk is encoded and
    /// written (changes wait for the read lock, as for any read). Returns the checkpoint's
    /// mark; `None` when none was due or another thread is storing one now.
    ///
    /// ```
    /// use partnerdesk::{demo, Actor, Invocation, OperatorId, Permission};
    /// use partnerdesk_store::{DurableDesk, Policy, open_store};
    /// use std::sync::RwLock;
    /// let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    /// let store = open_store(&dir.path().join("d.db").to_string_lossy())?;
    /// let (desk, now) = demo::portfolio(20, 1)?;
    /// let policy = Policy { checkpoint_every: Some(1), checkpoint_in_commands: false, ..Policy::default() };
    /// let shared = RwLock::new(DurableDesk::create_with(store, desk, policy)?);
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// let ops = OperatorId::new("ops_billing")?;
    /// let mut writing = shared.write().map_err(|e| e.to_string())?;
    /// writing.execute(|d| d.grant_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
    /// assert!(writing.checkpoint_due()); // the command did not store it
    /// drop(writing);
    /// let reading = shared.read().map_err(|e| e.to_string())?;
    /// let mark = reading.checkpoint_if_due_shared()?;
    /// assert_eq!(mark.map(|m| m.events), Some(reading.desk().mark().events));
    /// assert!(!reading.checkpoint_due());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn checkpoint_if_due_shared(&self) -> Result<Option<Mark>> {
        if !self.checkpoint_due() {
            return Ok(None);
        }
        let Some(mut store) = self.store.try_shared() else {
            return Ok(None);
        };
        let cp = self.encode_checkpoint()?;
        store.put_checkpoint(&self.partner, &cp)?;
        self.checkpointed_at
            .fetch_max(cp.mark.events, Ordering::Relaxed);
        Ok(Some(cp.mark))
    }
}

#[cfg(test)]
mod tests {
    use super::jittered;
    use std::time::Duration;

    /// A store that lets another instance commit a command right after the first read of
    /// events (between a catch-up's events and its audit records).
    struct CommitsBetweenReads<F: FnMut()> {
        inner: crate::sqlite::SqliteStore,
        commit: Option<F>,
    }

    impl<F: FnMut() + Send> crate::Store for CommitsBetweenReads<F> {
        fn create_desk(
            &mut self,
            partner: &partnerdesk::PartnerId,
            first: &crate::Checkpoint,
        ) -> crate::Result<bool> {
            self.inner.create_desk(partner, first)
        }
        fn head(
            &mut self,
            partner: &partnerdesk::PartnerId,
        ) -> crate::Result<Option<partnerdesk::Mark>> {
            self.inner.head(partner)
        }
        fn partners(&mut self) -> crate::Result<Vec<partnerdesk::PartnerId>> {
            self.inner.partners()
        }
        fn append(
            &mut self,
            partner: &partnerdesk::PartnerId,
            expected: partnerdesk::Mark,
            batch: crate::store::Batch<'_>,
        ) -> crate::Result<()> {
            self.inner.append(partner, expected, batch)
        }
        fn latest_checkpoint(
            &mut self,
            partner: &partnerdesk::PartnerId,
        ) -> crate::Result<Option<crate::Checkpoint>> {
            self.inner.latest_checkpoint(partner)
        }
        fn put_checkpoint(
            &mut self,
            partner: &partnerdesk::PartnerId,
            checkpoint: &crate::Checkpoint,
        ) -> crate::Result<()> {
            self.inner.put_checkpoint(partner, checkpoint)
        }
        fn events_after(
            &mut self,
            partner: &partnerdesk::PartnerId,
            after: u64,
            limit: usize,
        ) -> crate::Result<Vec<partnerdesk::event::Event>> {
            let events = self.inner.events_after(partner, after, limit);
            if let Some(mut commit) = self.commit.take() {
                commit();
            }
            events
        }
        fn audit_after(
            &mut self,
            partner: &partnerdesk::PartnerId,
            after: u64,
            limit: usize,
        ) -> crate::Result<Vec<partnerdesk::audit::AuditRecord>> {
            self.inner.audit_after(partner, after, limit)
        }
        fn wait_for_change(
            &mut self,
            partner: &partnerdesk::PartnerId,
            known: partnerdesk::Mark,
            timeout: Duration,
        ) -> crate::Result<bool> {
            self.inner.wait_for_change(partner, known, timeout)
        }
    }

    /// A command another instance commits while a catch-up reads (after its events, before
    /// its audit records) is applied whole or not at all: the catch-up stops at the head it
    /// read first, and the next one applies the command's events and audit records together.
    /// (Read up to whatever was there, its audit records came without its events.)
    #[test]
    fn a_catch_up_applies_a_command_committed_meanwhile_whole_or_not_at_all()
    -> Result<(), Box<dyn std::error::Error>> {
        use super::DurableDesk;
        use partnerdesk::{Actor, Invocation, OperatorId, Permission};
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("d.db");
        let (desk, now) = partnerdesk::demo::portfolio(20, 1)?;
        let partner = desk.partner().id.clone();
        let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
        let ops = OperatorId::new("ops_billing")?;
        drop(DurableDesk::create(
            crate::sqlite::SqliteStore::open(&path)?,
            desk,
        )?);
        let mut other = DurableDesk::open(crate::sqlite::SqliteStore::open(&path)?, &partner)?;
        // A first command, for the open to read from the log.
        other.execute(|d| d.revoke_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
        let base = other.desk().mark();
        let (grant_admin, grant_ops) = (admin.clone(), ops.clone());
        let store = CommitsBetweenReads {
            inner: crate::sqlite::SqliteStore::open(&path)?,
            commit: Some(move || {
                let granted = other.execute(|d| {
                    d.grant_permissions(
                        &grant_admin,
                        &grant_ops,
                        &[Permission::AssignAccountManager],
                    )
                });
                assert!(granted.is_ok(), "the other instance's grant: {granted:?}");
            }),
        };
        let granted = |d: &partnerdesk::Desk| {
            d.operators()
                .find(|o| o.id == ops)
                .is_some_and(|o| o.permissions.contains(&Permission::AssignAccountManager))
        };
        // The open reads the log's tail (the revocation): the grant is committed right after
        // the tail's events are read, before its audit records are. Neither half of the grant
        // is applied.
        let mut durable = DurableDesk::open(store, &partner)?;
        assert_eq!(durable.desk().mark(), base);
        assert!(!granted(durable.desk()));
        // The next catch-up applies it whole.
        let after = durable.catch_up()?;
        assert!(after.events > base.events && after.audit > base.audit);
        assert!(granted(durable.desk()));
        assert_eq!(durable.catch_up()?, after);
        Ok(())
    }

    /// A checkpoint that does not record its key (written before it did) is checked through
    /// its last stored events; when the log does not hold them (a desk stored with its
    /// history), the check is skipped rather than the open refused for a gap before the
    /// checkpoint.
    #[test]
    fn the_key_check_of_an_older_checkpoint_skips_events_the_log_does_not_hold()
    -> Result<(), Box<dyn std::error::Error>> {
        use super::load::check_key_at_checkpoint;
        use super::{DurableDesk, Policy};
        use partnerdesk::{Actor, Invocation, OperatorId, Permission};
        let dir = tempfile::tempdir()?;
        let (mut desk, now) = partnerdesk::demo::portfolio(20, 1)?;
        let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
        let ops = OperatorId::new("ops_billing")?;
        desk.grant_permissions(&admin, &ops, &[Permission::ViewSpend])?;
        desk.grant_permissions(&admin, &ops, &[Permission::SetBudget])?;
        assert_eq!(desk.mark().events, 2);
        // As loaded from a checkpoint that records no key.
        let mut old: serde_json::Value = serde_json::from_str(&desk.to_snapshot_json()?)?;
        old.as_object_mut().map(|m| m.remove("event_seal"));
        let at_checkpoint = partnerdesk::Desk::from_snapshot_json(&old.to_string())?;
        assert_eq!(at_checkpoint.loaded_seal_is(None), None);
        let partner = desk.partner().id.clone();
        let store = crate::sqlite::SqliteStore::open(dir.path().join("d.db"))?;
        let mut durable = DurableDesk::create(store, desk)?;
        durable.execute(|d| d.revoke_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
        // The log holds event 3 only: reading from event 1 finds a gap.
        let policy = Policy::default();
        check_key_at_checkpoint(durable.store_mut(), &partner, &at_checkpoint, &policy)?;
        Ok(())
    }

    #[test]
    fn a_jittered_pause_stays_within_half_and_one_and_a_half_times_and_varies() {
        let pause = Duration::from_millis(8);
        let draws: Vec<Duration> = (0..200).map(|_| jittered(pause)).collect();
        assert!(draws.iter().all(|d| *d >= pause / 2 && *d < pause * 3 / 2));
        let distinct: std::collections::BTreeSet<_> = draws.iter().collect();
        assert!(
            distinct.len() > 20,
            "{} distinct pauses of 200",
            distinct.len()
        );
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
    }
}
