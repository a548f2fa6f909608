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
//! With no savepoint open, each change pays one branch on an empty `Option`.

use crate::calendar::YearMonth;
use crate::change::Change;
use crate::customer::Customer;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::export::ExportHistory;
use crate::ledger::Ledger;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::ops::{Deref, Index, IndexMut};
use std::slice::SliceIndex;
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

/// A container that records pre-images while a savepoint is open.
trait Journaled {
    /// Starts recording (a savepoint opens).
    fn begin(&mut self);
    /// Stops recording, keeping the content.
    fn end(&mut self);
    /// Puts the content back as when recording began, stops recording; how many pre-images
    /// it had.
    fn undo(&mut self) -> usize;
    /// How many pre-images it holds.
    fn recorded(&self) -> usize;
}

impl<T: Clone> Journaled for UVec<T> {
    fn begin(&mut self) {
        UVec::begin(self);
    }
    fn end(&mut self) {
        UVec::end(self);
    }
    fn undo(&mut self) -> usize {
        UVec::undo(self)
    }
    fn recorded(&self) -> usize {
        UVec::recorded(self)
    }
}

impl<M: RawMap> Journaled for UMap<M> {
    fn begin(&mut self) {
        UMap::begin(self);
    }
    fn end(&mut self) {
        UMap::end(self);
    }
    fn undo(&mut self) -> usize {
        UMap::undo(self)
    }
    fn recorded(&self) -> usize {
        UMap::recorded(self)
    }
}

// ---- the journaled containers ------------------------------------------------------------

/// A vector that records, while a savepoint is open, the pre-image of each element below the
/// savepoint's length before changing or removing it. Reads go through `Deref` to the `Vec`;
/// changes only through its own methods.
#[derive(Clone)]
pub(crate) struct UVec<T> {
    items: Vec<T>,
    undo: Option<VecJournal<T>>,
}

#[derive(Clone)]
struct VecJournal<T> {
    /// The length at the savepoint.
    len: usize,
    /// The pre-image of each element changed or removed since, by position (recorded on its
    /// first change only: the value it had at the savepoint).
    pre: BTreeMap<usize, T>,
}

impl<T> Default for UVec<T> {
    fn default() -> Self {
        UVec {
            items: Vec::new(),
            undo: None,
        }
    }
}

impl<T> From<Vec<T>> for UVec<T> {
    fn from(items: Vec<T>) -> Self {
        UVec { items, undo: None }
    }
}

impl<T> Deref for UVec<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.items
    }
}

impl<T: fmt::Debug> fmt::Debug for UVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

impl<T: PartialEq> PartialEq for UVec<T> {
    fn eq(&self, o: &Self) -> bool {
        self.items == o.items
    }
}

impl<T: Eq> Eq for UVec<T> {}

#[cfg(feature = "serde")]
impl<T: serde::Serialize> serde::Serialize for UVec<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.items.serialize(s)
    }
}

#[cfg(feature = "serde")]
impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for UVec<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Vec::deserialize(d).map(UVec::from)
    }
}

impl<T> UVec<T> {
    fn begin(&mut self) {
        self.undo = Some(VecJournal {
            len: self.items.len(),
            pre: BTreeMap::new(),
        });
    }

    fn end(&mut self) {
        self.undo = None;
    }

    fn recorded(&self) -> usize {
        self.undo.as_ref().map_or(0, |u| u.pre.len())
    }

    /// Appends (nothing to record: rollback truncates).
    pub(crate) fn push(&mut self, value: T) {
        self.items.push(value);
    }

    /// Appends many.
    pub(crate) fn extend(&mut self, values: impl IntoIterator<Item = T>) {
        self.items.extend(values);
    }

    /// Reserves room for `n` more.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.items.reserve(n);
    }

    /// The whole vector, without recording: only for a rollback, whose journal is taken.
    fn untracked(&mut self, i: usize) -> Option<&mut T> {
        self.items.get_mut(i)
    }

    fn truncate_untracked(&mut self, len: usize) {
        self.items.truncate(len);
    }
}

