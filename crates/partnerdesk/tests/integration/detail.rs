//! The customer detail pages (issue #19): a customer's orders, resources and spend details and
//! the portfolio's resources to renew, each checked against a naive reading of the records,
//! paged by offset and by cursor, with their permission items and refusals.

use chrono::Duration;
use partnerdesk::analysis::RenewalItem;
use partnerdesk::detail::{OrderScope, ResourceFilter, ResourceSort, SpendGroup};
use partnerdesk::query::PageRequest;
use partnerdesk::{
    Actor, CustomerId, Decimal, Desk, ListPage, Operator, OperatorId, Permission, ResourceId,
    ResourceKind, ResourceStatus, Result, Role, demo,
};

fn admin() -> Result<Actor> {
    Ok(Actor::Operator(OperatorId::new("admin")?))
}

/// Every item of a list, read page by page by cursor with `limit` items a page.
fn by_cursor<T>(
    limit: u32,
    mut read: impl FnMut(&PageRequest) -> Result<ListPage<T>>,
) -> Result<Vec<T>> {
    let mut all = Vec::new();
    let mut page = PageRequest::first(limit);
    for _ in 0..10_000 {
        let p = read(&page)?;
        let total = p.total;
        all.extend(p.items);
        match p.next_cursor {
            Some(c) => {
                page = PageRequest::Cursor {
                    cursor: Some(c),
                    limit,
                }
            }
            None => {
                assert_eq!(all.len(), total, "the pages hold the whole list");
                return Ok(all);
            }
        }
    }
    Err(partnerdesk::Error::InvalidPage {
        reason: "the cursor never ended".into(),
    })
}

#[test]
fn orders_newest_first_with_the_overview_totals() -> Result<()> {
    let (desk, _now) = demo::portfolio(300, 11)?;
    let admin = admin()?;
    let mut seen = 0;
    for c in desk.customers().filter(|c| c.orders.len() > 1) {
        seen += 1;
        let overview = desk.order_overview(&admin, Some(&c.id))?;
        for scope in [OrderScope::All, OrderScope::Unpaid] {
            let mut naive: Vec<_> = c
                .orders
                .iter()
                .filter(|o| scope == OrderScope::All || o.is_unpaid())
                .cloned()
                .collect();
            naive.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
            let paged = by_cursor(2, |p| desk.customer_orders(&admin, &c.id, scope, p))?;
            assert_eq!(paged, naive);
            let expected = match scope {
                OrderScope::All => overview.all,
                _ => overview.unpaid,
            };
            assert_eq!(paged.len(), expected);
            // By offset: the same rows.
            let second = desk.customer_orders(&admin, &c.id, scope, &PageRequest::offset(1, 1))?;
            assert_eq!(
                second.items,
                naive.iter().skip(1).take(1).cloned().collect::<Vec<_>>()
            );
        }
    }
    assert!(seen > 5, "the demo has customers with several orders");
    Ok(())
}

#[test]
fn resources_filtered_sorted_and_paged() -> Result<()> {
    let (desk, now) = demo::portfolio(300, 12)?;
    let admin = admin()?;
    let filters = [
        ResourceFilter::default(),
        ResourceFilter::default().kind(ResourceKind::YearlyMonthly),
        ResourceFilter::default()
            .kind(ResourceKind::PayPerUse)
            .kind(ResourceKind::SavingsPlan),
        ResourceFilter::default().status(ResourceStatus::Active),
        ResourceFilter::default().expiring_within(30),
        ResourceFilter::default().expiring_within(7),
    ];
    let mut nonempty = 0;
    for c in desk.customers().filter(|c| c.resources.len() > 1).take(60) {
        for f in &filters {
            for sort in [
                ResourceSort::Expiry,
                ResourceSort::NewestFirst,
                ResourceSort::Kind,
            ] {
                let paged = by_cursor(2, |p| {
                    desk.customer_resources(&admin, &c.id, f, sort, p, now)
                })?;
                let mut naive: Vec<_> = c
                    .resources
                    .iter()
                    .filter(|r| f.kinds.is_empty() || f.kinds.contains(&r.kind))
                    .filter(|r| f.statuses.is_empty() || f.statuses.contains(&r.status))
                    .filter(|r| {
                        f.expiring_within_days.is_none_or(|d| {
                            r.counts_for_expiry()
                                && r.expires_at.is_some_and(|e| {
                                    e >= now && e <= now + Duration::days(i64::from(d))
                                })
                        })
                    })
                    .cloned()
                    .collect();
                naive.sort_by(|a, b| {
                    let ex = |r: &partnerdesk::Resource| (r.expires_at.is_none(), r.expires_at);
                    match sort {
                        ResourceSort::Expiry => ex(a).cmp(&ex(b)),
                        ResourceSort::NewestFirst => b.starts_at.cmp(&a.starts_at),
                        _ => (a.kind.as_str(), ex(a)).cmp(&(b.kind.as_str(), ex(b))),
                    }
                    .then(a.id.cmp(&b.id))
                });
                nonempty += usize::from(!naive.is_empty());
                assert_eq!(paged, naive, "{f:?} {sort:?}");
            }
        }
    }
    assert!(nonempty > 100, "the filters select something");
    Ok(())
}

