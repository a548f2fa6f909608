//! Estimated heap bytes of the containers the desk is made of, from their lengths and
//! capacities (see [`crate::memory`]): shared by every structure that reports its memory.

use crate::model::customer::Customer;
use crate::model::ids::Tag;
use crate::model::tags::TagSet;
use roaring::RoaringBitmap;
use std::mem::size_of;

/// Heap bytes of a `Vec`'s buffer.
pub(crate) fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * size_of::<T>()
}

/// Heap bytes of a hash map's table (hashbrown: a power-of-two number of buckets, at most
/// 7/8 full, each an entry and a control byte), its keys' and values' own heap not included.
pub(crate) fn map_bytes<K, V, S>(m: &std::collections::HashMap<K, V, S>) -> usize {
    let cap = m.capacity();
    if cap == 0 {
        return 0;
    }
    let buckets = if cap < 8 {
        (cap + 1).next_power_of_two()
    } else {
        (cap * 8 / 7).next_power_of_two()
    };
    buckets * (size_of::<(K, V)>() + 1) + 16
}

/// Heap bytes of a B-tree of `len` entries of `entry` bytes: leaves of at most 11 entries,
/// taken as 3/4 full plus a node header.
pub(crate) fn btree_bytes(len: usize, entry: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let nodes = len.div_ceil(8);
    nodes * (11 * entry + 16)
}

/// Heap bytes of a roaring bitmap: its vector of containers (40 bytes each) and their stores
/// (2 bytes a value in an array, 8 KiB a bitset, 4 bytes a run).
pub(crate) fn bitmap_bytes(b: &RoaringBitmap) -> usize {
    let s = b.statistics();
    // The containers' vector grows as values are inserted: room for 4 at first, then doubled
    // (the desk builds its bitmaps by insertion). Measured against a counting allocator,
    // roaring 0.12: one value inserted holds 168 bytes, 10 containers 16 containers' room.
    let containers = match s.n_containers as usize {
        0 => 0,
        n => n.max(4).next_power_of_two(),
    };
    // `statistics` counts an array's capacity at 4 bytes a value (values are 2 bytes) and a
    // bitset's capacity in bits.
    containers * 40
        + s.n_bytes_array_containers as usize / 2
        + s.n_bitset_containers as usize * 8192
        + s.n_bytes_run_containers as usize
}

/// Heap bytes of a map of bitmaps: its table and every bitmap.
pub(crate) fn bitmaps_bytes<K, S>(m: &std::collections::HashMap<K, RoaringBitmap, S>) -> usize {
    map_bytes(m) + m.values().map(bitmap_bytes).sum::<usize>()
}

/// Heap bytes of an `Arc<str>` of `len` bytes (two counts and the text).
fn arc_str(len: usize) -> usize {
    16 + len
}

/// Heap bytes of a customer's own fields (its inline bytes are the slot vector's). Shared
/// texts (operator logins, which point at the desk's copies) are not counted; ids are.
pub(crate) fn customer_heap(c: &Customer) -> usize {
    let mut n = arc_str(c.id.as_str().len());
    n += c.account_name.expose().heap_bytes() + c.name.expose().heap_bytes();
    if let Some(m) = &c.mobile {
        // The country code is shared (`SharedText`): a few blocks for the whole desk.
        n += m.expose().number.heap_bytes() + m.expose().country_code.heap_share();
    }
    if let Some(e) = &c.email {
        n += e.expose().heap_bytes();
    }
    n += tags_bytes(&c.tags);
    if let Some(x) = &c.external {
        // The kind is shared (`SharedText`): a few blocks for the whole desk.
        n += x.id.heap_bytes() + x.kind.heap_share();
    }
    if let Some(r) = &c.association.reseller {
        n += arc_str(r.as_str().len());
    }
    // The freeze and the budget are boxed: their own bytes are heap too.
    if let Some(f) = c.freeze.freeze() {
        n += size_of_val(f) + f.reason.capacity() + f.by.capacity();
    }
    if let Some(b) = &c.budget {
        n += size_of_val(&**b) + b.set_by.capacity() + vec_bytes(&b.thresholds);
    }
    // The cold lists are one packed block each.
    n + c.resources.heap_bytes() + c.orders.heap_bytes() + c.spend.heap_bytes()
}

/// The set's slice and each tag's share of its block (tags are shared texts).
fn tags_bytes(tags: &TagSet) -> usize {
    tags.slice_bytes() + tags.iter().map(Tag::heap_share).sum::<usize>()
}
