//! Snapshots: round trip, versioning, invariants, unknown values, and bad input as typed errors.

use crate::fixtures::small_desk;
use partnerdesk::privacy::{MaskPolicy, MaskRule, SensitiveField};
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

/// The checks of a list's items name the item (formatted only when one is refused), in the
/// order of the checks: within a customer, item by item; across customers, the first refused
/// one, after the duplicate ids of the whole list.
#[test]
fn refusals_name_the_item_and_the_first_one_wins() -> Result<()> {
    let v = snapshot()?;
    assert!(v["customers"].as_array().map_or(0, Vec::len) >= 3);

    let mut w = v.clone();
    w["customers"][1]["resources"][1]["id"] = w["customers"][1]["resources"][0]["id"].clone();
    assert_eq!(field(&w), "customers[1].resources[1].id");
    // An earlier item's refusal comes first, whatever the later items hold.
    w["customers"][1]["resources"][0]["expires_at"] = json!("2000-01-01T00:00:00Z");
    assert_eq!(field(&w), "customers[1].resources[0].expires_at");

    let mut w = v.clone();
    w["customers"][1]["resources"][1]["starts_at"] = json!("1960-01-01T00:00:00Z");
    assert_eq!(field(&w), "customers[1].resources[1].starts_at");

    // A spend record's day lies in the years 1970 to 9999 (checked as a day number, read
    // from the packed list): the edges are taken, a day past either is refused.
    let n = v["customers"][0]["spend"].as_array().map_or(0, Vec::len);
    assert!(n >= 2);
    let mut w = v.clone();
    w["customers"][0]["spend"][0]["day"] = json!("1970-01-01");
    w["customers"][0]["spend"][n - 1]["day"] = json!("9999-12-31");
    assert!(load(&w).is_ok());
    w["customers"][0]["spend"][0]["day"] = json!("1969-12-31");
    assert_eq!(field(&w), "customers[0].spend[0].day");
    let mut w = v.clone();
    w["customers"][0]["spend"][n - 1]["day"] = json!("+10000-01-01");
    assert_eq!(field(&w), format!("customers[0].spend[{}].day", n - 1));

    let mut w = v.clone();
    w["customers"][0]["spend"][1]["amount"]["currency"] = json!("EUR");
    assert_eq!(field(&w), "customers[0].spend[1].amount");
    w["customers"][0]["spend"][1]["amount"]["currency"] = json!("EURO");
    assert_eq!(code(&w), "MALFORMED_JSON");

    // The first refused customer wins; a repeated id anywhere comes before both.
    let mut w = v.clone();
    w["customers"][0]["account_manager"] = json!("ghost");
    w["customers"][1]["resources"][1]["id"] = w["customers"][1]["resources"][0]["id"].clone();
    assert_eq!(field(&w), "customers[0].account_manager");
    w["customers"][2]["id"] = w["customers"][1]["id"].clone();
    assert_eq!(field(&w), "customers[2].id");
    Ok(())
}

