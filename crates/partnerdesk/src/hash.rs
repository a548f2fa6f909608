//! Hashes and MACs used inside the crate: SHA-256 and HMAC-SHA256, and their hex forms.
//!
//! Why one place: cursors, query fingerprints and (after the event-log work) command
//! fingerprints and the event chain all need a digest; sharing these helpers keeps a single,
//! standard implementation of each (no hand-rolled hash) in the crate.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// SHA-256 of some byte strings, concatenated in order (the event chain's documented form:
/// `sha256(previous link + "\n" + event)`; callers with more than one variable part put a
/// fixed separator or a fixed-length part between them).
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// The first 8 bytes of SHA-256, big-endian: a fingerprint that is the same on every platform
/// and version (idempotency records keep it as a number).
pub(crate) fn fingerprint64(text: &str) -> u64 {
    let d = sha256(&[text.as_bytes()]);
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    u64::from_be_bytes(b)
}

/// A SHA-256 fed with text as it is written (`write!`), for the digest of a displayed value
/// without building its text first.
#[derive(Clone, Default)]
pub(crate) struct TextSha(Sha256);

impl std::fmt::Write for TextSha {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

impl TextSha {
    /// [`fingerprint64`] of the text written so far.
    pub(crate) fn fingerprint64(self) -> u64 {
        let d: [u8; 32] = self.0.finalize().into();
        let mut b = [0u8; 8];
        b.copy_from_slice(&d[..8]);
        u64::from_be_bytes(b)
    }
}

fn mac_of(key: &[u8], bytes: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
    mac.update(bytes);
    Some(mac)
}

/// HMAC-SHA256 of `bytes` under `key` (HMAC takes keys of any length, so this always has a
/// value; an all-zero tag would only come from an impossible key error and never verifies).
pub(crate) fn hmac_sha256(key: &[u8], bytes: &[u8]) -> [u8; 32] {
    mac_of(key, bytes).map_or([0; 32], |m| m.finalize().into_bytes().into())
}

/// Whether `tag` is the HMAC-SHA256 of `bytes` under `key` (compared in constant time).
pub(crate) fn hmac_sha256_verify(key: &[u8], bytes: &[u8], tag: &[u8]) -> bool {
    mac_of(key, bytes).is_some_and(|m| m.verify_slice(tag).is_ok())
}

/// Lower-case hex of bytes.
///
/// Through `encode_to_slice` rather than `hex::encode`, which collects `char`s one at a time:
/// every event's link is written here, and that collect was about a twelfth of a command's
/// instructions in the operations benchmark (callgrind, `benches/README.md`).
#[cfg(any(feature = "serde", test))]
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    push_hex(&mut out, bytes);
    out
}

/// Appends the lower-case hex of bytes to a text (see [`hex`]).
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    let mut buf = [0u8; 128];
    for chunk in bytes.chunks(buf.len() / 2) {
        let digits = buf.get_mut(..chunk.len() * 2).unwrap_or_default();
        match ::hex::encode_to_slice(chunk, digits) {
            // Hex digits are ASCII, so the bytes are UTF-8.
            Ok(()) => out.push_str(std::str::from_utf8(digits).unwrap_or_default()),
            // Only a length mismatch fails, which the slice above rules out.
            Err(_) => out.push_str(&::hex::encode(chunk)),
        }
    }
}

/// Bytes of lower- or upper-case hex, or `None` if it is not hex. Only hex digits are taken:
/// `from_str_radix` alone would also read a sign (`"+f"` as 15), so that a cursor's MAC or
/// key could be written in more than one way.
pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    ::hex::decode(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let tag = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(hmac_sha256_verify(
            b"Jefe",
            b"what do ya want for nothing?",
            &tag
        ));
        assert!(!hmac_sha256_verify(
            b"Jeff",
            b"what do ya want for nothing?",
            &tag
        ));
        assert!(!hmac_sha256_verify(
            b"Jefe",
            b"what do ya want for nothing?",
            &tag[..31]
        ));
        assert_eq!(unhex(&hex(&tag)).as_deref(), Some(&tag[..]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("é1"), None);
    }

    #[test]
    fn hex_is_the_crate_s_hex_at_every_length() {
        for n in [0usize, 1, 63, 64, 65, 200] {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 % 256) as u8).collect();
            assert_eq!(hex(&bytes), ::hex::encode(&bytes), "{n} bytes");
            let mut out = "x.".to_owned();
            push_hex(&mut out, &bytes);
            assert_eq!(out, format!("x.{}", ::hex::encode(&bytes)));
        }
    }

    #[test]
    fn unhex_takes_hex_digits_only_never_a_sign() {
        // Found by the cursor fuzz target: "+4" was read as 0x04, so a cursor whose MAC had
        // "04" replaced by "+4" still verified.
        assert_eq!(unhex("+4"), None);
        assert_eq!(unhex("-4"), None);
        assert_eq!(unhex("0a+4"), None);
        assert_eq!(unhex(" 4"), None);
        assert_eq!(unhex("04").as_deref(), Some(&[4u8][..]));
        assert_eq!(unhex("aBcD").as_deref(), Some(&[0xab_u8, 0xcd][..]));
        assert_eq!(unhex("").as_deref(), Some(&[][..]));
    }
}
