//! Cursor decoding: any cursor text (edited, truncated, re-signed with the old public
//! checksum, or forged with the desk's own key) gives a page or `INVALID_CURSOR` /
//! `CURSOR_MISMATCH`, never a panic or a wrong page; a cursor whose MAC is not the desk key's
//! is always `INVALID_CURSOR`.
//!
//! The target sets the desk's cursor key from a secret it knows, so that it can also forge
//! well-signed cursors with edited fields (as a holder of a leaked key could) and reach the
//! decoding of positions and ids behind the MAC check.

use super::{Fuzz, Target, demo};
use crate::mutate;
use crate::rng::Rng;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use partnerdesk::Desk;
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
use partnerdesk::search::CursorKey;
use sha2::{Digest, Sha256};

/// The target.
pub(crate) const TARGET: Target = Target {
    name: "cursor",
    about: "cursor decoding: edited and forged cursors give a typed error or a right page",
    setup: || Box::new(Cursor::new()),
};

const LIMIT: u32 = 7;

/// The secret the target's desk derives its cursor key from.
const SECRET: &[u8] = b"partnerdesk-fuzz cursor secret";

/// The cursor key `CursorKey::from_secret(SECRET)` holds: SHA-256 over the fixed domain tag
/// followed by the secret, as the core derives it.
fn key_bytes() -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"partnerdesk.cursor-key");
    h.update(SECRET);
    h.finalize().into()
}

/// Lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The HMAC-SHA256 of a payload under the target's key, as hex (the cursor's last field).
fn sign(key: &[u8; 32], payload: &str) -> String {
    match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(payload.as_bytes());
            hex(&mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; an impossible error gives a tag that never verifies.
        Err(_) => String::new(),
    }
}

struct Cursor {
    desk: Desk,
    now: DateTime<Utc>,
    /// The desk's cursor key, known to the target.
    key: [u8; 32],
    /// Queries with their sort, and valid cursors into them.
    searches: Vec<(Query, Sort, Vec<String>)>,
}

impl Cursor {
    fn new() -> Self {
        let (mut desk, now) = demo(120, 8);
        match CursorKey::from_secret(SECRET) {
            Ok(key) => desk.set_cursor_key(key),
            Err(e) => {
                eprintln!("setup: the cursor key was refused: {e}");
                std::process::exit(2);
            }
        }
        let mut searches = Vec::new();
        for (text, key) in [
            ("*", SortKey::Id),
            ("assoc=reseller", SortKey::MonthToDate),
            ("tag:vip or level=V3", SortKey::Name),
        ] {
            let Ok(query) = Query::parse(text) else {
                continue;
            };
            let sort = Sort {
                key,
                descending: false,
            };
            let mut cursors = Vec::new();
            let mut request = PageRequest::first(LIMIT);
            while let Ok(page) = desk.search(&query, sort, &request, now) {
                match page.next_cursor {
                    Some(c) => {
                        cursors.push(c.clone());
                        request = PageRequest::after(c, LIMIT);
                    }
                    None => break,
                }
            }
            searches.push((query, sort, cursors));
        }
        Cursor {
            desk,
            now,
            key: key_bytes(),
            searches,
        }
    }
}

/// FNV-1a, as the old version-1 cursors' public checksum: cursors re-signed with it must be
/// refused by the keyed MAC.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Fuzz for Cursor {
    fn generate(&self, rng: &mut Rng) -> Vec<u8> {
        let which = rng.below(self.searches.len());
        let mut out = vec![which as u8];
        let valid = self
            .searches
            .get(which)
            .and_then(|(_, _, c)| rng.pick(c))
            .cloned()
            .unwrap_or_default();
        let edited = match rng.below(4) {
            0 => String::from_utf8_lossy(&mutate::bytes(
                rng,
                valid.as_bytes(),
                &[".", "0", "f", "ffffffffffffffff", "1."],
                &[],
            ))
            .into_owned(),
            mode => {
                // Edit one field of the payload (version, fingerprint, position, last id),
                // then sign it: with the old public checksum (refused), or with the desk's
                // key (a forgery that passes the MAC and reaches the decoding).
                let mut parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
                parts.pop();
                let field = rng.below(parts.len().max(1));
                let edge = [
                    "",
                    "0",
                    "1",
                    "ffffffffffffffff",
                    "fffffffffffffffff",
                    "7fffffffffffffff",
                    "-1",
                    "+1",
                    "zz",
                    "00",
                    "c3",
                    "2d2d",
                    "ff.ff",
                ];
                if let Some(p) = parts.get_mut(field) {
                    *p = rng.pick(&edge).copied().unwrap_or("0").to_owned();
                }
                let payload = parts.join(".");
                if mode == 1 {
                    format!("{payload}.{:08x}", fnv(payload.as_bytes()) as u32)
                } else {
                    format!("{payload}.{}", sign(&self.key, &payload))
                }
            }
        };
        out.extend(edited.into_bytes());
        out
    }

    fn run(&self, input: &[u8]) -> Result<(), String> {
        let Some((&which, cursor)) = input.split_first() else {
            return Ok(());
        };
        let Some((query, sort, _)) = self
            .searches
            .get(usize::from(which) % self.searches.len().max(1))
        else {
            return Ok(());
        };
        let cursor = String::from_utf8_lossy(cursor).into_owned();
        let signed = cursor
            .rsplit_once('.')
            .is_some_and(|(payload, mac)| mac.eq_ignore_ascii_case(&sign(&self.key, payload)));
        let total = self.desk.count(query, self.now);
        match self
            .desk
            .search(query, *sort, &PageRequest::after(cursor, LIMIT), self.now)
        {
            Ok(_) if !signed => Err("a cursor without the desk key's MAC gave a page".to_owned()),
            Err(e) if !signed && e.code() != "INVALID_CURSOR" => Err(format!(
                "a cursor without the desk key's MAC was refused with {}",
                e.code()
            )),
            Err(e) if !matches!(e.code(), "INVALID_CURSOR" | "CURSOR_MISMATCH") => {
                Err(format!("a cursor was refused with {} ({e})", e.code()))
            }
            Ok(page) if page.rows.len() > LIMIT as usize => {
                Err(format!("{} rows on a page of {LIMIT}", page.rows.len()))
            }
            Ok(page) if page.total != total => {
                Err(format!("page total {} != count {total}", page.total))
            }
            _ => Ok(()),
        }
    }
}
