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
//! scan of every record. The index is kept on every `set` and `remove`, the only ways a value
//! changes. The names' column also keeps its values' words ([`super::words`]), which answer a
//! needle of letters and digits without reading any value.
//!
//! Why fixed-width records: with a common word (`cloud` is in 44,409 of a million demo names,
//! and so are each of its trigrams) the check of the candidates is the whole cost, and it is
//! memory, not instructions. A slot's value sits in its own 32-byte record (see `WIDTH`), so a
//! check reads one cache line found from the slot alone, and the checks of a group of
//! candidates are started together (`TextColumn::touch`).

use super::slot_bitmap::sorted_bitmap;
use super::words::Words;
use crate::ids::IdMap as HashMap;
use roaring::RoaringBitmap;

/// How many candidates [`TextColumn::touch`] reads at once.
const TOUCH_GROUP: usize = 32;

/// A trigram: three bytes, packed.
type Gram = u32;

/// The distinct trigrams of a value, in order.
fn grams(value: &str) -> Vec<Gram> {
    grams_of_bytes(value.as_bytes())
}

/// [`grams`] of a value's bytes.
fn grams_of_bytes(b: &[u8]) -> Vec<Gram> {
    let mut out = Vec::new();
    grams_into(b, &mut out);
    out
}

/// [`grams_of_bytes`] into a buffer the caller keeps (cleared first): a bulk load of a
/// million values allocates it once.
fn grams_into(b: &[u8], out: &mut Vec<Gram>) {
    out.clear();
    out.extend(
        b.windows(3)
            .map(|w| u32::from(w[0]) << 16 | u32::from(w[1]) << 8 | u32::from(w[2])),
    );
    out.sort_unstable();
    out.dedup();
}

/// Appends a value lower-cased, as `str::to_lowercase` gives it: ASCII in place, other text
/// char by char (the same mapping, without a `String` made for each value), and a value with
/// a capital sigma through `to_lowercase` itself (its final-sigma rule needs the whole value).
fn push_lower(buf: &mut String, value: &str) {
    if value.is_ascii() {
        let at = buf.len();
        buf.push_str(value);
        if let Some(added) = buf.get_mut(at..) {
            added.make_ascii_lowercase();
        }
    } else if value.contains('\u{3a3}') {
        buf.push_str(&value.to_lowercase());
    } else {
        buf.extend(value.chars().flat_map(char::to_lowercase));
    }
}

/// A text value's sort key (see [`TextColumn::key`]): its first eight bytes, zero-padded, as a
/// big-endian number, then all its bytes. The number orders as the bytes do (never the other
/// way round), so comparing it first and the bytes on a tie is the bytes' order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TextKey<'a>(u64, &'a [u8]);

/// The most (trigram, slot) pairs [`TextColumn::set_many`] sorts at once: 32 MB of pairs (a
/// few in tests, so that they go through many rounds).
const PAIRS_PER_ROUND: usize = if cfg!(test) { 16 } else { 1 << 22 };

/// The bytes of one slot's record: a length byte and up to [`INLINE`] bytes of value.
const WIDTH: usize = 32;
/// The longest value kept in its record; longer ones go to the column's `long` buffer.
const INLINE: usize = WIDTH - 1;
/// First byte of the record of a slot with no value.
const ABSENT: u8 = 0xFE;
/// First byte of the record of a value kept in `long`: the record holds its start and length
/// (two little-endian `u64`s from byte 1).
const LONG: u8 = 0xFF;

/// The record of a slot with no value.
const NO_RECORD: [u8; WIDTH] = {
    let mut r = [0u8; WIDTH];
    r[0] = ABSENT;
    r
};

