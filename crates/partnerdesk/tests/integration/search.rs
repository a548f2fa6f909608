//! Search: criteria, combinators, sorting, paging, edge cases.

use crate::common::same_as_naive;
use partnerdesk::query::{Query, Sort, SortKey};
use partnerdesk::{Decimal, Result, demo};

const FILTERS: &[&str] = &[
    "",
    "name~a",
    "name~科技",
    "account~acme",
    "manager=am_001",
    "manager~li",
    "has_manager=false",
    "mtd>=1000",
    "mtd>=*",
    "mtd>=* and not tag:vip",
    "mtd<100 and mtd>0",
    "expires<=7d",
    "expires<=30d and not tag:vip",
    "expires>=2027-01-01",
    "expires=none",
    "mobile~5678",
    "tag:vip or tag:gold",
    "tag all (vip, gold)",
    "assoc=referral",
    "associated>=2026-01-01",
    "frozen=true",
    "frozen=account_and_resources",
    "freeze_origin=budget",
    "budget>=80",
    "reseller=reseller-01",
    "level=V3",
    "not (assoc=reseller or mtd>500)",
    "name~acme and mtd>=1000 and (tag:vip or tag:gold) and expires<=7d",
    // Criteria lent from the index narrowing the candidates of a smaller one, in place.
    "tag in (vip, gold) and mobile~5",
    "manager=am_001 and (tag:vip or tag:gold)",
    "level=V3 and tag in (vip, gold, government) and assoc=reseller",
    "assoc=reseller and tag all (vip, gold) and frozen=false",
    "(tag:vip or level=V1) and manager=am_002 and expires<=30d",
    // The names' words (a needle of letters and digits) and the trigrams (any other).
    "name~cloud",
    "name~clo and tag in (vip, gold)",
    "name~\"oud te\"",
    "name~科技 or name~lab",
    "account~cloud",
];

#[test]
fn every_filter_agrees_with_the_naive_scan() -> Result<()> {
    let (desk, now) = demo::portfolio(3000, 11)?;
    for f in FILTERS {
        let q = Query::parse(f)?;
        for key in SortKey::ALL {
            for sort in [Sort::asc(key), Sort::desc(key)] {
                let checked = same_as_naive(&desk, &q, sort, now, 37);
                assert!(checked.is_ok(), "{checked:?}");
            }
        }
    }
    Ok(())
}

#[test]
fn keyed_paths_stay_right_through_changes() -> Result<()> {
    use partnerdesk::{ChargingMode, Money, OperatorId, SpendRecord};
    use proptest::prelude::Rng as _;
    use proptest::test_runner::{RngAlgorithm, TestRng};
    let (mut desk, now) = demo::portfolio(1500, 3)?;
    let ids: Vec<_> = desk.customers().map(|c| c.id.clone()).collect();
    let managers: Vec<OperatorId> = desk
        .operators()
        .filter(|o| o.account_manager)
        .map(|o| o.id.clone())
        .collect();
    // A fixed random walk: seeded, so every run takes the same steps.
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut below = |n: usize| (rng.next_u64() % n.max(1) as u64) as usize;
    for step in 0..600 {
        let id = &ids[below(ids.len())];
        if desk.customer(id).is_err() {
            continue;
        }
        match step % 4 {
            0 => {
                let m = if below(100) < 20 {
                    None
                } else {
                    Some(managers[below(managers.len())].clone())
                };
                desk.update_customer(id, |c| c.account_manager = m)?;
            }
            1 => {
                let day = desk.partner().billing_offset.day_of(now);
                let amount = Money::new(
                    Decimal::new(below(500_000) as i64 - 1000, 2),
                    desk.partner().currency,
                );
                desk.add_spend(
                    id,
                    SpendRecord {
                        day,
                        product: "ecs".into(),
                        amount,
                        mode: ChargingMode::PayPerUse,
                    },
                )?;
            }
            2 if below(100) < 10 => {
                desk.remove_customer(id)?;
            }
            _ => {
                desk.update_customer(id, |c| c.resources.clear())?;
            }
        }
    }
    for m in managers.iter().take(8) {
        for (filter, key) in [
            (
                format!("manager={m} and mtd>=10 and mtd<2000"),
                SortKey::MonthToDate,
            ),
            (format!("manager={m}"), SortKey::MonthToDate),
            ("expires<=20d".to_string(), SortKey::NextExpiry),
            (format!("expires<=60d and manager={m}"), SortKey::NextExpiry),
        ] {
            let q = Query::parse(&filter)?;
            for sort in [Sort::asc(key), Sort::desc(key)] {
                let checked = same_as_naive(&desk, &q, sort, now, 7);
                assert!(checked.is_ok(), "{checked:?}");
            }
        }
    }
    // Pages by id: ranked while the id order waits for the removals above, then read from
    // the order once an export has brought it up to date (freed slots gone from it).
    for refreshed in [false, true] {
        if refreshed {
            let admin = partnerdesk::Invocation::new(
                partnerdesk::access::Actor::Operator(OperatorId::new("admin")?),
                now,
            );
            let all = partnerdesk::export::ExportRequest::csv(
                partnerdesk::export::ExportSelection::all(),
            );
            desk.export(&admin, &all, std::io::sink(), |_| {
                std::ops::ControlFlow::Continue(())
            })?;
        }
        for f in ["", "mtd>=10", "tag:vip or tag:gold", "assoc=referral"] {
            let q = Query::parse(f)?;
            for sort in [Sort::asc(SortKey::Id), Sort::desc(SortKey::Id)] {
                let checked = same_as_naive(&desk, &q, sort, now, 7);
                assert!(checked.is_ok(), "{refreshed} {checked:?}");
            }
        }
    }
    Ok(())
}

