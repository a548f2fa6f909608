//! The governed operations under attack, as a state machine: random commands by random
//! operators (and customers and the system) with random permission items, interleaved with
//! replays of idempotency keys by random actors, forged events and edited copies of logged
//! events handed to `apply_events`. It holds, after every step:
//!
//! - no effect without an actor holding the item at that time (checked against an oracle
//!   written from the domain rules, for commands, replayed keys and accepted events alike);
//! - every command attempt is in the audit log (replayed or refused);
//! - a refused event changes nothing;
//!
//! and at the end, replaying the accepted log onto the starting snapshot gives the live desk.
//!
//! The number of sequences comes from `PARTNERDESK_STATE_MACHINE_CASES` (default 1,000; see
//! docs/testing.md, "State machine").

use chrono::{DateTime, Duration, Utc};
use partnerdesk::Invocation;
use partnerdesk::budget::{BudgetSetting, default_thresholds};
use partnerdesk::event::{Event, EventKind};
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::order::OrderRequest;
use partnerdesk::{
    Actor, Budget, BudgetKind, CustomerId, Decimal, Desk, Freeze, FreezeOrigin, FreezeScope,
    IdempotencyKey, Money, Operator, OperatorId, Order, OrderId, OrderStatus, OrderType,
    Permission, Result, Role, demo,
};
use proptest::prelude::*;
// The oracle (does the actor hold an item for a customer, from the domain rules) is shared
// with the state machine of `ops_props`.
use crate::ops_props::holds;

