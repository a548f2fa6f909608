//! Rules of associations and disassociations (domain §3) as a partner's developer states them,
//! one test each. Written from the rules, to catch a wrong rule (see docs/testing.md,
//! "Mutation testing").

use crate::ops_fixture::*;
use chrono::{Duration, Months};
use partnerdesk::Invocation;
use partnerdesk::association::{Initiator, RequestStatus, disassociation_blocker};
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::resource::{ExpiryPolicy, Resource, ResourceKind, ResourceStatus};
use partnerdesk::{
    Actor, Association, AssociationType, Customer, Error, Freeze, FreezeOrigin, FreezeScope,
    FreezeState, ResellerId, ResourceId, Result,
};

fn resource(
    kind: ResourceKind,
    service: &str,
    status: ResourceStatus,
    days: Option<i64>,
) -> Resource {
    Resource {
        id: ResourceId::new("res-1").unwrap_or_else(|_| unreachable!()),
        kind,
        service: service.into(),
        region: "cn-north-4".into(),
        name: "r".into(),
        status,
        starts_at: now() - Duration::days(10),
        expires_at: days.map(|d| now() + Duration::days(d)),
        expiry_policy: ExpiryPolicy::Manual,
    }
}

fn with_freeze(origin: FreezeOrigin) -> Result<Customer> {
    let mut c = fresh_customer()?;
    c.freeze = FreezeState::Frozen(Box::new(Freeze {
        scope: FreezeScope::Account,
        origin,
        reason: "x".into(),
        by: "ops".into(),
        at: now(),
    }));
    Ok(c)
}

#[test]
fn the_reseller_model_is_the_reseller_association_type() -> Result<()> {
    let a = Association::new(AssociationType::Reseller, now());
    assert!(a.is_reseller_model());
    assert!(!Association::new(AssociationType::Referral, now()).is_reseller_model());
    let through = a.through_reseller(ResellerId::new("res-9")?);
    assert_eq!(through.reseller, Some(ResellerId::new("res-9")?));
    assert!(through.is_reseller_model());
    Ok(())
}

#[test]
fn a_disassociation_is_blocked_by_a_manual_freeze_or_a_valid_ri_or_support_plan() -> Result<()> {
    let c = fresh_customer()?;
    assert_eq!(disassociation_blocker(&c, now()), None);
    assert_eq!(
        disassociation_blocker(&with_freeze(FreezeOrigin::Manual)?, now()),
        Some("manually_frozen")
    );
    for origin in [
        FreezeOrigin::Default,
        FreezeOrigin::Budget,
        FreezeOrigin::Imported,
    ] {
        assert_eq!(disassociation_blocker(&with_freeze(origin)?, now()), None);
    }
    let blocked_by = |r: Resource| -> Result<Option<&'static str>> {
        let mut c = fresh_customer()?;
        c.resources.push(r);
        Ok(disassociation_blocker(&c, now()))
    };
    use ResourceKind as K;
    use ResourceStatus as S;
    let ri = K::ReservedInstance;
    assert_eq!(
        blocked_by(resource(ri.clone(), "ecs", S::Active, Some(1)))?,
        Some("valid_reserved_instance")
    );
    assert_eq!(
        blocked_by(resource(ri.clone(), "ecs", S::Active, None))?,
        Some("valid_reserved_instance")
    );
    // Expired (the end is not after now) or released: no longer valid.
    assert_eq!(
        blocked_by(resource(ri.clone(), "ecs", S::Active, Some(0)))?,
        None
    );
    assert_eq!(
        blocked_by(resource(ri.clone(), "ecs", S::Active, Some(-1)))?,
        None
    );
    assert_eq!(
        blocked_by(resource(ri, "ecs", S::Released, Some(30)))?,
        None
    );
    // A support plan, whatever the case of its service code.
    let plan = resource(
        K::Other("package".into()),
        "Enterprise_SUPPORT",
        S::Active,
        Some(30),
    );
    assert_eq!(blocked_by(plan)?, Some("valid_support_plan"));
    let over = resource(K::Other("package".into()), "support", S::Active, Some(0));
    assert_eq!(blocked_by(over)?, None);
    let released = resource(K::Other("package".into()), "support", S::Released, None);
    assert_eq!(blocked_by(released)?, None);
    // Other resources do not block.
    let other = resource(K::Other("vm".into()), "ecs", S::Active, Some(30));
    assert_eq!(blocked_by(other)?, None);
    Ok(())
}

