//! Ordered sets laid out for scanning, and a dense bit set for membership checks.
//!
//! Why not `BTreeSet`: the search's keyed access paths (a manager's customers by spend, what
//! expires soonest) walk thousands of consecutive entries per query and check each against the
//! universe. A B-tree spreads them over many small nodes; [`SortedBlocks`] keeps them in a few
//! sorted runs of at most [`BLOCK`] entries, so a range is a handful of contiguous slices, while
//! an insert or removal still moves at most one block's worth of entries. [`Bits`] answers
//! "is this slot in the universe?" with one load, where a roaring bitmap searches a container.

use std::ops::Bound;

/// The most entries one block holds before it splits in two.
const BLOCK: usize = 128;

/// A sorted set of small `Copy` values in sorted blocks of bounded size.
#[derive(Debug)]
pub(crate) struct SortedBlocks<T, S = ()> {
    /// Non-empty blocks, each sorted, every entry of a block below every entry of the next.
    blocks: Vec<Vec<T>>,
    /// What [`BlockSummary::of`] made of each block, made again whenever the block changes.
    summaries: Vec<S>,
    len: usize,
    /// Entries staged by a bulk load ([`SortedBlocks::stage`]), not yet in `blocks`: empty
    /// whenever the set is read (the load settles it before it returns).
    pending: Vec<T>,
}

/// What a set keeps of each of its blocks beside it, so that a pass over a range can answer
/// for a whole block without reading its entries (the expiry index's count of next expiries:
/// [`super::expiry::NextCount`]). `()` keeps nothing.
pub(crate) trait BlockSummary<T>: Sized {
    /// The summary of one block's entries.
    fn of(block: &[T]) -> Self;

    /// The heap bytes it holds, for the memory report.
    fn heap_bytes(&self) -> usize {
        0
    }
}

impl<T> BlockSummary<T> for () {
    fn of(_: &[T]) -> Self {}
}

/// Every block is allocated for its largest size up front (and kept so by clones): an insert
/// never reallocates a block, so a cloned desk changes as fast as the original.
fn block_with<T: Copy>(entries: &[T]) -> Vec<T> {
    let mut b = Vec::with_capacity(BLOCK + 1);
    b.extend_from_slice(entries);
    b
}

impl<T: Copy, S: Clone> Clone for SortedBlocks<T, S> {
    fn clone(&self) -> Self {
        SortedBlocks {
            blocks: self.blocks.iter().map(|b| block_with(b)).collect(),
            summaries: self.summaries.clone(),
            len: self.len,
            pending: self.pending.clone(),
        }
    }
}

impl<T, S> Default for SortedBlocks<T, S> {
    fn default() -> Self {
        SortedBlocks {
            blocks: Vec::new(),
            summaries: Vec::new(),
            len: 0,
            pending: Vec::new(),
        }
    }
}

impl<T: Ord + Copy, S: BlockSummary<T>> SortedBlocks<T, S> {
    /// How many entries the set holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Estimated heap bytes: the block list, every block's buffer, the summaries and the
    /// staged entries.
    pub(crate) fn heap_bytes(&self) -> usize {
        use crate::model::heap::vec_bytes;
        vec_bytes(&self.blocks)
            + self.blocks.iter().map(vec_bytes).sum::<usize>()
            + vec_bytes(&self.summaries)
            + self.summaries.iter().map(S::heap_bytes).sum::<usize>()
            + vec_bytes(&self.pending)
    }

