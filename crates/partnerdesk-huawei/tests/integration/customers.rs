//! `ListSubCustomers`: every field and code, both sites, tri-states, merging pages.

use crate::common::{TestResult, desk, id, nid, now};
use partnerdesk::{
    AssociationType, CustomerLevel, CustomerType, FreezeOrigin, FreezeScope, OperatorId, Role,
    Site, Tag, VerificationStatus,
};
use partnerdesk_huawei::fixtures;
use partnerdesk_huawei::import::{ImportOptions, import_list_sub_customers};

#[test]
fn china_starting_fixture_maps_every_field() -> TestResult {
    let mut d = desk(Site::China)?;
    let r = import_list_sub_customers(
        &mut d,
        &ImportOptions::at(now()),
        &[fixtures::LIST_SUB_CUSTOMERS_CN],
    )?;
    assert_eq!(r.reported_total, Some(2));
    assert_eq!(r.added.len(), 2);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);

    let a = d.customer(&id("0a1b2c3d4e5f60718293a4b5c6d7e8f9")?)?;
    assert_eq!(a.name.expose(), "Example Tech Co., Ltd.");
    assert_eq!(a.account_name.expose(), "exampletech01");
    assert_eq!(a.association.kind, AssociationType::Referral);
    assert_eq!(
        a.association.since.to_rfc3339(),
        "2024-03-18T02:15:40+00:00"
    );
    assert_eq!(
        a.tags.iter().map(Tag::as_str).collect::<Vec<_>>(),
        ["key-account"]
    );
    let m = a.mobile.as_ref().map(|m| m.expose().clone());
    assert_eq!(m.as_ref().map(|m| m.number.as_str()), Some("13800000001"));
    assert_eq!(m.as_ref().map(|m| m.country_code.as_str()), Some("0086"));
    assert_eq!(a.verification, VerificationStatus::Verified);
    assert_eq!(a.customer_type, CustomerType::Enterprise);
    assert!(!a.freeze.is_frozen());
    assert_eq!(a.account_manager, None);
    assert_eq!(
        a.external
            .as_ref()
            .map(|x| (x.id.as_str(), x.kind.as_str())),
        Some(("crm-100245", "partner_example_platform"))
    );
    assert_eq!(a.level, CustomerLevel::V2);
    assert_eq!(
        a.email.as_ref().map(|e| e.expose().as_str()),
        Some("it-admin@example.com")
    );

    let z = d.customer(&id("9f8e7d6c5b4a39281706f5e4d3c2b1a0")?)?;
    assert_eq!(z.name.expose(), "张三");
    assert_eq!(z.association.kind, AssociationType::Reseller);
    assert!(z.tags.is_empty(), "label \"\" means no tag");
    assert_eq!(z.customer_type, CustomerType::Individual);
    let f = z.freeze.freeze().ok_or("frozen")?;
    assert_eq!(f.scope, FreezeScope::AccountAndResources);
    assert_eq!(f.origin, FreezeOrigin::Imported);
    assert_eq!(f.by, "system");
    assert_eq!(f.at, now());
    assert_eq!(z.email, None, "email \"\" means none");
    assert_eq!(z.level, CustomerLevel::V0);

    // The manager login became an operator: role Operator, no permission items, account manager.
    let am = OperatorId::new("am_li_example")?;
    assert_eq!(z.account_manager.as_ref(), Some(&am));
    let op = d.operator(&am)?;
    assert_eq!(op.role, Role::Operator);
    assert!(op.permissions.is_empty());
    assert!(op.account_manager);
    assert_eq!(op.name.expose(), "am_li_example");
    assert_eq!(r.operators_added, vec![am]);
    Ok(())
}