#[test]
fn associating_starts_afresh_and_only_a_reseller_customer_starts_frozen() -> Result<()> {
    let mut d = desk()?;
    // The customer itself may associate; another customer may not.
    let mut c = fresh_customer()?;
    let id = c.id.clone();
    c.budget = Some(Box::new(partnerdesk::Budget {
        kind: partnerdesk::BudgetKind::Monthly,
        amount: cny(10, 0),
        set_at: now(),
        set_by: "x".into(),
        auto_freeze: false,
        thresholds: vec![],
    }));
    c.account_manager = Some(partnerdesk::OperatorId::new("am2")?);
    assert_eq!(
        code(d.associate(
            &Invocation::new(Actor::Customer(cid("r1")), now()),
            c.clone(),
            None
        )),
        Some("PERMISSION_DENIED")
    );
    d.associate(
        &Invocation::new(Actor::Customer(id.clone()), now()),
        c,
        None,
    )?;
    let got = d.customer(&id)?;
    assert!(got.budget.is_none());
    assert!(got.account_manager.is_none());
    assert_eq!(got.association.since, now());
    let f = got.freeze.freeze().cloned().ok_or(Error::InvalidCursor)?;
    assert_eq!((f.origin, f.by.as_str()), (FreezeOrigin::Default, "system"));
    // A customer frozen already keeps that freeze.
    let mut manual = with_freeze(FreezeOrigin::Manual)?;
    manual.id = cid("new2");
    d.associate(&Invocation::new(Actor::System, now()), manual, None)?;
    let f = d
        .customer(&cid("new2"))?
        .freeze
        .freeze()
        .cloned()
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(f.origin, FreezeOrigin::Manual);
    // A referral customer is never frozen by the association.
    let mut referral = with_freeze(FreezeOrigin::Imported)?;
    referral.id = cid("new3");
    referral.association = Association::new(AssociationType::Referral, now());
    d.associate(&Invocation::new(op("admin"), now()), referral, None)?;
    assert!(!d.customer(&cid("new3"))?.freeze.is_frozen());
    // An inviting account manager is assigned.
    let mut invited = fresh_customer()?;
    invited.id = cid("new4");
    d.associate(
        &Invocation::new(Actor::System, now()),
        invited,
        Some(partnerdesk::OperatorId::new("am1")?),
    )?;
    assert_eq!(
        d.customer(&cid("new4"))?.account_manager,
        Some(partnerdesk::OperatorId::new("am1")?)
    );
    // History: every association, or one customer's.
    assert_eq!(d.association_history(Some(&id)).len(), 1);
    assert_eq!(d.association_history(None).len(), 4);
    assert!(d.association_history(Some(&cid("r1"))).is_empty());
    Ok(())
}

