//! The desk's customers in id order: a list of slots, refreshed in batches.
//!
//! Why: the export's default order is by customer id, and a million rows must not be sorted
//! (or held as an ordered list) again on every export. Ids never change once a customer is
//! placed, so the order only moves when a customer is added or removed. The desk reports those
//! two events (a bit each, no sorting on the hot path of a bulk load or a replay), and the
//! order is brought up to date on the next export: freed slots are dropped, and the new slots,
//! sorted by id, are merged in with a binary search each. An export then walks the list
//! forwards or backwards and writes the slots its selection holds, in constant extra memory.
//!
//! The list costs 4 bytes per customer on the desk. A stale list is never read: [`IdOrder::get`]
//! returns it only when no change is pending.
//!
//! Beside the list, once an export has asked for it, the order keeps the compact copy of the
//! exported fields in the same order (`export::copy`), and then also a bit per slot whose
//! customer changed in place (the desk reports it; nothing is recorded while no copy exists).
//! [`IdOrder::refresh_with_rows`] merges all three kinds of change into both.
//!
//! The order also keeps the desk's [`Stamp`]: which desk this is (a clone is another desk) and
//! how many changes it has reported. A prepared export (`export::PreparedExport`) remembers
//! the stamp of its prepare and is written only while it is unchanged, so its rows are those
//! of the desk at prepare time.

use super::copy::{Changes, ExportRows};
use crate::customer::Customer;
use crate::index::Index;
use crate::sorted::Bits;
use roaring::RoaringBitmap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Which desk this is and how many changes of what an export reads it has seen.
///
/// Every desk, a clone included, gets its own number (a clone then changes apart from its
/// original); the change count moves on every customer added, removed or changed, a month
/// roll, an operator added and a new pseudonym key.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// This desk's number, unique in the process.
    pub(crate) desk: u64,
    /// Changes reported so far.
    pub(crate) changes: u64,
}

/// The next desk number (numbers start at 1 and are never reused in a process).
static NEXT_DESK: AtomicU64 = AtomicU64::new(1);

impl Stamp {
    fn fresh(changes: u64) -> Self {
        Stamp {
            desk: NEXT_DESK.fetch_add(1, Ordering::Relaxed),
            changes,
        }
    }
}

impl Default for Stamp {
    fn default() -> Self {
        Stamp::fresh(0)
    }
}

impl Clone for Stamp {
    /// A clone of a desk is another desk: a new number, the same count.
    fn clone(&self) -> Self {
        Stamp::fresh(self.changes)
    }
}

/// Slots ordered by their customer's id, with the changes not yet merged.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdOrder {
    /// Live slots by ascending id, as of the last refresh.
    sorted: Vec<u32>,
    /// Slots placed since the last refresh.
    added: RoaringBitmap,
    /// Slots of `sorted` freed since the last refresh.
    removed: RoaringBitmap,
    /// The exported fields in id order (see `export::copy`), once an export has asked for them.
    rows: Option<ExportRows>,
    /// One bit per slot whose customer changed in place since the last refresh; kept only
    /// while `rows` exists (otherwise there is nothing to bring up to date).
    changed: Bits,
    /// Whether any bit of `changed` is set.
    any_changed: bool,
    /// The desk's number and change count (see [`Stamp`]).
    stamp: Stamp,
}

/// The id of a live slot (the order holds live slots only; see [`IdOrder::refresh`]).
fn id_of(slots: &[Option<Customer>], slot: u32) -> &str {
    slots
        .get(slot as usize)
        .and_then(Option::as_ref)
        .map_or("", |c| c.id.as_str())
}

impl IdOrder {
    /// Pushes the estimated heap bytes of the id order and of the export copy onto a report
    /// (see [`crate::memory`]).
    pub(crate) fn memory(&self) -> Vec<(&'static str, usize)> {
        use crate::model::heap::{bitmap_bytes, vec_bytes};
        vec![
            (
                "id_order",
                vec_bytes(&self.sorted)
                    + bitmap_bytes(&self.added)
                    + bitmap_bytes(&self.removed)
                    + self.changed.heap_bytes(),
            ),
            (
                "export_copy",
                self.rows.as_ref().map_or(0, ExportRows::heap_bytes),
            ),
        ]
    }
}

#[cfg_attr(not(feature = "export"), allow(dead_code))]
impl IdOrder {
    /// A customer was placed in `slot`.
    pub(crate) fn added(&mut self, slot: u32) {
        self.touch();
        self.added.insert(slot);
    }

