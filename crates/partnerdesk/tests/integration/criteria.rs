//! Every criterion, combinator, sort key and paging mode on a small hand-made desk.

use crate::fixtures::{now, small_desk};
use partnerdesk::query::*;
use partnerdesk::{Error, Result};

fn ids(filter: &str) -> Result<Vec<String>> {
    let desk = small_desk()?;
    let page = desk.search_ids(
        &Query::parse(filter)?,
        Sort::asc(SortKey::Id),
        &PageRequest::offset(0, 100),
        now(),
    )?;
    Ok(page.ids.iter().map(|i| i.to_string()).collect())
}

fn check(filter: &str, want: &[&str]) -> Result<()> {
    assert_eq!(ids(filter)?, want, "filter {filter:?}");
    Ok(())
}

#[test]
fn names_match_case_insensitively_by_substring() -> Result<()> {
    check("name~acme", &["c1"])?; // c4 is disassociated
    check("name~ACME", &["c1"])?;
    check("name~cloud", &["c1"])?;
    check("name~张", &["c2"])?;
    check("name~söhne", &["c5"])?;
    check("name~SÖHNE", &["c5"])?;
    check("name~иван", &["c6"])?;
    check("name=\"globex corp\"", &["c3"])?;
    check("name=globex", &[])?;
    check("account~cloud", &["c1", "c2"])?;
    check("account=zs_cloud", &["c2"])
}

#[test]
fn ids_managers_and_mobiles() -> Result<()> {
    check("id=c3", &["c3"])?;
    check("id=nope", &[])?;
    check("manager=am_li", &["c1"])?;
    check("manager~WANG", &["c2"])?;
    check("managername=\"li na\"", &["c1"])?;
    check("has_manager=false", &["c3", "c5", "c6"])?;
    check("mobile=13812345678", &["c1"])?;
    check("mobile~5678", &["c1", "c2"])?;
    check("mobile~05678", &["c2"])?;
    check("mobile=5678", &[])
}

#[test]
fn spend_ranges_are_inclusive_exclusive_or_open() -> Result<()> {
    check("mtd>=1500.5", &["c1", "c2"])?;
    check("mtd>1500.5", &[])?;
    check("mtd=1500.50", &["c1", "c2"])?;
    check("mtd<=0", &["c3", "c5", "c6"])?;
    check("mtd<0", &[])?;
    check("mtd!=0", &["c1", "c2"])?;
    check("mtd>0 and mtd<2000", &["c1", "c2"])
}

#[test]
fn expiry_criteria() -> Result<()> {
    check("expires<=7d", &["c1"])?;
    check("expires<=30d", &["c1", "c2"])?;
    check("expires<=0d", &[])?;
    check("expires=none", &["c3", "c5", "c6"])?;
    // c2's expired resource (3 days ago) does not count; its next expiry is in 20 days.
    check("expires>=2026-12-01", &["c2"])?;
    check("expires<2026-12-01", &["c1"])
}

#[test]
fn tags_association_freeze_budget_reseller_level() -> Result<()> {
    check("tag:vip", &["c1", "c2"])?;
    check("tag all (vip, gold)", &["c2"])?;
    check("tag in (gold, nope)", &["c2"])?;
    check("tag:VIP", &[])?; // tags are case-sensitive, like Huawei's label
    check("assoc=reseller", &["c2"])?;
    check("associated>=2026-11-01", &["c3"])?;
    check("frozen=true", &["c2"])?;
    check("frozen=false", &["c1", "c3", "c5", "c6"])?;
    check("frozen=account_and_resources", &["c2"])?;
    check("frozen=account", &[])?;
    check("freeze_origin=manual", &["c2"])?;
    check("budget>=75", &["c2"])?; // 1500.5 of 2000 = 75.03%
    check("budget>76", &[])?;
    check("reseller=res-1", &["c2"])?;
    check("level=v3", &["c1", "c3"])
}

#[test]
fn combinators_group_and_negate() -> Result<()> {
    check("tag:vip and not frozen=true", &["c1"])?;
    check("not tag:vip", &["c3", "c5", "c6"])?;
    check("tag:gold or level=V3", &["c1", "c2", "c3"])?;
    check("(tag:gold or level=V3) and mtd>0", &["c1", "c2"])?;
    check("not (tag:gold or level=V3)", &["c5", "c6"])?;
    check("*", &["c1", "c2", "c3", "c5", "c6"])?;
    check("not *", &[])?;
    check("", &["c1", "c2", "c3", "c5", "c6"])
}

