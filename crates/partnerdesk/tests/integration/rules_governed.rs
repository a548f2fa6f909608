//! Rules of the governed operations (domain §3–8, §13: access, freezes, orders) as a partner's
//! developer states them, one test each. Written from the rules, to catch a wrong rule (see
//! docs/testing.md, "Mutation testing").

use crate::ops_fixture::*;
use chrono::Duration;
use partnerdesk::Invocation;
use partnerdesk::authorization::{AuthorizationRequest, AuthorizationScope};
use partnerdesk::freeze::{FreezeRequest, MAX_FREEZE_IDS};
use partnerdesk::order::OrderRequest;
use partnerdesk::{
    Actor, Desk, Error, Freeze, FreezeOrigin, FreezeScope, FreezeState, OperatorId, OrderStatus,
    OrderType, Permission, Result,
};

fn req(ids: &[&str], scope: FreezeScope) -> Result<FreezeRequest> {
    FreezeRequest::new(
        ids.iter().map(|i| cid(i)).collect(),
        scope,
        "overdue invoices",
    )
}

fn frozen(d: &Desk, id: &str) -> Result<bool> {
    Ok(d.customer(&cid(id))?.freeze.is_frozen())
}

fn item_codes(out: &partnerdesk::command::BatchOutcome) -> Vec<Option<&'static str>> {
    out.items
        .iter()
        .map(|i| i.result.as_ref().err().map(Error::code))
        .collect()
}

// ---- access -----------------------------------------------------------------------------

#[test]
fn only_export_and_association_management_are_administrator_only() {
    for p in [
        Permission::ViewCustomers,
        Permission::ViewResellerCustomers,
        Permission::FreezeUnfreeze,
        Permission::FreezeUnfreezeResellerCustomers,
        Permission::SetBudget,
        Permission::SetBudgetResellerCustomers,
        Permission::PlaceOrderOnBehalf,
        Permission::RevealSensitive,
        Permission::ViewSpend,
    ] {
        assert!(!p.is_administrator_only(), "{p:?}");
    }
    assert!(Permission::Export.is_administrator_only());
    assert!(Permission::ManageAssociation.is_administrator_only());
}

#[test]
fn reseller_customers_have_their_own_items_for_view_freeze_and_budget() {
    use Permission::*;
    for (own, reseller) in [
        (ViewCustomers, ViewResellerCustomers),
        (FreezeUnfreeze, FreezeUnfreezeResellerCustomers),
        (SetBudget, SetBudgetResellerCustomers),
        (ViewSpend, ViewSpend),
        (PlaceOrderOnBehalf, PlaceOrderOnBehalf),
        (ViewResellerCustomers, ViewResellerCustomers),
    ] {
        assert_eq!(own.for_reseller_customers(), reseller);
    }
}

#[test]
fn actors_are_shown_by_id_and_recorded_by_login() -> Result<()> {
    let ops = op("ops");
    assert_eq!(ops.operator(), Some(&OperatorId::new("ops")?));
    assert_eq!(
        (ops.login(), ops.to_string()),
        ("ops".into(), "operator:ops".into())
    );
    let c = Actor::Customer(cid("r1"));
    assert_eq!(c.operator(), None);
    assert_eq!(
        (c.login(), c.to_string()),
        ("r1".into(), "customer:r1".into())
    );
    assert_eq!(Actor::System.operator(), None);
    assert_eq!(
        (Actor::System.login(), Actor::System.to_string()),
        ("system".into(), "system".into())
    );
    Ok(())
}

