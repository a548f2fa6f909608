//! Versions 2 and 3 of the checkpoint body: the customers positional and in chunks, decoded
//! and checked on two threads (version 3 holds each customer's resources, orders and spend
//! in their packed form).
//!
//! Why: opening a durable desk reads its checkpoint, and in version 1 two thirds of an open
//! went to decoding one named-field MessagePack document (every field name of every customer
//! read and matched as a string). Here the customers carry no field names, and they come in
//! chunks of [`CHUNK`] that decode independently, so both cores decode and check them. (The
//! field names were less than a third of the decode: `benches/README.md`, "Checkpoint version
//! 2", has what is left.) Version 3 writes a customer's three lists as their packed blocks
//! ([`crate::model::packed::block_form`]): reading a list is then a copy and a check of its
//! bytes instead of making every record to pack it again, which was over half of the decode.
//!
//! The layout is in the [`crate::checkpoint`] module's documentation.

use super::corrupt;
use crate::customer::Customer;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::snapshot::{SnapshotIn, SnapshotOut};
use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeSeq, Serializer};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Customers in each chunk the writer makes (the last one may hold fewer): small enough that
/// two threads share the work evenly, large enough that the chunk table is nothing.
pub(super) const CHUNK: usize = 2048;

/// The most customers a chunk may claim: bounds what a chunk reserves before it decodes.
pub(super) const MAX_CHUNK: u32 = 8192;

/// The fewest bytes a customer takes in a chunk (an array header and one byte for each of
/// its seventeen fields): a chunk's claimed count reserves no more than its bytes can hold.
const MIN_CUSTOMER_BYTES: usize = 18;

/// How deep a customer's values nest, at most (the deepest is a resource's fields in the
/// customer's list of resources, a few levels): a bound on the decoder's recursion that the
/// input cannot raise.
const MAX_DEPTH: usize = 16;

/// Writes the body of `desk` in the newest version after `out`'s header.
pub(super) fn write_body(desk: &Desk, out: &mut Vec<u8>) -> Result<()> {
    write_document(desk.snapshot_out(), CHUNK, Lists::Blocks, out)
}

/// How a chunk holds a customer's resources, orders and spend records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lists {
    /// As lists of records (version 2).
    Records,
    /// As their packed blocks (version 3).
    Blocks,
}

impl Lists {
    /// How the body of a checkpoint of `version` (2 or newer) holds them.
    pub(super) fn of_version(version: u32) -> Lists {
        if version >= 3 {
            Lists::Blocks
        } else {
            Lists::Records
        }
    }

    /// Runs `f` with the lists serialised and deserialised in this form.
    fn run<R>(self, f: impl FnOnce() -> R) -> R {
        match self {
            Lists::Records => f(),
            Lists::Blocks => crate::model::packed::block_form(f),
        }
    }
}

/// Writes a snapshot document as a chunked body, its customers in chunks of `chunk` and
/// their lists in the form `lists` says.
pub(super) fn write_document(
    mut head: SnapshotOut<'_>,
    chunk: usize,
    lists: Lists,
    out: &mut Vec<u8>,
) -> Result<()> {
    let failed = |_| corrupt("checkpoint.body", "could not be encoded");
    let customers = std::mem::take(&mut head.customers);
    let at = out.len();
    out.extend_from_slice(&[0; 8]);
    rmp_serde::encode::write_named(out, &head).map_err(failed)?;
    let head_len = (out.len() - at - 8) as u64;
    out[at..at + 8].copy_from_slice(&head_len.to_le_bytes());
    out.extend_from_slice(&(customers.len() as u64).to_le_bytes());
    let chunks = customers.chunks(chunk.clamp(1, MAX_CHUNK as usize));
    let count = u32::try_from(chunks.len())
        .map_err(|_| corrupt("checkpoint.body", "too many customers for one checkpoint"))?;
    out.extend_from_slice(&count.to_le_bytes());
    for chunk in chunks {
        // At most MAX_CHUNK customers: fits.
        out.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
        let at = out.len();
        out.extend_from_slice(&[0; 8]);
        lists.run(|| rmp_serde::encode::write(out, &ChunkOut(chunk)).map_err(failed))?;
        let len = (out.len() - at - 8) as u64;
        out[at..at + 8].copy_from_slice(&len.to_le_bytes());
    }
    Ok(())
}

