//! Savepoints: undo what a command did to the desk, at a cost proportional to what it touched.
//!
//! Why: a durable desk (the `partnerdesk-store` crate) runs a command on the in-memory desk,
//! then appends what it added (its events and audit records, see [`crate::journal`]) to the
//! store in one transaction. When that append fails (the server is gone, the disk is full,
//! another writer came first), the desk must be as it was before the command, or memory and
//! store disagree. Cloning the desk before each command would cost as much as the desk (a
//! million customers, thousands of commands a second); so the desk keeps an undo journal
//! instead, only between [`Desk::savepoint`] and [`Desk::rollback`] or [`Desk::release`]:
//!
//! - the containers that hold state (`UVec` for vectors, `UMap` for maps) give out no
//!   `&mut` to their whole content: every change goes through a method that, while a savepoint
//!   is open, records the pre-image of the element or key on its way (an element appended after
//!   the savepoint records nothing: rollback truncates to the recorded length). The compiler
//!   thus finds every place state changes; there is no list of call sites to keep up to date;
//! - customer slots are such a vector; on rollback each touched slot is put back through the
//!   desk's primitives and the change hook (`Desk::changed`), so the search indexes and the
//!   export copy follow as they follow any change;
//! - counters and other scalars (event, audit, authorization and order sequence numbers, the
//!   chain head, the commitment letter, the export sequence, the indexed month, the policies
//!   and keys) are copied at the savepoint.
//!
//! The rest of the desk needs nothing: the partner never changes, `by_id` and the free-slot
//! list come back with the slots, and the indexes and export copy are derived. The export
//! change count alone moves on (an export prepared before the savepoint must be prepared again,
//! as after any change). With no savepoint open, each change pays one branch on an empty
//! `Option`. A clone of a desk with an open savepoint carries its journal (either desk, not
//! both, can be rolled back with the savepoint).

use crate::calendar::YearMonth;
use crate::change::Change;
use crate::customer::Customer;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::export::ExportHistory;
use crate::ledger::Ledger;
use crate::log::journaled::Journaled;
use std::sync::atomic::{AtomicU64, Ordering};

/// Numbers savepoints, so that a savepoint replaced by a later one is recognised (process-wide:
/// a savepoint of one desk is never taken for one of another).
static NEXT_SAVEPOINT: AtomicU64 = AtomicU64::new(1);

/// An open savepoint of a desk, from [`Desk::savepoint`]: give it back to [`Desk::rollback`]
/// (undo everything since) or [`Desk::release`] (keep it, stop recording).
///
/// A desk has at most one open savepoint: taking another replaces it (the first is then
/// released; rolling back to it is refused). Dropping a savepoint without giving it back leaves
/// the desk recording until its next savepoint, release or rollback: correct, only slower.
#[must_use = "give the savepoint back to Desk::rollback or Desk::release"]
#[derive(Debug, PartialEq, Eq)]
pub struct Savepoint {
    id: u64,
}

/// What the desk saved at the savepoint besides the containers' own journals.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    id: u64,
    month: YearMonth,
    /// The ledger without its journaled containers: its counters, chain head, commitment
    /// letter, and any field added later (copied whole, so a new field is never missed).
    ledger: Ledger,
    /// The export history without its jobs (its counters), and how many jobs it had.
    exports: ExportHistory,
    export_jobs: usize,
    row_policy: crate::row::RowPolicy,
    export_policy: crate::privacy::MaskPolicy,
    pseudonym_key: Option<crate::privacy::PseudonymKey>,
    event_key: Option<crate::chain::EventKey>,
    cursor_key: crate::search::CursorKey,
}

/// How much a savepoint has recorded so far, for tests and diagnostics: the pre-images the
/// containers hold (a customer slot, a map entry or a vector element each, recorded on its
/// first change after the savepoint only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UndoStats {
    /// Customer slots recorded (each a copy of one customer as it was).
    pub slots: usize,
    /// Other pre-images recorded (operators, ledger entries, free-slot list).
    pub entries: usize,
}

