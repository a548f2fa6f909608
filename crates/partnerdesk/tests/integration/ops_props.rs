//! The governed operations as a state machine: random command sequences by random actors on a
//! demo portfolio. After every step: no command succeeded without its permission item and its
//! preconditions (checked against an oracle written independently of the desk), each customer
//! is in one association state with at most one current account manager, money sums are
//! exact, and search equals a naive filter. At the end, replaying the emitted events onto the
//! initial snapshot gives the live desk.

use crate::common::naive;
use chrono::{DateTime, Duration, Utc};
use partnerdesk::Invocation;
use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope, AuthorizationState};
use partnerdesk::budget::BudgetSetting;
use partnerdesk::event::EventKind;
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::order::OrderRequest;
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};
use partnerdesk::{
    Actor, BudgetKind, Customer, CustomerId, Decimal, Desk, FreezeScope, IdempotencyKey, Money,
    OperatorId, OrderType, Permission, Result, Role, demo,
};
use proptest::prelude::*;

const ACTORS: &[&str] = &["admin", "ops", "rops", "ops_billing", "am_000", "nobody"];
const FILTERS: &[&str] = &[
    "",
    "frozen=true",
    "frozen=account_and_resources",
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
    RequestAuth(usize, u32),
    ApproveAuth(usize),
    RevokeAuth(usize),
    TerminateAuth(usize),
    PlaceOrder(usize, u32),
    Evaluate,
    Expire,
    CustomerRequest(usize),
    PartnerRequest(usize),
    Decide(usize, bool),
    Grant(usize),
}

fn op_strategy() -> impl Strategy<Value = (usize, Op, u8, Option<u8>)> {
    let ids = || prop::collection::vec(0usize..40, 1..4);
    let op = prop_oneof![
        3 => (ids(), any::<bool>()).prop_map(|(i, s)| Op::Freeze(i, s)),
        3 => (ids(), any::<bool>()).prop_map(|(i, s)| Op::Unfreeze(i, s)),
        3 => (0usize..40, 1u32..3000, any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(c, a, f, u, m)| Op::SetBudget(c, a, f, u, m)),
        2 => (ids(), 0usize..3).prop_map(|(i, m)| Op::Assign(i, m)),
        1 => ids().prop_map(Op::Unassign),
        2 => (0usize..40, 1u32..120).prop_map(|(c, d)| Op::RequestAuth(c, d)),
        2 => (0usize..8).prop_map(Op::ApproveAuth),
        1 => (0usize..8).prop_map(Op::RevokeAuth),
        1 => (0usize..8).prop_map(Op::TerminateAuth),
        3 => (0usize..40, 1u32..2000).prop_map(|(c, a)| Op::PlaceOrder(c, a)),
        1 => Just(Op::Evaluate),
        1 => Just(Op::Expire),
        1 => (0usize..40).prop_map(Op::CustomerRequest),
        1 => (0usize..40).prop_map(Op::PartnerRequest),
        1 => (0usize..6, any::<bool>()).prop_map(|(r, a)| Op::Decide(r, a)),
        1 => (0usize..14).prop_map(Op::Grant),
    ];
    (
        0..ACTORS.len() + 2,
        op,
        0u8..48,
        prop::option::weighted(0.2, 0u8..4),
    )
}

fn actor(i: usize, customer: &CustomerId) -> Result<Actor> {
    actor_of(ACTORS, i, customer)
}

/// The `i`-th actor of a test's list of operator logins; past its end, the system, then the
/// customer (shared by the state machines here and in `ops_attack`).
pub(crate) fn actor_of(logins: &[&str], i: usize, customer: &CustomerId) -> Result<Actor> {
    Ok(match logins.get(i) {
        Some(a) => Actor::Operator(OperatorId::new(*a)?),
        None if i == logins.len() => Actor::System,
        None => Actor::Customer(customer.clone()),
    })
}

/// The oracle: does the actor hold `item` for this customer? Written from the domain rules,
/// not from the desk's code.
pub(crate) fn holds(desk: &Desk, actor: &Actor, item: &Permission, c: Option<&Customer>) -> bool {
    let Actor::Operator(id) = actor else {
        return false;
    };
    let Ok(op) = desk.operator(id) else {
        return false;
    };
    if op.role == Role::Administrator {
        return true;
    }
    let needed = match (item, c.is_some_and(|c| c.association.reseller.is_some())) {
        (Permission::FreezeUnfreeze, true) => Permission::FreezeUnfreezeResellerCustomers,
        (Permission::SetBudget, true) => Permission::SetBudgetResellerCustomers,
        (Permission::ViewCustomers, true) => Permission::ViewResellerCustomers,
        (other, _) => other.clone(),
    };
    !matches!(needed, Permission::Export | Permission::ManageAssociation)
        && op.permissions.contains(&needed)
}

