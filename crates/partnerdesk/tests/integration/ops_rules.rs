//! One test per rule of the governed operations (domain §3–10, §13): what each allows, and
//! what it refuses with which stable code.

use crate::ops_fixture::*;
use chrono::Duration;
use partnerdesk::Invocation;
use partnerdesk::audit::{AuditFilter, AuditOutcome};
use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope, AuthorizationState};
use partnerdesk::budget::{BudgetOperation, BudgetSetting};
use partnerdesk::event::EventKind;
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::order::OrderRequest;
use partnerdesk::partner::{Partner, Site, Tier};
use partnerdesk::resource::{ExpiryPolicy, Resource, ResourceKind, ResourceStatus};
use partnerdesk::{
    Actor, AssociationType, BudgetKind, Decimal, Desk, Error, FreezeOrigin, FreezeScope,
    IdempotencyKey, Operator, OperatorId, OrderStatus, OrderType, PartnerId, Permission,
    ResourceId, Result, Role,
};

fn freeze_req(ids: &[&str], scope: FreezeScope) -> Result<FreezeRequest> {
    FreezeRequest::new(
        ids.iter().map(|i| cid(i)).collect(),
        scope,
        "overdue invoices",
    )
}

fn authorize_orders(
    d: &mut Desk,
    customer: &str,
    days: u32,
) -> Result<partnerdesk::AuthorizationId> {
    let req =
        AuthorizationRequest::new(cid(customer), [AuthorizationScope::PlaceOrders], days, true)?;
    let id = d.request_authorization(&Invocation::new(op("ops"), now()), &req)?;
    d.approve_authorization(&Invocation::new(Actor::Customer(cid(customer)), now()), &id)?;
    Ok(id)
}

// ---- §13 access control ---------------------------------------------------------------

#[test]
fn everything_is_denied_unless_granted() -> Result<()> {
    let d = desk()?;
    assert!(
        d.authorize(&op("ops"), Permission::FreezeUnfreeze, Some(&cid("r1")))
            .is_ok()
    );
    assert_eq!(
        code(d.authorize(&op("viewer"), Permission::FreezeUnfreeze, None)),
        Some("PERMISSION_DENIED")
    );
    assert_eq!(
        code(d.authorize(&op("nobody"), Permission::ViewCustomers, None)),
        Some("PERMISSION_DENIED")
    );
    assert_eq!(
        code(d.authorize(&Actor::System, Permission::ViewCustomers, None)),
        Some("PERMISSION_DENIED")
    );
    assert_eq!(
        code(d.authorize(&Actor::Customer(cid("r1")), Permission::ViewCustomers, None)),
        Some("PERMISSION_DENIED")
    );
    // The administrator holds every item, administrator-only ones included.
    assert!(d.authorize(&op("admin"), Permission::Export, None).is_ok());
    assert_eq!(
        code(d.authorize(&op("ops"), Permission::Export, None)),
        Some("ADMINISTRATOR_ONLY")
    );
    Ok(())
}

#[test]
fn administrator_only_items_cannot_be_granted() -> Result<()> {
    let built = Operator::new(OperatorId::new("x")?, "X", Role::Operator)
        .with_permissions([Permission::ManageAssociation]);
    assert_eq!(code(built), Some("ADMINISTRATOR_ONLY"));
    let mut d = desk()?;
    let viewer = OperatorId::new("viewer")?;
    assert_eq!(
        code(d.grant_permissions(
            &Invocation::new(op("admin"), now()),
            &viewer,
            &[Permission::Export]
        )),
        Some("ADMINISTRATOR_ONLY")
    );
    // Only the administrator grants.
    assert_eq!(
        code(d.grant_permissions(
            &Invocation::new(op("ops"), now()),
            &viewer,
            &[Permission::ViewSpend]
        )),
        Some("ADMINISTRATOR_ONLY")
    );
    assert_eq!(
        code(d.authorize(&op("viewer"), Permission::ViewSpend, None)),
        Some("PERMISSION_DENIED")
    );
    d.grant_permissions(
        &Invocation::new(op("admin"), now()),
        &viewer,
        &[Permission::ViewSpend],
    )?;
    assert!(
        d.authorize(&op("viewer"), Permission::ViewSpend, None)
            .is_ok()
    );
    d.revoke_permissions(
        &Invocation::new(op("admin"), now()),
        &viewer,
        &[Permission::ViewSpend],
    )?;
    assert_eq!(
        code(d.authorize(&op("viewer"), Permission::ViewSpend, None)),
        Some("PERMISSION_DENIED")
    );
    Ok(())
}

#[test]
fn a_misspelled_item_is_refused_at_every_door() -> Result<()> {
    // One refusal (INVALID_ARGUMENT on `items`) whether the item is given to a new operator,
    // granted or revoked; nothing changes.
    let misspelled = Permission::parse("BPC_ITEM_SUBCUSTSERV_01O115");
    let built = Operator::new(OperatorId::new("x")?, "X", Role::Operator)
        .with_permissions([misspelled.clone()]);
    assert_eq!(code(built), Some("INVALID_ARGUMENT"));
    let mut d = desk()?;
    let events = d.events_since(0).len();
    let mut hand_built = Operator::new(OperatorId::new("x")?, "X", Role::Operator);
    hand_built.permissions.insert(misspelled.clone());
    let refused = d.add_operator(hand_built);
    assert!(matches!(&refused, Err(Error::InvalidArgument { field, .. }) if field == "items"));
    assert!(d.operator(&OperatorId::new("x")?).is_err());
    let viewer = OperatorId::new("viewer")?;
    let inv = Invocation::new(op("admin"), now());
    for grant in [true, false] {
        let items = [Permission::ViewSpend, misspelled.clone()];
        let r = if grant {
            d.grant_permissions(&inv, &viewer, &items)
        } else {
            d.revoke_permissions(&inv, &viewer, &items)
        };
        assert!(matches!(&r, Err(Error::InvalidArgument { field, .. }) if field == "items"));
    }
    assert_eq!(d.events_since(0).len(), events);
    Ok(())
}

