//! Where a desk's memory goes: [`Desk::memory_report`].
//!
//! Why: the desk keeps a portfolio in memory, and what it keeps beside the customers (indexes,
//! the id table, the export copy, ...) must be known part by part to be made smaller (issue
//! 18). Each part's figure is an estimate of the heap bytes it holds, computed from lengths and
//! capacities without walking the allocator: what the allocator was asked for, not what the
//! process's resident memory grows by (the allocator's own overhead and free pages are not
//! counted). The benchmark `benches/examples/memory.rs` prints it beside the allocator's and
//! the resident figures.

use crate::desk::Desk;
use crate::model::heap::{customer_heap, vec_bytes};
use std::fmt;

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
        for (name, bytes) in self
            .index
            .memory()
            .into_iter()
            .chain(self.id_order.memory())
        {
            r.push(name, bytes);
        }
        r.push("ledger", self.ledger.heap_bytes());
        r
    }
}
