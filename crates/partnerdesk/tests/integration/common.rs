//! Helpers shared by the integration tests.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use partnerdesk::query::{PageRequest, Query, Sort};
use partnerdesk::search::MatchContext;
use partnerdesk::{CustomerId, Desk};

/// What a naive filter-and-sort returns: every matching id, in order.
pub fn naive(desk: &Desk, q: &Query, sort: Sort, now: DateTime<Utc>) -> Vec<CustomerId> {
    let ctx: MatchContext<'_> = desk.match_context(now);
    let mut rows: Vec<_> = desk.customers().filter(|c| q.matches(c, &ctx)).collect();
    let month = ctx.month();
    rows.sort_by(|a, b| {
        use partnerdesk::query::SortKey::*;
        let primary = match sort.key {
            Name => a
                .name
                .expose()
                .to_lowercase()
                .cmp(&b.name.expose().to_lowercase()),
            AccountName => a
                .account_name
                .expose()
                .to_lowercase()
                .cmp(&b.account_name.expose().to_lowercase()),
            MonthToDate => a.month_spend(month).cmp(&b.month_spend(month)),
            AssociatedAt => a.association.since.cmp(&b.association.since),
            Id => a.id.cmp(&b.id),
            NextExpiry => {
                let (x, y) = (a.next_expiry(now), b.next_expiry(now));
                return match (x, y) {
                    (None, None) => a.id.cmp(&b.id),
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (Some(x), Some(y)) => (if sort.descending {
                        y.cmp(&x)
                    } else {
                        x.cmp(&y)
                    })
                    .then_with(|| a.id.cmp(&b.id)),
                };
            }
        };
        let primary = if sort.descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| a.id.cmp(&b.id))
    });
    rows.into_iter().map(|c| c.id.clone()).collect()
}

/// Every id of a query, collected page by page through cursors.
pub fn all_by_cursor(
    desk: &Desk,
    q: &Query,
    sort: Sort,
    now: DateTime<Utc>,
    limit: u32,
) -> partnerdesk::Result<Vec<CustomerId>> {
    let mut out = Vec::new();
    let mut page = desk.search_ids(q, sort, &PageRequest::first(limit), now)?;
    loop {
        out.extend(page.ids.iter().cloned());
        match page.next_cursor.take() {
            Some(c) => page = desk.search_ids(q, sort, &PageRequest::after(c, limit), now)?,
            None => return Ok(out),
        }
    }
}

/// Checks that a search (one offset page, and every page by cursor of `limit` rows) returns
/// exactly what the naive filter-and-sort returns; gives the naive ids, or what differed.
pub fn same_as_naive(
    desk: &Desk,
    q: &Query,
    sort: Sort,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<CustomerId>, String> {
    let want = naive(desk, q, sort, now);
    let got = desk
        .search_ids(q, sort, &PageRequest::offset(0, 1000), now)
        .map_err(|e| e.to_string())?;
    if got.total != want.len() || got.ids[..] != want[..want.len().min(1000)] {
        return Err(format!(
            "{q} {sort}: offset page differs from the naive scan"
        ));
    }
    // A later page by offset.
    let skip = limit as usize;
    let second = desk
        .search_ids(q, sort, &PageRequest::offset(skip, limit), now)
        .map_err(|e| e.to_string())?;
    let expected = &want[skip.min(want.len())..(2 * skip).min(want.len())];
    if second.total != want.len() || second.ids[..] != expected[..] {
        return Err(format!(
            "{q} {sort}: the page at offset {skip} differs from the naive scan"
        ));
    }
    let paged = all_by_cursor(desk, q, sort, now, limit).map_err(|e| e.to_string())?;
    if paged != want {
        return Err(format!(
            "{q} {sort}: cursor pages differ from the naive scan"
        ));
    }
    Ok(want)
}

/// Every customer matching a query, in the desk's sort order (its public `select_ids`, with
/// each record looked up).
pub fn select_all<'d>(
    desk: &'d Desk,
    q: &Query,
    sort: Sort,
    now: DateTime<Utc>,
) -> Vec<&'d partnerdesk::Customer> {
    desk.select_ids(q, sort, now)
        .iter()
        .filter_map(|id| desk.customer(id).ok())
        .collect()
}

/// Adds the operators the property tests act as: `ops` (the direct items, plus `extra`),
/// `rops` (the reseller-scoped items) and `nobody` (no item).
pub fn add_test_operators(
    desk: &mut Desk,
    extra: &[partnerdesk::Permission],
) -> partnerdesk::Result<()> {
    use partnerdesk::{Operator, OperatorId, Permission, Role};
    let mut items = vec![
        Permission::FreezeUnfreeze,
        Permission::SetBudget,
        Permission::AssignAccountManager,
        Permission::RequestAuthorization,
        Permission::PlaceOrderOnBehalf,
    ];
    items.extend_from_slice(extra);
    desk.add_operator(
        Operator::new(OperatorId::new("ops")?, "Ops", Role::Operator).with_permissions(items)?,
    )?;
    desk.add_operator(
        Operator::new(OperatorId::new("rops")?, "Reseller ops", Role::Operator).with_permissions(
            [
                Permission::FreezeUnfreezeResellerCustomers,
                Permission::SetBudgetResellerCustomers,
                Permission::PlaceOrderOnBehalf,
            ],
        )?,
    )?;
    desk.add_operator(Operator::new(
        OperatorId::new("nobody")?,
        "Nobody",
        Role::Operator,
    ))
}
