//! Request bodies: built from the domain's validated commands, equal to the SDK-serialized
//! fixtures, round-tripping through the domain.

use crate::common::{TestResult, id};
use partnerdesk::Invocation;
use partnerdesk::budget::BudgetSetting;
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::{BudgetKind, Currency, Decimal, FreezeScope, Money, ResellerId};
use partnerdesk_huawei::fixtures;
use partnerdesk_huawei::request::{
    budget_body, budget_json, budget_setting_of, freeze_body, freeze_json, freeze_request_of,
    unfreeze_json,
};
use partnerdesk_huawei::wire::{FreezeSubCustomersReq, ModSubCustomerBudgetReq};
use serde_json::Value;
use std::str::FromStr;

fn fixture(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text)
}

#[test]
fn freeze_body_equals_the_sdk_fixture() -> TestResult {
    let req = FreezeRequest::new(
        vec![id("06ffbcd46880d3f30f62c001a49be460")?],
        FreezeScope::AccountAndResources,
        "Budget overrun pending review",
    )?;
    assert_eq!(freeze_json(&req, None)?, fixture(fixtures::FREEZE_REQUEST)?);
    // Exact text too, in the fixture's member order.
    let text = serde_json::to_string(&freeze_body(&req, None)?)?;
    assert_eq!(
        text,
        r#"{"customer_ids":["06ffbcd46880d3f30f62c001a49be460"],"reason":"Budget overrun pending review","freeze_type":"ACCOUNT_AND_RESOURCE"}"#
    );
    Ok(())
}

#[test]
fn unfreeze_body_with_reseller_equals_fixture() -> TestResult {
    let req = FreezeRequest::new(
        vec![
            id("06ffbcd46880d3f30f62c001a49be460")?,
            id("00000000000000000000000000001002")?,
        ],
        FreezeScope::Account,
        "Budget raised",
    )?;
    let reseller = ResellerId::new("0b5e9bb21980d20c0f0fc00874a9e000")?;
    assert_eq!(
        unfreeze_json(&req, Some(&reseller))?,
        fixture(fixtures::UNFREEZE_REQUEST)?
    );
    Ok(())
}

#[test]
fn budget_bodies_equal_fixtures_and_amounts_are_exact_numbers() -> TestResult {
    let s = BudgetSetting::new(
        Money::new(Decimal::from_str("1500.5")?, Currency::USD),
        BudgetKind::Monthly,
        true,
        true,
    )?;
    let body = budget_json(&id("06ffbcd46880d3f30f62c001a49be460")?, &s, None)?;
    assert_eq!(body, fixture(fixtures::BUDGET_REQUEST)?);
    assert!(body["budget_amount"].is_number());
    assert_eq!(body["budget_amount"].to_string(), "1500.5");

    let p = BudgetSetting::new(
        Money::new(Decimal::from_str("0.10")?, Currency::USD),
        BudgetKind::OneOff,
        false,
        false,
    )?;
    let body = budget_json(&id("00000000000000000000000000001002")?, &p, None)?;
    assert_eq!(body, fixture(fixtures::BUDGET_REQUEST_PACKAGE)?);
    assert!(serde_json::to_string(&body)?.contains("\"budget_amount\":0.1,"));

    let max = BudgetSetting::new(
        Money::new(Decimal::from(2_147_483_647), Currency::USD),
        BudgetKind::Monthly,
        false,
        false,
    )?;
    let body = budget_json(
        &id("00000000000000000000000000001002")?,
        &max,
        Some(&ResellerId::new("r-1")?),
    )?;
    assert_eq!(body["budget_amount"].to_string(), "2147483647");
    assert_eq!(body["indirect_partner_id"], "r-1");
    Ok(())
}

#[test]
fn the_domain_refuses_before_a_body_exists() -> TestResult {
    let cid = id("06ffbcd46880d3f30f62c001a49be460")?;
    let codes = |r: Result<FreezeRequest, partnerdesk::Error>| r.err().map(|e| e.code());
    assert_eq!(
        codes(FreezeRequest::new(
            vec![cid.clone(); 11],
            FreezeScope::Account,
            "x"
        )),
        Some("TOO_MANY_IDS")
    );
    assert_eq!(
        codes(FreezeRequest::new(vec![], FreezeScope::Account, "x")),
        Some("INVALID_ARGUMENT")
    );
    assert_eq!(
        codes(FreezeRequest::new(
            vec![cid.clone()],
            FreezeScope::Account,
            ""
        )),
        Some("INVALID_REASON")
    );
    assert_eq!(
        codes(FreezeRequest::new(
            vec![cid.clone()],
            FreezeScope::Account,
            "r".repeat(257)
        )),
        Some("INVALID_REASON")
    );
    assert!(FreezeRequest::new(vec![cid.clone()], FreezeScope::Account, "理".repeat(256)).is_ok());
    assert_eq!(
        codes(FreezeRequest::new(
            vec![cid.clone()],
            FreezeScope::Unknown,
            "x"
        )),
        Some("INVALID_ARGUMENT")
    );
    let money = |s: &str| Decimal::from_str(s).map(|d| Money::new(d, Currency::USD));
    for bad in ["0", "-1", "2147483647.01", "1.005"] {
        let r = BudgetSetting::new(money(bad)?, BudgetKind::Monthly, false, false);
        assert_eq!(r.err().map(|e| e.code()), Some("INVALID_MONEY"), "{bad}");
    }
    assert!(
        BudgetSetting::new(
            money("1.5")?,
            BudgetKind::Other("YEARLY".into()),
            false,
            false
        )
        .is_err()
    );
    Ok(())
}

