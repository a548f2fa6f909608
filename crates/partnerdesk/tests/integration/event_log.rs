//! Issue #13, rows 9–11: idempotency keys answered only to their actor while it holds the
//! item (and every attempt audited), events checked as their commands were, and a
//! tamper-evident log (each tamper kind refused at its sequence number, nothing after it
//! applied).

use crate::ops_fixture::{cid, code, desk, monthly, now, op};
use chrono::Duration;
use partnerdesk::Invocation;
use partnerdesk::audit::{AuditFilter, AuditOutcome};
use partnerdesk::chain::EventKey;
use partnerdesk::event::{Event, EventKind};
use partnerdesk::privacy::SensitiveField;
use partnerdesk::{
    Actor, Currency, Decimal, Desk, Error, IdempotencyKey, Operator, OperatorId, Permission,
    Result, Role,
};

fn key(k: &str) -> Result<IdempotencyKey> {
    IdempotencyKey::new(k)
}

/// The audit outcomes of an actor's attempts of a kind, oldest first.
fn attempts(d: &Desk, actor: &Actor, kind: &str) -> Vec<AuditOutcome> {
    d.audit_log(&AuditFilter::default().actor(actor.clone()).kind(kind))
        .into_iter()
        .map(|r| r.outcome.clone())
        .collect()
}

fn denied(c: &str) -> AuditOutcome {
    AuditOutcome::Denied { code: c.to_owned() }
}

// ---- row 9: idempotency -----------------------------------------------------------------

#[test]
fn another_operator_reusing_an_admins_key_is_a_conflict_and_is_audited() -> Result<()> {
    let mut d = desk()?;
    let k = key("pay-run-7")?;
    let setting = monthly(100, false, false)?;
    d.set_budget(
        &Invocation::new(op("admin"), now()).key(k.clone()),
        &cid("r1"),
        &setting,
    )?;
    let before = d.clone();
    // The same command, by another operator who holds the item itself.
    let err = d.set_budget(
        &Invocation::new(op("ops"), now()).key(k.clone()),
        &cid("r1"),
        &setting,
    );
    assert_eq!(code(err), Some("IDEMPOTENCY_CONFLICT"));
    assert_eq!(d, before, "nothing changed");
    assert_eq!(
        attempts(&d, &op("ops"), "set_budget"),
        vec![denied("IDEMPOTENCY_CONFLICT")]
    );
    // The admin's own replay is answered, and audited too.
    d.set_budget(
        &Invocation::new(op("admin"), now()).key(k.clone()),
        &cid("r1"),
        &setting,
    )?;
    assert_eq!(d, before, "a replay changes nothing");
    assert_eq!(
        attempts(&d, &op("admin"), "set_budget"),
        vec![AuditOutcome::Allowed, AuditOutcome::Allowed]
    );
    let last = d.audit_log(&AuditFilter::default().actor(op("admin")));
    assert!(
        last.last()
            .is_some_and(|r| r.detail.starts_with("replay of key pay-run-7"))
    );
    Ok(())
}

#[test]
fn a_revoked_operator_replaying_its_own_key_is_refused_and_audited() -> Result<()> {
    let mut d = desk()?;
    let k = key("budget-1")?;
    let setting = monthly(100, false, false)?;
    d.set_budget(
        &Invocation::new(op("ops"), now()).key(k.clone()),
        &cid("r1"),
        &setting,
    )?;
    d.revoke_permissions(
        &Invocation::new(op("admin"), now()),
        &OperatorId::new("ops")?,
        &[Permission::SetBudget],
    )?;
    let before = d.clone();
    let err = d.set_budget(
        &Invocation::new(op("ops"), now()).key(k.clone()),
        &cid("r1"),
        &setting,
    );
    assert_eq!(code(err), Some("PERMISSION_DENIED"));
    assert_eq!(d, before, "nothing changed");
    assert_eq!(
        attempts(&d, &op("ops"), "set_budget"),
        vec![AuditOutcome::Allowed, denied("PERMISSION_DENIED")]
    );
    // A batch command's replay after revocation: refused, audited once per customer.
    let req = partnerdesk::freeze::FreezeRequest::new(
        vec![cid("r1")],
        partnerdesk::FreezeScope::Account,
        "overdue",
    )?;
    let fk = key("freeze-1")?;
    d.freeze(&Invocation::new(op("ops"), now()).key(fk.clone()), &req)?;
    d.revoke_permissions(
        &Invocation::new(op("admin"), now()),
        &OperatorId::new("ops")?,
        &[Permission::FreezeUnfreeze],
    )?;
    let before = d.clone();
    assert_eq!(
        code(d.freeze(&Invocation::new(op("ops"), now()).key(fk.clone()), &req)),
        Some("PERMISSION_DENIED")
    );
    assert_eq!(d, before);
    let freezes = d.audit_log(
        &AuditFilter::default()
            .actor(op("ops"))
            .kind("freeze")
            .customer(cid("r1")),
    );
    assert_eq!(
        freezes
            .iter()
            .map(|r| r.outcome.clone())
            .collect::<Vec<_>>(),
        vec![AuditOutcome::Allowed, denied("PERMISSION_DENIED")]
    );
    Ok(())
}

