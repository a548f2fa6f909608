//! Read-only views of orders, resources and spend: the console's overview cards, "resources to
//! renew" and spend analysis.
//!
//! Why derived, never stored: every figure is computed from the customers' records at the
//! `now` given, so it always agrees with the records and needs no upkeep. Each view names its
//! actor and needs its permission item (orders and resources: view customers; spend: view
//! spend), scoped to resellers' customers as [`crate::Desk::authorize`] describes. Views cover
//! associated customers only.

use crate::customer::Customer;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::ids::CustomerId;
use crate::model::access::{Actor, Permission};
use crate::money::Money;
use crate::money::sum;
use crate::resource::Resource;
use crate::text::SharedText;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Counts of the orders overview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct OrderOverview {
    /// Orders pending payment.
    pub unpaid: usize,
    /// All orders.
    pub all: usize,
}

/// A resource to renew, with its customer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RenewalItem<'a> {
    /// The customer.
    pub customer: &'a CustomerId,
    /// The resource (a copy: a customer's resources are packed, see [`crate::packed`]).
    pub resource: Resource,
}

/// Spend figures at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpendSummary {
    /// Spend of the current billing month so far.
    pub month_to_date: Money,
    /// Spend of the whole last billing month.
    pub last_month: Money,
    /// Spend of last month over the same days (day 1 to today's day number, capped at the
    /// month's length).
    pub last_month_same_days: Money,
    /// `month_to_date - last_month_same_days`.
    pub change: Money,
    /// The change in percent of `last_month_same_days`, 2 decimals; `None` when that is zero.
    pub change_percent: Option<Decimal>,
}

impl Desk {
    fn view_scope(
        &self,
        actor: &Actor,
        item: Permission,
        customer: Option<&CustomerId>,
    ) -> Result<Vec<&Customer>> {
        self.authorize(actor, item, customer)?;
        Ok(match customer {
            Some(id) => vec![self.customer(id)?],
            None => self.customers().filter(|c| c.is_associated()).collect(),
        })
    }

    /// Orders overview of one customer or the whole portfolio (needs view customers).
    pub fn order_overview(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
    ) -> Result<OrderOverview> {
        let mut o = OrderOverview::default();
        for c in self.view_scope(actor, Permission::ViewCustomers, customer)? {
            o.all += c.orders.len();
            o.unpaid += c.orders.unpaid();
        }
        Ok(o)
    }

    /// Resources to renew within `days` (7, 15, 30 or any N) of `now`: expiring in
    /// `[now, now + days]`, not released and not auto-renewing; of one customer or the whole
    /// portfolio, soonest first (needs view customers).
    pub fn resources_to_renew(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
        days: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<RenewalItem<'_>>> {
        crate::validate::instant("now", now)?;
        crate::validate::days("days", u64::from(days))?;
        let mut out: Vec<RenewalItem<'_>> = self
            .view_scope(actor, Permission::ViewCustomers, customer)?
            .into_iter()
            .flat_map(|c| {
                c.resources
                    .iter()
                    .filter(move |r| r.to_renew(now, days))
                    .map(move |r| RenewalItem {
                        customer: &c.id,
                        resource: r,
                    })
            })
            .collect();
        out.sort_by(|a, b| {
            a.resource
                .expires_at
                .cmp(&b.resource.expires_at)
                .then_with(|| a.customer.cmp(b.customer))
                .then_with(|| a.resource.id.cmp(&b.resource.id))
        });
        Ok(out)
    }

