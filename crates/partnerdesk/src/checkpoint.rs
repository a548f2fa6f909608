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
//! | 32 | the SHA-256 digest of the body |
//! | rest | the body |
//!
//! Version 1's body is the JSON snapshot's document (the same fields, [`crate::snapshot`]
//! version 2) encoded as MessagePack with named fields (`rmp-serde`): self-describing, so the
//! model's internally tagged enums (`EventKind`) and open enums read back, and unknown fields
//! are skipped as in JSON.
//!
//! Loading checks the frame, then decodes the body and builds the desk through the very path a
//! JSON snapshot takes, with every invariant checked there. What goes wrong is typed, and no
//! desk is returned:
//!
//! - not a checkpoint (too short, other magic bytes), a truncated body, a checksum that does
//!   not match or a body that does not decode: `INVALID_SNAPSHOT` naming `checkpoint`,
//!   `checkpoint.length`, `checkpoint.checksum` or `checkpoint.body` (never the offending
//!   bytes: they may be personal data);
//! - a version newer than this library's: `UNSUPPORTED_SNAPSHOT_VERSION`;
//! - a body that decodes but breaks an invariant: the snapshot's own `INVALID_SNAPSHOT`.
//!
//! Older formats keep opening: when the body changes shape, the version goes up and the
//! loader keeps a reader for every earlier version. The test suite opens a version 1
//! checkpoint committed as a fixture (`tests/integration/fixtures/checkpoint-v1.bin`), which
//! is that guarantee's test from version 2 on.
//!
//! Like a JSON snapshot, a checkpoint holds customers' personal data and the desk's cursor
//! key: store and move it as a secret.

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::snapshot::SnapshotIn;
use sha2::{Digest, Sha256};

/// The magic bytes every checkpoint starts with.
pub const CHECKPOINT_MAGIC: [u8; 8] = *b"PDCKPT\r\n";

/// The checkpoint format version this library writes (and the newest it reads).
///
/// - 1: the snapshot document (snapshot version 2) as named-field MessagePack.
pub const CHECKPOINT_VERSION: u32 = 1;

