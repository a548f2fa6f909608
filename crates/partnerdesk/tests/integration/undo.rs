//! Savepoints: after a rollback the desk is exactly as at the savepoint (state, audit trail,
//! marks, searches, exports, slot layout), and carrying on from there gives what carrying on
//! from a copy taken at the savepoint gives. Random sequences of governed commands (accepted
//! and refused, with and without idempotency keys) and data changes on a demo desk.

use crate::ops_props::actor_of;
use chrono::{DateTime, Duration, Utc};
use partnerdesk::association::{Association, AssociationType};
use partnerdesk::audit::AuditFilter;
use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope};
use partnerdesk::budget::BudgetSetting;
use partnerdesk::export::{ExportRequest, ExportSelection};
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::order::OrderRequest;
use partnerdesk::privacy::SensitiveField;
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
use partnerdesk::spend::{ChargingMode, SpendRecord};
use partnerdesk::{
    Actor, BudgetKind, Customer, CustomerId, Decimal, Desk, FreezeScope, IdempotencyKey,
    Invocation, Money, Operator, OperatorId, OrderType, Permission, Result, Role, demo,
};
use proptest::prelude::*;
use std::ops::ControlFlow;

const ACTORS: &[&str] = &["admin", "ops", "rops", "ops_billing", "am_000", "nobody"];
const FILTERS: &[&str] = &[
    "",
    "frozen=true",
    "freeze_origin=budget",
    "has_manager=false",
    "manager=am_001",
    "budget>=80",
    "assoc=reseller and frozen=false",
];

#[derive(Debug, Clone)]
enum Op {
    Freeze(Vec<usize>, bool),
    Unfreeze(Vec<usize>, bool),
    SetBudget(usize, u32, bool, bool, bool),
    Assign(Vec<usize>, usize),
    Unassign(Vec<usize>),
    Grant(usize),
    Revoke(usize),
    RequestAuth(usize, u32),
    ApproveAuth(usize),
    RevokeAuth(usize),
    TerminateAuth(usize),
    Expire,
    CustomerRequest(usize),
    PartnerRequest(usize),
    Decide(usize, bool),
    PlaceOrder(usize, u32),
    Evaluate,
    Reveal(usize),
    Export(bool),
    Insert(u16),
    Upsert(usize, u8),
    Remove(usize),
    AddSpend(usize, i32),
    AddOperator(u8),
    Roll(u8),
}

fn op_strategy() -> impl Strategy<Value = (usize, Op, u8, Option<u8>)> {
    let ids = || prop::collection::vec(0usize..60, 1..4);
    let op = prop_oneof![
        3 => (ids(), any::<bool>()).prop_map(|(i, s)| Op::Freeze(i, s)),
        2 => (ids(), any::<bool>()).prop_map(|(i, s)| Op::Unfreeze(i, s)),
        3 => (0usize..60, 1u32..3000, any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(c, a, f, u, m)| Op::SetBudget(c, a, f, u, m)),
        2 => (ids(), 0usize..3).prop_map(|(i, m)| Op::Assign(i, m)),
        1 => ids().prop_map(Op::Unassign),
        1 => (0usize..14).prop_map(Op::Grant),
        1 => (0usize..14).prop_map(Op::Revoke),
        2 => (0usize..60, 1u32..120).prop_map(|(c, d)| Op::RequestAuth(c, d)),
        2 => (0usize..8).prop_map(Op::ApproveAuth),
        1 => (0usize..8).prop_map(Op::RevokeAuth),
        1 => (0usize..8).prop_map(Op::TerminateAuth),
        1 => Just(Op::Expire),
        1 => (0usize..60).prop_map(Op::CustomerRequest),
        1 => (0usize..60).prop_map(Op::PartnerRequest),
        2 => (0usize..6, any::<bool>()).prop_map(|(r, a)| Op::Decide(r, a)),
        2 => (0usize..60, 1u32..2000).prop_map(|(c, a)| Op::PlaceOrder(c, a)),
        1 => Just(Op::Evaluate),
        1 => (0usize..60).prop_map(Op::Reveal),
        1 => any::<bool>().prop_map(Op::Export),
        2 => (0u16..30).prop_map(Op::Insert),
        2 => (0usize..60, 0u8..4).prop_map(|(c, v)| Op::Upsert(c, v)),
        2 => (0usize..60).prop_map(Op::Remove),
        2 => (0usize..60, -500i32..5000).prop_map(|(c, a)| Op::AddSpend(c, a)),
        1 => (0u8..4).prop_map(Op::AddOperator),
        1 => (0u8..3).prop_map(Op::Roll),
    ];
    (
        0..ACTORS.len() + 2,
        op,
        0u8..48,
        prop::option::weighted(0.25, 0u8..4),
    )
}

