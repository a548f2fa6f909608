//! Executing searches: plan with the indexes, check what they cannot answer, sort, page.
//!
//! Why a planner: most console searches name at least one selective criterion (a manager, a
//! tag, a spend range). Each criterion that an index answers exactly yields a bitmap; `and`
//! intersects them, `or` unites them, `not` complements them, and only criteria that no index
//! answers are checked customer by customer. The result is always the same as checking every
//! customer against [`Query::matches`]; a property test holds the two to it.
//!
//! Paging: by offset, or by an opaque cursor that remembers the query's fingerprint and the last
//! row's id. A cursor of another query or sort is refused. Pages are stable because the customer
//! id breaks every tie.

use crate::budget::percent;
use crate::calendar::YearMonth;
use crate::customer::Customer;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::ids::{CustomerId, OperatorId};
use crate::index::{money_key, sorted_bitmap};
use crate::partner::Operator;
use crate::query::{
    Criterion, ExpiryFilter, Expr, ExprKind, FrozenFilter, MAX_PAGE_LIMIT, MobileMatch,
    PageRequest, Query, Range, Sort, SortKey, TagMatch, TextMatch,
};
use crate::row::CustomerRow;
use crate::sorted::SortedBlocks;
use chrono::{DateTime, Utc};
use roaring::RoaringBitmap;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Bound;

/// What a criterion needs to be checked against one customer, from [`Desk::match_context`]:
/// the moment of the search, its billing month and what of the desk the criteria read. Opaque:
/// hosts pass it to [`Query::matches`](crate::query::Query::matches) and read its moment and
/// month.
#[derive(Debug, Clone, Copy)]
pub struct MatchContext<'a> {
    /// The moment of the search.
    pub(crate) now: DateTime<Utc>,
    /// The billing month of `now`.
    pub(crate) month: YearMonth,
    /// The partner's billing offset.
    pub(crate) offset: crate::calendar::BillingOffset,
    /// The partner's operators (for account manager names).
    pub(crate) operators: &'a BTreeMap<OperatorId, Operator>,
}

impl MatchContext<'_> {
    /// The moment of the search.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The billing month of that moment (the month month-to-date spend is summed over).
    pub fn month(&self) -> YearMonth {
        self.month
    }
}

fn text_matches(value: &str, m: &TextMatch) -> bool {
    match m {
        TextMatch::Exact(t) => value.to_lowercase() == t.to_lowercase(),
        TextMatch::Contains(t) => value.to_lowercase().contains(&t.to_lowercase()),
    }
}