/// Reads fixed-size little-endian integers and slices off the front of a body.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: u64) -> Option<&'a [u8]> {
        let n = usize::try_from(n).ok()?;
        let (taken, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(taken)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

/// A chunked body's parts: the head, and each chunk's number of customers and bytes.
struct Layout<'a> {
    head: &'a [u8],
    chunks: Vec<(u32, &'a [u8])>,
}

fn layout(body: &[u8]) -> Result<Layout<'_>> {
    let short = || corrupt("checkpoint.body", "ends before its chunk table says");
    let mut rest = Bytes(body);
    let head_len = rest.u64().ok_or_else(short)?;
    let head = rest.take(head_len).ok_or_else(short)?;
    let customers = rest.u64().ok_or_else(short)?;
    let count = rest.u32().ok_or_else(short)?;
    // Each chunk takes at least its 12 bytes of table: no more room is reserved than that.
    let room = rest.0.len() / 12;
    let mut chunks = Vec::with_capacity((count as usize).min(room));
    let mut total: u64 = 0;
    for _ in 0..count {
        let n = rest.u32().ok_or_else(short)?;
        if n == 0 || n > MAX_CHUNK {
            return Err(corrupt(
                "checkpoint.body",
                "a chunk's number of customers is out of range",
            ));
        }
        let len = rest.u64().ok_or_else(short)?;
        chunks.push((n, rest.take(len).ok_or_else(short)?));
        total += u64::from(n);
    }
    if !rest.0.is_empty() {
        return Err(corrupt(
            "checkpoint.body",
            "holds bytes after the last chunk its table counts",
        ));
    }
    if total != customers {
        return Err(corrupt(
            "checkpoint.body",
            "the chunks' customers do not add up to the body's count",
        ));
    }
    Ok(Layout { head, chunks })
}

/// A chunk as written: one MessagePack array of its customers, each an array of its fields,
/// and last an empty byte string, the chunk's end mark (see [`decode_chunk`]).
struct ChunkOut<'a>(&'a [&'a Customer]);

impl Serialize for ChunkOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len() + 1))?;
        for c in self.0 {
            seq.serialize_element(c)?;
        }
        seq.serialize_element(&EndMark)?;
        seq.end()
    }
}

/// The empty byte string that ends a chunk.
struct EndMark;

impl Serialize for EndMark {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(&[])
    }
}

/// Reads a chunk of `n` customers into `customers` (empty, its room kept from an earlier
/// chunk): the array, then the end mark, lent from the input.
struct ChunkIn {
    n: u32,
    capacity: usize,
    customers: Vec<Customer>,
}

impl<'de> DeserializeSeed<'de> for ChunkIn {
    type Value = (Vec<Customer>, &'de [u8]);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ChunkIn {
    type Value = (Vec<Customer>, &'de [u8]);

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a chunk of customers")
    }

    fn visit_seq<A: SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let short = || serde::de::Error::custom("a chunk holds fewer customers than it says");
        let mut customers = self.customers;
        customers.clear();
        customers.reserve(self.capacity);
        for _ in 0..self.n {
            customers.push(seq.next_element::<Customer>()?.ok_or_else(short)?);
        }
        let end: &'de [u8] = seq.next_element()?.ok_or_else(short)?;
        Ok((customers, end))
    }
}

/// Decodes one chunk: exactly `n` customers and its end mark, ending where the chunk's bytes
/// end, or `None`.
///
/// The decoder reads from the chunk's bytes in place (texts are checked and copied once), and
/// tells no position; the end mark, an empty byte string lent from the same bytes, does: it
/// sits where decoding stopped. (The decoder also refuses an array with more elements than
/// the reader took.)
fn decode_chunk(
    bytes: &[u8],
    n: u32,
    lists: Lists,
    customers: Vec<Customer>,
) -> Option<Vec<Customer>> {
    let mut de = rmp_serde::Deserializer::from_read_ref(bytes);
    de.set_max_depth(MAX_DEPTH);
    // n is at most MAX_CHUNK, and no more than the bytes can hold.
    let capacity = (n as usize).min(bytes.len() / MIN_CUSTOMER_BYTES);
    let (customers, end) = lists
        .run(|| {
            ChunkIn {
                n,
                capacity,
                customers,
            }
            .deserialize(&mut de)
        })
        .ok()?;
    let stopped = end.as_ptr() as usize;
    let last = bytes.as_ptr() as usize + bytes.len();
    (end.is_empty() && stopped == last).then_some(customers)
}

