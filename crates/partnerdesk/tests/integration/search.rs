//! Search: criteria, combinators, sorting, paging, edge cases.

use crate::common::{all_by_cursor, naive};
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
use partnerdesk::{Result, demo};

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
];

#[test]
fn every_filter_agrees_with_the_naive_scan() -> Result<()> {
    let (desk, now) = demo::portfolio(3000, 11)?;
    for f in FILTERS {
        let q = Query::parse(f)?;
        for key in [
            SortKey::Name,
            SortKey::AccountName,
            SortKey::MonthToDate,
            SortKey::AssociatedAt,
            SortKey::NextExpiry,
            SortKey::Id,
        ] {
            for sort in [Sort::asc(key), Sort::desc(key)] {
                let want = naive(&desk, &q, sort, now);
                let page = desk.search_ids(&q, sort, &PageRequest::offset(0, 1000), now)?;
                assert_eq!(page.total, want.len(), "total of {f} {sort}");
                assert_eq!(
                    page.ids,
                    want.iter().take(1000).cloned().collect::<Vec<_>>(),
                    "{f} {sort}"
                );
                let by_cursor = all_by_cursor(&desk, &q, sort, now, 37)?;
                assert_eq!(by_cursor, want, "cursor paging of {f} {sort}");
            }
        }
    }
    Ok(())
}
