//! A desk that many threads read while one writer changes it, without the readers ever
//! waiting for the writer.
//!
//! Why: behind a `RwLock`, every change stops every read for as long as it runs, and a writer
//! that waits for a long read (an export, a search of a million names) stops the reads that
//! come after it too. A service answering searches while commands arrive then answers late
//! exactly when it is busy. [`SharedDesk`] keeps two copies of the desk (the `left-right`
//! crate): readers read the published copy, lock-free; the writer changes the other copy,
//! publishes it with one atomic pointer swap, and brings the copy it left up to date before its
//! next change. What a change did reaches the second copy as what the desk records of every
//! change, its events and its audit records ([`Desk::apply_events`], [`Desk::append_audit`]),
//! the same path by which a durable desk catches up with another instance; the property test
//! `shared_copies_stay_equal` holds both copies equal to one desk that ran the same steps.
//!
//! The costs, by design:
//!
//! - memory: two desks;
//! - the writer runs each change, then replays its events on the second copy, and before each
//!   change waits for the reads that were still on that copy when it was last published (a
//!   read never waits; a long read can delay the next change);
//! - a change must be something the desk records as events and audit records: what a closure
//!   passed to [`SharedDesk::write`] changes otherwise (the event key, say) reaches only one
//!   copy. Set such things on the desk before it is shared.
//!
//! Readers: one [`DeskReader`] per thread (`clone` one for each: a reader is `Send`, not
//! `Sync`). A writer shared by several threads goes behind a `Mutex`; readers never take it.

use crate::audit::AuditRecord;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::event::Event;
use std::sync::{Arc, Mutex, PoisonError};

/// The change the writer runs on its copy.
type Run = Box<dyn FnOnce(&mut Desk) + Send>;

/// One change as the writer logs it: the closure to run on the first copy, then what it added
/// there, applied to the second.
pub struct Change {
    run: Option<Run>,
    events: Vec<Event>,
    audit: Vec<AuditRecord>,
}

impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Change")
            .field("pending", &self.run.is_some())
            .field("events", &self.events.len())
            .field("audit", &self.audit.len())
            .finish()
    }
}

impl left_right::Absorb<Change> for Desk {
    /// Runs the change on the writer's copy and keeps what it added.
    fn absorb_first(&mut self, change: &mut Change, _other: &Self) {
        let before = self.mark();
        if let Some(run) = change.run.take() {
            run(self);
        }
        change.events = self.events_since(before.events).to_vec();
        change.audit = self.audit_since(before.audit).to_vec();
    }

    /// Replays what the change added onto the other copy. Should the replay be refused (the
    /// copies would have drifted: a bug), the copy is replaced by a clone of the published
    /// one, which has absorbed every change so far; the changes after it in the same round
    /// are then refused as already there, and each clones again, to the same state.
    fn absorb_second(&mut self, change: Change, other: &Self) {
        if let Some(run) = change.run {
            // Only before the first publication, which `SharedDesk::new` makes at once.
            run(self);
            return;
        }
        let replayed = self
            .apply_events(change.events)
            .and_then(|()| self.append_audit(change.audit));
        if replayed.is_err() {
            *self = other.clone();
        }
    }

    /// Makes this copy the published one. The copies are equal when `SharedDesk::new`
    /// publishes (no change ran before), so the clone is only taken when their marks differ.
    fn sync_with(&mut self, first: &Self) {
        if self.mark() != first.mark() {
            *self = first.clone();
        }
    }
}

/// A desk shared by readers on every thread and one writer (see the [module documentation](self)).
pub struct SharedDesk {
    writer: left_right::WriteHandle<Desk, Change>,
}

impl std::fmt::Debug for SharedDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedDesk").finish_non_exhaustive()
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
    /// assert_eq!(reader.read(|d| d.len()), Some(20));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn new(desk: Desk) -> SharedDesk {
        let (mut writer, _reader) = left_right::new_from_empty::<Desk, Change>(desk);
        // Published at once: every change from here on runs on the writer's copy and is
        // replayed on the other.
        writer.publish();
        SharedDesk { writer }
    }

    /// A reader for one thread (clone it for others).
    pub fn reader(&self) -> DeskReader {
        DeskReader {
            handle: (*self.writer).clone(),
        }
    }

    /// Reads the published desk from the writer's thread (what readers see now).
    pub fn read<R>(&self, f: impl FnOnce(&Desk) -> R) -> Option<R> {
        self.writer.enter().map(|desk| f(&desk))
    }

    /// Runs a change on the writer's copy and publishes it: when this returns, every read
    /// that starts sees it. The change runs whole on one copy before anyone can see it, so a
    /// reader sees the desk before or after it, never half of it.
    ///
    /// `INTERNAL` only if the change did not run (a bug).
    ///
    /// ```
    /// use partnerdesk::{demo, shared::SharedDesk, Actor, Invocation, OperatorId};
    /// let (desk, now) = demo::portfolio(20, 1)?;
    /// let ids: Vec<_> = desk.customers().take(1).map(|c| c.id.clone()).collect();
    /// let mut shared = SharedDesk::new(desk);
    /// let reader = shared.reader();
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// let manager = OperatorId::new("am_001")?;
    /// let assigned = ids.clone();
    /// let outcome = shared.write(move |d| d.assign_manager(&admin, &assigned, &manager))?;
    /// assert_eq!(outcome.succeeded(), 1);
    /// let seen = reader.read(|d| d.customer(&ids[0]).map(|c| c.account_manager.clone()));
    /// let manager = seen.transpose()?.flatten();
    /// assert_eq!(manager.as_ref().map(|m| m.as_str()), Some("am_001"));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn write<T, F>(&mut self, change: F) -> Result<T>
    where
        F: FnOnce(&mut Desk) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let out: Arc<Mutex<Option<Result<T>>>> = Arc::new(Mutex::new(None));
        let put = Arc::clone(&out);
        self.writer.append(Change {
            run: Some(Box::new(move |desk: &mut Desk| {
                let result = change(desk);
                *put.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
            })),
            events: Vec::new(),
            audit: Vec::new(),
        });
        self.writer.publish();
        let taken = out.lock().unwrap_or_else(PoisonError::into_inner).take();
        taken.unwrap_or_else(|| {
            Err(Error::Internal {
                operation: "SharedDesk::write".to_owned(),
            })
        })
    }
}

/// One thread's way to read a [`SharedDesk`]: never waits for the writer.
pub struct DeskReader {
    handle: left_right::ReadHandle<Desk>,
}

impl std::fmt::Debug for DeskReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskReader").finish_non_exhaustive()
    }
}

impl Clone for DeskReader {
    /// Another reader of the same desk, for another thread.
    fn clone(&self) -> Self {
        DeskReader {
            handle: self.handle.clone(),
        }
    }
}

impl DeskReader {
    /// Reads the published desk; `None` once the [`SharedDesk`] is dropped.
    pub fn read<R>(&self, f: impl FnOnce(&Desk) -> R) -> Option<R> {
        self.handle.enter().map(|desk| f(&desk))
    }

    /// The published desk, held until the guard is dropped (a later change is not seen
    /// through it; the writer's change after that one waits for it). `None` once the
    /// [`SharedDesk`] is dropped.
    pub fn enter(&self) -> Option<DeskGuard<'_>> {
        self.handle.enter().map(|guard| DeskGuard { guard })
    }
}

/// The published desk as one reader holds it ([`DeskReader::enter`]).
pub struct DeskGuard<'a> {
    guard: left_right::ReadGuard<'a, Desk>,
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
