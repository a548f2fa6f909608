//! The budget rules (domain §6) as a partner's developer states them, one test each. Written
//! from the rules, to catch a wrong rule (see docs/testing.md, "Mutation testing").

use crate::ops_fixture::*;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use partnerdesk::Invocation;
use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope};
use partnerdesk::budget::{Budget, BudgetOperation, BudgetSetting, default_thresholds, percent};
use partnerdesk::event::{Event, EventKind};
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::order::OrderRequest;
use partnerdesk::{
    Actor, BillingOffset, BudgetKind, ChargingMode, Decimal, Desk, Error, FreezeOrigin,
    FreezeScope, Money, OrderType, Result, SpendRecord,
};

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|_| unreachable!())
}

fn spend(desk: &mut Desk, id: &str, on: NaiveDate, units: i64) -> Result<()> {
    desk.add_spend(
        &cid(id),
        SpendRecord {
            day: on,
            product: "ecs".into(),
            amount: cny(units, 0),
            mode: ChargingMode::PayPerUse,
        },
    )
}

fn one_off(units: i64, auto_freeze: bool) -> Result<BudgetSetting> {
    BudgetSetting::new(cny(units, 0), BudgetKind::OneOff, auto_freeze, false)
}

fn kinds(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(|e| e.kind.code()).collect()
}

/// The thresholds crossed, in the order they were reported.
fn crossed(events: &[Event]) -> Vec<Decimal> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::BudgetThresholdCrossed { threshold, .. } => Some(*threshold),
            _ => None,
        })
        .collect()
}

fn periods(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::BudgetThresholdCrossed { period, .. }
            | EventKind::BudgetForecastCrossed { period, .. } => Some(period.clone()),
            _ => None,
        })
        .collect()
}

fn forecast(events: &[Event]) -> Option<Money> {
    events.iter().find_map(|e| match &e.kind {
        EventKind::BudgetForecastCrossed { projected, .. } => Some(*projected),
        _ => None,
    })
}

fn at(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, 0, 0)
        .single()
        .unwrap_or_default()
}

// ---- usage ------------------------------------------------------------------------------

#[test]
fn a_one_off_budget_counts_the_spend_since_the_day_it_was_set() -> Result<()> {
    let mut desk = desk()?;
    let r1 = cid("r1");
    // r1 spent 100 on Nov 2 and 50 on Nov 15; a one-off budget set on Nov 20 starts at 0.
    desk.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &one_off(1000, false)?,
    )?;
    let u = desk.budget_usage(&r1, now())?.ok_or(Error::InvalidCursor)?;
    assert_eq!((u.used, u.percent), (cny(0, 0), Decimal::ZERO));
    assert_eq!(u.remaining, cny(1000, 0));
    // The day it was set counts (both ends included), and so does the next month.
    spend(&mut desk, "r1", day(2026, 11, 20), 30)?;
    spend(&mut desk, "r1", day(2026, 12, 3), 20)?;
    let december = at(2026, 12, 5, 4);
    let u = desk
        .budget_usage(&r1, december)?
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(u.used, cny(50, 0));
    assert_eq!(u.percent, Decimal::from(5));
    assert_eq!(u.remaining, cny(950, 0));
    // A monthly budget counts the billing month only: 20 in December.
    desk.set_budget(
        &Invocation::new(op("ops"), december),
        &r1,
        &monthly(1000, false, false)?,
    )?;
    let u = desk
        .budget_usage(&r1, december)?
        .ok_or(Error::InvalidCursor)?;
    assert_eq!((u.used, u.percent), (cny(20, 0), Decimal::from(2)));
    Ok(())
}

