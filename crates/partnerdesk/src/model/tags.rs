//! A customer's tags: a small sorted set.
//!
//! Why not `BTreeSet<Tag>`: a customer has a few tags (the demo portfolio 1.5 on average, a
//! console's customers seldom more than a handful), and a B-tree allocates a leaf with room for
//! eleven of them, about 280 bytes, for the first one. At a million customers that was about
//! 180 bytes a customer of the desk's memory (`benches/README.md`, the memory section).
//! [`TagSet`] keeps exactly its tags, sorted, in one boxed slice: a search for a tag is a binary
//! search, as in the B-tree; inserting and removing copy the few tags there are.
//!
//! It has the methods of `BTreeSet` that a set of a customer's tags is used with, iterates in
//! the same (sorted) order, and is written in snapshots and checkpoints exactly as the
//! `BTreeSet` was (a sequence of texts), so stored desks read as before.

use crate::model::ids::Tag;
use std::fmt;

/// A set of tags, sorted, without repeats: a customer's [`crate::Customer::tags`].
///
/// ```
/// use partnerdesk::{Tag, TagSet};
/// let mut tags = TagSet::new();
/// assert!(tags.insert(Tag::new("vip")?));
/// assert!(tags.insert(Tag::new("gold")?));
/// assert!(!tags.insert(Tag::new("vip")?));
/// assert_eq!(tags.iter().map(Tag::as_str).collect::<Vec<_>>(), ["gold", "vip"]);
/// assert!(tags.contains(&Tag::new("gold")?));
/// # Ok::<(), partnerdesk::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagSet(Box<[Tag]>);

impl TagSet {
    /// An empty set.
    pub fn new() -> Self {
        TagSet::default()
    }

    /// How many tags the set holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set holds no tag.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the set holds `tag`.
    pub fn contains(&self, tag: &Tag) -> bool {
        self.0.binary_search(tag).is_ok()
    }

    /// Adds `tag`; `false` when it was there already (the set is then unchanged).
    pub fn insert(&mut self, tag: Tag) -> bool {
        match self.0.binary_search(&tag) {
            Ok(_) => false,
            Err(at) => {
                let mut tags = std::mem::take(&mut self.0).into_vec();
                tags.insert(at, tag);
                self.0 = tags.into_boxed_slice();
                true
            }
        }
    }

    /// Removes `tag`; `false` when it was not there.
    pub fn remove(&mut self, tag: &Tag) -> bool {
        match self.0.binary_search(tag) {
            Ok(at) => {
                let mut tags = std::mem::take(&mut self.0).into_vec();
                tags.remove(at);
                self.0 = tags.into_boxed_slice();
                true
            }
            Err(_) => false,
        }
    }

    /// Removes every tag.
    pub fn clear(&mut self) {
        self.0 = Box::default();
    }

    /// The tags, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Tag> {
        self.0.iter()
    }

    /// The tags, in order, as a slice.
    pub fn as_slice(&self) -> &[Tag] {
        &self.0
    }

    /// The tags of this set that are not in `other`, in order.
    pub fn difference<'a>(&'a self, other: &'a TagSet) -> impl Iterator<Item = &'a Tag> + 'a {
        self.0.iter().filter(move |t| !other.contains(t))
    }

    /// The heap bytes the set holds: its slice (the tags' own texts apart).
    pub(crate) fn slice_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.0)
    }
}

impl fmt::Debug for TagSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.iter()).finish()
    }
}

impl FromIterator<Tag> for TagSet {
    /// Collects tags into a set: sorted, each once.
    fn from_iter<I: IntoIterator<Item = Tag>>(iter: I) -> Self {
        let mut tags: Vec<Tag> = iter.into_iter().collect();
        tags.sort_unstable();
        tags.dedup();
        TagSet(tags.into_boxed_slice())
    }
}

impl Extend<Tag> for TagSet {
    fn extend<I: IntoIterator<Item = Tag>>(&mut self, iter: I) {
        let mut tags = std::mem::take(&mut self.0).into_vec();
        tags.extend(iter);
        *self = tags.into_iter().collect();
    }
}

