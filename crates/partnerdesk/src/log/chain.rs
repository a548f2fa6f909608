//! The event log's hash chain, and the crate's SHA-256 helper.
//!
//! Why a chain: a host stores the event log outside the desk (a file, a queue, a database) and
//! replays it later. Each event carries a `link` that commits to the event's canonical bytes and
//! to the link before it, so an event that was reordered, renumbered, edited, inserted or
//! removed no longer matches and [`crate::Desk::apply_events`] refuses it with
//! `EVENT_CHAIN_BROKEN`, naming its sequence number. Snapshots record the chain head they were
//! taken at, so a log continues from a snapshot.
//!
//! Two modes:
//!
//! - without a key, a link is `SHA-256(previous link ‖ 0x0a ‖ canonical bytes)`: it catches
//!   accidents and any edit by someone who does not also rewrite every later link; since anyone
//!   can compute SHA-256, it proves nothing against an attacker who rewrites the whole tail
//!   (the semantic checks of replay still apply to what such a tail contains);
//! - with a host-supplied [`EventKey`], a link is `HMAC-SHA256(key, previous link ‖ 0x0a ‖
//!   canonical bytes)`: nobody without the key can produce a valid link.
//!
//! The canonical bytes of an event are its JSON (field order fixed by the type, no map with an
//! unspecified order) without the `link` field ([`crate::event::Event::canonical_bytes`]); so
//! the chain needs the `serde` feature. Without
//! it, events carry no link and [`crate::Desk::apply_events`] checks no chain (the semantic
//! checks still apply).
//!
//! A link is 64 lower-case hexadecimal digits. The empty text is the head of a new chain: the
//! head of a desk that has emitted nothing yet, and of a desk loaded from a snapshot written
//! before chains existed (snapshot version 1), whose next event starts a new chain.

use crate::error::{Error, Result};
use hmac::{Hmac, KeyInit};
use sha2::Sha256;
use std::fmt;

/// The minimum length of an [`EventKey`], in bytes.
pub const MIN_EVENT_KEY_BYTES: usize = 16;

/// A host's secret for HMAC links in the event log (at least 16 bytes). `Debug` never shows
/// it, and it is never saved in a snapshot or an event: the host keeps it (see `SECURITY.md`).
///
/// ```
/// use partnerdesk::chain::EventKey;
/// let key = EventKey::new(b"a host secret of at least 16 bytes")?;
/// assert_eq!(format!("{key:?}"), "EventKey([redacted])");
/// assert_eq!(EventKey::new(b"short").err().map(|e| e.code()), Some("INVALID_ARGUMENT"));
/// # Ok::<(), partnerdesk::Error>(())
/// ```
#[derive(Clone)]
pub struct EventKey(Hmac<Sha256>);

impl EventKey {
    /// A key from the host's secret bytes (at least [`MIN_EVENT_KEY_BYTES`]); shorter is
    /// `INVALID_ARGUMENT` on `event_key`.
    pub fn new(secret: &[u8]) -> Result<Self> {
        hmac_key(secret, "event_key", "an event key").map(EventKey)
    }
}

/// An HMAC-SHA256 key from a host's secret bytes (at least [`MIN_EVENT_KEY_BYTES`]); a shorter
/// secret is `INVALID_ARGUMENT` on `field`, saying that `what` needs more bytes. The event key
/// and the pseudonym key are both made here.
pub(crate) fn hmac_key(secret: &[u8], field: &str, what: &str) -> Result<Hmac<Sha256>> {
    if secret.len() < MIN_EVENT_KEY_BYTES {
        return Err(Error::invalid_arg(
            field,
            format!("{what} needs at least {MIN_EVENT_KEY_BYTES} bytes"),
        ));
    }
    <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
        .map_err(|_| Error::invalid_arg(field, "the key could not be used for HMAC-SHA256"))
}

/// The fixed message whose MAC two keys are compared by ([`EventKey`]'s `PartialEq`).
const KEY_PROBE: &[u8] = b"partnerdesk: do these two event keys seal alike?";

impl PartialEq for EventKey {
    /// Whether two keys seal events alike: the MAC of a fixed message under one is verified
    /// under the other, in constant time (neither key is read out). Keys HMAC treats as one
    /// (a secret longer than 64 bytes and its SHA-256) are equal, as their links are.
    ///
    /// ```
    /// use partnerdesk::chain::EventKey;
    /// let a = EventKey::new(b"a host secret of at least 16 bytes")?;
    /// assert_eq!(a, EventKey::new(b"a host secret of at least 16 bytes")?);
    /// assert_ne!(a, EventKey::new(b"another secret of 16 bytes or more")?);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    fn eq(&self, other: &Self) -> bool {
        use hmac::Mac;
        let tag = self
            .0
            .clone()
            .chain_update(KEY_PROBE)
            .finalize()
            .into_bytes();
        other
            .0
            .clone()
            .chain_update(KEY_PROBE)
            .verify_slice(&tag)
            .is_ok()
    }
}

impl Eq for EventKey {}

/// The fixed message whose MAC under a desk's key its snapshots and checkpoints record
/// ([`seal_record`]).
const SEAL_LABEL: &[u8] = b"partnerdesk: the key this desk seals its events with, v1";

