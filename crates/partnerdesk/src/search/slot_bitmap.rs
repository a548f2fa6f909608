//! Bitmaps of slots built from lists of slots in any order.
//!
//! Why a module of its own: every index that yields slots out of slot order (a range of an
//! ordered set, the candidates a text check keeps) makes its bitmap here, and how it is built
//! decides much of a search's time at a million customers: a range of 100,000 entries cost more
//! to sort than to search.

use roaring::RoaringBitmap;

/// A bitmap from slots in any order, repeats allowed. Few slots for their range are sorted
/// first, which makes building the bitmap linear (inserting out of order into roaring's sorted
/// arrays would shift them on every insert). Many slots (at least one for every 64 below the
/// highest, as a range of a million-customer index often gives) each set a bit in a plain bit
/// map, which the bitmap then reads at once: a bit each costs less than the sort.
pub(crate) fn sorted_bitmap(mut slots: Vec<u32>) -> RoaringBitmap {
    let top = slots.iter().copied().max().unwrap_or(0) as usize;
    if slots.len() >= DENSE_FROM && slots.len() >= top / 64 {
        let mut bits = vec![0u8; top / 8 + 1];
        for s in slots {
            let s = s as usize;
            if let Some(byte) = bits.get_mut(s / 8) {
                *byte |= 1 << (s % 8);
            }
        }
        return RoaringBitmap::from_lsb0_bytes(0, &bits);
    }
    slots.sort_unstable();
    slots.dedup();
    RoaringBitmap::from_sorted_iter(slots).unwrap_or_default()
}

/// The fewest slots [`sorted_bitmap`] sets as bits rather than sorts.
const DENSE_FROM: usize = 4096;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Slots in any order and with repeats make the bitmap of their set, sorted or set as
        /// bits (dense sets of many slots, sparse ones, a high slot alone).
        #[test]
        fn sorted_bitmap_is_the_set_of_its_slots(
            slots in prop::collection::vec(0u32..20_000, 0..9_000),
            high in prop::option::of(prop::sample::select(vec![u32::MAX, 1 << 20, 65_535, 65_536])),
        ) {
            let mut slots = slots;
            slots.extend(high);
            let want: RoaringBitmap = slots.iter().copied().collect();
            prop_assert_eq!(sorted_bitmap(slots), want);
        }
    }
}
