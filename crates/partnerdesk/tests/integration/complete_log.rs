//! Every change is an event: data changes (customers inserted, upserted in batches, updated,
//! removed; spend; operators; month rolls; export jobs; mask policies) are in the log beside the governed
//! commands, so the complete log, replayed onto the snapshot of the empty desk it started as,
//! with the audit trail appended beside it, reproduces the live desk exactly.

use chrono::{DateTime, Duration, Utc};
use partnerdesk::budget::BudgetSetting;
use partnerdesk::event::{Event, EventKind};
use partnerdesk::export::{ExportRequest, ExportSelection};
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::privacy::{MaskPolicy, MaskRule, MaskedList};
use partnerdesk::{
    Actor, BudgetKind, ChargingMode, Currency, Customer, CustomerId, Decimal, Desk, FreezeScope,
    Invocation, Money, Operator, OperatorId, Permission, Result, Role, SpendRecord, demo,
};
use proptest::prelude::*;
use std::ops::ControlFlow;

const ACTORS: &[&str] = &["admin", "ops", "ops_billing", "am_000", "nobody"];

/// An empty desk, its snapshot, the pool's operators and customers, and its `now`.
type Pool = (Desk, String, Vec<Operator>, Vec<Customer>, DateTime<Utc>);

/// The pool the random steps draw from: a demo portfolio's operators and customers, and an
/// empty desk of its partner (with its snapshot) for them to be loaded into.
fn pool(n: usize) -> Result<Pool> {
    let (demo, now) = demo::portfolio(n, 11)?;
    let desk = Desk::new(demo.partner().clone(), now);
    let start = desk.to_snapshot_json()?;
    let operators = demo.operators().cloned().collect();
    let customers = demo.customers().cloned().collect();
    Ok((desk, start, operators, customers, now))
}

/// Replays the complete log (through its JSON form, as a store keeps it) onto `start` and
/// appends the audit trail: the result must be the live desk, with its audit trail and mark.
fn replays_to_itself(desk: &Desk, start: &str) -> Result<()> {
    let json = serde_json::to_string(desk.events())?;
    let events: Vec<Event> = serde_json::from_str(&json)?;
    let mut again = Desk::replay(start, events)?;
    again.append_audit(desk.audit_since(0).iter().cloned())?;
    assert!(
        again == *desk,
        "the replayed desk differs from the live one"
    );
    assert_eq!(again.audit_since(0), desk.audit_since(0));
    assert_eq!(again.mark(), desk.mark());
    assert_eq!(again.exports(), desk.exports());
    assert_eq!(again.indexed_month(), desk.indexed_month());
    assert_eq!(again.row_policy(), desk.row_policy());
    assert_eq!(again.export_policy(), desk.export_policy());
    Ok(())
}

/// A `mask_policy_set` event's kind.
fn policy_set(list: MaskedList, policy: MaskPolicy) -> EventKind {
    EventKind::MaskPolicySet { list, policy }
}

/// The policies the random steps set (`variant`); the last two are refused for rows (a
/// pseudonym) or for both lists (a name in clear).
fn policy(variant: u8) -> MaskPolicy {
    let console = MaskPolicy::console();
    match variant % 6 {
        0 => console,
        1 => MaskPolicy::strict(),
        2 => MaskPolicy {
            name: MaskRule::Keep { first: 0, last: 1 },
            manager_name: MaskRule::Fixed("staff".to_owned()),
            ..console
        },
        3 => MaskPolicy {
            email: MaskRule::Hidden,
            account_name: MaskRule::Default,
            ..console
        },
        4 => MaskPolicy {
            mobile: MaskRule::Pseudonym,
            ..console
        },
        _ => MaskPolicy {
            name: MaskRule::Clear,
            ..console
        },
    }
}

fn spend(day: chrono::NaiveDate, cents: i64, currency: Currency) -> SpendRecord {
    SpendRecord {
        day,
        product: "hws.service.type.ec2".into(),
        amount: Money::new(Decimal::new(cents, 2), currency),
        mode: ChargingMode::PayPerUse,
    }
}