#[test]
fn only_the_administrator_grants_and_revokes_and_revoking_takes_effect() -> Result<()> {
    let mut d = desk()?;
    let viewer = OperatorId::new("viewer")?;
    assert!(d.require_administrator(&op("admin"), "x").is_ok());
    for who in [
        op("ops"),
        Actor::System,
        Actor::Customer(cid("r1")),
        op("nobody"),
    ] {
        assert_eq!(
            code(d.require_administrator(&who, "x")),
            Some("ADMINISTRATOR_ONLY")
        );
        assert_eq!(
            code(d.grant_permissions(
                &Invocation::new(who.clone(), now()),
                &viewer,
                &[Permission::ViewSpend]
            )),
            Some("ADMINISTRATOR_ONLY")
        );
    }
    d.grant_permissions(
        &Invocation::new(op("admin"), now()),
        &viewer,
        &[Permission::ViewSpend],
    )?;
    assert!(d.operator(&viewer)?.holds(&Permission::ViewSpend));
    assert_eq!(
        code(d.revoke_permissions(
            &Invocation::new(op("ops"), now()),
            &viewer,
            &[Permission::ViewSpend]
        )),
        Some("ADMINISTRATOR_ONLY")
    );
    assert!(d.operator(&viewer)?.holds(&Permission::ViewSpend));
    d.revoke_permissions(
        &Invocation::new(op("admin"), now()),
        &viewer,
        &[Permission::ViewSpend],
    )?;
    assert!(!d.operator(&viewer)?.holds(&Permission::ViewSpend));
    assert!(d.operator(&viewer)?.holds(&Permission::ViewCustomers));
    // Administrator-only items cannot be granted, but revoking them is not refused.
    assert_eq!(
        code(d.grant_permissions(
            &Invocation::new(op("admin"), now()),
            &viewer,
            &[Permission::Export]
        )),
        Some("ADMINISTRATOR_ONLY")
    );
    assert!(
        d.revoke_permissions(
            &Invocation::new(op("admin"), now()),
            &viewer,
            &[Permission::Export]
        )
        .is_ok()
    );
    // Without the item an operator is denied; the administrator holds every item.
    assert_eq!(
        code(d.authorize(&op("viewer"), Permission::ViewSpend, None)),
        Some("PERMISSION_DENIED")
    );
    assert!(
        d.authorize(&op("admin"), Permission::ViewSpend, None)
            .is_ok()
    );
    Ok(())
}

// ---- freezes ----------------------------------------------------------------------------

#[test]
fn an_account_and_resources_freeze_releases_the_resources_15_days_later() -> Result<()> {
    let f = Freeze {
        scope: FreezeScope::AccountAndResources,
        origin: FreezeOrigin::Manual,
        reason: "overdue invoices".into(),
        by: "ops".into(),
        at: now(),
    };
    assert_eq!(f.release_at(), Some(now() + Duration::days(15)));
    let account = Freeze {
        scope: FreezeScope::Account,
        ..f.clone()
    };
    assert_eq!(account.release_at(), None);
    // The state tells whether, how and why.
    let state = FreezeState::Frozen(Box::new(f.clone()));
    assert!(state.is_frozen());
    assert_eq!(state.freeze(), Some(&f));
    assert_eq!(state.scope(), Some(&FreezeScope::AccountAndResources));
    let none = FreezeState::NotFrozen;
    assert!(!none.is_frozen());
    assert_eq!((none.freeze(), none.scope()), (None, None));
    Ok(())
}

#[test]
fn a_freeze_request_keeps_its_ids_scope_and_reason() -> Result<()> {
    let r = FreezeRequest::new(
        vec![cid("r2"), cid("r1")],
        FreezeScope::AccountAndResources,
        "unpaid",
    )?;
    assert_eq!(r.ids(), &[cid("r2"), cid("r1")]);
    assert_eq!(r.scope(), &FreezeScope::AccountAndResources);
    assert_eq!(r.reason(), "unpaid");
    let ten: Vec<_> = (0..MAX_FREEZE_IDS).map(|i| cid(&format!("c{i}"))).collect();
    assert!(FreezeRequest::new(ten, FreezeScope::Account, "x").is_ok());
    Ok(())
}

