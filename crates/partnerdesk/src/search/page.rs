//! Ordering and paging: sorted windows over the matches, keyed scans that read a sort
//! index in order and stop at the page, offsets and cursors.
//!
//! Why keyed scans: most console pages sort by a column an index keeps in order (month-to-date
//! spend, next expiry); reading that index in order and stopping after the page costs the
//! page, not the portfolio.

use super::cursor::{decode_cursor, encode_cursor, fingerprint};
use super::expiry::{Expiry, count_next, counts};
use super::plan::{conjuncts, key_range, pair_bounds, tighter_lower, tighter_upper};
use super::{MatchContext, window_end};
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::ids::CustomerId;
use crate::index::SpendKey;
use crate::query::{
    Criterion, ExpiryFilter, Expr, ExprKind, MAX_PAGE_LIMIT, PageRequest, Query, Sort, SortKey,
};
use chrono::{DateTime, Utc};
use roaring::RoaringBitmap;
use std::cmp::Ordering;
use std::ops::Bound;

impl Desk {
    /// Orders slots and returns the window `[skip, skip + take)` of the order, after the
    /// position of `after` (a slot) when given.
    pub(super) fn order(
        &self,
        slots: Vec<u32>,
        sort: Sort,
        ctx: &MatchContext<'_>,
        after: Option<u32>,
        skip: usize,
        take: usize,
    ) -> Vec<u32> {
        let id = |s: u32| self.at(s).id.as_str();
        // One window call, over the key each sort reads.
        macro_rules! by {
            ($key:expr) => {
                window(slots, $key, sort.descending, id, after, skip, take)
            };
        }
        match sort.key {
            SortKey::Name => by!(|s| self.index.names.key(s)),
            SortKey::AccountName => by!(|s| self.index.accounts.key(s)),
            SortKey::MonthToDate if ctx.month == self.index.month => {
                by!(|s| self.index.mtd_key[s as usize])
            }
            SortKey::MonthToDate => by!(|s| self.mtd_of(s, ctx)),
            SortKey::AssociatedAt => by!(|s| self.at(s).association.since),
            SortKey::NextExpiry => {
                // Customers without an upcoming expiry come last in both directions.
                let key = |s: u32| expiry_key(self.index.next_expiry(s, ctx.now), sort.descending);
                window(slots, key, false, id, after, skip, take)
            }
            SortKey::Id => by!(|s| self.at(s).id.as_str()),
        }
    }