#[test]
fn reseller_customers_need_the_reseller_scoped_item() -> Result<()> {
    let mut d = desk()?;
    // `ops` holds the own-customer item only: refused on r2 (held through reseller res-1).
    let out = d.freeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["r1", "r2"], FreezeScope::Account)?,
    )?;
    assert!(out.get(&cid("r1")).is_some_and(|r| r.is_ok()));
    assert_eq!(
        out.get(&cid("r2"))
            .and_then(|r| r.as_ref().err())
            .map(Error::code),
        Some("PERMISSION_DENIED")
    );
    // `rops` holds the reseller-scoped item only: allowed on r2, refused on r1.
    let out = d.unfreeze(
        &Invocation::new(op("rops"), now()),
        &freeze_req(&["r1"], FreezeScope::Account)?,
    )?;
    assert_eq!(
        out.items[0].result.as_ref().err().map(Error::code),
        Some("PERMISSION_DENIED")
    );
    let out = d.freeze(
        &Invocation::new(op("rops"), now()),
        &freeze_req(&["r2"], FreezeScope::Account)?,
    )?;
    assert_eq!(out.succeeded(), 1);
    Ok(())
}

// ---- §5 freeze ------------------------------------------------------------------------

#[test]
fn freeze_and_unfreeze_need_the_same_scope() -> Result<()> {
    let mut d = desk()?;
    let out = d.freeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["r1"], FreezeScope::AccountAndResources)?,
    )?;
    assert_eq!(out.succeeded(), 1);
    let f = d
        .customer(&cid("r1"))?
        .freeze
        .freeze()
        .cloned()
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(f.origin, FreezeOrigin::Manual);
    assert_eq!(f.by, "ops");
    assert_eq!(f.release_at(), Some(now() + Duration::days(15)));
    let pending = d.pending_releases(&op("viewer"), now())?;
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (pending[0].customer, pending[0].release_at),
        (&cid("r1"), now() + Duration::days(15))
    );
    assert!(
        d.pending_releases(&op("viewer"), now() + Duration::days(15))?
            .is_empty()
    );
    // Unfreezing with the other scope is refused and changes nothing.
    let out = d.unfreeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["r1"], FreezeScope::Account)?,
    )?;
    assert_eq!(
        out.items[0].result.as_ref().err().map(Error::code),
        Some("FREEZE_SCOPE_MISMATCH")
    );
    assert!(d.customer(&cid("r1"))?.freeze.is_frozen());
    // Freezing again is refused.
    let out = d.freeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["r1"], FreezeScope::Account)?,
    )?;
    assert_eq!(
        out.items[0].result.as_ref().err().map(Error::code),
        Some("ALREADY_FROZEN")
    );
    // The matching scope unfreezes; a second unfreeze is NOT_FROZEN.
    let out = d.unfreeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["r1"], FreezeScope::AccountAndResources)?,
    )?;
    assert_eq!(out.succeeded(), 1);
    assert!(!d.customer(&cid("r1"))?.freeze.is_frozen());
    let out = d.unfreeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["r1"], FreezeScope::AccountAndResources)?,
    )?;
    assert_eq!(
        out.items[0].result.as_ref().err().map(Error::code),
        Some("NOT_FROZEN")
    );
    Ok(())
}

#[test]
fn referral_customers_cannot_be_frozen() -> Result<()> {
    let mut d = desk()?;
    let out = d.freeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["ref1", "r1"], FreezeScope::Account)?,
    )?;
    assert_eq!(
        out.get(&cid("ref1"))
            .and_then(|r| r.as_ref().err())
            .map(Error::code),
        Some("WRONG_ASSOCIATION_TYPE")
    );
    assert!(out.get(&cid("r1")).is_some_and(|r| r.is_ok()));
    assert!(!d.customer(&cid("ref1"))?.freeze.is_frozen());
    // Unknown customers are reported per customer too.
    let out = d.freeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["nope"], FreezeScope::Account)?,
    )?;
    assert_eq!(
        out.items[0].result.as_ref().err().map(Error::code),
        Some("CUSTOMER_NOT_FOUND")
    );
    Ok(())
}

#[test]
fn at_most_ten_ids_and_a_reason() -> Result<()> {
    let ten: Vec<String> = (0..10).map(|i| format!("c{i}")).collect();
    let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
    assert!(freeze_req(&ten, FreezeScope::Account).is_ok());
    let eleven: Vec<String> = (0..11).map(|i| format!("c{i}")).collect();
    let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
    assert_eq!(
        code(freeze_req(&eleven, FreezeScope::Account)),
        Some("TOO_MANY_IDS")
    );
    assert_eq!(
        code(FreezeRequest::new(
            vec![cid("r1")],
            FreezeScope::Account,
            "  "
        )),
        Some("INVALID_REASON")
    );
    assert_eq!(
        code(FreezeRequest::new(
            vec![cid("r1")],
            FreezeScope::Account,
            "x".repeat(257)
        )),
        Some("INVALID_REASON")
    );
    assert!(FreezeRequest::new(vec![cid("r1")], FreezeScope::Account, "x".repeat(256)).is_ok());
    assert_eq!(
        code(FreezeRequest::new(vec![], FreezeScope::Account, "r")),
        Some("INVALID_ARGUMENT")
    );
    assert_eq!(
        code(FreezeRequest::new(
            vec![cid("a"), cid("a")],
            FreezeScope::Account,
            "r"
        )),
        Some("INVALID_ARGUMENT")
    );
    assert_eq!(
        code(FreezeRequest::new(
            vec![cid("a")],
            FreezeScope::Unknown,
            "r"
        )),
        Some("INVALID_ARGUMENT")
    );
    Ok(())
}

#[test]
fn freeze_without_the_item_is_refused_and_audited() -> Result<()> {
    let mut d = desk()?;
    let r = d.freeze(
        &Invocation::new(op("viewer"), now()),
        &freeze_req(&["r1"], FreezeScope::Account)?,
    );
    assert_eq!(code(r), Some("PERMISSION_DENIED"));
    assert!(!d.customer(&cid("r1"))?.freeze.is_frozen());
    assert!(d.events().is_empty());
    let denied = d.audit_log(&AuditFilter::default().actor(op("viewer")).kind("freeze"));
    assert_eq!(denied.len(), 1);
    assert_eq!(
        denied[0].outcome,
        AuditOutcome::Denied {
            code: "PERMISSION_DENIED".into()
        }
    );
    Ok(())
}

// ---- §3 association -------------------------------------------------------------------