#[test]
fn spend_details_sum_to_the_month_in_every_grouping() -> Result<()> {
    let (desk, now) = demo::portfolio(200, 13)?;
    let admin = admin()?;
    let month = desk.partner().billing_offset.month_of(now);
    let mut checked = 0;
    for c in desk.customers().take(80) {
        for m in [month, month.previous()] {
            let records = c
                .spend
                .iter()
                .filter(|r| r.day >= m.first_day() && r.day <= m.last_day())
                .count();
            for group in [
                SpendGroup::Record,
                SpendGroup::Product,
                SpendGroup::Day,
                SpendGroup::ChargingMode,
            ] {
                let lines = by_cursor(3, |p| desk.spend_details(&admin, &c.id, m, group, p))?;
                let total: Decimal = lines.iter().map(|l| l.amount.amount).sum();
                assert_eq!(total, c.month_spend(m), "{group:?}");
                assert_eq!(lines.iter().map(|l| l.records).sum::<usize>(), records);
                match group {
                    SpendGroup::Record => {
                        assert_eq!(lines.len(), records);
                        assert!(lines.windows(2).all(|w| w[0].day <= w[1].day));
                    }
                    SpendGroup::Day => {
                        assert!(lines.windows(2).all(|w| w[0].day < w[1].day));
                        assert!(
                            lines
                                .iter()
                                .all(|l| l.product.is_none() && l.mode.is_none())
                        );
                    }
                    _ => assert!(
                        lines
                            .windows(2)
                            .all(|w| w[0].amount.amount >= w[1].amount.amount)
                    ),
                }
                checked += usize::from(records > 0);
            }
        }
    }
    assert!(checked > 50, "the demo customers have spend");
    Ok(())
}

