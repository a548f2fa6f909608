//! Rules of commands and account managers (domain §5, §13: outcomes, idempotency keys, manager
//! periods and spend attribution) as a partner's developer states them, one test each. Written
//! from the rules, to catch a wrong rule (see docs/testing.md, "Mutation testing").

use crate::ops_fixture::*;
use chrono::{Duration, TimeZone, Utc};
use partnerdesk::Invocation;
use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope};
use partnerdesk::command::{BatchOutcome, CommandOutcome, ItemOutcome};
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::manager::ManagerPeriod;
use partnerdesk::order::OrderRequest;
use partnerdesk::{
    Actor, AuthorizationId, ChargingMode, Error, FreezeScope, IdempotencyKey, OperatorId, OrderId,
    OrderType, Result, SpendRecord,
};

fn key(k: &str) -> IdempotencyKey {
    IdempotencyKey::new(k).unwrap_or_else(|_| unreachable!())
}

fn opid(id: &str) -> OperatorId {
    OperatorId::new(id).unwrap_or_else(|_| unreachable!())
}

fn item(id: &str, result: std::result::Result<(), Error>) -> ItemOutcome {
    ItemOutcome::new(cid(id), result)
}

// ---- outcomes ---------------------------------------------------------------------------

#[test]
fn a_batch_outcome_counts_and_finds_each_customer() {
    let out = BatchOutcome::from_items(vec![
        item("a", Ok(())),
        item("b", Err(Error::NotFrozen { id: "b".into() })),
        item("c", Ok(())),
        item("d", Err(Error::AlreadyFrozen { id: "d".into() })),
        item("e", Err(Error::NotAssociated { id: "e".into() })),
    ]);
    assert_eq!((out.succeeded(), out.failed()), (2, 3));
    assert!(out.items[0].is_ok() && !out.items[1].is_ok());
    assert_eq!(out.get(&cid("a")), Some(&Ok(())));
    assert_eq!(
        out.get(&cid("d"))
            .and_then(|r| r.as_ref().err())
            .map(Error::code),
        Some("ALREADY_FROZEN")
    );
    assert_eq!(out.get(&cid("zz")), None);
    let empty = BatchOutcome::default();
    assert_eq!((empty.succeeded(), empty.failed()), (0, 0));
    assert_eq!(
        CommandOutcome::Batch { outcome: out }.to_string(),
        "batch 2 done, 3 refused"
    );
}

#[test]
fn an_outcome_summary_names_what_was_done() -> Result<()> {
    assert_eq!(CommandOutcome::Done.summary(), "done");
    let auth = AuthorizationId::new("auth-000001")?;
    assert_eq!(
        CommandOutcome::Authorization { id: auth }.to_string(),
        "authorization auth-000001"
    );
    assert_eq!(CommandOutcome::Request { id: 7 }.summary(), "request 7");
    let order = OrderId::new("PD0000000001")?;
    assert_eq!(
        CommandOutcome::Order { id: order }.summary(),
        "order PD0000000001"
    );
    Ok(())
}