#[test]
fn a_customer_asks_for_itself_once_at_a_time() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    let me = Actor::Customer(r1.clone());
    assert_eq!(
        code(d.request_disassociation(
            &Invocation::new(Actor::Customer(cid("r2")), now()),
            &r1,
            "leaving"
        )),
        Some("PERMISSION_DENIED")
    );
    assert_eq!(
        code(d.request_disassociation(&Invocation::new(me.clone(), now()), &r1, " ")),
        Some("INVALID_REASON")
    );
    let first = d.request_disassociation(&Invocation::new(me.clone(), now()), &r1, "leaving")?;
    assert_eq!(first, 1);
    assert_eq!(
        code(d.request_disassociation(&Invocation::new(me.clone(), now()), &r1, "leaving")),
        Some("INVALID_TRANSITION")
    );
    // Another customer's pending request, or the partner's own request, is another matter.
    let r2 = cid("r2");
    let other = d.request_disassociation(
        &Invocation::new(Actor::Customer(r2.clone()), now()),
        &r2,
        "leaving",
    )?;
    assert_eq!(other, 2);
    let partners =
        d.request_partner_disassociation(&Invocation::new(op("admin"), now()), &r1, "cleanup")?;
    assert_eq!(partners, 3);
    let listed: Vec<_> = d
        .disassociation_requests()
        .iter()
        .map(|r| {
            (
                r.id,
                r.customer.clone(),
                r.initiator.clone(),
                r.status.clone(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (1, r1.clone(), Initiator::Customer, RequestStatus::Pending),
            (2, r2, Initiator::Customer, RequestStatus::Pending),
            (3, r1.clone(), Initiator::Partner, RequestStatus::Pending),
        ]
    );
    // Rejected, the customer may ask again.
    d.decide_disassociation(
        &Invocation::new(op("admin"), now()),
        first,
        false,
        "please stay",
    )?;
    assert_eq!(
        d.request_disassociation(&Invocation::new(me.clone(), now()), &r1, "leaving")?,
        4
    );
    // Once one request is approved, the other is closed: the customer is gone.
    d.decide_disassociation(&Invocation::new(op("admin"), now()), 4, true, "")?;
    assert_eq!(
        d.disassociation_requests().get(2).map(|r| r.status.clone()),
        Some(RequestStatus::Closed)
    );
    // Only that customer's pending requests close: its rejected one stays rejected, another
    // customer's pending one stays pending.
    let statuses: Vec<_> = d
        .disassociation_requests()
        .iter()
        .map(|r| r.status.clone())
        .collect();
    assert_eq!(
        statuses,
        [
            RequestStatus::Rejected,
            RequestStatus::Pending,
            RequestStatus::Closed,
            RequestStatus::Approved,
        ]
    );
    assert_eq!(
        code(d.decide_disassociation(&Invocation::new(me.clone(), now()), partners, true, "")),
        Some("INVALID_TRANSITION")
    );
    assert_eq!(
        code(d.request_disassociation(&Invocation::new(me.clone(), now()), &r1, "again")),
        Some("NOT_ASSOCIATED")
    );
    Ok(())
}

#[test]
fn the_partner_quota_counts_its_own_requests_for_that_customer_over_three_months() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    let me = Actor::Customer(r1.clone());
    let t0 = now();
    for _ in 0..3 {
        let req =
            d.request_partner_disassociation(&Invocation::new(op("admin"), t0), &r1, "cleanup")?;
        d.decide_disassociation(&Invocation::new(me.clone(), t0), req, false, "I stay")?;
    }
    // The customer's own requests and another customer's partner requests do not count.
    let own = d.request_disassociation(&Invocation::new(me.clone(), t0), &r1, "leaving")?;
    d.decide_disassociation(&Invocation::new(op("admin"), t0), own, false, "no")?;
    let r2 = cid("r2");
    let req =
        d.request_partner_disassociation(&Invocation::new(op("admin"), t0), &r2, "cleanup")?;
    d.decide_disassociation(
        &Invocation::new(Actor::Customer(r2), t0),
        req,
        false,
        "I stay",
    )?;
    // Within three months: refused; three months later to the second: a slot is free.
    let window_end = t0
        .checked_add_months(Months::new(3))
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(
        code(d.request_partner_disassociation(
            &Invocation::new(op("admin"), window_end - Duration::seconds(1)),
            &r1,
            "cleanup"
        )),
        Some("DISASSOCIATION_QUOTA_EXCEEDED")
    );
    assert!(
        d.request_partner_disassociation(&Invocation::new(op("admin"), window_end), &r1, "cleanup")
            .is_ok()
    );
    Ok(())
}

#[test]
fn only_the_customer_decides_on_the_partners_request() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    let req =
        d.request_partner_disassociation(&Invocation::new(op("admin"), now()), &r1, "cleanup")?;
    for who in [op("admin"), Actor::Customer(cid("r2")), Actor::System] {
        assert_eq!(
            code(d.decide_disassociation(&Invocation::new(who.clone(), now()), req, false, "no")),
            Some("PERMISSION_DENIED")
        );
    }
    d.decide_disassociation(
        &Invocation::new(Actor::Customer(r1.clone()), now()),
        req,
        false,
        "no",
    )?;
    assert_eq!(
        d.disassociation_requests()
            .first()
            .map(|r| r.status.clone()),
        Some(RequestStatus::Rejected)
    );
    // A freeze by the budget or on association does not block, a manual one does.
    let fr = FreezeRequest::new(vec![r1.clone()], FreezeScope::Account, "unpaid")?;
    d.freeze(&Invocation::new(op("ops"), now()), &fr)?;
    assert_eq!(
        code(d.request_partner_disassociation(
            &Invocation::new(op("admin"), now()),
            &r1,
            "cleanup"
        )),
        Some("DISASSOCIATION_BLOCKED")
    );
    Ok(())
}