// ---- a small log to tamper with ----------------------------------------------------------

/// A desk, its starting snapshot, and the log of five commands an hour apart:
/// 1 grant (admin), 2 budget (ops), 3 manager (ops), 4 budget (ops), 5 unassign (ops).
fn logged(event_key: Option<&EventKey>) -> Result<(Desk, String, Vec<Event>)> {
    let mut d = desk()?;
    d.add_operator(Operator::new(
        OperatorId::new("intern")?,
        "Intern I",
        Role::Operator,
    ))?;
    let mut d = crate::ops_fixture::without_log(&d)?;
    d.set_event_key(event_key.cloned());
    let start = d.to_snapshot_json()?;
    let h = |n: i64| now() + Duration::hours(n);
    d.grant_permissions(
        &Invocation::new(op("admin"), h(0)),
        &OperatorId::new("viewer")?,
        &[Permission::ViewSpend],
    )?;
    d.set_budget(
        &Invocation::new(op("ops"), h(1)),
        &cid("r1"),
        &monthly(100, false, false)?,
    )?;
    d.assign_manager(
        &Invocation::new(op("ops"), h(2)),
        &[cid("r1")],
        &OperatorId::new("am1")?,
    )?;
    d.set_budget(
        &Invocation::new(op("ops"), h(3)),
        &cid("r1"),
        &monthly(200, false, false)?,
    )?;
    d.unassign_manager(&Invocation::new(op("ops"), h(4)), &[cid("r1")])?;
    let events = d.events().to_vec();
    assert_eq!(
        events.iter().map(|e| e.kind.code()).collect::<Vec<_>>(),
        [
            "permissions_granted",
            "budget_set",
            "manager_assigned",
            "budget_set",
            "manager_unassigned"
        ]
    );
    Ok((d, start, events))
}

/// Re-seals events from position `from` on, as an attacker who knows the scheme but not the
/// key would (plain SHA-256 links).
fn reseal(events: &mut [Event], from: usize) -> Result<()> {
    let mut head = match from {
        0 => String::new(),
        n => events[n - 1].link.clone(),
    };
    for e in &mut events[from..] {
        head = e.seal(&head, None)?.to_owned();
    }
    Ok(())
}

/// Applies `events` to the start, expecting a refusal with `code` at `sequence`; the desk must
/// then equal the start with the events before that sequence applied, and nothing after.
fn refused_at(
    start: &str,
    events: Vec<Event>,
    good: &[Event],
    event_key: Option<&EventKey>,
    expected: &str,
    sequence: u64,
) -> Result<()> {
    let mut d = Desk::from_snapshot_json(start)?;
    d.set_event_key(event_key.cloned());
    let err = d.apply_events(events).err();
    let seq = match &err {
        Some(Error::InvalidEvent { sequence, .. } | Error::EventChainBroken { sequence, .. }) => {
            Some(*sequence)
        }
        _ => None,
    };
    assert_eq!(
        (err.as_ref().map(Error::code), seq),
        (Some(expected), Some(sequence)),
        "{err:?}"
    );
    let prefix = usize::try_from(sequence - 1).unwrap_or(usize::MAX);
    let expect = Desk::replay_with_key(start, good[..prefix].iter().cloned(), event_key)?;
    assert!(d == expect, "the desk is as after event {}", sequence - 1);
    assert_eq!(d.events().len(), prefix);
    Ok(())
}