fn setup() -> Result<(Desk, DateTime<Utc>)> {
    let (mut desk, now) = demo::portfolio(40, 23)?;
    desk.add_operator(
        Operator::new(OperatorId::new("ops")?, "Ops", Role::Operator).with_permissions([
            Permission::FreezeUnfreeze,
            Permission::SetBudget,
            Permission::AssignAccountManager,
            Permission::RequestAuthorization,
            Permission::PlaceOrderOnBehalf,
            Permission::RevealSensitive,
        ])?,
    )?;
    desk.add_operator(
        Operator::new(OperatorId::new("rops")?, "Reseller ops", Role::Operator).with_permissions(
            [
                Permission::FreezeUnfreezeResellerCustomers,
                Permission::SetBudgetResellerCustomers,
                Permission::PlaceOrderOnBehalf,
            ],
        )?,
    )?;
    desk.add_operator(Operator::new(
        OperatorId::new("nobody")?,
        "Nobody",
        Role::Operator,
    ))?;
    Ok((desk, now))
}

/// The `i`-th customer of the desk in slot order (the desk changes, so ids are picked from it).
fn pick(desk: &Desk, i: usize) -> Option<CustomerId> {
    let n = desk.len();
    (n > 0).then(|| desk.customers().nth(i % n).map(|c| c.id.clone()))?
}

fn show<T: std::fmt::Debug>(r: Result<T>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(e) => format!("err {}", e.code()),
    }
}

