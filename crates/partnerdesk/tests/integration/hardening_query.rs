//! Issue #13, items 1, 2, 4, 5 and 6 (queries, days and instants, cursors, amounts, blank
//! text): each attack gives its typed error and changes nothing.

use crate::fixtures::{now, small_desk};
use crate::ops_fixture::{desk, op};
use chrono::{DateTime, Duration, Utc};
use partnerdesk::query::*;
use partnerdesk::search::CursorKey;
use partnerdesk::{Desk, Error, Result};

fn code<T>(r: Result<T>) -> Option<&'static str> {
    r.err().map(|e| e.code())
}

fn all_ids(desk: &Desk, q: &Query) -> Result<Vec<String>> {
    let page = desk.search_ids(
        q,
        Sort::asc(SortKey::Id),
        &PageRequest::offset(0, 1000),
        now(),
    )?;
    Ok(page.ids.iter().map(|i| i.to_string()).collect())
}

// ---- item 1: depth and width -------------------------------------------------------------

#[test]
fn builders_refuse_a_query_deeper_than_the_grammar_allows() -> Result<()> {
    let desk = small_desk()?;
    let mut e = Expr::criterion(Criterion::HasManager(true))?;
    let mut refused = 0;
    // 10,000 `not`s, as in the issue: the first MAX_DEPTH build, every later one is refused
    // and leaves the query as it was.
    for _ in 0..10_000 {
        match e.clone().not() {
            Ok(next) => e = next,
            Err(Error::QueryTooComplex { what, max }) => {
                assert_eq!((what.as_str(), max), ("levels of nesting", MAX_DEPTH));
                refused += 1;
            }
            Err(other) => return Err(other),
        }
    }
    assert_eq!(refused, 10_000 - MAX_DEPTH);
    assert_eq!(e.depth(), MAX_DEPTH);
    // The deepest query counts, displays, parses back and drops.
    let q = Query::new(e.clone());
    let text = q.to_string();
    assert_eq!(Query::parse(&text)?, q);
    assert_eq!(
        desk.count(&q, now()),
        desk.count(&Query::parse("has_manager=true")?, now())
    );
    // `and`/`or` obey the same limit (MAX_DEPTH `not`s under an `and` is one level too many).
    let leaf = Expr::criterion(Criterion::HasManager(false))?;
    assert_eq!(code(e.clone().and(leaf.clone())), Some("QUERY_TOO_COMPLEX"));
    assert_eq!(code(e.clone().or(leaf.clone())), Some("QUERY_TOO_COMPLEX"));
    assert_eq!(
        code(Query::new(e.clone()).and(leaf.clone())),
        Some("QUERY_TOO_COMPLEX")
    );
    assert_eq!(
        code(Expr::all_of(vec![e.clone()])),
        Some("QUERY_TOO_COMPLEX")
    );
    drop(q);
    Ok(())
}

#[test]
fn builders_refuse_a_query_wider_than_the_limit() -> Result<()> {
    let leaf = Expr::criterion(Criterion::HasManager(true))?;
    let mut e = leaf.clone();
    let mut built = 1;
    loop {
        match e.clone().or(leaf.clone()) {
            Ok(next) => {
                e = next;
                built += 1;
            }
            Err(Error::QueryTooComplex { what, max }) => {
                assert_eq!((what.as_str(), max), ("criteria", MAX_CRITERIA));
                break;
            }
            Err(other) => return Err(other),
        }
        assert!(built <= MAX_CRITERIA, "never refused");
    }
    // One `or` node and its leaves: exactly the limit.
    assert_eq!(e.size(), MAX_CRITERIA);
    assert_eq!(
        code(Expr::any_of(vec![leaf; MAX_CRITERIA])),
        Some("QUERY_TOO_COMPLEX")
    );
    // The text grammar has the same limit and the same error.
    assert_eq!(
        code(Query::parse(&vec!["*"; MAX_CRITERIA].join(" or "))),
        Some("QUERY_TOO_COMPLEX")
    );
    assert!(Query::parse(&vec!["*"; MAX_CRITERIA - 1].join(" or ")).is_ok());
    Ok(())
}

#[test]
fn building_a_deep_query_is_linear() -> Result<()> {
    // Cloning shares the tree: a million clones and `not`s of the deepest query are cheap.
    let mut e = Expr::criterion(Criterion::HasManager(true))?;
    for _ in 0..MAX_DEPTH - 1 {
        e = e.not()?;
    }
    let start = std::time::Instant::now();
    for _ in 0..1_000_000 {
        let next = e.clone().not()?;
        assert_eq!(next.depth(), MAX_DEPTH);
    }
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    Ok(())
}

