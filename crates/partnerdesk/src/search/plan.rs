//! The planner: what the indexes answer of a query, and what is left to check customer by
//! customer.
//!
//! Why: each criterion an index answers exactly yields a bitmap; `and` intersects them, `or`
//! unites them, `not` complements them; the cheapest exact part is computed first and the
//! rest checked only on its candidates.

use super::expiry::Expiry;
use super::keys::{mobile_key, mobile_key_after};
use super::slot_bitmap::sorted_bitmap;
use super::{MatchContext, expiry_matches, text_matches, window_end};
use crate::desk::Desk;
use crate::index::money_key;
use crate::query::{
    Criterion, ExpiryFilter, Expr, ExprKind, FrozenFilter, MobileMatch, Query, Range, TagMatch,
    TextMatch,
};
use crate::sorted::{BlockSummary, SortedBlocks};
use chrono::{DateTime, Utc};
use roaring::RoaringBitmap;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::ops::Bound;

/// What the indexes make of an expression.
pub(super) enum Planned<'a> {
    /// Exactly these slots.
    Exact(RoaringBitmap),
    /// These slots, each still to be checked against every listed expression.
    Filtered(RoaringBitmap, Vec<&'a Expr>),
    /// No index helps: check every slot of the universe against the expression.
    Scan,
}

pub(super) fn ordered_slots<K: Ord + Copy, S: BlockSummary<(K, u32)>>(
    set: &SortedBlocks<(K, u32), S>,
    lower: &Bound<K>,
    upper: &Bound<K>,
) -> RoaringBitmap {
    sorted_bitmap(
        ordered_range(set, lower, upper)
            .into_iter()
            .flatten()
            .map(|(_, s)| *s)
            .collect(),
    )
}

/// Lower and upper bounds on `(key, slot)` entries.
type PairBounds<K> = (Bound<(K, u32)>, Bound<(K, u32)>);

/// The bounds on `(key, slot)` entries of key bounds (`None` when the bounds are empty).
pub(super) fn pair_bounds<K: Ord + Copy>(
    lower: &Bound<K>,
    upper: &Bound<K>,
) -> Option<PairBounds<K>> {
    if let (Bound::Included(l) | Bound::Excluded(l), Bound::Included(u) | Bound::Excluded(u)) =
        (lower, upper)
    {
        let empty = match l.cmp(u) {
            Ordering::Greater => true,
            Ordering::Equal => !matches!((lower, upper), (Bound::Included(_), Bound::Included(_))),
            Ordering::Less => false,
        };
        if empty {
            return None;
        }
    }
    let lo = match lower {
        Bound::Included(l) => Bound::Included((*l, 0)),
        Bound::Excluded(l) => Bound::Excluded((*l, u32::MAX)),
        Bound::Unbounded => Bound::Unbounded,
    };
    let hi = match upper {
        Bound::Included(u) => Bound::Included((*u, u32::MAX)),
        Bound::Excluded(u) => Bound::Excluded((*u, 0)),
        Bound::Unbounded => Bound::Unbounded,
    };
    Some((lo, hi))
}

/// The entries of an ordered `(key, slot)` set whose key lies between two bounds (`None` when
/// the bounds are empty).
pub(super) fn ordered_range<'s, K: Ord + Copy, S: BlockSummary<(K, u32)>>(
    set: &'s SortedBlocks<(K, u32), S>,
    lower: &Bound<K>,
    upper: &Bound<K>,
) -> Option<impl DoubleEndedIterator<Item = &'s (K, u32)> + use<'s, K, S>> {
    let (lo, hi) = pair_bounds(lower, upper)?;
    Some(set.range(lo, hi))
}

/// The tighter of two lower bounds.
pub(super) fn tighter_lower<K: Ord>(a: Bound<K>, b: Bound<K>) -> Bound<K> {
    tighter(a, b, Ordering::Greater)
}

/// The tighter of two upper bounds.
pub(super) fn tighter_upper<K: Ord>(a: Bound<K>, b: Bound<K>) -> Bound<K> {
    tighter(a, b, Ordering::Less)
}

