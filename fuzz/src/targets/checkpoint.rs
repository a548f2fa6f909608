//! Checkpoint load: any bytes give a desk or a typed error; a loaded desk runs its queries,
//! saves, and loads back equal. Mutated bodies are framed again with their true length and
//! digest, so that they reach the decoder (a digest is no proof of who wrote the bytes).

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
    about: "checkpoint load (versions 1 and 2, digest recomputed): typed error or a desk that runs and round-trips",
    setup: || Box::new(Checkpoint::new()),
};

/// The frame before the body: magic, version, length, digest.
const HEADER_LEN: usize = 8 + 4 + 8 + 32;

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

/// `bytes` with its body's length and digest made true again.
fn reframed(bytes: &[u8]) -> Vec<u8> {
    let (Some(head), Some(body)) = (bytes.get(..12), bytes.get(HEADER_LEN..)) else {
        return bytes.to_vec();
    };
    let mut out = head.to_vec();
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(body));
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