#[test]
fn each_data_change_is_one_system_event_without_personal_data() -> Result<()> {
    let (mut desk, start, operators, customers, now) = pool(6)?;
    let currency = desk.partner().currency;
    let kinds = |d: &Desk, from: u64| -> Vec<&'static str> {
        d.events_since(from).iter().map(|e| e.kind.code()).collect()
    };
    let mut mark = desk.mark().events;
    for o in &operators {
        desk.add_operator(o.clone())?;
    }
    assert!(kinds(&desk, mark).iter().all(|k| *k == "operator_added"));
    assert_eq!(kinds(&desk, mark).len(), operators.len());
    mark = desk.mark().events;
    desk.insert_customer(customers[0].clone())?;
    desk.upsert_customers(customers[1..].to_vec())?;
    assert_eq!(
        kinds(&desk, mark),
        ["customers_inserted", "customers_upserted"]
    );
    let id = customers[0].id.clone();
    mark = desk.mark().events;
    desk.update_customer(&id, |c| c.tags.clear())?;
    desk.add_spend(&id, spend(now.date_naive(), 1234, currency))?;
    desk.roll_to(now + Duration::days(40))?;
    desk.roll_to(now + Duration::days(41))?; // the same month: nothing
    desk.set_row_policy(policy(2))?;
    desk.set_row_policy(policy(2))?; // the policy in force: nothing
    desk.set_export_policy(policy(4))?;
    desk.set_export_policy(MaskPolicy::console())?; // back to the default: an event too
    let admin = Invocation::new(
        Actor::Operator(OperatorId::new("admin")?),
        now + Duration::days(41),
    );
    desk.export(
        &admin,
        &ExportRequest::csv(ExportSelection::all()),
        Vec::new(),
        |_| ControlFlow::Continue(()),
    )?;
    desk.remove_customer(&id)?;
    assert_eq!(
        kinds(&desk, mark),
        [
            "customer_updated",
            "spend_added",
            "month_rolled",
            "mask_policy_set",
            "mask_policy_set",
            "mask_policy_set",
            "export_recorded",
            "customer_removed"
        ]
    );
    for e in desk.events() {
        if e.kind.code() == "export_recorded" {
            assert_eq!(e.actor, Actor::Operator(OperatorId::new("admin")?));
        } else {
            assert_eq!(e.actor, Actor::System, "{e}");
        }
        // Ids and counts, never a name, mobile or e-mail.
        let text = format!("{e}");
        for c in &customers {
            assert!(!text.contains(c.name.expose().as_str()) || c.name.expose().is_empty());
            if let Some(m) = &c.mobile {
                assert!(!text.contains(m.expose().number.as_str()));
            }
            if let Some(m) = &c.email {
                assert!(!text.contains(m.expose().as_str()));
            }
        }
        for o in &operators {
            assert!(!text.contains(&format!(" {} ", o.name.expose())), "{text}");
        }
    }
    // The policy events name their list only.
    let texts: Vec<String> = desk
        .events()
        .iter()
        .filter(|e| e.kind.code() == "mask_policy_set")
        .map(|e| e.kind.to_string())
        .collect();
    assert_eq!(
        texts,
        [
            "mask_policy_set rows",
            "mask_policy_set exports",
            "mask_policy_set exports"
        ]
    );
    let batch = desk
        .events()
        .iter()
        .find(|e| e.kind.code() == "customers_upserted")
        .map(ToString::to_string);
    assert_eq!(
        batch.as_deref().map(|t| t.ends_with(&format!(
            "customers_upserted customers:{} operators:0",
            customers.len() - 1
        ))),
        Some(true)
    );
    replays_to_itself(&desk, &start)
}