    /// Whether the set is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0 && self.pending.is_empty()
    }

    /// Adds `x` later, at the next [`SortedBlocks::settle`] (a bulk load, whose entries are
    /// sorted once instead of inserted one by one). Nothing reads the set in between.
    pub(crate) fn stage(&mut self, x: T) {
        self.pending.push(x);
    }

    /// Adds the staged entries: into an empty set, sorted and cut into blocks of three
    /// quarters of [`BLOCK`] (room for later inserts before a split); else one by one.
    pub(crate) fn settle(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut staged = std::mem::take(&mut self.pending);
        if !self.blocks.is_empty() {
            for x in staged {
                self.insert(x);
            }
            return;
        }
        staged.sort_unstable();
        staged.dedup();
        self.len = staged.len();
        self.blocks = staged.chunks(BLOCK * 3 / 4).map(block_with).collect();
        self.summaries = self.blocks.iter().map(|b| S::of(b)).collect();
    }

    /// The block that holds `x` or would: the first whose last entry is not below `x` (the last
    /// block when `x` is above everything). `None` when there are no blocks.
    fn block_of(&self, x: &T) -> Option<usize> {
        if self.blocks.is_empty() {
            return None;
        }
        let i = self
            .blocks
            .partition_point(|b| b.last().is_some_and(|l| l < x));
        Some(i.min(self.blocks.len() - 1))
    }

    /// Adds `x`; `false` when it was already there.
    pub(crate) fn insert(&mut self, x: T) -> bool {
        self.settle();
        let Some(b) = self.block_of(&x) else {
            self.blocks.push(block_with(&[x]));
            self.summaries = vec![S::of(&[x])];
            self.len = 1;
            return true;
        };
        let block = &mut self.blocks[b];
        let Err(at) = block.binary_search(&x) else {
            return false;
        };
        block.insert(at, x);
        self.len += 1;
        if block.len() > BLOCK {
            let half = block.len() / 2;
            let tail = block_with(&block[half..]);
            block.truncate(half);
            self.summaries.insert(b + 1, S::of(&tail));
            self.blocks.insert(b + 1, tail);
        }
        self.summaries[b] = S::of(&self.blocks[b]);
        true
    }

    /// Removes `x`; `false` when it was not there.
    pub(crate) fn remove(&mut self, x: &T) -> bool {
        self.settle();
        let Some(b) = self.block_of(x) else {
            return false;
        };
        let block = &mut self.blocks[b];
        let Ok(at) = block.binary_search(x) else {
            return false;
        };
        block.remove(at);
        self.len -= 1;
        if block.is_empty() {
            self.blocks.remove(b);
            self.summaries.remove(b);
        } else {
            self.summaries[b] = S::of(block);
        }
        true
    }

    /// The position of the first entry not below `x` (`strict`: above `x`), as
    /// `(block, index)`; `(blocks, 0)` past the end.
    fn position(&self, x: &T, strict: bool) -> (usize, usize) {
        let before = |e: &T| if strict { e <= x } else { e < x };
        let b = self
            .blocks
            .partition_point(|blk| blk.last().is_some_and(before));
        match self.blocks.get(b) {
            Some(blk) => (b, blk.partition_point(before)),
            None => (b, 0),
        }
    }

    /// The start and end positions of the entries between two bounds.
    fn span(&self, lower: Bound<T>, upper: Bound<T>) -> ((usize, usize), (usize, usize)) {
        debug_assert!(
            self.pending.is_empty(),
            "a staged set is read before it settles"
        );
        let start = match lower {
            Bound::Included(x) => self.position(&x, false),
            Bound::Excluded(x) => self.position(&x, true),
            Bound::Unbounded => (0, 0),
        };
        let end = match upper {
            Bound::Included(x) => self.position(&x, true),
            Bound::Excluded(x) => self.position(&x, false),
            Bound::Unbounded => (self.blocks.len(), 0),
        };
        (start, end)
    }

    /// How many entries lie between two bounds, without visiting them: the lengths of the
    /// blocks in between are summed.
    pub(crate) fn count_range(&self, lower: Bound<T>, upper: Bound<T>) -> usize {
        let (start, end) = self.span(lower, upper);
        if start >= end {
            return 0;
        }
        if start.0 == end.0 {
            return end.1 - start.1;
        }
        let first = self.blocks[start.0].len() - start.1;
        let middle: usize = self.blocks[start.0 + 1..end.0.min(self.blocks.len())]
            .iter()
            .map(Vec::len)
            .sum();
        first + middle + if end.0 < self.blocks.len() { end.1 } else { 0 }
    }

    /// The entries between two bounds, in order (reversible).
    pub(crate) fn range(
        &self,
        lower: Bound<T>,
        upper: Bound<T>,
    ) -> impl DoubleEndedIterator<Item = &T> + use<'_, T, S> {
        self.range_parts(lower, upper).flat_map(|(part, _)| part)
    }

    /// The entries of [`SortedBlocks::range`] as the contiguous slices they lie in, each with
    /// its block's summary when the slice is the whole block.
    pub(crate) fn range_parts(
        &self,
        lower: Bound<T>,
        upper: Bound<T>,
    ) -> impl DoubleEndedIterator<Item = (&[T], Option<&S>)> + use<'_, T, S> {
        let (start, end) = self.span(lower, upper);
        let blocks = if start < end {
            start.0..end.0.saturating_add(1).min(self.blocks.len())
        } else {
            0..0
        };
        blocks.map(move |b| {
            let blk = &self.blocks[b];
            let from = if b == start.0 { start.1 } else { 0 };
            let to = if b == end.0 { end.1 } else { blk.len() };
            let part = &blk[from..to.max(from)];
            let whole = part.len() == blk.len();
            (part, self.summaries.get(b).filter(|_| whole))
        })
    }

    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + use<'_, T, S> {
        self.blocks.iter().flatten()
    }
}