#[test]
fn a_recorded_batch_outcome_keeps_every_refusal_it_can_hold()
-> std::result::Result<(), Box<dyn std::error::Error>> {
    let s = |x: &str| x.to_owned();
    let errors = vec![
        Error::CustomerNotFound { id: s("c1") },
        Error::OperatorNotFound { id: s("op") },
        Error::WrongAssociationType { id: s("c1") },
        Error::NotFrozen { id: s("c1") },
        Error::AlreadyFrozen { id: s("c1") },
        Error::NotAssociated { id: s("c1") },
        Error::NotAccountManager { id: s("op") },
        Error::CustomerFrozen { id: s("c1") },
        Error::FreezeScopeMismatch {
            id: s("c1"),
            frozen: s("account"),
            requested: s("account_and_resources"),
        },
        Error::PermissionDenied {
            item: s("PD_VIEW_SPEND"),
            actor: s("operator:ops"),
        },
        Error::AdministratorOnly {
            item: s("PD_EXPORT"),
        },
        Error::CurrencyMismatch {
            expected: s("CNY"),
            found: s("USD"),
        },
        Error::InvalidArgument {
            field: s("customer_ids"),
            reason: s("an id appears twice"),
        },
    ];
    let outcome = BatchOutcome::from_items(
        std::iter::once(item("ok", Ok(())))
            .chain(errors.into_iter().map(|e| item("c1", Err(e))))
            .collect(),
    );
    let recorded = CommandOutcome::Batch { outcome };
    let json = serde_json::to_string(&recorded)?;
    let back: CommandOutcome = serde_json::from_str(&json)?;
    assert_eq!(back, recorded);
    // Another refusal keeps its code and message in an INVALID_ARGUMENT.
    let other = CommandOutcome::Batch {
        outcome: BatchOutcome::from_items(vec![item(
            "c1",
            Err(Error::TooManyIds { given: 11, max: 10 }),
        )]),
    };
    let json = serde_json::to_string(&other)?;
    let back: CommandOutcome = serde_json::from_str(&json)?;
    let CommandOutcome::Batch { outcome } = back else {
        return Err("not a batch".into());
    };
    let e = outcome.items[0]
        .result
        .clone()
        .err()
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(e.code(), "INVALID_ARGUMENT");
    assert!(e.to_string().contains("TOO_MANY_IDS"), "{e}");
    Ok(())
}

// ---- idempotency ------------------------------------------------------------------------

#[test]
fn a_repeated_key_gives_back_the_first_outcome_of_each_command() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    // A batch (freeze): the same outcome, one event only.
    let fr = FreezeRequest::new(
        vec![r1.clone(), cid("ref1")],
        FreezeScope::Account,
        "unpaid",
    )?;
    let first = d.freeze(&Invocation::new(op("ops"), now()).key(key("k-freeze")), &fr)?;
    let events = d.events().len();
    let again = d.freeze(&Invocation::new(op("ops"), now()).key(key("k-freeze")), &fr)?;
    assert_eq!(again, first);
    assert_eq!((again.succeeded(), again.failed()), (1, 1));
    assert_eq!(d.events().len(), events);
    // An authorization request: the same id.
    let req = AuthorizationRequest::new(r1.clone(), [AuthorizationScope::PlaceOrders], 30, true)?;
    let a1 =
        d.request_authorization(&Invocation::new(op("ops"), now()).key(key("k-auth")), &req)?;
    let a2 =
        d.request_authorization(&Invocation::new(op("ops"), now()).key(key("k-auth")), &req)?;
    assert_eq!(a1, a2);
    d.approve_authorization(&Invocation::new(Actor::Customer(r1.clone()), now()), &a1)?;
    // An order: the same order id, placed once.
    d.unfreeze(
        &Invocation::new(op("ops"), now()),
        &FreezeRequest::new(vec![r1.clone()], FreezeScope::Account, "paid")?,
    )?;
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(1000, false, false)?,
    )?;
    let order = OrderRequest::new(r1.clone(), OrderType::New, cny(10, 0))?;
    let o1 = d.place_order_on_behalf(
        &Invocation::new(op("ops"), now()).key(key("k-order")),
        &order,
    )?;
    let o2 = d.place_order_on_behalf(
        &Invocation::new(op("ops"), now()).key(key("k-order")),
        &order,
    )?;
    assert_eq!(o1, o2);
    assert_eq!(d.customer(&r1)?.orders.len(), 1);
    // A plain command: done once.
    let b1 = d.set_budget(
        &Invocation::new(op("ops"), now()).key(key("k-b")),
        &r1,
        &monthly(500, false, false)?,
    );
    let b2 = d.set_budget(
        &Invocation::new(op("ops"), now()).key(key("k-b")),
        &r1,
        &monthly(500, false, false)?,
    );
    assert!(b1.is_ok() && b2.is_ok());
    assert_eq!(d.budget_records(&r1).len(), 2);
    // A disassociation request: the same request id.
    let c = Actor::Customer(cid("r2"));
    let q1 = d.request_disassociation(
        &Invocation::new(c.clone(), now()).key(key("k-q")),
        &cid("r2"),
        "moving on",
    );
    let q2 = d.request_disassociation(
        &Invocation::new(c.clone(), now()).key(key("k-q")),
        &cid("r2"),
        "moving on",
    );
    assert_eq!(q1.map_err(|e| e.code()), q2.map_err(|e| e.code()));
    Ok(())
}

