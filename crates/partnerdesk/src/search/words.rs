//! The words of the names' column: each distinct word of the lower-cased names, with the slots
//! whose name holds it.
//!
//! Why: a common word is in tens of thousands of names (`cloud` in 44,409 of a million demo
//! names), and so is each of its trigrams, so the trigram index leaves every one of those names
//! to be read and checked against the needle, and that check was the whole search. But names
//! are made of far fewer words than there are names (1,700 distinct words in the million demo
//! names; real company and person names share words the same way). A needle made only of
//! letters and digits can only be found inside one word of a value, a word being a maximal run
//! of letters and digits ([`char::is_alphanumeric`]) of the lower-cased value: a match is a run
//! of the value's whole characters (UTF-8 finds a valid needle only on character boundaries),
//! none of them a separator. So the values that hold such a needle are the union of the slot
//! lists of the words that hold it, and those words are found in the words' own trigram
//! column, which is small. No value is read.
//!
//! A needle with any other character (a space, punctuation) is answered by the trigram index
//! of the values, as before. Account names have no word index: a login is one unique token, so
//! its words would be as many as the values and spare no check.

use super::text_index::TextColumn;
use crate::ids::IdMap as HashMap;
use roaring::{MultiOps, RoaringBitmap};

/// The distinct words of a lower-cased value, sorted.
fn words_of(value: &str) -> Vec<&str> {
    let mut out: Vec<&str> = value
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Distinct words, each with an id, its text in a trigram column (the word's id is its slot
/// there) and the slots whose value holds it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Words {
    /// Each word's id.
    ids: HashMap<Box<str>, u32>,
    /// The words' texts by id, with their trigrams (no word index of its own).
    column: TextColumn,
    /// The slots whose value holds each word, by id (empty for a free id).
    slots: Vec<RoaringBitmap>,
    /// Ids whose word no value holds any more, to be given again.
    free: Vec<u32>,
}

impl Words {
    /// Lists `slot` under each word of its lower-cased `value`.
    pub(crate) fn add(&mut self, slot: u32, value: &str) {
        for word in words_of(value) {
            let id = match self.ids.get(word) {
                Some(id) => *id,
                None => self.new_word(word),
            };
            if let Some(list) = self.slots.get_mut(id as usize) {
                list.insert(slot);
            }
        }
    }

    /// Gives a new word an id (a free one first) and lists its text.
    fn new_word(&mut self, word: &str) -> u32 {
        let id = self.free.pop().unwrap_or_else(|| {
            self.slots.push(RoaringBitmap::new());
            // Ids count distinct words, each held by at least one of at most 2^32 slots.
            (self.slots.len() - 1) as u32
        });
        self.column.set_lower(id, word);
        self.ids.insert(word.into(), id);
        id
    }

    /// Takes `slot` off the words of its lower-cased `value` (the value it was added with); a
    /// word no slot holds any more is forgotten.
    pub(crate) fn remove(&mut self, slot: u32, value: &str) {
        for word in words_of(value) {
            let Some(&id) = self.ids.get(word) else {
                continue;
            };
            let Some(list) = self.slots.get_mut(id as usize) else {
                continue;
            };
            list.remove(slot);
            if list.is_empty() {
                self.ids.remove(word);
                self.column.remove(id);
                self.free.push(id);
            }
        }
    }

    /// The slots whose value contains `needle` (lower-cased), when the needle is made of
    /// letters and digits only; `None` for any other needle (see the module's documentation).
    pub(crate) fn contains(&self, needle: &str) -> Option<RoaringBitmap> {
        if needle.is_empty() || !needle.chars().all(char::is_alphanumeric) {
            return None;
        }
        let words = self.column.contains(needle);
        Some(
            words
                .iter()
                .filter_map(|id| self.slots.get(id as usize))
                .union(),
        )
    }

    /// How many distinct words there are.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Estimated heap bytes: the id table and its texts, the words' column and trigrams, the
    /// slot lists.
    pub(crate) fn heap_bytes(&self) -> usize {
        use crate::model::heap::{bitmap_bytes, map_bytes, vec_bytes};
        let (texts, grams, _) = self.column.heap_bytes();
        map_bytes(&self.ids)
            + self.ids.keys().map(|w| w.len()).sum::<usize>()
            + texts
            + grams
            + vec_bytes(&self.slots)
            + self.slots.iter().map(bitmap_bytes).sum::<usize>()
            + vec_bytes(&self.free)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        assert_eq!(
            words_of("acme cloud co., ltd. cloud"),
            ["acme", "cloud", "co", "ltd"]
        );
        assert_eq!(
            words_of("北京云帆科技　有限公司"),
            ["北京云帆科技", "有限公司"]
        );
        assert!(words_of(" .-").is_empty());
    }

    #[test]
    fn a_word_no_value_holds_is_forgotten_and_its_id_given_again() {
        let mut w = Words::default();
        w.add(0, "acme cloud");
        w.add(1, "cloud labs");
        assert_eq!(w.len(), 3);
        assert_eq!(w.contains("lou").map(|b| b.len()), Some(2));
        w.remove(0, "acme cloud");
        assert_eq!(w.len(), 2, "acme is gone");
        assert_eq!(w.contains("acm").map(|b| b.len()), Some(0));
        w.add(2, "globex");
        assert_eq!(w.len(), 3);
        assert_eq!(w.slots.len(), 3, "globex took acme's id");
        assert_eq!(w.contains("lob").map(|b| b.len()), Some(1));
        assert!(w.contains("cloud labs").is_none(), "a space: not one word");
        assert!(w.contains("").is_none());
    }
}