/// A dense bit set over slots: membership in one load.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// Heap bytes of the words.
    pub(crate) fn heap_bytes(&self) -> usize {
        crate::model::heap::vec_bytes(&self.words)
    }

    /// Adds a slot.
    pub(crate) fn insert(&mut self, slot: u32) {
        let w = slot as usize / 64;
        if self.words.len() <= w {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << (slot % 64);
    }

    /// Removes a slot.
    pub(crate) fn remove(&mut self, slot: u32) {
        if let Some(w) = self.words.get_mut(slot as usize / 64) {
            *w &= !(1 << (slot % 64));
        }
    }

    /// Whether a slot is in the set.
    #[inline]
    pub(crate) fn contains(&self, slot: u32) -> bool {
        self.words
            .get(slot as usize / 64)
            .is_some_and(|w| w & (1 << (slot % 64)) != 0)
    }
}

/// Keeps the `wanted` first items of `items` by `cmp`, sorted, and drops the rest: the ones
/// past them are only set apart (`select_nth_unstable_by`), never sorted. A page of 20 out of a
/// run of equal keys (tens of thousands of customers whose next expiry is on one day, at ten
/// million customers) then costs a selection, not a sort of the whole run.
pub(crate) fn keep_first_sorted<T>(
    items: &mut Vec<T>,
    wanted: usize,
    mut cmp: impl FnMut(&T, &T) -> std::cmp::Ordering,
) {
    if wanted == 0 {
        items.clear();
        return;
    }
    if items.len() > wanted {
        items.select_nth_unstable_by(wanted - 1, &mut cmp);
        items.truncate(wanted);
    }
    items.sort_unstable_by(cmp);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    use crate::test_lcg as lcg;

    #[test]
    fn behaves_like_a_btree_set() {
        let mut state = 7;
        let mut ours = SortedBlocks::<u32>::default();
        let mut std_set = BTreeSet::new();
        for round in 0..40_000 {
            let x = (lcg(&mut state) % 3_000) as u32;
            if lcg(&mut state).is_multiple_of(3) {
                assert_eq!(ours.remove(&x), std_set.remove(&x));
            } else {
                assert_eq!(ours.insert(x), std_set.insert(x));
            }
            assert_eq!(ours.len(), std_set.len());
            if round % 997 == 0 {
                assert!(ours.iter().copied().eq(std_set.iter().copied()));
                for _ in 0..50 {
                    let (a, b) = (
                        (lcg(&mut state) % 3_100) as u32,
                        (lcg(&mut state) % 3_100) as u32,
                    );
                    let bounds = [Bound::Included(a), Bound::Excluded(a), Bound::Unbounded];
                    let uppers = [Bound::Included(b), Bound::Excluded(b), Bound::Unbounded];
                    for lo in bounds {
                        for hi in uppers {
                            let ours_fwd: Vec<u32> = ours.range(lo, hi).copied().collect();
                            let ours_rev: Vec<u32> = ours.range(lo, hi).rev().copied().collect();
                            let expected: Vec<u32> = std_set
                                .iter()
                                .copied()
                                .filter(|x| {
                                    (match lo {
                                        Bound::Included(l) => *x >= l,
                                        Bound::Excluded(l) => *x > l,
                                        Bound::Unbounded => true,
                                    }) && (match hi {
                                        Bound::Included(h) => *x <= h,
                                        Bound::Excluded(h) => *x < h,
                                        Bound::Unbounded => true,
                                    })
                                })
                                .collect();
                            assert_eq!(ours_fwd, expected);
                            assert_eq!(ours.count_range(lo, hi), expected.len());
                            assert!(ours_rev.iter().rev().eq(expected.iter()));
                        }
                    }
                }
            }
        }
        assert!(!ours.is_empty());
    }

    #[test]
    fn staged_entries_settle_as_inserted_ones() {
        let mut state = 11;
        for (before, staged) in [(0, 5_000), (0, 1), (300, 2_000), (0, 0)] {
            let (mut ours, mut std_set) = (SortedBlocks::<u32>::default(), BTreeSet::new());
            for _ in 0..before {
                let x = (lcg(&mut state) % 4_000) as u32;
                ours.insert(x);
                std_set.insert(x);
            }
            for _ in 0..staged {
                // Repeats included: settling keeps one of each.
                let x = (lcg(&mut state) % 4_000) as u32;
                ours.stage(x);
                std_set.insert(x);
            }
            assert_eq!(ours.is_empty(), std_set.is_empty());
            ours.settle();
            assert_eq!(ours.len(), std_set.len());
            assert!(ours.iter().copied().eq(std_set.iter().copied()));
            assert!(
                ours.blocks
                    .iter()
                    .all(|b| !b.is_empty() && b.len() <= BLOCK)
            );
            let (lo, hi) = (Bound::Included(1_000), Bound::Excluded(3_000));
            assert_eq!(
                ours.count_range(lo, hi),
                std_set.range(1_000..3_000).count()
            );
            // Changes after settling keep it a set.
            assert_eq!(ours.insert(4_001), std_set.insert(4_001));
            assert_eq!(ours.remove(&4_001), std_set.remove(&4_001));
            assert!(ours.iter().copied().eq(std_set.iter().copied()));
        }
    }

    #[test]
    fn bits_insert_remove_contains() {
        let mut b = Bits::default();
        assert!(!b.contains(1_000));
        b.insert(1_000);
        b.insert(3);
        assert!(b.contains(1_000) && b.contains(3) && !b.contains(4));
        b.remove(1_000);
        b.remove(99_999);
        assert!(!b.contains(1_000) && b.contains(3) && !b.contains(99_999));
        b.remove(3);
        assert!(!b.contains(3));
    }

    proptest::proptest! {
        /// The items kept are the `wanted` first of the whole list sorted, in order.
        #[test]
        fn keep_first_sorted_keeps_the_first_of_the_sorted_list(
            v in proptest::collection::vec(0u8..20, 0..60),
            wanted in 0usize..70,
        ) {
            let mut kept = v.clone();
            keep_first_sorted(&mut kept, wanted, u8::cmp);
            let mut all = v;
            all.sort_unstable();
            all.truncate(wanted);
            proptest::prop_assert_eq!(kept, all);
        }
    }
}