fn setup() -> Result<(Desk, DateTime<Utc>, Vec<CustomerId>)> {
    let (mut desk, now) = demo::portfolio(40, 17)?;
    crate::common::add_test_operators(&mut desk, &[])?;
    let ids = desk.customers().map(|c| c.id.clone()).collect();
    Ok((desk, now, ids))
}

fn pick(ids: &[CustomerId], i: usize) -> CustomerId {
    ids[i % ids.len()].clone()
}

fn check_invariants(desk: &Desk, now: DateTime<Utc>) -> std::result::Result<(), TestCaseError> {
    let ctx = desk.match_context(now);
    for c in desk.customers() {
        // One association state: the last history record agrees with the record.
        let hist = desk.association_history(Some(&c.id));
        if let Some(last) = hist.last() {
            let ended = last.change == partnerdesk::association::AssociationChange::Disassociated;
            prop_assert_eq!(ended, !c.is_associated());
        }
        if !c.is_associated() {
            prop_assert!(c.budget.is_none());
            prop_assert!(c.account_manager.is_none());
            prop_assert!(
                desk.authorizations_of(&c.id)
                    .iter()
                    .all(|a| a.state_at(now) != AuthorizationState::Active)
            );
        }
        // At most one current manager, and it is the customer's manager.
        let open = desk
            .manager_history(&c.id)
            .iter()
            .filter(|p| p.to.is_none())
            .count();
        prop_assert!(open <= 1);
        if let Some(p) = desk.current_manager_period(&c.id) {
            prop_assert_eq!(Some(&p.manager), c.account_manager.as_ref());
        } else if !desk.manager_history(&c.id).is_empty() {
            prop_assert!(c.account_manager.is_none());
        }
        // Money sums are exact.
        if let Some(u) = desk
            .budget_usage(&c.id, now)
            .map_err(|e| TestCaseError::fail(e.to_string()))?
        {
            let sum = u
                .used
                .checked_add(u.committed)
                .and_then(|s| s.checked_add(u.remaining));
            prop_assert_eq!(sum.ok(), Some(u.budget.amount));
        }
    }
    let admin =
        Actor::Operator(OperatorId::new("admin").map_err(|e| TestCaseError::fail(e.to_string()))?);
    let s = desk
        .spend_summary(&admin, None, now)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let direct: Decimal = desk
        .customers()
        .filter(|c| c.is_associated())
        .map(|c| c.month_spend(ctx.month()))
        .sum();
    prop_assert_eq!(s.month_to_date.amount, direct);
    let placed: Decimal = desk
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::OrderPlaced { order } => Some(order.amount.amount),
            _ => None,
        })
        .sum();
    let on_behalf: Decimal = desk
        .customers()
        .flat_map(|c| c.orders.iter())
        .filter(|o| o.placed_by.is_some())
        .map(|o| o.amount.amount)
        .sum();
    prop_assert_eq!(placed, on_behalf);
    // Search equals a naive filter.
    for f in FILTERS {
        let q = Query::parse(f).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let sort = Sort::asc(SortKey::Id);
        let got = desk
            .search_ids(&q, sort, &PageRequest::offset(0, 1000), now)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(got.ids, naive(desk, &q, sort, now), "filter {}", f);
    }
    Ok(())
}