#[test]
fn disassociated_only_when_asked() -> Result<()> {
    let desk = small_desk()?;
    let q = Query::parse("name~acme")?.including_disassociated(true);
    let page = desk.search_ids(&q, Sort::asc(SortKey::Id), &PageRequest::first(10), now())?;
    assert_eq!(
        page.ids.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
        ["c1", "c4"]
    );
    let row = desk.customer_row(&partnerdesk::CustomerId::new("c4")?, now())?;
    assert!(row.disassociated_at.is_some());
    Ok(())
}

#[test]
fn sorting_ties_break_on_id_in_both_directions() -> Result<()> {
    let desk = small_desk()?;
    let q = Query::all();
    let order = |sort: Sort| -> Result<Vec<String>> {
        Ok(desk
            .search_ids(&q, sort, &PageRequest::first(100), now())?
            .ids
            .iter()
            .map(|i| i.to_string())
            .collect())
    };
    // c1 and c2 tie on 1500.5; c3, c5 tie on 0 (no spend) with c6 (a zero record).
    assert_eq!(
        order(Sort::desc(SortKey::MonthToDate))?,
        ["c1", "c2", "c3", "c5", "c6"]
    );
    assert_eq!(
        order(Sort::asc(SortKey::MonthToDate))?,
        ["c3", "c5", "c6", "c1", "c2"]
    );
    assert_eq!(
        order(Sort::asc(SortKey::Name))?,
        ["c1", "c3", "c5", "c6", "c2"]
    );
    assert_eq!(
        order(Sort::asc(SortKey::AccountName))?,
        ["c1", "c3", "c6", "c5", "c2"]
    );
    assert_eq!(
        order(Sort::desc(SortKey::Id))?,
        ["c6", "c5", "c3", "c2", "c1"]
    );
    // No upcoming expiry sorts last in both directions.
    assert_eq!(
        order(Sort::asc(SortKey::NextExpiry))?,
        ["c1", "c2", "c3", "c5", "c6"]
    );
    assert_eq!(
        order(Sort::desc(SortKey::NextExpiry))?,
        ["c2", "c1", "c3", "c5", "c6"]
    );
    assert_eq!(order(Sort::desc(SortKey::AssociatedAt))?[0], "c3");
    Ok(())
}

#[test]
fn offset_and_cursor_paging() -> Result<()> {
    let desk = small_desk()?;
    let q = Query::all();
    let sort = Sort::asc(SortKey::Id);
    let p = desk.search_ids(&q, sort, &PageRequest::offset(3, 2), now())?;
    assert_eq!((p.ids.len(), p.total), (2, 5));
    assert_eq!(p.ids[0].as_str(), "c5");
    assert!(
        desk.search_ids(&q, sort, &PageRequest::offset(50, 2), now())?
            .ids
            .is_empty()
    );

    let first = desk.search_ids(&q, sort, &PageRequest::first(2), now())?;
    let cursor = first.next_cursor.clone().ok_or(Error::InvalidCursor)?;
    let second = desk.search_ids(&q, sort, &PageRequest::after(cursor.clone(), 2), now())?;
    assert_eq!(
        second.ids.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
        ["c3", "c5"]
    );
    let third = desk.search_ids(
        &q,
        sort,
        &PageRequest::after(second.next_cursor.clone().ok_or(Error::InvalidCursor)?, 2),
        now(),
    )?;
    assert_eq!(third.ids.len(), 1);
    assert_eq!(third.next_cursor, None);

    // A cursor of another query or sort is refused; a tampered one is invalid.
    let other = Query::parse("tag:vip")?;
    let err = desk
        .search_ids(&other, sort, &PageRequest::after(cursor.clone(), 2), now())
        .err();
    assert_eq!(err.map(|e| e.code()), Some("CURSOR_MISMATCH"));
    let err = desk
        .search_ids(
            &q,
            Sort::desc(SortKey::Id),
            &PageRequest::after(cursor.clone(), 2),
            now(),
        )
        .err();
    assert_eq!(err.map(|e| e.code()), Some("CURSOR_MISMATCH"));
    let mut bad = cursor.clone();
    bad.replace_range(2..3, if &cursor[2..3] == "0" { "1" } else { "0" });
    let err = desk
        .search_ids(&q, sort, &PageRequest::after(bad, 2), now())
        .err();
    assert_eq!(err.map(|e| e.code()), Some("INVALID_CURSOR"));
    let err = desk
        .search_ids(&q, sort, &PageRequest::after("garbage", 2), now())
        .err();
    assert_eq!(err.map(|e| e.code()), Some("INVALID_CURSOR"));
    Ok(())
}

