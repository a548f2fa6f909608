//! The text columns of the search index (customer names, account names): every slot's
//! lower-cased value, and an n-gram index over them for substring search.
//!
//! Why an n-gram index: `name~cloud` is the console's most common search, and a scan of every
//! name costs the whole portfolio (about 10 ms at a million customers). As PostgreSQL's
//! `pg_trgm` does, each value's byte trigrams (three consecutive bytes of its lower-cased
//! UTF-8, so a CJK character or a pair across characters is a trigram too) map to the slots
//! whose value holds them, as roaring bitmaps. A substring of three bytes or more can only be
//! in a value that holds all of its trigrams: the bitmaps of the needle's trigrams are
//! intersected, smallest first, and only the slots left are checked against the needle
//! (a needle of exactly three bytes needs no check: its one trigram is the answer). A needle
//! shorter than three bytes, or one whose rarest trigram is still common, is answered by the
//! scan of the one buffer that holds every value. The index is kept on every `set` and
//! `remove`, the only ways a value changes.

use super::index::sorted_bitmap;
use crate::ids::IdMap as HashMap;
use roaring::RoaringBitmap;

const DEAD: u32 = u32::MAX;

/// A trigram: three bytes, packed.
type Gram = u32;

/// The distinct trigrams of a value, in order.
fn grams(value: &str) -> Vec<Gram> {
    let b = value.as_bytes();
    let mut out: Vec<Gram> = b
        .windows(3)
        .map(|w| u32::from(w[0]) << 16 | u32::from(w[1]) << 8 | u32::from(w[2]))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Appends a value lower-cased: ASCII byte by byte (what `to_lowercase` gives for it),
/// anything else through `to_lowercase` (its final-sigma rule needs the whole value).
fn push_lower(buf: &mut String, value: &str) {
    if value.is_ascii() {
        buf.extend(value.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        buf.push_str(&value.to_lowercase());
    }
}

/// Lower-cased text values of every slot, in one buffer separated by NUL, with their
/// trigrams' posting lists.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextColumn {
    buf: String,
    /// The slots whose value holds each trigram.
    grams: HashMap<Gram, RoaringBitmap>,
    /// Start offset of each entry, ascending.
    starts: Vec<usize>,
    /// Slot owning each entry, or `DEAD`.
    owners: Vec<u32>,
    /// Entry of each slot, or `DEAD`.
    at: Vec<u32>,
    dead_bytes: usize,
}

impl TextColumn {
    pub(crate) fn set(&mut self, slot: u32, value: &str) {
        self.remove(slot);
        let start = self.buf.len();
        push_lower(&mut self.buf, value);
        for g in grams(self.buf.get(start..).unwrap_or_default()) {
            self.grams.entry(g).or_default().insert(slot);
        }
        self.own(slot, start);
        if self.dead_bytes > 4096 && self.dead_bytes * 2 > self.buf.len() {
            self.compact();
        }
    }

    /// [`TextColumn::set`] for many slots, the trigram lists built in bulk: every (trigram,
    /// slot) pair is collected, sorted once and each list extended from its sorted run,
    /// instead of one bitmap visited per trigram of every value (at a million values, a cache
    /// miss each). Each slot is given at most once.
    pub(crate) fn set_many<'a>(&mut self, values: impl Iterator<Item = (u32, &'a str)>) {
        let mut pairs: Vec<u64> = Vec::new();
        for (slot, value) in values {
            self.remove(slot);
            let start = self.buf.len();
            push_lower(&mut self.buf, value);
            let lower = self.buf.get(start..).unwrap_or_default();
            pairs.extend(
                grams(lower)
                    .into_iter()
                    .map(|g| u64::from(g) << 32 | u64::from(slot)),
            );
            self.own(slot, start);
        }
        pairs.sort_unstable();
        for run in pairs.chunk_by(|a, b| a >> 32 == b >> 32) {
            let Some(first) = run.first() else { continue };
            let list = run.iter().map(|p| *p as u32);
            let gram = (first >> 32) as Gram;
            match self.grams.get_mut(&gram) {
                Some(b) => b.extend(list),
                None => {
                    // Ascending slots (each given once) build the list in one pass; anything
                    // else still builds it, slot by slot.
                    let b = RoaringBitmap::from_sorted_iter(list.clone())
                        .unwrap_or_else(|_| list.collect());
                    self.grams.insert(gram, b);
                }
            }
        }
        if self.dead_bytes > 4096 && self.dead_bytes * 2 > self.buf.len() {
            self.compact();
        }
    }

    /// Makes room for the entries of slots below `slots`.
    pub(crate) fn reserve(&mut self, slots: usize) {
        let more = |len: usize| slots.saturating_sub(len);
        self.at.reserve(more(self.at.len()));
        self.starts.reserve(more(self.starts.len()));
        self.owners.reserve(more(self.owners.len()));
    }

    /// Makes `slot` the owner of the value just written at `start` of the buffer, and ends it.
    fn own(&mut self, slot: u32, start: usize) {
        let s = slot as usize;
        if self.at.len() <= s {
            self.at.resize(s + 1, DEAD);
        }
        self.at[s] = self.owners.len() as u32;
        self.starts.push(start);
        self.owners.push(slot);
        self.buf.push('\0');
    }

    pub(crate) fn remove(&mut self, slot: u32) {
        if let Some(e) = self.at.get(slot as usize).copied().filter(|e| *e != DEAD) {
            let start = self.starts[e as usize];
            let old = &self.buf[start..start + self.entry_len(e as usize)];
            for g in grams(old) {
                if let Some(b) = self.grams.get_mut(&g) {
                    b.remove(slot);
                    if b.is_empty() {
                        self.grams.remove(&g);
                    }
                }
            }
            self.dead_bytes += self.entry_len(e as usize) + 1;
            self.owners[e as usize] = DEAD;
            self.at[slot as usize] = DEAD;
        }
    }

    fn entry_len(&self, e: usize) -> usize {
        let end = self.starts.get(e + 1).copied().unwrap_or(self.buf.len());
        end - self.starts[e] - 1
    }

    /// The lower-cased value of a slot as bytes (empty when none).
    fn bytes(&self, slot: u32) -> &[u8] {
        match self.at.get(slot as usize).copied().filter(|e| *e != DEAD) {
            Some(e) => {
                let start = self.starts[e as usize];
                self.buf
                    .as_bytes()
                    .get(start..start + self.entry_len(e as usize))
                    .unwrap_or_default()
            }
            None => &[],
        }
    }

    /// The lower-cased value of a slot ("" when none).
    pub(crate) fn get(&self, slot: u32) -> &str {
        match self.at.get(slot as usize).copied().filter(|e| *e != DEAD) {
            Some(e) => {
                let start = self.starts[e as usize];
                &self.buf[start..start + self.entry_len(e as usize)]
            }
            None => "",
        }
    }

    /// Estimated heap bytes of the values (buffer, offsets, owners, entries) and of the
    /// trigram lists, apart.
    pub(crate) fn heap_bytes(&self) -> (usize, usize) {
        use crate::model::heap::vec_bytes;
        (
            self.buf.capacity()
                + vec_bytes(&self.starts)
                + vec_bytes(&self.owners)
                + vec_bytes(&self.at),
            crate::model::heap::bitmaps_bytes(&self.grams),
        )
    }

    fn compact(&mut self) {
        let mut fresh = TextColumn {
            at: vec![DEAD; self.at.len()],
            grams: std::mem::take(&mut self.grams),
            ..Default::default()
        };
        for (e, owner) in self.owners.iter().enumerate() {
            if *owner != DEAD {
                let start = self.starts[e];
                let text = &self.buf[start..start + self.entry_len(e)];
                fresh.at[*owner as usize] = fresh.owners.len() as u32;
                fresh.starts.push(fresh.buf.len());
                fresh.owners.push(*owner);
                fresh.buf.push_str(text);
                fresh.buf.push('\0');
            }
        }
        *self = fresh;
    }

    /// Slots whose lower-cased value contains `needle` (already lower-cased): from the
    /// trigram index when the needle has a trigram, else by the scan.
    pub(crate) fn contains(&self, needle: &str) -> RoaringBitmap {
        match self.by_grams(needle) {
            Some(found) => found,
            None => self.scan(needle),
        }
    }

    /// The answer from the trigram index, or `None` when the scan is cheaper: a needle shorter
    /// than three bytes, or whose rarest trigram is in more than a quarter of the values (the
    /// candidates would cost about as much to check as the scan).
    fn by_grams(&self, needle: &str) -> Option<RoaringBitmap> {
        let wanted = grams(needle);
        if wanted.is_empty() {
            return None;
        }
        let mut lists = Vec::with_capacity(wanted.len());
        for g in &wanted {
            match self.grams.get(g) {
                Some(b) => lists.push(b),
                // A trigram no value holds: nothing matches.
                None => return Some(RoaringBitmap::new()),
            }
        }
        lists.sort_unstable_by_key(|b| b.len());
        // Entries include values replaced since the last compaction: a rough count is enough.
        let entries = self.owners.len() as u64;
        if lists.first().is_some_and(|b| b.len() * 4 > entries) {
            return None;
        }
        let mut found = lists.first().map(|b| (*b).clone()).unwrap_or_default();
        for b in &lists[1..] {
            found &= *b;
        }
        if needle.len() == 3 {
            return Some(found);
        }
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        found.retain(|slot| finder.find(self.bytes(slot)).is_some());
        Some(found)
    }

    /// Slots whose value contains `needle`, by a scan of the one buffer of every value.
    fn scan(&self, needle: &str) -> RoaringBitmap {
        if needle.is_empty() {
            return sorted_bitmap(self.owners.iter().copied().filter(|o| *o != DEAD).collect());
        }
        let mut out = Vec::new();
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let mut last_entry = usize::MAX;
        for off in finder.find_iter(self.buf.as_bytes()) {
            let e = self.starts.partition_point(|s| *s <= off) - 1;
            if e == last_entry {
                continue;
            }
            let owner = self.owners[e];
            if owner != DEAD && off + needle.len() <= self.starts[e] + self.entry_len(e) {
                out.push(owner);
                last_entry = e;
            }
        }
        sorted_bitmap(out)
    }

    /// Slots whose lower-cased value equals `needle` (already lower-cased).
    pub(crate) fn equals(&self, needle: &str) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        for slot in self.contains(needle) {
            if self.get(slot) == needle {
                out.insert(slot);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Values drawn from a small alphabet (Latin, CJK, digits, space) so that substrings repeat.
    fn value() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop::sample::select(vec![
                "a", "b", "c", "cl", "oud", "Cloud", "科", "技", "1", " ", "ΟΔΟΣ",
            ]),
            0..8,
        )
        .prop_map(|parts| parts.concat())
    }

    #[derive(Debug, Clone)]
    enum Op {
        Set(u32, String),
        Remove(u32),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u32..40, value()).prop_map(|(s, v)| Op::Set(s, v)),
            1 => (0u32..40).prop_map(Op::Remove),
        ]
    }

    fn apply(col: &mut TextColumn, op: &Op) {
        match op {
            Op::Set(s, v) => col.set(*s, v),
            Op::Remove(s) => col.remove(*s),
        }
    }

    proptest! {
        /// Values set in bulk (over a column already changed, some slots set again) give the
        /// answers and values of setting them one by one.
        #[test]
        fn set_many_equals_set_one_by_one(before in proptest::collection::vec(op(), 0..60),
                                          values in proptest::collection::vec(value(), 0..40),
                                          needles in proptest::collection::vec(value(), 1..10)) {
            let (mut one, mut bulk) = (TextColumn::default(), TextColumn::default());
            for op in &before {
                apply(&mut one, op);
                apply(&mut bulk, op);
            }
            for (i, v) in values.iter().enumerate() {
                one.set(i as u32 * 2, v);
            }
            bulk.set_many(values.iter().enumerate().map(|(i, v)| (i as u32 * 2, v.as_str())));
            for slot in 0..100 {
                prop_assert_eq!(one.get(slot), bulk.get(slot));
            }
            for n in needles.iter().chain([&"σς".to_owned(), &"科技".to_owned()]) {
                let n = n.to_lowercase();
                prop_assert_eq!(one.contains(&n), bulk.contains(&n), "needle {:?}", n);
            }
        }

        /// After any changes, the index answers every needle as a scan of the values does.
        #[test]
        fn contains_equals_the_naive_scan(ops in proptest::collection::vec(op(), 1..120),
                                          needles in proptest::collection::vec(value(), 1..12)) {
            let mut col = TextColumn::default();
            let mut naive: std::collections::BTreeMap<u32, String> = Default::default();
            for op in ops {
                match op {
                    Op::Set(s, v) => {
                        col.set(s, &v);
                        naive.insert(s, v.to_lowercase());
                    }
                    Op::Remove(s) => {
                        col.remove(s);
                        naive.remove(&s);
                    }
                }
            }
            for n in needles {
                let n = n.to_lowercase();
                let want: Vec<u32> = naive
                    .iter()
                    .filter(|(_, v)| v.contains(n.as_str()))
                    .map(|(s, _)| *s)
                    .collect();
                let got: Vec<u32> = col.contains(&n).iter().collect();
                prop_assert_eq!(&got, &want, "needle {:?}", n);
                prop_assert_eq!(col.scan(&n).iter().collect::<Vec<_>>(), want);
            }
        }
    }

    #[test]
    fn the_index_answers_without_the_scan_and_forgets_removed_values() {
        let mut col = TextColumn::default();
        for (slot, v) in [
            "Acme Cloud",
            "Cloudsail",
            "北京云科技",
            "Other",
            "More",
            "Some",
            "Name",
            "Last",
        ]
        .iter()
        .enumerate()
        {
            col.set(slot as u32, v);
        }
        // "clo" is rare here (2 of 8 values): the index answers.
        assert_eq!(col.by_grams("cloud").map(|b| b.len()), Some(2));
        assert_eq!(col.by_grams("科技").map(|b| b.len()), Some(1));
        // A needle shorter than a trigram goes to the scan.
        assert!(col.by_grams("cl").is_none());
        col.remove(1);
        assert_eq!(col.contains("cloud").iter().collect::<Vec<_>>(), vec![0]);
        col.set(0, "renamed");
        assert!(col.contains("cloud").is_empty());
        assert!(
            col.grams.values().all(|b| !b.contains(1)),
            "removed slots leave the postings"
        );
    }
}
