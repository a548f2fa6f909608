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
    Ok(())
}