#[test]
fn budget_used_and_usage_percent_follow_the_kind() -> Result<()> {
    let desk = desk()?;
    let c = desk.customer(&cid("r1"))?;
    let off = desk.partner().billing_offset;
    let mut b = Budget {
        kind: BudgetKind::OneOff,
        amount: cny(400, 0),
        set_at: at(2026, 10, 20, 4),
        set_by: "ops".into(),
        auto_freeze: false,
        thresholds: default_thresholds(),
    };
    // One-off since Oct 20: 40 (Oct 25) + 100 + 50.
    assert_eq!(b.used(c, now(), off), Decimal::from(190));
    assert_eq!(b.usage_percent(c, now(), off), d("47.5"));
    // Monthly: November only.
    b.kind = BudgetKind::Monthly;
    assert_eq!(b.used(c, now(), off), Decimal::from(150));
    assert_eq!(b.usage_percent(c, now(), off), d("37.5"));
    // The billing day is the partner's: 17:00 UTC on Oct 25 is already Oct 26 in UTC+8, so
    // the spend of Oct 25 is before it.
    b.kind = BudgetKind::OneOff;
    b.set_at = at(2026, 10, 25, 17);
    let utc = BillingOffset::from_minutes(0)?;
    assert_eq!(b.used(c, now(), off), Decimal::from(150));
    assert_eq!(b.used(c, now(), utc), Decimal::from(190));
    Ok(())
}

#[test]
fn percent_is_rounded_half_away_from_zero_to_two_decimals() {
    assert_eq!(percent(Decimal::from(1), Decimal::from(3)), d("33.33"));
    assert_eq!(percent(Decimal::from(2), Decimal::from(3)), d("66.67"));
    assert_eq!(percent(Decimal::from(1), Decimal::from(800)), d("0.13"));
    assert_eq!(percent(Decimal::from(-1), Decimal::from(800)), d("-0.13"));
    assert_eq!(percent(Decimal::from(300), Decimal::from(200)), d("150"));
    // No positive amount: 0, never a division by zero.
    assert_eq!(percent(Decimal::from(5), Decimal::ZERO), Decimal::ZERO);
    assert_eq!(percent(Decimal::from(5), Decimal::from(-2)), Decimal::ZERO);
}

#[test]
fn committed_orders_count_in_the_budget_period_only() -> Result<()> {
    let mut desk = desk()?;
    let r1 = cid("r1");
    let req = AuthorizationRequest::new(r1.clone(), [AuthorizationScope::PlaceOrders], 30, true)?;
    let auth = desk.request_authorization(&Invocation::new(op("ops"), now()), &req)?;
    desk.approve_authorization(&Invocation::new(Actor::Customer(r1.clone()), now()), &auth)?;
    desk.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(1000, false, false)?,
    )?;
    let day21 = now() + Duration::days(1);
    let order = OrderRequest::new(r1.clone(), OrderType::New, cny(40, 0))?;
    desk.place_order_on_behalf(&Invocation::new(op("ops"), day21), &order)?;
    // Monthly: the unpaid order of Nov 21 is committed: 1000 - 150 - 40.
    let u = desk.budget_usage(&r1, day21)?.ok_or(Error::InvalidCursor)?;
    assert_eq!((u.committed, u.remaining), (cny(40, 0), cny(810, 0)));
    // A one-off budget set on Nov 22 commits nothing placed before that day.
    let day22 = now() + Duration::days(2);
    desk.set_budget(
        &Invocation::new(op("ops"), day22),
        &r1,
        &one_off(1000, false)?,
    )?;
    let u = desk.budget_usage(&r1, day22)?.ok_or(Error::InvalidCursor)?;
    assert_eq!((u.used, u.committed), (cny(0, 0), cny(0, 0)));
    assert_eq!(u.remaining, cny(1000, 0));
    desk.place_order_on_behalf(&Invocation::new(op("ops"), day22), &order)?;
    let u = desk.budget_usage(&r1, day22)?.ok_or(Error::InvalidCursor)?;
    assert_eq!((u.committed, u.remaining), (cny(40, 0), cny(960, 0)));
    // Without a budget there is no usage.
    assert!(desk.budget_usage(&cid("r2"), now())?.is_none());
    Ok(())
}