/// The record a snapshot or checkpoint keeps of the key its desk sealed with: `none` without
/// one, else the MAC of a fixed message under the key, 64 hexadecimal digits. It reveals no
/// more of the key than any link of the log does (a MAC of known bytes), and lets an open
/// with the wrong key (or none) be refused before anything is sealed with it, even when no
/// event of the log can be checked yet.
#[cfg(feature = "serde")]
pub(crate) fn seal_record(key: Option<&EventKey>) -> String {
    use hmac::Mac;
    match key {
        None => SEAL_NONE.to_owned(),
        Some(k) => crate::hash::hex(&k.0.clone().chain_update(SEAL_LABEL).finalize().into_bytes()),
    }
}

/// The [`seal_record`] of a desk without a key.
pub(crate) const SEAL_NONE: &str = "none";

/// Whether `record` ([`seal_record`]) was made with `key`: compared in constant time (the MAC
/// is verified, not recomputed and compared as text). A record that is neither `none` nor 64
/// hexadecimal digits matches no key.
pub(crate) fn seal_matches(record: &str, key: Option<&EventKey>) -> bool {
    use hmac::Mac;
    match key {
        None => record == SEAL_NONE,
        Some(k) => crate::hash::unhex(record).is_some_and(|tag| {
            tag.len() == 32
                && k.0
                    .clone()
                    .chain_update(SEAL_LABEL)
                    .verify_slice(&tag)
                    .is_ok()
        }),
    }
}

impl fmt::Debug for EventKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventKey([redacted])")
    }
}

/// SHA-256 or the keyed MAC, fed by `io::Write` (what [`link`] hands its writer).
#[cfg(feature = "serde")]
pub(crate) enum Hashing {
    /// No key: SHA-256.
    Plain(Sha256),
    /// The desk's key: HMAC-SHA-256.
    Keyed(Hmac<Sha256>),
}

#[cfg(feature = "serde")]
impl std::io::Write for Hashing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use hmac::Mac;
        use sha2::Digest;
        match self {
            Hashing::Plain(h) => Digest::update(h, buf),
            Hashing::Keyed(m) => m.update(buf),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The link of an event whose canonical bytes `write_body` writes, after the link `previous`.
///
/// The bytes go straight into the hash as they are written, through a buffer of bounded size:
/// sealing an event that carries a whole import page (a million customers is about 1.7 GB of
/// JSON) does not hold its JSON in memory a second time. The writer is a concrete type, so the
/// JSON writer's many small writes (a few bytes each) are copies into the buffer, not calls.
#[cfg(feature = "serde")]
pub(crate) fn link(
    previous: &str,
    key: Option<&EventKey>,
    write_body: impl FnOnce(&mut std::io::BufWriter<Hashing>) -> std::io::Result<()>,
) -> std::io::Result<String> {
    use hmac::Mac;
    use sha2::Digest;
    let mut h = match key {
        None => Hashing::Plain(Sha256::new()),
        Some(k) => Hashing::Keyed(k.0.clone()),
    };
    std::io::Write::write_all(&mut h, previous.as_bytes())?;
    std::io::Write::write_all(&mut h, b"\n")?;
    let mut buffered = std::io::BufWriter::with_capacity(2048, h);
    write_body(&mut buffered)?;
    let h = buffered.into_inner().map_err(|e| e.into_error())?;
    Ok(match h {
        Hashing::Plain(h) => crate::hash::hex(&h.finalize()),
        Hashing::Keyed(m) => crate::hash::hex(&m.finalize().into_bytes()),
    })
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;

    /// The link of `body` written whole (an I/O error cannot happen: the hash takes all).
    fn link_of(previous: &str, body: &[u8], key: Option<&EventKey>) -> String {
        super::link(previous, key, |w| std::io::Write::write_all(w, body)).unwrap_or_default()
    }

    #[test]
    fn links_depend_on_previous_body_and_key() -> Result<()> {
        let a = link_of("", b"x", None);
        assert_eq!(a.len(), 64);
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_ne!(a, link_of("", b"y", None));
        assert_ne!(a, link_of(&a, b"x", None));
        let k1 = EventKey::new(&[1u8; 16])?;
        let k2 = EventKey::new(&[2u8; 16])?;
        assert_ne!(link_of("", b"x", Some(&k1)), a);
        assert_ne!(link_of("", b"x", Some(&k1)), link_of("", b"x", Some(&k2)));
        assert_eq!(link_of("", b"x", Some(&k1)), link_of("", b"x", Some(&k1)));
        // Known answer: SHA-256("\nx").
        assert_eq!(
            crate::hash::hex(&crate::hash::sha256(&[b"\nx"])),
            link_of("", b"x", None)
        );
        assert_eq!(
            crate::hash::hex(&crate::hash::sha256(&[b"abc"])),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        Ok(())
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(crate::hash::fingerprint64("abc"), 0xba78_16bf_8f01_cfea);
        assert_ne!(
            crate::hash::fingerprint64("a"),
            crate::hash::fingerprint64("b")
        );
    }
}