    /// Month-to-date, last month and the change against the same days of last month, of one
    /// customer or the whole portfolio (needs view spend).
    pub fn spend_summary(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
        now: DateTime<Utc>,
    ) -> Result<SpendSummary> {
        crate::validate::instant("now", now)?;
        let scope = self.view_scope(actor, Permission::ViewSpend, customer)?;
        let off = self.partner.billing_offset;
        let today = off.day_of(now);
        let month = off.month_of(now);
        let last = month.previous();
        let same_day = today.day().min(last.days());
        let last_same_end = NaiveDate::from_ymd_opt(last.year(), last.month(), same_day)
            .unwrap_or_else(|| last.last_day());
        let (mut mtd, mut lm, mut lms) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        for c in scope {
            mtd = sum(mtd, c.spend_between(month.first_day(), today))?;
            lm = sum(lm, c.month_spend(last))?;
            lms = sum(lms, c.spend_between(last.first_day(), last_same_end))?;
        }
        let cur = self.partner.currency;
        let change = mtd
            .checked_sub(lms)
            .ok_or_else(|| Error::invalid_money("change", "the difference overflows"))?;
        Ok(SpendSummary {
            month_to_date: Money::new(mtd, cur),
            last_month: Money::new(lm, cur),
            last_month_same_days: Money::new(lms, cur),
            change: Money::new(change, cur),
            change_percent: (!lms.is_zero()).then(|| {
                change
                    .checked_mul(Decimal::ONE_HUNDRED)
                    .and_then(|x| x.checked_div(lms.abs()))
                    .map(|p| p.round_dp(2))
                    .unwrap_or(Decimal::MAX)
            }),
        })
    }

    /// The top `n` products by spend between two billing days (both included), highest first
    /// (ties by product code), of one customer or the whole portfolio (needs view spend).
    pub fn product_ranking(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
        from: NaiveDate,
        to: NaiveDate,
        n: usize,
    ) -> Result<Vec<(String, Money)>> {
        check_range(from, to)?;
        let mut by: BTreeMap<SharedText, Decimal> = BTreeMap::new();
        for c in self.view_scope(actor, Permission::ViewSpend, customer)? {
            for r in c.spend_records_between(from, to) {
                let total = by.entry(r.product).or_default();
                *total = sum(*total, r.amount.amount)?;
            }
        }
        let mut v: Vec<(SharedText, Decimal)> = by.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let cur = self.partner.currency;
        Ok(v.into_iter()
            .take(n)
            .map(|(p, a)| (String::from(p), Money::new(a, cur)))
            .collect())
    }

    /// The daily spend between two billing days (both included; days without spend are zero),
    /// of one customer or the whole portfolio (needs view spend). At most 366 days.
    pub fn daily_spend(
        &self,
        actor: &Actor,
        customer: Option<&CustomerId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, Money)>> {
        check_range(from, to)?;
        let days = to.signed_duration_since(from).num_days();
        if days > 365 {
            return Err(Error::invalid_date("to", "at most 366 days"));
        }
        let mut sums = vec![Decimal::ZERO; days as usize + 1];
        for c in self.view_scope(actor, Permission::ViewSpend, customer)? {
            for r in c.spend_records_between(from, to) {
                let i = r.day.signed_duration_since(from).num_days() as usize;
                if let Some(s) = sums.get_mut(i) {
                    *s = sum(*s, r.amount.amount)?;
                }
            }
        }
        let cur = self.partner.currency;
        Ok(from
            .iter_days()
            .zip(sums)
            .map(|(d, s)| (d, Money::new(s, cur)))
            .collect())
    }
}

fn check_range(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if to < from {
        return Err(Error::invalid_date("to", "before from"));
    }
    Ok(())
}

/// A customer frozen with scope account-and-resources, and when its resources are released.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PendingRelease<'a> {
    /// The customer.
    pub customer: &'a CustomerId,
    /// When Huawei releases its resources unless it is unfrozen first (15 days after the
    /// freeze).
    pub release_at: DateTime<Utc>,
}

impl Desk {
    /// Customers frozen with scope account-and-resources whose resources are not yet released
    /// at `now`, soonest release first (needs view customers): the list to act on before the
    /// 15 days run out.
    pub fn pending_releases(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<PendingRelease<'_>>> {
        crate::validate::instant("now", now)?;
        let mut out: Vec<PendingRelease<'_>> = self
            .view_scope(actor, Permission::ViewCustomers, None)?
            .into_iter()
            .filter_map(|c| {
                let at = c.freeze.freeze()?.release_at()?;
                (at > now).then_some(PendingRelease {
                    customer: &c.id,
                    release_at: at,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            a.release_at
                .cmp(&b.release_at)
                .then_with(|| a.customer.cmp(b.customer))
        });
        Ok(out)
    }
}