// ---- settings ---------------------------------------------------------------------------

#[test]
fn thresholds_outside_0_to_1000_percent_are_refused() -> Result<()> {
    let s = monthly(100, false, false)?;
    assert_eq!(s.thresholds(), &default_thresholds()[..]);
    assert_eq!(
        default_thresholds(),
        vec![Decimal::from(80), Decimal::from(100)]
    );
    for bad in [
        vec![],
        vec![Decimal::ZERO],
        vec![Decimal::from(-5)],
        vec![d("1000.01")],
        vec![Decimal::from(50), Decimal::from(1001)],
    ] {
        assert_eq!(
            code(s.clone().with_thresholds(bad.clone())),
            Some("INVALID_ARGUMENT"),
            "{bad:?}"
        );
    }
    // The bounds themselves: just above 0, and 1000 exactly.
    let ok = s
        .clone()
        .with_thresholds([Decimal::from(1000), d("0.01")])?;
    assert_eq!(ok.thresholds(), &[d("0.01"), Decimal::from(1000)]);
    // Sorted, de-duplicated, normalised.
    let ok = s.with_thresholds([
        Decimal::from(100),
        d("50.0"),
        Decimal::from(50),
        Decimal::from(80),
    ])?;
    assert_eq!(
        ok.thresholds(),
        &[Decimal::from(50), Decimal::from(80), Decimal::from(100)]
    );
    assert_eq!(ok.thresholds()[0].scale(), 0);
    Ok(())
}

#[test]
fn a_setting_keeps_what_it_was_given() -> Result<()> {
    for (kind, auto_freeze, unfreeze) in [
        (BudgetKind::Monthly, true, false),
        (BudgetKind::OneOff, false, true),
        (BudgetKind::Monthly, false, false),
        (BudgetKind::OneOff, true, true),
    ] {
        let s = BudgetSetting::new(cny(123, 45), kind.clone(), auto_freeze, unfreeze)?;
        assert_eq!(s.amount(), cny(123, 45));
        assert_eq!(s.kind(), &kind);
        assert_eq!((s.auto_freeze(), s.unfreeze()), (auto_freeze, unfreeze));
    }
    // Only monthly or one-off.
    assert_eq!(
        code(BudgetSetting::new(
            cny(10, 0),
            BudgetKind::parse("quarterly"),
            false,
            false
        )),
        Some("INVALID_ARGUMENT")
    );
    Ok(())
}

#[test]
fn the_budget_in_force_is_the_setting_with_who_and_when() -> Result<()> {
    let mut desk = desk()?;
    let r1 = cid("r1");
    let s = one_off(700, true)?.with_thresholds([Decimal::from(50)])?;
    desk.set_budget(&Invocation::new(op("ops"), now()), &r1, &s)?;
    let b = desk
        .customer(&r1)?
        .budget
        .clone()
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(b.kind, BudgetKind::OneOff);
    assert_eq!(b.amount, cny(700, 0));
    assert_eq!((b.set_at, b.set_by.as_str()), (now(), "ops"));
    assert!(b.auto_freeze);
    assert_eq!(b.thresholds, vec![Decimal::from(50)]);
    Ok(())
}

#[test]
fn budget_records_are_per_customer_oldest_first() -> Result<()> {
    let mut desk = desk()?;
    desk.set_budget(
        &Invocation::new(op("ops"), now()),
        &cid("r1"),
        &monthly(100, false, false)?,
    )?;
    desk.set_budget(
        &Invocation::new(op("admin"), now()),
        &cid("r2"),
        &monthly(200, false, false)?,
    )?;
    let later = now() + Duration::hours(1);
    desk.set_budget(
        &Invocation::new(op("admin"), later),
        &cid("r1"),
        &one_off(300, false)?,
    )?;
    let recs = desk.budget_records(&cid("r1"));
    let seen: Vec<_> = recs
        .iter()
        .map(|r| (r.amount, r.kind.clone(), r.at, r.operator.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (cny(100, 0), BudgetKind::Monthly, now(), "ops"),
            (cny(300, 0), BudgetKind::OneOff, later, "admin"),
        ]
    );
    assert!(recs.iter().all(|r| r.operation == BudgetOperation::Setting));
    assert_eq!(desk.budget_records(&cid("r2")).len(), 1);
    assert!(desk.budget_records(&cid("ref1")).is_empty());
    Ok(())
}

