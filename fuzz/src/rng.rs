//! The random source: proptest's seeded ChaCha generator, one per input.
//!
//! Why one generator per input: the input number and the run's seed decide it alone, so
//! `--seed X --start K --cases 1` makes input `K` again, even when the process died on it
//! (a stack overflow cannot be caught and the input is then not saved).

use proptest::prelude::Rng as _;
use proptest::test_runner::{RngAlgorithm, TestRng};

/// A seeded random source with the few helpers the generators need.
pub(crate) struct Rng(TestRng);

/// SplitMix64: spreads (seed, target, input number) over the 32 bytes of a ChaCha seed.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl Rng {
    /// The generator of input `index` of `target` in the run seeded `seed`.
    pub(crate) fn for_input(seed: u64, target: &str, index: u64) -> Rng {
        let t = target.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let mut key = [0u8; 32];
        let mut x = seed ^ t.rotate_left(17) ^ index.rotate_left(41);
        for chunk in key.chunks_mut(8) {
            x = splitmix(x);
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        Rng(TestRng::from_seed(RngAlgorithm::ChaCha, &key))
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        // The bias of a plain modulo is irrelevant for fuzzing.
        (self.0.next_u64() % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub(crate) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice (the first when it is empty is impossible: callers
    /// pass constant, non-empty tables; an empty one gives `None`).
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// A random byte.
    pub(crate) fn byte(&mut self) -> u8 {
        (self.0.next_u64() & 0xff) as u8
    }
}
