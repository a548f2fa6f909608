//! Checkpoints: the whole desk in a compact, versioned, checksummed binary form.
//!
//! Why beside the JSON snapshot: a durable store (the `partnerdesk-store` crate) opens a desk
//! from its latest checkpoint plus the events after it, so a checkpoint is read on every open
//! and written every few thousand events. JSON is the export and import format (readable,
//! stable, about 1.7 KB a customer); a checkpoint is the desk's own working form: smaller,
//! faster to read, and never mistaken for something else.
//!
//! The frame, all integers little-endian:
//!
//! | bytes | what |
//! | --- | --- |
//! | 8 | the magic bytes `PDCKPT\r\n` ([`CHECKPOINT_MAGIC`]) |
//! | 4 | the format version ([`CHECKPOINT_VERSION`]) |
//! | 8 | the body's length in bytes |
//! | 16 or 32 | the body's checksum: since version 4 its XXH3-128 (16 bytes, the 128-bit value little-endian); in versions 1 to 3 its SHA-256 digest (32 bytes) |
//! | rest | the body |
//!
//! The checksum guards against accidental damage (a torn or partial write, a flipped bit, a
//! piece of another checkpoint): it is not a proof of who wrote the bytes, which a digest
//! without a key never is, and the decoder withstands any bytes anyway. So version 4 uses a
//! fast non-cryptographic hash of 128 bits (`xxhash-rust`): hashing a million customers'
//! body (459 MB) with SHA-256 was 0.27 s of an open's CPU, with XXH3 0.02 s (ADR 0009,
//! `docs/adr/0009-checkpoint-checksum.md`).
//!
//! Version 1's body is the JSON snapshot's document (the same fields, [`crate::snapshot`]
//! version 2) encoded as MessagePack with named fields (`rmp-serde`): self-describing, so the
//! model's internally tagged enums (`EventKind`) and open enums read back, and unknown fields
//! are skipped as in JSON.
//!
//! Version 2's body keeps that document for everything but the customers, and holds the
//! customers positional (no field names) in chunks of 2,048 that decode independently, so an
//! open decodes and checks them on both cores:
//!
//! | bytes | what |
//! | --- | --- |
//! | 8 | the head's length `h` |
//! | `h` | the head: the snapshot document with `customers` empty, named-field MessagePack as in version 1 |
//! | 8 | the number of customers |
//! | 4 | the number of chunks |
//! | per chunk: 4 | its number of customers, 1 to 8,192 |
//! | per chunk: 8 | its length in bytes |
//! | per chunk: rest | one MessagePack array: its customers, each an array of the customer's fields in declaration order (`rmp-serde` without field names), then an empty byte string, the chunk's end mark |
//!
//! Version 3's body (written since) has version 2's layout. Only a customer's `resources`,
//! `orders` and `spend` differ: each is one MessagePack byte string, the list's packed block
//! ([`crate::packed`]: a count, then each record in its compact form; empty for an empty
//! list), where version 2 has an array of records. A block is read by a copy and one walk
//! that accepts it only if it is exactly what packing valid records writes (every text UTF-8,
//! every id, code, instant, day, amount and currency valid, every integer in its shortest
//! form, nothing after the last record); then the customer is checked as any other. So the
//! packed form is part of the checkpoint's format: a change to it is a new version, and the
//! reader of the old form stays.
//!
//! The layout is checked whole before anything is decoded: every length within the body, the
//! chunks' customers adding up to the count, no byte after the last chunk; a chunk decodes to
//! exactly its number of customers and ends where its length says. The head keeps its field
//! names: it is small, and the ledger's internally tagged events need a self-describing form.
//! Unlike the head, a chunk has no room for fields it does not know: a customer with a new
//! field is a new version.
//!
//! Loading checks the frame, then decodes the body and builds the desk with the checks a JSON
//! snapshot's load makes (the same functions; versions 2 and 3 check their chunks on two
//! threads and report what the JSON load would: a repeated id first, then the first refused
//! customer in the desk's order). What goes wrong is typed, and no desk is returned:
//!
//! - not a checkpoint (too short, other magic bytes), a truncated body, a checksum that does
//!   not match or a body that does not decode: `INVALID_SNAPSHOT` naming `checkpoint`,
//!   `checkpoint.length`, `checkpoint.checksum`, `checkpoint.body` (a chunked body's layout
//!   or head) or `checkpoint.chunks[k]` (its `k`th chunk of customers), never the offending
//!   bytes: they may be personal data;
//! - a version newer than this library's: `UNSUPPORTED_SNAPSHOT_VERSION`;
//! - a body that decodes but breaks an invariant: the snapshot's own `INVALID_SNAPSHOT`.
//!
//! Version 4's body is version 3's; only the frame's checksum differs (above).
//!
//! Older formats keep opening: when the body changes shape, the version goes up and the
//! loader keeps a reader for every earlier version. The test suite opens a checkpoint of
//! each version committed as fixtures (`tests/fixtures/checkpoint-v1.bin` to
//! `checkpoint-v4.bin`).
//!
//! Like a JSON snapshot, a checkpoint holds customers' personal data and the desk's cursor
//! key: store and move it as a secret.

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::snapshot::SnapshotIn;
use sha2::{Digest, Sha256};