#[test]
fn setting_a_budget_unfreezes_only_when_asked() -> Result<()> {
    let mut desk = desk()?;
    let r1 = cid("r1");
    let req = FreezeRequest::new(vec![r1.clone()], FreezeScope::Account, "overdue invoices")?;
    desk.freeze(&Invocation::new(op("ops"), now()), &req)?;
    desk.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(500, false, false)?,
    )?;
    assert!(desk.customer(&r1)?.freeze.is_frozen());
    let before = desk.events().len();
    desk.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(500, false, true)?,
    )?;
    assert!(!desk.customer(&r1)?.freeze.is_frozen());
    assert_eq!(kinds(&desk.events()[before..]), ["budget_set", "unfrozen"]);
    // Asking to unfreeze an account that is not frozen emits no unfreeze.
    let before = desk.events().len();
    desk.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(500, false, true)?,
    )?;
    assert_eq!(kinds(&desk.events()[before..]), ["budget_set"]);
    Ok(())
}

// ---- evaluation -------------------------------------------------------------------------

#[test]
fn the_forecast_projects_the_months_pace_to_its_end() -> Result<()> {
    // 150 spent in the first 20 days of a 30-day billing month: 150 / 20 * 30 = 225.
    let mut desk = desk()?;
    let r1 = cid("r1");
    desk.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(226, false, false)?,
    )?;
    assert!(desk.evaluate_budget(&r1, now())?.is_empty());
    let exact = BudgetSetting::new(cny(225, 0), BudgetKind::Monthly, false, false)?;
    desk.set_budget(&Invocation::new(op("ops"), now()), &r1, &exact)?;
    let ev = desk.evaluate_budget(&r1, now())?;
    assert_eq!(kinds(&ev), ["budget_forecast_crossed"]);
    assert_eq!(forecast(&ev), Some(cny(225, 0)));
    assert_eq!(periods(&ev), ["2026-11"]);
    // Once per period.
    assert!(desk.evaluate_budget(&r1, now())?.is_empty());
    // On the first day of a 31-day month, the day's spend is projected over 31 days.
    let december = at(2026, 12, 1, 2);
    spend(&mut desk, "r1", day(2026, 12, 1), 10)?;
    desk.set_budget(
        &Invocation::new(op("ops"), december),
        &r1,
        &monthly(310, false, false)?,
    )?;
    let ev = desk.evaluate_budget(&r1, december)?;
    assert_eq!(forecast(&ev), Some(cny(310, 0)));
    Ok(())
}

#[test]
fn a_one_off_budget_has_no_forecast_and_one_period_for_its_life() -> Result<()> {
    let mut desk = desk()?;
    let r1 = cid("r1");
    desk.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &one_off(100, false)?,
    )?;
    // 90 since it was set: the 80% crossing, and no forecast (even at this pace).
    spend(&mut desk, "r1", day(2026, 11, 20), 90)?;
    let ev = desk.evaluate_budget(&r1, now())?;
    assert_eq!(kinds(&ev), ["budget_threshold_crossed"]);
    assert_eq!(crossed(&ev), [Decimal::from(80)]);
    assert_eq!(periods(&ev), ["one_off:2026-11-20T10:00:00Z"]);
    // A new billing month is not a new period for a one-off budget.
    let december = at(2026, 12, 5, 4);
    assert!(desk.evaluate_budget(&r1, december)?.is_empty());
    spend(&mut desk, "r1", day(2026, 12, 3), 20)?;
    let ev = desk.evaluate_budget(&r1, december)?;
    assert_eq!(crossed(&ev), [Decimal::from(100)]);
    assert_eq!(periods(&ev), ["one_off:2026-11-20T10:00:00Z"]);
    Ok(())
}

