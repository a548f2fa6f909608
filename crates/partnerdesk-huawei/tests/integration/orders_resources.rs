//! Resources (pay-per-use, yearly/monthly) and orders: every status, type and policy.

use crate::common::{TestResult, desk, id, now};
use partnerdesk::{
    Decimal, Desk, ExpiryPolicy, OrderStatus, OrderType, ResourceKind, ResourceStatus, Site,
};
use partnerdesk_huawei::fixtures;
use partnerdesk_huawei::import::{
    ImportOptions, import_list_sub_customers, import_on_demand_resources, import_orders,
    import_subscription_resources,
};
use std::str::FromStr;

const RS: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";

fn cn_desk() -> Result<Desk, Box<dyn std::error::Error>> {
    let mut d = desk(Site::China)?;
    import_list_sub_customers(
        &mut d,
        &ImportOptions::at(now()),
        &[fixtures::LIST_SUB_CUSTOMERS_CN],
    )?;
    Ok(d)
}

#[test]
fn on_demand_statuses() -> TestResult {
    let mut d = cn_desk()?;
    let r = import_on_demand_resources(
        &mut d,
        &ImportOptions::at(now()),
        &[fixtures::RESOURCES_ON_DEMAND],
    )?;
    assert_eq!((r.items, r.resources, r.warnings.len()), (8, 7, 1));
    let c = d.customer(&id(RS)?)?;
    let status = |rid: &str| {
        c.resources
            .iter()
            .find(|r| r.id.as_str() == rid)
            .map(|r| r.status.clone())
    };
    assert_eq!(status("vm-ondemand-1"), Some(ResourceStatus::Active));
    assert_eq!(status("vm-ondemand-2"), Some(ResourceStatus::GracePeriod));
    assert_eq!(status("vm-ondemand-3"), Some(ResourceStatus::Frozen));
    assert_eq!(
        status("vm-ondemand-4"),
        Some(ResourceStatus::Other("4".into()))
    );
    assert_eq!(
        status("vm-ondemand-5"),
        Some(ResourceStatus::Other("5".into()))
    );
    assert_eq!(status("vm-ondemand-6"), Some(ResourceStatus::Released));
    assert_eq!(
        status("vm-ondemand-9"),
        Some(ResourceStatus::Other("9".into()))
    );
    assert!(
        c.resources
            .iter()
            .all(|r| r.kind == ResourceKind::PayPerUse)
    );
    let first = c
        .resources
        .iter()
        .find(|r| r.id.as_str() == "vm-ondemand-1")
        .ok_or("vm")?;
    assert_eq!(first.expires_at, None, "expire_time \"\" = none");
    assert_eq!(
        (
            first.service.as_str(),
            first.region.as_str(),
            first.name.as_str()
        ),
        ("hws.service.type.ec2", "cn-north-4", "web-1")
    );
    assert_eq!(
        c.next_expiry(now()),
        None,
        "pay-per-use never counts for expiry"
    );
    // Re-import replaces by id, never duplicates.
    import_on_demand_resources(
        &mut d,
        &ImportOptions::at(now()),
        &[fixtures::RESOURCES_ON_DEMAND],
    )?;
    assert_eq!(d.customer(&id(RS)?)?.resources.len(), 7);
    Ok(())
}

#[test]
fn subscription_statuses_and_policies() -> TestResult {
    let mut d = cn_desk()?;
    let cid = id(RS)?;
    let r = import_subscription_resources(
        &mut d,
        &ImportOptions::at(now()),
        &cid,
        &[fixtures::RESOURCES_SUBSCRIPTION],
    )?;
    assert_eq!(r.resources, 10);
    let c = d.customer(&cid)?;
    let get = |rid: &str| {
        c.resources
            .iter()
            .find(|r| r.id.as_str() == rid)
            .ok_or("resource")
    };
    assert_eq!(get("ym-2-0")?.expiry_policy, ExpiryPolicy::Manual);
    assert_eq!(get("ym-2-1")?.expiry_policy, ExpiryPolicy::ToPayPerUse);
    assert_eq!(get("ym-2-2")?.expiry_policy, ExpiryPolicy::ReleaseAtExpiry);
    assert_eq!(get("ym-2-3")?.expiry_policy, ExpiryPolicy::AutoRenew);
    assert_eq!(
        get("ym-2-4")?.expiry_policy,
        ExpiryPolicy::Other("4".into())
    );
    assert_eq!(
        get("ym-2-5")?.expiry_policy,
        ExpiryPolicy::Other("5".into())
    );
    assert_eq!(get("ym-2-0")?.status, ResourceStatus::Active);
    assert_eq!(get("ym-3-3")?.status, ResourceStatus::Released);
    assert_eq!(get("ym-4-3")?.status, ResourceStatus::Frozen);
    assert_eq!(get("ym-5-3")?.status, ResourceStatus::GracePeriod);
    assert_eq!(get("ym-8-3")?.status, ResourceStatus::Other("8".into()));
    assert!(
        c.resources
            .iter()
            .all(|r| r.kind == ResourceKind::YearlyMonthly)
    );
    assert_eq!(
        get("ym-2-0")?.expires_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-12-01T00:00:00+00:00")
    );
    // The next expiry is the earliest live one.
    assert_eq!(
        c.next_expiry(now()).map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-12-01T00:00:00+00:00")
    );
    let q = partnerdesk::query::Query::parse("expires<=700d")?;
    assert_eq!(d.count(&q, now()), 1);
    Ok(())
}

