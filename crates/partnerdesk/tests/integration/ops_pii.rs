//! No personal data in what the governed operations print: every error variant and every
//! event kind is formatted (`Display` and `Debug`), as are the audit records, and none of the
//! fixture customers' names, mobiles or e-mails appears.

use crate::ops_fixture::*;
use chrono::Duration;
use partnerdesk::Invocation;
use partnerdesk::audit::AuditFilter;
use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope};
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::order::OrderRequest;
use partnerdesk::partner::{Partner, Site, Tier};
use partnerdesk::{
    Actor, Desk, Error, FreezeScope, IdKind, IdempotencyKey, OperatorId, OrderType, PartnerId,
    Permission, Result,
};
use std::collections::BTreeSet;

/// Every event kind's code.
const EVENT_CODES: &[&str] = &[
    "permissions_granted",
    "permissions_revoked",
    "commitment_letter_accepted",
    "associated",
    "disassociation_requested",
    "disassociation_rejected",
    "disassociated",
    "manager_assigned",
    "manager_unassigned",
    "frozen",
    "unfrozen",
    "budget_set",
    "budget_threshold_crossed",
    "budget_forecast_crossed",
    "authorization_requested",
    "authorization_distributor_decided",
    "authorization_approved",
    "authorization_rejected",
    "authorization_lapsed",
    "authorization_expired",
    "authorization_revoked",
    "authorization_terminated",
    "order_placed",
    "command_recorded",
];

fn assert_clean(text: &str) {
    for p in PII {
        assert!(!text.contains(p), "personal data {p:?} in {text:?}");
    }
}

/// One sample of every error variant, with the ids of the fixture's customers.
fn every_error() -> Vec<Error> {
    let s = |x: &str| x.to_owned();
    vec![
        Error::InvalidId {
            kind: IdKind::Customer,
            reason: "empty",
        },
        Error::InvalidMoney {
            field: s("budget_amount"),
            reason: s("more than 2 decimal places"),
        },
        Error::CurrencyMismatch {
            expected: s("CNY"),
            found: s("USD"),
        },
        Error::InvalidCurrency,
        Error::InvalidDate {
            field: s("to"),
            reason: s("before from"),
        },
        Error::InvalidArgument {
            field: s("customer_ids"),
            reason: s("an id appears twice"),
        },
        Error::CustomerNotFound { id: s("r1") },
        Error::DuplicateCustomer { id: s("r1") },
        Error::OperatorNotFound { id: s("am9") },
        Error::DuplicateOperator { id: s("am1") },
        Error::FilterSyntax {
            position: 3,
            expected: s("a value"),
            found: s("end of input"),
        },
        Error::InvalidPage {
            reason: s("limit 0"),
        },
        Error::InvalidCursor,
        Error::CursorMismatch,
        Error::InvalidSnapshot {
            field: s("customers[0].id"),
            reason: s("duplicate customer id"),
        },
        Error::UnsupportedSnapshotVersion {
            found: 9,
            supported: 1,
        },
        Error::MalformedJson {
            category: "syntax",
            line: 1,
            column: 2,
        },
        Error::PermissionDenied {
            item: s("BPC_ITEM_SUBCUSTSERV_010115"),
            actor: s("operator:viewer"),
        },
        Error::AdministratorOnly {
            item: s("PD_EXPORT"),
        },
        Error::WrongAssociationType { id: s("ref1") },
        Error::FreezeScopeMismatch {
            id: s("r1"),
            frozen: s("account"),
            requested: s("account_and_resources"),
        },
        Error::NotFrozen { id: s("r1") },
        Error::AlreadyFrozen { id: s("r1") },
        Error::TooManyIds { given: 11, max: 10 },
        Error::InvalidReason { reason: s("empty") },
        Error::DisassociationQuotaExceeded {
            id: s("r1"),
            limit: 3,
        },
        Error::DisassociationBlocked {
            id: s("r1"),
            blocked_by: s("manually_frozen"),
        },
        Error::NotAssociated { id: s("r1") },
        Error::AlreadyAssociated { id: s("r1") },
        Error::NotAccountManager { id: s("viewer") },
        Error::AuthorizationRequired {
            id: s("r1"),
            scope: s("place_orders"),
        },
        Error::AuthorizationNotFound {
            what: s("authorization"),
            id: s("auth-000009"),
        },
        Error::InvalidTransition {
            what: s("authorization"),
            state: s("lapsed"),
            action: s("approve"),
        },
        Error::CommitmentLetterRequired,
        Error::DistributorApprovalRequired {
            id: s("auth-000001"),
        },
        Error::CustomerFrozen { id: s("r1") },
        Error::OverBudget {
            id: s("r1"),
            remaining: s("10.00 CNY"),
        },
        Error::IdempotencyConflict { key: s("k-1") },
        Error::ExportNotFound { id: s("exp-1") },
        Error::ExportCancelled { id: s("exp-1") },
        Error::ExportWriteFailed {
            id: s("exp-1"),
            reason: s("disk full"),
        },
        Error::QueryTooComplex {
            what: s("levels of nesting"),
            max: 64,
        },
        Error::InvalidEvent {
            sequence: 7,
            reason: s("PERMISSION_DENIED: operator:intern lacks PD_REVEAL_SENSITIVE"),
        },
        Error::EventChainBroken {
            sequence: 7,
            reason: s("the link does not follow from the previous link and the event's content"),
        },
        Error::StoreUnavailable {
            reason: s("CannotOpen: unable to open database file"),
        },
        Error::ConcurrentChange {
            expected_events: 12,
            found_events: 13,
        },
        Error::StoreCorrupt {
            what: s("checkpoint: the body's checksum differs from the header's"),
        },
        Error::StoreVersionUnsupported {
            found: 2,
            supported: 1,
        },
        Error::Internal {
            operation: s("event canonical bytes"),
        },
    ]
}

