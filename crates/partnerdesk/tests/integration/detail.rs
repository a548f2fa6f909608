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
    let (desk, now) = demo::portfolio(400, 14)?;
    renewals_follow_changes(desk, now)
}

/// The same on the desk loaded from a checkpoint and from a JSON snapshot, whose ordered sets
/// are built in bulk.
#[test]
fn renewals_page_of_a_loaded_desk_equals_the_walk_and_follows_changes() -> Result<()> {
    let (desk, now) = demo::portfolio(400, 14)?;
    renewals_follow_changes(Desk::from_checkpoint(&desk.to_checkpoint()?)?, now)?;
    renewals_follow_changes(Desk::from_snapshot_json(&desk.to_snapshot_json()?)?, now)
}

fn renewals_follow_changes(mut desk: Desk, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
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
            c.resources.edit(|resources| {
                for r in resources {
                    r.expiry_policy = partnerdesk::ExpiryPolicy::Manual;
                    r.expires_at = Some(now + Duration::days(3));
                }
            });
        })?;
        desk.remove_customer(b)?;
        desk.update_customer(c, |c| c.association.ended = Some(now - Duration::days(1)))?;
    }
    check_renewals(&desk, now)?;
    Ok(())
}

/// Every resource of the desk set to renew by hand at one of `instants` instants (one a day
/// from tomorrow, at the same time of day): the index then holds large groups of equal
/// expiries, which the page orders by customer id and resource id, and pages end inside them.
fn bunch(desk: &mut Desk, now: chrono::DateTime<chrono::Utc>, instants: u8) -> Result<()> {
    let ids: Vec<CustomerId> = desk
        .customers()
        .filter(|c| !c.resources.is_empty())
        .map(|c| c.id.clone())
        .collect();
    let mut k = 0u64;
    for id in &ids {
        desk.update_customer(id, |c| {
            c.resources.edit(|resources| {
                for r in resources {
                    r.expiry_policy = partnerdesk::ExpiryPolicy::Manual;
                    let day = 1 + (k * 7919) % u64::from(instants.max(1));
                    r.expires_at = Some(now + Duration::days(day as i64));
                    k += 1;
                }
            });
        })?;
    }
    Ok(())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, max_shrink_iters: 100, .. proptest::prelude::ProptestConfig::default() })]

    /// Pages read by cursor, joined, and pages read at any offset, are the walk's items, in
    /// its order, when most items share their expiry with many others.
    #[test]
    fn renewal_pages_cut_inside_groups_of_one_expiry(
        seed in 0u64..1000,
        instants in 1u8..4,
        limit in 1u32..40,
        offset in 0usize..300,
    ) {
        let (mut desk, now) = demo::portfolio(120, seed)?;
        bunch(&mut desk, now, instants)?;
        let admin = admin()?;
        for days in [1, 2, 30] {
            let naive = desk.resources_to_renew(&admin, None, days, now)?;
            let paged = by_cursor(limit, |p| desk.renewals_page(&admin, days, p, now))?;
            proptest::prop_assert_eq!(renewal_ids(&paged), renewal_ids(&naive));
            let at = desk.renewals_page(&admin, days, &PageRequest::offset(offset, limit), now)?;
            let expected: Vec<_> = naive.iter().skip(offset).take(limit as usize).cloned().collect();
            proptest::prop_assert_eq!(renewal_ids(&at.items), renewal_ids(&expected));
            proptest::prop_assert_eq!(at.total, naive.len());
        }
        proptest::prop_assert!(desk.resources_to_renew(&admin, None, 30, now)?.len() > 100);
    }
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

// ---- detail exports (issue #19 items 2 and 3) -------------------------------------------

mod exports {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use partnerdesk::Invocation;
    use partnerdesk::audit::AuditFilter;
    use partnerdesk::detail::DetailList;
    use partnerdesk::export::{DetailExportRequest, ExportStatus, RecordedSelection};
    use std::ops::ControlFlow;