    /// An access path that yields the matches already keyed by the sort key, for the console's
    /// most common pages: a manager's customers by spend, and what expires soonest.
    pub(super) fn keyed_scan(
        &self,
        query: &Query,
        sort: Sort,
        ctx: &MatchContext<'_>,
        page: Window,
    ) -> Option<Keyed> {
        let parts = conjuncts(&query.filter);
        let id = |s: u32| self.at(s).id.as_str();
        match sort.key {
            // The manager's set holds associated customers only.
            SortKey::MonthToDate
                if ctx.month == self.index.month && !query.include_disassociated =>
            {
                let at = parts
                    .iter()
                    .position(|e| matches!(e.kind(), ExprKind::Criterion(Criterion::Manager(_))))?;
                let ExprKind::Criterion(Criterion::Manager(m)) = parts[at].kind() else {
                    return None;
                };
                let (mut lower, mut upper) = (Bound::Unbounded, Bound::Unbounded);
                let mut rest = Vec::new();
                for (i, e) in parts.iter().enumerate() {
                    match e.kind() {
                        _ if i == at => {}
                        ExprKind::Criterion(Criterion::MonthToDate(r)) => {
                            let k = key_range(r);
                            lower = tighter_lower(lower, k.lower);
                            upper = tighter_upper(upper, k.upper);
                        }
                        _ => rest.push(*e),
                    }
                }
                let pivot = page
                    .after
                    .map(|a| (SpendKey::from(self.index.mtd_key[a as usize]), id(a)));
                let (lower, upper) = (lower.map(SpendKey::from), upper.map(SpendKey::from));
                let empty = Keyed::Page {
                    total: 0,
                    rows: Vec::new(),
                };
                let Some(set) = self.index.by_manager_mtd.get(m) else {
                    return Some(empty);
                };
                let Some((lo, hi)) = pair_bounds(&lower, &upper) else {
                    return Some(empty);
                };
                if rest.is_empty() {
                    // The set holds exactly the manager's associated customers: the range's
                    // size is the total, and the page starts at the pivot's key.
                    let total = set.count_range(lo, hi);
                    let (lo, hi) = match (pivot, sort.descending) {
                        (Some((k, _)), true) => {
                            (lo, tighter_upper(hi, Bound::Included((k, u32::MAX))))
                        }
                        (Some((k, _)), false) => (tighter_lower(lo, Bound::Included((k, 0))), hi),
                        (None, _) => (lo, hi),
                    };
                    let entries = set.range(lo, hi).copied();
                    let rows = if sort.descending {
                        stream_rows(entries.rev(), true, pivot, page, id)
                    } else {
                        stream_rows(entries, false, pivot, page, id)
                    };
                    return Some(Keyed::Page { total, rows });
                }
                let entries = set
                    .range(lo, hi)
                    .copied()
                    .filter(|(_, s)| rest.iter().all(|e| self.check(e, *s, ctx)));
                Some(if sort.descending {
                    stream_page(entries.rev(), true, pivot, page, id)
                } else {
                    stream_page(entries, false, pivot, page, id)
                })
            }
            SortKey::NextExpiry => {
                let at = parts.iter().position(|e| {
                    matches!(
                        e.kind(),
                        ExprKind::Criterion(Criterion::NextExpiry(ExpiryFilter::WithinDays(_)))
                    )
                })?;
                let ExprKind::Criterion(Criterion::NextExpiry(ExpiryFilter::WithinDays(n))) =
                    parts[at].kind()
                else {
                    return None;
                };
                let rest: Vec<&Expr> = parts
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != at)
                    .map(|(_, e)| *e)
                    .collect();
                let end = window_end(ctx.now, *n);
                // In expiry order from `now`, a slot's first entry is its next expiry: each
                // slot of the universe is taken at the entry that is its next expiry at `now`,
                // which the entry tells from the day of the slot's previous expiry (the slot's
                // expiries decide when that day is `now`'s own: `super::expiry`).
                let (today, all) = (Expiry::today(ctx.now), query.include_disassociated);
                let exact =
                    |e: Expiry, slot: u32| self.index.next_expiry(slot, ctx.now) == Some(e.at);
                let (lo, hi) = pair_bounds(
                    &Bound::Included(Expiry::bound(ctx.now)),
                    &Bound::Included(Expiry::bound(end)),
                )?;
                let entries = self
                    .index
                    .expiries
                    .range(lo, hi)
                    .copied()
                    .filter(|&(e, slot)| {
                        counts(e, slot, today, all, exact)
                            && rest.iter().all(|x| self.check(x, slot, ctx))
                    })
                    .map(|(e, slot)| (e.at, slot));
                if sort.descending {
                    let keyed = entries
                        .map(|(e, slot)| (expiry_key(Some(e), true), slot))
                        .collect();
                    return Some(Keyed::NextExpiry(keyed));
                }
                // With nothing else to check, the total is counted from the blocks' summaries
                // (the two ends of the range entry by entry), and the page reads only as far as
                // it needs.
                let total = rest.is_empty().then(|| {
                    self.index
                        .expiries
                        .range_parts(lo, hi)
                        .map(|(entries, whole)| match whole {
                            Some(block) => block.count(entries, today, all, exact),
                            None => count_next(entries, today, all, exact),
                        })
                        .sum::<usize>()
                });
                // Ascending, the matches come in page order. A pivot without an upcoming expiry
                // sorts last: nothing comes after it.
                let pivot = match page.after {
                    None => None,
                    Some(a) => match self.index.next_expiry(a, ctx.now) {
                        Some(e) => Some((e, id(a))),
                        None => {
                            return Some(Keyed::Page {
                                total: total.unwrap_or_else(|| entries.count()),
                                rows: Vec::new(),
                            });
                        }
                    },
                };
                Some(match total {
                    Some(total) => Keyed::Page {
                        total,
                        rows: stream_rows(entries, false, pivot, page, id),
                    },
                    None => stream_page(entries, false, pivot, page, id),
                })
            }
            SortKey::Id => {
                let order = self.id_order.get()?;
                let selected = self.select_bitmap(query, ctx);
                let total = selected.len() as usize;
                // The walk reads about `want * n / total` entries of the order (a bitmap test
                // each); the window reads every match's id (a pointer and a cache miss each,
                // and comparisons). Walk when that is clearly less.
                // A declined walk hands the selection back, so it is not computed twice.
                let want = page.skip.saturating_add(page.take);
                if want.saturating_mul(order.len()) > total.saturating_mul(total).saturating_mul(8)
                {
                    return Some(Keyed::Selected(selected));
                }
                Some(Keyed::Page {
                    total,
                    rows: walk_id_order(order, &selected, sort.descending, page, id),
                })
            }
            _ => None,
        }
    }

    pub(super) fn validate_limit(limit: u32) -> Result<usize> {
        if limit == 0 {
            return Err(Error::InvalidPage {
                reason: "limit must be at least 1".into(),
            });
        }
        if limit > MAX_PAGE_LIMIT {
            return Err(Error::InvalidPage {
                reason: format!("limit must be at most {MAX_PAGE_LIMIT}"),
            });
        }
        Ok(limit as usize)
    }

    /// Runs a query and returns one page of slots, the total and the next cursor.
    pub(crate) fn search_slots(
        &self,
        query: &Query,
        sort: Sort,
        page: &PageRequest,
        now: DateTime<Utc>,
    ) -> Result<(Vec<u32>, usize, Option<String>)> {
        crate::validate::instant("now", now)?;
        let limit = Self::validate_limit(page.limit())?;
        let fp = fingerprint(query, sort);
        let mut cursor_pos = 0;
        let (after, skip) = match page {
            PageRequest::Offset { offset, .. } => (None, *offset),
            PageRequest::Cursor { cursor: None, .. } => (None, 0),
            PageRequest::Cursor {
                cursor: Some(c), ..
            } => {
                let (cfp, pos, last) = decode_cursor(&self.cursor_key, c)?;
                if cfp != fp {
                    return Err(Error::CursorMismatch);
                }
                cursor_pos = pos;
                match CustomerId::new(last)
                    .ok()
                    .and_then(|id| self.by_id.get(&id))
                {
                    Some(slot) => (Some(slot), 0),
                    None => (None, pos),
                }
            }
        };
        let ctx = self.match_context(now);
        let id = |s: u32| self.at(s).id.as_str();
        // Take one row more than asked, to know whether a next page exists.
        let window = Window {
            after,
            skip,
            take: limit + 1,
        };
        let (total, mut rows) = match self.keyed_scan(query, sort, &ctx, window) {
            Some(Keyed::Page { total, rows }) => (total, rows),
            Some(Keyed::NextExpiry(keyed)) => {
                let pivot = after.map(|a| {
                    (
                        expiry_key(self.index.next_expiry(a, now), sort.descending),
                        a,
                    )
                });
                (
                    keyed.len(),
                    window_keyed(keyed, pivot, false, id, skip, limit + 1),
                )
            }
            Some(Keyed::Selected(selected)) => (
                selected.len() as usize,
                self.order(
                    selected.into_iter().collect(),
                    sort,
                    &ctx,
                    after,
                    skip,
                    limit + 1,
                ),
            ),
            None => {
                let slots = self.select(query, &ctx);
                (
                    slots.len(),
                    self.order(slots, sort, &ctx, after, skip, limit + 1),
                )
            }
        };
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = match (more, rows.last()) {
            (true, Some(last)) => {
                // The position only helps when the last row is gone; it saturates rather than
                // overflow (a position that large skips everything, as it should).
                let position = match page {
                    PageRequest::Offset { offset, .. } => offset.saturating_add(rows.len()),
                    PageRequest::Cursor {
                        cursor: Some(_), ..
                    } => cursor_pos.saturating_add(rows.len()),
                    PageRequest::Cursor { cursor: None, .. } => rows.len(),
                };
                Some(encode_cursor(
                    &self.cursor_key,
                    fp,
                    position,
                    self.at(*last).id.as_str(),
                ))
            }
            _ => None,
        };
        Ok((rows, total, next_cursor))
    }
}