#[test]
fn international_codes_and_unknown_scope() -> TestResult {
    let mut d = desk(Site::International)?;
    import_list_sub_customers(
        &mut d,
        &ImportOptions::at(now()),
        &[
            fixtures::LIST_SUB_CUSTOMERS_INTL,
            fixtures::LIST_SUB_CUSTOMERS_INTL_ALL_CODES,
        ],
    )?;
    let e = d.customer(&id("06ffbcd46880d3f30f62c001a49be460")?)?;
    assert_eq!(
        e.association.kind,
        AssociationType::Reseller,
        "intl 3 = reseller"
    );
    assert_eq!(
        e.freeze.scope(),
        Some(&FreezeScope::Unknown),
        "intl is_frozen=1: scope unknown"
    );
    assert_eq!(e.customer_type, CustomerType::Unset, "-1 = not set");
    assert_eq!(e.verification, VerificationStatus::UnderReview);
    assert_eq!(e.external, None, "xaccount_id and xaccount_type both \"\"");
    assert_eq!(e.level, CustomerLevel::V1);

    let referral = d.customer(&nid(0x1001)?)?;
    assert_eq!(referral.association.kind, AssociationType::Referral);
    assert_eq!(
        referral.verification,
        VerificationStatus::Failed,
        "intl 3 = failed"
    );
    assert!(!referral.freeze.is_frozen());
    let reseller = d.customer(&nid(0x1002)?)?;
    assert_eq!(reseller.association.kind, AssociationType::Reseller);
    assert_eq!(
        reseller
            .mobile
            .as_ref()
            .map(|m| m.expose().number.clone())
            .as_deref(),
        Some("5500000002")
    );
    // "2" is the China resale code; on the international site it is unknown and kept.
    let two = d.customer(&nid(0x1003)?)?;
    assert_eq!(two.association.kind, AssociationType::Other("2".into()));
    Ok(())
}