/// Lower-cased text values of every slot, with their trigrams' posting lists.
///
/// Each slot has a fixed 32-byte record, at `slot * 32`: its value's length and bytes when
/// they fit (most names and account names do), else where the value is in `long`. Checking a
/// candidate then reads one cache line found from the slot alone, with no table to look up
/// first, and the checks of different candidates do not wait for one another.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextColumn {
    /// The record of each slot (see [`WIDTH`]).
    records: Vec<[u8; WIDTH]>,
    /// Values longer than [`INLINE`] bytes, one after the other.
    long: Vec<u8>,
    /// The slots whose value is in `long`.
    long_slots: RoaringBitmap,
    /// Bytes of `long` no record points to any more.
    long_dead: usize,
    /// How many slots have a value.
    values: u64,
    /// The slots whose value holds each trigram.
    grams: HashMap<Gram, RoaringBitmap>,
    /// The values' words, for a column that keeps them (see [`super::words`]).
    words: Option<Box<Words>>,
}

impl TextColumn {
    /// An empty column that also keeps its values' words (the names' column).
    pub(crate) fn with_words() -> Self {
        TextColumn {
            words: Some(Box::default()),
            ..TextColumn::default()
        }
    }

    pub(crate) fn set(&mut self, slot: u32, value: &str) {
        let mut lower = String::new();
        push_lower(&mut lower, value);
        self.set_lower(slot, &lower);
    }

    /// [`TextColumn::set`] of a value already lower-cased.
    pub(crate) fn set_lower(&mut self, slot: u32, lower: &str) {
        self.remove(slot);
        for g in grams(lower) {
            self.grams.entry(g).or_default().insert(slot);
        }
        if let Some(words) = &mut self.words {
            words.add(slot, lower);
        }
        self.store(slot, lower.as_bytes());
    }