/// The end of an "expires within `days`" window from `now` (the end of time past chrono's range,
/// which a checked `now` and day count never reach).
fn window_end(now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    crate::calendar::add_days(now, days).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn expiry_matches(next: Option<DateTime<Utc>>, f: &ExpiryFilter, now: DateTime<Utc>) -> bool {
    match f {
        ExpiryFilter::None => next.is_none(),
        ExpiryFilter::WithinDays(n) => next.is_some_and(|e| e <= window_end(now, *n)),
        ExpiryFilter::Between(r) => next.is_some_and(|e| r.contains(&e)),
    }
}

impl Criterion {
    /// Whether a customer matches, checked directly on the customer (no index). The desk's
    /// indexed search always agrees with this.
    pub fn matches(&self, c: &Customer, ctx: &MatchContext<'_>) -> bool {
        match self {
            Criterion::Name(m) => text_matches(c.name.expose(), m),
            Criterion::AccountName(m) => text_matches(c.account_name.expose(), m),
            Criterion::CustomerId(id) => &c.id == id,
            Criterion::Manager(id) => c.account_manager.as_ref() == Some(id),
            Criterion::ManagerName(m) => c
                .account_manager
                .as_ref()
                .and_then(|id| ctx.operators.get(id))
                .is_some_and(|o| text_matches(o.name.expose(), m)),
            Criterion::HasManager(b) => c.account_manager.is_some() == *b,
            Criterion::MonthToDate(r) => r.contains(&c.month_spend(ctx.month)),
            Criterion::NextExpiry(f) => expiry_matches(c.next_expiry(ctx.now), f, ctx.now),
            Criterion::Mobile(m) => c.mobile.as_ref().is_some_and(|mob| match m {
                MobileMatch::Exact(d) => mob.expose().number == *d,
                MobileMatch::EndsWith(d) => mob.expose().number.ends_with(d.as_str()),
            }),
            Criterion::Tags(TagMatch::Any(t)) => t.iter().any(|t| c.tags.contains(t)),
            Criterion::Tags(TagMatch::All(t)) => t.iter().all(|t| c.tags.contains(t)),
            Criterion::AssociationType(t) => &c.association.kind == t,
            Criterion::AssociatedAt(r) => r.contains(&c.association.since),
            Criterion::Frozen(f) => match (f, c.freeze.freeze()) {
                (FrozenFilter::NotFrozen, fr) => fr.is_none(),
                (FrozenFilter::Frozen, fr) => fr.is_some(),
                (FrozenFilter::Scope(s), Some(fr)) => &fr.scope == s,
                (FrozenFilter::Origin(o), Some(fr)) => &fr.origin == o,
                (_, None) => false,
            },
            Criterion::BudgetUsage(r) => c
                .budget
                .as_ref()
                .is_some_and(|b| r.contains(&b.usage_percent(c, ctx.now, ctx.offset))),
            Criterion::Reseller(id) => c.association.reseller.as_ref() == Some(id),
            Criterion::Level(l) => &c.level == l,
        }
    }
}

impl Expr {
    /// Whether a customer matches, checked directly on the customer (no index).
    pub fn matches(&self, c: &Customer, ctx: &MatchContext<'_>) -> bool {
        // Bounded recursion: an expression is at most MAX_DEPTH deep.
        match self.kind() {
            ExprKind::All => true,
            ExprKind::Criterion(cr) => cr.matches(c, ctx),
            ExprKind::And(v) => v.iter().all(|e| e.matches(c, ctx)),
            ExprKind::Or(v) => v.iter().any(|e| e.matches(c, ctx)),
            ExprKind::Not(e) => !e.matches(c, ctx),
        }
    }
}

impl Query {
    /// Whether a customer matches, checked directly on the customer (no index).
    pub fn matches(&self, c: &Customer, ctx: &MatchContext<'_>) -> bool {
        (self.include_disassociated || c.is_associated()) && self.filter.matches(c, ctx)
    }
}

/// A page of masked customer rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The rows, masked.
    pub rows: Vec<CustomerRow>,
    /// How many customers match the query in all.
    pub total: usize,
    /// The cursor for the next page, if there are more rows.
    pub next_cursor: Option<String>,
}

/// A page of customer ids (no row building: for hosts that only need ids, and for benchmarks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdPage {
    /// The ids, in order.
    pub ids: Vec<CustomerId>,
    /// How many customers match the query in all.
    pub total: usize,
    /// The cursor for the next page, if there are more rows.
    pub next_cursor: Option<String>,
}

/// What the indexes make of an expression.
enum Planned<'a> {
    /// Exactly these slots.
    Exact(RoaringBitmap),
    /// These slots, each still to be checked against every listed expression.
    Filtered(RoaringBitmap, Vec<&'a Expr>),
    /// No index helps: check every slot of the universe against the expression.
    Scan,
}

