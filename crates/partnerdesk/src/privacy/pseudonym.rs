//! Pseudonyms: a stable, keyed stand-in for a personal value in anonymised exports.
//!
//! Why keyed: a plain hash of a mobile number is reversed by hashing every number; an HMAC under
//! the desk's secret key is not, yet the same value always gives the same pseudonym, so rows
//! can still be joined.

use super::{PSEUDONYM_HEX, PSEUDONYM_PREFIX, SensitiveField};
use crate::error::Result;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// The partner's secret for keyed pseudonyms (at least 16 bytes). `Debug` never shows it, and it
/// is never saved in a snapshot.
#[derive(Clone)]
pub struct PseudonymKey(Hmac<Sha256>);

impl PseudonymKey {
    /// A key from the partner's secret bytes (at least 16).
    ///
    /// ```
    /// use partnerdesk::privacy::PseudonymKey;
    /// let key = PseudonymKey::new(b"a partner secret of 32 bytes....")?;
    /// assert_eq!(format!("{key:?}"), "PseudonymKey([redacted])");
    /// assert!(PseudonymKey::new(b"short").is_err());
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn new(secret: &[u8]) -> Result<Self> {
        crate::chain::hmac_key(secret, "pseudonym_key", "a pseudonym key").map(PseudonymKey)
    }

    /// The pseudonym of a value of a field, appended to `out`.
    pub(super) fn pseudonym_into(
        &self,
        field: SensitiveField,
        normalised: &str,
        out: &mut impl super::mask::Sink,
    ) {
        let mut mac = self.0.clone();
        mac.update(field.as_str().as_bytes());
        mac.update(&[0]);
        mac.update(normalised.as_bytes());
        let digest = mac.finalize().into_bytes();
        out.push_str(PSEUDONYM_PREFIX);
        for b in digest.iter().take(PSEUDONYM_HEX / 2) {
            let _ = write!(out, "{b:02x}");
        }
    }
}

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PseudonymKey([redacted])")
    }
}
