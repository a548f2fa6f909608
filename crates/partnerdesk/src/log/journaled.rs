//! The containers behind savepoints: a vector and maps that, while a savepoint is open,
//! record the pre-image of what changes (see [`crate::log::undo`]).
//!
//! Why a type rather than a rule: they give out no `&mut` to their whole content, so every
//! change goes through a method that records, and a new place that changes state cannot forget
//! to (the compiler refuses it).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::ops::{Deref, Index, IndexMut};
use std::slice::SliceIndex;

/// A container that records pre-images while a savepoint is open.
pub(crate) trait Journaled {
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

/// `Journaled` for a type whose inherent methods of the same names do the work.
macro_rules! journaled_by_inherent {
    ($(impl<$p:ident: $bound:path> for $ty:ty;)*) => {$(
        impl<$p: $bound> Journaled for $ty {
            fn begin(&mut self) {
                <$ty>::begin(self);
            }
            fn end(&mut self) {
                <$ty>::end(self);
            }
            fn undo(&mut self) -> usize {
                <$ty>::undo(self)
            }
            fn recorded(&self) -> usize {
                <$ty>::recorded(self)
            }
        }
    )*};
}

journaled_by_inherent! {
    impl<T: Clone> for UVec<T>;
    impl<M: RawMap> for UMap<M>;
}

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
    pub(crate) fn begin(&mut self) {
        self.undo = Some(VecJournal {
            len: self.items.len(),
            pre: BTreeMap::new(),
        });
    }

    pub(crate) fn end(&mut self) {
        self.undo = None;
    }

    pub(crate) fn recorded(&self) -> usize {
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

    /// Appends `values`; an empty vector takes them as they are, without a copy (the same for
    /// a journal: it keeps the length at its savepoint).
    pub(crate) fn append_vec(&mut self, values: Vec<T>) {
        if self.items.is_empty() {
            self.items = values;
        } else {
            self.items.extend(values);
        }
    }

    /// Reserves room for `n` more.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.items.reserve(n);
    }

    /// The whole vector, without recording: only for a rollback, whose journal is taken.
    pub(crate) fn untracked(&mut self, i: usize) -> Option<&mut T> {
        self.items.get_mut(i)
    }

    pub(crate) fn truncate_untracked(&mut self, len: usize) {
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
    pub(crate) fn take_journal(&mut self) -> Option<(usize, BTreeMap<usize, T>)> {
        let u = self.undo.take()?;
        Some((u.len, u.pre))
    }

    /// Puts the vector back as at the savepoint and ends recording; returns how many
    /// pre-images were recorded.
    pub(crate) fn undo(&mut self) -> usize {
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
    pub(crate) fn begin(&mut self) {
        self.undo = Some(HashMap::new());
    }

    pub(crate) fn end(&mut self) {
        self.undo = None;
    }

    pub(crate) fn recorded(&self) -> usize {
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

    /// Puts every recorded key back as at the savepoint and ends recording; returns how many
    /// pre-images were recorded.
    pub(crate) fn undo(&mut self) -> usize {
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

    /// Empties the map (recording every key while a savepoint is open). For loading only.
    #[cfg(feature = "serde")]
    pub(crate) fn clear(&mut self) {
        if self.undo.is_some() {
            let keys: Vec<K> = self.map.keys().cloned().collect();
            keys.iter().for_each(|k| self.note(k));
        }
        self.map.clear();
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