#[test]
fn errors_print_no_personal_data() -> Result<()> {
    let samples = every_error();
    let sampled: BTreeSet<&str> = samples.iter().map(Error::code).collect();
    let missing: Vec<&&str> = Error::CODES
        .iter()
        .filter(|c| !sampled.contains(**c))
        .collect();
    assert!(
        missing.is_empty(),
        "add a sample to every_error() in ops_pii.rs for {missing:?}"
    );
    let mut errors = samples;
    // And the errors real commands return on the fixture's customers.
    let mut d = desk()?;
    let freeze = FreezeRequest::new(
        vec![cid("ref1"), cid("r1")],
        FreezeScope::Account,
        "overdue",
    )?;
    d.freeze(&Invocation::new(op("ops"), now()), &freeze)?
        .items
        .into_iter()
        .for_each(|i| {
            if let Err(e) = i.result {
                errors.push(e);
            }
        });
    let order = OrderRequest::new(cid("r1"), OrderType::New, cny(5, 0))?;
    errors.extend(
        d.place_order_on_behalf(&Invocation::new(op("ops"), now()), &order)
            .err(),
    );
    errors.extend(
        d.set_budget(
            &Invocation::new(op("viewer"), now()),
            &cid("r1"),
            &monthly(5, false, false)?,
        )
        .err(),
    );
    errors.extend(
        d.request_partner_disassociation(&Invocation::new(op("admin"), now()), &cid("r1"), "x")
            .err(),
    );
    errors.extend(
        d.associate(
            &Invocation::new(Actor::System, now()),
            d.customer(&cid("r1"))?.clone(),
            None,
        )
        .err(),
    );
    assert!(errors.len() > Error::CODES.len());
    for e in &errors {
        assert_clean(&e.to_string());
        assert_clean(&format!("{e:?}"));
    }
    Ok(())
}