mod chunked;

/// The magic bytes every checkpoint starts with.
pub const CHECKPOINT_MAGIC: [u8; 8] = *b"PDCKPT\r\n";

/// The checkpoint format version this library writes (and the newest it reads).
///
/// - 1: the snapshot document (snapshot version 2) as named-field MessagePack.
/// - 2: that document without its customers, then the customers positional in chunks
///   (the layout is in [`crate::checkpoint`]).
/// - 3: version 2's layout, each customer's resources, orders and spend as their packed
///   blocks.
/// - 4: version 3's body, its checksum XXH3-128 instead of SHA-256. Versions 1 to 3 still
///   open.
pub const CHECKPOINT_VERSION: u32 = 4;

/// The frame's bytes before its checksum: magic, version, length.
const PREFIX_LEN: usize = 8 + 4 + 8;

/// The checksum of a checkpoint body, by the frame's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checksum {
    /// Versions 1 to 3: SHA-256, 32 bytes.
    Sha256,
    /// Version 4 on: XXH3-128, 16 bytes (the value little-endian).
    Xxh3,
}

impl Checksum {
    /// The checksum a checkpoint of `version` carries.
    fn of_version(version: u32) -> Checksum {
        if version >= 4 {
            Checksum::Xxh3
        } else {
            Checksum::Sha256
        }
    }

    /// How many bytes it takes in the frame.
    fn len(self) -> usize {
        match self {
            Checksum::Sha256 => 32,
            Checksum::Xxh3 => 16,
        }
    }

    /// The checksum of `body`.
    fn of(self, body: &[u8]) -> Vec<u8> {
        match self {
            Checksum::Sha256 => Sha256::digest(body).to_vec(),
            Checksum::Xxh3 => xxhash_rust::xxh3::xxh3_128(body).to_le_bytes().to_vec(),
        }
    }
}