// ---- row 10: a forged grant ----------------------------------------------------------------

#[test]
fn a_forged_grant_by_an_intern_is_refused_and_the_intern_still_cannot_reveal() -> Result<()> {
    let (_, start, _) = logged(None)?;
    let intern = Actor::Operator(OperatorId::new("intern")?);
    let mut forged = vec![Event {
        seq: 1,
        at: now(),
        actor: intern.clone(),
        customer: None,
        kind: EventKind::PermissionsGranted {
            operator: OperatorId::new("intern")?,
            items: vec![Permission::RevealSensitive],
        },
        link: String::new(),
    }];
    // A well-formed chain: only the content is wrong.
    reseal(&mut forged, 0)?;
    let mut d = Desk::from_snapshot_json(&start)?;
    let before = d.clone();
    let err = d.apply_events(forged.clone());
    assert!(
        matches!(&err, Err(Error::InvalidEvent { sequence: 1, reason }) if reason.contains("ADMINISTRATOR_ONLY")),
        "{err:?}"
    );
    assert!(d == before, "nothing applied");
    assert_eq!(
        code(d.reveal(
            &Invocation::new(intern.clone(), now()),
            &cid("r1"),
            SensitiveField::Mobile
        )),
        Some("PERMISSION_DENIED")
    );
    // Replay refuses it the same way.
    assert_eq!(code(Desk::replay(&start, forged)), Some("INVALID_EVENT"));
    Ok(())
}

#[test]
fn a_governed_event_needs_the_item_at_that_point_of_the_log() -> Result<()> {
    let (mut d, start, _) = logged(None)?;
    let t = now() + Duration::hours(5);
    d.grant_permissions(
        &Invocation::new(op("admin"), t),
        &OperatorId::new("intern")?,
        &[Permission::SetBudget],
    )?;
    d.set_budget(
        &Invocation::new(Actor::Operator(OperatorId::new("intern")?), t),
        &cid("r1"),
        &monthly(300, false, false)?,
    )?;
    let events = d.events().to_vec();
    // The log as emitted replays.
    assert!(Desk::replay(&start, events.iter().cloned())? == d);
    // Without the grant (removed, the chain re-sealed), the intern's budget is refused at
    // its new place in the log, 6.
    let mut without: Vec<Event> = events.clone();
    without.remove(5);
    without[5].seq = 6;
    reseal(&mut without, 5)?;
    refused_at(&start, without, &events, None, "INVALID_EVENT", 6)?;
    // A revocation before it counts as well.
    let mut d2 = Desk::replay(&start, events[..6].iter().cloned())?;
    d2.revoke_permissions(
        &Invocation::new(op("admin"), t),
        &OperatorId::new("intern")?,
        &[Permission::SetBudget],
    )?;
    let mut revoked = d2.events().to_vec();
    let mut budget = events[6].clone();
    budget.seq = 8;
    revoked.push(budget);
    reseal(&mut revoked, 7)?;
    let good = d2.events().to_vec();
    refused_at(&start, revoked, &good, None, "INVALID_EVENT", 8)?;
    Ok(())
}

// ---- row 11: edited content, re-sealed (the chain holds, the checks do not) -------------

fn edit_budget(events: &mut [Event], at: usize, f: impl FnOnce(&mut partnerdesk::Budget)) {
    if let EventKind::BudgetSet { budget } = &mut events[at].kind {
        f(budget);
    }
}

/// An edit of a log.
type Edit = Box<dyn Fn(&mut Vec<Event>)>;