fn go(_: partnerdesk::export::ExportProgress) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// Runs one step; returns what it returned (the value, or the error code).
fn run(desk: &mut Desk, step: &(usize, Op, u8, Option<u8>), now: DateTime<Utc>) -> Result<String> {
    let (a, op, _, key) = step;
    let key = key
        .map(|k| IdempotencyKey::new(format!("k{k}")))
        .transpose()?;
    let Some(first) = pick(desk, *a) else {
        return Ok("empty desk".to_owned());
    };
    let subject = |i: usize| pick(desk, i).unwrap_or_else(|| first.clone());
    let subject_of = match op {
        Op::SetBudget(c, ..)
        | Op::RequestAuth(c, _)
        | Op::PlaceOrder(c, _)
        | Op::CustomerRequest(c)
        | Op::PartnerRequest(c)
        | Op::Reveal(c) => subject(*c),
        Op::Freeze(v, _) | Op::Unfreeze(v, _) | Op::Assign(v, _) | Op::Unassign(v) => subject(v[0]),
        _ => first.clone(),
    };
    let actor = actor_of(ACTORS, *a, &subject_of)?;
    let inv = Invocation::new(actor.clone(), now).with_key(key.clone());
    let currency = desk.partner().currency;
    Ok(match op.clone() {
        Op::Freeze(v, all) | Op::Unfreeze(v, all) => {
            let mut list: Vec<CustomerId> = v.iter().map(|i| subject(*i)).collect();
            list.dedup();
            let scope = if all {
                FreezeScope::AccountAndResources
            } else {
                FreezeScope::Account
            };
            let req = FreezeRequest::new(list, scope, "random")?;
            if matches!(op, Op::Freeze(..)) {
                show(desk.freeze(&inv, &req))
            } else {
                show(desk.unfreeze(&inv, &req))
            }
        }
        Op::SetBudget(_, amount, auto, unfreeze, one_off) => {
            let kind = if one_off {
                BudgetKind::OneOff
            } else {
                BudgetKind::Monthly
            };
            let amount = Money::new(Decimal::from(amount), currency);
            let setting = BudgetSetting::new(amount, kind, auto, unfreeze)?;
            show(desk.set_budget(&inv, &subject_of, &setting))
        }
        Op::Assign(v, m) => {
            let list: Vec<CustomerId> = v.iter().map(|i| subject(*i)).collect();
            let manager = OperatorId::new(format!("am_{m:03}"))?;
            show(desk.assign_manager(&inv, &list, &manager))
        }
        Op::Unassign(v) => {
            let list: Vec<CustomerId> = v.iter().map(|i| subject(*i)).collect();
            show(desk.unassign_manager(&inv, &list))
        }
        Op::Grant(i) | Op::Revoke(i) => {
            let item = Permission::KNOWN[i % Permission::KNOWN.len()].clone();
            let target = OperatorId::new("nobody")?;
            let items = std::slice::from_ref(&item);
            if matches!(op, Op::Grant(_)) {
                show(desk.grant_permissions(&inv, &target, items))
            } else {
                show(desk.revoke_permissions(&inv, &target, items))
            }
        }
        Op::RequestAuth(_, days) => {
            let req = AuthorizationRequest::new(
                subject_of.clone(),
                [AuthorizationScope::PlaceOrders],
                days,
                true,
            )?;
            show(desk.request_authorization(&inv, &req))
        }
        Op::ApproveAuth(i) | Op::RevokeAuth(i) | Op::TerminateAuth(i) => {
            let all: Vec<_> = desk
                .customers()
                .flat_map(|c| desk.authorizations_of(&c.id))
                .map(|a| (a.id.clone(), a.customer.clone()))
                .collect();
            let Some((id, customer)) = all.get(i % all.len().max(1)).cloned() else {
                return Ok("no authorization".to_owned());
            };
            let as_customer = Invocation::new(Actor::Customer(customer), now).with_key(key);
            match op {
                Op::ApproveAuth(_) => show(desk.approve_authorization(&as_customer, &id)),
                Op::RevokeAuth(_) => show(desk.revoke_authorization(&as_customer, &id, "random")),
                _ => show(desk.terminate_authorization(&inv, &id)),
            }
        }
        Op::Expire => show(desk.expire_authorizations(now)),
        Op::CustomerRequest(_) => show(desk.request_disassociation(&inv, &subject_of, "random")),
        Op::PartnerRequest(_) => {
            show(desk.request_partner_disassociation(&inv, &subject_of, "random"))
        }
        Op::Decide(r, approve) => {
            let reqs = desk.disassociation_requests();
            let Some(req) = reqs.get(r % reqs.len().max(1)).cloned() else {
                return Ok("no request".to_owned());
            };
            let decider = match req.initiator {
                partnerdesk::association::Initiator::Partner => {
                    Actor::Customer(req.customer.clone())
                }
                _ => actor,
            };
            let inv = Invocation::new(decider, now).with_key(key);
            show(desk.decide_disassociation(&inv, req.id, approve, "random"))
        }
        Op::PlaceOrder(_, amount) => {
            let amount = Money::new(Decimal::from(amount), currency);
            let req = OrderRequest::new(subject_of.clone(), OrderType::New, amount)?;
            show(desk.place_order_on_behalf(&inv, &req))
        }
        Op::Evaluate => show(desk.evaluate_budgets(now)),
        Op::Reveal(_) => show(
            desk.reveal(&inv, &subject_of, SensitiveField::Mobile)
                .map(|_| "revealed"),
        ),
        Op::Export(csv) => {
            let req = if csv {
                ExportRequest::csv(ExportSelection::all())
            } else {
                ExportRequest::xlsx(ExportSelection::all())
            };
            let mut out = Vec::new();
            let job = desk.export(&inv, &req, &mut out, go);
            // XLSX containers carry no clock: the bytes are the desk's.
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::hash::Hash::hash(&out, &mut h);
            format!("{} {:x}", show(job), std::hash::Hasher::finish(&h))
        }
        Op::Insert(n) => {
            let id = CustomerId::new(format!("new-{n:03}"))?;
            let since = now - Duration::days(30);
            let c = Customer::new(
                id,
                format!("acct-{n}"),
                "New Customer",
                Association::new(AssociationType::Referral, since),
            );
            show(desk.insert_customer(c))
        }
        Op::Upsert(i, variant) => {
            let Ok(mut c) = desk.customer(&subject(i)).cloned() else {
                return Ok("gone".to_owned());
            };
            match variant {
                0 => c.account_name = format!("renamed-{i}").into(),
                1 => c.account_manager = None,
                2 => c.account_manager = Some(OperatorId::new("am_002")?),
                _ => c.spend.clear(),
            }
            show(desk.upsert_customer(c))
        }
        Op::Remove(i) => show(desk.remove_customer(&subject(i)).map(|c| c.id)),
        Op::AddSpend(i, cents) => {
            let record = SpendRecord {
                day: desk.partner().billing_offset.day_of(now),
                product: "ecs".to_owned(),
                amount: Money::new(Decimal::new(i64::from(cents), 2), currency),
                mode: ChargingMode::PayPerUse,
            };
            show(desk.add_spend(&subject(i), record))
        }
        Op::AddOperator(n) => show(
            desk.add_operator(
                Operator::new(
                    OperatorId::new(format!("extra_{n}"))?,
                    "Extra",
                    Role::Operator,
                )
                .with_permissions([Permission::ViewCustomers])?,
            ),
        ),
        Op::Roll(months) => {
            desk.roll_to(now + Duration::days(31 * i64::from(months)));
            format!("month {}", desk.indexed_month())
        }
    })
}