#[test]
fn a_key_reused_for_another_command_is_refused_and_changes_nothing() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    d.set_budget(
        &Invocation::new(op("ops"), now()).key(key("k-1")),
        &r1,
        &monthly(500, false, false)?,
    )?;
    let events = d.events().len();
    // Another amount, another customer, another kind of command: each a conflict.
    assert_eq!(
        code(d.set_budget(
            &Invocation::new(op("ops"), now()).key(key("k-1")),
            &r1,
            &monthly(600, false, false)?
        )),
        Some("IDEMPOTENCY_CONFLICT")
    );
    assert_eq!(
        code(d.set_budget(
            &Invocation::new(op("ops"), now()).key(key("k-1")),
            &cid("r2"),
            &monthly(500, false, false)?
        )),
        Some("IDEMPOTENCY_CONFLICT")
    );
    let fr = FreezeRequest::new(vec![r1.clone()], FreezeScope::Account, "unpaid")?;
    assert_eq!(
        code(d.freeze(&Invocation::new(op("ops"), now()).key(key("k-1")), &fr)),
        Some("IDEMPOTENCY_CONFLICT")
    );
    assert_eq!(d.events().len(), events);
    assert!(!d.customer(&r1)?.freeze.is_frozen());
    assert_eq!(
        d.customer(&r1)?.budget.as_ref().map(|b| b.amount),
        Some(cny(500, 0))
    );
    // Without a key, the same command runs again.
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(500, false, false)?,
    )?;
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(500, false, false)?,
    )?;
    assert_eq!(d.budget_records(&r1).len(), 3);
    Ok(())
}

#[test]
fn a_refused_command_records_no_outcome_for_its_key() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    // Refused: not recorded, so the same key works once the command is allowed.
    assert_eq!(
        code(d.set_budget(
            &Invocation::new(op("viewer"), now()).key(key("k-2")),
            &r1,
            &monthly(500, false, false)?
        )),
        Some("PERMISSION_DENIED")
    );
    d.set_budget(
        &Invocation::new(op("ops"), now()).key(key("k-2")),
        &r1,
        &monthly(500, false, false)?,
    )?;
    assert_eq!(d.budget_records(&r1).len(), 1);
    Ok(())
}

// ---- account managers -------------------------------------------------------------------

#[test]
fn a_manager_period_covers_from_its_start_up_to_its_end() -> Result<()> {
    let t = now();
    let p = ManagerPeriod {
        customer: cid("r1"),
        manager: opid("am1"),
        from: t,
        to: Some(t + Duration::days(2)),
        assigned_by: op("ops"),
    };
    assert!(!p.covers(t - Duration::seconds(1)));
    assert!(p.covers(t));
    assert!(p.covers(t + Duration::days(1)));
    assert!(p.covers(t + Duration::days(2) - Duration::seconds(1)));
    assert!(!p.covers(t + Duration::days(2)));
    assert!(!p.covers(t + Duration::days(3)));
    let open = ManagerPeriod { to: None, ..p };
    assert!(open.covers(t + Duration::days(3000)));
    assert!(!open.covers(t - Duration::seconds(1)));
    Ok(())
}

