//! Wire-level checks: every fixture parses, unknown fields are ignored, round trips, exact
//! amounts, the three states of a member.

use crate::common::TestResult;
use partnerdesk::Decimal;
use partnerdesk_huawei::Field;
use partnerdesk_huawei::fixtures;
use partnerdesk_huawei::wire::{self, Amount, Code};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::str::FromStr;

/// Parses into the wire struct and back: the same JSON minus members the struct does not model.
fn round_trip<T: DeserializeOwned + Serialize>(
    text: &str,
) -> Result<(Value, Value), serde_json::Error> {
    let parsed: T = serde_json::from_str(text)?;
    Ok((serde_json::to_value(&parsed)?, serde_json::from_str(text)?))
}

#[test]
fn sdk_fixtures_round_trip_exactly() -> TestResult {
    let (a, b) = round_trip::<wire::ListSubCustomersResponse>(fixtures::LIST_SUB_CUSTOMERS_CN)?;
    assert_eq!(a, b);
    let (a, b) = round_trip::<wire::ListSubCustomersResponse>(fixtures::LIST_SUB_CUSTOMERS_INTL)?;
    assert_eq!(a, b);
    let (a, b) = round_trip::<wire::ListSubCustomersResponse>(fixtures::LIST_SUB_CUSTOMERS_EMPTY)?;
    assert_eq!(a, b);
    let (a, b) = round_trip::<wire::ShowSubCustomerBudgetResponse>(fixtures::BUDGET_SHOW)?;
    assert_eq!(a, b);
    let (a, b) =
        round_trip::<wire::ListSubCustomerBudgetRecordsResponse>(fixtures::BUDGET_RECORDS)?;
    assert_eq!(a, b);
    let (a, b) = round_trip::<wire::BatchOperationResponse>(fixtures::FREEZE_PARTIAL_FAILURE)?;
    assert_eq!(a, b);
    let (a, b) = round_trip::<wire::ErrorEnvelope>(fixtures::ERROR_INVALID_PARAMETER)?;
    assert_eq!(a, b);
    let (a, b) = round_trip::<wire::FreezeSubCustomersReq>(fixtures::FREEZE_REQUEST)?;
    assert_eq!(a, b);
    let (a, b) = round_trip::<wire::ModSubCustomerBudgetReq>(fixtures::BUDGET_REQUEST)?;
    assert_eq!(a, b);
    Ok(())
}

#[test]
fn unknown_fields_are_ignored() -> TestResult {
    // all_codes carries `request_id`, `bind_status`, `unbind_on` and `customer_level_extra`.
    let (a, b) =
        round_trip::<wire::ListSubCustomersResponse>(fixtures::LIST_SUB_CUSTOMERS_CN_ALL_CODES)?;
    assert!(b.get("request_id").is_some() && a.get("request_id").is_none());
    assert!(b["customer_infos"][0].get("bind_status").is_some());
    assert!(a["customer_infos"][0].get("bind_status").is_none());
    assert_eq!(
        a["customer_infos"][1], b["customer_infos"][1],
        "modelled members survive, nulls included"
    );
    // Resources and orders carry nested objects the structs do not model.
    serde_json::from_str::<wire::ListPayPerUseCustomerResourcesResponse>(
        fixtures::RESOURCES_SUBSCRIPTION,
    )?;
    serde_json::from_str::<wire::ListCustomerOrdersResponse>(fixtures::ORDERS)?;
    Ok(())
}

#[test]
fn every_fixture_is_json_and_has_a_shape() -> TestResult {
    assert!(fixtures::ALL.len() >= 30);
    for (name, text) in fixtures::ALL {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        assert!(v.is_object(), "{name}");
    }
    Ok(())
}

#[test]
fn amounts_are_exact() -> TestResult {
    for text in [
        "1500.5",
        "0.1",
        "12345678901234.56",
        "-0.05",
        "0",
        "2147483647",
        "1e2",
        "\"99.99\"",
    ] {
        let a: Amount = serde_json::from_str(text)?;
        let expected = match text {
            "1e2" => Decimal::from(100),
            t => Decimal::from_str(t.trim_matches('"'))?,
        };
        assert_eq!(a.0, expected, "{text}");
    }
    let a: Amount = serde_json::from_str("0.1")?;
    let b: Amount = serde_json::from_str("0.2")?;
    assert_eq!((a.0 + b.0).to_string(), "0.3");
    assert_eq!(
        serde_json::to_string(&Amount(Decimal::from_str("12345678901234.56")?))?,
        "12345678901234.56"
    );
    assert!(serde_json::from_str::<Amount>("true").is_err());
    assert!(serde_json::from_str::<Amount>("\"abc\"").is_err());
    Ok(())
}

#[test]
fn codes_keep_their_json_type() -> TestResult {
    assert_eq!(serde_json::from_str::<Code>("-1")?, Code::Int(-1));
    assert_eq!(
        serde_json::from_str::<Code>("\"2\"")?,
        Code::Text("2".into())
    );
    assert_eq!(serde_json::to_string(&Code::Int(2))?, "2");
    assert_eq!(serde_json::to_string(&Code::Text("2".into()))?, "\"2\"");
    assert_eq!(Code::Int(-1).text(), "-1");
    Ok(())
}

#[test]
fn absent_null_and_empty_stay_apart() -> TestResult {
    let parse = |t: &str| serde_json::from_str::<wire::CustomerInformation>(t);
    assert_eq!(parse("{}")?.label, Field::Absent);
    assert_eq!(parse(r#"{"label":null}"#)?.label, Field::Null);
    assert_eq!(parse(r#"{"label":""}"#)?.label, Field::Value(String::new()));
    let req = wire::QuerySubCustomerListReq {
        associated_on_begin: Field::Null,
        label: Field::Value(String::new()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&req)?,
        r#"{"label":"","associated_on_begin":null}"#
    );
    Ok(())
}