/// Orders slots by `(key, id)` (key reversed when `desc`, id always ascending) and returns the
/// window `[skip, skip + take)` of the rows strictly after `after` (when given).
pub(super) fn window<'a, K: Ord>(
    slots: Vec<u32>,
    key: impl Fn(u32) -> K,
    desc: bool,
    id: impl Fn(u32) -> &'a str,
    after: Option<u32>,
    skip: usize,
    take: usize,
) -> Vec<u32> {
    let pivot = after.map(|a| (key(a), a));
    let want = skip.saturating_add(take);
    if want <= TOP_WINDOW && slots.len() > want.saturating_mul(4) {
        return top_window(slots, key, pivot, desc, id, skip, want);
    }
    let keyed = slots.into_iter().map(|s| (key(s), s)).collect();
    window_keyed(keyed, pivot, desc, id, skip, take)
}

/// The largest window [`window`] keeps in a bounded sorted list instead of keying every match
/// first (a page, or a few pages after an offset).
const TOP_WINDOW: usize = 1024;

/// How many matches' keys [`top_window`] reads before it compares them.
const KEY_GROUP: usize = 32;

/// The order of keyed rows: by key (reversed when `desc`), equal keys by id ascending.
fn row_order<'a, K: Ord>(
    desc: bool,
    id: impl Fn(u32) -> &'a str,
) -> impl Fn(&(K, u32), &(K, u32)) -> Ordering {
    move |a, b| {
        let primary = if desc { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) };
        primary.then_with(|| id(a.1).cmp(id(b.1)))
    }
}

