//! The expiry index's key: an expiry, and beside it what tells whether it is its customer's
//! next expiry at a given `now`.
//!
//! Why: "what expires in the next N days, soonest first" (the console's expiry filter) counts
//! each customer once, at its next expiry: the earliest of its expiries at or after `now`. In
//! the index's expiry order from `now` on, that is the first of the customer's entries, so the
//! search used to walk the entries with a copy of the universe's bits and take each slot's bit
//! at its first entry: a copy of a bit per customer, and a write to a random place of it for
//! every entry. An entry that carries the day of its customer's previous expiry answers the
//! same question from itself: it is the customer's next expiry at `now` exactly when that
//! previous expiry is before `now`, which the day decides unless it is `now`'s own day (then
//! the customer's expiries in the index decide, one binary search). The entry also carries
//! whether its customer is associated, the default universe of a search. So the walk reads the
//! entries in order and nothing else (`benches/README.md`, the Q2 figures of issue 18).

use super::sorted::BlockSummary;
use chrono::{DateTime, Datelike, Utc};
use std::cmp::Ordering;

/// The link's bit for "the customer is associated".
const ASSOCIATED: u32 = 1 << 31;
/// The link's bits for the previous expiry's day.
const DAY: u32 = ASSOCIATED - 1;
/// The day bits of an entry without a previous expiry.
const NO_PREVIOUS: u32 = 0;
/// Added to a day number (days from the common era, at most a few million either way for any
/// date chrono holds) so that every day's code is positive and above [`NO_PREVIOUS`].
const DAY_BIAS: i64 = 1 << 30;

/// An expiry in the expiry index. It orders and compares by the instant alone: the link is
/// what the index derives from the customer's other expiries and its association, and an
/// entry is found, replaced or removed by `(instant, slot)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expiry {
    /// When the resource expires.
    pub(crate) at: DateTime<Utc>,
    /// [`ASSOCIATED`] and the code of the previous expiry's day (see [`day_code`]).
    link: u32,
}

impl PartialEq for Expiry {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}

impl Eq for Expiry {}

impl PartialOrd for Expiry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Expiry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.at.cmp(&other.at)
    }
}

/// The code of a day: its number from the common era, biased to be positive. Every date
/// chrono can hold fits (its range is about 262,000 years either way of the era).
fn day_code(at: DateTime<Utc>) -> u32 {
    let code = i64::from(at.date_naive().num_days_from_ce()) + DAY_BIAS;
    // Within 1..2^31 for every date chrono holds; out of it, clamped to the valid codes.
    u32::try_from(code.clamp(1, i64::from(DAY))).unwrap_or(DAY)
}

impl Expiry {
    /// A bound of a range of the index: only the instant counts.
    pub(crate) fn bound(at: DateTime<Utc>) -> Self {
        Expiry { at, link: 0 }
    }

    /// An entry: the expiry `at`, the customer's previous expiry (the latest one before `at`)
    /// and whether the customer is associated.
    pub(crate) fn entry(
        at: DateTime<Utc>,
        previous: Option<DateTime<Utc>>,
        associated: bool,
    ) -> Self {
        let day = previous.map_or(NO_PREVIOUS, day_code);
        Expiry {
            at,
            link: day | if associated { ASSOCIATED } else { 0 },
        }
    }

    /// Whether the customer was associated when the entry was made.
    #[inline]
    pub(crate) fn associated(self) -> bool {
        self.link & ASSOCIATED != 0
    }

    /// For an entry at or after `now` (whose day's code is `today`, [`Expiry::today`]):
    /// whether it is its customer's next expiry at `now`, when the entry can tell (the
    /// previous expiry on another day than `now`'s, or none); `None` when the previous expiry
    /// is on `now`'s day, and the customer's expiries must decide.
    #[inline]
    pub(crate) fn is_next(self, today: u32) -> Option<bool> {
        // `NO_PREVIOUS` is below every day's code.
        let day = self.link & DAY;
        match day.cmp(&today) {
            Ordering::Less => Some(true),
            Ordering::Greater => Some(false),
            Ordering::Equal => None,
        }
    }

    /// The day code of `now`, for [`Expiry::is_next`].
    pub(crate) fn today(now: DateTime<Utc>) -> u32 {
        day_code(now)
    }
}

/// Whether an entry at or after `now` (whose day's code is `today`) is counted: its customer is
/// in the universe (associated, unless `all`) and the entry is the customer's next expiry at
/// `now`, which `exact` decides when the previous expiry is on `now`'s day. The one predicate
/// of the search's page and of both counts below.
pub(crate) fn counts(
    e: Expiry,
    slot: u32,
    today: u32,
    all: bool,
    exact: impl Fn(Expiry, u32) -> bool,
) -> bool {
    (all || e.associated()) && e.is_next(today).unwrap_or_else(|| exact(e, slot))
}