// ---- item 2: day counts and instants -----------------------------------------------------

#[test]
fn day_counts_and_instants_out_of_bounds_are_typed_errors() -> Result<()> {
    let desk = small_desk()?;
    let before = desk.to_snapshot_json()?;
    let q = Query::parse("mtd>=0")?;
    let first = PageRequest::first(10);
    for at in [DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC] {
        let e = desk.search(&q, Sort::default(), &first, at).err();
        assert!(
            matches!(e, Some(Error::InvalidDate { ref field, .. }) if field == "now"),
            "{e:?}"
        );
        assert_eq!(
            code(desk.search_ids(&q, Sort::default(), &first, at)),
            Some("INVALID_DATE")
        );
        // Counting at such a time does not panic either (it has no error to give).
        let _ = desk.count(&Query::parse("expires<=36500d")?, at);
        let _ = crate::common::select_all(
            &desk,
            &Query::parse("expires<=36500d")?,
            Sort::default(),
            at,
        );
    }
    let within = Expr::criterion(Criterion::NextExpiry(ExpiryFilter::WithinDays(100_000_000)));
    assert!(
        matches!(within, Err(Error::InvalidArgument { ref field, .. }) if field == "expires_within")
    );
    assert_eq!(
        code(Expr::criterion(Criterion::AssociatedAt(Range::at_least(
            DateTime::<Utc>::MIN_UTC
        )))),
        Some("INVALID_DATE")
    );
    assert_eq!(
        code(Expr::criterion(Criterion::NextExpiry(
            ExpiryFilter::Between(Range::at_most(DateTime::<Utc>::MAX_UTC))
        ))),
        Some("INVALID_DATE")
    );
    assert_eq!(desk.to_snapshot_json()?, before);

    let mut d = desk_with_resources()?;
    let before = d.to_snapshot_json()?;
    let viewer = op("viewer");
    let renew = d
        .resources_to_renew(&viewer, None, 100_000_000, now())
        .err();
    assert!(matches!(renew, Some(Error::InvalidArgument { ref field, .. }) if field == "days"));
    assert_eq!(
        code(d.resources_to_renew(&viewer, None, 30, DateTime::<Utc>::MAX_UTC)),
        Some("INVALID_DATE")
    );
    assert_eq!(
        code(d.spend_summary(&viewer, None, DateTime::<Utc>::MIN_UTC)),
        Some("INVALID_DATE")
    );
    assert_eq!(
        code(d.pending_releases(&viewer, DateTime::<Utc>::MAX_UTC)),
        Some("INVALID_DATE")
    );
    assert_eq!(
        code(d.evaluate_budgets(DateTime::<Utc>::MAX_UTC)),
        Some("INVALID_DATE")
    );
    assert_eq!(
        code(d.expire_authorizations(DateTime::<Utc>::MIN_UTC)),
        Some("INVALID_DATE")
    );
    assert_eq!(d.to_snapshot_json()?, before);
    assert_eq!(
        d.resources_to_renew(&viewer, None, partnerdesk::calendar::MAX_DAYS, now())?
            .len(),
        1
    );
    Ok(())
}

fn desk_with_resources() -> Result<Desk> {
    use partnerdesk::resource::*;
    let mut d = desk()?;
    let r1 = partnerdesk::CustomerId::new("r1")?;
    d.update_customer(&r1, |c| {
        c.resources.push(Resource {
            id: partnerdesk::ResourceId::new("res-far").unwrap_or_else(|_| unreachable!()),
            kind: ResourceKind::YearlyMonthly,
            service: "ecs".into(),
            region: "cn-north-4".into(),
            name: "vm".into(),
            status: ResourceStatus::Active,
            starts_at: now() - Duration::days(3),
            expires_at: Some(now() + Duration::days(20_000)),
            expiry_policy: ExpiryPolicy::Manual,
        });
    })?;
    Ok(d)
}

