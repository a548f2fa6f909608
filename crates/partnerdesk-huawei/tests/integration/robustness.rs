//! Arbitrary responses never panic, and a refused import changes nothing.

use crate::common::{desk, now};
use partnerdesk::Site;
use partnerdesk_huawei::fixtures;
use partnerdesk_huawei::import::{
    ImportOptions, import_budgets, import_fee_records, import_list_sub_customers, import_orders,
};
use proptest::prelude::*;
use serde_json::{Value, json};

/// One import step on a desk.
type Step<'a> = &'a dyn Fn(&mut partnerdesk::Desk) -> Result<(), partnerdesk_huawei::HuaweiError>;

const KEYS: &[&str] = &[
    "customer",
    "account_name",
    "customer_id",
    "associated_on",
    "association_type",
    "label",
    "telephone",
    "verified_status",
    "country_code",
    "customer_type",
    "is_frozen",
    "account_managers",
    "xaccount_id",
    "xaccount_type",
    "customer_level",
    "email",
    "budget_amount",
    "budget_type",
    "order_id",
    "status",
    "order_type",
    "amount_after_discount",
    "measure_id",
    "currency",
    "create_time",
    "charging_mode",
    "payment_amount",
    "bill_cycle",
    "consume_time",
    "id",
];

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!("")),
        Just(json!("9f8e7d6c5b4a39281706f5e4d3c2b1a0")),
        Just(json!("0a1b2c3d4e5f60718293a4b5c6d7e8f9")),
        Just(json!("2025-03-01T03:00:00Z")),
        Just(json!("2025-03")),
        Just(json!("CNY")),
        Just(json!("USD")),
        Just(json!([{"account_name": "am_x"}])),
        Just(json!([{"account_name": null}, 3])),
        Just(json!({"nested": true})),
        Just(json!(true)),
        any::<i64>().prop_map(Value::from),
        (-3i64..12).prop_map(Value::from),
        "[ -~]{0,70}".prop_map(Value::from),
        "\\PC{0,10}".prop_map(Value::from),
        Just(serde_json::from_str::<Value>("1e40").unwrap_or(Value::Null)),
        Just(serde_json::from_str::<Value>("12345678901234.56").unwrap_or(Value::Null)),
        Just(
            serde_json::from_str::<Value>("-0.000000000000000000000000000001")
                .unwrap_or(Value::Null)
        ),
    ]
}

fn object() -> impl Strategy<Value = Value> {
    proptest::collection::vec((proptest::sample::select(KEYS), value()), 0..12)
        .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

fn page(list_key: &'static str) -> impl Strategy<Value = String> {
    (proptest::collection::vec(object(), 0..4), value(), value()).prop_map(move |(items, count, cur)| {
        json!({ list_key: items, "count": count, "total_count": count, "currency": cur, "measure_id": 1 }).to_string()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn imports_never_panic_and_refusals_change_nothing(
        customers in page("customer_infos"),
        budgets in page("budget_infos"),
        orders in page("order_infos"),
        fees in page("fee_records"),
    ) {
        let opts = ImportOptions::at(now());
        for site in [Site::China, Site::International] {
            let mut d = desk(site).map_err(|e| TestCaseError::fail(e.to_string()))?;
            import_list_sub_customers(&mut d, &opts, &[fixtures::LIST_SUB_CUSTOMERS_CN, fixtures::LIST_SUB_CUSTOMERS_INTL])
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let cycle = partnerdesk::YearMonth::new(2025, 3).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let steps: [Step<'_>; 4] = [
                &|d| import_list_sub_customers(d, &opts, &[&customers]).map(|_| ()),
                &|d| import_budgets(d, &opts, &[&budgets]).map(|_| ()),
                &|d| import_orders(d, &[&orders]).map(|_| ()),
                &|d| import_fee_records(d, cycle, &[&fees]).map(|_| ()),
            ];
            for step in steps {
                let before: Vec<_> = d.customers().cloned().collect();
                let ops_before = d.operators().count();
                if step(&mut d).is_err() {
                    let after: Vec<_> = d.customers().cloned().collect();
                    prop_assert_eq!(&before, &after);
                    prop_assert_eq!(ops_before, d.operators().count());
                }
            }
        }
    }
}

#[test]
fn times_outside_the_desk_years_are_invalid_data() {
    use partnerdesk_huawei::import::parse_time;
    for t in [
        "0001-01-01T00:00:00Z",
        "1969-12-31 23:59:59",
        "9999-12-31T23:59:59-01:00",
        "+262142-01-01T00:00:00",
    ] {
        let e = parse_time("customer.associated_on", t).err();
        assert_eq!(
            e.as_ref().map(|e| e.code()),
            Some("HUAWEI_INVALID_DATA"),
            "{t}: {e:?}"
        );
    }
    assert!(parse_time("t", "2024-03-18T02:15:40Z").is_ok());
    assert!(parse_time("t", "9999-12-31 23:59:59").is_ok());
}
