//! Small hand-made desks for precise tests.
#![allow(dead_code)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use partnerdesk::privacy::Personal;
use partnerdesk::*;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

pub fn partner() -> Result<Partner> {
    Ok(Partner::new(
        PartnerId::new("p-test")?,
        "Test Partner",
        Site::International,
        Tier::Distributor,
    ))
}

pub fn money(s: &str) -> Result<Money> {
    Ok(Money::new(
        partnerdesk::money::parse_amount("amount", s)?,
        Currency::USD,
    ))
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A customer with the given id, account, name; referral since a year ago.
pub fn customer(id: &str, account: &str, name: &str) -> Result<Customer> {
    Ok(Customer::new(
        CustomerId::new(id)?,
        account,
        name,
        Association::new(AssociationType::Referral, now() - Duration::days(365)),
    ))
}

pub fn spend(c: &mut Customer, d: NaiveDate, amount: &str) -> Result<()> {
    c.add_spend(SpendRecord {
        day: d,
        product: "ecs".into(),
        amount: money(amount)?,
        mode: ChargingMode::PayPerUse,
    });
    Ok(())
}

pub fn resource(
    c: &mut Customer,
    rid: &str,
    expires_in_days: Option<i64>,
    policy: ExpiryPolicy,
) -> Result<()> {
    c.resources.push(Resource {
        id: ResourceId::new(rid)?,
        kind: if expires_in_days.is_some() {
            ResourceKind::YearlyMonthly
        } else {
            ResourceKind::PayPerUse
        },
        service: "ecs".into(),
        region: "ap-southeast-1".into(),
        name: rid.into(),
        status: ResourceStatus::Active,
        starts_at: now() - Duration::days(400),
        expires_at: expires_in_days.map(|d| now() + Duration::days(d)),
        expiry_policy: policy,
    });
    Ok(())
}

pub fn mobile(c: &mut Customer, number: &str) -> Result<()> {
    c.mobile = Some(Personal::new(Mobile::new("+86", number)?));
    Ok(())
}

/// Six customers covering every criterion, with ties on spend.
pub fn small_desk() -> Result<Desk> {
    let mut desk = Desk::new(partner()?, now());
    desk.add_operator(
        Operator::new(OperatorId::new("am_li")?, "Li Na", Role::Operator)
            .with_account_manager(true),
    )?;
    desk.add_operator(
        Operator::new(OperatorId::new("am_wang")?, "Wang Lei", Role::Operator)
            .with_account_manager(true),
    )?;

    let mut a = customer("c1", "acme_cloud", "Acme Cloud Ltd.")?;
    spend(&mut a, day(2026, 11, 3), "1500.50")?;
    spend(&mut a, day(2026, 10, 9), "99")?;
    a.tags.insert(Tag::new("vip")?);
    a.account_manager = Some(OperatorId::new("am_li")?);
    mobile(&mut a, "13812345678")?;
    resource(&mut a, "r1", Some(5), ExpiryPolicy::Manual)?;
    a.level = CustomerLevel::V3;

    let mut b = customer("c2", "ZS_CLOUD", "张三")?;
    spend(&mut b, day(2026, 11, 1), "1500.5")?;
    b.tags.insert(Tag::new("gold")?);
    b.tags.insert(Tag::new("vip")?);
    b.association.kind = AssociationType::Reseller;
    b.association.reseller = Some(ResellerId::new("res-1")?);
    b.account_manager = Some(OperatorId::new("am_wang")?);
    mobile(&mut b, "13900005678")?;
    resource(&mut b, "r2", Some(20), ExpiryPolicy::AutoRenew)?;
    resource(&mut b, "r3", Some(-3), ExpiryPolicy::Manual)?;
    b.freeze = FreezeState::Frozen(Box::new(Freeze {
        scope: FreezeScope::AccountAndResources,
        origin: FreezeOrigin::Manual,
        reason: "overdue".into(),
        by: "am_wang".into(),
        at: now() - Duration::days(2),
    }));
    b.budget = Some(Box::new(Budget {
        kind: BudgetKind::Monthly,
        amount: money("2000")?,
        set_at: now() - Duration::days(30),
        set_by: "admin".into(),
        auto_freeze: false,
        thresholds: partnerdesk::budget::default_thresholds(),
    }));

    let mut c = customer("c3", "globex", "GLOBEX Corp")?;
    c.association.since = now() - Duration::days(10);
    resource(&mut c, "r4", None, ExpiryPolicy::Manual)?;
    c.level = CustomerLevel::V3;

    let mut d = customer("c4", "acmeglobal", "acme global")?;
    spend(&mut d, day(2026, 11, 19), "-20")?;
    d.association.ended = Some(now() - Duration::days(1));

    let e = customer("c5", "muller", "Müller & Söhne GmbH")?;
    let mut f = customer("c6", "ivan", "Иван Петров")?;
    spend(&mut f, day(2026, 11, 2), "0")?;
    f.email = Some(Personal::new("ivan@example.com"));

    for x in [a, b, c, d, e, f] {
        desk.insert_customer(x)?;
    }
    Ok(desk)
}