#[test]
fn association_starts_frozen_and_assigns_the_inviting_manager() -> Result<()> {
    let mut d = desk()?;
    let c = fresh_customer()?;
    let id = c.id.clone();
    d.associate(
        &Invocation::new(Actor::Customer(id.clone()), now()),
        c.clone(),
        Some(OperatorId::new("am1")?),
    )?;
    let got = d.customer(&id)?;
    let f = got.freeze.freeze().ok_or(Error::InvalidCursor)?;
    assert_eq!(
        (f.scope.clone(), f.origin.clone()),
        (FreezeScope::Account, FreezeOrigin::Default)
    );
    assert_eq!(got.account_manager, Some(OperatorId::new("am1")?));
    assert_eq!(got.association.since, now());
    assert_eq!(d.association_history(Some(&id)).len(), 1);
    assert_eq!(d.manager_history(&id).len(), 1);
    // Associating again is refused; an operator without the admin role cannot associate.
    assert_eq!(
        code(d.associate(&Invocation::new(Actor::System, now()), c.clone(), None)),
        Some("ALREADY_ASSOCIATED")
    );
    let mut other = c;
    other.id = cid("new2");
    assert_eq!(
        code(d.associate(&Invocation::new(op("ops"), now()), other.clone(), None)),
        Some("ADMINISTRATOR_ONLY")
    );
    // An inviter who is not an account manager is refused.
    assert_eq!(
        code(d.associate(
            &Invocation::new(Actor::System, now()),
            other,
            Some(OperatorId::new("viewer")?)
        )),
        Some("NOT_ACCOUNT_MANAGER")
    );
    Ok(())
}

#[test]
fn customer_disassociation_requests_are_decided_by_the_administrator() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(1000, false, false)?,
    )?;
    d.assign_manager(
        &Invocation::new(op("ops"), now()),
        std::slice::from_ref(&r1),
        &OperatorId::new("am1")?,
    )?;
    let auth = authorize_orders(&mut d, "r1", 30)?;
    // Only the customer itself asks.
    assert_eq!(
        code(d.request_disassociation(&Invocation::new(op("admin"), now()), &r1, "leaving")),
        Some("PERMISSION_DENIED")
    );
    let req = d.request_disassociation(
        &Invocation::new(Actor::Customer(r1.clone()), now()),
        &r1,
        "moving to another partner",
    )?;
    // An operator cannot decide; a rejection needs a reason.
    assert_eq!(
        code(d.decide_disassociation(&Invocation::new(op("ops"), now()), req, true, "")),
        Some("ADMINISTRATOR_ONLY")
    );
    assert_eq!(
        code(d.decide_disassociation(&Invocation::new(op("admin"), now()), req, false, "")),
        Some("INVALID_REASON")
    );
    d.decide_disassociation(&Invocation::new(op("admin"), now()), req, true, "")?;
    let c = d.customer(&r1)?;
    assert!(!c.is_associated());
    assert!(c.budget.is_none());
    assert!(c.account_manager.is_none());
    assert!(d.current_manager_period(&r1).is_none());
    let records = d.budget_records(&r1);
    assert_eq!(
        records
            .last()
            .map(|r| (r.operation.clone(), r.operator.as_str())),
        Some((BudgetOperation::Delete, "system"))
    );
    assert_eq!(d.authorization(&auth)?.state, AuthorizationState::Ended);
    // A decided request cannot be decided again.
    assert_eq!(
        code(d.decide_disassociation(&Invocation::new(op("admin"), now()), req, false, "late")),
        Some("INVALID_TRANSITION")
    );
    assert_eq!(
        code(d.decide_disassociation(&Invocation::new(op("admin"), now()), 99, false, "x")),
        Some("AUTHORIZATION_NOT_FOUND")
    );
    // Disassociated customers are out of queries unless asked for.
    let q = partnerdesk::query::Query::all();
    assert_eq!(d.count(&q, now()), 2);
    assert_eq!(d.count(&q.including_disassociated(true), now()), 3);
    Ok(())
}

#[test]
fn partner_disassociation_quota_is_three_per_rolling_three_months() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    let customer = Actor::Customer(r1.clone());
    // Only the administrator requests.
    assert_eq!(
        code(d.request_partner_disassociation(&Invocation::new(op("ops"), now()), &r1, "cleanup")),
        Some("ADMINISTRATOR_ONLY")
    );
    let mut t = now();
    for _ in 0..3 {
        let req =
            d.request_partner_disassociation(&Invocation::new(op("admin"), t), &r1, "cleanup")?;
        // A pending partner request cannot be repeated.
        assert_eq!(
            code(d.request_partner_disassociation(&Invocation::new(op("admin"), t), &r1, "again")),
            Some("INVALID_TRANSITION")
        );
        d.decide_disassociation(
            &Invocation::new(customer.clone(), t),
            req,
            false,
            "I want to stay",
        )?;
        t += Duration::days(10);
    }
    assert_eq!(
        code(d.request_partner_disassociation(&Invocation::new(op("admin"), t), &r1, "cleanup")),
        Some("DISASSOCIATION_QUOTA_EXCEEDED")
    );
    // Three months after the first request, one slot is free again.
    let later = now() + Duration::days(93);
    let req =
        d.request_partner_disassociation(&Invocation::new(op("admin"), later), &r1, "cleanup")?;
    // The administrator cannot confirm the partner's own request: the customer does.
    assert_eq!(
        code(d.decide_disassociation(&Invocation::new(op("admin"), later), req, true, "")),
        Some("PERMISSION_DENIED")
    );
    d.decide_disassociation(&Invocation::new(customer.clone(), later), req, true, "")?;
    assert!(!d.customer(&r1)?.is_associated());
    assert_eq!(
        code(d.request_partner_disassociation(&Invocation::new(op("admin"), later), &r1, "again")),
        Some("NOT_ASSOCIATED")
    );
    Ok(())
}

