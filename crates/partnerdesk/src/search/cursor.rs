//! Search cursors: signed, opaque continuation tokens.
//!
//! Why signed: a cursor travels through the host's clients; a MAC under the desk's
//! [`CursorKey`] makes a forged or edited one a typed refusal instead of a wrong page.

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::query::{Query, Sort};
use std::fmt;

/// The desk's secret for signing search cursors with HMAC-SHA256: a cursor is the query's
/// fingerprint, a position and the last row's id, with a MAC under this key, so a forged,
/// edited, truncated or re-signed cursor is refused (`INVALID_CURSOR`).
///
/// Where it comes from: [`crate::Desk::new`] draws a fresh key ([`CursorKey::random`]); a
/// snapshot keeps the key, so cursors survive a save and reload (the snapshot already holds
/// the raw data the cursors point into, and must be stored as such). Hosts that page one desk
/// from several processes without sharing a snapshot set a key derived from a shared secret
/// ([`CursorKey::from_secret`], [`crate::Desk::set_cursor_key`]). The key is never in a row, an
/// export, an error or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct CursorKey([u8; 32]);

impl fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CursorKey([redacted])")
    }
}

impl CursorKey {
    /// A fresh random key. The core reads no clock and does no I/O, so the randomness is std's:
    /// [`std::collections::hash_map::RandomState`] is keyed from the operating system's random
    /// source (128 bits, once per thread) and varied on every call; four of its SipHash outputs,
    /// mixed with a process-wide counter, are hashed with SHA-256 into the key.
    pub fn random() -> Self {
        use std::hash::{BuildHasher, Hasher};
        use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, AtomicOrdering::Relaxed);
        let mut seed = [0u8; 32];
        for (i, chunk) in seed.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(n);
            h.write_usize(i);
            chunk.copy_from_slice(&h.finish().to_le_bytes());
        }
        CursorKey(crate::hash::sha256(&[b"partnerdesk.cursor-key", &seed]))
    }

    /// A key derived from a host's secret of at least 16 bytes (`INVALID_ARGUMENT` otherwise):
    /// desks given the same secret accept each other's cursors.
    ///
    /// ```
    /// use partnerdesk::search::CursorKey;
    /// let key = CursorKey::from_secret(b"a shared secret of 32 bytes.....")?;
    /// assert_eq!(format!("{key:?}"), "CursorKey([redacted])");
    /// assert!(CursorKey::from_secret(b"short").is_err());
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn from_secret(secret: &[u8]) -> Result<Self> {
        if secret.len() < 16 {
            return Err(Error::invalid_arg(
                "cursor_key",
                "a cursor key needs at least 16 bytes",
            ));
        }
        Ok(CursorKey(crate::hash::sha256(&[
            b"partnerdesk.cursor-key",
            secret,
        ])))
    }

    /// The key as hex (for snapshots only).
    #[cfg(feature = "serde")]
    pub(crate) fn to_hex(&self) -> String {
        crate::hash::hex(&self.0)
    }

    /// A key from its hex form (for snapshots only).
    #[cfg(feature = "serde")]
    pub(crate) fn from_hex(s: &str) -> Option<Self> {
        crate::hash::unhex(s)?.try_into().ok().map(CursorKey)
    }
}

impl Desk {
    /// Replaces the key that signs and checks search cursors (see [`CursorKey`]); cursors
    /// handed out under the old key are refused from now on.
    pub fn set_cursor_key(&mut self, key: CursorKey) {
        self.cursor_key = key;
    }
}

/// A stable fingerprint of a query and sort: the first 8 bytes of the SHA-256 of their
/// canonical text, `"{query}|{sort}"`. The filter's part of the hash is kept with its tree
/// ([`crate::query::Expr`]), so a search of the same query hashes only the rest.
pub(super) fn fingerprint(query: &Query, sort: Sort) -> u64 {
    let mut h = query.filter.text_sha();
    // The rest of the query's text (`Query`'s `Display` after its filter), then the sort.
    let _ = std::fmt::Write::write_fmt(&mut h, format_args!("{}|{sort}", query.text_suffix()));
    h.fingerprint64()
}

/// The cursor format's version tag.
pub(super) const CURSOR_VERSION: &str = "2";
/// Hex digits of a cursor's MAC (the whole HMAC-SHA256).
pub(super) const MAC_HEX: usize = 64;

pub(super) fn encode_cursor(key: &CursorKey, fp: u64, position: usize, last_id: &str) -> String {
    // One text, written in place: the payload, then a dot and the payload's MAC.
    let mut out = String::with_capacity(40 + 2 * last_id.len() + MAC_HEX);
    // Writing into a `String` does not fail.
    let _ = fmt::Write::write_fmt(
        &mut out,
        format_args!("{CURSOR_VERSION}.{fp:016x}.{position:x}."),
    );
    crate::hash::push_hex(&mut out, last_id.as_bytes());
    let mac = crate::hash::hmac_sha256(&key.0, out.as_bytes());
    out.push('.');
    crate::hash::push_hex(&mut out, &mac);
    out
}

/// Checks a cursor's MAC, then reads its fingerprint, position and last id. A cursor that was
/// not made by this desk's key, in any way, is `INVALID_CURSOR`.
pub(super) fn decode_cursor(key: &CursorKey, c: &str) -> Result<(u64, usize, String)> {
    let (payload, mac) = c.rsplit_once('.').ok_or(Error::InvalidCursor)?;
    if mac.len() != MAC_HEX {
        return Err(Error::InvalidCursor);
    }
    let mac = crate::hash::unhex(mac).ok_or(Error::InvalidCursor)?;
    if !crate::hash::hmac_sha256_verify(&key.0, payload.as_bytes(), &mac) {
        return Err(Error::InvalidCursor);
    }
    let mut parts = payload.split('.');
    let (Some(CURSOR_VERSION), Some(fp), Some(pos), Some(id), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(Error::InvalidCursor);
    };
    let fp = u64::from_str_radix(fp, 16).map_err(|_| Error::InvalidCursor)?;
    let pos = usize::from_str_radix(pos, 16).map_err(|_| Error::InvalidCursor)?;
    let id = crate::hash::unhex(id)
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(Error::InvalidCursor)?;
    Ok((fp, pos, id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::SortKey;

    /// The fingerprint is the SHA-256 of the query's and sort's text, as cursors already given
    /// out were made, whether the filter's part was hashed before or not.
    #[test]
    fn the_fingerprint_is_the_digest_of_the_query_and_sort_text() -> crate::Result<()> {
        for (text, incl) in [
            ("", false),
            ("name~cloud and (tag:vip or tag:gold)", false),
            ("managername~\"li na\" or not mtd>=100", true),
        ] {
            let mut q = Query::parse(text)?;
            q.include_disassociated = incl;
            for sort in [Sort::asc(SortKey::Name), Sort::desc(SortKey::MonthToDate)] {
                let want = crate::hash::fingerprint64(&format!("{q}|{sort}"));
                assert_eq!(fingerprint(&q, sort), want, "{text:?} {sort}");
                assert_eq!(fingerprint(&q, sort), want, "again, from the kept digest");
            }
        }
        Ok(())
    }
}