#[test]
fn a_reason_has_1_to_256_characters_and_no_control_characters() -> Result<()> {
    let ok = "冻".repeat(256);
    assert_eq!(req_with(&ok)?.reason(), ok);
    for bad in [
        "冻".repeat(257),
        String::new(),
        "  \t ".into(),
        "a\nb".into(),
        "a\u{7}".into(),
    ] {
        assert_eq!(code(req_with(&bad)), Some("INVALID_REASON"), "{bad:?}");
    }
    Ok(())
}

fn req_with(reason: &str) -> Result<FreezeRequest> {
    FreezeRequest::new(vec![cid("r1")], FreezeScope::Account, reason)
}

#[test]
fn a_freeze_checks_each_customer_on_its_own() -> Result<()> {
    let mut d = desk()?;
    // r1 frozen first; freezing r2 is not refused because r1 is frozen.
    d.freeze(
        &Invocation::new(op("ops"), now()),
        &req(&["r1"], FreezeScope::Account)?,
    )?;
    let out = d.freeze(
        &Invocation::new(op("admin"), now()),
        &req(&["r2"], FreezeScope::Account)?,
    )?;
    assert_eq!(item_codes(&out), [None]);
    assert!(frozen(&d, "r2")?);
    // Unfreezing a customer that is not frozen is refused for that customer only.
    let mut d = desk()?;
    d.freeze(
        &Invocation::new(op("admin"), now()),
        &req(&["r2"], FreezeScope::Account)?,
    )?;
    let out = d.unfreeze(
        &Invocation::new(op("admin"), now()),
        &req(&["r1", "r2"], FreezeScope::Account)?,
    )?;
    assert_eq!(item_codes(&out), [Some("NOT_FROZEN"), None]);
    assert!(!frozen(&d, "r1")? && !frozen(&d, "r2")?);
    // A freeze records who, why, the scope and the manual origin.
    d.freeze(
        &Invocation::new(op("ops"), now()),
        &req(&["r1"], FreezeScope::AccountAndResources)?,
    )?;
    let f = d
        .customer(&cid("r1"))?
        .freeze
        .freeze()
        .cloned()
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(
        (f.scope, f.origin, f.reason.as_str(), f.by.as_str(), f.at),
        (
            FreezeScope::AccountAndResources,
            FreezeOrigin::Manual,
            "overdue invoices",
            "ops",
            now()
        )
    );
    Ok(())
}

#[test]
fn an_actor_without_either_freeze_item_is_refused_as_a_whole() -> Result<()> {
    let mut d = desk()?;
    for who in [op("viewer"), op("am1")] {
        assert_eq!(
            code(d.freeze(
                &Invocation::new(who.clone(), now()),
                &req(&["r1"], FreezeScope::Account)?
            )),
            Some("PERMISSION_DENIED")
        );
    }
    assert!(!frozen(&d, "r1")?);
    // The reseller-scoped item alone lets the batch in; each own customer is then refused.
    let out = d.freeze(
        &Invocation::new(op("rops"), now()),
        &req(&["r1", "r2"], FreezeScope::Account)?,
    )?;
    assert_eq!(item_codes(&out), [Some("PERMISSION_DENIED"), None]);
    assert!(!frozen(&d, "r1")? && frozen(&d, "r2")?);
    Ok(())
}

#[test]
fn an_unfreeze_needs_the_frozen_scope_unless_it_is_unknown() -> Result<()> {
    let mut d = desk()?;
    d.freeze(
        &Invocation::new(op("ops"), now()),
        &req(&["r1"], FreezeScope::Account)?,
    )?;
    let out = d.unfreeze(
        &Invocation::new(op("ops"), now()),
        &req(&["r1"], FreezeScope::AccountAndResources)?,
    )?;
    assert_eq!(item_codes(&out), [Some("FREEZE_SCOPE_MISMATCH")]);
    assert!(frozen(&d, "r1")?);
    let out = d.unfreeze(
        &Invocation::new(op("ops"), now()),
        &req(&["r1"], FreezeScope::Account)?,
    )?;
    assert_eq!(item_codes(&out), [None]);
    assert!(!frozen(&d, "r1")?);
    // An imported freeze of unknown scope is lifted by either scope.
    for scope in [FreezeScope::Account, FreezeScope::AccountAndResources] {
        d.update_customer(&cid("r1"), |c| {
            c.freeze = FreezeState::Frozen(Box::new(Freeze {
                scope: FreezeScope::Unknown,
                origin: FreezeOrigin::Imported,
                reason: "imported".into(),
                by: "system".into(),
                at: now(),
            }));
        })?;
        let out = d.unfreeze(&Invocation::new(op("ops"), now()), &req(&["r1"], scope)?)?;
        assert_eq!(item_codes(&out), [None]);
        assert!(!frozen(&d, "r1")?);
    }
    Ok(())
}