/// The frame's length before the body: magic, version, length, digest.
const HEADER_LEN: usize = 8 + 4 + 8 + 32;

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
        let mut out = Vec::with_capacity(HEADER_LEN + 1024 * (self.len() + 1));
        out.extend_from_slice(&CHECKPOINT_MAGIC);
        out.extend_from_slice(&CHECKPOINT_VERSION.to_le_bytes());
        out.extend_from_slice(&[0; 8 + 32]);
        rmp_serde::encode::write_named(&mut out, &self.snapshot_out())
            .map_err(|_| corrupt("checkpoint.body", "could not be encoded"))?;
        let body = out.get(HEADER_LEN..).unwrap_or_default();
        let len = (body.len() as u64).to_le_bytes();
        let digest = Sha256::digest(body);
        out[12..20].copy_from_slice(&len);
        out[20..HEADER_LEN].copy_from_slice(&digest);
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
        let (Some(magic), Some(version), Some(len), Some(digest), Some(body)) = (
            bytes.get(..8),
            bytes.get(8..12),
            bytes.get(12..20),
            bytes.get(20..HEADER_LEN),
            bytes.get(HEADER_LEN..),
        ) else {
            return Err(corrupt("checkpoint", "too short to be a checkpoint"));
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
        let len = u64::from_le_bytes(len.try_into().unwrap_or_default());
        if len != body.len() as u64 {
            return Err(corrupt(
                "checkpoint.length",
                "the body's length differs from the header's (truncated or extended)",
            ));
        }
        // The digest is computed on a second thread while this one decodes (a million
        // customers are over a gigabyte to hash); its verdict still comes first, so a body
        // whose digest differs is refused as such, whatever it decodes to. Decoding bytes
        // before they are known to match is safe: the decoder must withstand any bytes anyway,
        // since a digest is no proof of who wrote them.
        let (matches, decoded) = std::thread::scope(|scope| {
            let hashing = std::thread::Builder::new()
                .name("checkpoint-digest".into())
                .spawn_scoped(scope, || Sha256::digest(body));
            // Version 1 is the only format so far; a version 2 keeps this reader for version 1.
            let decoded = rmp_serde::from_slice::<SnapshotIn>(body);
            // No second thread (or it failed): the digest is computed here.
            let actual = hashing
                .ok()
                .and_then(|h| h.join().ok())
                .unwrap_or_else(|| Sha256::digest(body));
            (actual.as_slice() == digest, decoded)
        });
        if !matches {
            return Err(corrupt(
                "checkpoint.checksum",
                "the body's SHA-256 digest differs from the header's",
            ));
        }
        let snap = decoded.map_err(|_| {
            corrupt(
                "checkpoint.body",
                "does not decode as a version 1 checkpoint body",
            )
        })?;
        Desk::from_snapshot_in(snap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    fn code(r: Result<Desk>) -> Option<&'static str> {
        r.err().map(|e| e.code())
    }

    #[test]
    fn round_trips_and_is_smaller_than_json() -> TestResult {
        let (desk, _) = demo::portfolio(300, 3)?;
        let bytes = desk.to_checkpoint()?;
        assert_eq!(bytes.get(..8), Some(&CHECKPOINT_MAGIC[..]));
        assert_eq!(Desk::from_checkpoint(&bytes)?, desk);
        assert!(bytes.len() < desk.to_snapshot_json()?.len());
        Ok(())
    }

    #[test]
    fn every_flipped_byte_is_refused_with_a_typed_error() -> TestResult {
        let (desk, _) = demo::portfolio(5, 3)?;
        let bytes = desk.to_checkpoint()?;
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            let got = code(Desk::from_checkpoint(&bad));
            let want = if (8..12).contains(&i) {
                "UNSUPPORTED_SNAPSHOT_VERSION"
            } else {
                "INVALID_SNAPSHOT"
            };
            assert_eq!(got, Some(want), "byte {i}");
        }
        Ok(())
    }

    #[test]
    fn truncated_extended_and_foreign_bytes_are_refused() -> TestResult {
        let (desk, _) = demo::portfolio(5, 3)?;
        let bytes = desk.to_checkpoint()?;
        for n in [0, 7, 8, HEADER_LEN - 1, HEADER_LEN, bytes.len() - 1] {
            assert_eq!(
                code(Desk::from_checkpoint(&bytes[..n])),
                Some("INVALID_SNAPSHOT"),
                "{n}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            code(Desk::from_checkpoint(&longer)),
            Some("INVALID_SNAPSHOT")
        );
        let json = desk.to_snapshot_json()?;
        assert_eq!(
            code(Desk::from_checkpoint(json.as_bytes())),
            Some("INVALID_SNAPSHOT")
        );
        Ok(())
    }

    #[test]
    fn a_newer_version_is_refused_by_version() -> TestResult {
        let (desk, _) = demo::portfolio(5, 3)?;
        let mut bytes = desk.to_checkpoint()?;
        bytes[8..12].copy_from_slice(&(CHECKPOINT_VERSION + 1).to_le_bytes());
        let err = Desk::from_checkpoint(&bytes).err();
        assert!(matches!(
            err,
            Some(Error::UnsupportedSnapshotVersion { found, supported })
                if found == CHECKPOINT_VERSION + 1 && supported == CHECKPOINT_VERSION
        ));
        Ok(())
    }

    /// The checkpoint framed again around an edited body.
    fn reframed(bytes: &[u8], body: &[u8]) -> Vec<u8> {
        let mut out = bytes.get(..12).unwrap_or_default().to_vec();
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&Sha256::digest(body));
        out.extend_from_slice(body);
        out
    }

    fn field_of(r: Result<Desk>) -> Option<String> {
        match r {
            Err(Error::InvalidSnapshot { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn refused_customers_are_named_as_in_a_json_snapshot() -> TestResult {
        // The checkpoint builds its desk in bulk; what it refuses, and the field it names, is
        // what the JSON snapshot's load says of the same edit: a customer's second resource
        // given the first one's id, then also its first resource started in 1960.
        let (desk, _) = demo::portfolio(40, 3)?;
        let bytes = desk.to_checkpoint()?;
        let (k, c) = desk
            .customers()
            .enumerate()
            .find(|(_, c)| {
                c.resources.len() >= 2
                    && c.resources[0].id.as_str().len() == c.resources[1].id.as_str().len()
            })
            .ok_or("a customer with two resources")?;
        let (r0, r1) = (c.resources[0].id.as_str(), c.resources[1].id.as_str());
        let mut body = bytes.get(HEADER_LEN..).ok_or("short")?.to_vec();
        let find = |body: &[u8], what: &[u8], from: usize| {
            body.get(from..)
                .and_then(|b| b.windows(what.len()).position(|w| w == what))
                .map(|p| p + from)
        };
        let at1 = find(&body, r1.as_bytes(), 0).ok_or("r1")?;
        body[at1..at1 + r1.len()].copy_from_slice(r0.as_bytes());
        let mut doc: serde_json::Value = serde_json::from_str(&desk.to_snapshot_json()?)?;
        doc["customers"][k]["resources"][1]["id"] = r0.into();
        let want = format!("customers[{k}].resources[1].id");
        assert_eq!(
            field_of(Desk::from_checkpoint(&reframed(&bytes, &body))),
            Some(want.clone())
        );
        assert_eq!(
            field_of(Desk::from_snapshot_json(&doc.to_string())),
            Some(want)
        );

        // The year of the first resource's start (the string after the key `starts_at` that
        // follows the resource's id; a one-byte string header before it).
        let at0 = find(&body, r0.as_bytes(), 0).ok_or("r0")?;
        let key = find(&body, b"starts_at", at0).ok_or("starts_at")?;
        let year = key + "starts_at".len() + 1;
        body[year..year + 4].copy_from_slice(b"1960");
        let since = doc["customers"][k]["resources"][0]["starts_at"]
            .as_str()
            .and_then(|t| t.get(4..))
            .ok_or("starts_at")?
            .to_owned();
        doc["customers"][k]["resources"][0]["starts_at"] = format!("1960{since}").into();
        let want = format!("customers[{k}].resources[0].starts_at");
        assert_eq!(
            field_of(Desk::from_checkpoint(&reframed(&bytes, &body))),
            Some(want.clone())
        );
        assert_eq!(
            field_of(Desk::from_snapshot_json(&doc.to_string())),
            Some(want)
        );
        Ok(())
    }

    #[test]
    fn a_well_framed_body_that_breaks_an_invariant_is_the_snapshot_error() -> TestResult {
        // The cursor key made 64 characters that are not hex digits, framed again with a
        // correct checksum: refused by the snapshot's own check, the path both formats share.
        let (desk, _) = demo::portfolio(5, 3)?;
        let bytes = desk.to_checkpoint()?;
        let key = desk.cursor_key.to_hex();
        let mut body = bytes.get(HEADER_LEN..).ok_or("short")?.to_vec();
        let at = body
            .windows(key.len())
            .position(|w| w == key.as_bytes())
            .ok_or("no key")?;
        body[at..at + key.len()].fill(b'z');
        let mut framed = bytes[..12].to_vec();
        framed.extend_from_slice(&(body.len() as u64).to_le_bytes());
        framed.extend_from_slice(&Sha256::digest(&body));
        framed.extend_from_slice(&body);
        let err = Desk::from_checkpoint(&framed).err();
        assert!(
            matches!(&err, Some(Error::InvalidSnapshot { field, .. }) if field == "cursor_key"),
            "{err:?}"
        );
        Ok(())
    }
}
