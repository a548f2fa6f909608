//! Where a desk's memory goes: [`Desk::memory_report`].
//!
//! Why: the desk keeps a portfolio in memory, and what it keeps beside the customers (indexes,
//! the id table, the export copy, ...) must be known part by part to be made smaller (issue
//! 18). Each part's figure is an estimate of the heap bytes it holds, computed from lengths and
//! capacities without walking the allocator: what the allocator was asked for, not what the
//! process's resident memory grows by (the allocator's own overhead and free pages are not
//! counted). The benchmark `benches/examples/memory.rs` prints it beside the allocator's and
//! the resident figures.

use crate::customer::Customer;
use crate::desk::Desk;
use roaring::RoaringBitmap;
use std::collections::BTreeSet;
use std::fmt;
use std::mem::size_of;

/// One part of a desk's memory and its estimated heap bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryPart {
    /// What the part is, e.g. `"index.mobile_rev"`; stable enough to compare two reports of
    /// one version, not a contract across versions.
    pub name: &'static str,
    /// Estimated heap bytes the part holds.
    pub bytes: usize,
}

/// A desk's estimated heap bytes, part by part (see [`Desk::memory_report`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemoryReport {
    /// The parts, in a fixed order: the customers first, then the desk's own structures.
    pub parts: Vec<MemoryPart>,
}

impl MemoryReport {
    /// The sum of every part.
    pub fn total(&self) -> usize {
        self.parts.iter().map(|p| p.bytes).sum()
    }

    /// The bytes of the part named `name` (0 when there is none).
    pub fn bytes_of(&self, name: &str) -> usize {
        self.parts
            .iter()
            .filter(|p| p.name == name)
            .map(|p| p.bytes)
            .sum()
    }

    fn push(&mut self, name: &'static str, bytes: usize) {
        self.parts.push(MemoryPart { name, bytes });
    }
}

impl fmt::Display for MemoryReport {
    /// One line a part: name and bytes, then the total.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.parts {
            writeln!(f, "{:<32} {:>14}", p.name, p.bytes)?;
        }
        write!(f, "{:<32} {:>14}", "total", self.total())
    }
}

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

/// Heap bytes of a roaring bitmap: its containers (a header each) and their stores (2 bytes a
/// value in an array, 8 KiB a bitset, 4 bytes a run).
pub(crate) fn bitmap_bytes(b: &RoaringBitmap) -> usize {
    let s = b.statistics();
    // `statistics` counts an array's capacity at 4 bytes a value (values are 2 bytes) and a
    // bitset's capacity in bits.
    s.n_containers as usize * 32
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
    n += c.account_name.expose().capacity() + c.name.expose().capacity();
    if let Some(m) = &c.mobile {
        n += m.expose().country_code.capacity() + m.expose().number.capacity();
    }
    if let Some(e) = &c.email {
        n += e.expose().capacity();
    }
    n += tags_bytes(&c.tags);
    if let Some(x) = &c.external {
        n += x.id.capacity() + x.kind.capacity();
    }
    if let Some(r) = &c.association.reseller {
        n += arc_str(r.as_str().len());
    }
    if let Some(f) = c.freeze.freeze() {
        n += f.reason.capacity() + f.by.capacity();
    }
    if let Some(b) = &c.budget {
        n += b.set_by.capacity() + vec_bytes(&b.thresholds);
    }
    n += vec_bytes(&c.resources);
    for r in &c.resources {
        n += arc_str(r.id.as_str().len())
            + r.service.capacity()
            + r.region.capacity()
            + r.name.capacity();
    }
    n += vec_bytes(&c.orders);
    for o in &c.orders {
        n += arc_str(o.id.as_str().len());
    }
    n += vec_bytes(&c.spend);
    for s in &c.spend {
        n += s.product.capacity();
    }
    n
}

fn tags_bytes(tags: &BTreeSet<crate::ids::Tag>) -> usize {
    btree_bytes(tags.len(), size_of::<crate::ids::Tag>())
        + tags.iter().map(|t| t.as_str().len()).sum::<usize>()
}

impl Desk {
    /// Where the desk's memory goes: estimated heap bytes of the customers and of each of the
    /// desk's own structures (the id table, each search index, the text columns and their
    /// trigram lists, the export copy, the ledger), computed from lengths and capacities.
    ///
    /// An estimate of what the allocator was asked for (the benchmark `benches/examples/
    /// memory.rs` checks it against a counting allocator), not of resident memory. Events,
    /// audit records and operators are counted by their inline size only.
    ///
    /// ```
    /// use partnerdesk::demo;
    /// let (small, _) = demo::portfolio(100, 1)?;
    /// let (large, _) = demo::portfolio(1_000, 1)?;
    /// let report = large.memory_report();
    /// assert!(report.total() > small.memory_report().total());
    /// assert!(report.bytes_of("customers.heap") > 0);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn memory_report(&self) -> MemoryReport {
        let mut r = MemoryReport::default();
        r.push("customers.slots", vec_bytes(&self.slots));
        r.push(
            "customers.heap",
            self.customers().map(customer_heap).sum::<usize>(),
        );
        r.push("by_id", self.by_id.heap_bytes());
        r.push("free", vec_bytes(&self.free));
        self.index.memory(&mut r);
        self.id_order.memory(&mut r);
        r.push("ledger", self.ledger.heap_bytes());
        r
    }
}

impl MemoryReport {
    /// Adds a part (for the structures of other modules).
    pub(crate) fn add(&mut self, name: &'static str, bytes: usize) {
        self.push(name, bytes);
    }
}
