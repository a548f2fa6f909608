//! Governed-operation benchmarks on the 1M-customer demo portfolio:
//!
//! - `ops/mixed_100k`: a stream of 100k mixed commands (assign manager, freeze, unfreeze, set
//!   budget, place order on behalf, evaluate a budget) by operators, each with its permission
//!   check, preconditions, index upkeep, events and audit record; refusals count as commands.
//! - `ops/replay_1m`: applying 1M recorded events onto the desk they started from.
//!
//! The 1M desk is built once; each iteration works on a fresh clone (the clone is not timed).
//! Run: `cargo bench -p partnerdesk-benches --bench ops` (`PD_OPS_SIZE=100000` for a smaller
//! portfolio).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use chrono::{DateTime, Duration, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope};
use partnerdesk::budget::BudgetSetting;
use partnerdesk::demo::{self, Rng};
use partnerdesk::event::Event;
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::order::OrderRequest;
use partnerdesk::{
    Actor, BudgetKind, CustomerId, Decimal, Desk, FreezeScope, Money, Operator, OperatorId,
    OrderType, Permission, Role,
};
use std::hint::black_box;

enum Cmd {
    Assign(CustomerId, OperatorId),
    Freeze(FreezeRequest),
    Unfreeze(FreezeRequest),
    Budget(CustomerId, BudgetSetting),
    Order(OrderRequest),
    Evaluate(CustomerId),
}

struct Setup {
    desk: Desk,
    now: DateTime<Utc>,
    actor: Actor,
    commands: Vec<Cmd>,
}

fn size() -> usize {
    std::env::var("PD_OPS_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

fn setup() -> Setup {
    let (mut desk, now) = demo::portfolio(size(), 42).unwrap();
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
        .map(|c| c.id.clone())
        .collect();
    let all: Vec<CustomerId> = desk.customers().map(|c| c.id.clone()).collect();
    let managers: Vec<OperatorId> = desk
        .operators()
        .filter(|o| o.account_manager)
        .map(|o| o.id.clone())
        .collect();
    let cur = desk.partner().currency;
    // A pool of customers that may be ordered for: authorized, budgeted.
    let mut rng = Rng::new(7);
    for _ in 0..5_000 {
        let id = rng.pick(&reseller).clone();
        let req =
            AuthorizationRequest::new(id.clone(), [AuthorizationScope::PlaceOrders], 365, true)
                .unwrap();
        if let Ok(a) = desk.request_authorization(&actor, &req, now, None) {
            desk.approve_authorization(&Actor::Customer(id.clone()), &a, now, None)
                .unwrap();
        }
    }
    let authorized: Vec<CustomerId> = desk
        .customers()
        .filter(|c| desk.may_act_on_behalf(&c.id, &AuthorizationScope::PlaceOrders, now))
        .map(|c| c.id.clone())
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

/// Runs the stream; returns how many commands (or batch items) succeeded.
fn run(desk: &mut Desk, s: &Setup) -> usize {
    let mut ok = 0;
    let mut now = s.now;
    for (i, c) in s.commands.iter().enumerate() {
        if i % 1000 == 0 {
            now += Duration::seconds(1);
        }
        let a = &s.actor;
        ok += match c {
            Cmd::Assign(id, m) => desk
                .assign_manager(a, std::slice::from_ref(id), m, now, None)
                .map_or(0, |o| o.succeeded()),
            Cmd::Freeze(r) => desk.freeze(a, r, now, None).map_or(0, |o| o.succeeded()),
            Cmd::Unfreeze(r) => desk.unfreeze(a, r, now, None).map_or(0, |o| o.succeeded()),
            Cmd::Budget(id, b) => usize::from(desk.set_budget(a, id, b, now, None).is_ok()),
            Cmd::Order(r) => usize::from(desk.place_order_on_behalf(a, r, now, None).is_ok()),
            Cmd::Evaluate(id) => usize::from(desk.evaluate_budget(id, now).is_ok()),
        };
    }
    ok
}

fn bench(c: &mut Criterion) {
    let s = setup();
    // How many succeed (printed once so the mix can be judged).
    let mut probe = s.desk.clone();
    let ok = run(&mut probe, &s);
    println!(
        "ops: {} customers, 100000 commands, {ok} successes, {} events",
        s.desk.len(),
        probe.events().len() - s.desk.events().len()
    );
    drop(probe);

    let mut g = c.benchmark_group("ops");
    g.sample_size(10);
    g.throughput(Throughput::Elements(s.commands.len() as u64));
    g.bench_function("mixed_100k", |b| {
        b.iter_batched(
            || s.desk.clone(),
            |mut desk| {
                black_box(run(&mut desk, &s));
                desk
            },
            BatchSize::PerIteration,
        )
    });

    // 1M events: keep running command streams until the log holds a million more events.
    let base = s.desk.clone();
    let mut live = s.desk.clone();
    let start = live.events().len();
    while live.events().len() - start < 1_000_000 {
        run(&mut live, &s);
    }
    let events: Vec<Event> = live.events()[start..start + 1_000_000].to_vec();
    drop(live);
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("replay_1m", |b| {
        b.iter_batched(
            || (base.clone(), events.clone()),
            |(mut desk, events)| {
                desk.apply_events(events).unwrap();
                desk
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