/// [`window`] for a window much smaller than the matches: one pass over the slots keeps the
/// `want` first rows in a sorted list, so each match's key is read once, while its value is at
/// hand, and most matches cost one comparison with the list's last row (no list of every
/// match's key, no selection that reads the keys again in random order).
fn top_window<'a, K: Ord>(
    slots: Vec<u32>,
    key: impl Fn(u32) -> K,
    pivot: Option<(K, u32)>,
    desc: bool,
    id: impl Fn(u32) -> &'a str,
    skip: usize,
    want: usize,
) -> Vec<u32> {
    let cmp = row_order(desc, id);
    if want == 0 {
        return Vec::new();
    }
    let mut best: Vec<(K, u32)> = Vec::with_capacity(want + 1);
    // The keys of a group of matches are read before any is compared: each read is a cache
    // miss somewhere in a large column, and reads that wait on no comparison go on together.
    let mut group: Vec<(K, u32)> = Vec::with_capacity(KEY_GROUP);
    for slots in slots.chunks(KEY_GROUP) {
        group.extend(slots.iter().map(|&s| (key(s), s)));
        for e in group.drain(..) {
            if pivot
                .as_ref()
                .is_some_and(|p| cmp(&e, p) != Ordering::Greater)
            {
                continue;
            }
            if best.len() == want && best.last().is_some_and(|l| cmp(&e, l) != Ordering::Less) {
                continue;
            }
            let at = best.partition_point(|x| cmp(x, &e) == Ordering::Less);
            best.insert(at, e);
            best.truncate(want);
        }
    }
    best.into_iter().skip(skip).map(|(_, s)| s).collect()
}

/// [`window`] over slots that already carry their keys.
pub(super) fn window_keyed<'a, K: Ord>(
    mut keyed: Vec<(K, u32)>,
    pivot: Option<(K, u32)>,
    desc: bool,
    id: impl Fn(u32) -> &'a str,
    skip: usize,
    take: usize,
) -> Vec<u32> {
    let cmp = row_order(desc, id);
    if let Some(pivot) = pivot {
        keyed.retain(|e| cmp(e, &pivot) == Ordering::Greater);
    }
    let end = skip.saturating_add(take).min(keyed.len());
    if skip >= keyed.len() {
        return Vec::new();
    }
    if end < keyed.len() {
        keyed.select_nth_unstable_by(end, &cmp);
        keyed.truncate(end);
    }
    keyed.sort_unstable_by(cmp);
    keyed.into_iter().skip(skip).map(|(_, s)| s).collect()
}

/// One page of matches that arrive already in key order (`desc`: descending keys), counting
/// them all: only the few rows that make the page are kept, and equal keys are ordered by id.
pub(super) fn stream_page<'a, K: Ord + Copy>(
    entries: impl Iterator<Item = (K, u32)>,
    desc: bool,
    pivot: Option<(K, &str)>,
    page: Window,
    id: impl Fn(u32) -> &'a str,
) -> Keyed {
    let mut total = 0;
    let mut counted = entries.inspect(|_| total += 1);
    let rows = stream_rows(&mut counted, desc, pivot, page, id);
    // The rest of the matches are only counted.
    counted.for_each(drop);
    Keyed::Page { total, rows }
}

