//! Cursor decoding: any cursor text (edited, truncated, forged with a recomputed checksum)
//! gives a page or `INVALID_CURSOR`/`CURSOR_MISMATCH`, never a panic or a wrong page.

use super::{Fuzz, Target, demo};
use crate::mutate;
use crate::rng::Rng;
use chrono::{DateTime, Utc};
use partnerdesk::Desk;
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};

/// The target.
pub(crate) const TARGET: Target = Target {
    name: "cursor",
    about: "cursor decoding: edited and forged cursors give a typed error or a right page",
    setup: || Box::new(Cursor::new()),
};

const LIMIT: u32 = 7;

struct Cursor {
    desk: Desk,
    now: DateTime<Utc>,
    /// Queries with their sort, and valid cursors into them.
    searches: Vec<(Query, Sort, Vec<String>)>,
}

impl Cursor {
    fn new() -> Self {
        let (desk, now) = demo(120, 8);
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
            searches,
        }
    }
}

/// FNV-1a, as the version-1 cursors' checksum: lets the generator forge well-formed cursors
/// with edited fields (a keyed MAC refuses them).
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
        let edited = match rng.below(3) {
            0 => String::from_utf8_lossy(&mutate::bytes(
                rng,
                valid.as_bytes(),
                &[".", "0", "f", "ffffffffffffffff", "1."],
                &[],
            ))
            .into_owned(),
            _ => {
                // Edit one field of the payload, then re-sign it with the public checksum.
                let mut parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
                parts.pop();
                let field = rng.below(parts.len().max(1));
                let edge = [
                    "",
                    "0",
                    "ffffffffffffffff",
                    "fffffffffffffffff",
                    "7fffffffffffffff",
                    "-1",
                    "zz",
                    "00",
                ];
                if let Some(p) = parts.get_mut(field) {
                    *p = rng.pick(&edge).copied().unwrap_or("0").to_owned();
                }
                let payload = parts.join(".");
                format!("{payload}.{:08x}", fnv(payload.as_bytes()) as u32)
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
        let total = self.desk.count(query, self.now);
        match self
            .desk
            .search(query, *sort, &PageRequest::after(cursor, LIMIT), self.now)
        {
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
