//! A desk that many threads read while one writer changes it, without the readers ever
//! waiting for the writer.
//!
//! Why: behind a `RwLock`, every change stops every read for as long as it runs, and a writer
//! that waits for a long read (an export, a search of a million names) stops the reads that
//! come after it too. A service answering searches while commands arrive then answers late
//! exactly when it is busy.
//!
//! [`SharedDesk`] keeps two copies of the desk. Readers read the published copy. The writer
//! changes the other one, then publishes it by switching which copy is published (one atomic
//! store). Before its next change it brings the copy it left up to date. Each copy has its own
//! `RwLock`, and the writer only ever takes the copy that is not published, so a read never
//! waits for a change. The writer waits, asleep, for the reads still on the copy it is about to
//! change: the reads that began before the last publication.
//!
//! What a change did reaches the second copy as what the desk records of every change: its
//! events and its audit records. The events are applied there by the one function through
//! which every command changes a desk, without the chain-link and content checks that
//! [`Desk::apply_events`] makes of a log from outside: they were made and sealed by the twin
//! copy, in this process. (A sequence number out of place still refuses them, and the copy is
//! then rebuilt from the published one.) The property test `shared_copies_stay_equal` holds
//! both copies equal, at every publication, to one desk that ran the same random steps.
//!
//! Why not the `left-right` crate, which does the same with epochs: its writer waits for
//! readers by spinning and yielding. On two cores with two busy readers it fell to about 300
//! changes a second, below the pace of 1,000 it was asked to keep (ADR 0007).
//!
//! Publishing each change ([`SharedDesk::write`]) makes it visible at once, but then every
//! change waits for the reads that began before the previous one. A writer with many changes
//! stages them ([`SharedDesk::stage`]) and publishes every few milliseconds
//! ([`SharedDesk::publish`]): it then waits once a publication, not once a change.
//!
//! The costs, by design:
//!
//! - memory: two desks;
//! - the writer runs each change, then replays its events on the second copy;
//! - a long read (an export held open) delays the writer's first change after the next
//!   publication;
//! - a change must be something the desk records as events and audit records: what a closure
//!   changes otherwise (the event key, say) reaches only one copy. Set such things on the desk
//!   before it is shared.
//!
//! Readers: [`DeskReader`]s, cheap to clone and `Send + Sync`. They keep the desk alive after
//! the writer is dropped, reading the last published state. A writer shared by several
//! threads goes behind a `Mutex`; readers never take it.

use crate::audit::AuditRecord;
use crate::desk::Desk;
use crate::event::Event;
use crate::log::journal::Mark;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};

/// The two copies and which one is published.
struct Copies {
    desks: [RwLock<Desk>; 2],
    published: AtomicUsize,
}

impl Copies {
    fn desk(&self, i: usize) -> &RwLock<Desk> {
        &self.desks[i & 1]
    }

    /// A read of the published copy. The writer locks only the other copy, so the first try
    /// succeeds unless the copy this reader found published was switched out in between:
    /// the reader then lets it go (it may hold staged changes not yet published) and reads
    /// the newly published one. After a few such misses (a writer publishing faster than this
    /// thread is scheduled) it waits for the published copy, at most one change long.
    fn enter(&self) -> RwLockReadGuard<'_, Desk> {
        let mut misses = 0;
        loop {
            let i = self.published.load(Ordering::Acquire);
            let lock = self.desk(i);
            let guard = if misses < 8 {
                match lock.try_read() {
                    Ok(guard) => guard,
                    Err(TryLockError::Poisoned(p)) => p.into_inner(),
                    Err(TryLockError::WouldBlock) => {
                        misses += 1;
                        std::hint::spin_loop();
                        continue;
                    }
                }
            } else {
                lock.read().unwrap_or_else(PoisonError::into_inner)
            };
            if self.published.load(Ordering::Acquire) == i {
                return guard;
            }
            misses += 1;
        }
    }
}

/// Changes, as what they added to a desk: events and audit records.
#[derive(Default)]
struct Added {
    events: Vec<Event>,
    audit: Vec<AuditRecord>,
}