#[test]
fn every_china_code_null_empty_absent_unknown() -> TestResult {
    let mut d = desk(Site::China)?;
    let opts = ImportOptions::at(now());
    let r = import_list_sub_customers(&mut d, &opts, &[fixtures::LIST_SUB_CUSTOMERS_CN_ALL_CODES])?;
    assert_eq!(r.added.len(), 6);

    let c1 = d.customer(&nid(0xc001)?)?;
    assert_eq!(c1.name.expose(), "北京示例科技有限公司");
    assert_eq!(c1.level, CustomerLevel::V5);
    assert!(c1.tags.contains(&Tag::new("重点客户")?));
    assert_eq!(c1.account_manager, Some(OperatorId::new("am_wang")?));

    // null: reported empty.
    let c2 = d.customer(&nid(0xc002)?)?;
    assert_eq!(c2.name.expose(), "Zoë Müller");
    assert!(c2.tags.is_empty());
    assert_eq!(c2.mobile, None);
    assert_eq!(c2.email, None);
    assert_eq!(c2.account_manager, None);
    assert_eq!(c2.external, None);
    assert_eq!(
        c2.freeze.scope(),
        Some(&FreezeScope::Account),
        "China 1 = account"
    );
    assert_eq!(c2.verification, VerificationStatus::NotVerified);
    assert_eq!(c2.customer_type, CustomerType::Individual);

    let c3 = d.customer(&nid(0xc003)?)?;
    assert_eq!(c3.customer_type, CustomerType::Unset);
    assert_eq!(c3.verification, VerificationStatus::UnderReview);
    assert_eq!(c3.freeze.scope(), Some(&FreezeScope::AccountAndResources));
    assert_eq!(c3.level, CustomerLevel::V2);
    assert_eq!(
        c3.name.expose(),
        "",
        "unverified customers have no real name yet"
    );

    // Malformed personal fields are left out with a warning naming the field, never the value.
    let c4 = d.customer(&nid(0xc004)?)?;
    assert_eq!(c4.mobile, None, "masked phone left out");
    assert_eq!(c4.email, None);
    assert_eq!(c4.verification, VerificationStatus::Rejected);
    assert_eq!(c4.level, CustomerLevel::V3);
    assert_eq!(
        c4.account_manager,
        Some(OperatorId::new("am_wang")?),
        "the first manager is kept"
    );
    let c4_warnings: Vec<&str> = r
        .warnings
        .iter()
        .filter(|w| w.customer.as_ref() == Some(&c4.id))
        .map(|w| w.field.as_str())
        .collect();
    assert_eq!(
        c4_warnings,
        [
            "pages[0].customer_infos[3].telephone",
            "pages[0].customer_infos[3].email",
            "pages[0].customer_infos[3].account_managers"
        ]
    );
    for w in &r.warnings {
        let text = format!("{w:?}");
        assert!(
            !text.contains("138****") && !text.contains("not-an-email"),
            "{text}"
        );
    }

    // Unknown codes are kept verbatim.
    let c5 = d.customer(&nid(0xc005)?)?;
    assert_eq!(c5.association.kind, AssociationType::Other("9".into()));
    assert_eq!(c5.customer_type, CustomerType::Other("5".into()));
    assert_eq!(c5.verification, VerificationStatus::Other("8".into()));
    assert_eq!(c5.level, CustomerLevel::Other("V9".into()));
    assert_eq!(c5.freeze.scope(), Some(&FreezeScope::Other("7".into())));
    assert_eq!(c5.name.expose(), "Ünïcødé 客户 🚀");
    assert!(
        c5.tags.contains(&Tag::new("spaced label")?),
        "label trimmed"
    );
    assert_eq!(
        c5.email.as_ref().map(|e| e.expose().as_str()),
        Some("x@example.com")
    );
    assert_eq!(c5.account_manager, None, "an empty login is no manager");

    // Integer codes sent as strings are read the same.
    let c6 = d.customer(&nid(0xc006)?)?;
    assert_eq!(c6.customer_type, CustomerType::Enterprise);
    assert!(!c6.freeze.is_frozen());
    assert_eq!(c6.level, CustomerLevel::V4);
    assert_eq!(c6.external.as_ref().map(|x| x.id.as_str()), Some("crm-6"));

    // am_li was never assigned (only the first manager counts): only am_wang was created.
    assert_eq!(r.operators_added, vec![OperatorId::new("am_wang")?]);
    Ok(())
}

#[test]
fn absent_keeps_what_the_desk_knows_null_clears() -> TestResult {
    let mut d = desk(Site::China)?;
    let opts = ImportOptions::at(now());
    import_list_sub_customers(&mut d, &opts, &[fixtures::LIST_SUB_CUSTOMERS_CN_ALL_CODES])?;
    // A second listing of c001 where every optional member is absent keeps everything.
    let sparse =
        r#"{"count":1,"customer_infos":[{"customer_id":"0000000000000000000000000000c001"}]}"#;
    let r = import_list_sub_customers(&mut d, &opts, &[sparse])?;
    assert_eq!(r.updated.len(), 1);
    let c = d.customer(&nid(0xc001)?)?;
    assert_eq!(c.name.expose(), "北京示例科技有限公司");
    assert_eq!(c.tags.len(), 1);
    assert!(c.mobile.is_some() && c.email.is_some() && c.account_manager.is_some());
    assert_eq!(c.level, CustomerLevel::V5);
    // null clears.
    let nulls = r#"{"customer_infos":[{"customer_id":"0000000000000000000000000000c001","label":null,"email":null,"telephone":null,"account_managers":null,"xaccount_id":null,"xaccount_type":null}]}"#;
    import_list_sub_customers(&mut d, &opts, &[nulls])?;
    let c = d.customer(&nid(0xc001)?)?;
    assert!(c.tags.is_empty() && c.mobile.is_none() && c.email.is_none());
    assert!(c.account_manager.is_none() && c.external.is_none());
    assert_eq!(c.name.expose(), "北京示例科技有限公司", "absent name kept");
    Ok(())
}