fn ordered_slots<K: Ord + Copy>(
    set: &SortedBlocks<(K, u32)>,
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
fn pair_bounds<K: Ord + Copy>(lower: &Bound<K>, upper: &Bound<K>) -> Option<PairBounds<K>> {
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
fn ordered_range<'s, K: Ord + Copy>(
    set: &'s SortedBlocks<(K, u32)>,
    lower: &Bound<K>,
    upper: &Bound<K>,
) -> Option<impl DoubleEndedIterator<Item = &'s (K, u32)> + use<'s, K>> {
    let (lo, hi) = pair_bounds(lower, upper)?;
    Some(set.range(lo, hi))
}

/// The tighter of two lower bounds.
fn tighter_lower<K: Ord>(a: Bound<K>, b: Bound<K>) -> Bound<K> {
    match (&a, &b) {
        (Bound::Unbounded, _) => b,
        (_, Bound::Unbounded) => a,
        (Bound::Included(x) | Bound::Excluded(x), Bound::Included(y) | Bound::Excluded(y)) => {
            match x.cmp(y) {
                Ordering::Less => b,
                Ordering::Greater => a,
                Ordering::Equal if matches!(a, Bound::Excluded(_)) => a,
                Ordering::Equal => b,
            }
        }
    }
}

/// The tighter of two upper bounds.
fn tighter_upper<K: Ord>(a: Bound<K>, b: Bound<K>) -> Bound<K> {
    match (&a, &b) {
        (Bound::Unbounded, _) => b,
        (_, Bound::Unbounded) => a,
        (Bound::Included(x) | Bound::Excluded(x), Bound::Included(y) | Bound::Excluded(y)) => {
            match x.cmp(y) {
                Ordering::Less => a,
                Ordering::Greater => b,
                Ordering::Equal if matches!(a, Bound::Excluded(_)) => a,
                Ordering::Equal => b,
            }
        }
    }
}

/// A candidate set this many times smaller than the universe is checked row by row rather than
/// intersected with range or text scans.
const SMALL_SHARE: u64 = 16;

/// The order in which `and` plans its children: bitmap lookups, then ordered-set ranges, then
/// dense columns, then text scans and composite expressions.
fn cost(e: &Expr, column_valid: bool) -> u8 {
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
fn is_column(e: &Expr, column_valid: bool) -> bool {
    column_valid && matches!(e.kind(), ExprKind::Criterion(Criterion::MonthToDate(_)))
}

/// Whether the indexes answer a node with a bitmap lookup (no range or text scan).
fn is_cheap(e: &Expr) -> bool {
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
fn absorb<'a>(
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
fn key_range(r: &Range<Decimal>) -> Range<i128> {
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
fn is_lower(t: &str) -> bool {
    t.chars().all(|c| c.to_lowercase().eq(std::iter::once(c)))
}

/// The later of two lower bounds.
fn max_lower(a: Bound<DateTime<Utc>>, b: DateTime<Utc>) -> Bound<DateTime<Utc>> {
    match a {
        Bound::Included(x) if x >= b => Bound::Included(x),
        Bound::Excluded(x) if x >= b => Bound::Excluded(x),
        _ => Bound::Included(b),
    }
}

impl Desk {
    /// The context for checking criteria at `now`.
    pub fn match_context(&self, now: DateTime<Utc>) -> MatchContext<'_> {
        MatchContext {
            now,
            month: self.partner.billing_offset.month_of(now),
            offset: self.partner.billing_offset,
            operators: &self.operators,
        }
    }

    fn bitmap<K: std::hash::Hash + Eq>(
        map: &crate::ids::IdMap<K, RoaringBitmap>,
        k: &K,
    ) -> RoaringBitmap {
        map.get(k).cloned().unwrap_or_default()
    }

    /// What the indexes say about one criterion.
    fn lookup<'a>(&self, e: &'a Expr, c: &Criterion, ctx: &MatchContext<'_>) -> Planned<'a> {
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
            Criterion::Manager(id) => exact(Self::bitmap(&ix.by_manager, id)),
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
            Criterion::MonthToDate(r) if ctx.month == ix.month => {
                exact(ordered_slots(&ix.mtd_sorted, &r.lower, &r.upper))
            }
            Criterion::MonthToDate(_) => Planned::Scan,
            Criterion::NextExpiry(ExpiryFilter::WithinDays(n)) => exact(ordered_slots(
                &ix.expiries,
                &Bound::Included(ctx.now),
                &Bound::Included(window_end(ctx.now, *n)),
            )),
            Criterion::NextExpiry(ExpiryFilter::Between(r)) => {
                let lower = max_lower(r.lower, ctx.now);
                let set = ordered_slots(&ix.expiries, &lower, &r.upper);
                // Exact when nothing can expire between now and the lower bound.
                if lower == Bound::Included(ctx.now) {
                    exact(set)
                } else {
                    Planned::Filtered(set, vec![e])
                }
            }
            Criterion::NextExpiry(ExpiryFilter::None) => exact(
                &ix.live
                    - ordered_slots(&ix.expiries, &Bound::Included(ctx.now), &Bound::Unbounded),
            ),
            Criterion::Mobile(m) => {
                let (rev, whole) = match m {
                    MobileMatch::Exact(d) => (d.chars().rev().collect::<String>(), true),
                    MobileMatch::EndsWith(d) => (d.chars().rev().collect::<String>(), false),
                };
                exact(sorted_bitmap(
                    ix.mobile_rev
                        .range((rev.clone(), 0)..)
                        .take_while(|(k, _)| k.starts_with(rev.as_str()))
                        .filter(|(k, _)| !whole || k.len() == rev.len())
                        .map(|(_, s)| *s)
                        .collect(),
                ))
            }
            Criterion::Tags(TagMatch::Any(tags)) => {
                let mut out = RoaringBitmap::new();
                for t in tags {
                    if let Some(b) = ix.by_tag.get(t) {
                        out |= b;
                    }
                }
                exact(out)
            }
            Criterion::Tags(TagMatch::All(tags)) => {
                let mut out = ix.live.clone();
                for t in tags {
                    out &= Self::bitmap(&ix.by_tag, t);
                }
                exact(out)
            }
            Criterion::AssociationType(t) => exact(Self::bitmap(&ix.by_assoc, t)),
            Criterion::AssociatedAt(r) => {
                exact(ordered_slots(&ix.associated_at, &r.lower, &r.upper))
            }
            Criterion::Frozen(FrozenFilter::NotFrozen) => exact(ix.not_frozen.clone()),
            Criterion::Frozen(FrozenFilter::Frozen) => exact(&ix.live - &ix.not_frozen),
            Criterion::Frozen(FrozenFilter::Scope(s)) => exact(Self::bitmap(&ix.by_scope, s)),
            Criterion::Frozen(FrozenFilter::Origin(o)) => exact(Self::bitmap(&ix.by_origin, o)),
            Criterion::BudgetUsage(_) => Planned::Filtered(ix.budgeted.clone(), vec![e]),
            Criterion::Reseller(id) => exact(Self::bitmap(&ix.by_reseller, id)),
            Criterion::Level(l) => exact(Self::bitmap(&ix.by_level, l)),
        }
    }

    fn plan<'a>(
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
                let mut order: Vec<&Expr> = items.iter().collect();
                order.sort_by_key(|e| cost(e, column_valid));
                for item in order {
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
    fn check(&self, e: &Expr, slot: u32, ctx: &MatchContext<'_>) -> bool {
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
    fn compile<'e>(&self, e: &'e Expr, ctx: &MatchContext<'_>) -> Residual<'e> {
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

    fn check_residual(&self, r: &Residual<'_>, slot: u32, ctx: &MatchContext<'_>) -> bool {
        match r {
            Residual::MonthToDate { lo, hi } => {
                let k = self.index.mtd_key[slot as usize];
                *lo <= k && k <= *hi
            }
            Residual::Expr(e) => self.check(e, slot, ctx),
        }
    }

    /// How many customers match a query at `now`.
    pub fn count(&self, query: &Query, now: DateTime<Utc>) -> usize {
        self.select_bitmap(query, &self.match_context(now)).len() as usize
    }

    /// Month-to-date spend of a slot for the billing month in `ctx`.
    pub(crate) fn mtd_of(&self, slot: u32, ctx: &MatchContext<'_>) -> Decimal {
        if ctx.month == self.index.month {
            self.index.mtd[slot as usize]
        } else {
            self.at(slot).month_spend(ctx.month)
        }
    }

    /// Orders slots and returns the window `[skip, skip + take)` of the order, after the
    /// position of `after` (a slot) when given.
    fn order(
        &self,
        slots: Vec<u32>,
        sort: Sort,
        ctx: &MatchContext<'_>,
        after: Option<u32>,
        skip: usize,
        take: usize,
    ) -> Vec<u32> {
        let id = |s: u32| self.at(s).id.as_str();
        match sort.key {
            SortKey::Name => window(
                slots,
                |s| self.index.names.get(s),
                sort.descending,
                id,
                after,
                skip,
                take,
            ),
            SortKey::AccountName => window(
                slots,
                |s| self.index.accounts.get(s),
                sort.descending,
                id,
                after,
                skip,
                take,
            ),
            SortKey::MonthToDate if ctx.month == self.index.month => window(
                slots,
                |s| self.index.mtd_key[s as usize],
                sort.descending,
                id,
                after,
                skip,
                take,
            ),
            SortKey::MonthToDate => window(
                slots,
                |s| self.mtd_of(s, ctx),
                sort.descending,
                id,
                after,
                skip,
                take,
            ),
            SortKey::AssociatedAt => window(
                slots,
                |s| self.at(s).association.since,
                sort.descending,
                id,
                after,
                skip,
                take,
            ),
            SortKey::NextExpiry => {
                // Customers without an upcoming expiry come last in both directions.
                let key = |s: u32| expiry_key(self.index.next_expiry(s, ctx.now), sort.descending);
                window(slots, key, false, id, after, skip, take)
            }
            SortKey::Id => window(
                slots,
                |s| self.at(s).id.as_str(),
                sort.descending,
                id,
                after,
                skip,
                take,
            ),
        }
    }

    /// An access path that yields the matches already keyed by the sort key, for the console's
    /// most common pages: a manager's customers by spend, and what expires soonest.
    fn keyed_scan(
        &self,
        query: &Query,
        sort: Sort,
        ctx: &MatchContext<'_>,
        page: Window,
    ) -> Option<Keyed> {
        let universe = if query.include_disassociated {
            &self.index.live_bits
        } else {
            &self.index.associated_bits
        };
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
                let pivot = page.after.map(|a| (self.index.mtd_key[a as usize], id(a)));
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
                // In expiry order from `now`, a slot's first expiry is its next expiry.
                // Each slot of the universe is taken at its first (next) expiry, then never again.
                let mut open = universe.clone();
                let entries = ordered_range(
                    &self.index.expiries,
                    &Bound::Included(ctx.now),
                    &Bound::Included(end),
                )
                .into_iter()
                .flatten()
                .copied()
                .filter(|(_, slot)| {
                    open.take(*slot) && rest.iter().all(|e| self.check(e, *slot, ctx))
                });
                if sort.descending {
                    let keyed = entries
                        .map(|(e, slot)| (expiry_key(Some(e), true), slot))
                        .collect();
                    return Some(Keyed::NextExpiry(keyed));
                }
                // Ascending, the matches come in page order. A pivot without an upcoming expiry
                // sorts last: nothing comes after it.
                let pivot = match page.after {
                    None => None,
                    Some(a) => match self.index.next_expiry(a, ctx.now) {
                        Some(e) => Some((e, id(a))),
                        None => {
                            return Some(Keyed::Page {
                                total: entries.count(),
                                rows: Vec::new(),
                            });
                        }
                    },
                };
                Some(stream_page(entries, false, pivot, page, id))
            }
            _ => None,
        }
    }

    fn validate_limit(limit: u32) -> Result<usize> {
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

    /// Searches the portfolio at `now`: one page of masked rows, the total and the next cursor.
    ///
    /// ```
    /// use partnerdesk::{demo, query::{Query, Sort, SortKey, PageRequest}};
    /// let (desk, now) = demo::portfolio(200, 7)?;
    /// let q = Query::parse("mtd>=100 and assoc=reseller")?;
    /// let page = desk.search(&q, Sort::desc(SortKey::MonthToDate), &PageRequest::first(10), now)?;
    /// assert!(page.rows.len() <= 10);
    /// if let Some(cursor) = page.next_cursor {
    ///     let next = desk.search(&q, Sort::desc(SortKey::MonthToDate), &PageRequest::after(cursor, 10), now)?;
    ///     assert_eq!(next.total, page.total);
    /// }
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn search(
        &self,
        query: &Query,
        sort: Sort,
        page: &PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page> {
        let (slots, total, next_cursor) = self.search_slots(query, sort, page, now)?;
        let ctx = self.match_context(now);
        let rows = slots.into_iter().map(|s| self.row(s, &ctx)).collect();
        Ok(Page {
            rows,
            total,
            next_cursor,
        })
    }

    /// Like [`Desk::search`], but returns customer ids instead of rows.
    pub fn search_ids(
        &self,
        query: &Query,
        sort: Sort,
        page: &PageRequest,
        now: DateTime<Utc>,
    ) -> Result<IdPage> {
        let (slots, total, next_cursor) = self.search_slots(query, sort, page, now)?;
        Ok(IdPage {
            ids: slots.into_iter().map(|s| self.at(s).id.clone()).collect(),
            total,
            next_cursor,
        })
    }

    /// The id of every customer matching a query, in sort order, without paging: for batch
    /// work over a whole selection (e.g. freezing every customer a query finds, 10 at a time).
    ///
    /// ```
    /// use partnerdesk::{demo, query::{Query, Sort}};
    /// let (desk, now) = demo::portfolio(50, 7)?;
    /// let ids = desk.select_ids(&Query::parse("assoc=reseller")?, Sort::default(), now);
    /// assert_eq!(ids.len(), desk.count(&Query::parse("assoc=reseller")?, now));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn select_ids(&self, query: &Query, sort: Sort, now: DateTime<Utc>) -> Vec<CustomerId> {
        self.select_all(query, sort, now)
            .into_iter()
            .map(|c| c.id.clone())
            .collect()
    }

    /// Every customer matching a query, in sort order (for exports).
    pub(crate) fn select_all(
        &self,
        query: &Query,
        sort: Sort,
        now: DateTime<Utc>,
    ) -> Vec<&Customer> {
        let ctx = self.match_context(now);
        let slots = self.select(query, &ctx);
        let n = slots.len();
        self.order(slots, sort, &ctx, None, 0, n)
            .into_iter()
            .map(|s| self.at(s))
            .collect()
    }

    /// The masked row of a customer at `now`.
    pub fn customer_row(&self, id: &CustomerId, now: DateTime<Utc>) -> Result<CustomerRow> {
        crate::validate::instant("now", now)?;
        let slot = self.slot_of(id)?;
        Ok(self.row(slot, &self.match_context(now)))
    }

    /// Budget usage of a customer at `now` in percent, if it has a budget.
    pub fn budget_usage_percent(
        &self,
        id: &CustomerId,
        now: DateTime<Utc>,
    ) -> Result<Option<Decimal>> {
        crate::validate::instant("now", now)?;
        let c = self.customer(id)?;
        let off = self.partner.billing_offset;
        Ok(c.budget
            .as_ref()
            .map(|b| percent(b.used(c, now, off), b.amount.amount)))
    }
}

/// Orders slots by `(key, id)` (key reversed when `desc`, id always ascending) and returns the
/// window `[skip, skip + take)` of the rows strictly after `after` (when given).
fn window<'a, K: Ord>(
    slots: Vec<u32>,
    key: impl Fn(u32) -> K,
    desc: bool,
    id: impl Fn(u32) -> &'a str,
    after: Option<u32>,
    skip: usize,
    take: usize,
) -> Vec<u32> {
    let pivot = after.map(|a| (key(a), a));
    let keyed = slots.into_iter().map(|s| (key(s), s)).collect();
    window_keyed(keyed, pivot, desc, id, skip, take)
}

/// [`window`] over slots that already carry their keys.
fn window_keyed<'a, K: Ord>(
    mut keyed: Vec<(K, u32)>,
    pivot: Option<(K, u32)>,
    desc: bool,
    id: impl Fn(u32) -> &'a str,
    skip: usize,
    take: usize,
) -> Vec<u32> {
    let cmp = |a: &(K, u32), b: &(K, u32)| {
        let primary = if desc { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) };
        primary.then_with(|| id(a.1).cmp(id(b.1)))
    };
    if let Some(pivot) = pivot {
        keyed.retain(|e| cmp(e, &pivot) == Ordering::Greater);
    }
    let end = skip.saturating_add(take).min(keyed.len());
    if skip >= keyed.len() {
        return Vec::new();
    }
    if end < keyed.len() {
        keyed.select_nth_unstable_by(end, cmp);
        keyed.truncate(end);
    }
    keyed.sort_unstable_by(cmp);
    keyed.into_iter().skip(skip).map(|(_, s)| s).collect()
}

/// One page of matches that arrive already in key order (`desc`: descending keys), counting
/// them all: only the few rows that make the page are kept, and equal keys are ordered by id.
fn stream_page<'a, K: Ord + Copy>(
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
fn stream_rows<'a, K: Ord + Copy>(
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
        run.sort_unstable_by(|a, b| id(*a).cmp(id(*b)));
        for slot in run.drain(..) {
            let after_pivot = match &pivot {
                None => true,
                Some((pk, pid)) => {
                    let ord = if desc { pk.cmp(&key) } else { key.cmp(pk) };
                    ord == Ordering::Greater || (ord == Ordering::Equal && id(slot) > *pid)
                }
            };
            if !after_pivot {
                continue;
            }
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
fn expiry_key(e: Option<DateTime<Utc>>, desc: bool) -> (bool, i64) {
    let ts = e.map_or(0, |e| e.timestamp_micros());
    (e.is_none(), if desc { -ts } else { ts })
}

/// Matches that an index yields already keyed by the sort key.
enum Keyed {
    /// Keyed by next expiry.
    NextExpiry(Vec<((bool, i64), u32)>),
    /// Already the page: the rows in order and the total.
    Page {
        /// Matches in all.
        total: usize,
        /// The window's rows, in order.
        rows: Vec<u32>,
    },
}

/// A criterion left to check on candidates, prepared once per search.
enum Residual<'e> {
    /// Month-to-date key within inclusive bounds.
    MonthToDate { lo: i128, hi: i128 },
    /// Anything else, checked as is.
    Expr(&'e Expr),
}

/// Which rows of the ordered matches a page takes.
#[derive(Debug, Clone, Copy)]
struct Window {
    /// Only rows strictly after this slot's position.
    after: Option<u32>,
    /// Rows to skip after that.
    skip: usize,
    /// Rows to take.
    take: usize,
}

/// The children of a top-level `and` (or the filter itself).
fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match e.kind() {
        ExprKind::And(v) => v.iter().collect(),
        _ => vec![e],
    }
}

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
/// canonical text.
fn fingerprint(query: &Query, sort: Sort) -> u64 {
    let d = crate::hash::sha256(&[format!("{query}|{sort}").as_bytes()]);
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    u64::from_be_bytes(b)
}

/// The cursor format's version tag.
const CURSOR_VERSION: &str = "2";
/// Hex digits of a cursor's MAC (the whole HMAC-SHA256).
const MAC_HEX: usize = 64;

fn encode_cursor(key: &CursorKey, fp: u64, position: usize, last_id: &str) -> String {
    let payload = format!(
        "{CURSOR_VERSION}.{fp:016x}.{position:x}.{}",
        crate::hash::hex(last_id.as_bytes())
    );
    let mac = crate::hash::hmac_sha256(&key.0, payload.as_bytes());
    format!("{payload}.{}", crate::hash::hex(&mac))
}

/// Checks a cursor's MAC, then reads its fingerprint, position and last id. A cursor that was
/// not made by this desk's key, in any way, is `INVALID_CURSOR`.
fn decode_cursor(key: &CursorKey, c: &str) -> Result<(u64, usize, String)> {
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