#[test]
fn disassociation_is_blocked_by_a_manual_freeze_or_a_valid_reserved_instance() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    d.freeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["r1"], FreezeScope::Account)?,
    )?;
    let blocked =
        d.request_partner_disassociation(&Invocation::new(op("admin"), now()), &r1, "cleanup");
    assert_eq!(code(blocked), Some("DISASSOCIATION_BLOCKED"));
    // A customer's own request is accepted, but approval is blocked while manually frozen.
    let req = d.request_disassociation(
        &Invocation::new(Actor::Customer(r1.clone()), now()),
        &r1,
        "leaving",
    )?;
    assert_eq!(
        code(d.decide_disassociation(&Invocation::new(op("admin"), now()), req, true, "")),
        Some("DISASSOCIATION_BLOCKED")
    );
    d.unfreeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["r1"], FreezeScope::Account)?,
    )?;
    // A valid reserved instance blocks too; a budget freeze does not.
    d.update_customer(&r1, |c| {
        c.resources.push(Resource {
            id: ResourceId::new("ri-1").unwrap_or_else(|_| unreachable!()),
            kind: ResourceKind::ReservedInstance,
            service: "ecs".into(),
            region: "cn-north-4".into(),
            name: "ri".into(),
            status: ResourceStatus::Active,
            starts_at: now() - Duration::days(10),
            expires_at: Some(now() + Duration::days(100)),
            expiry_policy: ExpiryPolicy::Manual,
        })
    })?;
    assert_eq!(
        code(d.decide_disassociation(&Invocation::new(op("admin"), now()), req, true, "")),
        Some("DISASSOCIATION_BLOCKED")
    );
    let after_expiry = now() + Duration::days(101);
    d.decide_disassociation(&Invocation::new(op("admin"), after_expiry), req, true, "")?;
    assert!(!d.customer(&r1)?.is_associated());
    Ok(())
}

// ---- §4 account managers --------------------------------------------------------------

#[test]
fn managers_are_assigned_in_batches_with_an_outcome_each() -> Result<()> {
    let mut d = desk()?;
    let am1 = OperatorId::new("am1")?;
    let ids = [cid("r1"), cid("ref1"), cid("ghost")];
    assert_eq!(
        code(d.assign_manager(&Invocation::new(op("viewer"), now()), &ids, &am1)),
        Some("PERMISSION_DENIED")
    );
    assert_eq!(
        code(d.assign_manager(
            &Invocation::new(op("ops"), now()),
            &ids,
            &OperatorId::new("viewer")?
        )),
        Some("NOT_ACCOUNT_MANAGER")
    );
    assert_eq!(
        code(d.assign_manager(
            &Invocation::new(op("ops"), now()),
            &ids,
            &OperatorId::new("zz")?
        )),
        Some("OPERATOR_NOT_FOUND")
    );
    let out = d.assign_manager(&Invocation::new(op("ops"), now()), &ids, &am1)?;
    assert_eq!(out.succeeded(), 2);
    assert_eq!(
        out.get(&cid("ghost"))
            .and_then(|r| r.as_ref().err())
            .map(Error::code),
        Some("CUSTOMER_NOT_FOUND")
    );
    let again = d.assign_manager(&Invocation::new(op("ops"), now()), &[cid("r1")], &am1)?;
    assert_eq!(
        again.items[0].result.as_ref().err().map(Error::code),
        Some("INVALID_TRANSITION")
    );
    // Change, then unassign: the history keeps every period.
    let later = now() + Duration::days(3);
    d.assign_manager(
        &Invocation::new(op("ops"), later),
        &[cid("r1")],
        &OperatorId::new("am2")?,
    )?;
    d.unassign_manager(
        &Invocation::new(op("ops"), later + Duration::days(1)),
        &[cid("r1")],
    )?;
    let h = d.manager_history(&cid("r1"));
    assert_eq!(h.len(), 2);
    assert_eq!((h[0].manager.as_str(), h[0].to), ("am1", Some(later)));
    assert_eq!(h[1].manager.as_str(), "am2");
    assert!(h.iter().all(|p| p.to.is_some()));
    let none = d.unassign_manager(&Invocation::new(op("ops"), later), &[cid("r1")])?;
    assert_eq!(
        none.items[0].result.as_ref().err().map(Error::code),
        Some("INVALID_TRANSITION")
    );
    Ok(())
}

#[test]
fn spend_is_attributed_to_the_manager_of_the_day() -> Result<()> {
    let mut d = desk()?;
    let (am1, am2) = (OperatorId::new("am1")?, OperatorId::new("am2")?);
    let r1 = cid("r1");
    // am1 from Oct 1 (billing time UTC+8), am2 from Nov 10.
    let oct1 = partnerdesk::BillingOffset::CHINA.start_of_day(day(2026, 10, 1));
    let nov10 = partnerdesk::BillingOffset::CHINA.start_of_day(day(2026, 11, 10));
    d.assign_manager(
        &Invocation::new(op("ops"), oct1),
        std::slice::from_ref(&r1),
        &am1,
    )?;
    d.assign_manager(
        &Invocation::new(op("ops"), nov10),
        std::slice::from_ref(&r1),
        &am2,
    )?;
    let month = |m| {
        (
            day(2026, m, 1),
            partnerdesk::YearMonth::new(2026, m).map(|x| x.last_day()),
        )
    };
    let (from, to) = month(11);
    let to = to?;
    // Nov 2 (100) belongs to am1, Nov 15 (50) to am2; October (120) to am1.
    assert_eq!(d.manager_spend(&op("ops"), &am1, from, to)?, cny(100, 0));
    assert_eq!(d.manager_spend(&op("ops"), &am2, from, to)?, cny(50, 0));
    assert_eq!(
        d.manager_spend(&op("ops"), &am1, day(2026, 10, 1), day(2026, 10, 31))?,
        cny(120, 0)
    );
    assert_eq!(
        code(d.manager_spend(&op("viewer"), &am1, from, to)),
        Some("PERMISSION_DENIED")
    );
    assert_eq!(d.manager_at(&r1, now())?, Some(am2));
    Ok(())
}

// ---- §6 budgets -----------------------------------------------------------------------