/// What became of one chunk: `None` when it does not decode, else the first refusal of one
/// of its customers, if one breaks an invariant (the snapshot's error).
type Chunk = Option<Option<Error>>;

/// The customers decoded so far, in the desk's order: each chunk is placed as soon as the
/// chunks before it are (one that comes early waits), and its emptied vector goes back to a
/// decoding thread for the next chunk. (Placed all at the end, every chunk's vector was fresh
/// memory: a tenth of a million page faults at 1M.)
struct Placed {
    /// The chunk to place next.
    next: usize,
    /// Chunks decoded before the ones ahead of them.
    early: BTreeMap<usize, Vec<Customer>>,
    /// The desk's slots to be, in order.
    customers: Vec<Option<Customer>>,
    /// Emptied vectors of placed chunks, for the next chunks.
    spare: Vec<Vec<Customer>>,
}

impl Placed {
    /// Places chunk `k` (or keeps it until the chunks before it are placed); returns an
    /// emptied vector to decode the next chunk into.
    fn put(&mut self, k: usize, mut chunk: Vec<Customer>) -> Vec<Customer> {
        if k != self.next {
            self.early.insert(k, chunk);
            return self.spare.pop().unwrap_or_default();
        }
        self.customers.extend(chunk.drain(..).map(Some));
        self.next += 1;
        while let Some(mut early) = self.early.remove(&self.next) {
            self.customers.extend(early.drain(..).map(Some));
            self.spare.push(early);
            self.next += 1;
        }
        chunk
    }
}

/// Decodes and checks chunks, taking the next one not yet taken until none is left, and
/// places their customers in `placed`; returns what became of each, by its number.
fn work(
    desk: &Desk,
    lists: Lists,
    layout: &Layout<'_>,
    starts: &[usize],
    next: &AtomicUsize,
    placed: &Mutex<Placed>,
) -> Vec<(usize, Chunk)> {
    let mut done = Vec::new();
    let mut room = Vec::new();
    loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        let (Some(&(n, bytes)), Some(&first)) = (layout.chunks.get(k), starts.get(k)) else {
            return done;
        };
        let decoded = decode_chunk(bytes, n, lists, std::mem::take(&mut room));
        let decodes = decoded.is_some();
        let mut customers = decoded.unwrap_or_default();
        let refused = customers
            .iter_mut()
            .enumerate()
            .try_for_each(|(i, c)| desk.check_loaded(first + i, c))
            .err();
        // (A chunk that does not decode is placed empty: the body is refused below.)
        room = placed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .put(k, customers);
        done.push((k, decodes.then_some(refused)));
    }
}

