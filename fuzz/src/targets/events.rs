//! Event JSON and replay: any list of events (parsed from JSON) applied to a snapshot gives a
//! desk or a typed error; an accepted log gives a desk that runs and round-trips.

use super::{Fuzz, Target, demo, exercise, round_trips};
use crate::mutate;
use crate::rng::Rng;
use chrono::{DateTime, Utc};
use partnerdesk::access::{Actor, Permission};
use partnerdesk::budget::BudgetSetting;
use partnerdesk::event::Event;
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::query::{PageRequest, Query, Sort};
use partnerdesk::{BudgetKind, Desk, FreezeScope, Invocation, Money, OperatorId};
use serde_json::Value;

/// The target.
pub(crate) const TARGET: Target = Target {
    name: "events",
    about: "event JSON and Desk::replay / apply_events: typed error or a desk that round-trips",
    setup: || Box::new(Events::new()),
};

struct Events {
    start: String,
    log: Value,
    now: DateTime<Utc>,
}

/// A short log of real commands on a demo desk: freezes, an unfreeze, budgets, permissions.
fn record() -> Result<(String, Vec<Event>, DateTime<Utc>), partnerdesk::Error> {
    let (mut desk, now) = demo(40, 21);
    let start = desk.to_snapshot_json()?;
    let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    let open = Query::parse("assoc=reseller and frozen=false")?;
    let ids = desk
        .search_ids(&open, Sort::default(), &PageRequest::first(6), now)?
        .ids;
    let (freeze, rest) = ids.split_at(ids.len().min(3));
    desk.freeze(
        &admin,
        &FreezeRequest::new(freeze.to_vec(), FreezeScope::Account, "overdue")?,
    )?;
    if let Some(first) = freeze.first() {
        desk.unfreeze(
            &admin,
            &FreezeRequest::new(vec![first.clone()], FreezeScope::Account, "paid")?,
        )?;
    }
    let currency = desk.partner().currency;
    for id in rest {
        let setting = BudgetSetting::new(
            Money::new(partnerdesk::Decimal::new(150_000, 2), currency),
            BudgetKind::Monthly,
            true,
            false,
        )?;
        desk.set_budget(&admin, id, &setting)?;
    }
    let other = desk
        .operators()
        .find(|o| o.id.as_str() != "admin")
        .map(|o| o.id.clone());
    if let Some(op) = other {
        desk.grant_permissions(&admin, &op, &[Permission::SetBudget])?;
    }
    Ok((start, desk.events().to_vec(), now))
}

impl Events {
    fn new() -> Self {
        match record() {
            Ok((start, events, now)) => Events {
                start,
                log: serde_json::to_value(&events).unwrap_or(Value::Null),
                now,
            },
            Err(e) => {
                eprintln!("setup: recording the event log failed: {e}");
                std::process::exit(2);
            }
        }
    }
}

impl Fuzz for Events {
    fn generate(&self, rng: &mut Rng) -> Vec<u8> {
        serde_json::to_vec(&mutate::json(rng, &self.log, 6)).unwrap_or_default()
    }

    fn run(&self, input: &[u8]) -> Result<(), String> {
        let Ok(events) = serde_json::from_slice::<Vec<Event>>(input) else {
            return Ok(());
        };
        let Ok(desk) = Desk::replay(&self.start, events) else {
            return Ok(());
        };
        exercise(&desk, &Query::all(), self.now)?;
        round_trips(&desk)
    }
}