#[test]
fn limits_are_checked() -> Result<()> {
    let desk = small_desk()?;
    let q = Query::all();
    for limit in [0, MAX_PAGE_LIMIT + 1] {
        let err = desk
            .search(&q, Sort::default(), &PageRequest::first(limit), now())
            .err();
        assert_eq!(err.map(|e| e.code()), Some("INVALID_PAGE"));
    }
    assert_eq!(
        desk.search(
            &q,
            Sort::default(),
            &PageRequest::first(MAX_PAGE_LIMIT),
            now()
        )?
        .rows
        .len(),
        5
    );
    Ok(())
}

#[test]
fn empty_portfolio_and_no_match() -> Result<()> {
    let desk = partnerdesk::Desk::new(crate::fixtures::partner()?, now());
    let page = desk.search(
        &Query::parse("name~x or mtd>=0")?,
        Sort::default(),
        &PageRequest::first(10),
        now(),
    )?;
    assert_eq!(
        (page.rows.len(), page.total, page.next_cursor),
        (0, 0, None)
    );
    assert!(ids("name~does-not-exist")?.is_empty());
    Ok(())
}

#[test]
fn rows_are_masked() -> Result<()> {
    let desk = small_desk()?;
    let page = desk.search(
        &Query::parse("id=c1 or id=c2 or id=c6")?,
        Sort::asc(SortKey::Id),
        &PageRequest::first(10),
        now(),
    )?;
    let r = &page.rows;
    assert_eq!(r[0].name, "A***");
    assert_eq!(r[0].mobile.as_deref(), Some("+86 138****5678"));
    assert_eq!(r[1].name, "张***");
    assert_eq!(r[2].email.as_deref(), Some("i***@example.com"));
    assert_eq!(r[0].month_to_date.to_string(), "1500.50 USD");
    assert_eq!(r[0].last_month.to_string(), "99.00 USD");
    assert_eq!(
        r[1].budget.as_ref().map(|b| b.percent.to_string()),
        Some("75.03".into())
    );
    let debug = format!("{page:?}");
    for raw in ["Acme Cloud", "张三", "13812345678", "ivan@example.com"] {
        assert!(!debug.contains(raw), "{raw} leaked in Debug");
    }
    Ok(())
}

#[test]
fn indexes_follow_changes_and_removals() -> Result<()> {
    let mut desk = small_desk()?;
    let id = partnerdesk::CustomerId::new("c5")?;
    let q = Query::parse("tag:vip and manager=am_li and name~sohne")?;
    assert_eq!(desk.count(&q, now()), 0);
    desk.update_customer(&id, |c| -> Result<()> {
        c.tags.insert(partnerdesk::Tag::new("vip")?);
        c.account_manager = Some(partnerdesk::OperatorId::new("am_li")?);
        c.name = partnerdesk::privacy::Personal::new("Mueller Sohne");
        Ok(())
    })??;
    assert_eq!(desk.count(&q, now()), 1);
    // An invalid change is refused and changes nothing.
    let err = desk
        .update_customer(&id, |c| {
            c.account_manager =
                Some(partnerdesk::OperatorId::new("ghost").unwrap_or_else(|_| unreachable!()))
        })
        .err();
    assert_eq!(err.map(|e| e.code()), Some("INVALID_ARGUMENT"));
    assert_eq!(desk.count(&q, now()), 1);
    desk.add_spend(
        &id,
        partnerdesk::SpendRecord {
            day: crate::fixtures::day(2026, 11, 5),
            product: "obs".into(),
            amount: crate::fixtures::money("7.25")?,
            mode: partnerdesk::ChargingMode::PayPerUse,
        },
    )?;
    assert_eq!(desk.count(&Query::parse("mtd=7.25")?, now()), 1);
    desk.remove_customer(&id)?;
    assert_eq!(desk.count(&q, now()), 0);
    assert_eq!(desk.count(&Query::parse("mtd=7.25")?, now()), 0);
    assert_eq!(
        desk.customer(&id).err().map(|e| e.code()),
        Some("CUSTOMER_NOT_FOUND")
    );
    Ok(())
}