#[test]
fn budgets_are_validated_and_reseller_only() -> Result<()> {
    let mut d = desk()?;
    assert_eq!(code(monthly(0, false, false)), Some("INVALID_MONEY"));
    assert_eq!(
        code(BudgetSetting::new(
            cny(2_147_483_648, 0),
            BudgetKind::Monthly,
            false,
            false
        )),
        Some("INVALID_MONEY")
    );
    assert!(BudgetSetting::new(cny(2_147_483_647, 0), BudgetKind::Monthly, false, false).is_ok());
    let three_dp = partnerdesk::Money::new(Decimal::new(1001, 3), partnerdesk::Currency::CNY);
    assert_eq!(
        code(BudgetSetting::new(
            three_dp,
            BudgetKind::OneOff,
            false,
            false
        )),
        Some("INVALID_MONEY")
    );
    let usd = partnerdesk::Money::new(Decimal::from(10), partnerdesk::Currency::USD);
    let s = BudgetSetting::new(usd, BudgetKind::Monthly, false, false)?;
    assert_eq!(
        code(d.set_budget(&Invocation::new(op("ops"), now()), &cid("r1"), &s)),
        Some("CURRENCY_MISMATCH")
    );
    assert_eq!(
        code(d.set_budget(
            &Invocation::new(op("ops"), now()),
            &cid("ref1"),
            &monthly(100, false, false)?
        )),
        Some("WRONG_ASSOCIATION_TYPE")
    );
    assert_eq!(
        code(d.set_budget(
            &Invocation::new(op("viewer"), now()),
            &cid("r1"),
            &monthly(100, false, false)?
        )),
        Some("PERMISSION_DENIED")
    );
    // Setting replaces (not adds) and is recorded.
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &cid("r1"),
        &monthly(100, false, false)?,
    )?;
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &cid("r1"),
        &monthly(300, false, false)?,
    )?;
    let b = d
        .customer(&cid("r1"))?
        .budget
        .clone()
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(b.amount, cny(300, 0));
    assert!(!b.auto_freeze);
    let recs = d.budget_records(&cid("r1"));
    assert_eq!(recs.len(), 2);
    assert!(
        recs.iter()
            .all(|r| r.operation == BudgetOperation::Setting && r.operator == "ops")
    );
    // Usage: 150 of 300 this month.
    let u = d
        .budget_usage(&cid("r1"), now())?
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(
        (u.used, u.percent, u.remaining),
        (cny(150, 0), Decimal::from(50), cny(150, 0))
    );
    Ok(())
}

#[test]
fn setting_a_budget_can_unfreeze_with_the_freeze_item() -> Result<()> {
    let mut d = desk()?;
    let c = fresh_customer()?;
    let id = c.id.clone();
    d.associate(&Invocation::new(Actor::System, now()), c, None)?;
    assert!(d.customer(&id)?.freeze.is_frozen());
    // An operator with the budget item but not the freeze item cannot unfreeze with it.
    d.grant_permissions(
        &Invocation::new(op("admin"), now()),
        &OperatorId::new("viewer")?,
        &[Permission::SetBudget],
    )?;
    assert_eq!(
        code(d.set_budget(
            &Invocation::new(op("viewer"), now()),
            &id,
            &monthly(500, false, true)?
        )),
        Some("PERMISSION_DENIED")
    );
    assert!(d.customer(&id)?.budget.is_none());
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &id,
        &monthly(500, false, true)?,
    )?;
    assert!(!d.customer(&id)?.freeze.is_frozen());
    Ok(())
}

#[test]
fn evaluation_fires_each_crossing_once_and_auto_freezes_at_100() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    // 150 used of 180: 83.33% -> the 80% crossing; forecast 150/20*30 = 225 >= 180.
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(180, true, false)?,
    )?;
    let ev = d.evaluate_budget(&r1, now())?;
    let kinds: Vec<&str> = ev.iter().map(|e| e.kind.code()).collect();
    assert_eq!(
        kinds,
        ["budget_threshold_crossed", "budget_forecast_crossed"]
    );
    assert!(ev.iter().all(|e| e.actor == Actor::System));
    // Once per period: a second evaluation fires nothing.
    assert!(d.evaluate_budget(&r1, now())?.is_empty());
    // New spend reaches 100%: the 100% crossing and the auto-freeze (origin budget).
    d.add_spend(
        &r1,
        partnerdesk::SpendRecord {
            day: day(2026, 11, 20),
            product: "ecs".into(),
            amount: cny(30, 0),
            mode: partnerdesk::ChargingMode::PayPerUse,
        },
    )?;
    let ev = d.evaluate_budget(&r1, now())?;
    let kinds: Vec<&str> = ev.iter().map(|e| e.kind.code()).collect();
    assert_eq!(kinds, ["budget_threshold_crossed", "frozen"]);
    let f = d
        .customer(&r1)?
        .freeze
        .freeze()
        .cloned()
        .ok_or(Error::InvalidCursor)?;
    assert_eq!((f.origin, f.by.as_str()), (FreezeOrigin::Budget, "system"));
    assert!(d.evaluate_budget(&r1, now())?.is_empty());
    // Without auto-freeze, 100% only raises the event.
    d.unfreeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["r1"], FreezeScope::Account)?,
    )?;
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(100, false, false)?,
    )?;
    let ev = d.evaluate_budget(&r1, now())?;
    assert!(ev.iter().all(|e| e.kind.code() != "frozen"));
    assert!(!d.customer(&r1)?.freeze.is_frozen());
    // The next month is a new period.
    let december = now() + Duration::days(15);
    d.add_spend(
        &r1,
        partnerdesk::SpendRecord {
            day: day(2026, 12, 5),
            product: "ecs".into(),
            amount: cny(90, 0),
            mode: partnerdesk::ChargingMode::PayPerUse,
        },
    )?;
    let ev = d.evaluate_budget(&r1, december)?;
    assert!(ev.iter().any(|e| matches!(&e.kind, EventKind::BudgetThresholdCrossed { period, .. } if period == "2026-12")));
    // Configurable thresholds.
    let s = monthly(1000, false, false)?.with_thresholds([Decimal::from(5)])?;
    d.set_budget(&Invocation::new(op("ops"), december), &r1, &s)?;
    let ev = d.evaluate_budget(&r1, december)?;
    assert!(ev.iter().any(|e| matches!(&e.kind, EventKind::BudgetThresholdCrossed { threshold, .. } if *threshold == Decimal::from(5))));
    Ok(())
}

// ---- §7 authorization -----------------------------------------------------------------

