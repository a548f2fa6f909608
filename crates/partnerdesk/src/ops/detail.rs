//! The customer detail pages: one customer's orders, resources and spend details, and the
//! portfolio's resources to renew, each as a paged list.
//!
//! Why lists beside the overview cards: the console's detail view opens from the cards
//! ("Unpaid Orders", "All Orders", "Resources", "View Details" next to the month's spend), and
//! a partner's tools need the rows, not only the counts, without reading a whole portfolio at
//! once. Every list is paged like search ([`PageRequest`], [`ListPage`]) and needs the
//! permission item of the card it opens from: orders and resources need view customers,
//! spend needs view spend (the reseller-scoped twin for a customer held through a reseller;
//! see [`Desk::authorize`]). The portfolio's resources to renew are read from an index kept in
//! expiry order, so the first page costs the page, not the portfolio.

use crate::calendar::YearMonth;
use crate::desk::Desk;
use crate::error::Result;
use crate::ids::CustomerId;
use crate::model::access::{Actor, Permission};
use crate::money::{Money, sum};
use crate::ops::analysis::RenewalItem;
use crate::order::Order;
use crate::query::PageRequest;
use crate::resource::Resource;
use crate::search::ListPage;
use crate::spend::ChargingMode;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::ops::Bound;

pub use crate::search::detail::{
    DetailList, OrderScope, ResourceFilter, ResourceSort, SpendGroup, SpendLine,
};