// ---- orders -----------------------------------------------------------------------------

#[test]
fn an_order_may_use_exactly_the_remaining_budget() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    let auth = AuthorizationRequest::new(r1.clone(), [AuthorizationScope::PlaceOrders], 30, true)?;
    let id = d.request_authorization(&Invocation::new(op("ops"), now()), &auth)?;
    d.approve_authorization(&Invocation::new(Actor::Customer(r1.clone()), now()), &id)?;
    d.set_budget(
        &Invocation::new(op("ops"), now()),
        &r1,
        &monthly(200, false, false)?,
    )?;
    // 200 - 150 spent: 50 remain; an order of exactly 50 fits, then nothing does.
    let exact = OrderRequest::new(r1.clone(), OrderType::Renewal, cny(50, 0))?;
    assert_eq!(exact.customer(), &r1);
    assert_eq!(exact.kind(), &OrderType::Renewal);
    assert_eq!(exact.amount(), cny(50, 0));
    let placed = d.place_order_on_behalf(&Invocation::new(op("ops"), now()), &exact)?;
    let order = d
        .customer(&r1)?
        .orders
        .iter()
        .find(|o| o.id == placed)
        .ok_or(Error::InvalidCursor)?;
    assert_eq!(
        (&order.kind, order.amount),
        (&OrderType::Renewal, cny(50, 0))
    );
    assert!(order.is_unpaid());
    let cent = OrderRequest::new(r1.clone(), OrderType::New, cny(0, 1))?;
    assert_eq!(
        code(d.place_order_on_behalf(&Invocation::new(op("ops"), now()), &cent)),
        Some("OVER_BUDGET")
    );
    // A completed order is no longer unpaid.
    let mut paid = order;
    paid.status = OrderStatus::Completed;
    assert!(!paid.is_unpaid());
    Ok(())
}

#[test]
fn orders_placed_on_behalf_are_numbered_one_after_the_other() -> Result<()> {
    let mut d = desk()?;
    let r1 = cid("r1");
    let auth = AuthorizationRequest::new(r1.clone(), [AuthorizationScope::PlaceOrders], 30, true)?;
    let id = d.request_authorization(&Invocation::new(op("ops"), now()), &auth)?;
    d.approve_authorization(&Invocation::new(Actor::Customer(r1.clone()), now()), &id)?;
    let budget = monthly(1000, false, false)?;
    d.set_budget(&Invocation::new(op("ops"), now()), &r1, &budget)?;
    let mut placed = Vec::new();
    for units in [10, 20, 30] {
        let req = OrderRequest::new(r1.clone(), OrderType::New, cny(units, 0))?;
        placed.push(d.place_order_on_behalf(&Invocation::new(op("ops"), now()), &req)?);
    }
    let ids: Vec<&str> = placed.iter().map(|o| o.as_str()).collect();
    assert_eq!(ids, ["PD0000000001", "PD0000000002", "PD0000000003"]);
    // The numbering survives a replay of the log: the next order continues it.
    let mut again = desk()?;
    again.apply_events(d.events().iter().cloned())?;
    let req = OrderRequest::new(r1, OrderType::New, cny(1, 0))?;
    let next = again.place_order_on_behalf(&Invocation::new(op("ops"), now()), &req)?;
    assert_eq!(next.as_str(), "PD0000000004");
    Ok(())
}
