//! Rules of authorizations (domain §7) as a partner's developer states them, one test each.
//! Written from the rules, to catch a wrong rule (see docs/testing.md, "Mutation testing").

use crate::ops_fixture::*;
use chrono::Duration;
use partnerdesk::Invocation;
use partnerdesk::authorization::{
    Authorization, AuthorizationRequest, AuthorizationScope, AuthorizationState,
};
use partnerdesk::partner::{Partner, Site, Tier};
use partnerdesk::{Actor, AuthorizationId, Desk, PartnerId, Result};

const ORDERS: AuthorizationScope = AuthorizationScope::PlaceOrders;

fn request(d: &mut Desk, customer: &str, days: u32) -> Result<AuthorizationId> {
    let req = AuthorizationRequest::new(cid(customer), [ORDERS], days, true)?;
    d.request_authorization(&Invocation::new(op("ops"), now()), &req)
}

fn state(
    d: &Desk,
    id: &AuthorizationId,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<AuthorizationState> {
    Ok(d.authorization(id)?.state_at(at))
}

#[test]
fn a_request_keeps_its_customer_scopes_and_duration() -> Result<()> {
    let req = AuthorizationRequest::new(
        cid("r1"),
        [AuthorizationScope::OperateResources, ORDERS, ORDERS],
        30,
        false,
    )?;
    assert_eq!(req.customer(), &cid("r1"));
    assert_eq!(
        req.scopes().iter().cloned().collect::<Vec<_>>(),
        [ORDERS, AuthorizationScope::OperateResources]
    );
    assert_eq!(req.duration_days(), 30);
    assert!(AuthorizationRequest::new(cid("r1"), [ORDERS], 1, true).is_ok());
    assert!(AuthorizationRequest::new(cid("r1"), [ORDERS], 731, true).is_ok());
    for days in [0, 732] {
        assert_eq!(
            code(AuthorizationRequest::new(cid("r1"), [ORDERS], days, true)),
            Some("INVALID_ARGUMENT")
        );
    }
    Ok(())
}

#[test]
fn a_pending_request_lapses_90_days_after_it_was_made() -> Result<()> {
    let mut d = desk()?;
    let id = request(&mut d, "r1", 30)?;
    let lapse = now() + Duration::days(90);
    assert_eq!(d.authorization(&id)?.lapses_at(), lapse);
    assert_eq!(
        state(&d, &id, lapse - Duration::seconds(1))?,
        AuthorizationState::Pending
    );
    assert_eq!(state(&d, &id, lapse)?, AuthorizationState::Lapsed);
    // Recorded once, by the system.
    assert_eq!(d.expire_authorizations(lapse - Duration::seconds(1))?, 0);
    assert_eq!(d.expire_authorizations(lapse)?, 1);
    assert_eq!(d.authorization(&id)?.state, AuthorizationState::Lapsed);
    assert_eq!(d.expire_authorizations(lapse + Duration::days(1))?, 0);
    let last = d.events().last().map(|e| (e.kind.code(), e.actor.clone()));
    assert_eq!(last, Some(("authorization_lapsed", Actor::System)));
    // A lapsed request cannot be approved.
    assert_eq!(
        code(d.approve_authorization(&Invocation::new(Actor::Customer(cid("r1")), lapse), &id)),
        Some("INVALID_TRANSITION")
    );
    Ok(())
}

#[test]
fn an_approved_authorization_lasts_its_duration_from_approval() -> Result<()> {
    let mut d = desk()?;
    let id = request(&mut d, "r1", 10)?;
    let approved = now() + Duration::days(2);
    d.approve_authorization(&Invocation::new(Actor::Customer(cid("r1")), approved), &id)?;
    let end = approved + Duration::days(10);
    let a: Authorization = d.authorization(&id)?.clone();
    assert_eq!((a.approved_at, a.expires_at), (Some(approved), Some(end)));
    let before = end - Duration::seconds(1);
    assert_eq!(a.state_at(before), AuthorizationState::Active);
    assert!(a.covers(&ORDERS, before));
    assert!(!a.covers(&AuthorizationScope::OperateResources, before));
    assert!(d.may_act_on_behalf(&cid("r1"), &ORDERS, before));
    assert!(d.require_authorization(&cid("r1"), &ORDERS, before).is_ok());
    // Not after its end, and not for another customer.
    assert_eq!(a.state_at(end), AuthorizationState::Expired);
    assert!(!a.covers(&ORDERS, end));
    assert!(!d.may_act_on_behalf(&cid("r1"), &ORDERS, end));
    assert_eq!(
        code(d.require_authorization(&cid("r1"), &ORDERS, end)),
        Some("AUTHORIZATION_REQUIRED")
    );
    assert!(!d.may_act_on_behalf(&cid("r2"), &ORDERS, before));
    // An active one does not lapse at 90 days.
    let mut long = desk()?;
    let id = request(&mut long, "r1", 200)?;
    long.approve_authorization(&Invocation::new(Actor::Customer(cid("r1")), now()), &id)?;
    assert_eq!(
        state(&long, &id, now() + Duration::days(100))?,
        AuthorizationState::Active
    );
    // Expiry is recorded once, by the system.
    assert_eq!(d.expire_authorizations(before)?, 0);
    assert_eq!(d.expire_authorizations(end)?, 1);
    assert_eq!(
        d.authorization(&id_of(&d, "r1")?)?.state,
        AuthorizationState::Expired
    );
    assert_eq!(d.expire_authorizations(end)?, 0);
    Ok(())
}

fn id_of(d: &Desk, customer: &str) -> Result<AuthorizationId> {
    d.authorizations_of(&cid(customer))
        .first()
        .map(|a| a.id.clone())
        .ok_or(partnerdesk::Error::InvalidCursor)
}

#[test]
fn only_the_customer_approves_rejects_or_revokes() -> Result<()> {
    let mut d = desk()?;
    let id = request(&mut d, "r1", 10)?;
    for who in [op("admin"), Actor::Customer(cid("r2")), Actor::System] {
        assert_eq!(
            code(d.approve_authorization(&Invocation::new(who.clone(), now()), &id)),
            Some("PERMISSION_DENIED")
        );
        assert_eq!(
            code(d.reject_authorization(&Invocation::new(who.clone(), now()), &id)),
            Some("PERMISSION_DENIED")
        );
    }
    assert_eq!(d.authorization(&id)?.state, AuthorizationState::Pending);
    let customer = Actor::Customer(cid("r1"));
    d.approve_authorization(&Invocation::new(customer.clone(), now()), &id)?;
    assert_eq!(
        code(d.revoke_authorization(&Invocation::new(op("admin"), now()), &id, "no longer")),
        Some("PERMISSION_DENIED")
    );
    assert_eq!(
        code(d.revoke_authorization(&Invocation::new(customer.clone(), now()), &id, "")),
        Some("INVALID_REASON")
    );
    d.revoke_authorization(&Invocation::new(customer.clone(), now()), &id, "no longer")?;
    assert_eq!(d.authorization(&id)?.state, AuthorizationState::Revoked);
    assert!(!d.may_act_on_behalf(&cid("r1"), &ORDERS, now()));
    Ok(())
}

#[test]
fn one_open_request_per_customer_and_the_letter_once() -> Result<()> {
    let mut d = desk()?;
    // The first request needs the commitment letter.
    let no_letter = AuthorizationRequest::new(cid("r1"), [ORDERS], 10, false)?;
    assert_eq!(
        code(d.request_authorization(&Invocation::new(op("ops"), now()), &no_letter)),
        Some("COMMITMENT_LETTER_REQUIRED")
    );
    let first = request(&mut d, "r1", 10)?;
    // A second open request for the same customer is refused; another customer's is not.
    assert_eq!(code(request(&mut d, "r1", 10)), Some("INVALID_TRANSITION"));
    // Once accepted, the letter is not asked again.
    let second = d.request_authorization(
        &Invocation::new(op("ops"), now()),
        &AuthorizationRequest::new(cid("r2"), [ORDERS], 10, false)?,
    )?;
    assert_ne!(first, second);
    assert_eq!(
        d.events()
            .iter()
            .filter(|e| e.kind.code() == "commitment_letter_accepted")
            .count(),
        1
    );
    // Rejected, the customer may be asked again.
    d.reject_authorization(&Invocation::new(Actor::Customer(cid("r1")), now()), &first)?;
    assert!(request(&mut d, "r1", 10).is_ok());
    assert_eq!(d.authorizations_of(&cid("r1")).len(), 2);
    // Only a customer on the desk and associated, by an operator holding the item.
    assert_eq!(
        code(request(&mut d, "nobody", 10)),
        Some("CUSTOMER_NOT_FOUND")
    );
    let req = AuthorizationRequest::new(cid("ref1"), [ORDERS], 10, true)?;
    assert_eq!(
        code(d.request_authorization(&Invocation::new(op("viewer"), now()), &req)),
        Some("PERMISSION_DENIED")
    );
    Ok(())
}

#[test]
fn the_partner_terminates_what_is_pending_or_active() -> Result<()> {
    let mut d = desk()?;
    let id = request(&mut d, "r1", 10)?;
    assert_eq!(
        code(d.terminate_authorization(&Invocation::new(op("viewer"), now()), &id)),
        Some("PERMISSION_DENIED")
    );
    d.terminate_authorization(&Invocation::new(op("ops"), now()), &id)?;
    assert_eq!(d.authorization(&id)?.state, AuthorizationState::Terminated);
    assert_eq!(
        code(d.terminate_authorization(&Invocation::new(op("ops"), now()), &id)),
        Some("INVALID_TRANSITION")
    );
    Ok(())
}

#[test]
fn a_reseller_partners_request_awaits_its_distributor() -> Result<()> {
    let partner = Partner::new(
        PartnerId::new("p-2")?,
        "Reseller Co.",
        Site::China,
        Tier::Reseller,
    );
    let mut d = desk_for(partner)?;
    let id = request(&mut d, "r1", 10)?;
    assert_eq!(
        d.authorization(&id)?.state,
        AuthorizationState::AwaitingDistributor
    );
    assert_eq!(
        code(d.approve_authorization(&Invocation::new(Actor::Customer(cid("r1")), now()), &id)),
        Some("DISTRIBUTOR_APPROVAL_REQUIRED")
    );
    // It lapses too.
    assert_eq!(
        state(&d, &id, now() + Duration::days(90))?,
        AuthorizationState::Lapsed
    );
    // Only the system records the distributor's decision.
    assert_eq!(
        code(d.record_distributor_decision(&Invocation::new(op("admin"), now()), &id, true)),
        Some("PERMISSION_DENIED")
    );
    d.record_distributor_decision(&Invocation::new(Actor::System, now()), &id, true)?;
    assert_eq!(d.authorization(&id)?.state, AuthorizationState::Pending);
    assert_eq!(
        code(d.record_distributor_decision(&Invocation::new(Actor::System, now()), &id, true)),
        Some("INVALID_TRANSITION")
    );
    d.approve_authorization(&Invocation::new(Actor::Customer(cid("r1")), now()), &id)?;
    assert!(d.may_act_on_behalf(&cid("r1"), &ORDERS, now()));
    Ok(())
}