#[test]
fn orders_every_status_and_type_exact_amounts() -> TestResult {
    let mut d = cn_desk()?;
    let r = import_orders(&mut d, &[fixtures::ORDERS])?;
    assert_eq!((r.orders, r.warnings.len()), (9, 1));
    let c = d.customer(&id(RS)?)?;
    let o = |oid: &str| {
        c.orders
            .iter()
            .find(|o| o.id.as_str() == oid)
            .ok_or("order")
    };
    let expect = [
        (
            "CS20250001",
            OrderStatus::PendingReview,
            OrderType::New,
            "1500.5",
        ),
        (
            "CS20250002",
            OrderStatus::PendingRefund,
            OrderType::Renewal,
            "0.1",
        ),
        (
            "CS20250003",
            OrderStatus::Processing,
            OrderType::Change,
            "12345678901234.56",
        ),
        (
            "CS20250004",
            OrderStatus::Cancelled,
            OrderType::Unsubscription,
            "0",
        ),
        (
            "CS20250005",
            OrderStatus::Completed,
            OrderType::Other("10".into()),
            "99.99",
        ),
        (
            "CS20250006",
            OrderStatus::PendingPayment,
            OrderType::ToYearlyMonthly,
            "10",
        ),
        (
            "CS20250007",
            OrderStatus::PendingConfirmation,
            OrderType::Other("13".into()),
            "1",
        ),
        (
            "CS20250008",
            OrderStatus::Other("12".into()),
            OrderType::Other("15".into()),
            "2",
        ),
    ];
    for (oid, status, kind, amount) in expect {
        let x = o(oid)?;
        assert_eq!(
            (&x.status, &x.kind, x.amount.amount),
            (&status, &kind, Decimal::from_str(amount)?),
            "{oid}"
        );
    }
    assert!(o("CS20250005")?.paid_at.is_some());
    assert!(
        o("CS20250001")?.paid_at.is_none(),
        "payment_time \"\" = unpaid"
    );
    // measure_id 3 (fen): 12345 fen = 123.45 yuan; "YYYY-MM-DD hh:mm:ss" read as UTC.
    let fen = o("CS2025FEN")?;
    assert_eq!(fen.amount.amount, Decimal::from_str("123.45")?);
    assert_eq!(fen.created_at.to_rfc3339(), "2025-03-02T08:00:00+00:00");
    assert_eq!(c.orders.iter().filter(|o| o.is_unpaid()).count(), 2);
    Ok(())
}

#[test]
fn order_in_another_currency_is_refused() -> TestResult {
    let mut d = cn_desk()?;
    let before = d.customer(&id(RS)?)?.clone();
    let usd = format!(
        r#"{{"total_count":1,"order_infos":[{{"order_id":"X1","customer_id":"{RS}","status":6,"order_type":1,"amount_after_discount":1,"measure_id":1,"currency":"USD","create_time":"2025-03-01T00:00:00Z"}}]}}"#
    );
    let e = import_orders(&mut d, &[&usd]).err().ok_or("refused")?;
    assert_eq!(e.code(), "CURRENCY_MISMATCH");
    let bad_measure = usd
        .replace("\"USD\"", "\"CNY\"")
        .replace("\"measure_id\":1", "\"measure_id\":9");
    let e = import_orders(&mut d, &[&bad_measure])
        .err()
        .ok_or("refused")?;
    assert_eq!(e.code(), "HUAWEI_INVALID_DATA");
    assert_eq!(d.customer(&id(RS)?)?, &before);
    Ok(())
}

#[test]
fn measure_ids_scale_exactly() -> TestResult {
    for (measure, amount, expected) in [
        ("1", "1234.5", "1234.5"),
        ("2", "12345", "1234.5"),
        ("3", "123450", "1234.5"),
        ("3", "1", "0.01"),
    ] {
        let mut d = cn_desk()?;
        let json = format!(
            r#"{{"total_count":1,"order_infos":[{{"order_id":"M{measure}","customer_id":"{RS}","status":6,"order_type":1,"amount_after_discount":{amount},"measure_id":{measure},"currency":"CNY","create_time":"2025-03-01T00:00:00Z"}}]}}"#
        );
        import_orders(&mut d, &[&json])?;
        let got = d
            .customer(&id(RS)?)?
            .orders
            .first()
            .map(|o| o.amount.amount);
        assert_eq!(
            got,
            Some(Decimal::from_str(expected)?),
            "measure {measure}, amount {amount}"
        );
    }
    Ok(())
}

#[test]
fn out_of_range_order_amounts_are_refused_not_rounded() -> TestResult {
    // Issue #13 row 3: an imported amount goes through the core's one order-amount check
    // (at most 10^15, not negative, at most 8 decimals), and a refused import changes nothing.
    let mut d = cn_desk()?;
    let before = d.clone();
    for amount in [
        "79000000000000000000000000000",
        "1000000000000001",
        "-1",
        "0.000000001",
    ] {
        let json = format!(
            r#"{{"total_count":3,"order_infos":[{{"order_id":"H1","customer_id":"{RS}","status":6,"order_type":1,"amount_after_discount":{amount},"measure_id":1,"currency":"CNY","create_time":"2025-03-01T00:00:00Z"}},{{"order_id":"H2","customer_id":"{RS}","status":6,"order_type":1,"amount_after_discount":{amount},"measure_id":1,"currency":"CNY","create_time":"2025-03-01T00:00:00Z"}},{{"order_id":"H3","customer_id":"{RS}","status":6,"order_type":1,"amount_after_discount":{amount},"measure_id":1,"currency":"CNY","create_time":"2025-03-01T00:00:00Z"}}]}}"#
        );
        let e = import_orders(&mut d, &[&json]).err().ok_or("imported")?;
        assert_eq!(e.code(), "INVALID_MONEY", "{amount}");
        assert_eq!(d, before, "{amount}");
    }
    Ok(())
}