#[test]
fn authorization_lifecycle() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    let customer = Actor::Customer(r1.clone());
    let req = AuthorizationRequest::new(r1.clone(), [AuthorizationScope::PlaceOrders], 30, false)?;
    assert_eq!(
        code(d.request_authorization(&Invocation::new(op("ops"), now()), &req)),
        Some("COMMITMENT_LETTER_REQUIRED")
    );
    assert_eq!(
        code(d.request_authorization(&Invocation::new(op("viewer"), now()), &req)),
        Some("PERMISSION_DENIED")
    );
    let first = AuthorizationRequest::new(r1.clone(), [AuthorizationScope::PlaceOrders], 30, true)?;
    let a = d.request_authorization(&Invocation::new(op("ops"), now()), &first)?;
    assert_eq!(
        code(d.request_authorization(&Invocation::new(op("ops"), now()), &req)),
        Some("INVALID_TRANSITION")
    );
    // Only the customer decides.
    assert_eq!(
        code(d.approve_authorization(&Invocation::new(op("admin"), now()), &a)),
        Some("PERMISSION_DENIED")
    );
    assert_eq!(
        code(d.approve_authorization(&Invocation::new(Actor::Customer(cid("r2")), now()), &a)),
        Some("PERMISSION_DENIED")
    );
    assert!(!d.may_act_on_behalf(&r1, &AuthorizationScope::PlaceOrders, now()));
    d.approve_authorization(&Invocation::new(customer.clone(), now()), &a)?;
    assert!(d.may_act_on_behalf(&r1, &AuthorizationScope::PlaceOrders, now()));
    assert!(!d.may_act_on_behalf(&r1, &AuthorizationScope::OperateResources, now()));
    assert!(!d.may_act_on_behalf(
        &r1,
        &AuthorizationScope::PlaceOrders,
        now() + Duration::days(30)
    ));
    assert_eq!(d.expire_authorizations(now() + Duration::days(31))?, 1);
    assert_eq!(d.authorization(&a)?.state, AuthorizationState::Expired);
    // The commitment letter is now accepted: later requests need not accept it.
    // The log moves on in time (it never goes backwards).
    let t2 = now() + Duration::days(31);
    let b = d.request_authorization(&Invocation::new(op("ops"), t2), &req)?;
    d.approve_authorization(&Invocation::new(customer.clone(), t2), &b)?;
    assert_eq!(
        code(d.revoke_authorization(&Invocation::new(customer.clone(), t2), &b, "")),
        Some("INVALID_REASON")
    );
    d.revoke_authorization(
        &Invocation::new(customer.clone(), t2),
        &b,
        "no longer needed",
    )?;
    assert_eq!(
        code(d.revoke_authorization(&Invocation::new(customer.clone(), t2), &b, "again")),
        Some("INVALID_TRANSITION")
    );
    // Lapse after 90 days pending.
    let c = d.request_authorization(&Invocation::new(op("ops"), t2), &req)?;
    let late = t2 + Duration::days(90);
    assert_eq!(
        code(d.approve_authorization(&Invocation::new(customer.clone(), late), &c)),
        Some("INVALID_TRANSITION")
    );
    assert_eq!(d.expire_authorizations(late)?, 1);
    assert_eq!(d.authorization(&c)?.state, AuthorizationState::Lapsed);
    // The partner terminates; the customer rejects.
    let e = d.request_authorization(&Invocation::new(op("ops"), late), &req)?;
    d.reject_authorization(&Invocation::new(customer.clone(), late), &e)?;
    let f = d.request_authorization(&Invocation::new(op("ops"), late), &req)?;
    assert_eq!(
        code(d.terminate_authorization(&Invocation::new(op("viewer"), late), &f)),
        Some("PERMISSION_DENIED")
    );
    d.terminate_authorization(&Invocation::new(op("ops"), late), &f)?;
    assert_eq!(d.authorization(&f)?.state, AuthorizationState::Terminated);
    assert_eq!(
        code(d.terminate_authorization(&Invocation::new(op("ops"), late), &f)),
        Some("INVALID_TRANSITION")
    );
    assert_eq!(
        code(AuthorizationRequest::new(r1.clone(), [], 30, true)),
        Some("INVALID_ARGUMENT")
    );
    assert_eq!(
        code(AuthorizationRequest::new(
            r1,
            [AuthorizationScope::PlaceOrders],
            0,
            true
        )),
        Some("INVALID_ARGUMENT")
    );
    Ok(())
}

#[test]
fn a_reseller_partner_needs_the_distributor_first() -> Result<()> {
    let partner = Partner::new(
        PartnerId::new("p-2")?,
        "Reseller Co.",
        Site::China,
        Tier::Reseller,
    );
    let mut d = desk_for(partner)?;
    let r1 = cid("r1");
    let req =
        AuthorizationRequest::new(r1.clone(), [AuthorizationScope::OperateResources], 7, true)?;
    let a = d.request_authorization(&Invocation::new(op("ops"), now()), &req)?;
    assert_eq!(
        d.authorization(&a)?.state,
        AuthorizationState::AwaitingDistributor
    );
    assert_eq!(
        code(d.approve_authorization(&Invocation::new(Actor::Customer(r1.clone()), now()), &a)),
        Some("DISTRIBUTOR_APPROVAL_REQUIRED")
    );
    assert_eq!(
        code(d.record_distributor_decision(&Invocation::new(op("admin"), now()), &a, true)),
        Some("PERMISSION_DENIED")
    );
    d.record_distributor_decision(&Invocation::new(Actor::System, now()), &a, true)?;
    d.approve_authorization(&Invocation::new(Actor::Customer(r1.clone()), now()), &a)?;
    assert!(d.may_act_on_behalf(&r1, &AuthorizationScope::OperateResources, now()));
    Ok(())
}

// ---- §8 orders ------------------------------------------------------------------------

