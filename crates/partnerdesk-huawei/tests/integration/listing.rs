//! Paging plans and the query split: exact coverage, exact filtering.

use crate::common::{TestResult, desk, now};
use partnerdesk::query::{Query, Sort};
use partnerdesk::{Site, demo};
use partnerdesk_huawei::import::{ImportOptions, import_list_sub_customers};
use partnerdesk_huawei::listing::{ApiFilter, split_query};
use partnerdesk_huawei::paging::{ApiPage, MAX_LIMIT, PagePlan};
use partnerdesk_huawei::wire::QuerySubCustomerListReq;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn portfolio(n: u64) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({
                "customer": format!("客户 Customer {i}"),
                "account_name": format!("acct_{i:04}"),
                "customer_id": format!("{:032x}", 0x5000 + i),
                "associated_on": "2024-05-01T00:00:00Z",
                "association_type": if i % 2 == 0 { "1" } else { "2" },
                "customer_type": 1,
                "is_frozen": 0,
                "verified_status": "2",
                "customer_level": "V1",
                "account_managers": [],
            })
        })
        .collect()
}

/// A stand-in for `ListSubCustomers`: pages a fixed list by offset and limit, checking bounds.
fn serve(all: &[Value], body: &QuerySubCustomerListReq) -> Result<String, String> {
    let offset = *body.offset.value().ok_or("offset")? as usize;
    let limit = *body.limit.value().ok_or("limit")? as usize;
    if limit == 0 || limit > MAX_LIMIT as usize {
        return Err("CBC.0100 limit".into());
    }
    let page: Vec<&Value> = all.iter().skip(offset).take(limit).collect();
    Ok(json!({"count": all.len(), "customer_infos": page}).to_string())
}

#[test]
fn paging_plan_covers_250_customers_exactly_once() -> TestResult {
    let all = portfolio(250);
    let filter = ApiFilter::default();
    // The host reads the first page, then the plan's rest.
    let first = filter.body(Site::China, ApiPage::first(100)?)?;
    let first_page = serve(&all, &first)?;
    let count = serde_json::from_str::<Value>(&first_page)?["count"]
        .as_u64()
        .ok_or("count")?;
    let plan = PagePlan::covering(count, 100)?;
    assert_eq!(
        plan.pages.first(),
        Some(&ApiPage {
            offset: 0,
            limit: 100
        })
    );
    let mut pages = vec![first_page];
    for p in plan.rest() {
        pages.push(serve(&all, &filter.body(Site::China, *p)?)?);
    }
    assert_eq!(pages.len(), 3);

    // Every customer arrives exactly once across the pages.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for p in &pages {
        let v: Value = serde_json::from_str(p)?;
        for c in v["customer_infos"].as_array().ok_or("infos")? {
            *seen
                .entry(c["customer_id"].as_str().ok_or("id")?.to_owned())
                .or_default() += 1;
        }
    }
    assert_eq!(seen.len(), 250);
    assert!(seen.values().all(|n| *n == 1));

    // And the merged import holds all of them.
    let mut d = desk(Site::China)?;
    let texts: Vec<&str> = pages.iter().map(String::as_str).collect();
    let r = import_list_sub_customers(&mut d, &ImportOptions::at(now()), &texts)?;
    assert_eq!(
        (r.added.len(), d.len(), r.reported_total),
        (250, 250, Some(250))
    );
    Ok(())
}

#[test]
fn plan_offsets_stay_in_bounds() -> TestResult {
    for (total, limit) in [
        (1, 1),
        (99, 100),
        (100, 100),
        (101, 100),
        (1234, 7),
        (40_000_100, 100),
    ] {
        let plan = PagePlan::covering(total, limit)?;
        let mut next = 0;
        for p in &plan.pages {
            assert_eq!(p.offset, next);
            assert!(p.limit >= 1 && p.limit <= limit && p.offset <= 40_000_000);
            next += u64::from(p.limit);
        }
        assert_eq!(next, total);
    }
    Ok(())
}