#[test]
fn a_search_in_another_month_is_still_right() -> Result<()> {
    let mut desk = small_desk()?;
    let later = now() + chrono::Duration::days(20); // December
    assert_eq!(desk.count(&Query::parse("mtd>0")?, later), 0);
    let last = desk.search(
        &Query::parse("id=c1")?,
        Sort::default(),
        &PageRequest::first(1),
        later,
    )?;
    assert_eq!(last.rows[0].last_month.to_string(), "1500.50 USD");
    desk.roll_to(later)?;
    assert_eq!(desk.count(&Query::parse("mtd>0")?, later), 0);
    assert_eq!(desk.count(&Query::parse("mtd>0")?, now()), 2);
    Ok(())
}

#[test]
fn bad_money_ids_and_dates_are_typed_errors_and_change_nothing() -> Result<()> {
    use partnerdesk::{ChargingMode, Currency, CustomerId, Money, SpendRecord};
    let mut desk = small_desk()?;
    let id = CustomerId::new("c1")?;
    let before = desk.customer(&id)?.clone();
    let record = |amount: &str, currency: Currency| -> Result<SpendRecord> {
        Ok(SpendRecord {
            day: crate::fixtures::day(2026, 11, 4),
            product: "ecs".into(),
            amount: Money::new(
                partnerdesk::money::parse_amount("amount", amount)?,
                currency,
            ),
            mode: ChargingMode::PayPerUse,
        })
    };
    let code = |r: Result<()>| r.err().map(|e| e.code());
    assert_eq!(
        code(desk.add_spend(&id, record("1.123456789", Currency::USD)?)),
        Some("INVALID_MONEY")
    );
    assert_eq!(
        code(desk.add_spend(&id, record("1000000000000000.01", Currency::USD)?)),
        Some("INVALID_MONEY")
    );
    assert_eq!(
        code(desk.add_spend(&id, record("1", Currency::CNY)?)),
        Some("CURRENCY_MISMATCH")
    );
    assert_eq!(
        code(desk.add_spend(&CustomerId::new("nobody")?, record("1", Currency::USD)?)),
        Some("CUSTOMER_NOT_FOUND")
    );
    assert_eq!(desk.customer(&id)?, &before);
    assert_eq!(
        partnerdesk::money::parse_amount("x", "12,5")
            .err()
            .map(|e| e.code()),
        Some("INVALID_MONEY")
    );
    assert_eq!(
        CustomerId::new("").err().map(|e| e.code()),
        Some("INVALID_ID")
    );
    assert_eq!(
        CustomerId::new("x".repeat(65)).err().map(|e| e.code()),
        Some("INVALID_ID")
    );
    assert_eq!(
        partnerdesk::Tag::new("\u{7}bell").err().map(|e| e.code()),
        Some("INVALID_ID")
    );
    assert_eq!(
        "2026-00"
            .parse::<partnerdesk::YearMonth>()
            .err()
            .map(|e| e.code()),
        Some("INVALID_DATE")
    );
    assert_eq!(
        Query::parse("associated>=2026-02-30")
            .err()
            .map(|e| e.code()),
        Some("FILTER_SYNTAX")
    );
    assert_eq!(
        Query::parse("mtd>=1e5").err().map(|e| e.code()),
        Some("FILTER_SYNTAX")
    );
    assert_eq!(
        SortKey::parse("bogus").err().map(|e| e.code()),
        Some("INVALID_ARGUMENT")
    );
    // A duplicate id is refused and the desk keeps the first.
    let dup = crate::fixtures::customer("c1", "other", "Other")?;
    assert_eq!(
        desk.insert_customer(dup).err().map(|e| e.code()),
        Some("DUPLICATE_CUSTOMER")
    );
    assert_eq!(desk.customer(&id)?, &before);
    Ok(())
}