fn corrupt(field: &str, reason: &str) -> Error {
    Error::InvalidSnapshot {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}

impl Desk {
    /// The desk as a checkpoint (see [`crate::checkpoint`]).
    ///
    /// ```
    /// use partnerdesk::{demo, Desk};
    /// let (desk, _now) = demo::portfolio(50, 1)?;
    /// let bytes = desk.to_checkpoint()?;
    /// assert!(bytes.len() < desk.to_snapshot_json()?.len());
    /// assert_eq!(Desk::from_checkpoint(&bytes)?, desk);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn to_checkpoint(&self) -> Result<Vec<u8>> {
        let checksum = Checksum::of_version(CHECKPOINT_VERSION);
        let header = PREFIX_LEN + checksum.len();
        let mut out = Vec::with_capacity(header + 1024 * (self.len() + 1));
        out.extend_from_slice(&CHECKPOINT_MAGIC);
        out.extend_from_slice(&CHECKPOINT_VERSION.to_le_bytes());
        out.resize(header, 0);
        chunked::write_body(self, &mut out)?;
        let body = out.get(header..).unwrap_or_default();
        let len = (body.len() as u64).to_le_bytes();
        let sum = checksum.of(body);
        out[12..PREFIX_LEN].copy_from_slice(&len);
        out[PREFIX_LEN..header].copy_from_slice(&sum);
        Ok(out)
    }

    /// Loads a desk from a checkpoint, checking the frame, then every invariant a JSON
    /// snapshot is checked for. Nothing is loaded on error.
    ///
    /// ```
    /// use partnerdesk::{demo, Desk};
    /// let (desk, _now) = demo::portfolio(20, 1)?;
    /// let mut bytes = desk.to_checkpoint()?;
    /// let last = bytes.len() - 1;
    /// bytes[last] ^= 1;
    /// let err = Desk::from_checkpoint(&bytes).err().map(|e| e.code());
    /// assert_eq!(err, Some("INVALID_SNAPSHOT"));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn from_checkpoint(bytes: &[u8]) -> Result<Desk> {
        let too_short = || corrupt("checkpoint", "too short to be a checkpoint");
        let (Some(magic), Some(version)) = (bytes.get(..8), bytes.get(8..12)) else {
            return Err(too_short());
        };
        if magic != CHECKPOINT_MAGIC {
            return Err(corrupt("checkpoint", "not a partnerdesk checkpoint"));
        }
        let version = u32::from_le_bytes(version.try_into().unwrap_or_default());
        if version == 0 || version > CHECKPOINT_VERSION {
            return Err(Error::UnsupportedSnapshotVersion {
                found: version,
                supported: CHECKPOINT_VERSION,
            });
        }
        let checksum = Checksum::of_version(version);
        let header = PREFIX_LEN + checksum.len();
        let (Some(len), Some(digest), Some(body)) = (
            bytes.get(12..PREFIX_LEN),
            bytes.get(PREFIX_LEN..header),
            bytes.get(header..),
        ) else {
            return Err(too_short());
        };
        let len = u64::from_le_bytes(len.try_into().unwrap_or_default());
        if len != body.len() as u64 {
            return Err(corrupt(
                "checkpoint.length",
                "the body's length differs from the header's (truncated or extended)",
            ));
        }
        // The checksum is computed on a second thread while this one loads; its verdict
        // still comes first, so a body whose checksum differs is refused as such, whatever it
        // decodes to. Decoding bytes before they are known to match is safe: the decoder must
        // withstand any bytes anyway, since a checksum is no proof of who wrote them.
        let (matches, loaded) = std::thread::scope(|scope| {
            let hashing = std::thread::Builder::new()
                .name("checkpoint-digest".into())
                .spawn_scoped(scope, || checksum.of(body));
            let loaded = match version {
                1 => read_v1(body),
                v => chunked::read_body(body, chunked::Lists::of_version(v)),
            };
            // No second thread (or it failed): the checksum is computed here.
            let actual = hashing
                .ok()
                .and_then(|h| h.join().ok())
                .unwrap_or_else(|| checksum.of(body));
            (actual.as_slice() == digest, loaded)
        });
        if !matches {
            return Err(corrupt(
                "checkpoint.checksum",
                "the body's checksum differs from the header's",
            ));
        }
        loaded
    }
}

/// How deep a snapshot document's values nest in a checkpoint, at most (a version 1 body, or
/// the head of a later one): a few levels are ever written (an event's fields in the ledger's
/// list of events, a customer's resources in a version 1 body), and the decoder's recursion
/// must not follow a depth the bytes choose. (MessagePack's own default is 1024 levels, which
/// overflowed the 2 MiB stack of a thread at a few hundred: an abort, not an error.)
const MAX_DOCUMENT_DEPTH: usize = 64;

/// Decodes a snapshot document (a version 1 body, or a later body's head) with the decoder's
/// recursion bounded by [`MAX_DOCUMENT_DEPTH`].
fn decode_document(bytes: &[u8]) -> std::result::Result<SnapshotIn, rmp_serde::decode::Error> {
    let mut de = rmp_serde::Deserializer::from_read_ref(bytes);
    de.set_max_depth(MAX_DOCUMENT_DEPTH);
    serde::Deserialize::deserialize(&mut de)
}

/// Loads a desk from a version 1 body: the whole snapshot document, named-field MessagePack.
fn read_v1(body: &[u8]) -> Result<Desk> {
    let snap = decode_document(body).map_err(|_| {
        corrupt(
            "checkpoint.body",
            "does not decode as a version 1 checkpoint body",
        )
    })?;
    Desk::from_snapshot_in(snap)
}

#[cfg(test)]
mod tests;