/// How many of `entries` (all at or after `now`) [`counts`] counts: the two ends of a range,
/// read entry by entry.
pub(crate) fn count_next(
    entries: &[(Expiry, u32)],
    today: u32,
    all: bool,
    exact: impl Fn(Expiry, u32) -> bool,
) -> usize {
    entries
        .iter()
        .filter(|&&(e, slot)| counts(e, slot, today, all, &exact))
        .count()
}

/// What the expiry index keeps of each of its blocks, so that [`NextCount::count`] answers for
/// a whole block from a few of its entries: how many are of associated customers, and the
/// entries that have a previous expiry, ordered by that expiry's day, each with whether its
/// customer is associated. For a `now` of today or later, the entries whose previous expiry is
/// before today are next expiries, those whose previous expiry is after today are not; only
/// those on today's day are read from the block.
///
/// With each entry's association bit beside its day, a count reads the block's entries only for
/// the customers whose previous expiry is on today's day (at 10M, a week's expiries span about
/// 2,000 blocks, and reading each block was a cache miss more a block).
#[derive(Debug, Clone, Default)]
pub(crate) struct NextCount {
    /// Entries of associated customers.
    associated: u32,
    /// `(day code << 9) | (associated << 8) | position in the block` of each entry with a
    /// previous expiry, ascending (a block holds at most 129 entries, so a position fits in 8
    /// bits).
    later: Box<[u64]>,
}

/// The bit of a [`NextCount`] entry for "the customer is associated".
const LATER_ASSOCIATED: u64 = 1 << 8;

impl BlockSummary<(Expiry, u32)> for NextCount {
    fn of(block: &[(Expiry, u32)]) -> Self {
        let mut later: Vec<u64> = block
            .iter()
            .zip(0u64..)
            .filter(|((e, _), _)| e.link & DAY != NO_PREVIOUS)
            .map(|((e, _), i)| {
                let associated = if e.associated() { LATER_ASSOCIATED } else { 0 };
                (u64::from(e.link & DAY) << 9) | associated | (i & 0xFF)
            })
            .collect();
        later.sort_unstable();
        NextCount {
            associated: block.iter().filter(|(e, _)| e.associated()).count() as u32,
            later: later.into_boxed_slice(),
        }
    }

    fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.later)
    }
}

impl NextCount {
    /// [`count_next`] of the whole block this summarises.
    pub(crate) fn count(
        &self,
        block: &[(Expiry, u32)],
        today: u32,
        all: bool,
        exact: impl Fn(Expiry, u32) -> bool,
    ) -> usize {
        let mut n = if all {
            block.len()
        } else {
            self.associated as usize
        };
        // Every entry is counted but those of the universe whose previous expiry is on or
        // after today's day and that are not the next expiry: only those are looked at, and
        // only those on today's day are read from the block.
        let today = u64::from(today);
        let from = self.later.partition_point(|k| (k >> 9) < today);
        for &k in &self.later[from..] {
            if !all && k & LATER_ASSOCIATED == 0 {
                continue;
            }
            let next = if k >> 9 > today {
                false
            } else {
                let Some(&(e, slot)) = block.get((k & 0xFF) as usize) else {
                    continue;
                };
                exact(e, slot)
            };
            if !next {
                n = n.saturating_sub(1);
            }
        }
        n
    }
}