impl<const N: usize> From<[Tag; N]> for TagSet {
    fn from(tags: [Tag; N]) -> Self {
        tags.into_iter().collect()
    }
}

impl From<std::collections::BTreeSet<Tag>> for TagSet {
    fn from(tags: std::collections::BTreeSet<Tag>) -> Self {
        // Already sorted and without repeats.
        TagSet(tags.into_iter().collect())
    }
}

impl IntoIterator for TagSet {
    type Item = Tag;
    type IntoIter = std::vec::IntoIter<Tag>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_vec().into_iter()
    }
}

impl<'a> IntoIterator for &'a TagSet {
    type Item = &'a Tag;
    type IntoIter = std::slice::Iter<'a, Tag>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for TagSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for TagSet {
    /// A sequence of tags, each checked as [`Tag::new`] checks it; repeats are kept once, as a
    /// `BTreeSet` kept them.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tags = Vec::<Tag>::deserialize(d)?;
        Ok(tags.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn tag(i: u64) -> Tag {
        Tag::new(format!("t{i}")).unwrap_or_else(|_| unreachable!("a valid tag"))
    }

    /// Random inserts, removes and clears: the set behaves as a `BTreeSet`, iterates in its
    /// order and holds exactly its tags.
    #[test]
    fn behaves_like_a_btree_set() {
        let mut state = 5u64;
        let mut next = move |n: u64| crate::test_lcg(&mut state) % n;
        let (mut ours, mut std_set) = (TagSet::new(), BTreeSet::new());
        for _ in 0..20_000 {
            let t = tag(next(12));
            match next(10) {
                0..=4 => assert_eq!(ours.insert(t.clone()), std_set.insert(t)),
                5..=8 => assert_eq!(ours.remove(&t), std_set.remove(&t)),
                _ => {
                    if next(20) == 0 {
                        ours.clear();
                        std_set.clear();
                    }
                }
            }
            assert_eq!(ours.len(), std_set.len());
            assert_eq!(ours.is_empty(), std_set.is_empty());
            assert!(ours.iter().eq(std_set.iter()));
            let probe = tag(next(12));
            assert_eq!(ours.contains(&probe), std_set.contains(&probe));
            assert_eq!(ours.slice_bytes(), std_set.len() * size_of::<Tag>());
        }
        let other: TagSet = [tag(1), tag(2), tag(3)].into();
        let std_other: BTreeSet<Tag> = other.iter().cloned().collect();
        assert!(ours.difference(&other).eq(std_set.difference(&std_other)));
        assert_eq!(TagSet::from(std_set.clone()), ours);
        let collected: TagSet = [tag(3), tag(1), tag(3)].into_iter().collect();
        assert_eq!(collected.as_slice(), [tag(1), tag(3)]);
        let mut extended = collected.clone();
        extended.extend([tag(2), tag(1)]);
        assert_eq!(extended.as_slice(), [tag(1), tag(2), tag(3)]);
        assert_eq!(format!("{collected:?}"), r#"{Tag("t1"), Tag("t3")}"#);
    }

    /// Written as the `BTreeSet` was: a snapshot or checkpoint of either reads as the other.
    #[cfg(feature = "serde")]
    #[test]
    fn reads_and_writes_as_a_btree_set_did() {
        let old: BTreeSet<Tag> = [tag(2), tag(1)].into_iter().collect();
        let new: TagSet = [tag(2), tag(1)].into();
        let (old_json, new_json) = (serde_json::to_string(&old), serde_json::to_string(&new));
        assert_eq!(old_json.ok(), new_json.ok());
        let read: Result<TagSet, _> = serde_json::from_str(r#"["t2","t1","t2"]"#);
        assert_eq!(read.ok(), Some(new.clone()));
        let bad: Result<TagSet, _> = serde_json::from_str(r#"["ok", " padded "]"#);
        assert!(bad.is_err());
        let (old_mp, new_mp) = (rmp_serde::to_vec(&old), rmp_serde::to_vec(&new));
        assert_eq!(old_mp.ok(), new_mp.ok());
    }
}
