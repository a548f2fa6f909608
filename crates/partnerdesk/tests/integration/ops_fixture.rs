//! A small, hand-built desk for the governed-operation tests: known customers, operators with
//! known grants, and helpers.
#![allow(dead_code)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use partnerdesk::budget::BudgetSetting;
use partnerdesk::privacy::Personal;
use partnerdesk::{
    Actor, Association, AssociationType, BudgetKind, ChargingMode, Currency, Customer, CustomerId,
    Decimal, Desk, Mobile, Money, Operator, OperatorId, Partner, PartnerId, Permission, ResellerId,
    Result, Role, Site, SpendRecord, Tier,
};

/// 2026-11-20T10:00:00Z: the 20th day of the November billing month (UTC+8).
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0)
        .single()
        .unwrap_or_default()
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

pub fn cny(units: i64, cents: i64) -> Money {
    Money::new(Decimal::new(units * 100 + cents, 2), Currency::CNY)
}

pub fn op(id: &str) -> Actor {
    Actor::Operator(OperatorId::new(id).unwrap_or_else(|_| unreachable!()))
}

pub fn cid(id: &str) -> CustomerId {
    CustomerId::new(id).unwrap_or_else(|_| unreachable!())
}

pub fn code<T>(r: Result<T>) -> Option<&'static str> {
    r.err().map(|e| e.code())
}

/// Names, mobiles and e-mails of the fixture customers (for the no-PII checks).
pub const PII: &[&str] = &[
    "Zhang Wei Trading",
    "13812345678",
    "zhang.wei@example.com",
    "Liu Yang Reseller",
    "13987654321",
    "liu.yang@example.com",
    "Referral Rita",
    "13700001111",
    "rita@example.com",
    "Fresh Felix",
    "13600002222",
    "felix@example.com",
];

fn customer(
    id: &str,
    name: &str,
    mobile: &str,
    email: &str,
    kind: AssociationType,
) -> Result<Customer> {
    let since = now() - Duration::days(400);
    let mut c = Customer::new(
        CustomerId::new(id)?,
        format!("acct_{id}"),
        name,
        Association::new(kind, since),
    );
    c.mobile = Some(Personal::new(Mobile::new("+86", mobile)?));
    c.email = Some(Personal::new(email.to_owned()));
    Ok(c)
}

pub fn fresh_customer() -> Result<Customer> {
    customer(
        "new1",
        "Fresh Felix",
        "13600002222",
        "felix@example.com",
        AssociationType::Reseller,
    )
}

/// The desk: partner `p-1` (China, distributor), operators:
/// - `admin` (administrator),
/// - `ops` (freeze, budget, assign, request authorization, place orders, view customers/spend),
/// - `viewer` (view customers only),
/// - `rops` (reseller-scoped freeze and budget only),
/// - `am1`, `am2` (account managers, no items);
///
/// customers `r1` (reseller model, spend 100 on Nov 2 and 50 on Nov 15, 80 on Oct 10, 40 on
/// Oct 25), `r2` (reseller model through reseller `res-1`), `ref1` (referral).
pub fn desk() -> Result<Desk> {
    let partner = Partner::new(
        PartnerId::new("p-1")?,
        "Partner Co.",
        Site::China,
        Tier::Distributor,
    );
    desk_for(partner)
}

pub fn desk_for(partner: Partner) -> Result<Desk> {
    let mut d = Desk::new(partner, now());
    d.add_operator(Operator::new(
        OperatorId::new("admin")?,
        "Admin A",
        Role::Administrator,
    ))?;
    d.add_operator(
        Operator::new(OperatorId::new("ops")?, "Ops O", Role::Operator).with_permissions([
            Permission::FreezeUnfreeze,
            Permission::SetBudget,
            Permission::AssignAccountManager,
            Permission::RequestAuthorization,
            Permission::PlaceOrderOnBehalf,
            Permission::ViewCustomers,
            Permission::ViewSpend,
        ])?,
    )?;
    d.add_operator(
        Operator::new(OperatorId::new("viewer")?, "Viewer V", Role::Operator)
            .with_permissions([Permission::ViewCustomers])?,
    )?;
    d.add_operator(
        Operator::new(OperatorId::new("rops")?, "Reseller Ops", Role::Operator).with_permissions(
            [
                Permission::FreezeUnfreezeResellerCustomers,
                Permission::SetBudgetResellerCustomers,
            ],
        )?,
    )?;
    for am in ["am1", "am2"] {
        d.add_operator(
            Operator::new(
                OperatorId::new(am)?,
                format!("Manager {am}"),
                Role::Operator,
            )
            .with_account_manager(true),
        )?;
    }
    let mut r1 = customer(
        "r1",
        "Zhang Wei Trading",
        "13812345678",
        "zhang.wei@example.com",
        AssociationType::Reseller,
    )?;
    for (d_, amount) in [
        (day(2026, 10, 10), cny(80, 0)),
        (day(2026, 10, 25), cny(40, 0)),
        (day(2026, 11, 2), cny(100, 0)),
        (day(2026, 11, 15), cny(50, 0)),
    ] {
        r1.spend.push(SpendRecord {
            day: d_,
            product: if amount.amount > Decimal::from(60) {
                "ecs".into()
            } else {
                "obs".into()
            },
            amount,
            mode: ChargingMode::PayPerUse,
        });
    }
    d.insert_customer(r1)?;
    let mut r2 = customer(
        "r2",
        "Liu Yang Reseller",
        "13987654321",
        "liu.yang@example.com",
        AssociationType::Reseller,
    )?;
    r2.association.reseller = Some(ResellerId::new("res-1")?);
    d.insert_customer(r2)?;
    d.insert_customer(customer(
        "ref1",
        "Referral Rita",
        "13700001111",
        "rita@example.com",
        AssociationType::Referral,
    )?)?;
    without_log(&d)
}

/// The desk as a snapshot of its data alone loads it: the log that building the fixture
/// wrote (operators and customers added) is left out, so each test's log starts with its own
/// commands, as for a desk a host loaded from its snapshot.
pub fn without_log(d: &Desk) -> Result<Desk> {
    let mut snap: serde_json::Value = serde_json::from_str(&d.to_snapshot_json()?)?;
    if let Some(ledger) = snap.get_mut("ledger").and_then(|l| l.as_object_mut()) {
        for field in ["events", "event_seq", "chain_head"] {
            ledger.remove(field);
        }
    }
    Desk::from_snapshot_json(&snap.to_string())
}

pub fn monthly(units: i64, auto_freeze: bool, unfreeze: bool) -> Result<BudgetSetting> {
    BudgetSetting::new(cny(units, 0), BudgetKind::Monthly, auto_freeze, unfreeze)
}