#[test]
fn a_known_freeze_is_kept_with_its_reason() -> TestResult {
    let mut d = desk(Site::International)?;
    let opts = ImportOptions::at(now());
    import_list_sub_customers(&mut d, &opts, &[fixtures::LIST_SUB_CUSTOMERS_INTL])?;
    let cid = id("06ffbcd46880d3f30f62c001a49be460")?;
    d.update_customer(&cid, |c| {
        if let partnerdesk::FreezeState::Frozen(f) = &mut c.freeze {
            f.scope = FreezeScope::AccountAndResources;
            f.origin = FreezeOrigin::Manual;
            f.reason = "overdue".into();
        }
    })?;
    // Intl says "frozen" (scope unknown): the more precise known freeze stays.
    import_list_sub_customers(
        &mut d,
        &ImportOptions::at(now() + chrono::Duration::days(1)),
        &[fixtures::LIST_SUB_CUSTOMERS_INTL],
    )?;
    let f = d.customer(&cid)?.freeze.freeze().cloned().ok_or("frozen")?;
    assert_eq!(
        (f.scope, f.origin, f.reason.as_str(), f.at),
        (
            FreezeScope::AccountAndResources,
            FreezeOrigin::Manual,
            "overdue",
            now()
        )
    );
    Ok(())
}

#[test]
fn merges_pages_and_records_the_reseller() -> TestResult {
    let mut d = desk(Site::International)?;
    let reseller = partnerdesk::ResellerId::new("0b5e9bb21980d20c0f0fc00874a9e000")?;
    let opts = ImportOptions::at(now()).through_reseller(reseller.clone());
    let r = import_list_sub_customers(
        &mut d,
        &opts,
        &[
            fixtures::LIST_SUB_CUSTOMERS_INTL_PAGE1,
            fixtures::LIST_SUB_CUSTOMERS_INTL_PAGE2,
        ],
    )?;
    assert_eq!(r.reported_total, Some(3));
    assert_eq!(r.items, 4);
    assert_eq!(r.added.len(), 3, "the customer on both pages counts once");
    assert_eq!(d.len(), 3);
    let b = d.customer(&nid(0x2002)?)?;
    assert_eq!(
        b.tags.iter().map(Tag::as_str).collect::<Vec<_>>(),
        ["beta"],
        "the later page wins"
    );
    assert!(
        d.customers()
            .all(|c| c.association.reseller.as_ref() == Some(&reseller))
    );
    assert_eq!(r.operators_added, vec![OperatorId::new("am_page")?]);
    // Importing the same pages again changes nothing but counts updates.
    let again = import_list_sub_customers(
        &mut d,
        &opts,
        &[
            fixtures::LIST_SUB_CUSTOMERS_INTL_PAGE1,
            fixtures::LIST_SUB_CUSTOMERS_INTL_PAGE2,
        ],
    )?;
    assert_eq!((again.added.len(), again.updated.len(), d.len()), (0, 3, 3));
    assert!(again.operators_added.is_empty());
    Ok(())
}

#[test]
fn large_page_with_unicode_names() -> TestResult {
    let mut d = desk(Site::China)?;
    let r = import_list_sub_customers(
        &mut d,
        &ImportOptions::at(now()),
        &[fixtures::LIST_SUB_CUSTOMERS_CN_LARGE],
    )?;
    assert_eq!(r.added.len(), 100);
    assert_eq!(r.reported_total, Some(250));
    assert_eq!(d.len(), 100);
    let names: Vec<String> = d.customers().map(|c| c.name.expose().to_string()).collect();
    assert!(names.iter().any(|n| n.starts_with("東京テック")));
    assert!(names.iter().any(|n| n.starts_with("😀")));
    let q = partnerdesk::query::Query::parse("assoc=reseller and frozen=account_and_resources")?;
    // i odd (resale) and i % 3 == 2 (is_frozen 2): i = 5, 11, ..., 95 -> 16 customers.
    assert_eq!(d.count(&q, now()), 16);
    Ok(())
}