#[test]
fn orders_on_behalf_check_every_precondition() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    let order = OrderRequest::new(r1.clone(), OrderType::New, cny(40, 0))?;
    // No authorization yet.
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(200, false, false)?,
    )?;
    assert_eq!(
        code(d.place_order_on_behalf(&Invocation::new(op("ops"), now()), &order)),
        Some("AUTHORIZATION_REQUIRED")
    );
    authorize_orders(&mut d, "r1", 10)?;
    assert_eq!(
        code(d.place_order_on_behalf(&Invocation::new(op("viewer"), now()), &order)),
        Some("PERMISSION_DENIED")
    );
    let id = d.place_order_on_behalf(&Invocation::new(op("ops"), now()), &order)?;
    let placed = d
        .customer(&r1)?
        .orders
        .iter()
        .find(|o| o.id == id)
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(placed.status, OrderStatus::PendingPayment);
    assert_eq!(placed.placed_by, Some(OperatorId::new("ops")?));
    // Remaining: 200 - 150 spent - 40 committed = 10.
    let big = OrderRequest::new(r1.clone(), OrderType::New, cny(10, 1))?;
    assert_eq!(
        code(d.place_order_on_behalf(&Invocation::new(op("ops"), now()), &big)),
        Some("OVER_BUDGET")
    );
    let fits = OrderRequest::new(r1.clone(), OrderType::Renewal, cny(10, 0))?;
    d.place_order_on_behalf(&Invocation::new(op("ops"), now()), &fits)?;
    let small = OrderRequest::new(r1.clone(), OrderType::New, cny(1, 0))?;
    // Frozen customers and referral customers.
    authorize_orders(&mut d, "r1", 30)?;
    d.freeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["r1"], FreezeScope::Account)?,
    )?;
    assert_eq!(
        code(d.place_order_on_behalf(&Invocation::new(op("ops"), now()), &small)),
        Some("CUSTOMER_FROZEN")
    );
    let referral = OrderRequest::new(cid("ref1"), OrderType::New, cny(1, 0))?;
    assert_eq!(
        code(d.place_order_on_behalf(&Invocation::new(op("ops"), now()), &referral)),
        Some("WRONG_ASSOCIATION_TYPE")
    );
    // No budget: nothing remains.
    let r2 = OrderRequest::new(cid("r2"), OrderType::New, cny(1, 0))?;
    d.grant_permissions(
        &Invocation::new(op("admin"), now()),
        &OperatorId::new("ops")?,
        &[Permission::ViewResellerCustomers],
    )?;
    let no_budget = d.place_order_on_behalf(&Invocation::new(op("ops"), now()), &r2);
    assert!(matches!(
        code(no_budget),
        Some("AUTHORIZATION_REQUIRED" | "OVER_BUDGET")
    ));
    // Lapsed (expired) authorizations (last: the log never goes back in time, and both
    // authorizations, of 10 and 30 days, have ended by then).
    let later = now() + Duration::days(31);
    d.unfreeze(
        &Invocation::new(op("ops"), later),
        &freeze_req(&["r1"], FreezeScope::Account)?,
    )?;
    d.set_budget(
        &Invocation::new(op("ops"), later),
        &r1,
        &monthly(10_000, false, false)?,
    )?;
    assert_eq!(
        code(d.place_order_on_behalf(&Invocation::new(op("ops"), later), &small)),
        Some("AUTHORIZATION_REQUIRED")
    );
    assert_eq!(
        code(OrderRequest::new(r1, OrderType::New, cny(0, 0))),
        Some("INVALID_MONEY")
    );
    // Overview counts.
    let o = d.order_overview(&op("ops"), Some(&cid("r1")))?;
    assert_eq!((o.unpaid, o.all), (2, 2));
    assert_eq!(
        code(d.order_overview(&op("am1"), None)),
        Some("PERMISSION_DENIED")
    );
    Ok(())
}

// ---- §9–10 resources and spend ---------------------------------------------------------

#[test]
fn resources_to_renew_and_spend_analysis() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    d.update_customer(&r1, |c| {
        for (i, (days, policy)) in [
            (5, ExpiryPolicy::Manual),
            (12, ExpiryPolicy::ReleaseAtExpiry),
            (20, ExpiryPolicy::AutoRenew),
            (40, ExpiryPolicy::Manual),
        ]
        .into_iter()
        .enumerate()
        {
            c.resources.push(Resource {
                id: ResourceId::new(format!("res-{i}")).unwrap_or_else(|_| unreachable!()),
                kind: ResourceKind::YearlyMonthly,
                service: "ecs".into(),
                region: "cn-north-4".into(),
                name: format!("vm-{i}"),
                status: ResourceStatus::Active,
                starts_at: now() - Duration::days(300),
                expires_at: Some(now() + Duration::days(days)),
                expiry_policy: policy,
            });
        }
    })?;
    let ids = |v: Vec<partnerdesk::analysis::RenewalItem<'_>>| {
        v.iter()
            .map(|r| r.resource.id.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(d.resources_to_renew(&op("viewer"), Some(&r1), 7, now())?),
        ["res-0"]
    );
    assert_eq!(
        ids(d.resources_to_renew(&op("viewer"), Some(&r1), 15, now())?),
        ["res-0", "res-1"]
    );
    assert_eq!(
        ids(d.resources_to_renew(&op("viewer"), None, 30, now())?),
        ["res-0", "res-1"]
    );
    assert_eq!(
        ids(d.resources_to_renew(&op("viewer"), None, 45, now())?),
        ["res-0", "res-1", "res-3"]
    );
    assert_eq!(
        code(d.resources_to_renew(&op("am1"), None, 7, now())),
        Some("PERMISSION_DENIED")
    );
    // Spend: Nov 1–20 = 150; October = 120; Oct 1–20 = 80; change +70 (+87.5%).
    let s = d.spend_summary(&op("ops"), Some(&r1), now())?;
    assert_eq!(s.month_to_date, cny(150, 0));
    assert_eq!(s.last_month, cny(120, 0));
    assert_eq!(s.last_month_same_days, cny(80, 0));
    assert_eq!(s.change, cny(70, 0));
    assert_eq!(s.change_percent, Some(Decimal::new(8750, 2)));
    assert_eq!(
        code(d.spend_summary(&op("viewer"), None, now())),
        Some("PERMISSION_DENIED")
    );
    let rank = d.product_ranking(&op("ops"), None, day(2026, 10, 1), day(2026, 11, 30), 5)?;
    assert_eq!(
        rank,
        vec![
            ("ecs".to_string(), cny(180, 0)),
            ("obs".to_string(), cny(90, 0))
        ]
    );
    let series = d.daily_spend(&op("ops"), Some(&r1), day(2026, 11, 1), day(2026, 11, 3))?;
    assert_eq!(
        series.iter().map(|(_, m)| *m).collect::<Vec<_>>(),
        vec![cny(0, 0), cny(100, 0), cny(0, 0)]
    );
    assert_eq!(
        code(d.daily_spend(&op("ops"), None, day(2026, 11, 3), day(2026, 11, 1))),
        Some("INVALID_DATE")
    );
    Ok(())
}

// ---- §12 idempotency, audit, replay ----------------------------------------------------