impl Desk {
    /// The orders of a customer, newest first (ties by order id), paged (needs view
    /// customers): every order, or only those pending payment. The list's total equals the
    /// matching count of [`Desk::order_overview`] for the customer.
    ///
    /// ```
    /// use partnerdesk::{demo, Actor, OperatorId, query::PageRequest};
    /// use partnerdesk::detail::OrderScope;
    /// let (desk, _now) = demo::portfolio(200, 3)?;
    /// let admin = Actor::Operator(OperatorId::new("admin")?);
    /// let c = desk.customers().find(|c| !c.orders.is_empty()).ok_or(partnerdesk::Error::InvalidCursor)?;
    /// let page = desk.customer_orders(&admin, &c.id, OrderScope::All, &PageRequest::first(10))?;
    /// assert_eq!(page.total, desk.order_overview(&admin, Some(&c.id))?.all);
    /// assert!(page.items.windows(2).all(|w| w[0].created_at >= w[1].created_at));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn customer_orders(
        &self,
        actor: &Actor,
        customer: &CustomerId,
        scope: OrderScope,
        page: &PageRequest,
    ) -> Result<ListPage<Order>> {
        self.authorize(actor, Permission::ViewCustomers, Some(customer))?;
        let c = self.customer(customer)?;
        let mut orders: Vec<Order> = c
            .orders
            .iter()
            .filter(|o| scope == OrderScope::All || o.is_unpaid())
            .collect();
        orders.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        let what = format!("orders|{customer}|{scope:?}");
        self.page_of(&what, orders, |o| o.id.to_string(), page)
    }

    /// The resources of a customer that match `filter` at `now`, in `sort` order (ties by
    /// resource id), paged (needs view customers).
    ///
    /// ```
    /// use partnerdesk::{demo, Actor, OperatorId, ResourceKind, query::PageRequest};
    /// use partnerdesk::detail::{ResourceFilter, ResourceSort};
    /// let (desk, now) = demo::portfolio(200, 3)?;
    /// let admin = Actor::Operator(OperatorId::new("admin")?);
    /// let c = desk.customers().find(|c| !c.resources.is_empty()).ok_or(partnerdesk::Error::InvalidCursor)?;
    /// let all = desk.customer_resources(&admin, &c.id, &ResourceFilter::default(), ResourceSort::Expiry, &PageRequest::first(100), now)?;
    /// assert_eq!(all.total, c.resources.len());
    /// let yearly = ResourceFilter::default().kind(ResourceKind::YearlyMonthly);
    /// let some = desk.customer_resources(&admin, &c.id, &yearly, ResourceSort::Expiry, &PageRequest::first(100), now)?;
    /// assert!(some.items.iter().all(|r| r.kind == ResourceKind::YearlyMonthly));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn customer_resources(
        &self,
        actor: &Actor,
        customer: &CustomerId,
        filter: &ResourceFilter,
        sort: ResourceSort,
        page: &PageRequest,
        now: DateTime<Utc>,
    ) -> Result<ListPage<Resource>> {
        crate::validate::instant("now", now)?;
        if let Some(days) = filter.expiring_within_days {
            crate::validate::days("expiring_within_days", u64::from(days))?;
        }
        self.authorize(actor, Permission::ViewCustomers, Some(customer))?;
        let c = self.customer(customer)?;
        let mut items: Vec<Resource> = c
            .resources
            .iter()
            .filter(|r| filter.matches(r, now))
            .collect();
        // Resources without an expiry sort after every expiry.
        let expiry = |r: &Resource| (r.expires_at.is_none(), r.expires_at);
        items.sort_by(|a, b| {
            let primary = match sort {
                ResourceSort::Expiry => expiry(a).cmp(&expiry(b)),
                ResourceSort::NewestFirst => b.starts_at.cmp(&a.starts_at),
                ResourceSort::Kind => {
                    (a.kind.as_str(), expiry(a)).cmp(&(b.kind.as_str(), expiry(b)))
                }
            };
            primary.then_with(|| a.id.cmp(&b.id))
        });
        let what = format!("resources|{customer}|{filter:?}|{sort:?}");
        self.page_of(&what, items, |r| r.id.to_string(), page)
    }

    /// A customer's spend details for one billing month (this month, last month or any month
    /// whose records are kept), grouped as `group` says, paged (needs view spend). The lines
    /// of any grouping sum to the customer's spend of the month.
    ///
    /// ```
    /// use partnerdesk::{demo, Actor, OperatorId, query::PageRequest};
    /// use partnerdesk::detail::SpendGroup;
    /// let (desk, now) = demo::portfolio(200, 3)?;
    /// let admin = Actor::Operator(OperatorId::new("admin")?);
    /// let month = desk.partner().billing_offset.month_of(now);
    /// let c = desk.customers().find(|c| !c.month_spend(month).is_zero()).ok_or(partnerdesk::Error::InvalidCursor)?;
    /// let page = desk.spend_details(&admin, &c.id, month, SpendGroup::Product, &PageRequest::first(1000))?;
    /// let total = page.items.iter().map(|l| l.amount.amount).sum::<partnerdesk::Decimal>();
    /// assert_eq!(total, c.month_spend(month));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn spend_details(
        &self,
        actor: &Actor,
        customer: &CustomerId,
        month: YearMonth,
        group: SpendGroup,
        page: &PageRequest,
    ) -> Result<ListPage<SpendLine>> {
        self.authorize(actor, Permission::ViewSpend, Some(customer))?;
        let c = self.customer(customer)?;
        let cur = self.partner.currency;
        let (from, to) = (month.first_day(), month.last_day());
        let records = c.spend_records_between(from, to);
        // Lines keyed by what the grouping keeps; the key orders them (by day, product, mode).
        type Key = (Option<NaiveDate>, Option<String>, Option<String>);
        let mut lines: BTreeMap<Key, (Option<ChargingMode>, Decimal, usize)> = BTreeMap::new();
        for (n, r) in records.enumerate() {
            let key: Key = match group {
                // A record is its own line; `n` keeps two equal records apart.
                SpendGroup::Record => (
                    Some(r.day),
                    Some(r.product.to_string()),
                    Some(format!("{}|{n:08}", r.mode.as_str())),
                ),
                SpendGroup::Product => (None, Some(r.product.to_string()), None),
                SpendGroup::Day => (Some(r.day), None, None),
                SpendGroup::ChargingMode => (None, None, Some(r.mode.as_str().to_owned())),
            };
            let keep_mode = matches!(group, SpendGroup::Record | SpendGroup::ChargingMode);
            let line = lines
                .entry(key)
                .or_insert_with(|| (keep_mode.then(|| r.mode.clone()), Decimal::ZERO, 0));
            line.1 = sum(line.1, r.amount.amount)?;
            line.2 += 1;
        }
        let mut items: Vec<(String, SpendLine)> = lines
            .into_iter()
            .map(|((day, product, mode_key), (mode, amount, records))| {
                let key = format!(
                    "{}|{}|{}",
                    day.map(|d| d.to_string()).unwrap_or_default(),
                    product.as_deref().unwrap_or_default(),
                    mode_key.as_deref().unwrap_or_default()
                );
                let line = SpendLine {
                    day,
                    product,
                    mode,
                    amount: Money::new(amount, cur),
                    records,
                };
                (key, line)
            })
            .collect();
        if matches!(group, SpendGroup::Product | SpendGroup::ChargingMode) {
            // Highest first; the key (product or mode) breaks ties. A stable sort keeps the
            // key order among equal amounts.
            items.sort_by_key(|(_, line)| std::cmp::Reverse(line.amount.amount));
        }
        let what = format!("spend|{customer}|{month}|{group:?}");
        let page = self.page_of(&what, items, |(k, _)| k.clone(), page)?;
        Ok(page.map(|(_, line)| line))
    }

    /// The portfolio's resources to renew within `days` (7, 15, 30 or any N) of `now`, soonest
    /// first (ties by customer id, then resource id), paged (needs view customers): expiring
    /// in `[now, now + days]`, not released, not renewing themselves, of associated customers,
    /// the same items as [`Desk::resources_to_renew`] without a customer. Read from an index in
    /// expiry order: a page costs its items (and an offset the items it skips), and the total
    /// is counted without visiting the items.
    ///
    /// ```
    /// use partnerdesk::{demo, Actor, OperatorId, query::PageRequest};
    /// let (desk, now) = demo::portfolio(500, 3)?;
    /// let admin = Actor::Operator(OperatorId::new("admin")?);
    /// let all = desk.resources_to_renew(&admin, None, 30, now)?;
    /// let first = desk.renewals_page(&admin, 30, &PageRequest::first(5), now)?;
    /// assert_eq!(first.total, all.len());
    /// let ids = |v: &[partnerdesk::analysis::RenewalItem<'_>]| v.iter().map(|i| (i.customer.clone(), i.resource.id.clone())).collect::<Vec<_>>();
    /// assert_eq!(ids(&first.items), ids(&all[..first.items.len()]));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn renewals_page(
        &self,
        actor: &Actor,
        days: u32,
        page: &PageRequest,
        now: DateTime<Utc>,
    ) -> Result<ListPage<RenewalItem<'_>>> {
        crate::validate::instant("now", now)?;
        crate::validate::days("days", u64::from(days))?;
        self.authorize(actor, Permission::ViewCustomers, None)?;
        let what = format!("renewals|{days}");
        let start = self.list_start(&what, page)?;
        let lower = Bound::Included((now, 0, 0));
        let upper = match crate::model::calendar::add_days(now, days) {
            Some(end) => Bound::Included((end, u32::MAX, u32::MAX)),
            None => Bound::Unbounded,
        };
        let total = self.index.renewals.count_range(lower, upper);
        // Resume strictly after the cursor's item (expiry, customer id, resource id).
        let after = match &start.after {
            Some(last) => Some(parse_renewal_key(last).ok_or(crate::Error::InvalidCursor)?),
            None => None,
        };
        let (lower, skip) = match &after {
            Some((at, _, _)) => (Bound::Included((*at, 0, 0)), 0),
            None => (lower, start.position),
        };
        let mut items: Vec<RenewalItem<'_>> = Vec::with_capacity(start.limit + 1);
        let mut skipped = 0usize;
        // A group is every item of one instant, ordered by customer id then resource id. Only
        // the items that can still reach the page are picked out of it and made: at a million
        // customers a day's renewals are a thousand resources or more, for a page of twenty.
        // A resource's id is read from its packed block only when two items of the group have
        // the same customer (decoding every item's block cost three quarters of a page).
        let rid = |slot: u32, i: u32| self.at(slot).resources.id_at(i as usize);
        // Each item carries its customer id's first eight bytes as a number: the ids of a day's
        // customers nearly always differ there, and the selection compares numbers.
        let by_key = |a: &Item<'_>, b: &Item<'_>| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then_with(|| rid(a.2, a.3).cmp(&rid(b.2, b.3)))
        };
        let mut group: Vec<Item<'_>> = Vec::new();
        let mut group_at = None;
        let mut range = self.index.renewals.range(lower, upper).peekable();
        'scan: while let Some(&(at, slot, i)) = range.next() {
            let c = self.at(slot);
            if (i as usize) < c.resources.len() {
                group.push((id_prefix(c.id.as_str()), c.id.as_str(), slot, i));
                group_at = Some(at);
            }
            if range.peek().is_some_and(|n| Some(n.0) == group_at) {
                continue;
            }
            if let Some((at0, cid, last)) = &after
                && Some(*at0) == group_at
            {
                group.retain(|&(_, c, slot, i)| match c.cmp(cid.as_str()) {
                    std::cmp::Ordering::Equal => rid(slot, i) > Some(last.as_bytes()),
                    o => o == std::cmp::Ordering::Greater,
                });
            }
            let wanted = skip
                .saturating_sub(skipped)
                .saturating_add((start.limit + 1).saturating_sub(items.len()));
            crate::search::sorted::keep_first_sorted(&mut group, wanted, by_key);
            for (_, _, slot, i) in group.drain(..) {
                if skipped < skip {
                    skipped += 1;
                    continue;
                }
                let c = self.at(slot);
                let Some(resource) = c.resources.get(i as usize) else {
                    continue;
                };
                items.push(RenewalItem {
                    customer: &c.id,
                    resource,
                });
                if items.len() > start.limit {
                    break 'scan;
                }
            }
        }
        let more = items.len() > start.limit;
        items.truncate(start.limit);
        let base = if after.is_some() {
            start.position
        } else {
            skip
        };
        let next_cursor = match (more, items.last()) {
            (true, Some(last)) => {
                Some(self.list_cursor(&what, base.saturating_add(items.len()), &renewal_key(last)))
            }
            _ => None,
        };
        Ok(ListPage {
            items,
            total,
            next_cursor,
        })
    }
}

