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

mod cursor;
pub mod detail;
pub(crate) mod expiry;
pub(crate) mod index;
mod keys;
mod list;
mod page;
mod plan;
pub mod query;
pub mod row;
mod slot_bitmap;
pub(crate) mod sorted;
mod text_index;
mod words;

pub use cursor::CursorKey;
pub use list::ListPage;

use crate::calendar::YearMonth;
use crate::customer::Customer;
use crate::desk::Desk;
use crate::error::Result;
use crate::ids::{CustomerId, OperatorId};
use crate::model::budget::percent;
use crate::partner::Operator;
use crate::query::{
    Criterion, ExpiryFilter, Expr, ExprKind, FrozenFilter, MobileMatch, PageRequest, Query, Sort,
    TagMatch, TextMatch,
};
use crate::row::CustomerRow;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// How many rows [`Desk::warm_rows`] reads ahead at once.
const ROW_GROUP: usize = 16;

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

pub(super) fn text_matches(value: &str, m: &TextMatch) -> bool {
    match m {
        TextMatch::Exact(t) => value.to_lowercase() == t.to_lowercase(),
        TextMatch::Contains(t) => value.to_lowercase().contains(&t.to_lowercase()),
    }
}

/// The end of an "expires within `days`" window from `now` (the end of time past chrono's range,
/// which a checked `now` and day count never reach).
pub(super) fn window_end(now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    crate::calendar::add_days(now, days).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

pub(super) fn expiry_matches(
    next: Option<DateTime<Utc>>,
    f: &ExpiryFilter,
    now: DateTime<Utc>,
) -> bool {
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
#[non_exhaustive]
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
#[non_exhaustive]
pub struct IdPage {
    /// The ids, in order.
    pub ids: Vec<CustomerId>,
    /// How many customers match the query in all.
    pub total: usize,
    /// The cursor for the next page, if there are more rows.
    pub next_cursor: Option<String>,
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

    /// How many customers match a query at `now`.
    pub fn count(&self, query: &Query, now: DateTime<Utc>) -> usize {
        self.select_bitmap(query, &self.match_context(now)).len() as usize
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
        let mut rows = Vec::with_capacity(slots.len());
        for group in slots.chunks(ROW_GROUP) {
            self.warm_rows(group);
            rows.extend(group.iter().map(|s| self.row(*s, &ctx)));
        }
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

    /// Reads, for each of a group of live slots, a word of each part of the customer that its
    /// row reads: the record, its spend and orders blocks, its expiries. At a million customers
    /// each is somewhere else in memory far bigger than the cache; these reads do not depend on
    /// one another, so the processor waits for them all at once instead of for each in turn
    /// while the rows are built (as the page's keys and the name checks are read, see
    /// `page.rs` and `text_index.rs`).
    fn warm_rows(&self, slots: &[u32]) {
        let mut sum = 0u64;
        for &slot in slots {
            if let Some(Some(c)) = self.slots.get(slot as usize) {
                sum = sum
                    .wrapping_add(u64::from(c.spend.first_byte()))
                    .wrapping_add(u64::from(c.orders.first_byte()))
                    .wrapping_add(c.tags.len() as u64);
            }
            sum = sum.wrapping_add(u64::from(self.index.first_expiry_day(slot).unsigned_abs()));
        }
        std::hint::black_box(sum);
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