/// The rows of a page from matches in key order, as [`stream_page`], but without counting:
/// it stops reading as soon as the page is full.
pub(super) fn stream_rows<'a, K: Ord + Copy>(
    mut entries: impl Iterator<Item = (K, u32)>,
    desc: bool,
    pivot: Option<(K, &str)>,
    page: Window,
    id: impl Fn(u32) -> &'a str,
) -> Vec<u32> {
    let mut rows = Vec::new();
    let mut skipped = 0;
    let mut run: Vec<u32> = Vec::new();
    let mut run_key = None;
    let mut flush = |run: &mut Vec<u32>, key: Option<K>, rows: &mut Vec<u32>| {
        let Some(key) = key else { return };
        let after_pivot = |slot: u32| match &pivot {
            None => true,
            Some((pk, pid)) => {
                let ord = if desc { pk.cmp(&key) } else { key.cmp(pk) };
                ord == Ordering::Greater || (ord == Ordering::Equal && id(slot) > *pid)
            }
        };
        run.retain(|&slot| after_pivot(slot));
        // Only the first ids of the run can still reach the page: they are picked out before
        // they are sorted (at ten million customers a day's expiries can be tens of thousands
        // of customers with the same instant; sorting them all by id was most of a page).
        let wanted = (page.skip.saturating_sub(skipped))
            .saturating_add(page.take.saturating_sub(rows.len()));
        super::sorted::keep_first_sorted(run, wanted, |a, b| id(*a).cmp(id(*b)));
        for slot in run.drain(..) {
            if skipped < page.skip {
                skipped += 1;
            } else if rows.len() < page.take {
                rows.push(slot);
            }
        }
    };
    for (key, slot) in entries.by_ref() {
        if run_key != Some(key) {
            flush(&mut run, run_key, &mut rows);
            if rows.len() >= page.take {
                break;
            }
            run_key = Some(key);
        }
        run.push(slot);
    }
    flush(&mut run, run_key, &mut rows);
    rows
}

/// The sort key of an upcoming expiry: customers without one come last in both directions.
pub(super) fn expiry_key(e: Option<DateTime<Utc>>, desc: bool) -> (bool, i64) {
    let ts = e.map_or(0, |e| e.timestamp_micros());
    (e.is_none(), if desc { -ts } else { ts })
}

/// One page of the matches `selected` in id order, read from the desk's id order (live slots
/// by ascending id): the page starts after the pivot's place (found by binary search; ids are
/// unique) and walks the order forwards (or backwards, descending), taking the selected slots.
fn walk_id_order<'a>(
    order: &[u32],
    selected: &RoaringBitmap,
    descending: bool,
    page: Window,
    id: impl Fn(u32) -> &'a str,
) -> Vec<u32> {
    let rows = |slots: &mut dyn Iterator<Item = &u32>| -> Vec<u32> {
        slots
            .filter(|s| selected.contains(**s))
            .skip(page.skip)
            .take(page.take)
            .copied()
            .collect()
    };
    match (page.after.map(&id), descending) {
        (None, false) => rows(&mut order.iter()),
        (None, true) => rows(&mut order.iter().rev()),
        (Some(pivot), false) => {
            let from = order.partition_point(|s| id(*s) <= pivot);
            rows(&mut order[from..].iter())
        }
        (Some(pivot), true) => {
            let to = order.partition_point(|s| id(*s) < pivot);
            rows(&mut order[..to].iter().rev())
        }
    }
}

/// Matches that an index yields already keyed by the sort key.
pub(super) enum Keyed {
    /// Keyed by next expiry.
    NextExpiry(Vec<((bool, i64), u32)>),
    /// The matches, not yet ordered: the sort key's own path declined after selecting.
    Selected(RoaringBitmap),
    /// Already the page: the rows in order and the total.
    Page {
        /// Matches in all.
        total: usize,
        /// The window's rows, in order.
        rows: Vec<u32>,
    },
}

/// Which rows of the ordered matches a page takes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    /// Only rows strictly after this slot's position.
    after: Option<u32>,
    /// Rows to skip after that.
    skip: usize,
    /// Rows to take.
    take: usize,
}