#[test]
fn assigning_checks_the_batch_then_each_customer() -> Result<()> {
    let mut d = desk()?;
    let am1 = opid("am1");
    // At most 100 customers; at least one; the manager must be an account manager.
    let many: Vec<_> = (0..101).map(|i| cid(&format!("c{i}"))).collect();
    assert_eq!(
        code(d.assign_manager(&Invocation::new(op("ops"), now()), &many, &am1)),
        Some("TOO_MANY_IDS")
    );
    let hundred: Vec<_> = (0..100).map(|i| cid(&format!("c{i}"))).collect();
    let out = d.assign_manager(&Invocation::new(op("ops"), now()), &hundred, &am1)?;
    assert_eq!(out.failed(), 100, "unknown customers, each refused");
    assert_eq!(
        code(d.assign_manager(&Invocation::new(op("ops"), now()), &[], &am1)),
        Some("INVALID_ARGUMENT")
    );
    assert_eq!(
        code(d.assign_manager(
            &Invocation::new(op("ops"), now()),
            &[cid("r1")],
            &opid("viewer")
        )),
        Some("NOT_ACCOUNT_MANAGER")
    );
    assert_eq!(
        code(d.assign_manager(&Invocation::new(op("viewer"), now()), &[cid("r1")], &am1)),
        Some("PERMISSION_DENIED")
    );
    // Per customer: assigned, already held, unassigned, not held.
    let out = d.assign_manager(&Invocation::new(op("ops"), now()), &[cid("r1")], &am1)?;
    assert_eq!(out.failed(), 0);
    assert_eq!(d.customer(&cid("r1"))?.account_manager, Some(am1.clone()));
    let out = d.assign_manager(
        &Invocation::new(op("ops"), now()),
        &[cid("r1"), cid("ref1")],
        &am1,
    )?;
    assert_eq!(
        out.get(&cid("r1"))
            .and_then(|r| r.as_ref().err())
            .map(Error::code),
        Some("INVALID_TRANSITION")
    );
    assert_eq!(out.get(&cid("ref1")), Some(&Ok(())));
    let out = d.unassign_manager(&Invocation::new(op("ops"), now()), &[cid("r1"), cid("r2")])?;
    assert_eq!(out.get(&cid("r1")), Some(&Ok(())));
    assert_eq!(
        out.get(&cid("r2"))
            .and_then(|r| r.as_ref().err())
            .map(Error::code),
        Some("INVALID_TRANSITION")
    );
    assert_eq!(d.customer(&cid("r1"))?.account_manager, None);
    Ok(())
}

#[test]
fn spend_counts_for_the_manager_holding_the_customer_at_the_end_of_its_day() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    let (am1, am2) = (opid("am1"), opid("am2"));
    // Nothing recorded: r1 has no manager, so no one's spend.
    let (nov1, nov30) = (day(2026, 11, 1), day(2026, 11, 30));
    assert_eq!(d.manager_spend(&op("ops"), &am1, nov1, nov30)?, cny(0, 0));
    assert_eq!(d.manager_at(&r1, now())?, None);
    assert!(d.manager_history(&r1).is_empty());
    assert!(d.current_manager_period(&r1).is_none());
    // am1 from Nov 20 (10:00 UTC, 18:00 in UTC+8), am2 from Nov 22 (12:00 UTC, Nov 22 20:00).
    d.assign_manager(
        &Invocation::new(op("ops"), now()),
        std::slice::from_ref(&r1),
        &am1,
    )?;
    let nov22 = Utc
        .with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
        .single()
        .ok_or(Error::InvalidCursor)?;
    d.assign_manager(
        &Invocation::new(op("ops"), nov22),
        std::slice::from_ref(&r1),
        &am2,
    )?;
    for (on, units) in [
        (day(2026, 11, 20), 7),
        (day(2026, 11, 21), 11),
        (day(2026, 11, 22), 13),
    ] {
        d.add_spend(
            &r1,
            SpendRecord {
                day: on,
                product: "ecs".into(),
                amount: cny(units, 0),
                mode: ChargingMode::PayPerUse,
            },
        )?;
    }
    // Nov 20 and 21 end with am1; Nov 22 ends with am2; Nov 2 and 15 were nobody's.
    assert_eq!(d.manager_spend(&op("ops"), &am1, nov1, nov30)?, cny(18, 0));
    assert_eq!(d.manager_spend(&op("ops"), &am2, nov1, nov30)?, cny(13, 0));
    // Both days included, and only those.
    let (d21, d22) = (day(2026, 11, 21), day(2026, 11, 22));
    assert_eq!(d.manager_spend(&op("ops"), &am1, d21, d21)?, cny(11, 0));
    assert_eq!(d.manager_spend(&op("ops"), &am2, d22, d22)?, cny(13, 0));
    assert_eq!(d.manager_spend(&op("ops"), &am1, d22, nov30)?, cny(0, 0));
    assert_eq!(
        code(d.manager_spend(&op("viewer"), &am1, nov1, nov30)),
        Some("PERMISSION_DENIED")
    );
    assert_eq!(
        code(d.manager_spend(&op("ops"), &opid("ghost"), nov1, nov30)),
        Some("OPERATOR_NOT_FOUND")
    );
    // The history and who held the customer when.
    let history: Vec<_> = d
        .manager_history(&r1)
        .iter()
        .map(|p| (p.manager.clone(), p.from, p.to))
        .collect();
    assert_eq!(
        history,
        [
            (am1.clone(), now(), Some(nov22)),
            (am2.clone(), nov22, None)
        ]
    );
    assert_eq!(
        d.current_manager_period(&r1).map(|p| p.manager.clone()),
        Some(am2.clone())
    );
    assert_eq!(d.manager_at(&r1, now() - Duration::seconds(1))?, None);
    assert_eq!(d.manager_at(&r1, now())?, Some(am1));
    assert_eq!(d.manager_at(&r1, nov22)?, Some(am2));
    Ok(())
}