#[test]
fn bad_input_is_refused_and_nothing_changes() -> TestResult {
    let mut d = desk(Site::China)?;
    let opts = ImportOptions::at(now());
    import_list_sub_customers(&mut d, &opts, &[fixtures::LIST_SUB_CUSTOMERS_CN])?;
    let before: Vec<_> = d.customers().cloned().collect();
    let ops_before = d.operators().count();

    // A good page first, then a page without a customer id: nothing of either is imported.
    let e = import_list_sub_customers(
        &mut d,
        &opts,
        &[
            fixtures::LIST_SUB_CUSTOMERS_CN_ALL_CODES,
            fixtures::LIST_SUB_CUSTOMERS_MISSING_ID,
        ],
    )
    .err()
    .ok_or("refused")?;
    assert_eq!(e.code(), "HUAWEI_INVALID_DATA");
    assert_eq!(
        e.to_string(),
        "invalid Huawei data at pages[1].customer_infos[0].customer_id: missing"
    );

    let e = import_list_sub_customers(&mut d, &opts, &[fixtures::LIST_SUB_CUSTOMERS_BAD_TIME])
        .err()
        .ok_or("refused")?;
    assert_eq!(e.code(), "HUAWEI_INVALID_DATA");

    let e = import_list_sub_customers(&mut d, &opts, &["{\"count\": 1, \"customer_infos\": [ {"])
        .err()
        .ok_or("refused")?;
    assert_eq!(e.code(), "MALFORMED_JSON");

    let e = import_list_sub_customers(&mut d, &opts, &[fixtures::ERROR_DENIED])
        .err()
        .ok_or("refused")?;
    assert_eq!(e.code(), "HUAWEI_API_ERROR");
    match &e {
        partnerdesk_huawei::HuaweiError::Api(api) => assert_eq!(api.code(), "PERMISSION_DENIED"),
        other => return Err(format!("unexpected {other:?}").into()),
    }

    let after: Vec<_> = d.customers().cloned().collect();
    assert_eq!(before, after);
    assert_eq!(ops_before, d.operators().count());
    Ok(())
}

#[test]
fn empty_listing_is_fine() -> TestResult {
    let mut d = desk(Site::China)?;
    let r = import_list_sub_customers(
        &mut d,
        &ImportOptions::at(now()),
        &[fixtures::LIST_SUB_CUSTOMERS_EMPTY],
    )?;
    assert_eq!((r.reported_total, r.items, d.len()), (Some(0), 0, 0));
    Ok(())
}

#[test]
fn leaving_the_reseller_model_drops_the_budget() -> TestResult {
    let mut d = desk(Site::International)?;
    let opts = ImportOptions::at(now());
    import_list_sub_customers(&mut d, &opts, &[fixtures::LIST_SUB_CUSTOMERS_INTL])?;
    let cid = id("06ffbcd46880d3f30f62c001a49be460")?;
    partnerdesk_huawei::import::import_budget(&mut d, &opts, &cid, fixtures::BUDGET_SHOW)?;
    assert!(d.customer(&cid)?.budget.is_some());
    let referral = fixtures::LIST_SUB_CUSTOMERS_INTL
        .replace("\"association_type\": \"3\"", "\"association_type\": \"1\"");
    assert_ne!(referral, fixtures::LIST_SUB_CUSTOMERS_INTL);
    let r = import_list_sub_customers(&mut d, &opts, &[&referral])?;
    let c = d.customer(&cid)?;
    assert_eq!(c.association.kind, AssociationType::Referral);
    assert!(c.budget.is_none());
    assert_eq!(r.warnings.len(), 1);
    // The report serializes for bindings, with ids and fields but no personal data.
    let json = serde_json::to_string(&r)?;
    assert!(json.contains("association_type") && !json.contains("Ejemplo"));
    Ok(())
}
