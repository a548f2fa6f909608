//! Rules of retries (domain §9, idempotency) as a partner's developer states them: a command
//! retried with its idempotency key by the one who issued it gets the first answer again and
//! changes nothing more, whoever that is (an operator, the customer itself, the system).
//! Written from the rules, to catch a wrong rule (see docs/testing.md, "Mutation testing").

use crate::ops_fixture::*;
use partnerdesk::{Actor, IdempotencyKey, Result};

fn key(k: &str) -> Result<IdempotencyKey> {
    IdempotencyKey::new(k)
}

#[test]
fn a_customer_retrying_its_own_association_gets_the_same_answer() -> Result<()> {
    let mut d = desk()?;
    let c = fresh_customer()?;
    let me = Actor::Customer(c.id.clone());
    let k = key("accept-1")?;
    d.associate(&me, c.clone(), None, now(), Some(&k))?;
    let events = d.events().len();
    d.associate(&me, c.clone(), None, now(), Some(&k))?;
    assert_eq!(d.events().len(), events, "a retry changes nothing");
    assert_eq!(d.association_history(Some(&c.id)).len(), 1);
    // Without the key, the same call is a second association attempt, refused.
    assert_eq!(
        code(d.associate(&me, c, None, now(), None)),
        Some("ALREADY_ASSOCIATED")
    );
    Ok(())
}

#[test]
fn the_system_retrying_a_registration_gets_the_same_answer() -> Result<()> {
    let mut d = desk()?;
    let c = fresh_customer()?;
    let k = key("register-1")?;
    d.associate(&Actor::System, c.clone(), None, now(), Some(&k))?;
    let events = d.events().len();
    d.associate(&Actor::System, c.clone(), None, now(), Some(&k))?;
    assert_eq!(d.events().len(), events);
    assert_eq!(d.association_history(Some(&c.id)).len(), 1);
    Ok(())
}

#[test]
fn a_customer_retrying_its_own_disassociation_request_gets_the_same_request() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    let me = Actor::Customer(r1.clone());
    let k = key("leave-1")?;
    let first = d.request_disassociation(&me, &r1, "leaving", now(), Some(&k))?;
    let again = d.request_disassociation(&me, &r1, "leaving", now(), Some(&k))?;
    assert_eq!(first, again);
    assert_eq!(d.disassociation_requests().len(), 1);
    Ok(())
}

#[test]
fn a_customer_retrying_its_decision_on_the_partners_request_gets_the_same_answer() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    let me = Actor::Customer(r1.clone());
    let req = d.request_partner_disassociation(&op("admin"), &r1, "cleanup", now(), None)?;
    let k = key("decide-1")?;
    d.decide_disassociation(&me, req, false, "I stay", now(), Some(&k))?;
    let events = d.events().len();
    d.decide_disassociation(&me, req, false, "I stay", now(), Some(&k))?;
    assert_eq!(d.events().len(), events);
    // Without the key the request is decided already.
    assert_eq!(
        code(d.decide_disassociation(&me, req, false, "I stay", now(), None)),
        Some("INVALID_TRANSITION")
    );
    Ok(())
}