/// The tighter of two bounds: an open one yields; else `a` when its key compares to `b`'s as
/// `a_wins` (greater for lower bounds, less for upper ones); of equal keys the excluding one.
fn tighter<K: Ord>(a: Bound<K>, b: Bound<K>, a_wins: Ordering) -> Bound<K> {
    match (&a, &b) {
        (Bound::Unbounded, _) => b,
        (_, Bound::Unbounded) => a,
        (Bound::Included(x) | Bound::Excluded(x), Bound::Included(y) | Bound::Excluded(y)) => {
            match x.cmp(y) {
                Ordering::Equal if matches!(a, Bound::Excluded(_)) => a,
                Ordering::Equal => b,
                o if o == a_wins => a,
                _ => b,
            }
        }
    }
}

/// The index bitmaps a criterion is, lent rather than copied: its slots are those in any one
/// of them (`Any`; none listed is no slot) or in every one of them (`All`).
pub(super) enum Lent<'a> {
    /// In at least one.
    Any(Vec<&'a RoaringBitmap>),
    /// In every one.
    All(Vec<&'a RoaringBitmap>),
}

impl Lent<'_> {
    /// At most how many slots the criterion holds (the sum of its bitmaps for `Any`, the
    /// smallest for `All`): which of several to apply first.
    fn bound(&self) -> u64 {
        match self {
            Lent::Any(bs) => bs.iter().map(|b| b.len()).sum(),
            Lent::All(bs) => bs.iter().map(|b| b.len()).min().unwrap_or(u64::MAX),
        }
    }

    /// The criterion's slots in a bitmap of their own (`live`: every live slot, which `All`
    /// of no bitmap holds).
    fn owned(&self, live: &RoaringBitmap) -> RoaringBitmap {
        match self {
            Lent::Any(bs) => {
                let mut out = RoaringBitmap::new();
                for b in bs {
                    out |= *b;
                }
                out
            }
            Lent::All(bs) => {
                let mut out = bs.first().map_or_else(|| live.clone(), |b| (*b).clone());
                self.narrow(&mut out);
                out
            }
        }
    }

    /// Keeps only the slots of `set` the criterion holds, reading its bitmaps in place.
    fn narrow(&self, set: &mut RoaringBitmap) {
        match self {
            Lent::Any(bs) => match bs.as_slice() {
                [] => set.clear(),
                [b] => *set &= *b,
                _ => {
                    let mut kept = RoaringBitmap::new();
                    for b in bs {
                        kept |= &*set & *b;
                    }
                    *set = kept;
                }
            },
            Lent::All(bs) => {
                for b in bs {
                    *set &= *b;
                }
            }
        }
    }
}

/// A candidate set this many times smaller than the universe is checked row by row rather than
/// intersected with range or text scans.
pub(super) const SMALL_SHARE: u64 = 16;

/// The order in which `and` plans its children: bitmap lookups, then ordered-set ranges, then
/// dense columns, then text scans and composite expressions.
pub(super) fn cost(e: &Expr, column_valid: bool) -> u8 {
    if is_cheap(e) {
        0
    } else if is_column(e, column_valid) {
        2
    } else {
        match e.kind() {
            ExprKind::Criterion(Criterion::NextExpiry(_) | Criterion::AssociatedAt(_)) => 1,
            ExprKind::Criterion(Criterion::BudgetUsage(_)) => 3,
            _ => 4,
        }
    }
}

/// Whether a criterion is checked from a dense column of the index (month-to-date spend, when the
/// search is in the indexed month).
pub(super) fn is_column(e: &Expr, column_valid: bool) -> bool {
    column_valid && matches!(e.kind(), ExprKind::Criterion(Criterion::MonthToDate(_)))
}

/// Whether the indexes answer a node with a bitmap lookup (no range or text scan).
pub(super) fn is_cheap(e: &Expr) -> bool {
    match e.kind() {
        ExprKind::Criterion(c) => matches!(
            c,
            Criterion::CustomerId(_)
                | Criterion::Manager(_)
                | Criterion::ManagerName(_)
                | Criterion::HasManager(false)
                | Criterion::Mobile(_)
                | Criterion::Tags(_)
                | Criterion::AssociationType(_)
                | Criterion::Frozen(_)
                | Criterion::Reseller(_)
                | Criterion::Level(_)
        ),
        _ => false,
    }
}