#[test]
fn a_repeated_key_returns_the_first_outcome_and_changes_nothing() -> Result<()> {
    let mut d = desk()?;
    let key = IdempotencyKey::new("k-1")?;
    let req = freeze_req(&["r1", "ref1"], FreezeScope::Account)?;
    let first = d.freeze(&Invocation::new(op("ops"), now()).key(key.clone()), &req)?;
    let events = d.events().len();
    let second = d.freeze(&Invocation::new(op("ops"), now()).key(key.clone()), &req)?;
    assert_eq!(first, second);
    assert_eq!(d.events().len(), events);
    // The same key for another command is refused.
    let other = freeze_req(&["r2"], FreezeScope::Account)?;
    assert_eq!(
        code(d.freeze(&Invocation::new(op("ops"), now()).key(key.clone()), &other)),
        Some("IDEMPOTENCY_CONFLICT")
    );
    assert_eq!(
        code(d.set_budget(
            &Invocation::new(op("ops"), now()).key(key.clone()),
            &cid("r1"),
            &monthly(5, false, false)?
        )),
        Some("IDEMPOTENCY_CONFLICT")
    );
    // Idempotency outcomes survive a snapshot.
    let again = Desk::from_snapshot_json(&d.to_snapshot_json()?)?;
    assert_eq!(again, d);
    let mut again = again;
    assert_eq!(
        again.freeze(&Invocation::new(op("ops"), now()).key(key.clone()), &req)?,
        first
    );
    Ok(())
}

#[test]
fn the_audit_log_filters_by_customer_actor_kind_and_time() -> Result<()> {
    let mut d = desk()?;
    let later = now() + Duration::hours(2);
    d.freeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["r1", "ref1"], FreezeScope::Account)?,
    )?;
    let _ = d.set_budget(
        &Invocation::new(op("viewer"), later),
        &cid("r1"),
        &monthly(10, false, false)?,
    );
    assert_eq!(
        d.audit_log(&AuditFilter::default().customer(cid("r1")))
            .len(),
        2
    );
    assert_eq!(d.audit_log(&AuditFilter::default().kind("freeze")).len(), 2);
    let denied: Vec<_> = d
        .audit_log(&AuditFilter::default().kind("freeze"))
        .into_iter()
        .filter(|r| !r.outcome.is_allowed())
        .collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].customer, Some(cid("ref1")));
    assert_eq!(
        d.audit_log(&AuditFilter::default().actor(op("viewer")))
            .len(),
        1
    );
    assert_eq!(
        d.audit_log(&AuditFilter::default().between(later, later + Duration::seconds(1)))
            .len(),
        1
    );
    Ok(())
}

#[test]
fn replaying_the_events_gives_the_live_desk() -> Result<()> {
    let mut d = desk()?;
    let start = d.to_snapshot_json()?;
    let c = fresh_customer()?;
    let id = c.id.clone();
    d.associate(
        &Invocation::new(Actor::System, now()),
        c,
        Some(OperatorId::new("am1")?),
    )?;
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &id,
        &monthly(100, true, true)?,
    )?;
    d.assign_manager(
        &Invocation::new(op("ops"), now()).key(IdempotencyKey::new("k")?),
        &[cid("r1"), id.clone()],
        &OperatorId::new("am2")?,
    )?;
    authorize_orders(&mut d, "new1", 30)?;
    d.place_order_on_behalf(
        &Invocation::new(op("ops"), now()),
        &OrderRequest::new(id.clone(), OrderType::New, cny(60, 0))?,
    )?;
    d.freeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["r1"], FreezeScope::Account)?,
    )?;
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &cid("r1"),
        &monthly(100, true, false)?,
    )?;
    d.evaluate_budgets(now())?;
    let req = d.request_disassociation(
        &Invocation::new(Actor::Customer(id.clone()), now()),
        &id,
        "bye",
    )?;
    d.decide_disassociation(&Invocation::new(op("admin"), now()), req, true, "")?;
    let replayed = Desk::replay(&start, d.events().iter().cloned())?;
    assert_eq!(replayed, d);
    // Out-of-order events are refused.
    let mut events: Vec<_> = d.events().to_vec();
    events.swap(0, 1);
    assert_eq!(
        code(Desk::replay(&start, events)),
        Some("EVENT_CHAIN_BROKEN")
    );
    // And a snapshot of the live desk loads equal.
    assert_eq!(Desk::from_snapshot_json(&d.to_snapshot_json()?)?, d);
    let _ = AssociationType::Reseller;
    Ok(())
}

/// Replay reads ahead in batches (finding the customers of the next events first): a customer
/// associated in the middle of a batch, and changed by the events right after it, replays the
/// same; and a bad event deep in the log stops the replay there, with the events before it
/// applied and none after.
#[test]
fn replay_reads_ahead_across_an_association_and_stops_at_a_bad_event() -> Result<()> {
    let mut d = desk()?;
    let start = d.to_snapshot_json()?;
    for amount in 1..=40 {
        d.set_budget(
            &Invocation::new(op("ops"), now()),
            &cid("r1"),
            &monthly(100 + amount, false, false)?,
        )?;
    }
    let c = fresh_customer()?;
    let id = c.id.clone();
    d.associate(
        &Invocation::new(Actor::System, now()),
        c,
        Some(OperatorId::new("am1")?),
    )?;
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &id,
        &monthly(100, true, true)?,
    )?;
    d.assign_manager(
        &Invocation::new(op("ops"), now()),
        &[id.clone(), cid("r1")],
        &OperatorId::new("am2")?,
    )?;
    d.unfreeze(
        &Invocation::new(op("ops"), now()),
        &freeze_req(&["new1"], FreezeScope::Account)?,
    )?;
    let events = d.events().to_vec();
    let associated = events.iter().position(|e| e.kind.code() == "associated");
    let associated = associated.unwrap_or(0);
    assert!(
        associated % 16 != 0 && events.len() > associated + 3,
        "the association falls inside a batch of 16, with events after it"
    );
    assert_eq!(Desk::replay(&start, events.iter().cloned())?, d);

    // A gap in the sequence numbers two events after the association (same batch): the
    // events before it are applied, then the error.
    let bad = associated + 2;
    let mut broken = events.clone();
    if let Some(e) = broken.get_mut(bad) {
        e.seq += 1;
    }
    let mut partial = Desk::from_snapshot_json(&start)?;
    let err = partial.apply_events(broken);
    assert_eq!(code(err), Some("EVENT_CHAIN_BROKEN"));
    assert_eq!(partial.events(), &events[..bad]);
    assert!(
        partial.customer(&id).is_ok(),
        "the association before it is applied"
    );
    Ok(())
}