    fn go(_: partnerdesk::export::ExportProgress) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes)
            .records()
            .filter_map(|r| r.ok())
            .map(|r| r.iter().map(str::to_owned).collect())
            .collect()
    }

    fn xlsx_rows(bytes: Vec<u8>) -> Vec<Vec<String>> {
        let Ok(mut book) = Xlsx::new(std::io::Cursor::new(bytes)) else {
            return Vec::new();
        };
        let Some(Ok(range)) = book.worksheet_range_at(0) else {
            return Vec::new();
        };
        range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::Float(f) => f.to_string(),
                        Data::Int(i) => i.to_string(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect()
    }

    /// A direct customer with orders, resources and spend this month.
    fn busy(desk: &Desk, now: chrono::DateTime<chrono::Utc>) -> Result<CustomerId> {
        let month = desk.partner().billing_offset.month_of(now);
        desk.customers()
            .filter(|c| c.association.reseller.is_none() && c.is_associated())
            .filter(|c| !c.orders.is_empty() && c.resources.len() > 1)
            .find(|c| !c.month_spend(month).is_zero())
            .map(|c| c.id.clone())
            .ok_or(partnerdesk::Error::InvalidCursor)
    }

    #[test]
    fn each_list_exports_the_rows_its_pages_show_in_csv_and_xlsx() -> Result<()> {
        let (mut desk, now) = demo::portfolio(300, 21)?;
        let admin = admin()?;
        let inv = Invocation::new(admin.clone(), now);
        let c = busy(&desk, now)?;
        let month = desk.partner().billing_offset.month_of(now);
        let lists = [
            DetailList::Orders {
                customer: c.clone(),
                scope: OrderScope::All,
            },
            DetailList::Resources {
                customer: c.clone(),
                filter: ResourceFilter::default(),
                sort: ResourceSort::Expiry,
            },
            DetailList::Spend {
                customer: c.clone(),
                month,
                group: SpendGroup::Record,
            },
        ];
        for list in lists {
            // What the pages show: the first cell of each row.
            let firsts: Vec<String> = match &list {
                DetailList::Orders { scope, .. } => {
                    by_cursor(1000, |p| desk.customer_orders(&admin, &c, *scope, p))?
                        .into_iter()
                        .map(|o| o.id.to_string())
                        .collect()
                }
                DetailList::Resources { filter, sort, .. } => by_cursor(1000, |p| {
                    desk.customer_resources(&admin, &c, filter, *sort, p, now)
                })?
                .into_iter()
                .map(|r| r.id.to_string())
                .collect(),
                DetailList::Spend { month, group, .. } => {
                    by_cursor(1000, |p| desk.spend_details(&admin, &c, *month, *group, p))?
                        .into_iter()
                        .map(|l| l.day.map(|d| d.to_string()).unwrap_or_default())
                        .collect()
                }
                _ => Vec::new(),
            };
            assert!(!firsts.is_empty(), "{list:?}");
            let mut csv_out = Vec::new();
            let job = desk.export_detail(
                &inv,
                &DetailExportRequest::csv(list.clone()),
                &mut csv_out,
                go,
            )?;
            assert_eq!(job.status, ExportStatus::Completed);
            assert_eq!(job.rows as usize, firsts.len());
            assert_eq!(job.selection, RecordedSelection::Detail(list.clone()));
            let rows = csv_rows(&csv_out);
            assert_eq!(rows.len(), firsts.len() + 1, "a header and the rows");
            let got: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
            assert_eq!(got, firsts);
            let mut xlsx_out = Vec::new();
            let job = desk.export_detail(
                &inv,
                &DetailExportRequest::xlsx(list.clone()).named("list.xlsx"),
                &mut xlsx_out,
                go,
            )?;
            assert_eq!(job.file_name, "list.xlsx");
            let sheet = xlsx_rows(xlsx_out);
            assert_eq!(sheet.len(), firsts.len() + 1);
            assert_eq!(sheet[0], rows[0], "the same header");
            let got: Vec<String> = sheet[1..].iter().map(|r| r[0].clone()).collect();
            assert_eq!(got, firsts);
            // Downloaded again: the same bytes (nothing changed).
            let mut again = Vec::new();
            let csv_job = &desk.exports()[desk.exports().len() - 2];
            let id = csv_job.id.clone();
            let n = desk.download_export(&inv, &id, &mut again, go)?;
            assert_eq!(n as usize, firsts.len());
            assert_eq!(again, csv_out);
        }
        // The history and the audit trail hold every job and attempt.
        assert_eq!(desk.exports().len(), 6);
        let audited = desk.audit_log(&AuditFilter::default().kind("export_detail"));
        assert_eq!(audited.len(), 6);
        // The history survives a snapshot.
        let again = Desk::from_snapshot_json(&desk.to_snapshot_json()?)?;
        assert_eq!(again.exports(), desk.exports());
        Ok(())
    }

    #[test]
    fn detail_exports_need_the_item_of_their_list_and_refuse_bad_requests() -> Result<()> {
        let (mut desk, now) = demo::portfolio(300, 22)?;
        desk.add_operator(
            Operator::new(OperatorId::new("viewer")?, "Viewer", Role::Operator)
                .with_permissions([Permission::ViewCustomers])?,
        )?;
        let viewer = Invocation::new(Actor::Operator(OperatorId::new("viewer")?), now);
        let c = busy(&desk, now)?;
        let month = desk.partner().billing_offset.month_of(now);
        let resources = DetailList::Resources {
            customer: c.clone(),
            filter: ResourceFilter::default(),
            sort: ResourceSort::Expiry,
        };
        let spend = DetailList::Spend {
            customer: c.clone(),
            month,
            group: SpendGroup::Product,
        };
        // Not administrator-only: view customers exports a customer's resources...
        let mut out = Vec::new();
        desk.export_detail(
            &viewer,
            &DetailExportRequest::csv(resources.clone()),
            &mut out,
            go,
        )?;
        // ...but spend needs view spend; refused, audited, no job, nothing written.
        let jobs = desk.exports().len();
        let mut out = Vec::new();
        let refused = desk.export_detail(&viewer, &DetailExportRequest::csv(spend), &mut out, go);
        assert_eq!(refused.err().map(|e| e.code()), Some("PERMISSION_DENIED"));
        assert!(out.is_empty());
        assert_eq!(desk.exports().len(), jobs);
        let denied = desk.audit_log(&AuditFilter::default().kind("export_detail"));
        assert!(
            denied
                .iter()
                .any(|r| r.outcome.denied_code() == Some("PERMISSION_DENIED"))
        );
        for bad in ["", "a/b.csv", "x\u{7}.csv"] {
            let r = desk.export_detail(
                &viewer,
                &DetailExportRequest::csv(resources.clone()).named(bad),
                &mut Vec::new(),
                go,
            );
            assert_eq!(
                r.err().map(|e| e.code()),
                Some("INVALID_ARGUMENT"),
                "{bad:?}"
            );
        }
        let unknown = DetailList::Orders {
            customer: CustomerId::new("nobody-here")?,
            scope: OrderScope::All,
        };
        let r = desk.export_detail(
            &viewer,
            &DetailExportRequest::csv(unknown),
            &mut Vec::new(),
            go,
        );
        assert_eq!(r.err().map(|e| e.code()), Some("CUSTOMER_NOT_FOUND"));
        assert_eq!(desk.exports().len(), jobs);
        // Cancelled: recorded as such, EXPORT_CANCELLED.
        let r = desk.export_detail(
            &viewer,
            &DetailExportRequest::csv(resources),
            &mut Vec::new(),
            |_| ControlFlow::Break(()),
        );
        assert_eq!(r.err().map(|e| e.code()), Some("EXPORT_CANCELLED"));
        assert_eq!(
            desk.exports().last().map(|j| j.status.clone()),
            Some(ExportStatus::Cancelled)
        );
        Ok(())
    }

    #[test]
    fn free_text_cells_are_neutralised() -> Result<()> {
        let (mut desk, now) = demo::portfolio(100, 23)?;
        let c = busy(&desk, now)?;
        desk.update_customer(&c, |c| {
            c.resources.edit(|resources| {
                if let Some(r) = resources.first_mut() {
                    r.name = "=HYPERLINK(\"x\")".into();
                    r.service = "+cmd".into();
                }
            });
        })?;
        let inv = Invocation::new(admin()?, now);
        let list = DetailList::Resources {
            customer: c,
            filter: ResourceFilter::default(),
            sort: ResourceSort::Expiry,
        };
        let mut out = Vec::new();
        desk.export_detail(&inv, &DetailExportRequest::csv(list), &mut out, go)?;
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
        assert!(text.contains(",'+cmd,"), "{text}");
        Ok(())
    }
}

/// The text forms hosts pass (`as_str`/`parse`) are the serde names an export job records, and
/// anything else is a typed error naming the option.
#[test]
fn list_options_have_one_spelling_in_text_and_json() -> Result<(), Box<dyn std::error::Error>> {
    fn check<T: serde::Serialize + Copy + PartialEq + std::fmt::Debug>(
        all: &[T],
        text: fn(T) -> &'static str,
        parse: fn(&str) -> partnerdesk::Result<T>,
    ) -> Result<(), Box<dyn std::error::Error>> {
        for &v in all {
            assert_eq!(parse(text(v))?, v);
            assert_eq!(serde_json::to_string(&v)?, format!("\"{}\"", text(v)));
        }
        Ok(())
    }
    check(OrderScope::ALL, OrderScope::as_str, OrderScope::parse)?;
    check(ResourceSort::ALL, ResourceSort::as_str, ResourceSort::parse)?;
    check(SpendGroup::ALL, SpendGroup::as_str, SpendGroup::parse)?;
    assert_eq!(OrderScope::ALL.len(), 2);
    assert_eq!(SpendGroup::ALL.len(), 4);
    let err = SpendGroup::parse("Product").err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("invalid argument group: expected one of: record product day charging_mode")
    );
    Ok(())
}