const QUERIES: &[&str] = &[
    "",
    "name~acme",
    "name~ACME and assoc=reseller",
    "account~cloud and tag:vip",
    "name=\"Acme Cloud\"",
    "name~\"Pied Piper\"",
    "tag all (vip, gold)",
    "tag in (vip, gold)",
    "tag:重点客户 and mtd>=100",
    "assoc=referral or frozen=true",
    "not assoc=reseller",
    "reseller=reseller-01 and mtd>=100",
    "reseller=reseller-02 and reseller=reseller-03",
    "associated>2024-03-01T10:00:00.250Z and associated<=2025-01-01",
    "associated>=2025-01-01 and assoc=reseller and name~云帆",
    "account~yun and name~科技 and has_manager=true",
    "assoc=referral and assoc=reseller",
    "(name~acme and tag:vip) or account~globex",
    "name~a and name~c",
    "tag:vip and tag:gold and level=V2",
    "frozen=account and budget>=50",
];

#[test]
fn api_part_and_local_part_select_exactly_the_query() -> TestResult {
    let (d, at) = demo::portfolio(3_000, 11)?;
    let ctx = d.match_context(at);
    let mut pushed = 0;
    for text in QUERIES {
        let q = Query::parse(text)?;
        let split = split_query(&q);
        if !split.api.is_empty() {
            pushed += 1;
        }
        // Every field sent must be acceptable to the API.
        split.api.body(Site::China, ApiPage::first(100)?)?;
        let expected = d.select_ids(&q, Sort::default(), at);
        let got: Vec<_> = d
            .select_ids(&Query::all(), Sort::default(), at)
            .into_iter()
            .filter(|id| {
                d.customer(id)
                    .is_ok_and(|c| split.api.matches(c) && split.local.matches(c, &ctx))
            })
            .collect();
        assert_eq!(
            expected, got,
            "query {text:?}: api {:?}, local {}",
            split.api, split.local
        );
    }
    assert!(
        pushed >= 12,
        "the API filters most of these queries ({pushed})"
    );
    Ok(())
}

#[test]
fn split_rules() -> TestResult {
    let s = split_query(&Query::parse(
        "name~acme and account~cloud and assoc=reseller and mtd>=5",
    )?);
    assert_eq!(s.api.customer.as_deref(), Some("acme"));
    assert_eq!(s.api.account_name.as_deref(), Some("cloud"));
    assert_eq!(
        s.api.association_type,
        Some(partnerdesk::AssociationType::Reseller)
    );
    assert_eq!(s.local.to_string(), "mtd>=5");

    // Exact names and tags narrow on the API and stay local.
    let s = split_query(&Query::parse("name=Acme and tag:vip")?);
    assert_eq!(
        (s.api.customer.as_deref(), s.api.label.as_deref()),
        (Some("Acme"), Some("vip"))
    );
    assert_eq!(s.local.to_string(), "name=Acme and tag:vip");

    // Or / not stay local whole; spaces cannot be sent.
    for text in ["name~acme or tag:vip", "not name~acme", "name~\"a b\""] {
        let s = split_query(&Query::parse(text)?);
        assert!(s.api.is_empty(), "{text}");
        assert_eq!(s.local, Query::parse(text)?);
    }

    // Time windows widen to whole seconds and stay local.
    let s = split_query(&Query::parse(
        "associated>2024-03-01T10:00:00.250Z and associated<2024-04-01T00:00:00.5Z",
    )?);
    let body = serde_json::to_value(s.api.body(Site::International, ApiPage::first(10)?)?)?;
    assert_eq!(body["associated_on_begin"], "2024-03-01T10:00:00Z");
    assert_eq!(body["associated_on_end"], "2024-04-01T00:00:01Z");
    assert!(s.local.to_string().contains("associated"));

    // include_disassociated travels with the local part.
    let s = split_query(&Query::parse("assoc=reseller")?.including_disassociated(true));
    assert!(s.local.include_disassociated);
    Ok(())
}