    /// Customers were placed in every slot of `slots` (new slots): [`IdOrder::added`] for
    /// each, the range set at once.
    pub(crate) fn added_range(&mut self, slots: std::ops::Range<u32>) {
        self.stamp.changes = self.stamp.changes.wrapping_add(slots.len() as u64);
        self.added.insert_range(slots);
    }

    /// The customer of `slot` was removed.
    pub(crate) fn removed(&mut self, slot: u32) {
        self.touch();
        // Placed and removed again before a refresh: the list never held it.
        if !self.added.remove(slot) {
            self.removed.insert(slot);
        }
    }

    /// The customer of `slot` changed in place (its id cannot change, so only the copy of the
    /// exported fields cares). One bit, and nothing while no copy exists.
    #[inline]
    pub(crate) fn changed(&mut self, slot: u32) {
        self.touch();
        if self.rows.is_none() {
            return;
        }
        self.changed.insert(slot);
        self.any_changed = true;
    }

    /// Every customer may have changed (a month roll re-indexes month-to-date spend): the copy
    /// of the exported fields is dropped and built again by the next export.
    pub(crate) fn changed_all(&mut self) {
        self.touch();
        self.rows = None;
        self.changed = Bits::default();
        self.any_changed = false;
    }

    /// Something an export reads changed outside the customers (an operator added, a new
    /// pseudonym key): counted in the stamp only.
    #[inline]
    pub(crate) fn touch(&mut self) {
        self.stamp.changes = self.stamp.changes.wrapping_add(1);
    }

    /// The number of live customers in the order, as of the last refresh.
    pub(crate) fn len(&self) -> usize {
        self.sorted.len()
    }

    /// The desk's number and change count.
    pub(crate) fn stamp(&self) -> &Stamp {
        &self.stamp
    }

    /// Whether changes are waiting for [`IdOrder::refresh`].
    pub(crate) fn is_stale(&self) -> bool {
        !self.added.is_empty() || !self.removed.is_empty()
    }

    /// The exported fields in id order, when up to date (no change of any kind pending).
    pub(crate) fn rows(&self) -> Option<&ExportRows> {
        if self.is_stale() || self.any_changed {
            return None;
        }
        self.rows.as_ref()
    }

    /// Whether the next export has to bring the order or the copy of the exported fields up
    /// to date first: a change pending, no copy yet, or a copy of another month.
    pub(crate) fn needs_refresh(&self, index: &Index) -> bool {
        self.is_stale()
            || self.any_changed
            || self
                .rows
                .as_ref()
                .is_none_or(|rows| rows.month != index.month)
    }

    /// Merges the pending changes into the order and into the copy of the exported fields
    /// (built on the first call), reading from the desk's slots and index.
    pub(crate) fn refresh_with_rows(&mut self, slots: &[Option<Customer>], index: &Index) {
        if self.needs_refresh(index) {
            *self = self.refreshed(slots, index);
        }
    }

    /// The order and the copy as [`IdOrder::refresh_with_rows`] leaves them, built from a
    /// shared borrow (the old copy is read, not consumed), with the same stamp: a host builds
    /// it while reads go on and installs it in a moment (`Desk::install_export_order`).
    pub(crate) fn refreshed(&self, slots: &[Option<Customer>], index: &Index) -> IdOrder {
        let mut next = IdOrder {
            sorted: self.sorted.clone(),
            added: self.added.clone(),
            removed: self.removed.clone(),
            rows: None,
            changed: Bits::default(),
            any_changed: false,
            stamp: Stamp {
                desk: self.stamp.desk,
                changes: self.stamp.changes,
            },
        };
        next.refresh(slots);
        let changes = Changes {
            added: &self.added,
            removed: &self.removed,
            changed: &self.changed,
        };
        next.rows = match &self.rows {
            Some(rows) => rows.merge(&next.sorted, &changes, slots, index),
            None => ExportRows::build(&next.sorted, slots, index),
        };
        next
    }

    /// Brings the order up to date after a bulk load, unless a copy of the exported fields
    /// exists: that copy follows the order, and the next export merges both
    /// ([`IdOrder::refresh_with_rows`]).
    pub(crate) fn refresh_order(&mut self, slots: &[Option<Customer>]) {
        if self.rows.is_none() {
            self.refresh(slots);
        }
    }

    /// The live slots by ascending id, when up to date.
    pub(crate) fn get(&self) -> Option<&[u32]> {
        (!self.is_stale()).then_some(self.sorted.as_slice())
    }

