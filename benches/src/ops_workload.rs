//! The governed-operations workload of the `ops` benchmark, shared with the profiling example
//! (`examples/profile_ops.rs`): a 1M demo desk with an operator and 5,000 authorized customers,
//! and a stream of 100,000 mixed commands in a fixed seeded mix.
#![allow(clippy::unwrap_used)]

use crate::rng::Rng;
use chrono::{DateTime, Duration, Utc};
use partnerdesk::Invocation;
use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope};
use partnerdesk::budget::BudgetSetting;
use partnerdesk::demo;
use partnerdesk::event::Event;
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::order::OrderRequest;
use partnerdesk::{
    Actor, BudgetKind, CustomerId, Decimal, Desk, FreezeScope, Money, Operator, OperatorId,
    OrderType, Permission, Role,
};

/// One command of the stream.
pub enum Cmd {
    /// Assign an account manager.
    Assign(CustomerId, OperatorId),
    /// Freeze 1 to 3 reseller-model customers.
    Freeze(FreezeRequest),
    /// Unfreeze 1 to 3 reseller-model customers.
    Unfreeze(FreezeRequest),
    /// Set a budget.
    Budget(CustomerId, BudgetSetting),
    /// Place an order on behalf.
    Order(OrderRequest),
    /// Evaluate one customer's budget.
    Evaluate(CustomerId),
}

/// The desk, the clock, the operator and the command stream.
pub struct Setup {
    /// The demo desk with the bench operator and 5,000 authorizations.
    pub desk: Desk,
    /// The stream's start time.
    pub now: DateTime<Utc>,
    /// The operator running the stream.
    pub actor: Actor,
    /// 100,000 commands in a fixed seeded mix.
    pub commands: Vec<Cmd>,
}