/// The number of sequences: `PARTNERDESK_STATE_MACHINE_CASES`, default 1,000.
fn cases() -> u32 {
    std::env::var("PARTNERDESK_STATE_MACHINE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

const OPERATORS: &[&str] = &["admin", "ops", "rops", "intern", "am_000", "ghost"];
/// Items handed out and taken back at random (to `ops`, `rops` and `intern`).
const ITEMS: &[Permission] = &[
    Permission::FreezeUnfreeze,
    Permission::FreezeUnfreezeResellerCustomers,
    Permission::SetBudget,
    Permission::SetBudgetResellerCustomers,
    Permission::AssignAccountManager,
    Permission::PlaceOrderOnBehalf,
    Permission::RequestAuthorization,
    Permission::Export,
];

#[derive(Debug, Clone)]
enum Cmd {
    Freeze(usize, bool),
    SetBudget(usize, u32),
    Assign(usize),
    PlaceOrder(usize, u32),
    Grant(usize, usize),
    Revoke(usize, usize),
}

#[derive(Debug, Clone)]
enum Step {
    /// A command by an actor, with an optional key from a small pool (so keys collide).
    Run(usize, Cmd, Option<u8>),
    /// A replay of the n-th keyed command so far, by an actor (maybe another one).
    Replay(usize, usize),
    /// A forged event of a kind, by an actor, on a customer, correctly sealed.
    Forge(usize, u8, usize),
    /// A logged event copied to the end of the log: its link kept (stale), or re-sealed with
    /// another actor.
    Edit(usize, bool, usize),
}

fn step() -> impl Strategy<Value = (u8, Step)> {
    let cmd = prop_oneof![
        (0usize..30, any::<bool>()).prop_map(|(c, f)| Cmd::Freeze(c, f)),
        (0usize..30, 1u32..3000).prop_map(|(c, a)| Cmd::SetBudget(c, a)),
        (0usize..30).prop_map(Cmd::Assign),
        (0usize..30, 1u32..2000).prop_map(|(c, a)| Cmd::PlaceOrder(c, a)),
        (0usize..3, 0usize..ITEMS.len()).prop_map(|(o, i)| Cmd::Grant(o, i)),
        (0usize..3, 0usize..ITEMS.len()).prop_map(|(o, i)| Cmd::Revoke(o, i)),
    ];
    let s = prop_oneof![
        6 => (0usize..OPERATORS.len() + 2, cmd, prop::option::weighted(0.5, 0u8..4))
            .prop_map(|(a, c, k)| Step::Run(a, c, k)),
        2 => (0usize..64, 0usize..OPERATORS.len() + 2).prop_map(|(n, a)| Step::Replay(n, a)),
        2 => (0usize..OPERATORS.len() + 2, 0u8..6, 0usize..30).prop_map(|(a, k, c)| Step::Forge(a, k, c)),
        1 => (0usize..64, any::<bool>(), 0usize..OPERATORS.len() + 2).prop_map(|(i, s, a)| Step::Edit(i, s, a)),
    ];
    (0u8..24, s)
}

fn actor(i: usize, customer: &CustomerId) -> Result<Actor> {
    crate::ops_props::actor_of(OPERATORS, i, customer)
}

fn is_admin(desk: &Desk, actor: &Actor) -> bool {
    actor
        .operator()
        .and_then(|o| desk.operator(o).ok())
        .is_some_and(|o| o.role == Role::Administrator)
}

/// The oracle for an event the desk accepted (command-made or handed in): its actor was
/// allowed to cause it, on the desk as it stood before.
fn allowed(before: &Desk, e: &Event) -> bool {
    let c = e.customer.as_ref().and_then(|id| before.customer(id).ok());
    let item = |p: Permission| holds(before, &e.actor, &p, c);
    match &e.kind {
        EventKind::PermissionsGranted { items, .. } => {
            is_admin(before, &e.actor)
                && !items
                    .iter()
                    .any(|i| matches!(i, Permission::Export | Permission::ManageAssociation))
        }
        EventKind::PermissionsRevoked { .. } => is_admin(before, &e.actor),
        EventKind::BudgetSet { .. } => item(Permission::SetBudget),
        EventKind::Frozen { freeze } => match &e.actor {
            Actor::System => {
                freeze.origin == FreezeOrigin::Budget
                    && c.and_then(|c| c.budget.as_ref())
                        .is_some_and(|b| b.auto_freeze)
            }
            _ => item(Permission::FreezeUnfreeze),
        },
        EventKind::Unfrozen { .. } => item(Permission::FreezeUnfreeze),
        EventKind::ManagerAssigned { .. } | EventKind::ManagerUnassigned => {
            item(Permission::AssignAccountManager)
        }
        EventKind::OrderPlaced { .. } => item(Permission::PlaceOrderOnBehalf),
        EventKind::AuthorizationRequested { .. } | EventKind::AuthorizationTerminated { .. } => {
            item(Permission::RequestAuthorization)
        }
        EventKind::BudgetThresholdCrossed { .. } | EventKind::BudgetForecastCrossed { .. } => {
            e.actor == Actor::System
        }
        _ => true,
    }
}

fn setup() -> Result<(Desk, DateTime<Utc>, Vec<CustomerId>)> {
    let (mut desk, now) = demo::portfolio(30, 23)?;
    desk.add_operator(
        Operator::new(OperatorId::new("ops")?, "Ops", Role::Operator).with_permissions([
            Permission::FreezeUnfreeze,
            Permission::SetBudget,
            Permission::AssignAccountManager,
            Permission::PlaceOrderOnBehalf,
        ])?,
    )?;
    desk.add_operator(
        Operator::new(OperatorId::new("rops")?, "Reseller ops", Role::Operator).with_permissions(
            [
                Permission::FreezeUnfreezeResellerCustomers,
                Permission::SetBudgetResellerCustomers,
            ],
        )?,
    )?;
    desk.add_operator(Operator::new(
        OperatorId::new("intern")?,
        "Intern",
        Role::Operator,
    ))?;
    let ids = desk.customers().map(|c| c.id.clone()).collect();
    Ok((desk, now, ids))
}

fn pick(ids: &[CustomerId], i: usize) -> CustomerId {
    ids[i % ids.len()].clone()
}

/// Runs a command; returns whether it succeeded.
fn run(
    desk: &mut Desk,
    actor: &Actor,
    cmd: &Cmd,
    ids: &[CustomerId],
    now: DateTime<Utc>,
    key: Option<&IdempotencyKey>,
) -> Result<bool> {
    let currency = desk.partner().currency;
    let inv = Invocation::new(actor.clone(), now).with_key(key.cloned());
    Ok(match cmd {
        Cmd::Freeze(c, freeze) => {
            let req = FreezeRequest::new(vec![pick(ids, *c)], FreezeScope::Account, "attack")?;
            let out = if *freeze {
                desk.freeze(&inv, &req)
            } else {
                desk.unfreeze(&inv, &req)
            };
            out.is_ok()
        }
        Cmd::SetBudget(c, amount) => {
            let s = BudgetSetting::new(
                Money::new(Decimal::from(*amount), currency),
                BudgetKind::Monthly,
                amount % 2 == 0,
                false,
            )?;
            desk.set_budget(&inv, &pick(ids, *c), &s).is_ok()
        }
        Cmd::Assign(c) => desk
            .assign_manager(&inv, &[pick(ids, *c)], &OperatorId::new("am_001")?)
            .is_ok(),
        Cmd::PlaceOrder(c, amount) => {
            let req = OrderRequest::new(
                pick(ids, *c),
                OrderType::New,
                Money::new(Decimal::from(*amount), currency),
            )?;
            desk.place_order_on_behalf(&inv, &req).is_ok()
        }
        Cmd::Grant(o, i) | Cmd::Revoke(o, i) => {
            let target = OperatorId::new(["ops", "rops", "intern"][*o % 3])?;
            let items = [ITEMS[*i % ITEMS.len()].clone()];
            let r = if matches!(cmd, Cmd::Grant(..)) {
                desk.grant_permissions(&inv, &target, &items)
            } else {
                desk.revoke_permissions(&inv, &target, &items)
            };
            r.is_ok()
        }
    })
}

/// A forged event of one of six kinds, at the next sequence number, sealed as the desk would.
fn forge(
    desk: &Desk,
    actor: &Actor,
    kind: u8,
    customer: &CustomerId,
    now: DateTime<Utc>,
    n: usize,
) -> Result<Event> {
    let currency = desk.partner().currency;
    let (customer, kind) = match kind {
        0 => (
            None,
            EventKind::PermissionsGranted {
                operator: OperatorId::new("intern")?,
                items: vec![Permission::RevealSensitive],
            },
        ),
        1 => (
            Some(customer.clone()),
            EventKind::BudgetSet {
                budget: Box::new(Budget {
                    kind: BudgetKind::Monthly,
                    amount: Money::new(Decimal::from(100), currency),
                    set_at: now,
                    set_by: actor.login(),
                    auto_freeze: false,
                    thresholds: default_thresholds(),
                }),
            },
        ),
        2 => (
            Some(customer.clone()),
            EventKind::Frozen {
                freeze: Box::new(Freeze {
                    scope: FreezeScope::Account,
                    origin: FreezeOrigin::Manual,
                    reason: "forged".to_owned(),
                    by: actor.login(),
                    at: now,
                }),
            },
        ),
        3 => (
            Some(customer.clone()),
            EventKind::ManagerAssigned {
                manager: OperatorId::new("am_002")?,
            },
        ),
        4 => (
            Some(customer.clone()),
            EventKind::OrderPlaced {
                order: Box::new(Order {
                    id: OrderId::new(format!("FORGED{n}"))?,
                    status: OrderStatus::PendingPayment,
                    kind: OrderType::New,
                    amount: Money::new(Decimal::from(1), currency),
                    created_at: now,
                    paid_at: None,
                    placed_by: actor.operator().cloned(),
                }),
            },
        ),
        _ => (
            None,
            EventKind::PermissionsRevoked {
                operator: OperatorId::new("ops")?,
                items: vec![Permission::SetBudget],
            },
        ),
    };
    let mut e = Event {
        seq: desk.events().len() as u64 + 1,
        at: now,
        actor: actor.clone(),
        customer,
        kind,
        link: String::new(),
    };
    e.seal(desk.chain_head(), None)?;
    Ok(e)
}

/// Hands events to the desk: if refused, nothing changed; if accepted, the oracle allows it.
fn hand_in(desk: &mut Desk, e: Event) -> std::result::Result<bool, TestCaseError> {
    let before = desk.clone();
    match desk.apply_events([e.clone()]) {
        Ok(()) => {
            prop_assert!(allowed(&before, &e), "accepted a disallowed event: {}", e);
            Ok(true)
        }
        Err(err) => {
            prop_assert!(
                matches!(err.code(), "INVALID_EVENT" | "EVENT_CHAIN_BROKEN"),
                "{}",
                err
            );
            prop_assert!(*desk == before, "a refused event changed the desk");
            Ok(false)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 200, .. ProptestConfig::default() })]

    #[test]
    fn an_attacker_gets_no_effect_without_the_item(steps in prop::collection::vec(step(), 1..32)) {
        let fail = |e: partnerdesk::Error| TestCaseError::fail(e.to_string());
        let (mut desk, mut now, ids) = setup().map_err(fail)?;
        let start = desk.to_snapshot_json().map_err(fail)?;
        let loaded = desk.mark().events;
        // Keyed commands so far: (actor index, command, key).
        let mut keyed: Vec<(usize, Cmd, IdempotencyKey)> = Vec::new();
        let mut accepted_forgeries = 0usize;
        for (n, (hours, step)) in steps.into_iter().enumerate() {
            now += Duration::hours(i64::from(hours));
            let before = desk.clone();
            let audited = before.audit_log(&Default::default()).len();
            match step {
                Step::Run(a, cmd, k) => {
                    let subject = match &cmd {
                        Cmd::Freeze(c, _) | Cmd::SetBudget(c, _) | Cmd::Assign(c) | Cmd::PlaceOrder(c, _) => pick(&ids, *c),
                        _ => pick(&ids, a),
                    };
                    let who = actor(a, &subject).map_err(fail)?;
                    let key = k.map(|k| IdempotencyKey::new(format!("k{k}"))).transpose().map_err(fail)?;
                    let seen = key.as_ref().is_some_and(|k| keyed.iter().any(|(_, _, x)| x == k));
                    let ok = run(&mut desk, &who, &cmd, &ids, now, key.as_ref()).map_err(fail)?;
                    prop_assert!(desk.audit_log(&Default::default()).len() > audited, "an attempt was not audited");
                    if let (Some(key), false, true) = (key, seen, ok) {
                        keyed.push((a, cmd, key));
                    }
                    if ok && seen {
                        // A replay: answered only while the actor still may, and changes nothing.
                        prop_assert!(desk == before, "a replayed key changed the desk");
                    }
                }
                Step::Replay(i, a) => {
                    let Some((_, cmd, key)) = keyed.get(i % keyed.len().max(1)).cloned() else { continue };
                    let subject = pick(&ids, a);
                    let who = actor(a, &subject).map_err(fail)?;
                    let ok = run(&mut desk, &who, &cmd, &ids, now, Some(&key)).map_err(fail)?;
                    prop_assert!(desk == before, "a replayed key changed the desk");
                    prop_assert!(desk.audit_log(&Default::default()).len() > audited, "a replay was not audited");
                    if ok {
                        // Answered: the same actor, which still holds what the command needs.
                        let recorder = keyed.iter().find(|(_, _, k)| k == &key).map(|(r, ..)| *r);
                        prop_assert_eq!(recorder, Some(a));
                        let item = match &cmd {
                            Cmd::Freeze(..) => Some(Permission::FreezeUnfreeze),
                            Cmd::SetBudget(..) => Some(Permission::SetBudget),
                            Cmd::Assign(..) => Some(Permission::AssignAccountManager),
                            Cmd::PlaceOrder(..) => Some(Permission::PlaceOrderOnBehalf),
                            Cmd::Grant(..) | Cmd::Revoke(..) => None,
                        };
                        match item {
                            Some(Permission::FreezeUnfreeze) => prop_assert!(
                                holds(&before, &who, &Permission::FreezeUnfreeze, None)
                                    || holds(&before, &who, &Permission::FreezeUnfreezeResellerCustomers, None)
                            ),
                            Some(item) => {
                                let c = match &cmd {
                                    Cmd::SetBudget(c, _) | Cmd::PlaceOrder(c, _) => before.customer(&pick(&ids, *c)).ok(),
                                    _ => None,
                                };
                                prop_assert!(holds(&before, &who, &item, c));
                            }
                            None => prop_assert!(is_admin(&before, &who)),
                        }
                    }
                }
                Step::Forge(a, kind, c) => {
                    let subject = pick(&ids, c);
                    let who = actor(a, &subject).map_err(fail)?;
                    let e = forge(&desk, &who, kind, &subject, now, n).map_err(fail)?;
                    if hand_in(&mut desk, e)? {
                        accepted_forgeries += 1;
                    }
                }
                Step::Edit(i, reseal, a) => {
                    let Some(mut e) = desk.events().get(i % desk.events().len().max(1)).cloned() else { continue };
                    e.seq = desk.events().len() as u64 + 1;
                    e.at = now;
                    if reseal {
                        let subject = e.customer.clone().unwrap_or_else(|| pick(&ids, a));
                        e.actor = actor(a, &subject).map_err(fail)?;
                        e.seal(desk.chain_head(), None).map_err(fail)?;
                        hand_in(&mut desk, e)?;
                    } else {
                        // The link was made for another place: always refused.
                        prop_assert!(!hand_in(&mut desk, e)?, "a stale link was accepted");
                    }
                }
            }
            // No effect without the item: every event this step added passes the oracle,
            // each against the desk as it stood before it.
            let added = &desk.events()[before.events().len()..];
            let mut at = before.clone();
            for e in added {
                prop_assert!(allowed(&at, e), "an event without the item: {}", e);
                at.apply_events([e.clone()]).map_err(fail)?;
            }
        }
        let _ = accepted_forgeries;
        let replayed = Desk::replay(&start, desk.events_since(loaded).iter().cloned()).map_err(fail)?;
        prop_assert!(replayed == desk, "replay of the accepted log differs from the live desk");
    }
}
