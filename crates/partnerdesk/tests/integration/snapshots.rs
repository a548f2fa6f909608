//! Snapshots: round trip, versioning, invariants, unknown values, and bad input as typed errors.

use crate::fixtures::small_desk;
use partnerdesk::{Desk, Error, Result};
use serde_json::{Value, json};

fn snapshot() -> Result<Value> {
    serde_json::from_str(&small_desk()?.to_snapshot_json()?).map_err(Error::from)
}

fn load(v: &Value) -> std::result::Result<Desk, Error> {
    Desk::from_snapshot_json(&v.to_string())
}

fn code(v: &Value) -> &'static str {
    load(v).err().map_or("OK", |e| e.code())
}

fn field(v: &Value) -> String {
    match load(v) {
        Err(Error::InvalidSnapshot { field, .. }) => field,
        other => format!("{:?}", other.map(|_| ()).map_err(|e| e.code())),
    }
}

#[test]
fn round_trip_gives_an_equal_desk() -> Result<()> {
    let desk = small_desk()?;
    let again = Desk::from_snapshot_json(&desk.to_snapshot_json()?)?;
    assert!(again == desk);
    Ok(())
}

#[test]
fn malformed_truncated_and_mistyped_json_are_typed_errors() -> Result<()> {
    let text = small_desk()?.to_snapshot_json()?;
    assert_eq!(
        Desk::from_snapshot_json("").err().map(|e| e.code()),
        Some("MALFORMED_JSON")
    );
    assert_eq!(
        Desk::from_snapshot_json("{not json")
            .err()
            .map(|e| e.code()),
        Some("MALFORMED_JSON")
    );
    for cut in [1, 10, text.len() / 2, text.len() - 1] {
        let err = Desk::from_snapshot_json(&text[..cut]).err();
        assert_eq!(
            err.map(|e| e.code()),
            Some("MALFORMED_JSON"),
            "cut at {cut}"
        );
    }
    let mut v = snapshot()?;
    v["customers"][0]["association"]["since"] = json!(12);
    assert_eq!(code(&v), "MALFORMED_JSON");
    let mut v = snapshot()?;
    v["customers"] = json!("nope");
    assert_eq!(code(&v), "MALFORMED_JSON");
    Ok(())
}

#[test]
fn errors_never_quote_personal_data() -> Result<()> {
    let mut v = snapshot()?;
    // A name where a number belongs: serde's own message would quote it.
    v["customers"][1]["spend"] = json!("张三 13812345678");
    let err = load(&v).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(!err.contains("张三") && !err.contains("1381"), "{err}");
    Ok(())
}

#[test]
fn versions_are_checked() -> Result<()> {
    let mut v = snapshot()?;
    v["version"] = json!(99);
    assert_eq!(code(&v), "UNSUPPORTED_SNAPSHOT_VERSION");
    v["version"] = json!(0);
    assert_eq!(code(&v), "UNSUPPORTED_SNAPSHOT_VERSION");
    let mut v = snapshot()?;
    v["format"] = json!("something.else");
    assert_eq!(field(&v), "format");
    Ok(())
}

#[test]
fn invariants_are_checked_and_name_the_field() -> Result<()> {
    let mut v = snapshot()?;
    v["customers"][1]["id"] = v["customers"][0]["id"].clone();
    assert_eq!(field(&v), "customers[1].id");

    let mut v = snapshot()?;
    v["customers"][0]["id"] = json!("has space");
    assert_eq!(code(&v), "MALFORMED_JSON"); // ids are validated while parsing

    let mut v = snapshot()?;
    v["customers"][0]["spend"][0]["amount"]["currency"] = json!("CNY");
    assert_eq!(field(&v), "customers[0].spend[0].amount");

    let mut v = snapshot()?;
    v["customers"][1]["budget"]["amount"]["amount"] = json!("-5");
    assert_eq!(field(&v), "customers[1].budget.amount");
    v["customers"][1]["budget"]["amount"]["amount"] = json!("10.001");
    assert_eq!(field(&v), "customers[1].budget.amount");
    v["customers"][1]["budget"]["amount"]["amount"] = json!("2147483648");
    assert_eq!(field(&v), "customers[1].budget.amount");
    v["customers"][1]["budget"]["amount"]["amount"] = json!("12.5x");
    assert_eq!(code(&v), "MALFORMED_JSON");

    let mut v = snapshot()?;
    v["customers"][0]["account_manager"] = json!("ghost");
    assert_eq!(field(&v), "customers[0].account_manager");

    let mut v = snapshot()?;
    v["customers"][0]["association"]["since"] = json!("2026-13-45T00:00:00Z");
    assert_eq!(code(&v), "MALFORMED_JSON");

    let mut v = snapshot()?;
    v["indexed_month"] = json!("2026-13");
    assert_eq!(field(&v), "indexed_month");

    let mut v = snapshot()?;
    v["partner"]["currency"] = json!("usd");
    assert_eq!(code(&v), "MALFORMED_JSON");

    let mut v = snapshot()?;
    v["partner"]["billing_offset"] = json!(100_000);
    assert_eq!(code(&v), "MALFORMED_JSON");

    // The budget of a referral customer breaks an invariant.
    let mut v = snapshot()?;
    v["customers"][0]["budget"] = v["customers"][1]["budget"].clone();
    assert_eq!(field(&v), "customers[0].budget");
    Ok(())
}

#[test]
fn unknown_enum_values_and_fields_survive() -> Result<()> {
    let mut v = snapshot()?;
    v["customers"][0]["level"] = json!("V9");
    v["customers"][0]["association"]["kind"] = json!("marketplace");
    v["customers"][0]["a_field_from_the_future"] = json!({"x": 1});
    v["partner"]["site"] = json!("eu");
    let desk = load(&v)?;
    let again: Value = serde_json::from_str(&desk.to_snapshot_json()?).map_err(Error::from)?;
    assert_eq!(again["customers"][0]["level"], json!("V9"));
    assert_eq!(
        again["customers"][0]["association"]["kind"],
        json!("marketplace")
    );
    assert_eq!(again["partner"]["site"], json!("eu"));
    // An unknown value matches only itself.
    let q = partnerdesk::query::Query::parse("level=V3")?;
    assert_eq!(desk.count(&q, crate::fixtures::now()), 1);
    Ok(())
}