impl Added {
    /// What `desk` holds after `base`.
    fn since(desk: &Desk, base: Mark) -> Added {
        Added {
            events: desk.events_since(base.events).to_vec(),
            audit: desk.audit_since(base.audit).to_vec(),
        }
    }

    fn onto(self, desk: &mut Desk) -> crate::Result<()> {
        desk.apply_twin_events(self.events)?;
        desk.append_audit(self.audit)
    }
}

/// A desk shared by readers on every thread and one writer (see the [module documentation](self)).
pub struct SharedDesk {
    copies: Arc<Copies>,
    /// What the writer's copy lacks: the changes published last, made on the other copy.
    lag: Added,
    /// The published copy's mark: what the writer's copy holds after it is staged.
    base: Mark,
    /// Whether any change was staged since the last publication (one may add nothing).
    pending: bool,
    /// A change did not finish on the writer's copy (its closure panicked).
    torn: bool,
    /// How many times a copy was published.
    publications: u64,
}

impl std::fmt::Debug for SharedDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedDesk")
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl SharedDesk {
    /// Shares `desk`: it is cloned once for the second copy.
    ///
    /// ```
    /// use partnerdesk::{demo, shared::SharedDesk};
    /// let (desk, _now) = demo::portfolio(20, 1)?;
    /// let shared = SharedDesk::new(desk);
    /// let reader = shared.reader();
    /// assert_eq!(reader.read(|d| d.len()), 20);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn new(desk: Desk) -> SharedDesk {
        let second = desk.clone();
        let base = desk.mark();
        SharedDesk {
            copies: Arc::new(Copies {
                desks: [RwLock::new(desk), RwLock::new(second)],
                published: AtomicUsize::new(0),
            }),
            lag: Added::default(),
            base,
            pending: false,
            torn: false,
            publications: 0,
        }
    }

    /// A reader (clone it, or share it: it is `Sync`).
    pub fn reader(&self) -> DeskReader {
        DeskReader {
            copies: Arc::clone(&self.copies),
        }
    }

    /// Reads the published desk (what readers see now; staged changes are not in it).
    pub fn read<R>(&self, f: impl FnOnce(&Desk) -> R) -> R {
        f(&self.copies.enter())
    }

    /// Runs a change and publishes it ([`SharedDesk::stage`], then [`SharedDesk::publish`]):
    /// when this returns, every read that starts sees it. The change runs whole on one copy
    /// before anyone can see it, so a reader sees the desk before or after it, never half of
    /// it.
    ///
    /// ```
    /// use partnerdesk::{demo, shared::SharedDesk, Actor, Invocation, OperatorId};
    /// let (desk, now) = demo::portfolio(20, 1)?;
    /// let ids: Vec<_> = desk.customers().take(1).map(|c| c.id.clone()).collect();
    /// let mut shared = SharedDesk::new(desk);
    /// let reader = shared.reader();
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// let manager = OperatorId::new("am_001")?;
    /// let outcome = shared.write(|d| d.assign_manager(&admin, &ids, &manager))?;
    /// assert_eq!(outcome.succeeded(), 1);
    /// let seen = reader.read(|d| d.customer(&ids[0]).map(|c| c.account_manager.clone()))?;
    /// assert_eq!(seen.as_ref().map(|m| m.as_str()), Some("am_001"));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn write<T>(&mut self, change: impl FnOnce(&mut Desk) -> T) -> T {
        let out = self.stage(change);
        self.publish();
        out
    }

    /// Runs a change on the writer's copy without publishing it: readers see it after the
    /// next [`SharedDesk::publish`] (or [`SharedDesk::write`]). The first change after a
    /// publication waits for the reads that began before it, then replays on this copy what
    /// the publication made visible.
    ///
    /// A staged change may take a savepoint that a later staged change rolls back
    /// ([`Desk::savepoint`], [`Desk::rollback`]), as a durable store does when a commit
    /// fails: what is published is what the writer's copy holds then.
    ///
    /// Should a change panic (a bug), the writer's copy is rebuilt from the published one at
    /// the next change, and the changes staged since the last publication are lost: they were
    /// never visible.
    ///
    /// ```
    /// use partnerdesk::{demo, shared::SharedDesk};
    /// let (desk, _now) = demo::portfolio(20, 1)?;
    /// let ids: Vec<_> = desk.customers().take(2).map(|c| c.id.clone()).collect();
    /// let mut shared = SharedDesk::new(desk);
    /// for id in &ids {
    ///     shared.stage(|d| d.remove_customer(id))?;
    /// }
    /// assert_eq!(shared.read(|d| d.len()), 20);
    /// shared.publish();
    /// assert_eq!(shared.read(|d| d.len()), 18);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn stage<T>(&mut self, change: impl FnOnce(&mut Desk) -> T) -> T {
        let copies = Arc::clone(&self.copies);
        let mut desk = self.writer_copy(&copies);
        self.torn = true;
        let out = change(&mut desk);
        self.torn = false;
        self.pending = true;
        out
    }

    /// Publishes the staged changes: every read that starts from now on sees them. Nothing
    /// happens when none was staged.
    pub fn publish(&mut self) {
        if !self.pending {
            return;
        }
        let writer = self.copies.published.load(Ordering::Acquire) ^ 1;
        let desk = self
            .copies
            .desk(writer)
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let mark = desk.mark();
        if mark.events < self.base.events || mark.audit < self.base.audit {
            // Rolled back past the publication (a savepoint from before it): not a state to
            // publish. The copy is rebuilt from the published one at the next change.
            drop(desk);
            self.torn = true;
            self.pending = false;
            return;
        }
        self.lag = Added::since(&desk, self.base);
        drop(desk);
        self.copies.published.store(writer, Ordering::Release);
        self.base = mark;
        self.pending = false;
        self.publications += 1;
    }

    /// How many times staged changes were published: one more after each [`SharedDesk::write`]
    /// and each [`SharedDesk::publish`] with something staged, unless a staged change panicked
    /// or rolled back past the last publication (nothing is published then).
    pub fn publications(&self) -> u64 {
        self.publications
    }

    /// The writer's copy, up to date with the published one and the changes staged since:
    /// after a publication, once the reads still on it have ended, it replays what was
    /// published. A copy torn by a panicking change, or (a bug) one that refuses the replay,
    /// is replaced by a clone of the published copy, and the staged changes are dropped.
    fn writer_copy<'a>(&mut self, copies: &'a Copies) -> RwLockWriteGuard<'a, Desk> {
        let published = copies.published.load(Ordering::Acquire);
        let mut desk = copies
            .desk(published ^ 1)
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let lag = std::mem::take(&mut self.lag);
        if self.torn || lag.onto(&mut desk).is_err() {
            *desk = copies
                .desk(published)
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            self.torn = false;
            self.pending = false;
        }
        desk
    }
}