    /// [`TextColumn::set`] for many slots, the trigram lists built in bulk: the (trigram,
    /// slot) pairs are collected, sorted and each list extended from its sorted run, instead
    /// of one bitmap visited per trigram of every value (at a million values, a cache miss
    /// each). Each slot is given at most once.
    ///
    /// The pairs go to the posting lists in rounds of at most [`PAIRS_PER_ROUND`]
    /// ([`TextColumn::post`]), so a load's peak memory does not grow with them: at a million
    /// names, 19.8 million pairs were 158 MB, and as much again for the sort's scratch (at
    /// ten million, 3.2 GB); rounds reuse 64 MB. (The time of a 1M load is the same.)
    pub(crate) fn set_many<'a>(&mut self, values: impl Iterator<Item = (u32, &'a str)>) {
        let mut pairs: Vec<u64> = Vec::new();
        let mut lower = String::new();
        let mut value_grams = Vec::new();
        for (slot, value) in values {
            self.remove(slot);
            lower.clear();
            push_lower(&mut lower, value);
            grams_into(lower.as_bytes(), &mut value_grams);
            pairs.extend(
                value_grams
                    .iter()
                    .map(|&g| u64::from(g) << 32 | u64::from(slot)),
            );
            if let Some(words) = &mut self.words {
                words.add(slot, &lower);
            }
            self.store(slot, lower.as_bytes());
            if pairs.len() >= PAIRS_PER_ROUND {
                self.post(&mut pairs);
            }
        }
        self.post(&mut pairs);
    }

    /// Adds (trigram, slot) pairs to the posting lists and empties `pairs`. The pairs are
    /// sorted by trigram with a stable radix sort (`radsort`), so the slots of each trigram
    /// stay in the order they were given; ascending slots (a load, whose rounds come in slot
    /// order too) are appended to each list in one pass, anything else still goes in, slot
    /// by slot.
    fn post(&mut self, pairs: &mut Vec<u64>) {
        radsort::sort_by_key(pairs, |p| (p >> 32) as u32);
        for run in pairs.chunk_by(|a, b| a >> 32 == b >> 32) {
            let Some(first) = run.first() else { continue };
            let list = run.iter().map(|p| *p as u32);
            let b = self.grams.entry((first >> 32) as Gram).or_default();
            if let Err(e) = b.append(list.clone()) {
                let appended = usize::try_from(e.valid_until()).unwrap_or(usize::MAX);
                b.extend(list.skip(appended));
            }
        }
        pairs.clear();
    }

    /// Writes the record of a slot that has no value now (its trigrams are already listed).
    fn store(&mut self, slot: u32, lower: &[u8]) {
        let s = slot as usize;
        if self.records.len() <= s {
            self.records.resize(s + 1, NO_RECORD);
        }
        let mut record = [0u8; WIDTH];
        if lower.len() <= INLINE {
            record[0] = lower.len() as u8;
            record[1..=lower.len()].copy_from_slice(lower);
        } else {
            record[0] = LONG;
            record[1..9].copy_from_slice(&(self.long.len() as u64).to_le_bytes());
            record[9..17].copy_from_slice(&(lower.len() as u64).to_le_bytes());
            self.long.extend_from_slice(lower);
            self.long_slots.insert(slot);
        }
        self.records[s] = record;
        self.values += 1;
    }

    pub(crate) fn remove(&mut self, slot: u32) {
        if !self.has(slot) {
            return;
        }
        if let Some(mut words) = self.words.take() {
            words.remove(slot, self.get(slot));
            self.words = Some(words);
        }
        for g in grams_of_bytes(self.bytes(slot)) {
            if let Some(b) = self.grams.get_mut(&g) {
                b.remove(slot);
                if b.is_empty() {
                    self.grams.remove(&g);
                }
            }
        }
        if self.long_slots.remove(slot) {
            self.long_dead += self.bytes(slot).len();
        }
        self.records[slot as usize] = NO_RECORD;
        self.values -= 1;
        if self.long_dead > 4096 && self.long_dead * 2 > self.long.len() {
            self.compact();
        }
    }

    /// Makes room for the records of slots below `slots`.
    pub(crate) fn reserve(&mut self, slots: usize) {
        self.records
            .reserve(slots.saturating_sub(self.records.len()));
    }

    /// Whether a slot has a value.
    fn has(&self, slot: u32) -> bool {
        self.records
            .get(slot as usize)
            .is_some_and(|r| r[0] != ABSENT)
    }

    /// The lower-cased value of a slot as bytes (empty when none).
    pub(crate) fn bytes(&self, slot: u32) -> &[u8] {
        let Some(record) = self.records.get(slot as usize) else {
            return &[];
        };
        match record[0] {
            ABSENT => &[],
            LONG => {
                let word = |at: usize| {
                    let mut w = [0u8; 8];
                    w.copy_from_slice(&record[at..at + 8]);
                    u64::from_le_bytes(w) as usize
                };
                let (start, len) = (word(1), word(9));
                self.long
                    .get(start..start.saturating_add(len))
                    .unwrap_or_default()
            }
            len => record.get(1..=usize::from(len)).unwrap_or_default(),
        }
    }

    /// The sort key of a slot's value: ordered as its lower-cased bytes are, with most
    /// comparisons settled by their first eight bytes as one number.
    pub(crate) fn key(&self, slot: u32) -> TextKey<'_> {
        let bytes = self.bytes(slot);
        let mut head = [0u8; 8];
        let n = bytes.len().min(8);
        head[..n].copy_from_slice(&bytes[..n]);
        TextKey(u64::from_be_bytes(head), bytes)
    }

    /// The lower-cased value of a slot ("" when none).
    pub(crate) fn get(&self, slot: u32) -> &str {
        std::str::from_utf8(self.bytes(slot)).unwrap_or_default()
    }

    /// Estimated heap bytes of the values (records, side buffer, its slots), of the trigram
    /// lists and of the words, apart.
    pub(crate) fn heap_bytes(&self) -> (usize, usize, usize) {
        use crate::model::heap::vec_bytes;
        (
            vec_bytes(&self.records)
                + self.long.capacity()
                + crate::model::heap::bitmap_bytes(&self.long_slots),
            crate::model::heap::bitmaps_bytes(&self.grams),
            self.words
                .as_ref()
                .map_or(0, |w| size_of::<Words>() + w.heap_bytes()),
        )
    }

    /// Rewrites `long` with the values still in use.
    fn compact(&mut self) {
        let mut fresh = Vec::with_capacity(self.long.len() - self.long_dead);
        for slot in &self.long_slots {
            let start = fresh.len() as u64;
            fresh.extend_from_slice(self.bytes(slot));
            if let Some(record) = self.records.get_mut(slot as usize) {
                record[1..9].copy_from_slice(&start.to_le_bytes());
            }
        }
        self.long = fresh;
        self.long_dead = 0;
    }

    /// Slots whose lower-cased value contains `needle` (already lower-cased): from the words
    /// when the column keeps them and the needle is part of one word, else from the trigram
    /// index when the needle has a trigram, else by the scan.
    pub(crate) fn contains(&self, needle: &str) -> RoaringBitmap {
        if let Some(found) = self.words.as_ref().and_then(|w| w.contains(needle)) {
            return found;
        }
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
        if lists.first().is_some_and(|b| b.len() * 4 > self.values) {
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
        let candidates: Vec<u32> = found.iter().collect();
        let mut kept = Vec::with_capacity(candidates.len());
        let mut values = Vec::with_capacity(TOUCH_GROUP);
        for group in candidates.chunks(TOUCH_GROUP) {
            self.touch(group, &mut values);
            kept.extend(
                group
                    .iter()
                    .zip(&values)
                    .filter(|(_, v)| finder.find(v).is_some())
                    .map(|(s, _)| *s),
            );
        }
        Some(RoaringBitmap::from_sorted_iter(kept).unwrap_or_default())
    }

    /// The values of a group of slots into `values` (emptied first), their first bytes read in
    /// one go: each record is somewhere else in a table far bigger than the cache, and these
    /// reads do not depend on one another, so the processor waits for all of them at once
    /// instead of for each in turn before its check.
    fn touch<'a>(&'a self, slots: &[u32], values: &mut Vec<&'a [u8]>) {
        values.clear();
        values.extend(slots.iter().map(|s| self.bytes(*s)));
        let first = values
            .iter()
            .fold(0u8, |acc, v| acc ^ v.first().copied().unwrap_or(0));
        std::hint::black_box(first);
    }

    /// Slots whose value contains `needle`, by a scan of every record: one search through the
    /// records as one run of bytes (a hit is checked against its slot's whole value, and the
    /// search goes on at the next record), then the values kept in `long`.
    fn scan(&self, needle: &str) -> RoaringBitmap {
        if needle.is_empty() {
            return (0u32..)
                .zip(&self.records)
                .filter(|(_, r)| r[0] != ABSENT)
                .map(|(s, _)| s)
                .collect();
        }
        let n = needle.as_bytes();
        let finder = memchr::memmem::Finder::new(n);
        let run = self.records.as_flattened();
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(hit) = run.get(pos..).and_then(|rest| finder.find(rest)) {
            let slot = (pos + hit) / WIDTH;
            if !self.long_slots.contains(slot as u32)
                && finder.find(self.bytes(slot as u32)).is_some()
            {
                out.push(slot as u32);
            }
            pos = (slot + 1) * WIDTH;
        }
        out.extend(
            self.long_slots
                .iter()
                .filter(|s| finder.find(self.bytes(*s)).is_some()),
        );
        sorted_bitmap(out)
    }

    /// Slots whose lower-cased value equals `needle` (already lower-cased).
    pub(crate) fn equals(&self, needle: &str) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        for slot in self.contains(needle) {
            if self.bytes(slot) == needle.as_bytes() {
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
                "a", "b", "c", "cl", "oud", "Cloud", "科", "技", "1", " ", "ΟΔΟΣ", ".", "\u{3000}",
                "e\u{301}", "_",
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
        /// Lower-casing into the buffer gives `to_lowercase`'s text, after what the buffer held.
        #[test]
        fn push_lower_is_to_lowercase(v in "\\PC{0,30}", head in "[A-Za-z]{0,3}", sigma in any::<bool>()) {
            let v = if sigma { format!("{v}ΟΔΟΣ İ") } else { v };
            let mut buf = head.clone();
            push_lower(&mut buf, &v);
            prop_assert_eq!(buf, format!("{head}{}", v.to_lowercase()));
        }

        /// Values set in bulk (over a column already changed, some slots set again) give the
        /// answers and values of setting them one by one.
        #[test]
        fn set_many_equals_set_one_by_one(before in proptest::collection::vec(op(), 0..60),
                                          values in proptest::collection::vec(value(), 0..40),
                                          needles in proptest::collection::vec(value(), 1..10),
                                          words in any::<bool>()) {
            let column = || if words { TextColumn::with_words() } else { TextColumn::default() };
            let (mut one, mut bulk) = (column(), column());
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

        /// Sort keys order as the lower-cased values do, short, long and absent alike.
        #[test]
        fn keys_order_as_the_values(values in proptest::collection::vec(value(), 1..30)) {
            let mut col = TextColumn::default();
            for (i, v) in values.iter().enumerate() {
                col.set(i as u32, &format!("{v}{}", "ΟΔΟΣ".repeat(i % 6)));
            }
            for a in 0..=values.len() as u32 {
                for b in 0..=values.len() as u32 {
                    prop_assert_eq!(col.key(a).cmp(&col.key(b)), col.get(a).cmp(col.get(b)));
                }
            }
        }

        /// After any changes, the index (with and without the words) answers every needle as
        /// a scan of the values does, and the words are those of the values left.
        #[test]
        fn contains_equals_the_naive_scan(ops in proptest::collection::vec(op(), 1..120),
                                          needles in proptest::collection::vec(value(), 1..12),
                                          words in any::<bool>()) {
            let mut col = if words { TextColumn::with_words() } else { TextColumn::default() };
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
                // Each part of a word as a needle too (the words' own path).
                for part in n.split(|c: char| !c.is_alphanumeric()).filter(|p| !p.is_empty()) {
                    let want = naive.iter().filter(|(_, v)| v.contains(part)).count() as u64;
                    prop_assert_eq!(col.contains(part).len(), want, "part {:?}", part);
                }
            }
            if let Some(w) = &col.words {
                let distinct: std::collections::BTreeSet<&str> = naive
                    .values()
                    .flat_map(|v| v.split(|c: char| !c.is_alphanumeric()))
                    .filter(|p| !p.is_empty())
                    .collect();
                prop_assert_eq!(w.len(), distinct.len(), "words of the values left");
            }
        }
    }

    /// Values longer than a record, replaced and removed until their buffer is rewritten,
    /// read back and found as the values they are.
    #[test]
    fn long_values_survive_their_buffer_being_rewritten() {
        let mut col = TextColumn::default();
        let long = |i: u32, round: u32| format!("Cloud Holdings Long Name {i} Round {round} ΟΔΟΣ");
        for round in 0..42 {
            for slot in 0..30 {
                if round % 3 == 2 && slot % 4 == 0 {
                    col.remove(slot);
                } else {
                    col.set(slot, &long(slot, round));
                }
            }
            // The last round removes every fourth value; short values stay in their records
            // beside the long ones.
            col.set(100 + round, "short");
        }
        assert!(col.long.len() < 30 * 64 * 3, "the buffer was rewritten");
        for slot in 0..30 {
            let want = if slot % 4 == 0 {
                String::new()
            } else {
                long(slot, 41).to_lowercase()
            };
            assert_eq!(col.get(slot), want);
        }
        let holders: Vec<u32> = (0..30).filter(|s| s % 4 != 0).collect();
        assert_eq!(
            col.contains("round 41 οδος").iter().collect::<Vec<_>>(),
            holders
        );
        assert_eq!(col.scan("41 ο").iter().collect::<Vec<_>>(), holders);
        assert_eq!(col.contains("short").len(), 42);
        assert_eq!(col.equals("short").len(), 42);
        assert!(col.contains("round 40").is_empty());
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