fn ok_ids(out: &partnerdesk::command::BatchOutcome) -> Vec<CustomerId> {
    out.items
        .iter()
        .filter(|i| i.is_ok())
        .map(|i| i.customer.clone())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, max_shrink_iters: 200, .. ProptestConfig::default() })]

    #[test]
    fn random_commands_keep_every_rule(steps in prop::collection::vec(op_strategy(), 1..60)) {
        let (mut desk, mut now, ids) = setup().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let start = desk.to_snapshot_json().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let loaded = desk.mark().events;
        let fail = |e: partnerdesk::Error| TestCaseError::fail(e.to_string());
        for (a, op, hours, key) in steps {
            now += Duration::hours(i64::from(hours));
            let key = key.map(|k| IdempotencyKey::new(format!("k{k}"))).transpose().map_err(fail)?;
            let subject = match &op {
                Op::SetBudget(c, ..) | Op::RequestAuth(c, _) | Op::PlaceOrder(c, _)
                | Op::CustomerRequest(c) | Op::PartnerRequest(c) => pick(&ids, *c),
                Op::Freeze(v, _) | Op::Unfreeze(v, _) | Op::Assign(v, _) | Op::Unassign(v) => pick(&ids, v[0]),
                _ => pick(&ids, a),
            };
            let actor = actor(a, &subject).map_err(fail)?;
            let inv = Invocation::new(actor.clone(), now).with_key(key.clone());
            let before = desk.clone();
            let was = |id: &CustomerId| before.customer(id).ok().cloned();
            let repeat = key.as_ref().is_some_and(|k| before.events().iter().any(|e| matches!(&e.kind, EventKind::CommandRecorded { key: x, .. } if x == k)));
            match op.clone() {
                Op::Freeze(v, all) | Op::Unfreeze(v, all) if !v.is_empty() => {
                    let freezing = matches!(op, Op::Freeze(..));
                    let mut list: Vec<CustomerId> = v.iter().map(|i| pick(&ids, *i)).collect();
                    list.dedup();
                    let scope = if all { FreezeScope::AccountAndResources } else { FreezeScope::Account };
                    let Ok(req) = FreezeRequest::new(list, scope.clone(), "random") else { continue };
                    let out = if freezing {
                        desk.freeze(&inv, &req)
                    } else {
                        desk.unfreeze(&inv, &req)
                    };
                    if let (Ok(out), false) = (out, repeat) {
                        for id in ok_ids(&out) {
                            let c = was(&id);
                            let c = c.as_ref();
                            prop_assert!(holds(&before, &actor, &Permission::FreezeUnfreeze, c));
                            prop_assert!(c.is_some_and(|c| c.is_associated() && c.association.is_reseller_model()));
                            if freezing {
                                prop_assert!(c.is_some_and(|c| !c.freeze.is_frozen()));
                                prop_assert!(desk.customer(&id).is_ok_and(|c| c.freeze.scope() == Some(&scope)));
                            } else {
                                prop_assert!(c.is_some_and(|c| c.freeze.scope() == Some(&scope) || c.freeze.scope() == Some(&FreezeScope::Unknown)));
                                prop_assert!(desk.customer(&id).is_ok_and(|c| !c.freeze.is_frozen()));
                            }
                        }
                    }
                }
                Op::SetBudget(_, amount, auto, unfreeze, one_off) => {
                    let kind = if one_off { BudgetKind::OneOff } else { BudgetKind::Monthly };
                    let setting = BudgetSetting::new(Money::new(Decimal::from(amount), desk.partner().currency), kind, auto, unfreeze).map_err(fail)?;
                    if desk.set_budget(&inv, &subject, &setting).is_ok() && !repeat {
                        let c = was(&subject);
                        prop_assert!(holds(&before, &actor, &Permission::SetBudget, c.as_ref()));
                        prop_assert!(!unfreeze || holds(&before, &actor, &Permission::FreezeUnfreeze, c.as_ref()));
                        prop_assert!(c.is_some_and(|c| c.is_associated() && c.association.is_reseller_model()));
                    }
                }
                Op::Assign(v, m) => {
                    let list: Vec<CustomerId> = v.iter().map(|i| pick(&ids, *i)).collect();
                    let manager = OperatorId::new(format!("am_{m:03}")).map_err(fail)?;
                    if let (Ok(out), false) = (desk.assign_manager(&inv, &list, &manager), repeat) {
                        for id in ok_ids(&out) {
                            prop_assert!(holds(&before, &actor, &Permission::AssignAccountManager, None));
                            prop_assert!(was(&id).is_some_and(|c| c.is_associated() && c.account_manager.as_ref() != Some(&manager)));
                        }
                    }
                }
                Op::Unassign(v) => {
                    let list: Vec<CustomerId> = v.iter().map(|i| pick(&ids, *i)).collect();
                    if let (Ok(out), false) = (desk.unassign_manager(&inv, &list), repeat) {
                        for id in ok_ids(&out) {
                            prop_assert!(holds(&before, &actor, &Permission::AssignAccountManager, None));
                            prop_assert!(was(&id).is_some_and(|c| c.account_manager.is_some()));
                        }
                    }
                }
                Op::RequestAuth(_, days) => {
                    let req = AuthorizationRequest::new(subject.clone(), [AuthorizationScope::PlaceOrders], days, true).map_err(fail)?;
                    if desk.request_authorization(&inv, &req).is_ok() && !repeat {
                        prop_assert!(holds(&before, &actor, &Permission::RequestAuthorization, was(&subject).as_ref()));
                        prop_assert!(was(&subject).is_some_and(|c| c.is_associated()));
                    }
                }
                Op::ApproveAuth(i) | Op::RevokeAuth(i) | Op::TerminateAuth(i) => {
                    let all: Vec<_> = before.customers().flat_map(|c| before.authorizations_of(&c.id)).map(|a| (a.id.clone(), a.customer.clone(), a.state_at(now))).collect();
                    let Some((id, customer, state)) = all.get(i % all.len().max(1)).cloned() else { continue };
                    let as_customer = Actor::Customer(customer.clone());
                    let (who, r) = match op {
                        Op::ApproveAuth(_) => (as_customer.clone(), desk.approve_authorization(&Invocation::new(as_customer.clone(), now).with_key(key.clone()), &id)),
                        Op::RevokeAuth(_) => (as_customer.clone(), desk.revoke_authorization(&Invocation::new(as_customer.clone(), now).with_key(key.clone()), &id, "random")),
                        _ => (actor.clone(), desk.terminate_authorization(&inv, &id)),
                    };
                    if r.is_ok() && !repeat {
                        match op {
                            Op::ApproveAuth(_) => prop_assert_eq!(state, AuthorizationState::Pending),
                            Op::RevokeAuth(_) => prop_assert_eq!(state, AuthorizationState::Active),
                            _ => {
                                prop_assert!(holds(&before, &who, &Permission::RequestAuthorization, was(&customer).as_ref()));
                                prop_assert!(matches!(state, AuthorizationState::Pending | AuthorizationState::Active | AuthorizationState::AwaitingDistributor));
                            }
                        }
                    }
                }
                Op::PlaceOrder(_, amount) => {
                    let amount = Money::new(Decimal::from(amount), desk.partner().currency);
                    let req = OrderRequest::new(subject.clone(), OrderType::New, amount).map_err(fail)?;
                    if desk.place_order_on_behalf(&inv, &req).is_ok() && !repeat {
                        let c = was(&subject);
                        prop_assert!(holds(&before, &actor, &Permission::PlaceOrderOnBehalf, c.as_ref()));
                        prop_assert!(c.as_ref().is_some_and(|c| c.is_associated() && c.association.is_reseller_model() && !c.freeze.is_frozen()));
                        prop_assert!(before.may_act_on_behalf(&subject, &AuthorizationScope::PlaceOrders, now));
                        let remaining = before.budget_usage(&subject, now).map_err(fail)?.map(|u| u.remaining.amount);
                        prop_assert!(remaining.is_some_and(|r| r >= amount.amount));
                    }
                }
                Op::Evaluate => {
                    desk.evaluate_budgets(now).map_err(fail)?;
                }
                Op::Expire => {
                    desk.expire_authorizations(now).map_err(fail)?;
                }
                Op::CustomerRequest(_) => {
                    let accepted = desk.request_disassociation(&inv, &subject, "random").is_ok();
                    if accepted && !repeat {
                        prop_assert_eq!(&actor, &Actor::Customer(subject.clone()));
                    }
                }
                Op::PartnerRequest(_) => {
                    let accepted = desk.request_partner_disassociation(&inv, &subject, "random").is_ok();
                    if accepted && !repeat {
                        prop_assert!(holds(&before, &actor, &Permission::ManageAssociation, None));
                        prop_assert!(was(&subject).is_some_and(|c| partnerdesk::association::disassociation_blocker(&c, now).is_none()));
                    }
                }
                Op::Decide(r, approve) => {
                    let reqs = before.disassociation_requests();
                    let Some(req) = reqs.get(r % reqs.len().max(1)).cloned() else { continue };
                    let decider = match req.initiator {
                        partnerdesk::association::Initiator::Partner => Actor::Customer(req.customer.clone()),
                        _ => actor.clone(),
                    };
                    if desk.decide_disassociation(&Invocation::new(decider.clone(), now).with_key(key.clone()), req.id, approve, "random").is_ok() && !repeat {
                        prop_assert_eq!(req.status, partnerdesk::association::RequestStatus::Pending);
                        if req.initiator == partnerdesk::association::Initiator::Customer {
                            prop_assert!(holds(&before, &decider, &Permission::ManageAssociation, None));
                        }
                        if approve {
                            prop_assert!(!desk.customer(&req.customer).map_err(fail)?.is_associated());
                        }
                    }
                }
                Op::Grant(i) => {
                    let item = Permission::KNOWN[i % Permission::KNOWN.len()].clone();
                    let target = OperatorId::new("nobody").map_err(fail)?;
                    if desk.grant_permissions(&inv, &target, std::slice::from_ref(&item)).is_ok() && !repeat {
                        prop_assert!(holds(&before, &actor, &Permission::ManageAssociation, None));
                        prop_assert!(!matches!(item, Permission::Export | Permission::ManageAssociation));
                    }
                }
                _ => {}
            }
            check_invariants(&desk, now)?;
        }
        let replayed = Desk::replay(&start, desk.events_since(loaded).iter().cloned()).map_err(fail)?;
        prop_assert!(replayed == desk, "replay differs from the live desk");
    }
}