#[test]
fn customer_query_body_fields_and_refusals() -> TestResult {
    let q = Query::parse(
        "id=06ffbcd46880d3f30f62c001a49be460 and reseller=0b5e9bb21980d20c0f0fc00874a9e000 and assoc=reseller",
    )?;
    let s = split_query(&q);
    let body = serde_json::to_value(s.api.body(Site::International, ApiPage::new(200, 100)?)?)?;
    assert_eq!(
        body,
        json!({"customer_id": "06ffbcd46880d3f30f62c001a49be460", "indirect_partner_id": "0b5e9bb21980d20c0f0fc00874a9e000",
               "association_type": "3", "offset": 200, "limit": 100})
    );
    let china = serde_json::to_value(s.api.body(Site::China, ApiPage::first(10)?)?)?;
    assert_eq!(china["association_type"], "2");
    assert!(
        china.get("label").is_none() && china.get("associated_on_begin").is_none(),
        "absent, not null or \"\""
    );

    let bad = ApiFilter {
        label: Some("two words".into()),
        ..ApiFilter::default()
    };
    assert_eq!(
        bad.body(Site::China, ApiPage::first(10)?)
            .err()
            .map(|e| e.code()),
        Some("INVALID_ARGUMENT")
    );
    assert_eq!(
        ApiPage::first(101).err().map(|e| e.code()),
        Some("INVALID_PAGE")
    );
    assert_eq!(
        ApiPage::new(40_000_001, 10).err().map(|e| e.code()),
        Some("HUAWEI_PAGING_OUT_OF_BOUNDS")
    );
    let bodies = ApiFilter::default().bodies(Site::China, 250, 100)?;
    assert_eq!(
        bodies
            .iter()
            .map(|b| b.offset.value().copied())
            .collect::<Vec<_>>(),
        [Some(0), Some(100), Some(200)]
    );
    Ok(())
}

mod prop {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    const ATOMS: &[&str] = &[
        "name~acme",
        "name~Cloud",
        "name~科技",
        "name=\"Acme Cloud\"",
        "account~yun",
        "account~a",
        "account=\"globex\"",
        "tag:vip",
        "tag:gold",
        "tag all (vip, new)",
        "tag in (fintech, gaming)",
        "assoc=reseller",
        "assoc=referral",
        "reseller=reseller-01",
        "reseller=reseller-04",
        "associated>=2024-06-01",
        "associated<2025-02-01T12:00:00.5Z",
        "mtd>=100",
        "frozen=true",
        "has_manager=true",
        "level=V2",
    ];

    fn demo() -> &'static (partnerdesk::Desk, chrono::DateTime<chrono::Utc>) {
        static DESK: OnceLock<(partnerdesk::Desk, chrono::DateTime<chrono::Utc>)> = OnceLock::new();
        DESK.get_or_init(|| match demo::portfolio(1_500, 5) {
            Ok(d) => d,
            Err(e) => unreachable!("demo portfolio: {e}"),
        })
    }

    fn term() -> impl Strategy<Value = String> {
        let atom = proptest::sample::select(ATOMS).prop_map(str::to_owned);
        atom.prop_recursive(2, 6, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|e| format!("not ({e})")),
                (inner.clone(), inner).prop_map(|(a, b)| format!("({a} or {b})")),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// For any conjunction of criteria (some nested in `or`/`not`), the customers the API
        /// returns for the API part that also match the local part are exactly the query's.
        #[test]
        fn split_is_exact(terms in proptest::collection::vec(term(), 1..5)) {
            let (d, at) = demo();
            let q = Query::parse(&terms.join(" and ")).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let split = split_query(&q);
            let ctx = d.match_context(*at);
            for c in d.customers() {
                let direct = q.matches(c, &ctx);
                let via_api = split.api.matches(c) && split.local.matches(c, &ctx);
                prop_assert_eq!(direct, via_api, "query {}, api {:?}, local {}", q, split.api, split.local);
            }
        }
    }
}