#[test]
fn edited_values_currency_time_and_actor_are_refused_at_their_sequence() -> Result<()> {
    let (_, start, events) = logged(None)?;
    assert!(Desk::replay(&start, events.iter().cloned()).is_ok());
    let cases: Vec<(&str, Edit)> = vec![
        (
            "budget 1e20",
            Box::new(|ev: &mut Vec<Event>| {
                edit_budget(ev, 3, |b| {
                    b.amount.amount = Decimal::from_i128_with_scale(10i128.pow(20), 0);
                })
            }),
        ),
        (
            "budget -5",
            Box::new(|ev: &mut Vec<Event>| {
                edit_budget(ev, 3, |b| b.amount.amount = Decimal::from(-5))
            }),
        ),
        (
            "currency",
            Box::new(|ev: &mut Vec<Event>| {
                edit_budget(ev, 3, |b| b.amount.currency = Currency::USD)
            }),
        ),
        (
            "time backwards",
            Box::new(|ev: &mut Vec<Event>| {
                ev[3].at = now();
                edit_budget(ev, 3, |b| b.set_at = now());
            }),
        ),
        (
            "actor no operator",
            Box::new(|ev: &mut Vec<Event>| {
                if let Ok(ghost) = OperatorId::new("ghost") {
                    ev[3].actor = Actor::Operator(ghost);
                }
                edit_budget(ev, 3, |b| b.set_by = "ghost".to_owned());
            }),
        ),
        (
            "actor without the item",
            Box::new(|ev: &mut Vec<Event>| {
                if let Ok(v) = OperatorId::new("viewer") {
                    ev[3].actor = Actor::Operator(v);
                }
                edit_budget(ev, 3, |b| b.set_by = "viewer".to_owned());
            }),
        ),
    ];
    for (what, edit) in cases {
        let mut tampered = events.clone();
        edit(&mut tampered);
        assert_ne!(tampered, events, "{what}: the edit took");
        reseal(&mut tampered, 3)?;
        refused_at(&start, tampered, &events, None, "INVALID_EVENT", 4).map_err(|e| {
            Error::InvalidArgument {
                field: what.to_owned(),
                reason: e.to_string(),
            }
        })?;
    }
    Ok(())
}

// ---- tamper evidence: each kind, not re-sealed ---------------------------------------------

#[test]
fn each_kind_of_tampering_breaks_the_chain_at_its_sequence() -> Result<()> {
    let (_, start, events) = logged(None)?;
    // Reordered (3 and 4 swapped).
    let mut t = events.clone();
    t.swap(2, 3);
    refused_at(&start, t, &events, None, "EVENT_CHAIN_BROKEN", 3)?;
    // Reordered and renumbered.
    let mut t = events.clone();
    t.swap(2, 3);
    t[2].seq = 3;
    t[3].seq = 4;
    refused_at(&start, t, &events, None, "EVENT_CHAIN_BROKEN", 3)?;
    // Edited (a budget amount, link kept).
    let mut t = events.clone();
    edit_budget(&mut t, 1, |b| b.amount.amount = Decimal::from(150));
    refused_at(&start, t, &events, None, "EVENT_CHAIN_BROKEN", 2)?;
    // Inserted (a copy of event 2 as event 3, numbered on).
    let mut t = events.clone();
    let mut copy = t[1].clone();
    copy.seq = 3;
    t.insert(2, copy);
    for (i, e) in t.iter_mut().enumerate().skip(3) {
        e.seq = i as u64 + 1;
    }
    refused_at(&start, t, &events, None, "EVENT_CHAIN_BROKEN", 3)?;
    // Removed (event 3), numbered on.
    let mut t = events.clone();
    t.remove(2);
    for (i, e) in t.iter_mut().enumerate().skip(2) {
        e.seq = i as u64 + 1;
    }
    refused_at(&start, t, &events, None, "EVENT_CHAIN_BROKEN", 3)?;
    // Removed, not numbered on: a gap.
    let mut t = events.clone();
    t.remove(2);
    refused_at(&start, t, &events, None, "EVENT_CHAIN_BROKEN", 3)?;
    // A link stripped.
    let mut t = events.clone();
    t[4].link.clear();
    refused_at(&start, t, &events, None, "EVENT_CHAIN_BROKEN", 5)?;
    Ok(())
}

#[test]
fn with_a_key_a_resealed_edit_is_still_refused() -> Result<()> {
    let k = EventKey::new(b"host secret, 32 bytes long......")?;
    let (d, start, events) = logged(Some(&k))?;
    assert!(Desk::replay_with_key(&start, events.iter().cloned(), Some(&k))? == d);
    // Without the key, or with another, the log does not verify.
    assert_eq!(
        code(Desk::replay(&start, events.iter().cloned())),
        Some("EVENT_CHAIN_BROKEN")
    );
    let other = EventKey::new(b"another secret, 32 bytes long...")?;
    assert_eq!(
        code(Desk::replay_with_key(
            &start,
            events.iter().cloned(),
            Some(&other)
        )),
        Some("EVENT_CHAIN_BROKEN")
    );
    // An attacker edits event 4 and re-seals from there with plain SHA-256.
    let mut t = events.clone();
    edit_budget(&mut t, 3, |b| b.amount.amount = Decimal::from(1_000_000));
    reseal(&mut t, 3)?;
    refused_at(&start, t, &events, Some(&k), "EVENT_CHAIN_BROKEN", 4)?;
    Ok(())
}