#[test]
fn a_batch_is_all_or_nothing_and_a_refused_one_leaves_no_event() -> Result<()> {
    let (mut desk, _start, operators, customers, _now) = pool(8)?;
    for o in &operators {
        desk.add_operator(o.clone())?;
    }
    let before = desk.clone();
    let mut batch = customers.clone();
    // The last record has spend in another currency: the whole batch is refused.
    let other = if desk.partner().currency == Currency::USD {
        Currency::CNY
    } else {
        Currency::USD
    };
    if let Some(last) = batch.last_mut() {
        last.spend.push(spend(chrono::NaiveDate::MIN, 100, other));
    }
    let err = desk.upsert_customers(batch).err().map(|e| e.code());
    assert_eq!(err, Some("INVALID_MONEY"));
    assert!(desk == before && desk.mark() == before.mark());
    // The same id twice in a batch.
    let twice = vec![customers[0].clone(), customers[0].clone()];
    assert_eq!(
        desk.upsert_customers(twice).err().map(|e| e.code()),
        Some("DUPLICATE_CUSTOMER")
    );
    // An operator on the desk already, in a batch with new operators.
    let again = vec![operators[0].clone()];
    assert_eq!(
        desk.upsert_batch(again, customers.clone())
            .err()
            .map(|e| e.code()),
        Some("DUPLICATE_OPERATOR")
    );
    assert!(desk == before && desk.mark() == before.mark());
    // An empty batch: no event.
    desk.upsert_customers(Vec::new())?;
    assert_eq!(desk.mark(), before.mark());
    Ok(())
}