#[test]
fn each_threshold_reached_is_reported_with_the_usage() -> Result<()> {
    let mut desk = desk()?;
    let r1 = cid("r1");
    // 150 of 150: exactly 100% reaches both default thresholds (>=, not >).
    let s = monthly(150, false, false)?;
    desk.set_budget(&Invocation::new(op("ops"), now()), &r1, &s)?;
    let ev = desk.evaluate_budget(&r1, now())?;
    assert_eq!(crossed(&ev), [Decimal::from(80), Decimal::from(100)]);
    for e in &ev {
        if let EventKind::BudgetThresholdCrossed { percent, .. } = &e.kind {
            assert_eq!(*percent, Decimal::from(100));
        }
        assert_eq!(e.actor, Actor::System);
        assert_eq!(e.customer.as_ref(), Some(&r1));
    }
    assert!(!desk.customer(&r1)?.freeze.is_frozen());
    // Just under a threshold reports nothing for it.
    let mut desk = desk_fresh()?;
    let s = BudgetSetting::new(cny(187, 51), BudgetKind::Monthly, false, false)?
        .with_thresholds([Decimal::from(80)])?;
    desk.set_budget(&Invocation::new(op("ops"), now()), &r1, &s)?;
    // 150 / 187.51 = 79.996%, rounded to 80.00: reached.
    assert_eq!(
        crossed(&desk.evaluate_budget(&r1, now())?),
        [Decimal::from(80)]
    );
    let mut desk = desk_fresh()?;
    let s = BudgetSetting::new(cny(187, 60), BudgetKind::Monthly, false, false)?
        .with_thresholds([Decimal::from(80)])?;
    desk.set_budget(&Invocation::new(op("ops"), now()), &r1, &s)?;
    // 150 / 187.60 = 79.96%: not reached.
    assert!(crossed(&desk.evaluate_budget(&r1, now())?).is_empty());
    Ok(())
}

fn desk_fresh() -> Result<Desk> {
    desk()
}

#[test]
fn auto_freeze_freezes_at_100_percent_whatever_the_thresholds() -> Result<()> {
    let mut desk = desk()?;
    let r1 = cid("r1");
    // Thresholds 50 only; with auto-freeze, 100% is still watched and freezes the account.
    let s = monthly(150, true, false)?.with_thresholds([Decimal::from(50)])?;
    desk.set_budget(&Invocation::new(op("ops"), now()), &r1, &s)?;
    let ev = desk.evaluate_budget(&r1, now())?;
    assert_eq!(
        kinds(&ev),
        [
            "budget_threshold_crossed",
            "budget_threshold_crossed",
            "budget_forecast_crossed",
            "frozen"
        ]
    );
    assert_eq!(crossed(&ev), [Decimal::from(50), Decimal::from(100)]);
    let f = desk
        .customer(&r1)?
        .freeze
        .freeze()
        .cloned()
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(f.scope, FreezeScope::Account);
    assert_eq!(f.origin, FreezeOrigin::Budget);
    assert_eq!((f.by.as_str(), f.at), ("system", now()));
    // Without auto-freeze and without a 100% threshold, 100% raises nothing more than 50%.
    let mut desk = desk_fresh()?;
    let s = monthly(150, false, false)?.with_thresholds([Decimal::from(50)])?;
    desk.set_budget(&Invocation::new(op("ops"), now()), &r1, &s)?;
    let ev = desk.evaluate_budget(&r1, now())?;
    assert_eq!(crossed(&ev), [Decimal::from(50)]);
    assert!(!desk.customer(&r1)?.freeze.is_frozen());
    Ok(())
}