/// A way to read a [`SharedDesk`] that never waits for its writer: cheap to clone, `Send` and
/// `Sync`. It keeps the desk alive after the [`SharedDesk`] is dropped.
#[derive(Clone)]
pub struct DeskReader {
    copies: Arc<Copies>,
}

impl std::fmt::Debug for DeskReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskReader").finish_non_exhaustive()
    }
}

impl DeskReader {
    /// Reads the published desk.
    pub fn read<R>(&self, f: impl FnOnce(&Desk) -> R) -> R {
        f(&self.copies.enter())
    }

    /// The published desk, held until the guard is dropped: a later change is not seen
    /// through it, and the writer's first change after the next publication waits for it.
    pub fn enter(&self) -> DeskGuard<'_> {
        DeskGuard {
            guard: self.copies.enter(),
        }
    }
}

/// The published desk as one reader holds it ([`DeskReader::enter`]).
pub struct DeskGuard<'a> {
    guard: RwLockReadGuard<'a, Desk>,
}

impl std::fmt::Debug for DeskGuard<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskGuard").finish_non_exhaustive()
    }
}

impl std::ops::Deref for DeskGuard<'_> {
    type Target = Desk;

    fn deref(&self) -> &Desk {
        &self.guard
    }
}

#[cfg(test)]
mod tests;