impl Desk {
    /// Opens a savepoint: from now on the desk records how to undo each change, until
    /// [`Desk::rollback`] or [`Desk::release`]. Costs no more than a few counters and copies
    /// of the policies; a savepoint already open is released and replaced.
    ///
    /// ```
    /// use partnerdesk::{demo, Actor, Invocation, OperatorId, Permission};
    /// let (mut desk, now) = demo::portfolio(20, 1)?;
    /// let before = desk.clone();
    /// let sp = desk.savepoint();
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// desk.grant_permissions(&admin, &OperatorId::new("ops_billing")?, &[Permission::ViewSpend])?;
    /// assert_ne!(desk, before);
    /// desk.rollback(sp)?;
    /// assert_eq!(desk, before);
    /// assert_eq!(desk.mark(), before.mark());
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn savepoint(&mut self) -> Savepoint {
        self.end_recording();
        let id = NEXT_SAVEPOINT.fetch_add(1, Ordering::Relaxed);
        self.undo = Some(Box::new(Frame {
            id,
            month: self.index.month,
            ledger: self.ledger.header(),
            exports: export_header(&mut self.exports),
            export_jobs: self.exports.jobs.len(),
            row_policy: self.row_policy.clone(),
            export_policy: self.export_policy.clone(),
            pseudonym_key: self.pseudonym_key.clone(),
            event_key: self.event_key.clone(),
            cursor_key: self.cursor_key.clone(),
        }));
        self.slots.begin();
        self.free.begin();
        self.operators.begin();
        self.ledger.containers().into_iter().for_each(|c| c.begin());
        Savepoint { id }
    }

    /// Whether a savepoint is open (the desk is recording how to undo its changes).
    pub fn in_savepoint(&self) -> bool {
        self.undo.is_some()
    }

    /// What the open savepoint has recorded so far (zero when none is open).
    pub fn undo_stats(&self) -> UndoStats {
        let ledger: usize = self.ledger.recorded();
        UndoStats {
            slots: self.slots.recorded(),
            entries: self.free.recorded() + self.operators.recorded() + ledger,
        }
    }

    /// Keeps everything done since the savepoint and stops recording. A savepoint that is no
    /// longer the open one (replaced by a later one, or already ended) changes nothing.
    pub fn release(&mut self, savepoint: Savepoint) {
        if self.undo.as_ref().is_some_and(|f| f.id == savepoint.id) {
            self.end_recording();
        }
    }

    /// Undoes everything since the savepoint: customers (and so the search indexes and the
    /// export copy), operators, the whole ledger (events, chain head, audit trail,
    /// idempotency records, authorizations, requests, manager periods, budget records and
    /// watches, counters, commitment letter), the export history, the indexed month and the
    /// policies and keys are as they were when it was taken. Costs what the changes since cost
    /// (a month roll undone re-indexes month-to-date spend, as the roll did).
    ///
    /// Refuses with `INVALID_ARGUMENT` on `savepoint`, changing nothing, a savepoint that is not
    /// the open one (replaced by a later savepoint, or taken on another desk).
    ///
    /// The export change count moves on (it never goes back): an export prepared before the
    /// savepoint must be prepared again, as after any change.
    pub fn rollback(&mut self, savepoint: Savepoint) -> Result<()> {
        let Some(frame) = self.undo.take_if(|f| f.id == savepoint.id) else {
            return Err(Error::invalid_arg(
                "savepoint",
                "not the desk's open savepoint (replaced by a later one, or of another desk)",
            ));
        };
        // The ledger and operators first: the customers' restore reads nothing of them, and
        // nothing below records (the frame is gone, and each journal ends as it is undone).
        let Frame {
            id: _,
            month,
            mut ledger,
            mut exports,
            export_jobs,
            row_policy,
            export_policy,
            pseudonym_key,
            event_key,
            cursor_key,
        } = *frame;
        self.ledger.containers().into_iter().for_each(|c| {
            c.undo();
        });
        ledger.swap_containers(&mut self.ledger);
        self.ledger = ledger;
        std::mem::swap(&mut exports.jobs, &mut self.exports.jobs);
        exports.jobs.truncate(export_jobs);
        self.exports = exports;
        self.row_policy = row_policy;
        self.export_policy = export_policy;
        self.pseudonym_key = pseudonym_key;
        self.event_key = event_key;
        self.cursor_key = cursor_key;
        if self.operators.undo() > 0 {
            // Manager names in a prepared export's rows come from the operators.
            self.id_order.touch();
        }
        self.restore_slots();
        self.free.undo();
        if self.index.month != month {
            self.index.month = month;
            self.changed(Change::Month);
        }
        Ok(())
    }