/// Instants and days are read as chrono reads them: the desk's own form directly, any other
/// form chrono accepts to the same value, and what chrono refuses refused.
#[test]
fn instants_and_days_read_as_chrono_reads_them()
-> std::result::Result<(), Box<dyn std::error::Error>> {
    let v = snapshot()?;
    let desk = load(&v)?;
    let since = v["customers"][0]["association"]["since"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let at: chrono::DateTime<chrono::FixedOffset> = since.parse()?;
    let mut w = v.clone();
    let offset = chrono::FixedOffset::east_opt(8 * 3600).ok_or("offset")?;
    w["customers"][0]["association"]["since"] = json!(at.with_timezone(&offset).to_rfc3339());
    assert!(load(&w)? == desk);
    for bad in [
        "2026-02-30T00:00:00Z",
        "2026-11-29T24:00:00Z",
        "2026-11-29T09:00:00",
        "2026-11-29",
    ] {
        let mut w = v.clone();
        w["customers"][0]["association"]["since"] = json!(bad);
        assert_eq!(code(&w), "MALFORMED_JSON", "{bad}");
    }
    for bad in ["2026-02-30", "2026-11-29T00:00:00Z", "2026-11"] {
        let mut w = v.clone();
        w["customers"][0]["spend"][0]["day"] = json!(bad);
        assert_eq!(code(&w), "MALFORMED_JSON", "{bad}");
    }
    // chrono reads a month or day of one digit; so does the desk.
    let mut w = v.clone();
    w["customers"][0]["spend"][0]["day"] = json!("2026-1-9");
    assert_eq!(code(&w), "OK");
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

/// Policies the tests set: every rule a list may use, and a pseudonym for exports.
fn policies() -> Result<(MaskPolicy, MaskPolicy)> {
    let mut rows = MaskPolicy::strict();
    rows.set(SensitiveField::Name, MaskRule::Keep { first: 0, last: 1 })?;
    rows.set(SensitiveField::Email, MaskRule::Hidden)?;
    rows.set(SensitiveField::ManagerName, MaskRule::Fixed("staff".into()))?;
    let mut exports = MaskPolicy::console();
    exports.set(SensitiveField::Mobile, MaskRule::Pseudonym)?;
    exports.set(SensitiveField::AccountName, MaskRule::Hidden)?;
    Ok((rows, exports))
}

/// Both mask policies are in the snapshot and come back (they were lost on every reload).
#[test]
fn a_round_trip_keeps_both_mask_policies() -> Result<()> {
    let mut desk = small_desk()?;
    let (rows, exports) = policies()?;
    desk.set_row_policy(rows.clone())?;
    desk.set_export_policy(exports.clone())?;
    let again = Desk::from_snapshot_json(&desk.to_snapshot_json()?)?;
    assert_eq!(again.row_policy(), &rows);
    assert_eq!(again.export_policy(), &exports);
    assert!(again == desk);
    // A desk with other policies is another desk.
    let mut other = again.clone();
    other.set_row_policy(MaskPolicy::console())?;
    assert!(other != desk);
    Ok(())
}

/// A snapshot written before the policies were saved (no fields) loads with the console's.
#[test]
fn a_snapshot_without_policies_loads_with_the_defaults()
-> std::result::Result<(), Box<dyn std::error::Error>> {
    let mut desk = small_desk()?;
    let (rows, exports) = policies()?;
    desk.set_row_policy(rows)?;
    desk.set_export_policy(exports)?;
    let mut v: Value = serde_json::from_str(&desk.to_snapshot_json()?).map_err(Error::from)?;
    assert!(v.get("row_policy").is_some() && v.get("export_policy").is_some());
    if let Some(map) = v.as_object_mut() {
        map.remove("row_policy");
        map.remove("export_policy");
    }
    let old = load(&v)?;
    assert_eq!(old.row_policy(), &MaskPolicy::console());
    assert_eq!(old.export_policy(), &MaskPolicy::console());
    // The committed snapshots of the older formats hold none either.
    for name in ["checkpoint-v1.json", "checkpoint-v2.json"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let text = std::fs::read_to_string(path)?;
        assert!(!text.contains("row_policy"), "{name}");
        let desk = Desk::from_snapshot_json(&text)?;
        assert_eq!(desk.row_policy(), &MaskPolicy::console(), "{name}");
        assert_eq!(desk.export_policy(), &MaskPolicy::console(), "{name}");
    }
    Ok(())
}

/// A snapshot's policy is checked as the setter checks it: a name, mobile or e-mail in clear,
/// a pseudonym in rows, a malformed fixed text are refused naming the field.
#[test]
fn a_snapshot_holding_a_clear_or_malformed_policy_is_refused() -> Result<()> {
    let v = snapshot()?;
    let cases = [
        ("row_policy", "name", json!("clear"), "row_policy.name"),
        (
            "row_policy",
            "mobile",
            json!("pseudonym"),
            "row_policy.mobile",
        ),
        (
            "export_policy",
            "email",
            json!("clear"),
            "export_policy.email",
        ),
        (
            "export_policy",
            "account_name",
            json!({"fixed": "a*b"}),
            "export_policy.account_name",
        ),
    ];
    for (policy, rule, value, want) in cases {
        let mut w = v.clone();
        w[policy][rule] = value;
        assert_eq!(code(&w), "INVALID_SNAPSHOT", "{want}");
        assert_eq!(field(&w), want);
    }
    // Pseudonyms are fine for exports.
    let mut w = v.clone();
    w["export_policy"]["mobile"] = json!("pseudonym");
    assert_eq!(
        load(&w)?.export_policy().mobile,
        MaskRule::Pseudonym,
        "an export policy may use pseudonyms"
    );
    Ok(())
}

/// A snapshot records which key its desk sealed with (`event_seal`: `none` or a MAC under the
/// key, never the key), and the loaded desk answers whether a key is that one; a snapshot
/// without the record says nothing; a malformed record is refused naming the field.
#[test]
fn a_snapshot_records_which_key_sealed_its_desk()
-> std::result::Result<(), Box<dyn std::error::Error>> {
    use partnerdesk::chain::EventKey;
    const SECRET: &[u8] = b"the host keeps this secret safe";
    let (key, other) = (
        EventKey::new(SECRET)?,
        EventKey::new(b"another secret, 16 bytes+")?,
    );
    let mut desk = small_desk()?;
    let plain = Desk::from_snapshot_json(&desk.to_snapshot_json()?)?;
    assert_eq!(plain.loaded_seal_is(None), Some(true));
    assert_eq!(plain.loaded_seal_is(Some(&key)), Some(false));
    assert_eq!(
        desk.loaded_seal_is(None),
        None,
        "a desk not loaded says nothing"
    );

    desk.set_event_key(Some(key.clone()));
    let json = desk.to_snapshot_json()?;
    assert!(!json.contains(std::str::from_utf8(SECRET)?));
    let mut v: Value = serde_json::from_str(&json).map_err(Error::from)?;
    let seal = v["event_seal"].as_str().unwrap_or_default().to_owned();
    assert_eq!(seal.len(), 64);
    let keyed = load(&v)?;
    assert_eq!(keyed.loaded_seal_is(Some(&key)), Some(true));
    assert_eq!(keyed.loaded_seal_is(Some(&other)), Some(false));
    assert_eq!(keyed.loaded_seal_is(None), Some(false));
    // The checkpoint keeps it too.
    let from_checkpoint = Desk::from_checkpoint(&desk.to_checkpoint()?)?;
    assert_eq!(from_checkpoint.loaded_seal_is(Some(&key)), Some(true));
    assert_eq!(from_checkpoint.loaded_seal_is(None), Some(false));

    // An older snapshot: no record, no answer.
    if let Some(map) = v.as_object_mut() {
        map.remove("event_seal");
    }
    assert_eq!(load(&v)?.loaded_seal_is(Some(&key)), None);
    // Malformed: refused, naming the field; a record in capitals is no key's either.
    for bad in [json!("nope"), json!("ab"), json!(seal.repeat(2))] {
        v["event_seal"] = bad;
        assert_eq!(field(&v), "event_seal");
    }
    v["event_seal"] = json!(seal.to_uppercase());
    assert_eq!(
        load(&v)?.loaded_seal_is(Some(&key)),
        Some(true),
        "hex in either case"
    );
    Ok(())
}