fn renewal_ids(items: &[RenewalItem<'_>]) -> Vec<(CustomerId, ResourceId)> {
    items
        .iter()
        .map(|i| (i.customer.clone(), i.resource.id.clone()))
        .collect()
}

fn check_renewals(desk: &Desk, now: chrono::DateTime<chrono::Utc>) -> Result<usize> {
    let admin = admin()?;
    let mut found = 0;
    for days in [0, 7, 15, 30, 365, 36_500] {
        let naive = desk.resources_to_renew(&admin, None, days, now)?;
        for limit in [1, 7, 1000] {
            let paged = by_cursor(limit, |p| desk.renewals_page(&admin, days, p, now))?;
            assert_eq!(renewal_ids(&paged), renewal_ids(&naive), "{days} days");
        }
        let third = desk.renewals_page(&admin, days, &PageRequest::offset(2, 3), now)?;
        assert_eq!(
            renewal_ids(&third.items),
            renewal_ids(&naive.iter().skip(2).take(3).cloned().collect::<Vec<_>>())
        );
        assert_eq!(third.total, naive.len());
        found += naive.len();
    }
    Ok(found)
}

#[test]
fn renewals_page_equals_the_walk_and_follows_changes() -> Result<()> {
    let (mut desk, now) = demo::portfolio(400, 14)?;
    assert!(check_renewals(&desk, now)? > 20);
    // Changes reach the index: a customer's resources replaced, a customer removed, a
    // customer disassociated (views cover associated customers only).
    let ids: Vec<CustomerId> = desk
        .customers()
        .filter(|c| !c.resources.is_empty())
        .map(|c| c.id.clone())
        .take(3)
        .collect();
    if let [a, b, c] = &ids[..] {
        desk.update_customer(a, |c| {
            for r in &mut c.resources {
                r.expiry_policy = partnerdesk::ExpiryPolicy::Manual;
                r.expires_at = Some(now + Duration::days(3));
            }
        })?;
        desk.remove_customer(b)?;
        desk.update_customer(c, |c| c.association.ended = Some(now - Duration::days(1)))?;
    }
    check_renewals(&desk, now)?;
    Ok(())
}

#[test]
fn detail_pages_need_their_items_and_refuse_bad_input() -> Result<()> {
    let (mut desk, now) = demo::portfolio(100, 15)?;
    desk.add_operator(
        Operator::new(OperatorId::new("viewer")?, "Viewer", Role::Operator)
            .with_permissions([Permission::ViewCustomers])?,
    )?;
    let viewer = Actor::Operator(OperatorId::new("viewer")?);
    let admin = admin()?;
    let direct = desk
        .customers()
        .find(|c| c.association.reseller.is_none() && !c.orders.is_empty())
        .map(|c| c.id.clone())
        .ok_or(partnerdesk::Error::InvalidCursor)?;
    let month = desk.partner().billing_offset.month_of(now);
    let first = PageRequest::first(10);
    let code = |e: partnerdesk::Error| e.code();
    // View customers opens orders and resources; spend needs view spend.
    desk.customer_orders(&viewer, &direct, OrderScope::All, &first)?;
    desk.customer_resources(
        &viewer,
        &direct,
        &ResourceFilter::default(),
        ResourceSort::Expiry,
        &first,
        now,
    )?;
    assert_eq!(
        desk.spend_details(&viewer, &direct, month, SpendGroup::Day, &first)
            .map_err(code)
            .err(),
        Some("PERMISSION_DENIED")
    );
    for who in [Actor::System, Actor::Customer(direct.clone())] {
        assert_eq!(
            desk.customer_orders(&who, &direct, OrderScope::All, &first)
                .map_err(code)
                .err(),
            Some("PERMISSION_DENIED")
        );
        assert_eq!(
            desk.renewals_page(&who, 30, &first, now)
                .map_err(code)
                .err(),
            Some("PERMISSION_DENIED")
        );
    }
    // A customer held through a reseller needs the reseller-scoped twin.
    if let Some(held) = desk.customers().find(|c| c.association.reseller.is_some()) {
        assert_eq!(
            desk.customer_orders(&viewer, &held.id, OrderScope::All, &first)
                .map_err(code)
                .err(),
            Some("PERMISSION_DENIED")
        );
    }
    let unknown = CustomerId::new("no-such-customer")?;
    assert_eq!(
        desk.customer_orders(&admin, &unknown, OrderScope::All, &first)
            .map_err(code)
            .err(),
        Some("CUSTOMER_NOT_FOUND")
    );
    for limit in [0, 1001] {
        assert_eq!(
            desk.customer_orders(&admin, &direct, OrderScope::All, &PageRequest::first(limit))
                .map_err(code)
                .err(),
            Some("INVALID_PAGE")
        );
    }
    // A cursor belongs to its list and its desk.
    let orders = desk.customer_orders(&admin, &direct, OrderScope::All, &PageRequest::first(1))?;
    let renewals = desk.renewals_page(&admin, 365, &PageRequest::first(1), now)?;
    for (cursor, other) in [(orders.next_cursor, 7u32), (renewals.next_cursor, 30)] {
        let Some(cursor) = cursor else { continue };
        let again = PageRequest::Cursor {
            cursor: Some(cursor.clone()),
            limit: 5,
        };
        assert_eq!(
            desk.renewals_page(&admin, other, &again, now)
                .map_err(code)
                .err(),
            Some("CURSOR_MISMATCH")
        );
        let mut forged = cursor.clone();
        forged.replace_range(2..3, if &cursor[2..3] == "0" { "1" } else { "0" });
        let forged = PageRequest::Cursor {
            cursor: Some(forged),
            limit: 5,
        };
        assert_eq!(
            desk.customer_orders(&admin, &direct, OrderScope::All, &forged)
                .map_err(code)
                .err(),
            Some("INVALID_CURSOR")
        );
    }
    let bad_now = chrono::DateTime::<chrono::Utc>::MAX_UTC;
    assert_eq!(
        desk.renewals_page(&admin, 7, &first, bad_now)
            .map_err(code)
            .err(),
        Some("INVALID_DATE")
    );
    Ok(())
}