/// The entries of one customer's expiries (ascending, distinct), each with the one before it.
pub(crate) fn entries(
    expiries: &[DateTime<Utc>],
    associated: bool,
) -> impl Iterator<Item = Expiry> + '_ {
    expiries.iter().enumerate().map(move |(i, &at)| {
        let previous = i.checked_sub(1).and_then(|p| expiries.get(p)).copied();
        Expiry::entry(at, previous, associated)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    #[test]
    fn an_entry_knows_whether_it_is_the_next_expiry() {
        let now = at(2026, 12, 4, 12);
        let today = Expiry::today(now);
        // No previous expiry: next.
        assert_eq!(Expiry::entry(now, None, true).is_next(today), Some(true));
        // The previous one on an earlier day: next.
        let e = Expiry::entry(now + Duration::days(2), Some(at(2026, 12, 3, 23)), true);
        assert_eq!(e.is_next(today), Some(true));
        // The previous one on a later day: not next.
        let e = Expiry::entry(now + Duration::days(3), Some(at(2026, 12, 5, 0)), false);
        assert_eq!(e.is_next(today), Some(false));
        assert!(!e.associated());
        // The previous one on the same day: the entry cannot tell, either way round.
        for previous in [at(2026, 12, 4, 1), at(2026, 12, 4, 20)] {
            let e = Expiry::entry(now + Duration::days(1), Some(previous), true);
            assert_eq!(e.is_next(today), None);
            assert!(e.associated());
        }
        // Across the whole range of instants a desk accepts.
        let (first, last) = (at(1970, 1, 1, 0), at(9999, 12, 31, 23));
        let e = Expiry::entry(last, Some(first), true);
        assert_eq!(
            e.is_next(Expiry::today(first + Duration::days(1))),
            Some(true)
        );
        assert_eq!(e.is_next(Expiry::today(first)), None);
        assert_eq!(
            Expiry::entry(last, Some(last), true).is_next(today),
            Some(false)
        );
    }

    /// The count from the blocks' summaries (whole blocks) and entry by entry (the range's
    /// ends) equals the customers whose next expiry falls in the window, after random
    /// changes that split, empty and refill blocks; instants bunched on a few days, so many
    /// previous expiries fall on `now`'s day.
    #[test]
    fn block_counts_equal_the_next_expiries_after_random_changes() {
        use crate::search::sorted::SortedBlocks;
        use std::collections::{BTreeMap, BTreeSet};
        use std::ops::Bound;
        let mut state = 11u64;
        let mut next = move |n: u64| crate::test_lcg(&mut state) % n;
        let base = at(2026, 12, 1, 0);
        let mut set: SortedBlocks<(Expiry, u32), NextCount> = SortedBlocks::default();
        let mut model: BTreeMap<u32, (BTreeSet<DateTime<Utc>>, bool)> = BTreeMap::new();
        let mut checked = 0;
        for round in 0..6_000u32 {
            let slot = next(400) as u32;
            let (old, was) = model.get(&slot).cloned().unwrap_or_default();
            let (mut ex, mut assoc) = (old.clone(), was);
            match next(5) {
                0 => assoc = !assoc,
                1 => {
                    let first = ex.iter().next().copied();
                    if let Some(e) = first {
                        ex.remove(&e);
                    }
                }
                _ => {
                    ex.insert(base + Duration::minutes(next(12 * 24 * 60) as i64));
                }
            }
            for e in &old {
                set.remove(&(Expiry::bound(*e), slot));
            }
            let listed: Vec<DateTime<Utc>> = ex.iter().copied().collect();
            for e in entries(&listed, assoc) {
                set.insert((e, slot));
            }
            model.insert(slot, (ex, assoc));
            if round % 200 != 0 {
                continue;
            }
            for _ in 0..20 {
                let now = base + Duration::minutes(next(12 * 24 * 60) as i64);
                let end = now + Duration::hours(next(10 * 24) as i64);
                let all = next(2) == 0;
                let today = Expiry::today(now);
                let exact = |e: Expiry, slot: u32| {
                    model
                        .get(&slot)
                        .and_then(|(ex, _)| ex.range(now..).next())
                        .is_some_and(|n| *n == e.at)
                };
                let got: usize = set
                    .range_parts(
                        Bound::Included((Expiry::bound(now), 0)),
                        Bound::Included((Expiry::bound(end), u32::MAX)),
                    )
                    .map(|(part, whole)| match whole {
                        Some(block) => block.count(part, today, all, exact),
                        None => count_next(part, today, all, exact),
                    })
                    .sum();
                let want = model
                    .values()
                    .filter(|(ex, assoc)| {
                        (all || *assoc) && ex.range(now..).next().is_some_and(|n| *n <= end)
                    })
                    .count();
                assert_eq!(got, want, "round {round}, now {now}, end {end}, all {all}");
                checked += want;
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    #[test]
    fn entries_order_by_instant_alone() {
        let t = at(2026, 1, 1, 0);
        let a = Expiry::entry(t, None, true);
        let b = Expiry::entry(t, Some(at(2025, 1, 1, 0)), false);
        assert_eq!(a, b);
        assert!(Expiry::bound(t) < Expiry::bound(t + Duration::nanoseconds(1)));
        let listed: Vec<Expiry> = entries(&[t, t + Duration::days(1)], false).collect();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[1].is_next(Expiry::today(t)), None);
        assert_eq!(
            listed[1].is_next(Expiry::today(t + Duration::days(1))),
            Some(true)
        );
        assert_eq!(
            listed[1].is_next(Expiry::today(t - Duration::days(1))),
            Some(false)
        );
    }
}