#[test]
fn an_imported_manager_holds_the_customer_until_the_desk_records_a_change() -> Result<()> {
    let mut d = desk()?;
    let r2 = cid("r2");
    d.update_customer(&r2, |c| c.account_manager = Some(opid("am2")))?;
    d.add_spend(
        &r2,
        SpendRecord {
            day: day(2026, 11, 3),
            product: "obs".into(),
            amount: cny(9, 0),
            mode: ChargingMode::PayPerUse,
        },
    )?;
    let (nov1, nov30) = (day(2026, 11, 1), day(2026, 11, 30));
    assert_eq!(
        d.manager_at(&r2, now() - Duration::days(300))?,
        Some(opid("am2"))
    );
    assert_eq!(
        d.manager_spend(&op("ops"), &opid("am2"), nov1, nov30)?,
        cny(9, 0)
    );
    assert_eq!(
        d.manager_spend(&op("ops"), &opid("am1"), nov1, nov30)?,
        cny(0, 0)
    );
    Ok(())
}

#[test]
fn a_change_at_the_start_of_a_billing_day_takes_that_whole_day() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    d.assign_manager(
        &Invocation::new(op("ops"), now()),
        std::slice::from_ref(&r1),
        &opid("am1"),
    )?;
    // Nov 22 00:00 in UTC+8 is Nov 21 16:00 UTC: Nov 21 ends with am1, Nov 22 is am2's.
    let start_of_22 = Utc
        .with_ymd_and_hms(2026, 11, 21, 16, 0, 0)
        .single()
        .ok_or(Error::InvalidCursor)?;
    d.assign_manager(
        &Invocation::new(op("ops"), start_of_22),
        std::slice::from_ref(&r1),
        &opid("am2"),
    )?;
    for (on, units) in [(day(2026, 11, 21), 11), (day(2026, 11, 22), 13)] {
        d.add_spend(
            &r1,
            SpendRecord {
                day: on,
                product: "ecs".into(),
                amount: cny(units, 0),
                mode: ChargingMode::PayPerUse,
            },
        )?;
    }
    let (nov21, nov22) = (day(2026, 11, 21), day(2026, 11, 22));
    assert_eq!(
        d.manager_spend(&op("ops"), &opid("am1"), nov21, nov22)?,
        cny(11, 0)
    );
    assert_eq!(
        d.manager_spend(&op("ops"), &opid("am2"), nov21, nov22)?,
        cny(13, 0)
    );
    Ok(())
}