/// An item of a group of the renewals page: the customer id's [`id_prefix`], the id, the
/// customer's slot and the resource's index.
type Item<'a> = (u64, &'a str, u32, u32);

/// A text's first eight bytes as a big-endian number, zeros after a shorter text: two texts
/// whose numbers differ are in the numbers' order (a text that ends first is the other's
/// prefix), and equal numbers leave the order to the whole texts.
fn id_prefix(id: &str) -> u64 {
    let mut b = [0u8; 8];
    for (to, from) in b.iter_mut().zip(id.bytes()) {
        *to = from;
    }
    u64::from_be_bytes(b)
}

/// A renewal item's cursor key: its expiry (seconds and nanoseconds), the customer id's length
/// in bytes, then the customer id and the resource id (ids may hold any printable character).
fn renewal_key(item: &RenewalItem<'_>) -> String {
    let at = item.resource.expires_at.unwrap_or_default();
    format!(
        "{}.{}.{}|{}{}",
        at.timestamp(),
        at.timestamp_subsec_nanos(),
        item.customer.as_str().len(),
        item.customer,
        item.resource.id
    )
}

fn parse_renewal_key(key: &str) -> Option<(DateTime<Utc>, String, String)> {
    let (head, ids) = key.split_once('|')?;
    let mut parts = head.split('.');
    let (Some(secs), Some(nanos), Some(len), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let at = DateTime::from_timestamp(secs.parse().ok()?, nanos.parse().ok()?)?;
    let len: usize = len.parse().ok()?;
    let (cid, rid) = (ids.get(..len)?, ids.get(len..)?);
    Some((at, cid.to_owned(), rid.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::id_prefix;
    use proptest::prelude::*;

    proptest! {
        /// Ordering by the prefix number, then the text, is the texts' order: long shared
        /// starts, texts that are others' prefixes and zero bytes included.
        #[test]
        fn the_prefix_number_keeps_the_texts_order(
            a in "[a\\x00b]{0,12}",
            b in "[a\\x00b]{0,12}",
        ) {
            prop_assert_eq!((id_prefix(&a), &a).cmp(&(id_prefix(&b), &b)), a.cmp(&b));
        }
    }
}