#[test]
fn bodies_round_trip_through_the_domain() -> TestResult {
    // Fixture body -> wire struct -> domain command -> body: the same JSON.
    let wire: FreezeSubCustomersReq = serde_json::from_str(fixtures::FREEZE_REQUEST)?;
    let cmd = freeze_request_of(&wire)?;
    assert_eq!(cmd.scope(), &FreezeScope::AccountAndResources);
    assert_eq!(freeze_body(&cmd, None)?, wire);

    let wire: ModSubCustomerBudgetReq = serde_json::from_str(fixtures::BUDGET_REQUEST)?;
    let (cid, setting) = budget_setting_of(&wire, Currency::USD)?;
    assert!(setting.auto_freeze() && setting.unfreeze());
    assert_eq!(budget_body(&cid, &setting, None)?, wire);
    let wire: ModSubCustomerBudgetReq = serde_json::from_str(fixtures::BUDGET_REQUEST_PACKAGE)?;
    let (cid, setting) = budget_setting_of(&wire, Currency::USD)?;
    assert_eq!(setting.kind(), &BudgetKind::OneOff);
    assert_eq!(budget_body(&cid, &setting, None)?, wire);

    // A freeze type absent or null is Huawei's default ACCOUNT; "" is refused as Huawei does.
    let absent: FreezeSubCustomersReq =
        serde_json::from_str(r#"{"customer_ids":["a1"],"reason":"r"}"#)?;
    assert_eq!(freeze_request_of(&absent)?.scope(), &FreezeScope::Account);
    let null: FreezeSubCustomersReq =
        serde_json::from_str(r#"{"customer_ids":["a1"],"reason":"r","freeze_type":null}"#)?;
    assert_eq!(freeze_request_of(&null)?.scope(), &FreezeScope::Account);
    let empty: FreezeSubCustomersReq =
        serde_json::from_str(r#"{"customer_ids":["a1"],"reason":"r","freeze_type":""}"#)?;
    assert_eq!(
        freeze_request_of(&empty).err().map(|e| e.code()),
        Some("INVALID_ARGUMENT")
    );
    // A refused body never becomes a command.
    let too_long: ModSubCustomerBudgetReq =
        serde_json::from_str(r#"{"customer_id":"a1","budget_amount":0.001}"#)?;
    assert_eq!(
        budget_setting_of(&too_long, Currency::USD)
            .err()
            .map(|e| e.code()),
        Some("INVALID_MONEY")
    );
    let bad_flag: ModSubCustomerBudgetReq = serde_json::from_str(
        r#"{"customer_id":"a1","budget_amount":1,"cancel_partner_frozen":"yes"}"#,
    )?;
    assert_eq!(
        budget_setting_of(&bad_flag, Currency::USD)
            .err()
            .map(|e| e.code()),
        Some("INVALID_ARGUMENT")
    );
    Ok(())
}

#[test]
fn only_what_the_domain_accepted_is_sent() -> TestResult {
    use partnerdesk::{Actor, Operator, OperatorId, Role, Site};
    use partnerdesk_huawei::import::{ImportOptions, import_list_sub_customers};
    use partnerdesk_huawei::request::accepted;
    let now = crate::common::now();
    let mut d = crate::common::desk(Site::China)?;
    import_list_sub_customers(
        &mut d,
        &ImportOptions::at(now),
        &[fixtures::LIST_SUB_CUSTOMERS_CN],
    )?;
    d.add_operator(Operator::new(
        OperatorId::new("admin")?,
        "Admin",
        Role::Administrator,
    ))?;
    let referral = id("0a1b2c3d4e5f60718293a4b5c6d7e8f9")?;
    let resale = id("9f8e7d6c5b4a39281706f5e4d3c2b1a0")?;
    // The resale customer is frozen (account and resources) on Huawei: unfreeze both.
    let req = FreezeRequest::new(
        vec![referral.clone(), resale.clone()],
        FreezeScope::AccountAndResources,
        "budget raised",
    )?;
    let outcome = d.unfreeze(
        &Invocation::new(Actor::Operator(OperatorId::new("admin")?), now),
        &req,
    )?;
    assert_eq!(
        outcome
            .get(&referral)
            .and_then(|r| r.as_ref().err())
            .map(|e| e.code()),
        Some("WRONG_ASSOCIATION_TYPE")
    );
    let sent = accepted(&req, &outcome)?.ok_or("one accepted")?;
    let body = unfreeze_json(&sent, None)?;
    assert_eq!(body["customer_ids"], serde_json::json!([resale.as_str()]));
    assert_eq!(body["unfreeze_type"], "ACCOUNT_AND_RESOURCE");
    Ok(())
}