/// Narrows `set` by the plan of `item`, collecting what is left to check into `residual`.
pub(super) fn absorb<'a>(
    set: &mut Option<RoaringBitmap>,
    residual: &mut Vec<&'a Expr>,
    item: &'a Expr,
    plan: Planned<'a>,
) {
    let b = match plan {
        Planned::Exact(b) => b,
        Planned::Filtered(b, r) => {
            residual.extend(r);
            b
        }
        Planned::Scan => {
            residual.push(item);
            return;
        }
    };
    *set = Some(match set.take() {
        Some(s) => s & b,
        None => b,
    });
}

/// A decimal range as an equivalent range of exact fixed-point keys (keys are whole numbers, so
/// a bound between two keys rounds to the right one).
pub(super) fn key_range(r: &Range<Decimal>) -> Range<i128> {
    Range {
        lower: match r.lower {
            Bound::Included(v) => Bound::Included(money_key(v).ceil),
            Bound::Excluded(v) => Bound::Excluded(money_key(v).floor),
            Bound::Unbounded => Bound::Unbounded,
        },
        upper: match r.upper {
            Bound::Included(v) => Bound::Included(money_key(v).floor),
            Bound::Excluded(v) => Bound::Excluded(money_key(v).ceil),
            Bound::Unbounded => Bound::Unbounded,
        },
    }
}

/// Whether lower-casing leaves a text unchanged (checked without allocating).
pub(super) fn is_lower(t: &str) -> bool {
    t.chars().all(|c| c.to_lowercase().eq(std::iter::once(c)))
}

/// The later of two lower bounds.
pub(super) fn max_lower(a: Bound<DateTime<Utc>>, b: DateTime<Utc>) -> Bound<DateTime<Utc>> {
    match a {
        Bound::Included(x) if x >= b => Bound::Included(x),
        Bound::Excluded(x) if x >= b => Bound::Excluded(x),
        _ => Bound::Included(b),
    }
}