/// The "expires within N days, soonest first" path counts each customer once, at the entry
/// that is its next expiry, told from the day of the customer's previous expiry that each
/// entry carries (or, when that day is `now`'s own, from the customer's expiries) and from the
/// association it carries. Changed at random: expiries bunched around `now` (many customers
/// with several expiries on `now`'s day and the days beside it), resources removed,
/// associations ended and begun again, customers removed; then checked against the naive scan
/// at several instants of the same days, both directions, with and without disassociated
/// customers and with a second criterion.
#[test]
fn next_expiry_path_stays_right_through_changes() -> Result<()> {
    use chrono::{Duration, Timelike};
    use partnerdesk::resource::{ExpiryPolicy, Resource, ResourceKind, ResourceStatus};
    use partnerdesk::{ResourceId, Tag};
    use proptest::prelude::Rng as _;
    use proptest::test_runner::{RngAlgorithm, TestRng};
    let (mut desk, now) = demo::portfolio(1200, 5)?;
    let vip = Tag::new("vip")?;
    let ids: Vec<_> = desk.customers().map(|c| c.id.clone()).collect();
    let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut below = |n: u64| rng.next_u64() % n.max(1);
    let midnight = now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
    for step in 0..900u64 {
        let id = &ids[below(ids.len() as u64) as usize];
        if desk.customer(id).is_err() {
            continue;
        }
        let minutes = below(6 * 24 * 60) as i64 - 3 * 24 * 60;
        let expires = midnight + Duration::minutes(minutes);
        match step % 6 {
            0 | 1 => {
                let rid = ResourceId::new(format!("x{step}"))?;
                desk.update_customer(id, |c| {
                    c.resources.push(Resource {
                        id: rid,
                        kind: ResourceKind::YearlyMonthly,
                        service: "ecs".into(),
                        region: "cn-north-4".into(),
                        name: format!("x-{step}"),
                        status: ResourceStatus::Active,
                        starts_at: c.association.since,
                        expires_at: Some(expires.max(c.association.since)),
                        expiry_policy: ExpiryPolicy::Manual,
                    });
                })?
            }
            2 => desk.update_customer(id, |c| {
                c.resources.edit(Vec::pop);
            })?,
            3 => desk.update_customer(id, |c| {
                c.association.ended = match c.association.ended {
                    Some(_) => None,
                    None => Some(now),
                };
            })?,
            4 if below(100) < 15 => {
                desk.remove_customer(id)?;
            }
            _ => desk.update_customer(id, |c| {
                c.tags.insert(vip.clone());
            })?,
        };
    }
    let instants = [
        now,
        midnight,
        midnight + Duration::hours(7),
        midnight + Duration::days(1) - Duration::nanoseconds(1),
        now - Duration::hours(30),
        now.with_nanosecond(0).unwrap_or(now) + Duration::days(2),
    ];
    let mut counted = 0;
    for at in instants {
        for filter in [
            "expires<=0d",
            "expires<=1d",
            "expires<=3d",
            "expires<=2d and tag:vip",
        ] {
            for all in [false, true] {
                let q = Query::parse(filter)?.including_disassociated(all);
                for sort in [
                    Sort::asc(SortKey::NextExpiry),
                    Sort::desc(SortKey::NextExpiry),
                ] {
                    let checked = same_as_naive(&desk, &q, sort, at, 9);
                    assert!(checked.is_ok(), "at {at}: {checked:?}");
                    counted += checked.map_or(0, |w| w.len());
                }
            }
        }
    }
    // The walk reaches customers with several expiries around `now` (it is not checking
    // empty answers).
    assert!(counted > 2000, "{counted}");
    Ok(())
}

/// A page's rows are each the customer's own row (`customer_row`, built alone): no row of a
/// page carries another customer's value (its account manager's name included, which no test
/// held before), with the manager's name shown (the default) and masked.
#[test]
fn page_rows_equal_each_customers_own_row() -> Result<()> {
    use partnerdesk::privacy::{MaskRule, SensitiveField};
    use partnerdesk::query::PageRequest;
    let (mut desk, now) = demo::portfolio(2000, 5)?;
    for masked in [false, true] {
        if masked {
            let mut policy = desk.row_policy().clone();
            policy.set(SensitiveField::ManagerName, MaskRule::Default)?;
            desk.set_row_policy(policy)?;
        }
        let page = desk.search(
            &Query::all(),
            Sort::asc(SortKey::Id),
            &PageRequest::first(1000),
            now,
        )?;
        assert_eq!(page.rows.len(), 1000);
        let mut managers = std::collections::BTreeSet::new();
        for row in &page.rows {
            assert_eq!(row, &desk.customer_row(&row.id, now)?);
            if let Some(m) = &row.account_manager {
                let name = desk.operator(m)?.name.expose().clone();
                let shown = row.account_manager_name.clone().unwrap_or_default();
                assert_eq!(shown == name, !masked, "{masked}");
                managers.insert(m.clone());
            }
        }
        assert!(managers.len() >= 3, "{} managers", managers.len());
    }
    Ok(())
}