    /// Ends every container's journal without undoing anything.
    fn end_recording(&mut self) {
        self.undo = None;
        self.slots.end();
        self.free.end();
        self.operators.end();
        self.ledger.containers().into_iter().for_each(|c| c.end());
    }

    /// Puts every touched customer slot back as it was at the savepoint, through the change
    /// hook: first every customer that is not the slot's original is taken out (so that an id
    /// that moved to another slot is free again), then every original is put back.
    fn restore_slots(&mut self) {
        let Some((len, before)) = self.slots.take_journal() else {
            return;
        };
        let live = |s: &Option<Customer>| s.as_ref().map(|c| c.id.clone());
        // Slots added since the savepoint hold a customer or nothing; the original is nothing.
        let added: Vec<usize> = (len..self.slots.len()).collect();
        let touched = || {
            before
                .iter()
                .map(|(s, c)| (*s, c.as_ref()))
                .chain(added.iter().map(|s| (*s, None)))
        };
        for (slot, original) in touched() {
            let now = self.slots.get(slot).and_then(live);
            let Some(id) = now else { continue };
            if original.is_some_and(|o| o.id == id) {
                continue;
            }
            let taken = self.slots.untracked(slot).and_then(Option::take);
            if let Some(c) = taken {
                self.by_id.remove(&c.id);
                self.changed(Change::Removed(slot as u32, &c));
            }
        }
        for (slot, original) in touched() {
            let Some(original) = original else { continue };
            let Some(cell) = self.slots.untracked(slot) else {
                continue;
            };
            match cell.replace(original.clone()) {
                Some(old) => self.changed(Change::Replaced(slot as u32, &old)),
                None => {
                    self.by_id.insert(&original.id, slot as u32);
                    self.changed(Change::Added(slot as u32));
                }
            }
        }
        self.slots.truncate_untracked(len);
    }
}

/// The export history without its jobs: its counters (and any field added later), copied
/// without copying the jobs.
fn export_header(exports: &mut ExportHistory) -> ExportHistory {
    let jobs = std::mem::take(&mut exports.jobs);
    let header = exports.clone();
    exports.jobs = jobs;
    header
}

impl Ledger {
    /// The ledger's journaled containers, each once.
    fn containers(&mut self) -> [&mut dyn Journaled; 11] {
        [
            &mut self.events,
            &mut self.audit,
            &mut self.associations,
            &mut self.requests,
            &mut self.manager_periods,
            &mut self.periods_by_customer,
            &mut self.budget_records,
            &mut self.budget_watch,
            &mut self.authorizations,
            &mut self.auths_by_customer,
            &mut self.idempotency,
        ]
    }

    /// The pre-images the ledger's containers hold.
    fn recorded(&self) -> usize {
        let l = self;
        let all: [&dyn Journaled; 11] = [
            &l.events,
            &l.audit,
            &l.associations,
            &l.requests,
            &l.manager_periods,
            &l.periods_by_customer,
            &l.budget_records,
            &l.budget_watch,
            &l.authorizations,
            &l.auths_by_customer,
            &l.idempotency,
        ];
        all.iter().map(|c| c.recorded()).sum()
    }

    /// Exchanges the journaled containers with another ledger's.
    fn swap_containers(&mut self, o: &mut Ledger) {
        use std::mem::swap;
        swap(&mut self.events, &mut o.events);
        swap(&mut self.audit, &mut o.audit);
        swap(&mut self.associations, &mut o.associations);
        swap(&mut self.requests, &mut o.requests);
        swap(&mut self.manager_periods, &mut o.manager_periods);
        swap(&mut self.periods_by_customer, &mut o.periods_by_customer);
        swap(&mut self.budget_records, &mut o.budget_records);
        swap(&mut self.budget_watch, &mut o.budget_watch);
        swap(&mut self.authorizations, &mut o.authorizations);
        swap(&mut self.auths_by_customer, &mut o.auths_by_customer);
        swap(&mut self.idempotency, &mut o.idempotency);
    }

    /// A copy without the journaled containers (left empty): the counters, the chain head,
    /// the commitment letter, and whatever field is added to the ledger later.
    fn header(&mut self) -> Ledger {
        let mut parts = Ledger::default();
        self.swap_containers(&mut parts);
        let header = self.clone();
        self.swap_containers(&mut parts);
        header
    }
}
