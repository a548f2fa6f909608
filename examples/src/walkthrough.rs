//! The governed-operations part of the tour: one customer through association, budget,
//! unfreeze, authorization, an order on its behalf, an automatic freeze at 100% of its budget
//! and a disassociation, then its audit trail and event log. Nothing printed holds personal
//! data: customers appear by id, operators by login.

use chrono::Duration;
use partnerdesk::Invocation;
use partnerdesk::audit::AuditFilter;
use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope};
use partnerdesk::budget::BudgetSetting;
use partnerdesk::order::OrderRequest;
use partnerdesk::privacy::Personal;
use partnerdesk::{
    Actor, Association, AssociationType, BudgetKind, ChargingMode, Customer, CustomerId, Decimal,
    Mobile, Money, OperatorId, OrderType, Permission, SpendRecord, demo,
};
use std::io::Write;

/// Walks one new customer through the governed operations on a 2,000-customer demo desk and
/// writes what happens, step by step, then the customer's audit trail.
pub fn walkthrough(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let (mut desk, start) = demo::portfolio(2_000, 7)?;
    let cur = desk.partner().currency;
    let admin = Actor::Operator(OperatorId::new("admin")?);
    let ops = Actor::Operator(OperatorId::new("ops_billing")?);
    let manager = OperatorId::new("am_001")?;
    let mut now = start;
    let money = |units: i64| Money::new(Decimal::from(units), cur);
    writeln!(
        out,
        "\n== Governed operations: one customer, start to end =="
    )?;

    // 0. The administrator grants the billing operator what the walk needs.
    let grants = [
        Permission::RequestAuthorization,
        Permission::PlaceOrderOnBehalf,
    ];
    desk.grant_permissions(
        &Invocation::new(admin.clone(), now),
        &OperatorId::new("ops_billing")?,
        &grants,
    )?;
    writeln!(
        out,
        "admin grants ops_billing: request authorization, place orders on behalf"
    )?;
    let denied = desk.grant_permissions(
        &Invocation::new(admin.clone(), now),
        &OperatorId::new("ops_billing")?,
        &[Permission::Export],
    );
    writeln!(
        out,
        "admin tries to grant ops_billing the export item -> refused {} (exporting the customer \
         list is the administrator's alone: no one can be granted it)",
        code(&denied)
    )?;

    // 1. Association through an account manager's invitation (reseller model).
    let id = CustomerId::new("c0ffee00c0ffee00c0ffee00c0ffee00")?;
    let mut c = Customer::new(
        id.clone(),
        "walk_cloud",
        "Walkthrough Trading Ltd.",
        Association::new(AssociationType::Reseller, now),
    );
    c.mobile = Some(Personal::new(Mobile::new("+86", "13912340000")?));
    c.email = Some(Personal::new("it@walkthrough.example".to_owned()));
    let customer = Actor::Customer(id.clone());
    desk.associate(
        &Invocation::new(customer.clone(), now),
        c,
        Some(manager.clone()),
    )?;
    let got = desk.customer(&id)?;
    writeln!(
        out,
        "1. customer {id} associated (reseller model): frozen={} origin={}, account manager {}\n   \
         (a reseller-model customer starts frozen by default until the partner unfreezes it)",
        got.freeze
            .scope()
            .map_or("no".to_owned(), |s| s.to_string()),
        got.freeze
            .freeze()
            .map_or("-".to_owned(), |f| f.origin.to_string()),
        got.account_manager.as_ref().map_or("-", |m| m.as_str()),
    )?;

    // 2. A monthly budget of 1,000 with auto-freeze, unfreezing in the same call.
    now += Duration::hours(1);
    let setting = BudgetSetting::new(money(1_000), BudgetKind::Monthly, true, true)?;
    desk.set_budget(&Invocation::new(ops.clone(), now), &id, &setting)?;
    writeln!(
        out,
        "2. ops_billing sets a monthly budget of {} with auto-freeze and unfreezes: frozen={}",
        setting.amount(),
        desk.customer(&id)?.freeze.is_frozen()
    )?;

    // 3. Authorization to place orders, approved by the customer.
    now += Duration::hours(1);
    let order = OrderRequest::new(id.clone(), OrderType::New, money(300))?;
    let refused = desk.place_order_on_behalf(&Invocation::new(ops.clone(), now), &order);
    writeln!(
        out,
        "3. an order on behalf before any authorization -> refused {}",
        code(&refused)
    )?;
    let request =
        AuthorizationRequest::new(id.clone(), [AuthorizationScope::PlaceOrders], 30, true)?;
    let auth = desk.request_authorization(&Invocation::new(ops.clone(), now), &request)?;
    desk.approve_authorization(&Invocation::new(customer.clone(), now), &auth)?;
    writeln!(
        out,
        "   ops_billing requests {auth} (place orders, 30 days, commitment letter accepted); the customer approves: state {}",
        desk.authorization(&auth)?.state
    )?;

    // 4. An order on the customer's behalf: it starts unpaid.
    let order_id = desk.place_order_on_behalf(&Invocation::new(ops.clone(), now), &order)?;
    let overview = desk.order_overview(&ops, Some(&id));
    let usage = desk.budget_usage(&id, now)?;
    writeln!(
        out,
        "4. order {order_id} of {} placed on behalf (unpaid); orders unpaid/all: {}; budget remaining {}",
        order.amount(),
        overview.map_or("-".to_owned(), |o| format!("{}/{}", o.unpaid, o.all)),
        usage.map_or("-".to_owned(), |u| u.remaining.to_string()),
    )?;
    let too_big = OrderRequest::new(id.clone(), OrderType::New, money(800))?;
    writeln!(
        out,
        "   an order of 800 -> refused {}",
        code(&desk.place_order_on_behalf(&Invocation::new(ops.clone(), now), &too_big))
    )?;

    // 5. The host loads the day's spend and evaluates budgets: 100% reached, auto-freeze.
    now += Duration::hours(2);
    let day = desk.partner().billing_offset.day_of(now);
    desk.add_spend(
        &id,
        SpendRecord {
            day,
            product: "ecs".into(),
            amount: money(1_000),
            mode: ChargingMode::PayPerUse,
        },
    )?;
    let events = desk.evaluate_budget(&id, now)?;
    writeln!(out, "5. spend of 1,000 loaded; budget evaluation emits:")?;
    for e in &events {
        writeln!(out, "   {e}")?;
    }
    let small = OrderRequest::new(id.clone(), OrderType::New, money(1))?;
    writeln!(
        out,
        "   an order now -> refused {}",
        code(&desk.place_order_on_behalf(&Invocation::new(ops.clone(), now), &small))
    )?;

    // 6. Disassociation: the customer asks, the administrator approves.
    now += Duration::days(1);
    let req = desk.request_disassociation(
        &Invocation::new(customer.clone(), now),
        &id,
        "moving to another partner",
    )?;
    let early = desk.decide_disassociation(&Invocation::new(ops.clone(), now), req, true, "");
    writeln!(
        out,
        "6. the customer requests disassociation; ops_billing tries to approve -> refused {}",
        code(&early)
    )?;
    desk.decide_disassociation(&Invocation::new(admin.clone(), now), req, true, "")?;
    let after = desk.customer(&id)?;
    writeln!(
        out,
        "   admin approves: associated={}, budget={}, account manager={}, authorization {}",
        after.is_associated(),
        after
            .budget
            .as_ref()
            .map_or("deleted".to_owned(), |b| b.amount.to_string()),
        after
            .account_manager
            .as_ref()
            .map_or("none", |m| m.as_str()),
        desk.authorization(&auth)?.state
    )?;
    let records: Vec<String> = desk
        .budget_records(&id)
        .iter()
        .map(|r| format!("{} {} by {}", r.operation, r.amount, r.operator))
        .collect();
    writeln!(out, "   budget records: {}", records.join("; "))?;

    // 7. The audit trail of the customer.
    writeln!(out, "\nAudit trail of customer {id}:")?;
    for r in desk.audit_log(&AuditFilter::default().customer(id.clone())) {
        writeln!(out, "  {r}")?;
    }
    writeln!(out, "Events of customer {id}:")?;
    for e in desk
        .events()
        .iter()
        .filter(|e| e.customer.as_ref() == Some(&id))
    {
        writeln!(out, "  {e}")?;
    }
    Ok(())
}

fn code<T>(r: &partnerdesk::Result<T>) -> &'static str {
    r.as_ref().err().map_or("(allowed)", |e| e.code())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_walkthrough_runs_and_prints_no_personal_data() -> Result<(), Box<dyn std::error::Error>>
    {
        let mut out = Vec::new();
        super::walkthrough(&mut out)?;
        let text = String::from_utf8(out)?;
        for needle in [
            "budget_threshold_crossed 100%",
            "frozen account origin budget",
            "CUSTOMER_FROZEN",
            "disassociated",
            "ADMINISTRATOR_ONLY",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        for pii in [
            "Walkthrough Trading",
            "13912340000",
            "it@walkthrough.example",
            "walk_cloud",
        ] {
            assert!(!text.contains(pii), "personal data {pii:?} in\n{text}");
        }
        Ok(())
    }
}