/// The portfolio size: `PD_OPS_SIZE`, 1M by default.
pub fn size() -> usize {
    std::env::var("PD_OPS_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

/// Builds the desk and the stream for a portfolio of `n` customers.
///
/// # Panics
/// If the demo portfolio cannot be built (a bug of the demo generator).
pub fn setup(n: usize) -> Setup {
    let (mut desk, now) = demo::portfolio(n, 42).unwrap();
    desk.add_operator(
        Operator::new(
            OperatorId::new("bench_ops").unwrap(),
            "Bench",
            Role::Operator,
        )
        .with_permissions([
            Permission::FreezeUnfreeze,
            Permission::FreezeUnfreezeResellerCustomers,
            Permission::SetBudget,
            Permission::SetBudgetResellerCustomers,
            Permission::AssignAccountManager,
            Permission::RequestAuthorization,
            Permission::PlaceOrderOnBehalf,
        ])
        .unwrap(),
    )
    .unwrap();
    let actor = Actor::Operator(OperatorId::new("bench_ops").unwrap());
    let reseller: Vec<CustomerId> = desk
        .customers()
        .filter(|c| c.is_associated() && c.association.is_reseller_model())
        .map(|c| fresh(&c.id))
        .collect();
    let all: Vec<CustomerId> = desk.customers().map(|c| fresh(&c.id)).collect();
    let managers: Vec<OperatorId> = desk
        .operators()
        .filter(|o| o.account_manager)
        .map(|o| OperatorId::new(o.id.as_str()).unwrap())
        .collect();
    let cur = desk.partner().currency;
    // A pool of customers that may be ordered for: authorized, budgeted.
    let mut rng = Rng::new(7);
    for _ in 0..5_000 {
        let id = rng.pick(&reseller).clone();
        let req =
            AuthorizationRequest::new(id.clone(), [AuthorizationScope::PlaceOrders], 365, true)
                .unwrap();
        if let Ok(a) = desk.request_authorization(&Invocation::new(actor.clone(), now), &req) {
            desk.approve_authorization(&Invocation::new(Actor::Customer(id.clone()), now), &a)
                .unwrap();
        }
    }
    let authorized: Vec<CustomerId> = desk
        .customers()
        .filter(|c| desk.may_act_on_behalf(&c.id, &AuthorizationScope::PlaceOrders, now))
        .map(|c| fresh(&c.id))
        .collect();
    let mut commands = Vec::with_capacity(100_000);
    for i in 0..100_000 {
        let cmd = match i % 6 {
            0 => Cmd::Assign(rng.pick(&all).clone(), rng.pick(&managers).clone()),
            1 | 2 => {
                let ids: Vec<CustomerId> = (0..1 + rng.below(3))
                    .map(|_| rng.pick(&reseller).clone())
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let scope = if rng.chance(75) {
                    FreezeScope::Account
                } else {
                    FreezeScope::AccountAndResources
                };
                let req = FreezeRequest::new(ids, scope, "bench").unwrap();
                if i % 6 == 1 {
                    Cmd::Freeze(req)
                } else {
                    Cmd::Unfreeze(req)
                }
            }
            3 => {
                let amount = Money::new(Decimal::from(1_000 + rng.below(100_000)), cur);
                let kind = if rng.chance(80) {
                    BudgetKind::Monthly
                } else {
                    BudgetKind::OneOff
                };
                let s = BudgetSetting::new(amount, kind, rng.chance(30), rng.chance(50)).unwrap();
                let who = if rng.chance(50) {
                    rng.pick(&authorized).clone()
                } else {
                    rng.pick(&reseller).clone()
                };
                Cmd::Budget(who, s)
            }
            4 => {
                let amount = Money::new(Decimal::new(100 + rng.below(50_000) as i64, 2), cur);
                Cmd::Order(
                    OrderRequest::new(rng.pick(&authorized).clone(), OrderType::New, amount)
                        .unwrap(),
                )
            }
            _ => Cmd::Evaluate(rng.pick(&reseller).clone()),
        };
        commands.push(cmd);
    }
    Setup {
        desk,
        now,
        actor,
        commands,
    }
}

/// A copy of an id in its own allocation, as a host holds ids it parsed from a request
/// (identifiers share their text when cloned, and a stream of clones of the desk's own ids
/// would find them equal by address, which a real host's ids never are).
fn fresh(id: &CustomerId) -> CustomerId {
    CustomerId::new(id.as_str()).unwrap()
}

/// The events as a host gets them back from storage: a JSON round trip, so that no
/// identifier shares its text with the desk the events are replayed onto.
///
/// # Panics
/// If the events do not round-trip through JSON (a bug of their serde support).
pub fn detached(events: &[Event]) -> Vec<Event> {
    let json = serde_json::to_string(events).unwrap();
    serde_json::from_str(&json).unwrap()
}

/// Runs the stream; returns how many commands (or batch items) succeeded.
///
/// The stream's clock starts at the setup's `now`, or at the desk's last event when that is
/// later: a desk refuses a command dated before its last event (time never goes backwards in
/// the log), so a stream run again on the same desk (as the replay benchmark does to record a
/// million events) continues from where the previous one ended instead of being refused whole.
pub fn run(desk: &mut Desk, s: &Setup) -> usize {
    let mut ok = 0;
    let mut now = desk.events().last().map_or(s.now, |e| e.at.max(s.now));
    for (i, c) in s.commands.iter().enumerate() {
        if i % 1000 == 0 {
            now += Duration::seconds(1);
        }
        ok += apply(desk, c, &s.actor, now);
    }
    ok
}

/// Runs one command of the stream as `actor` at `now`; returns how many commands (or batch
/// items) succeeded.
pub fn apply(desk: &mut Desk, c: &Cmd, actor: &Actor, now: DateTime<Utc>) -> usize {
    let inv = || Invocation::new(actor.clone(), now);
    match c {
        Cmd::Assign(id, m) => desk
            .assign_manager(&inv(), std::slice::from_ref(id), m)
            .map_or(0, |o| o.succeeded()),
        Cmd::Freeze(r) => desk.freeze(&inv(), r).map_or(0, |o| o.succeeded()),
        Cmd::Unfreeze(r) => desk.unfreeze(&inv(), r).map_or(0, |o| o.succeeded()),
        Cmd::Budget(id, b) => usize::from(desk.set_budget(&inv(), id, b).is_ok()),
        Cmd::Order(r) => usize::from(desk.place_order_on_behalf(&inv(), r).is_ok()),
        Cmd::Evaluate(id) => usize::from(desk.evaluate_budget(id, now).is_ok()),
    }
}