/// Everything observable of two desks is the same: state (`PartialEq`), audit trail, marks,
/// chain head, indexed month, export history, slot order, snapshot, searches and an export.
fn assert_same(a: &Desk, b: &Desk, now: DateTime<Utc>) -> std::result::Result<(), TestCaseError> {
    let fail = |e: partnerdesk::Error| TestCaseError::fail(e.to_string());
    prop_assert!(a == b, "desks differ");
    prop_assert_eq!(a.mark(), b.mark());
    prop_assert_eq!(
        a.audit_log(&AuditFilter::default()),
        b.audit_log(&AuditFilter::default())
    );
    prop_assert_eq!(a.chain_head(), b.chain_head());
    prop_assert_eq!(a.indexed_month(), b.indexed_month());
    prop_assert_eq!(a.exports(), b.exports());
    prop_assert_eq!(
        a.operators().collect::<Vec<_>>(),
        b.operators().collect::<Vec<_>>()
    );
    prop_assert_eq!(a.disassociation_requests(), b.disassociation_requests());
    let order = |d: &Desk| d.customers().map(|c| c.id.clone()).collect::<Vec<_>>();
    prop_assert_eq!(order(a), order(b));
    let json = |d: &Desk| -> std::result::Result<serde_json::Value, TestCaseError> {
        let text = d.to_snapshot_json().map_err(fail)?;
        serde_json::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))
    };
    prop_assert_eq!(json(a)?, json(b)?);
    for month in [0, 1] {
        let at = now + Duration::days(31 * month);
        for f in FILTERS {
            let q = Query::parse(f).map_err(fail)?;
            for sort in [
                Sort::asc(SortKey::Id),
                Sort::desc(SortKey::MonthToDate),
                Sort::asc(SortKey::Name),
            ] {
                let page = PageRequest::offset(0, 1000);
                let x = a.search_ids(&q, sort, &page, at).map_err(fail)?;
                let y = b.search_ids(&q, sort, &page, at).map_err(fail)?;
                prop_assert_eq!(x.ids, y.ids, "filter {}", f);
            }
        }
    }
    let admin = Invocation::new(
        Actor::Operator(OperatorId::new("admin").map_err(fail)?),
        now,
    );
    let export = |d: &Desk| -> std::result::Result<Vec<u8>, TestCaseError> {
        let mut out = Vec::new();
        let req = ExportRequest::csv(ExportSelection::all());
        d.clone().export(&admin, &req, &mut out, go).map_err(fail)?;
        Ok(out)
    };
    prop_assert_eq!(export(a)?, export(b)?);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, max_shrink_iters: 300, .. ProptestConfig::default() })]

    #[test]
    fn rollback_restores_the_desk_and_what_follows(
        warmup in prop::collection::vec(op_strategy(), 0..25),
        inside in prop::collection::vec(op_strategy(), 1..6),
        after in prop::collection::vec(op_strategy(), 1..6),
    ) {
        let fail = |e: partnerdesk::Error| TestCaseError::fail(e.to_string());
        let (mut desk, mut now) = setup().map_err(fail)?;
        for step in &warmup {
            now += Duration::hours(i64::from(step.2));
            run(&mut desk, step, now).map_err(fail)?;
        }
        let copy = desk.clone();
        let sp = desk.savepoint();
        prop_assert!(desk.in_savepoint());
        let mut t = now;
        for step in &inside {
            t += Duration::hours(i64::from(step.2));
            run(&mut desk, step, t).map_err(fail)?;
        }
        desk.rollback(sp).map_err(fail)?;
        prop_assert!(!desk.in_savepoint());
        assert_same(&desk, &copy, now)?;
        let mut copy = copy;
        for step in &after {
            now += Duration::hours(i64::from(step.2));
            let x = run(&mut desk, step, now).map_err(fail)?;
            let y = run(&mut copy, step, now).map_err(fail)?;
            prop_assert_eq!(x, y, "step {:?}", step);
        }
        assert_same(&desk, &copy, now)?;
    }
}