impl Desk {
    /// The bitmaps of an expression that is one index bitmap, or the union or intersection of
    /// a few (a manager, tags, an association type, ...; an `or` of such), without copying
    /// them; `None` for anything else.
    pub(super) fn lent<'s>(&'s self, e: &Expr) -> Option<Lent<'s>> {
        Some(match e.kind() {
            ExprKind::Criterion(c) => self.lent_criterion(c)?,
            // Bounded recursion: an expression is at most MAX_DEPTH deep.
            ExprKind::Or(items) => {
                let mut all = Vec::new();
                for item in items {
                    match self.lent(item)? {
                        Lent::Any(bs) => all.extend(bs),
                        Lent::All(bs) if bs.len() == 1 => all.extend(bs),
                        Lent::All(_) => return None,
                    }
                }
                Lent::Any(all)
            }
            _ => return None,
        })
    }

    /// [`Desk::lent`] of one criterion: the index bitmaps the criteria of sets are.
    fn lent_criterion<'s>(&'s self, c: &Criterion) -> Option<Lent<'s>> {
        let ix = &self.index;
        let any = |b: Option<&'s RoaringBitmap>| Lent::Any(b.into_iter().collect());
        Some(match c {
            Criterion::Manager(id) => any(ix.by_manager.get(id)),
            Criterion::Tags(TagMatch::Any(tags)) => {
                Lent::Any(tags.iter().filter_map(|t| ix.by_tag.get(t)).collect())
            }
            Criterion::Tags(TagMatch::All(tags)) => {
                let bs: Vec<_> = tags.iter().filter_map(|t| ix.by_tag.get(t)).collect();
                if bs.len() < tags.len() {
                    // A tag no customer has: nobody has them all.
                    Lent::Any(Vec::new())
                } else {
                    Lent::All(bs)
                }
            }
            Criterion::AssociationType(t) => any(ix.by_assoc.get(t)),
            Criterion::Frozen(FrozenFilter::NotFrozen) => Lent::All(vec![&ix.not_frozen]),
            Criterion::Frozen(FrozenFilter::Scope(s)) => any(ix.by_scope.get(s)),
            Criterion::Frozen(FrozenFilter::Origin(o)) => any(ix.by_origin.get(o)),
            Criterion::Reseller(id) => any(ix.by_reseller.get(id)),
            Criterion::Level(l) => any(ix.by_level.get(l)),
            _ => return None,
        })
    }

    /// What the indexes say about one criterion.
    pub(super) fn lookup<'a>(
        &self,
        e: &'a Expr,
        c: &Criterion,
        ctx: &MatchContext<'_>,
    ) -> Planned<'a> {
        let ix = &self.index;
        let exact = Planned::Exact;
        match c {
            Criterion::Name(TextMatch::Contains(t)) => exact(ix.names.contains(&t.to_lowercase())),
            Criterion::Name(TextMatch::Exact(t)) => exact(ix.names.equals(&t.to_lowercase())),
            Criterion::AccountName(TextMatch::Contains(t)) => {
                exact(ix.accounts.contains(&t.to_lowercase()))
            }
            Criterion::AccountName(TextMatch::Exact(t)) => {
                exact(ix.accounts.equals(&t.to_lowercase()))
            }
            Criterion::CustomerId(id) => exact(
                self.by_id
                    .get(id)
                    .map(|s| RoaringBitmap::from_iter([s]))
                    .unwrap_or_default(),
            ),
            // The criteria that are index bitmaps: a copy of what `lent_criterion` lends.
            Criterion::Manager(_)
            | Criterion::Tags(_)
            | Criterion::AssociationType(_)
            | Criterion::Frozen(
                FrozenFilter::NotFrozen | FrozenFilter::Scope(_) | FrozenFilter::Origin(_),
            )
            | Criterion::Reseller(_)
            | Criterion::Level(_) => match self.lent_criterion(c) {
                Some(lent) => exact(lent.owned(&ix.live)),
                // Every criterion of this arm is lent; checking each customer is right anyway.
                None => Planned::Scan,
            },
            Criterion::ManagerName(m) => {
                let mut out = RoaringBitmap::new();
                for o in self
                    .operators
                    .values()
                    .filter(|o| text_matches(o.name.expose(), m))
                {
                    if let Some(b) = ix.by_manager.get(&o.id) {
                        out |= b;
                    }
                }
                exact(out)
            }
            Criterion::HasManager(true) => exact(&ix.live - &ix.no_manager),
            Criterion::HasManager(false) => exact(ix.no_manager.clone()),
            // Open at both ends (`mtd>=*`): every customer, whatever the month.
            Criterion::MonthToDate(r)
                if matches!((r.lower, r.upper), (Bound::Unbounded, Bound::Unbounded)) =>
            {
                exact(ix.live.clone())
            }
            Criterion::MonthToDate(r) if ctx.month == ix.month => {
                exact(ordered_slots(&ix.mtd_sorted, &r.lower, &r.upper))
            }
            Criterion::MonthToDate(_) => Planned::Scan,
            Criterion::NextExpiry(ExpiryFilter::WithinDays(n)) => exact(ordered_slots(
                &ix.expiries,
                &Bound::Included(Expiry::bound(ctx.now)),
                &Bound::Included(Expiry::bound(window_end(ctx.now, *n))),
            )),
            Criterion::NextExpiry(ExpiryFilter::Between(r)) => {
                let lower = max_lower(r.lower, ctx.now);
                let set = ordered_slots(
                    &ix.expiries,
                    &lower.map(Expiry::bound),
                    &r.upper.map(Expiry::bound),
                );
                // Exact when nothing can expire between now and the lower bound.
                if lower == Bound::Included(ctx.now) {
                    exact(set)
                } else {
                    Planned::Filtered(set, vec![e])
                }
            }
            Criterion::NextExpiry(ExpiryFilter::None) => exact(
                &ix.live
                    - ordered_slots(
                        &ix.expiries,
                        &Bound::Included(Expiry::bound(ctx.now)),
                        &Bound::Unbounded,
                    ),
            ),
            Criterion::Mobile(m) => {
                let (digits, whole) = match m {
                    MobileMatch::Exact(d) => (d, true),
                    MobileMatch::EndsWith(d) => (d, false),
                };
                // More than 20 digits, or anything but digits: no number on the desk ends so.
                let Some(key) = mobile_key(digits) else {
                    return exact(RoaringBitmap::new());
                };
                let upper = if whole {
                    Bound::Included((key, u32::MAX))
                } else {
                    // Every number that ends with the digits: the keys that start with them.
                    mobile_key_after(key, digits.len())
                        .map_or(Bound::Unbounded, |after| Bound::Excluded((after, 0)))
                };
                exact(sorted_bitmap(
                    ix.mobile_rev
                        .range(Bound::Included((key, 0)), upper)
                        .map(|(_, s)| *s)
                        .collect(),
                ))
            }
            Criterion::AssociatedAt(r) => {
                exact(ordered_slots(&ix.associated_at, &r.lower, &r.upper))
            }
            Criterion::Frozen(FrozenFilter::Frozen) => exact(&ix.live - &ix.not_frozen),
            Criterion::BudgetUsage(_) => Planned::Filtered(ix.budgeted.clone(), vec![e]),
        }
    }

    pub(super) fn plan<'a>(
        &self,
        e: &'a Expr,
        universe: &RoaringBitmap,
        ctx: &MatchContext<'_>,
    ) -> Planned<'a> {
        // Bounded recursion: an expression is at most MAX_DEPTH deep.
        match e.kind() {
            ExprKind::All => Planned::Exact(universe.clone()),
            ExprKind::Criterion(c) => self.lookup(e, c, ctx),
            ExprKind::And(items) => {
                let mut set: Option<RoaringBitmap> = None;
                let mut residual = Vec::new();
                // Children answered by a bitmap lookup go first. When they already narrow the
                // result to a small share of the universe, the costly children (range scans,
                // text scans) are checked on those few candidates instead of being materialised.
                let column_valid = ctx.month == self.index.month;
                // Of the children lent from the index, the smallest go first; every later one
                // then narrows the candidates in place.
                let mut order: Vec<(&Expr, Option<Lent<'_>>)> =
                    items.iter().map(|e| (e, self.lent(e))).collect();
                order.sort_by_key(|(e, lent)| {
                    let cost = if lent.is_some() {
                        0
                    } else {
                        cost(e, column_valid)
                    };
                    (cost, lent.as_ref().map_or(0, Lent::bound))
                });
                for (item, lent) in order {
                    if let (Some(set), Some(lent)) = (set.as_mut(), &lent) {
                        lent.narrow(set);
                        continue;
                    }
                    let small = set
                        .as_ref()
                        .is_some_and(|s| s.len().saturating_mul(SMALL_SHARE) <= universe.len());
                    // A criterion read from a dense column is checked on the candidates (in slot
                    // order, so the column is read sequentially) rather than materialised; so is
                    // any costly criterion once the candidates are few.
                    let defer = !is_cheap(item)
                        && ((is_column(item, column_valid) && set.is_some()) || small);
                    if defer {
                        residual.push(item);
                    } else {
                        absorb(
                            &mut set,
                            &mut residual,
                            item,
                            self.plan(item, universe, ctx),
                        );
                    }
                }
                match (set, residual.is_empty()) {
                    (Some(s), true) => Planned::Exact(s),
                    (Some(s), false) => Planned::Filtered(s, residual),
                    (None, true) => Planned::Exact(universe.clone()),
                    (None, false) => Planned::Filtered(universe.clone(), residual),
                }
            }
            ExprKind::Or(items) => {
                let mut out = RoaringBitmap::new();
                let mut all_exact = true;
                for item in items {
                    match self.plan(item, universe, ctx) {
                        Planned::Exact(b) => out |= b,
                        Planned::Filtered(b, _) => {
                            all_exact = false;
                            out |= b;
                        }
                        Planned::Scan => return Planned::Scan,
                    }
                }
                if all_exact {
                    Planned::Exact(out)
                } else {
                    Planned::Filtered(out, vec![e])
                }
            }
            ExprKind::Not(inner) => match self.plan(inner, universe, ctx) {
                Planned::Exact(b) => Planned::Exact(universe - b),
                _ => Planned::Scan,
            },
        }
    }

    /// Checks a criterion on a slot, using the desk's columns where they are faster.
    pub(super) fn check(&self, e: &Expr, slot: u32, ctx: &MatchContext<'_>) -> bool {
        // Bounded recursion: an expression is at most MAX_DEPTH deep.
        match e.kind() {
            ExprKind::All => true,
            ExprKind::And(v) => v.iter().all(|e| self.check(e, slot, ctx)),
            ExprKind::Or(v) => v.iter().any(|e| self.check(e, slot, ctx)),
            ExprKind::Not(e) => !self.check(e, slot, ctx),
            ExprKind::Criterion(Criterion::MonthToDate(r)) if ctx.month == self.index.month => {
                key_range(r).contains(&self.index.mtd_key[slot as usize])
            }
            ExprKind::Criterion(Criterion::NextExpiry(f)) => {
                expiry_matches(self.index.next_expiry(slot, ctx.now), f, ctx.now)
            }
            ExprKind::Criterion(Criterion::Name(TextMatch::Contains(t))) if is_lower(t) => {
                self.index.names.get(slot).contains(t.as_str())
            }
            ExprKind::Criterion(c) => c.matches(self.at(slot), ctx),
        }
    }

    /// The slots matching a query, ascending.
    pub(crate) fn select(&self, query: &Query, ctx: &MatchContext<'_>) -> Vec<u32> {
        self.select_bitmap(query, ctx).into_iter().collect()
    }

    /// The slots matching a query, as a bitmap (the indexes' own type): the same set as
    /// [`Desk::select`], without a list of slots. For callers that walk the selection in an
    /// order of their own (an export in id order) or only count it, this is at most a bit per
    /// customer, compressed, instead of 4 bytes per match; a query of every customer is the
    /// index's set as it is.
    pub(crate) fn select_bitmap(&self, query: &Query, ctx: &MatchContext<'_>) -> RoaringBitmap {
        let universe = if query.include_disassociated {
            &self.index.live
        } else {
            &self.index.associated
        };
        if query.filter.is_all() {
            return universe.clone();
        }
        match self.plan(&query.filter, universe, ctx) {
            Planned::Exact(b) => b & universe,
            Planned::Filtered(b, residual) => {
                let residual: Vec<Residual<'_>> =
                    residual.iter().map(|e| self.compile(e, ctx)).collect();
                let mut set = b & universe;
                set.retain(|s| residual.iter().all(|r| self.check_residual(r, s, ctx)));
                set
            }
            // Checked in ascending slot order, so the matches come sorted.
            Planned::Scan => RoaringBitmap::from_sorted_iter(
                universe
                    .iter()
                    .filter(|s| self.check(&query.filter, *s, ctx)),
            )
            .unwrap_or_default(),
        }
    }

    /// Prepares a residual criterion for checking many slots: a month-to-date range becomes two
    /// inclusive fixed-point bounds, computed once instead of per slot.
    pub(super) fn compile<'e>(&self, e: &'e Expr, ctx: &MatchContext<'_>) -> Residual<'e> {
        match e.kind() {
            ExprKind::Criterion(Criterion::MonthToDate(r)) if ctx.month == self.index.month => {
                let k = key_range(r);
                let lo = match k.lower {
                    Bound::Included(v) => v,
                    Bound::Excluded(v) => v.saturating_add(1),
                    Bound::Unbounded => i128::MIN,
                };
                let hi = match k.upper {
                    Bound::Included(v) => v,
                    Bound::Excluded(v) => v.saturating_sub(1),
                    Bound::Unbounded => i128::MAX,
                };
                Residual::MonthToDate { lo, hi }
            }
            _ => Residual::Expr(e),
        }
    }

    pub(super) fn check_residual(
        &self,
        r: &Residual<'_>,
        slot: u32,
        ctx: &MatchContext<'_>,
    ) -> bool {
        match r {
            Residual::MonthToDate { lo, hi } => {
                let k = self.index.mtd_key[slot as usize];
                *lo <= k && k <= *hi
            }
            Residual::Expr(e) => self.check(e, slot, ctx),
        }
    }

    /// Month-to-date spend of a slot for the billing month in `ctx`.
    pub(crate) fn mtd_of(&self, slot: u32, ctx: &MatchContext<'_>) -> Decimal {
        if ctx.month == self.index.month {
            self.index.mtd(slot)
        } else {
            self.at(slot).month_spend(ctx.month)
        }
    }
}

/// A criterion left to check on candidates, prepared once per search.
pub(super) enum Residual<'e> {
    /// Month-to-date key within inclusive bounds.
    MonthToDate { lo: i128, hi: i128 },
    /// Anything else, checked as is.
    Expr(&'e Expr),
}

/// The children of a top-level `and` (or the filter itself).
pub(super) fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match e.kind() {
        ExprKind::And(v) => v.iter().collect(),
        _ => vec![e],
    }
}