#[test]
fn auto_freeze_waits_for_100_percent() -> Result<()> {
    let mut desk = desk()?;
    let r1 = cid("r1");
    // 150 of 151: 99.34%.
    desk.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(151, true, false)?,
    )?;
    let ev = desk.evaluate_budget(&r1, now())?;
    assert_eq!(crossed(&ev), [Decimal::from(80)]);
    assert!(!kinds(&ev).contains(&"frozen"));
    assert!(!desk.customer(&r1)?.freeze.is_frozen());
    Ok(())
}

#[test]
fn auto_freeze_leaves_an_already_frozen_account_alone() -> Result<()> {
    let mut desk = desk()?;
    let r1 = cid("r1");
    let req = FreezeRequest::new(vec![r1.clone()], FreezeScope::Account, "overdue invoices")?;
    desk.freeze(&Invocation::new(op("ops"), now()), &req)?;
    desk.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(100, true, false)?,
    )?;
    let ev = desk.evaluate_budget(&r1, now())?;
    assert!(crossed(&ev).contains(&Decimal::from(100)));
    assert!(!kinds(&ev).contains(&"frozen"));
    let f = desk
        .customer(&r1)?
        .freeze
        .freeze()
        .cloned()
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(f.origin, FreezeOrigin::Manual);
    Ok(())
}

#[test]
fn evaluating_every_budget_counts_the_events_of_budgeted_customers() -> Result<()> {
    let mut desk = desk()?;
    // No budget anywhere: nothing to report.
    assert_eq!(desk.evaluate_budgets(now())?, 0);
    assert!(desk.evaluate_budget(&cid("r1"), now())?.is_empty());
    desk.set_budget(
        &Invocation::new(op("ops"), now()),
        &cid("r1"),
        &monthly(150, false, false)?,
    )?;
    desk.set_budget(
        &Invocation::new(op("admin"), now()),
        &cid("r2"),
        &monthly(100, false, false)?,
    )?;
    spend(&mut desk, "r2", day(2026, 11, 3), 85)?;
    let before = desk.events().len();
    // r1: 80%, 100% and the forecast; r2: 80% and the forecast (85 / 20 * 30 = 127.5).
    assert_eq!(desk.evaluate_budgets(now())?, 5);
    assert_eq!(desk.events().len(), before + 5);
    assert_eq!(desk.evaluate_budgets(now())?, 0);
    Ok(())
}

#[test]
fn only_unpaid_orders_placed_on_the_customers_behalf_are_committed() -> Result<()> {
    use partnerdesk::{OperatorId, Order, OrderId, OrderStatus};
    let mut desk = desk()?;
    let r1 = cid("r1");
    desk.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(1000, false, false)?,
    )?;
    let order = |n: u32, status: OrderStatus, by: Option<&str>, units: i64| -> Result<Order> {
        Ok(Order {
            id: OrderId::new(format!("CS{n:010}"))?,
            status,
            kind: OrderType::New,
            amount: cny(units, 0),
            created_at: now() - Duration::days(1),
            paid_at: None,
            placed_by: by.map(OperatorId::new).transpose()?,
        })
    };
    let orders = vec![
        // Counted: unpaid, placed by an operator, in the month.
        order(1, OrderStatus::PendingPayment, Some("ops"), 40)?,
        // Not counted: paid (completed), the customer's own, or before the month.
        order(2, OrderStatus::Completed, Some("ops"), 100)?,
        order(3, OrderStatus::PendingPayment, None, 200)?,
        Order {
            created_at: at(2026, 10, 31, 12),
            ..order(4, OrderStatus::PendingPayment, Some("ops"), 300)?
        },
    ];
    desk.update_customer(&r1, |c| c.orders = orders.into())?;
    let u = desk.budget_usage(&r1, now())?.ok_or(Error::InvalidCursor)?;
    assert_eq!(u.committed, cny(40, 0));
    assert_eq!(u.remaining, cny(810, 0));
    Ok(())
}