#[test]
fn a_replayed_data_event_is_checked_as_its_method_checks_input() -> Result<()> {
    let (mut desk, start, operators, customers, now) = pool(4)?;
    for o in &operators {
        desk.add_operator(o.clone())?;
    }
    desk.upsert_customers(customers.clone())?;
    let good = desk.events().to_vec();
    let next = good.len() as u64 + 1;
    let base = Desk::replay(&start, good.iter().cloned())?;
    let forge = |customer: Option<CustomerId>, actor: Actor, kind: EventKind| -> Result<Event> {
        let mut e = Event {
            seq: next,
            at: now,
            actor,
            customer,
            kind,
            link: String::new(),
        };
        e.seal(base.chain_head(), None)?;
        Ok(e)
    };
    let other = if desk.partner().currency == Currency::USD {
        Currency::CNY
    } else {
        Currency::USD
    };
    let id = customers[0].id.clone();
    let forged = [
        // A customer inserted twice.
        forge(
            None,
            Actor::System,
            EventKind::CustomersInserted {
                customers: vec![customers[0].clone()],
            },
        )?,
        // Spend in another currency.
        forge(
            Some(id.clone()),
            Actor::System,
            EventKind::SpendAdded {
                record: Box::new(spend(now.date_naive(), 100, other)),
            },
        )?,
        // A data change claimed by an operator.
        forge(
            Some(id.clone()),
            Actor::Operator(OperatorId::new("admin")?),
            EventKind::CustomerRemoved,
        )?,
        // A customer record that changed its id.
        forge(
            Some(id.clone()),
            Actor::System,
            EventKind::CustomerUpdated {
                customer: Box::new(customers[1].clone()),
            },
        )?,
        // An operator twice.
        forge(
            None,
            Actor::System,
            EventKind::OperatorAdded {
                operator: Box::new(operators[0].clone()),
            },
        )?,
        // The month already indexed.
        forge(
            None,
            Actor::System,
            EventKind::MonthRolled {
                month: desk.indexed_month(),
            },
        )?,
        // A row policy that shows names in clear.
        forge(None, Actor::System, policy_set(MaskedList::Rows, policy(5)))?,
        // An export policy that shows names in clear.
        forge(
            None,
            Actor::System,
            policy_set(MaskedList::Exports, policy(5)),
        )?,
        // A keyed pseudonym in rows.
        forge(None, Actor::System, policy_set(MaskedList::Rows, policy(4)))?,
        // A malformed fixed text.
        forge(
            None,
            Actor::System,
            policy_set(
                MaskedList::Exports,
                MaskPolicy {
                    account_name: MaskRule::Fixed("a*b".to_owned()),
                    ..MaskPolicy::console()
                },
            ),
        )?,
        // A policy set by an operator, or for one customer.
        forge(
            None,
            Actor::Operator(OperatorId::new("admin")?),
            policy_set(MaskedList::Rows, policy(1)),
        )?,
        forge(
            Some(id.clone()),
            Actor::System,
            policy_set(MaskedList::Rows, policy(1)),
        )?,
        // The export policy already in force: the setter writes no event for it.
        forge(
            None,
            Actor::System,
            policy_set(MaskedList::Exports, base.export_policy().clone()),
        )?,
        // A customer that is not on the desk.
        forge(
            Some(CustomerId::new("nobody-here")?),
            Actor::System,
            EventKind::CustomerRemoved,
        )?,
    ];
    for e in forged {
        let what = e.to_string();
        let mut copy = base.clone();
        let err = copy.apply_events([e]).err();
        assert_eq!(
            err.as_ref()
                .map(|e| (e.code(), e.to_string().contains(&format!("{next}")))),
            Some(("INVALID_EVENT", true)),
            "{what}: {err:?}"
        );
        assert!(copy == base, "{what}: a refused event changed the desk");
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Step {
    /// Upsert a batch of pool customers (`variant`: as is, spend cleared, manager removed;
    /// `bad`: one of them invalid, the batch refused).
    Upsert(Vec<usize>, u8, bool),
    Insert(usize),
    Update(usize, bool),
    Remove(usize),
    Spend(usize, i64, i64),
    AddOperator(u8),
    /// Roll to the month of `now` plus these days (0 or fewer: the log's time never runs
    /// ahead of the commands that follow).
    Roll(i64),
    Export(usize, bool),
    Freeze(usize, usize),
    Budget(usize, usize, u32),
    Assign(usize, usize, usize),
    Grant(usize, usize),
    Evaluate,
    /// Set the row policy (`true`) or the export policy to `policy(variant)`.
    Policy(bool, u8),
}

fn step_strategy() -> impl Strategy<Value = (u16, Step)> {
    let step = prop_oneof![
        4 => (prop::collection::vec(0usize..30, 1..8), 0u8..3, prop::bool::weighted(0.15))
            .prop_map(|(v, k, bad)| Step::Upsert(v, k, bad)),
        2 => (0usize..30).prop_map(Step::Insert),
        2 => (0usize..30, any::<bool>()).prop_map(|(i, m)| Step::Update(i, m)),
        1 => (0usize..30).prop_map(Step::Remove),
        3 => (0usize..30, -50i64..5000, -40i64..40).prop_map(|(i, c, d)| Step::Spend(i, c, d)),
        1 => (0u8..6).prop_map(Step::AddOperator),
        1 => (-60i64..=0).prop_map(Step::Roll),
        1 => (0usize..ACTORS.len(), any::<bool>()).prop_map(|(a, x)| Step::Export(a, x)),
        2 => (0usize..ACTORS.len(), 0usize..30).prop_map(|(a, i)| Step::Freeze(a, i)),
        2 => (0usize..ACTORS.len(), 0usize..30, 1u32..2000).prop_map(|(a, i, n)| Step::Budget(a, i, n)),
        2 => (0usize..ACTORS.len(), 0usize..30, 0usize..3).prop_map(|(a, i, m)| Step::Assign(a, i, m)),
        1 => (0usize..ACTORS.len(), 0usize..ACTORS.len()).prop_map(|(a, o)| Step::Grant(a, o)),
        1 => Just(Step::Evaluate),
        2 => (any::<bool>(), 0u8..6).prop_map(|(rows, v)| Step::Policy(rows, v)),
    ];
    (0u16..120, step)
}

fn actor(i: usize) -> Result<Actor> {
    Ok(Actor::Operator(OperatorId::new(ACTORS[i % ACTORS.len()])?))
}

/// Runs one step; errors of the desk (refusals) are part of the run, not failures.
fn run(
    desk: &mut Desk,
    step: Step,
    pool: &[Customer],
    now: DateTime<Utc>,
) -> Result<std::result::Result<(), partnerdesk::Error>> {
    let currency = desk.partner().currency;
    let pick = |i: usize| &pool[i % pool.len()];
    let on_desk = |d: &Desk, i: usize| d.customer(&pick(i).id).is_ok();
    let inv = |a: usize| -> Result<Invocation> { Ok(Invocation::new(actor(a)?, now)) };
    Ok(match step {
        Step::Upsert(ids, variant, bad) => {
            let mut batch: Vec<Customer> = Vec::new();
            for i in ids {
                let mut c = pick(i).clone();
                if batch.iter().any(|b| b.id == c.id) {
                    continue;
                }
                match variant {
                    1 => c.spend.clear(),
                    2 => c.account_manager = None,
                    _ => {}
                }
                batch.push(c);
            }
            if bad && let Some(last) = batch.last_mut() {
                last.spend
                    .push(spend(now.date_naive(), 1, Currency::new("EUR")?));
            }
            desk.upsert_customers(batch)
        }
        Step::Insert(i) => desk.insert_customer(pick(i).clone()),
        Step::Update(i, manager) if on_desk(desk, i) => desk.update_customer(&pick(i).id, |c| {
            if manager {
                c.account_manager = None;
            } else {
                c.tags.clear();
            }
        }),
        Step::Remove(i) if on_desk(desk, i) => desk.remove_customer(&pick(i).id).map(|_| ()),
        Step::Update(..) | Step::Remove(_) => Ok(()),
        Step::Spend(i, cents, days) => desk.add_spend(
            &pick(i).id,
            spend(now.date_naive() + Duration::days(days), cents, currency),
        ),
        Step::AddOperator(n) => desk.add_operator(
            Operator::new(
                OperatorId::new(format!("new_{n}"))?,
                "New Operator",
                Role::Operator,
            )
            .with_account_manager(n % 2 == 0),
        ),
        Step::Roll(days) => desk.roll_to(now + Duration::days(days)),
        Step::Export(a, ids) => {
            let selection = if ids {
                ExportSelection::Ids(pool.iter().take(5).map(|c| c.id.clone()).collect())
            } else {
                ExportSelection::all()
            };
            desk.export(&inv(a)?, &ExportRequest::csv(selection), Vec::new(), |_| {
                ControlFlow::Continue(())
            })
            .map(|_| ())
        }
        Step::Freeze(a, i) => {
            FreezeRequest::new(vec![pick(i).id.clone()], FreezeScope::Account, "overdue")
                .and_then(|r| desk.freeze(&inv(a)?, &r))
                .map(|_| ())
        }
        Step::Budget(a, i, units) => {
            let setting = BudgetSetting::new(
                Money::new(Decimal::from(units), currency),
                BudgetKind::Monthly,
                units % 2 == 0,
                false,
            )?;
            desk.set_budget(&inv(a)?, &pick(i).id, &setting).map(|_| ())
        }
        Step::Assign(a, i, m) => desk
            .assign_manager(
                &inv(a)?,
                &[pick(i).id.clone()],
                &OperatorId::new(format!("am_{m:03}"))?,
            )
            .map(|_| ()),
        Step::Grant(a, o) => desk
            .grant_permissions(
                &inv(a)?,
                &OperatorId::new(ACTORS[o])?,
                &[Permission::ViewSpend],
            )
            .map(|_| ()),
        Step::Evaluate => desk.evaluate_budgets(now).map(|_| ()),
        Step::Policy(true, variant) => desk.set_row_policy(policy(variant)),
        Step::Policy(false, variant) => desk.set_export_policy(policy(variant)),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, max_shrink_iters: 200, .. ProptestConfig::default() })]

    /// The complete log replays to the same desk, audit trail and export history included.
    #[test]
    fn the_complete_log_replays_to_the_same_desk(
        steps in prop::collection::vec(step_strategy(), 1..80),
    ) {
        let fail = |e: partnerdesk::Error| TestCaseError::fail(e.to_string());
        let (mut desk, start, operators, customers, mut now) = pool(30).map_err(fail)?;
        // The pool's operators, loaded as a host would (one event each).
        for o in operators {
            desk.add_operator(o).map_err(fail)?;
        }
        for (hours, step) in steps {
            now += Duration::hours(i64::from(hours));
            let before = desk.clone();
            let mark = desk.mark();
            let outcome = run(&mut desk, step.clone(), &customers, now).map_err(fail)?;
            if outcome.is_err() && mark.events == desk.mark().events {
                // A refusal changes no state (it may add an audit record).
                prop_assert!(desk == before, "{:?} was refused but changed the desk", step);
            }
        }
        if std::env::var_os("COMPLETE_LOG_STATS").is_some() {
            let mut kinds: Vec<_> = desk.events().iter().map(|e| e.kind.code()).collect();
            kinds.sort_unstable();
            kinds.dedup();
            eprintln!("events {} audit {} kinds {:?}", desk.events().len(), desk.audit_since(0).len(), kinds);
        }
        replays_to_itself(&desk, &start).map_err(fail)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, max_shrink_iters: 200, .. ProptestConfig::default() })]

    /// A shared desk's two copies (the one each change ran on, the one that replayed its events
    /// and audit records) both hold, at each publication, what one desk that ran the same random
    /// steps holds; staged steps are not seen before it.
    #[test]
    fn shared_copies_stay_equal(
        steps in prop::collection::vec((step_strategy(), any::<bool>()), 1..40),
    ) {
        use partnerdesk::shared::SharedDesk;
        let fail = |e: partnerdesk::Error| TestCaseError::fail(e.to_string());
        let (mut desk, _start, operators, customers, mut now) = pool(30).map_err(fail)?;
        for o in operators {
            desk.add_operator(o).map_err(fail)?;
        }
        let mut shared = SharedDesk::new(desk.clone());
        let reader = shared.reader();
        let seen = |r: &partnerdesk::shared::DeskReader| {
            r.read(|d| (d.to_snapshot_json(), d.mark(), d.audit_since(0).to_vec()))
        };
        let mut published = desk.to_snapshot_json().map_err(fail)?;
        let count = steps.len();
        for (k, ((hours, step), publish)) in steps.into_iter().enumerate() {
            now += Duration::hours(i64::from(hours));
            let plain = run(&mut desk, step.clone(), &customers, now).map_err(fail)?;
            let through = shared.stage(|d| run(d, step, &customers, now)).map_err(fail)?;
            prop_assert_eq!(plain.err().map(|e| e.code()), through.err().map(|e| e.code()));
            if !publish && k + 1 < count {
                // Staged, not published: readers still see the last publication.
                prop_assert!(seen(&reader).0.map_err(fail)? == published, "a staged step was seen");
                continue;
            }
            let count = shared.publications();
            shared.publish();
            // The copy the steps ran on, then (after an empty change swaps them) the other.
            let ran = seen(&reader);
            shared.write(|_| ());
            let replayed = seen(&reader);
            prop_assert_eq!(shared.publications(), count + 2);
            published = desk.to_snapshot_json().map_err(fail)?;
            for (copy, (json, mark, audit)) in [("ran", ran), ("replayed", replayed)] {
                prop_assert!(json.map_err(fail)? == published, "the copy that {} differs", copy);
                prop_assert_eq!(mark, desk.mark());
                prop_assert_eq!(audit.as_slice(), desk.audit_since(0));
            }
        }
    }
}