impl<T: Clone> UVec<T> {
    /// Records element `i` before it changes, when a savepoint is open and it was there then.
    fn note(&mut self, i: usize) {
        if let Some(u) = &mut self.undo
            && i < u.len
            && let std::collections::btree_map::Entry::Vacant(e) = u.pre.entry(i)
            && let Some(v) = self.items.get(i)
        {
            e.insert(v.clone());
        }
    }

    /// Element `i` to change.
    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.note(i);
        self.items.get_mut(i)
    }

    /// Removes the last element.
    pub(crate) fn pop(&mut self) -> Option<T> {
        let i = self.items.len().checked_sub(1)?;
        self.note(i);
        self.items.pop()
    }

    /// Changes, through `change`, every element for which `which` holds (only those are
    /// recorded).
    pub(crate) fn update_where(
        &mut self,
        which: impl Fn(&T) -> bool,
        mut change: impl FnMut(&mut T),
    ) {
        for i in 0..self.items.len() {
            if self.items.get(i).is_some_and(&which)
                && let Some(v) = self.get_mut(i)
            {
                change(v);
            }
        }
    }

    /// Takes the journal: the length at the savepoint and the pre-image of each recorded
    /// element, by position. Recording ends.
    fn take_journal(&mut self) -> Option<(usize, BTreeMap<usize, T>)> {
        let u = self.undo.take()?;
        Some((u.len, u.pre))
    }

    /// Puts the vector back as at the savepoint and ends recording; returns how many
    /// pre-images were recorded.
    fn undo(&mut self) -> usize {
        let recorded = self.recorded();
        let Some((len, pre)) = self.take_journal() else {
            return 0;
        };
        self.items.truncate(len);
        // Every element between the current length and `len` was removed since, and so
        // recorded: they come back in ascending order, each at the end.
        for (i, v) in pre {
            match self.items.get_mut(i) {
                Some(cell) => *cell = v,
                None => self.items.push(v),
            }
        }
        recorded
    }
}

impl<T, I: SliceIndex<[T]>> Index<I> for UVec<T> {
    type Output = I::Output;
    fn index(&self, i: I) -> &I::Output {
        &self.items[i]
    }
}

impl<'a, T> IntoIterator for &'a UVec<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<T: Clone> IndexMut<usize> for UVec<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        self.note(i);
        &mut self.items[i]
    }
}

/// The maps a [`UMap`] can wrap.
pub(crate) trait RawMap: Default {
    /// Key.
    type K: Clone + Eq + Hash;
    /// Value.
    type V: Clone;
    /// A value by key.
    fn raw_get(&self, k: &Self::K) -> Option<&Self::V>;
    /// Sets a key.
    fn raw_insert(&mut self, k: Self::K, v: Self::V);
    /// Removes a key.
    fn raw_remove(&mut self, k: &Self::K);
}

impl<K: Clone + Eq + Hash, V: Clone, S: BuildHasher + Default> RawMap for HashMap<K, V, S> {
    type K = K;
    type V = V;
    fn raw_get(&self, k: &K) -> Option<&V> {
        self.get(k)
    }
    fn raw_insert(&mut self, k: K, v: V) {
        self.insert(k, v);
    }
    fn raw_remove(&mut self, k: &K) {
        self.remove(k);
    }
}

impl<K: Clone + Ord + Hash, V: Clone> RawMap for BTreeMap<K, V> {
    type K = K;
    type V = V;
    fn raw_get(&self, k: &K) -> Option<&V> {
        self.get(k)
    }
    fn raw_insert(&mut self, k: K, v: V) {
        self.insert(k, v);
    }
    fn raw_remove(&mut self, k: &K) {
        self.remove(k);
    }
}

/// A map that records, while a savepoint is open, the pre-image of each key (its value, or
/// that it was absent) before changing it. Reads go through `Deref` to the map; changes only
/// through its own methods.
#[derive(Clone)]
pub(crate) struct UMap<M: RawMap> {
    map: M,
    /// The pre-image of each key changed since the savepoint (its value then, or `None`:
    /// absent), recorded on its first change only.
    #[allow(clippy::type_complexity)]
    undo: Option<HashMap<M::K, Option<M::V>>>,
}

