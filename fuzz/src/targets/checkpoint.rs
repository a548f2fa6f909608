//! Checkpoint load: any bytes give a desk or a typed error; a loaded desk runs its queries,
//! saves, and loads back equal. Mutated bodies are framed again with their true length and
//! checksum, so that they reach the decoder (a checksum is no proof of who wrote the bytes).

use super::{Fuzz, Target, demo, exercise, round_trips};
use crate::mutate;
use crate::rng::Rng;
use chrono::{DateTime, Utc};
use partnerdesk::Desk;
use partnerdesk::query::Query;
use sha2::{Digest, Sha256};

/// The target.
pub(crate) const TARGET: Target = Target {
    name: "checkpoint",
    about: "checkpoint load (versions 1 and 4, checksum recomputed): typed error or a desk that runs and round-trips",
    setup: || Box::new(Checkpoint::new()),
};

/// The frame's bytes before its checksum: magic, version, length.
const PREFIX_LEN: usize = 8 + 4 + 8;

/// The checksum a checkpoint of `version` carries: SHA-256 up to version 3, XXH3-128 (the
/// value little-endian) since version 4.
fn checksum(version: u32, body: &[u8]) -> Vec<u8> {
    if version >= 4 {
        xxhash_rust::xxh3::xxh3_128(body).to_le_bytes().to_vec()
    } else {
        Sha256::digest(body).to_vec()
    }
}

pub(super) struct Checkpoint {
    corpus: Vec<Vec<u8>>,
    now: DateTime<Utc>,
}

impl Checkpoint {
    pub(super) fn new() -> Self {
        let mut corpus = Vec::new();
        let (small, now) = demo(12, 9);
        if let Ok(bytes) = small.to_checkpoint() {
            corpus.push(bytes);
        }
        // A version 1 checkpoint: the committed fixture.
        let v1 = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../crates/partnerdesk/tests/fixtures/checkpoint-v1.bin"
        );
        if let Ok(bytes) = std::fs::read(v1) {
            corpus.push(bytes);
        }
        Checkpoint { corpus, now }
    }
}

/// `bytes` with its body's length and checksum made true again (by the version it says).
fn reframed(bytes: &[u8]) -> Vec<u8> {
    let Some(version) = bytes.get(8..12).and_then(|v| v.try_into().ok()) else {
        return bytes.to_vec();
    };
    let version = u32::from_le_bytes(version);
    let sum_len = checksum(version, &[]).len();
    let (Some(head), Some(body)) = (bytes.get(..12), bytes.get(PREFIX_LEN + sum_len..)) else {
        return bytes.to_vec();
    };
    let mut out = head.to_vec();
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&checksum(version, body));
    out.extend_from_slice(body);
    out
}

impl Fuzz for Checkpoint {
    fn generate(&self, rng: &mut Rng) -> Vec<u8> {
        let Some(bytes) = rng.pick(&self.corpus) else {
            return Vec::new();
        };
        let others: Vec<&[u8]> = self.corpus.iter().map(Vec::as_slice).collect();
        let mutated = mutate::bytes(
            rng,
            bytes,
            &["\u{0}", "\u{1}", "\u{7f}", "2026", "Z", "-"],
            &others,
        );
        // Mostly past the digest; sometimes the frame itself.
        if rng.chance(10) {
            mutated
        } else {
            reframed(&mutated)
        }
    }

    fn run(&self, input: &[u8]) -> Result<(), String> {
        let Ok(desk) = Desk::from_checkpoint(input) else {
            return Ok(());
        };
        exercise(&desk, &Query::all(), self.now)?;
        exercise(&desk, &Query::all().including_disassociated(true), self.now)?;
        round_trips(&desk)?;
        let again = desk
            .to_checkpoint()
            .and_then(|b| Desk::from_checkpoint(&b))
            .map_err(|e| format!("a loaded desk's checkpoint does not load: {e}"))?;
        if again != desk {
            return Err("a loaded desk's checkpoint loads as another desk".into());
        }
        Ok(())
    }
}