/// Loads a desk from a chunked body whose lists are in the form `lists` says. What it
/// refuses, and in which order, is what the snapshot's load refuses of the same desk: the
/// head's invariants, a repeated customer id, then the first customer (in order) that breaks
/// one, then the ledger's; a body that does not decode is refused before any customer's
/// invariant.
pub(super) fn read_body(body: &[u8], lists: Lists) -> Result<Desk> {
    let layout = layout(body)?;
    let snap: SnapshotIn = super::decode_document(layout.head)
        .map_err(|_| corrupt("checkpoint.body", "the head does not decode"))?;
    if !snap.customers.is_empty() {
        return Err(corrupt(
            "checkpoint.body",
            "the head holds customers outside the chunks",
        ));
    }
    let (mut desk, tail) = Desk::load_head(snap)?;
    let mut starts = Vec::with_capacity(layout.chunks.len());
    let mut total = 0usize;
    for &(n, _) in &layout.chunks {
        starts.push(total);
        total += n as usize;
    }

    // Both cores take chunks in turn; a second thread that cannot be spawned leaves all of
    // them to this one. Room for the customers: no more than the body can hold.
    let next = AtomicUsize::new(0);
    let placed = Mutex::new(Placed {
        next: 0,
        early: BTreeMap::new(),
        spare: Vec::new(),
        customers: Vec::with_capacity(total.min(body.len() / MIN_CUSTOMER_BYTES)),
    });
    let mut done = std::thread::scope(|scope| {
        let helper = std::thread::Builder::new()
            .name("checkpoint-chunks".into())
            .spawn_scoped(scope, || {
                work(&desk, lists, &layout, &starts, &next, &placed)
            });
        let mut done = work(&desk, lists, &layout, &starts, &next, &placed);
        if let Some(theirs) = helper.ok().and_then(|h| h.join().ok()) {
            done.extend(theirs);
        }
        // A helper that panicked (no code it runs should) left the chunks it had not taken:
        // this thread takes them. The one it was decoding is missing, and the body is refused
        // below rather than a desk built without it.
        done.extend(work(&desk, lists, &layout, &starts, &next, &placed));
        done
    });
    done.sort_unstable_by_key(|(k, _)| *k);
    if done.len() != layout.chunks.len() {
        return Err(corrupt("checkpoint.body", "a chunk was not decoded"));
    }
    let mut refused = None;
    for (k, chunk) in done {
        let Some(refusal) = chunk else {
            return Err(corrupt(
                &format!("checkpoint.chunks[{k}]"),
                "does not decode as a chunk of customers",
            ));
        };
        if refused.is_none() {
            refused = refusal;
        }
    }
    let customers = placed
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .customers;
    // The order of the snapshot's load: a repeated id first, then the first refused customer.
    // With none refused, repeats are found while the customers are placed.
    let repeated =
        |i: usize| Error::snapshot(format!("customers[{i}].id"), "duplicate customer id");
    if let Some(e) = refused {
        let ids = customers.iter().flatten().map(|c| &c.id);
        return Err(crate::validate::first_repeat_of(total, ids).map_or(e, repeated));
    }
    desk.place_all_validated(customers).map_err(repeated)?;
    desk.load_tail(tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chunks that come out of order are placed in order, each once, and every emptied vector
    /// goes back for the next chunks.
    #[test]
    fn chunks_are_placed_in_order_whatever_order_they_come_in() -> Result<()> {
        let (desk, _) = crate::demo::portfolio(7, 2)?;
        let all: Vec<Customer> = desk.customers().cloned().collect();
        let chunk = |k: usize| all.iter().skip(2 * k).take(2).cloned().collect::<Vec<_>>();
        let mut placed = Placed {
            next: 0,
            early: BTreeMap::new(),
            customers: Vec::new(),
            spare: Vec::new(),
        };
        let mut rooms = Vec::new();
        for k in [2, 1, 3, 0] {
            rooms.push(placed.put(k, chunk(k)));
            let placed_ids: Vec<_> = placed.customers.iter().flatten().map(|c| &c.id).collect();
            let want: Vec<_> = all.iter().take(placed_ids.len()).map(|c| &c.id).collect();
            assert_eq!(placed_ids, want, "after chunk {k}");
        }
        assert_eq!(placed.next, 4);
        assert!(placed.early.is_empty());
        assert_eq!(placed.customers.len(), all.len());
        // Three chunks came early and waited: their vectors are kept as spares for the next
        // chunks, and chunk 0's went back with it; every one returned empty.
        assert!(rooms.iter().all(Vec::is_empty));
        assert_eq!(rooms.iter().filter(|r| r.capacity() > 0).count(), 1);
        assert_eq!(placed.spare.len(), 3);
        assert!(
            placed
                .spare
                .iter()
                .all(|v| v.is_empty() && v.capacity() > 0)
        );
        // A chunk that comes early takes a spare back.
        assert!(placed.put(5, Vec::new()).capacity() > 0);
        assert_eq!(placed.spare.len(), 2);
        Ok(())
    }
}