#[test]
fn events_and_audit_records_print_no_personal_data() -> Result<()> {
    let mut d = desk()?;
    let admin = op("admin");
    let ops = op("ops");
    let viewer = OperatorId::new("viewer")?;
    d.grant_permissions(
        &Invocation::new(admin.clone(), now()),
        &viewer,
        &[Permission::ViewSpend],
    )?;
    d.revoke_permissions(
        &Invocation::new(admin.clone(), now()),
        &viewer,
        &[Permission::ViewSpend],
    )?;
    let felix = fresh_customer()?;
    let fid = felix.id.clone();
    d.associate(
        &Invocation::new(Actor::Customer(fid.clone()), now()),
        felix,
        Some(OperatorId::new("am1")?),
    )?;
    d.set_budget(
        &Invocation::new(ops.clone(), now()).key(IdempotencyKey::new("k-1")?),
        &fid,
        &monthly(100, true, true)?,
    )?;
    d.assign_manager(
        &Invocation::new(ops.clone(), now()),
        &[cid("r1")],
        &OperatorId::new("am2")?,
    )?;
    d.unassign_manager(&Invocation::new(ops.clone(), now()), &[cid("r1")])?;
    let req = AuthorizationRequest::new(fid.clone(), [AuthorizationScope::PlaceOrders], 10, true)?;
    let felix_actor = Actor::Customer(fid.clone());
    d.set_budget(
        &Invocation::new(ops.clone(), now()),
        &cid("r1"),
        &monthly(150, true, false)?,
    )?;
    d.evaluate_budgets(now())?;
    let unfreeze = FreezeRequest::new(vec![cid("r1")], FreezeScope::Account, "budget raised")?;
    d.unfreeze(&Invocation::new(ops.clone(), now()), &unfreeze)?;
    let r =
        d.request_partner_disassociation(&Invocation::new(admin.clone(), now()), &fid, "cleanup")?;
    d.decide_disassociation(
        &Invocation::new(felix_actor.clone(), now()),
        r,
        false,
        "staying",
    )?;
    let a = d.request_authorization(&Invocation::new(ops.clone(), now()), &req)?;
    d.approve_authorization(&Invocation::new(felix_actor.clone(), now()), &a)?;
    d.place_order_on_behalf(
        &Invocation::new(ops.clone(), now()),
        &OrderRequest::new(fid.clone(), OrderType::New, cny(99, 0))?,
    )?;
    d.revoke_authorization(&Invocation::new(felix_actor.clone(), now()), &a, "done")?;
    let b = d.request_authorization(&Invocation::new(ops.clone(), now()), &req)?;
    d.reject_authorization(&Invocation::new(felix_actor.clone(), now()), &b)?;
    let c = d.request_authorization(&Invocation::new(ops.clone(), now()), &req)?;
    d.terminate_authorization(&Invocation::new(ops.clone(), now()), &c)?;
    let e = d.request_authorization(&Invocation::new(ops.clone(), now()), &req)?;
    d.approve_authorization(&Invocation::new(felix_actor.clone(), now()), &e)?;
    d.expire_authorizations(now() + Duration::days(11))?;
    let f = d.request_authorization(
        &Invocation::new(ops.clone(), now() + Duration::days(11)),
        &req,
    )?;
    let _ = f;
    d.expire_authorizations(now() + Duration::days(102))?;
    // The log never goes back in time: the last steps come after the expiries.
    let end = now() + Duration::days(102);
    let r = d.request_disassociation(&Invocation::new(felix_actor.clone(), end), &fid, "moving")?;
    d.decide_disassociation(&Invocation::new(admin.clone(), end), r, true, "")?;
    let mut events: Vec<_> = d.events().to_vec();
    // The distributor's decision only exists for a reseller partner.
    let mut rd = desk_for(Partner::new(
        PartnerId::new("p-2")?,
        "Reseller Co.",
        Site::China,
        Tier::Reseller,
    ))?;
    let ra = rd.request_authorization(
        &Invocation::new(ops.clone(), now()),
        &AuthorizationRequest::new(cid("r1"), [AuthorizationScope::OperateResources], 5, true)?,
    )?;
    rd.record_distributor_decision(&Invocation::new(Actor::System, now()), &ra, true)?;
    events.extend(rd.events().iter().cloned());
    let seen: BTreeSet<&str> = events.iter().map(|e| e.kind.code()).collect();
    let missing: Vec<&&str> = EVENT_CODES.iter().filter(|c| !seen.contains(**c)).collect();
    assert!(missing.is_empty(), "event kinds not exercised: {missing:?}");
    for e in &events {
        assert_clean(&e.to_string());
        assert_clean(&format!("{e:?}"));
    }
    let audit = d.audit_log(&AuditFilter::default());
    assert!(!audit.is_empty());
    for r in audit {
        assert_clean(&r.to_string());
        assert_clean(&format!("{r:?}"));
    }
    let _ = Desk::replay(&desk()?.to_snapshot_json()?, d.events().iter().cloned())?;
    Ok(())
}
