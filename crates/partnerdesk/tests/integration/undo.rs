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
    "name~zebra",
    "name~an",
    "account~renamed",
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
    crate::common::add_test_operators(&mut desk, &[Permission::RevealSensitive])?;
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

/// What a month roll returned, whether it returns nothing or a result.
trait Outcome {
    fn outcome(self) -> String;
}

impl Outcome for () {
    fn outcome(self) -> String {
        "ok".to_owned()
    }
}

impl Outcome for Result<()> {
    fn outcome(self) -> String {
        match self {
            Ok(()) => "ok".to_owned(),
            Err(e) => format!("err {}", e.code()),
        }
    }
}

fn go(_: partnerdesk::export::ExportProgress) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// Runs one step; returns what it returned (the value, or the error code, also when the
/// request itself could not be built).
fn run(desk: &mut Desk, step: &(usize, Op, u8, Option<u8>), now: DateTime<Utc>) -> Result<String> {
    Ok(run_step(desk, step, now).unwrap_or_else(|e| format!("refused {}", e.code())))
}

fn run_step(
    desk: &mut Desk,
    step: &(usize, Op, u8, Option<u8>),
    now: DateTime<Utc>,
) -> Result<String> {
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
                product: "ecs".into(),
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
            // `roll_to` returns nothing, or a result once month rolls are events: both go.
            #[allow(clippy::unit_arg)]
            let rolled = desk
                .roll_to(now + Duration::days(31 * i64::from(months)))
                .outcome();
            format!("{rolled} month {}", desk.indexed_month())
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

// ---- one test per kind of state ---------------------------------------------------------

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn admin(now: DateTime<Utc>) -> Result<Invocation> {
    Ok(Invocation::new(
        Actor::Operator(OperatorId::new("admin")?),
        now,
    ))
}

fn snapshot(d: &Desk) -> std::result::Result<serde_json::Value, Box<dyn std::error::Error>> {
    Ok(serde_json::from_str(&d.to_snapshot_json()?)?)
}

/// Runs `change` inside a savepoint, checks that it changed the saved desk, rolls back and
/// checks that everything is as before; then that the desk carries on as its copy does.
fn around(
    desk: &mut Desk,
    now: DateTime<Utc>,
    change: impl FnOnce(&mut Desk) -> Result<()>,
) -> TestResult {
    let copy = desk.clone();
    let sp = desk.savepoint();
    change(desk)?;
    assert_ne!(
        snapshot(desk)?,
        snapshot(&copy)?,
        "the change changed nothing"
    );
    desk.rollback(sp)?;
    assert_same(desk, &copy, now).map_err(|e| e.to_string())?;
    let mut copy = copy;
    let step = (0, Op::Freeze(vec![0, 1, 2, 3, 4, 5], false), 0, Some(1));
    assert_eq!(run(desk, &step, now)?, run(&mut copy, &step, now)?);
    assert_same(desk, &copy, now).map_err(|e| e.to_string())?;
    Ok(())
}

fn reseller_ids(desk: &Desk, n: usize) -> Vec<CustomerId> {
    desk.customers()
        .filter(|c| c.association.is_reseller_model() && c.is_associated() && !c.freeze.is_frozen())
        .take(n)
        .map(|c| c.id.clone())
        .collect()
}

#[test]
fn customers_and_their_indexes_come_back() -> TestResult {
    let (mut desk, now) = setup()?;
    let ids: Vec<CustomerId> = desk.customers().take(3).map(|c| c.id.clone()).collect();
    around(&mut desk, now, |d| {
        // Two removed, the first put back: it lands in the second's slot (ids move slots).
        let first = d.remove_customer(&ids[0])?;
        d.remove_customer(&ids[1])?;
        d.insert_customer(first)?;
        let mut renamed = d.customer(&ids[2])?.clone();
        renamed.name = "Zebra Renamed".to_owned().into();
        d.upsert_customer(renamed)?;
        d.update_customer(&ids[2], |c| c.account_manager = None)?;
        let record = SpendRecord {
            day: d.partner().billing_offset.day_of(now),
            product: "ecs".into(),
            amount: Money::new(Decimal::new(123_456, 2), d.partner().currency),
            mode: ChargingMode::PayPerUse,
        };
        d.add_spend(&ids[2], record)?;
        run(d, &(0, Op::Insert(7), 0, None), now)?;
        Ok(())
    })
}

#[test]
fn operators_and_permissions_come_back() -> TestResult {
    let (mut desk, now) = setup()?;
    around(&mut desk, now, |d| {
        d.add_operator(Operator::new(
            OperatorId::new("late")?,
            "Late",
            Role::Operator,
        ))?;
        let nobody = OperatorId::new("nobody")?;
        d.grant_permissions(&admin(now)?, &nobody, &[Permission::ViewSpend])?;
        d.revoke_permissions(
            &admin(now)?,
            &OperatorId::new("ops")?,
            &[Permission::SetBudget],
        )
    })
}

#[test]
fn events_chain_audit_and_idempotency_come_back() -> TestResult {
    let (mut desk, now) = setup()?;
    let key = IdempotencyKey::new("once")?;
    let ids = reseller_ids(&desk, 2);
    let copy = desk.clone();
    let sp = desk.savepoint();
    let inv = admin(now)?.with_key(Some(key.clone()));
    let req = FreezeRequest::new(ids.clone(), FreezeScope::Account, "overdue")?;
    desk.freeze(&inv, &req)?;
    // Refused: audit only.
    let nobody = Invocation::new(Actor::Operator(OperatorId::new("nobody")?), now);
    assert!(desk.freeze(&nobody, &req).is_err());
    assert!(desk.mark().events > copy.mark().events);
    desk.rollback(sp)?;
    assert_same(&desk, &copy, now).map_err(|e| e.to_string())?;
    // The key is free again: the same command runs anew (its events are emitted again).
    let mut copy = copy;
    let a = desk.freeze(&inv, &req)?;
    let b = copy.freeze(&inv, &req)?;
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_same(&desk, &copy, now).map_err(|e| e.to_string())?;
    Ok(())
}

#[test]
fn authorizations_come_back() -> TestResult {
    let (mut desk, now) = setup()?;
    let id = reseller_ids(&desk, 1).pop().ok_or("no reseller customer")?;
    around(&mut desk, now, |d| {
        let req =
            AuthorizationRequest::new(id.clone(), [AuthorizationScope::PlaceOrders], 30, true)?;
        d.request_authorization(&admin(now)?, &req)?;
        let auth = d.authorizations_of(&id).last().map(|a| a.id.clone());
        let auth = auth.ok_or(partnerdesk::Error::InvalidCursor)?;
        let customer = Invocation::new(Actor::Customer(id.clone()), now);
        d.approve_authorization(&customer, &auth)?;
        d.expire_authorizations(now + Duration::days(400))?;
        Ok(())
    })
}

#[test]
fn disassociation_requests_and_history_come_back() -> TestResult {
    let (mut desk, now) = setup()?;
    let id = reseller_ids(&desk, 1).pop().ok_or("no reseller customer")?;
    // A budget and a manager, so that disassociation closes and deletes them.
    let setting = BudgetSetting::new(
        Money::new(Decimal::from(500), desk.partner().currency),
        BudgetKind::Monthly,
        false,
        false,
    )?;
    desk.set_budget(&admin(now)?, &id, &setting)?;
    desk.assign_manager(
        &admin(now)?,
        std::slice::from_ref(&id),
        &OperatorId::new("am_001")?,
    )?;
    around(&mut desk, now, |d| {
        let customer = Invocation::new(Actor::Customer(id.clone()), now);
        d.request_disassociation(&customer, &id, "leaving")?;
        let req = d.disassociation_requests().last().map(|r| r.id);
        let req = req.ok_or(partnerdesk::Error::InvalidCursor)?;
        d.decide_disassociation(&admin(now)?, req, true, "ok")?;
        assert!(!d.customer(&id)?.is_associated());
        Ok(())
    })
}

#[test]
fn manager_periods_come_back() -> TestResult {
    let (mut desk, now) = setup()?;
    let ids: Vec<CustomerId> = desk.customers().take(4).map(|c| c.id.clone()).collect();
    around(&mut desk, now, |d| {
        d.assign_manager(&admin(now)?, &ids, &OperatorId::new("am_002")?)?;
        d.unassign_manager(&admin(now)?, &ids[..2])?;
        Ok(())
    })
}

#[test]
fn budgets_records_and_watches_come_back() -> TestResult {
    let (mut desk, now) = setup()?;
    let ids = reseller_ids(&desk, 3);
    around(&mut desk, now, |d| {
        for id in &ids {
            let setting = BudgetSetting::new(
                Money::new(Decimal::from(1), d.partner().currency),
                BudgetKind::Monthly,
                true,
                false,
            )?;
            d.set_budget(&admin(now)?, id, &setting)?;
        }
        d.evaluate_budgets(now)?;
        Ok(())
    })
}

#[test]
fn orders_and_commitment_come_back() -> TestResult {
    let (mut desk, now) = setup()?;
    let id = reseller_ids(&desk, 1).pop().ok_or("no reseller customer")?;
    around(&mut desk, now, |d| {
        let req =
            AuthorizationRequest::new(id.clone(), [AuthorizationScope::PlaceOrders], 30, true)?;
        d.request_authorization(&admin(now)?, &req)?;
        let auth = d.authorizations_of(&id).last().map(|a| a.id.clone());
        let auth = auth.ok_or(partnerdesk::Error::InvalidCursor)?;
        d.approve_authorization(&Invocation::new(Actor::Customer(id.clone()), now), &auth)?;
        let setting = BudgetSetting::new(
            Money::new(Decimal::from(5000), d.partner().currency),
            BudgetKind::Monthly,
            false,
            false,
        )?;
        d.set_budget(&admin(now)?, &id, &setting)?;
        let order = OrderRequest::new(
            id.clone(),
            OrderType::New,
            Money::new(Decimal::from(10), d.partner().currency),
        )?;
        d.place_order_on_behalf(&admin(now)?, &order)?;
        Ok(())
    })
}

#[test]
fn export_history_comes_back() -> TestResult {
    let (mut desk, now) = setup()?;
    around(&mut desk, now, |d| {
        let mut out = Vec::new();
        let req = ExportRequest::csv(ExportSelection::all());
        d.export(&admin(now)?, &req, &mut out, go)?;
        d.reveal(&admin(now)?, &reseller_ids(d, 1)[0], SensitiveField::Email)?;
        Ok(())
    })?;
    // The export numbers are given again from where they stood.
    let mut copy = desk.clone();
    let req = ExportRequest::csv(ExportSelection::all());
    let a = desk.export(&admin(now)?, &req, Vec::new(), go)?;
    let b = copy.export(&admin(now)?, &req, Vec::new(), go)?;
    assert_eq!(a.id, b.id);
    Ok(())
}

#[test]
fn month_roll_comes_back() -> TestResult {
    let (mut desk, now) = setup()?;
    let month = desk.indexed_month();
    around(&mut desk, now, |d| {
        #[allow(clippy::unit_arg)]
        let rolled = d.roll_to(now + Duration::days(40)).outcome();
        assert_eq!(rolled, "ok");
        assert_ne!(d.indexed_month(), month);
        Ok(())
    })?;
    assert_eq!(desk.indexed_month(), month);
    Ok(())
}

#[test]
fn policies_and_keys_come_back() -> TestResult {
    let (mut desk, now) = setup()?;
    let copy = desk.clone();
    let sp = desk.savepoint();
    desk.set_event_key(Some(partnerdesk::chain::EventKey::new(
        b"a host secret of 16+ bytes",
    )?));
    desk.set_cursor_key(partnerdesk::search::CursorKey::from_secret(
        b"another secret of 16+ bytes",
    )?);
    desk.set_pseudonym_key(Some(partnerdesk::privacy::PseudonymKey::new(
        b"a third secret of 16+ bytes",
    )?));
    let mut policy = desk.row_policy().clone();
    policy.set(
        SensitiveField::AccountName,
        partnerdesk::privacy::MaskRule::Default,
    )?;
    desk.set_row_policy(policy)?;
    desk.rollback(sp)?;
    assert!(!desk.has_event_key());
    assert_eq!(desk.row_policy(), copy.row_policy());
    assert_same(&desk, &copy, now).map_err(|e| e.to_string())?;
    // Cursors signed by the copy's key are the desk's again.
    let q = Query::all();
    let sort = Sort::asc(SortKey::Id);
    let page = desk.search_ids(&q, sort, &PageRequest::first(5), now)?;
    let cursor = page.next_cursor.ok_or("no next page")?;
    let next = copy.search_ids(&q, sort, &PageRequest::after(cursor, 5), now)?;
    assert_eq!(next.ids.len(), 5);
    Ok(())
}

#[test]
fn only_the_open_savepoint_rolls_back() -> TestResult {
    let (mut desk, now) = setup()?;
    let ids = reseller_ids(&desk, 2);
    let req = FreezeRequest::new(ids, FreezeScope::Account, "overdue")?;
    let first = desk.savepoint();
    let before_second = desk.clone();
    // A second savepoint replaces the first.
    let second = desk.savepoint();
    desk.freeze(&admin(now)?, &req)?;
    let err = desk.rollback(first).err().map(|e| e.code());
    assert_eq!(err, Some("INVALID_ARGUMENT"));
    assert!(desk.in_savepoint(), "a refused rollback changes nothing");
    desk.rollback(second)?;
    assert_same(&desk, &before_second, now).map_err(|e| e.to_string())?;
    // Release keeps the changes and ends recording; rolling back afterwards is refused.
    let third = desk.savepoint();
    desk.freeze(&admin(now)?, &req)?;
    let after = desk.clone();
    let stale = desk.savepoint();
    desk.release(stale);
    assert!(!desk.in_savepoint());
    let err = desk.rollback(third).err().map(|e| e.code());
    assert_eq!(err, Some("INVALID_ARGUMENT"));
    assert_same(&desk, &after, now).map_err(|e| e.to_string())?;
    assert_eq!(desk.undo_stats(), partnerdesk::UndoStats::default());
    Ok(())
}

/// The cost of a savepoint is what the command touched: around one freeze on a 100k desk, one
/// customer and a handful of ledger entries are recorded, not the desk.
#[test]
fn a_savepoint_records_what_the_command_touched_not_the_desk() -> TestResult {
    let (mut desk, now) = demo::portfolio(100_000, 5)?;
    let id = reseller_ids(&desk, 1).pop().ok_or("no reseller customer")?;
    let mark = desk.mark();
    let frozen_before = desk.count(&Query::parse("frozen=true")?, now);
    let sp = desk.savepoint();
    assert_eq!(desk.undo_stats(), partnerdesk::UndoStats::default());
    let req = FreezeRequest::new(vec![id.clone()], FreezeScope::Account, "overdue")?;
    let inv = admin(now)?.with_key(Some(IdempotencyKey::new("k")?));
    desk.freeze(&inv, &req)?;
    assert!(desk.customer(&id)?.freeze.is_frozen());
    assert_eq!(
        desk.count(&Query::parse("frozen=true")?, now),
        frozen_before + 1
    );
    let stats = desk.undo_stats();
    // The customer, and the idempotency key's absence; the event and audit record appended
    // need no pre-image.
    assert_eq!(stats.slots, 1, "{stats:?}");
    assert_eq!(stats.entries, 1, "{stats:?}");
    // The same customer changed fifty times more: still one copy of it.
    for day in 0..50 {
        let record = SpendRecord {
            day: desk.partner().billing_offset.day_of(now) - Duration::days(day),
            product: "ecs".into(),
            amount: Money::new(Decimal::from(1), desk.partner().currency),
            mode: ChargingMode::PayPerUse,
        };
        desk.add_spend(&id, record)?;
    }
    assert_eq!(desk.undo_stats().slots, 1);
    desk.rollback(sp)?;
    assert!(!desk.customer(&id)?.freeze.is_frozen());
    assert_eq!(desk.mark(), mark);
    let frozen = Query::parse("frozen=true")?;
    assert_eq!(desk.count(&frozen, now), frozen_before);
    Ok(())
}