    /// Merges the pending changes into the order, reading ids from the desk's slots (a copy of
    /// the exported fields is left behind: [`IdOrder::refresh_with_rows`] keeps both).
    pub(crate) fn refresh(&mut self, slots: &[Option<Customer>]) {
        if self.is_stale() {
            self.rows = None;
        }
        if !self.removed.is_empty() {
            let removed = std::mem::take(&mut self.removed);
            self.sorted.retain(|s| !removed.contains(*s));
        }
        if self.added.is_empty() {
            return;
        }
        let added = std::mem::take(&mut self.added);
        // Sorting on a 16-byte prefix held next to each slot avoids chasing two pointers per
        // comparison; ids hold no NUL byte, so the zero-padded prefix orders like the id.
        let mut keyed: Vec<([u8; 16], u32)> = added
            .iter()
            .map(|slot| {
                let id = id_of(slots, slot).as_bytes();
                let mut key = [0u8; 16];
                let n = id.len().min(16);
                key[..n].copy_from_slice(&id[..n]);
                (key, slot)
            })
            .collect();
        keyed.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| id_of(slots, a.1).cmp(id_of(slots, b.1)))
        });
        if self.sorted.is_empty() {
            self.sorted = keyed.into_iter().map(|(_, s)| s).collect();
            return;
        }
        // Merge: each new slot finds its place by binary search in what is left of the list,
        // and the runs between are copied whole.
        let mut merged = Vec::with_capacity(self.sorted.len() + keyed.len());
        let mut from = 0;
        for (_, slot) in keyed {
            let id = id_of(slots, slot);
            let at = from + self.sorted[from..].partition_point(|s| id_of(slots, *s) < id);
            merged.extend_from_slice(&self.sorted[from..at]);
            merged.push(slot);
            from = at;
        }
        merged.extend_from_slice(&self.sorted[from..]);
        self.sorted = merged;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::association::{Association, AssociationType};
    use crate::ids::CustomerId;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    fn customer(id: &str) -> Option<Customer> {
        let since = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single()?;
        let id = CustomerId::new(id).ok()?;
        Some(Customer::new(
            id,
            "acct",
            "Name",
            Association::new(AssociationType::Referral, since),
        ))
    }

    /// Applies (add id | remove slot) steps to a slab like the desk's, refreshing now and
    /// then, and checks the order against a plain sort of the live slots.
    fn check(steps: &[(bool, u8, bool)]) {
        let mut slots: Vec<Option<Customer>> = Vec::new();
        let mut free: Vec<u32> = Vec::new();
        let mut order = IdOrder::default();
        let mut next = 0u32;
        for &(add, pick, refresh) in steps {
            if add {
                // Ids of varying length sharing long prefixes, to exercise the prefix key.
                let id = format!("{:0>20}{}", u32::from(pick) * 7919 % 1000, next);
                next += 1;
                let slot = free.pop().unwrap_or_else(|| {
                    slots.push(None);
                    (slots.len() - 1) as u32
                });
                slots[slot as usize] = customer(&id);
                order.added(slot);
            } else {
                let live: Vec<u32> = (0..slots.len() as u32)
                    .filter(|s| slots[*s as usize].is_some())
                    .collect();
                if let Some(&slot) = live.get(usize::from(pick) % live.len().max(1)) {
                    slots[slot as usize] = None;
                    free.push(slot);
                    order.removed(slot);
                }
            }
            if refresh {
                order.refresh(&slots);
            }
        }
        order.refresh(&slots);
        let mut want: Vec<u32> = (0..slots.len() as u32)
            .filter(|s| slots[*s as usize].is_some())
            .collect();
        want.sort_by(|a, b| id_of(&slots, *a).cmp(id_of(&slots, *b)));
        assert_eq!(order.get(), Some(want.as_slice()));
    }

    #[test]
    fn stale_until_refreshed() {
        let slots = vec![customer("b"), customer("a")];
        let mut order = IdOrder::default();
        order.added(0);
        order.added(1);
        assert_eq!(order.get(), None);
        order.refresh(&slots);
        assert_eq!(order.get(), Some(&[1, 0][..]));
    }

    proptest! {
        #[test]
        fn matches_a_sort_of_the_live_slots(
            steps in proptest::collection::vec((any::<bool>(), any::<u8>(), any::<bool>()), 0..200)
        ) {
            check(&steps);
        }
    }
}