#[test]
fn snapshots_and_customers_with_times_out_of_range_are_refused() -> Result<()> {
    let mut d = desk_with_resources()?;
    let json = d.to_snapshot_json()?;
    let far = json.replacen(
        "\"starts_at\":\"",
        "\"starts_at\":\"+262000-01-01T00:00:00Z\",\"x\":\"",
        1,
    );
    assert_ne!(far, json);
    let e = Desk::from_snapshot_json(&far).err();
    assert!(
        matches!(e, Some(Error::InvalidSnapshot { ref field, .. }) if field.ends_with("starts_at")),
        "{e:?}"
    );
    let r1 = partnerdesk::CustomerId::new("r1")?;
    let before = d.to_snapshot_json()?;
    let e = d.update_customer(&r1, |c| c.association.since = DateTime::<Utc>::MIN_UTC);
    assert!(e.is_err());
    assert_eq!(d.to_snapshot_json()?, before);
    Ok(())
}

// ---- item 4: cursors ---------------------------------------------------------------------

#[test]
fn cursors_are_authenticated() -> Result<()> {
    let desk = small_desk()?;
    let q = Query::parse("*")?.including_disassociated(true);
    let sort = Sort::asc(SortKey::Id);
    let first = desk.search_ids(&q, sort, &PageRequest::first(2), now())?;
    let cursor = first.next_cursor.clone().ok_or(Error::InvalidCursor)?;
    let second = desk.search_ids(&q, sort, &PageRequest::after(cursor.clone(), 2), now())?;
    let (payload, mac) = cursor.rsplit_once('.').ok_or(Error::InvalidCursor)?;
    assert_eq!(mac.len(), 64);
    let parts: Vec<&str> = payload.split('.').collect();
    assert_eq!(parts.len(), 4);
    let refused = |c: String| code(desk.search_ids(&q, sort, &PageRequest::after(c, 2), now()));
    // Position usize::MAX, re-signed the old way (FNV) or not at all: refused.
    let forged = format!("{}.{}.{:x}.{}", parts[0], parts[1], usize::MAX, parts[3]);
    assert_eq!(refused(format!("{forged}.{mac}")), Some("INVALID_CURSOR"));
    assert_eq!(
        refused(format!("{forged}.00000000")),
        Some("INVALID_CURSOR")
    );
    // Every single character edited, the MAC truncated or extended, garbage.
    for i in 0..cursor.len() {
        let mut bad = cursor.clone().into_bytes();
        bad[i] = if bad[i] == b'0' { b'1' } else { b'0' };
        let bad = String::from_utf8(bad).map_err(|_| Error::InvalidCursor)?;
        if bad != cursor {
            assert_eq!(refused(bad), Some("INVALID_CURSOR"), "edit at {i}");
        }
    }
    assert_eq!(
        refused(cursor[..cursor.len() - 1].to_owned()),
        Some("INVALID_CURSOR")
    );
    assert_eq!(refused(format!("{cursor}0")), Some("INVALID_CURSOR"));
    assert_eq!(refused(String::new()), Some("INVALID_CURSOR"));
    assert_eq!(refused("é.é".into()), Some("INVALID_CURSOR"));
    // Another desk (another key) refuses it; a snapshot keeps the key, so a reload accepts it.
    let mut other = small_desk()?;
    assert_eq!(
        code(other.search_ids(&q, sort, &PageRequest::after(cursor.clone(), 2), now())),
        Some("INVALID_CURSOR")
    );
    let reloaded = Desk::from_snapshot_json(&desk.to_snapshot_json()?)?;
    assert_eq!(
        reloaded.search_ids(&q, sort, &PageRequest::after(cursor.clone(), 2), now())?,
        second
    );
    // Desks given the same secret share cursors.
    let key = CursorKey::from_secret(b"a shared secret of 32 bytes.....")?;
    let mut mine = small_desk()?;
    mine.set_cursor_key(key.clone());
    other.set_cursor_key(key);
    let c = mine
        .search_ids(&q, sort, &PageRequest::first(2), now())?
        .next_cursor
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(
        other
            .search_ids(&q, sort, &PageRequest::after(c, 2), now())?
            .ids,
        second.ids
    );
    // A MAC byte written with a sign ("+4" for "04") is not hex: refused (found by the cursor
    // fuzz target, docs/fuzzing.md F7). The key is fixed, so the cursors tried are too.
    let mut tried = 0;
    for limit in 1..=6 {
        let Some(c) = mine
            .search_ids(&q, sort, &PageRequest::first(limit), now())?
            .next_cursor
        else {
            continue;
        };
        let (payload, mac) = c.rsplit_once('.').ok_or(Error::InvalidCursor)?;
        for i in (0..mac.len())
            .step_by(2)
            .filter(|i| mac.as_bytes()[*i] == b'0')
        {
            let signed = format!("{payload}.{}+{}", &mac[..i], &mac[i + 1..]);
            let got = code(mine.search_ids(&q, sort, &PageRequest::after(signed, limit), now()));
            assert_eq!(got, Some("INVALID_CURSOR"), "limit {limit}, sign at {i}");
            tried += 1;
        }
    }
    assert!(tried > 0, "no MAC byte below 0x10 among the cursors tried");
    // A genuine cursor of another query is a mismatch, not a forgery.
    assert_eq!(
        code(desk.search_ids(
            &Query::parse("tag:vip")?,
            sort,
            &PageRequest::after(cursor.clone(), 2),
            now()
        )),
        Some("CURSOR_MISMATCH")
    );
    // The key is in no row and no Debug output.
    assert!(!format!("{desk:?}").contains(&mac[..16]));
    Ok(())
}