impl<M: RawMap> Default for UMap<M> {
    fn default() -> Self {
        UMap {
            map: M::default(),
            undo: None,
        }
    }
}

impl<'a, M: RawMap> IntoIterator for &'a UMap<M>
where
    &'a M: IntoIterator,
{
    type Item = <&'a M as IntoIterator>::Item;
    type IntoIter = <&'a M as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (&self.map).into_iter()
    }
}

impl<M: RawMap> From<M> for UMap<M> {
    fn from(map: M) -> Self {
        UMap { map, undo: None }
    }
}

impl<M: RawMap> Deref for UMap<M> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.map
    }
}

impl<M: RawMap + fmt::Debug> fmt::Debug for UMap<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.map.fmt(f)
    }
}

impl<M: RawMap + PartialEq> PartialEq for UMap<M> {
    fn eq(&self, o: &Self) -> bool {
        self.map == o.map
    }
}

impl<M: RawMap + Eq> Eq for UMap<M> {}

#[cfg(feature = "serde")]
impl<M: RawMap + serde::Serialize> serde::Serialize for UMap<M> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.map.serialize(s)
    }
}

#[cfg(feature = "serde")]
impl<'de, M: RawMap + serde::Deserialize<'de>> serde::Deserialize<'de> for UMap<M> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        M::deserialize(d).map(UMap::from)
    }
}

impl<M: RawMap> UMap<M> {
    fn begin(&mut self) {
        self.undo = Some(HashMap::new());
    }

    fn end(&mut self) {
        self.undo = None;
    }

    fn recorded(&self) -> usize {
        self.undo.as_ref().map_or(0, HashMap::len)
    }

    /// Records key `k` before it changes, when a savepoint is open.
    fn note(&mut self, k: &M::K) {
        if let Some(u) = &mut self.undo
            && !u.contains_key(k)
        {
            u.insert(k.clone(), self.map.raw_get(k).cloned());
        }
    }

    /// Sets a key, returning nothing (the old value is recorded when a savepoint is open).
    pub(crate) fn insert(&mut self, k: M::K, v: M::V) {
        self.note(&k);
        self.map.raw_insert(k, v);
    }

    /// Removes a key.
    pub(crate) fn remove(&mut self, k: &M::K) {
        self.note(k);
        self.map.raw_remove(k);
    }

    /// Empties the map (records every key while a savepoint is open).
    pub(crate) fn clear_with(
        &mut self,
        keys: impl FnOnce(&M) -> Vec<M::K>,
        clear: impl FnOnce(&mut M),
    ) {
        if self.undo.is_some() {
            for k in keys(&self.map) {
                self.note(&k);
            }
        }
        clear(&mut self.map);
    }

    /// Puts every recorded key back as at the savepoint and ends recording; returns how many
    /// pre-images were recorded.
    fn undo(&mut self) -> usize {
        let Some(journal) = self.undo.take() else {
            return 0;
        };
        let recorded = journal.len();
        for (k, v) in journal {
            match v {
                Some(v) => self.map.raw_insert(k, v),
                None => self.map.raw_remove(&k),
            }
        }
        recorded
    }
}

impl<K: Clone + Eq + Hash, V: Clone, S: BuildHasher + Default> UMap<HashMap<K, V, S>> {
    /// A value to change.
    pub(crate) fn get_mut(&mut self, k: &K) -> Option<&mut V> {
        if self.map.contains_key(k) {
            self.note(k);
        }
        self.map.get_mut(k)
    }

    /// The entry of a key, to change.
    pub(crate) fn entry(&mut self, k: K) -> std::collections::hash_map::Entry<'_, K, V> {
        self.note(&k);
        self.map.entry(k)
    }

    /// Empties the map.
    pub(crate) fn clear(&mut self) {
        self.clear_with(|m| m.keys().cloned().collect(), HashMap::clear);
    }
}

