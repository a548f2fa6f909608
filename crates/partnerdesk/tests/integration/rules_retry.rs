//! Rules of retries (domain §9, idempotency) as a partner's developer states them: a command
//! retried with its idempotency key by the one who issued it gets the first answer again and
//! changes nothing more, whoever that is (an operator, the customer itself, the system).
//! Written from the rules, to catch a wrong rule (see docs/testing.md, "Mutation testing").

use crate::ops_fixture::*;
use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope, AuthorizationState};
use partnerdesk::partner::{Partner, Site, Tier};
use partnerdesk::{
    Actor, AuthorizationId, IdempotencyKey, Invocation, OperatorId, PartnerId, Permission, Result,
};

/// `who` acting now, with the idempotency key `k`.
fn keyed(who: &Actor, k: &str) -> Result<Invocation> {
    Ok(Invocation::new(who.clone(), now()).key(IdempotencyKey::new(k)?))
}

/// `who` acting now, without a key.
fn plain(who: &Actor) -> Invocation {
    Invocation::new(who.clone(), now())
}

#[test]
fn a_customer_retrying_its_own_association_gets_the_same_answer() -> Result<()> {
    let mut d = desk()?;
    let c = fresh_customer()?;
    let me = Actor::Customer(c.id.clone());
    let k = keyed(&me, "accept-1")?;
    d.associate(&k, c.clone(), None)?;
    let events = d.events().len();
    d.associate(&k, c.clone(), None)?;
    assert_eq!(d.events().len(), events, "a retry changes nothing");
    assert_eq!(d.association_history(Some(&c.id)).len(), 1);
    // Without the key, the same call is a second association attempt, refused.
    assert_eq!(
        code(d.associate(&plain(&me), c, None)),
        Some("ALREADY_ASSOCIATED")
    );
    Ok(())
}

#[test]
fn the_system_retrying_a_registration_gets_the_same_answer() -> Result<()> {
    let mut d = desk()?;
    let c = fresh_customer()?;
    let k = keyed(&Actor::System, "register-1")?;
    d.associate(&k, c.clone(), None)?;
    let events = d.events().len();
    d.associate(&k, c.clone(), None)?;
    assert_eq!(d.events().len(), events);
    assert_eq!(d.association_history(Some(&c.id)).len(), 1);
    Ok(())
}

#[test]
fn a_customer_retrying_its_own_disassociation_request_gets_the_same_request() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    let me = Actor::Customer(r1.clone());
    let k = keyed(&me, "leave-1")?;
    let first = d.request_disassociation(&k, &r1, "leaving")?;
    let again = d.request_disassociation(&k, &r1, "leaving")?;
    assert_eq!(first, again);
    assert_eq!(d.disassociation_requests().len(), 1);
    Ok(())
}

#[test]
fn a_customer_retrying_its_decision_on_the_partners_request_gets_the_same_answer() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    let me = Actor::Customer(r1.clone());
    let req = d.request_partner_disassociation(&plain(&op("admin")), &r1, "cleanup")?;
    let k = keyed(&me, "decide-1")?;
    d.decide_disassociation(&k, req, false, "I stay")?;
    let events = d.events().len();
    d.decide_disassociation(&k, req, false, "I stay")?;
    assert_eq!(d.events().len(), events);
    // Without the key the request is decided already.
    assert_eq!(
        code(d.decide_disassociation(&plain(&me), req, false, "I stay")),
        Some("INVALID_TRANSITION")
    );
    Ok(())
}

/// Requests an authorization to place orders for `customer` (10 days), as `ops`.
fn request_authorization(d: &mut partnerdesk::Desk, customer: &str) -> Result<AuthorizationId> {
    let req =
        AuthorizationRequest::new(cid(customer), [AuthorizationScope::PlaceOrders], 10, true)?;
    d.request_authorization(&plain(&op("ops")), &req)
}

#[test]
fn a_customer_retrying_its_approval_gets_the_same_answer() -> Result<()> {
    let mut d = desk()?;
    let id = request_authorization(&mut d, "r1")?;
    let k = keyed(&Actor::Customer(cid("r1")), "approve-1")?;
    d.approve_authorization(&k, &id)?;
    let events = d.events().len();
    d.approve_authorization(&k, &id)?;
    assert_eq!(d.events().len(), events);
    assert_eq!(d.authorization(&id)?.state, AuthorizationState::Active);
    Ok(())
}

#[test]
fn the_system_retrying_the_distributors_decision_gets_the_same_answer() -> Result<()> {
    let partner = Partner::new(
        PartnerId::new("p-2")?,
        "Reseller Co.",
        Site::China,
        Tier::Reseller,
    );
    let mut d = desk_for(partner)?;
    let id = request_authorization(&mut d, "r1")?;
    let k = keyed(&Actor::System, "distributor-1")?;
    d.record_distributor_decision(&k, &id, true)?;
    let events = d.events().len();
    d.record_distributor_decision(&k, &id, true)?;
    assert_eq!(d.events().len(), events);
    assert_eq!(d.authorization(&id)?.state, AuthorizationState::Pending);
    Ok(())
}

#[test]
fn a_partner_retrying_a_termination_gets_the_same_answer_while_it_holds_the_item() -> Result<()> {
    let mut d = desk()?;
    let id = request_authorization(&mut d, "r1")?;
    let k = keyed(&op("ops"), "terminate-1")?;
    d.terminate_authorization(&k, &id)?;
    let events = d.events().len();
    d.terminate_authorization(&k, &id)?;
    assert_eq!(d.events().len(), events);
    // Once its item is revoked, the same retry is refused.
    d.revoke_permissions(
        &plain(&op("admin")),
        &OperatorId::new("ops")?,
        &[Permission::RequestAuthorization],
    )?;
    assert_eq!(
        code(d.terminate_authorization(&k, &id)),
        Some("PERMISSION_DENIED")
    );
    Ok(())
}

#[test]
fn a_recorded_outcome_that_does_not_fit_the_command_is_not_answered() -> Result<()> {
    use partnerdesk::command::{BatchOutcome, CommandOutcome};
    use partnerdesk::event::EventKind;
    // A log whose record of a registration's key holds a batch outcome (edited, then sealed
    // again so that the chain holds): the record is kept, but a retry of the registration is
    // a conflict, not the answer "done".
    let start = desk()?;
    let mut live = start.clone();
    let c = fresh_customer()?;
    let k = keyed(&Actor::System, "register-1")?;
    live.associate(&k, c.clone(), None)?;
    let mut events = live.events().to_vec();
    let n = events.len();
    let previous = if n >= 2 {
        events[n - 2].link.clone()
    } else {
        String::new()
    };
    let last = events.last_mut().ok_or(partnerdesk::Error::InvalidCursor)?;
    // The registration's key is recorded last.
    let EventKind::CommandRecorded { outcome, .. } = &mut last.kind else {
        return Err(partnerdesk::Error::InvalidCursor);
    };
    *outcome = CommandOutcome::Batch {
        outcome: BatchOutcome::from_items(Vec::new()),
    };
    last.seal(&previous, None)?;
    let mut replayed = start.clone();
    replayed.apply_events(events)?;
    assert_eq!(
        code(replayed.associate(&k, c, None)),
        Some("IDEMPOTENCY_CONFLICT")
    );
    Ok(())
}