#[test]
fn huge_offsets_do_not_overflow() -> Result<()> {
    let desk = small_desk()?;
    let q = Query::all();
    let page = desk.search_ids(
        &q,
        Sort::default(),
        &PageRequest::offset(usize::MAX, 5),
        now(),
    )?;
    assert!(page.ids.is_empty());
    assert_eq!(page.next_cursor, None);
    Ok(())
}

// ---- item 5: over-precise amounts --------------------------------------------------------

#[test]
fn over_precise_amounts_are_refused_never_rounded() -> Result<()> {
    let desk = small_desk()?;
    let tiny = Query::parse("mtd>=0.0000000000000000000000000000001").err();
    assert!(
        matches!(tiny, Some(Error::FilterSyntax { position: 5, .. })),
        "{tiny:?}"
    );
    assert_eq!(
        code(Query::parse("budget>=0.000000001")),
        Some("FILTER_SYNTAX")
    );
    let e = parse_amount_bound("mtd", "0.0000000000000000000000000000001").err();
    assert!(matches!(e, Some(Error::InvalidMoney { ref field, .. }) if field == "mtd"));
    assert_eq!(
        code(parse_amount_bound("mtd", "1E-31")),
        Some("INVALID_MONEY")
    );
    assert_eq!(
        code(parse_amount_bound("mtd", "NaN")),
        Some("INVALID_MONEY")
    );
    assert_eq!(
        parse_amount_bound("mtd", "1.5000000000000000000000000000000")?,
        rust_decimal::Decimal::new(15, 1)
    );
    // A Decimal built in Rust with more than 8 places is refused by the builder too.
    let fine = rust_decimal::Decimal::new(1, 9);
    assert_eq!(
        code(Expr::criterion(Criterion::MonthToDate(Range::at_least(
            fine
        )))),
        Some("INVALID_MONEY")
    );
    assert_eq!(
        code(Expr::criterion(Criterion::BudgetUsage(Range::at_most(
            fine
        )))),
        Some("INVALID_MONEY")
    );
    // Zero spend still matches `mtd>=0` but `mtd>0.00000001` is exact.
    assert!(
        all_ids(&desk, &Query::parse("mtd>=0")?)?.len()
            > all_ids(&desk, &Query::parse("mtd>0.00000001")?)?.len()
    );
    Ok(())
}

// ---- item 6: blank text criteria ---------------------------------------------------------

#[test]
fn blank_text_criteria_are_refused_with_the_field() -> Result<()> {
    for (c, field) in [
        (Criterion::Name(TextMatch::Contains("  ".into())), "name"),
        (Criterion::Name(TextMatch::Exact(String::new())), "name"),
        (
            Criterion::AccountName(TextMatch::Contains("\t\n".into())),
            "account",
        ),
        (
            Criterion::ManagerName(TextMatch::Contains(" ".into())),
            "manager_name",
        ),
        (
            Criterion::Mobile(MobileMatch::EndsWith(String::new())),
            "mobile",
        ),
    ] {
        let e = Expr::criterion(c).err();
        assert!(
            matches!(e, Some(Error::InvalidArgument { field: ref f, .. }) if f == field),
            "{e:?}"
        );
    }
    for (text, field) in [
        ("name~\"  \"", "name"),
        ("account=\" \"", "account"),
        ("managername~\"\"", "manager_name"),
    ] {
        let e = Query::parse(text).err();
        assert!(
            matches!(e, Some(Error::InvalidArgument { field: ref f, .. }) if f == field),
            "{text}: {e:?}"
        );
    }
    // Real text still works.
    assert!(Expr::criterion(Criterion::Name(TextMatch::Contains(" a ".into()))).is_ok());
    Ok(())
}