// ---- snapshots and the chain head ------------------------------------------------------------

#[test]
fn a_log_continues_from_a_snapshot_and_an_old_snapshot_starts_a_new_chain() -> Result<()> {
    let (d, start, events) = logged(None)?;
    // A snapshot after event 3 records its head; events 4 and 5 continue from it.
    let mid = Desk::replay(&start, events[..3].iter().cloned())?;
    assert_eq!(mid.chain_head(), events[2].link);
    let json = mid.to_snapshot_json()?;
    let v: serde_json::Value = serde_json::from_str(&json).map_err(Error::from)?;
    assert_eq!(v["version"], 2);
    assert_eq!(v["ledger"]["chain_head"], events[2].link.as_str());
    assert!(Desk::replay(&json, events[3..].iter().cloned())? == d);
    // Only from there: event 5 alone is out of place.
    assert_eq!(
        code(Desk::replay(&json, events[4..].iter().cloned())),
        Some("EVENT_CHAIN_BROKEN")
    );
    // A snapshot whose head was edited no longer loads.
    let mut bad = v.clone();
    bad["ledger"]["chain_head"] = serde_json::json!("00");
    assert_eq!(
        code(Desk::from_snapshot_json(&bad.to_string())),
        Some("INVALID_SNAPSHOT")
    );
    // A version 1 snapshot (no head, events without links) loads; its next event starts a
    // new chain from the empty head.
    let mut old = v;
    old["version"] = serde_json::json!(1);
    if let Some(ledger) = old["ledger"].as_object_mut() {
        ledger.remove("chain_head");
    }
    if let Some(evs) = old["ledger"]["events"].as_array_mut() {
        for e in evs {
            if let Some(e) = e.as_object_mut() {
                e.remove("link");
            }
        }
    }
    let mut legacy = Desk::from_snapshot_json(&old.to_string())?;
    assert_eq!(legacy.chain_head(), "");
    let legacy_start = legacy.to_snapshot_json()?;
    legacy.unassign_manager(
        &Invocation::new(op("ops"), now() + Duration::hours(4)),
        &[cid("r1")],
    )?;
    let next = legacy.events().last().cloned();
    let next = next.ok_or(Error::InvalidCursor)?;
    assert_eq!(next.seq, 4);
    assert_eq!(next.link, next.expected_link("", None)?);
    assert!(Desk::replay(&legacy_start, [next])? == legacy);
    Ok(())
}

#[test]
fn commands_refuse_a_time_before_the_last_event() -> Result<()> {
    let (mut d, _, _) = logged(None)?;
    let before = d.clone();
    let err = d.set_budget(
        &Invocation::new(op("ops"), now()),
        &cid("r1"),
        &monthly(500, false, false)?,
    );
    assert_eq!(code(err), Some("INVALID_ARGUMENT"));
    assert!(d == before);
    assert_eq!(
        attempts(&d, &op("ops"), "set_budget").last(),
        Some(&denied("INVALID_ARGUMENT"))
    );
    Ok(())
}

/// The link the desk writes (computed while the JSON streams into the hash) is the documented
/// formula over the whole canonical bytes, which a host reproduces with its own SHA-256.
#[test]
fn a_link_is_sha256_of_the_previous_link_a_newline_and_the_canonical_bytes() -> Result<()> {
    use sha2::{Digest, Sha256};
    let (_, _, events) = logged(None)?;
    assert!(events.len() >= 2);
    let mut previous = String::new();
    for e in &events {
        let mut h = Sha256::new();
        h.update(previous.as_bytes());
        h.update(b"\n");
        h.update(e.canonical_bytes()?);
        assert_eq!(hex::encode(h.finalize()), e.link);
        previous = e.link.clone();
    }
    Ok(())
}