impl<K: Clone + Ord + Hash, V: Clone> UMap<BTreeMap<K, V>> {
    /// A value to change.
    pub(crate) fn get_mut(&mut self, k: &K) -> Option<&mut V> {
        if self.map.contains_key(k) {
            self.note(k);
        }
        self.map.get_mut(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum VecStep {
        Push(u8),
        Pop,
        Set(usize, u8),
    }

    fn vec_step() -> impl Strategy<Value = VecStep> {
        prop_oneof![
            any::<u8>().prop_map(VecStep::Push),
            Just(VecStep::Pop),
            (0usize..12, any::<u8>()).prop_map(|(i, v)| VecStep::Set(i, v)),
        ]
    }

    proptest! {
        /// Any pushes, pops and changes after a savepoint are undone exactly; an element
        /// appended after it is never recorded.
        #[test]
        fn a_vector_comes_back(
            start in prop::collection::vec(any::<u8>(), 0..10),
            steps in prop::collection::vec(vec_step(), 0..30),
        ) {
            let mut v = UVec::from(start.clone());
            v.begin();
            for s in steps {
                match s {
                    VecStep::Push(x) => v.push(x),
                    VecStep::Pop => {
                        v.pop();
                    }
                    VecStep::Set(i, x) => {
                        if let Some(cell) = v.get_mut(i) {
                            *cell = x;
                        }
                    }
                }
                prop_assert!(v.recorded() <= start.len());
            }
            v.undo();
            prop_assert_eq!(&*v, &start);
            prop_assert_eq!(v.recorded(), 0);
        }

        /// Any inserts, removals and changes after a savepoint are undone exactly.
        #[test]
        fn a_map_comes_back(
            start in prop::collection::btree_map(0u8..16, any::<u8>(), 0..10),
            steps in prop::collection::vec((0u8..16, prop::option::of(any::<u8>()), any::<bool>()), 0..30),
        ) {
            let mut hashed: UMap<HashMap<u8, u8>> = UMap::from(start.clone().into_iter().collect::<HashMap<_, _>>());
            let mut sorted = UMap::from(start.clone());
            hashed.begin();
            sorted.begin();
            for (k, v, via_entry) in steps {
                match v {
                    Some(v) if via_entry => *hashed.entry(k).or_default() = v,
                    Some(v) => hashed.insert(k, v),
                    None => hashed.remove(&k),
                }
                match v {
                    Some(v) => match sorted.get_mut(&k) {
                        Some(cell) => *cell = v,
                        None => sorted.insert(k, v),
                    },
                    None => sorted.remove(&k),
                }
            }
            hashed.undo();
            sorted.undo();
            prop_assert_eq!(&*sorted, &start);
            prop_assert_eq!(hashed.iter().map(|(k, v)| (*k, *v)).collect::<BTreeMap<_, _>>(), start);
        }
    }

    #[test]
    fn nothing_is_recorded_without_a_savepoint() {
        let mut v = UVec::from(vec![1, 2, 3]);
        if let Some(x) = v.get_mut(0) {
            *x = 9;
        }
        v.pop();
        assert_eq!(v.recorded(), 0);
        assert_eq!(v.undo(), 0);
        assert_eq!(&*v, &[9, 2]);
        let mut m: UMap<BTreeMap<u8, u8>> = UMap::default();
        m.insert(1, 1);
        assert_eq!(m.recorded(), 0);
    }

    #[test]
    fn update_where_records_only_the_matches() {
        let mut v = UVec::from((0..100).collect::<Vec<u32>>());
        v.begin();
        v.update_where(|x| x % 50 == 7, |x| *x += 1000);
        assert_eq!(v.recorded(), 2);
        assert_eq!(v[7], 1007);
        // Changed again: still one pre-image each, the one from the savepoint.
        v.update_where(|x| *x >= 1000, |x| *x += 1000);
        assert_eq!(v.recorded(), 2);
        v.undo();
        assert_eq!(&*v, &(0..100).collect::<Vec<u32>>());
    }
}
