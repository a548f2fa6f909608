//! The checks an event passes before [`crate::Desk::apply_events`] applies it.
//!
//! Why: an event log comes from outside the desk (a file, a queue, a host's database), so it is
//! input like any other. Each event is checked as the command that produced it was checked,
//! against the desk as it stands at that point of the log (permission items granted or revoked
//! by earlier events count): values in bounds, the partner's currency, known operators and
//! customers, time never going backwards, and for a governed event that its actor held the
//! permission item. A refusal is `INVALID_EVENT` naming the sequence number; its reason holds
//! ids, codes and field names, never a personal value.
//!
//! One function per event kind, so that each door's bound checks (amounts, instants) have one
//! obvious place to go.

use crate::desk::Desk;
use crate::error::Error;
use crate::event::{Event, EventKind};
use crate::ids::CustomerId;
use crate::model::access::{Actor, Permission};
use crate::model::association::{Initiator, RequestStatus};
use crate::model::authorization::{AuthorizationScope, AuthorizationState};
use crate::model::freeze::{Freeze, FreezeOrigin};
use chrono::{DateTime, Utc};

/// Why an event is refused (without personal data).
type Refusal = String;
type Checked = std::result::Result<(), Refusal>;

/// An error of the desk's own checks, as a refusal reason: its code and text (the crate's
/// errors hold ids and codes, never personal values).
fn because(e: &Error) -> Refusal {
    format!("{}: {e}", e.code())
}

fn refuse(reason: impl Into<String>) -> Checked {
    Err(reason.into())
}

/// The event is about `customer`, the one its record (`what`) names.
fn same_customer(e: &Event, customer: &crate::ids::CustomerId, what: &str) -> Checked {
    if e.customer.as_ref() != Some(customer) {
        return refuse(format!("customer id differs from the {what}"));
    }
    Ok(())
}

impl Desk {
    /// Checks one event against the desk as it stands (see the module documentation).
    pub(crate) fn check_event(&self, e: &Event) -> Checked {
        if let Some(last) = self.ledger.events.last()
            && e.at < last.at
        {
            return refuse("time goes backwards: earlier than the event before it");
        }
        crate::validate::instant("at", e.at).map_err(|err| because(&err))?;
        let associating = matches!(e.kind, EventKind::Associated { .. });

        match &e.actor {
            Actor::Operator(o) if !self.operators.contains_key(o) => {
                return refuse(format!("actor {o} is not an operator of the desk"));
            }
            Actor::Customer(c)
                if self.by_id.get(c).is_none()
                    && !(associating && e.customer.as_ref() == Some(c)) =>
            {
                return refuse("the acting customer is not on the desk");
            }
            _ => {}
        }
        if let Some(c) = &e.customer
            && !associating
            && self.by_id.get(c).is_none()
        {
            return refuse("unknown customer");
        }
        match &e.kind {
            EventKind::PermissionsGranted { operator, items } => {
                self.check_permissions(e, operator, items, true)
            }
            EventKind::PermissionsRevoked { operator, items } => {
                self.check_permissions(e, operator, items, false)
            }
            EventKind::CommitmentLetterAccepted => self.check_commitment_letter(e),
            EventKind::Associated { customer } => self.check_associated(e, customer),
            EventKind::DisassociationRequested { request } => {
                self.check_disassociation_requested(e, request)
            }
            EventKind::DisassociationRejected { request, reason } => {
                crate::validate::reason(reason).map_err(|e| because(&e))?;
                self.check_disassociation_decision(e, Some(*request), false)
            }
            EventKind::Disassociated { request, .. } => {
                self.check_disassociation_decision(e, *request, true)
            }
            EventKind::ManagerAssigned { manager } => self.check_manager(e, Some(manager)),
            EventKind::ManagerUnassigned => self.check_manager(e, None),
            EventKind::Frozen { freeze } => self.check_frozen(e, freeze),
            EventKind::Unfrozen { scope } => self.check_unfrozen(e, scope),
            EventKind::BudgetSet { budget } => self.check_budget_set(e, budget),
            EventKind::BudgetThresholdCrossed {
                threshold, percent, ..
            } => self.check_budget_crossing(e, Some((*threshold, *percent)), None),
            EventKind::BudgetForecastCrossed { projected, .. } => {
                self.check_budget_crossing(e, None, Some(projected))
            }
            EventKind::AuthorizationRequested { authorization } => {
                self.check_authorization_requested(e, authorization)
            }
            EventKind::AuthorizationDistributorDecided { id, .. } => {
                self.check_authorization_step(e, id, |a, _| {
                    (a == AuthorizationState::AwaitingDistributor).then_some(())
                })
            }
            EventKind::AuthorizationApproved { id, expires_at } => {
                crate::validate::instant("expires_at", *expires_at).map_err(|err| because(&err))?;
                let days = self
                    .ledger
                    .authorizations
                    .get(id)
                    .map(|a| i64::from(a.duration_days));
                let due = days.and_then(|d| e.at.checked_add_signed(chrono::Duration::days(d)));
                if due != Some(*expires_at) {
                    return refuse("expires_at is not the approval time plus the duration");
                }
                self.check_authorization_step(e, id, |s, _| {
                    (s == AuthorizationState::Pending).then_some(())
                })
            }
            EventKind::AuthorizationRejected { id } => {
                self.check_authorization_step(e, id, |s, _| {
                    matches!(
                        s,
                        AuthorizationState::Pending | AuthorizationState::AwaitingDistributor
                    )
                    .then_some(())
                })
            }
            EventKind::AuthorizationRevoked { id, reason } => {
                crate::validate::reason(reason).map_err(|e| because(&e))?;
                self.check_authorization_step(e, id, |s, _| {
                    (s == AuthorizationState::Active).then_some(())
                })
            }
            EventKind::AuthorizationTerminated { id } => {
                self.check_authorization_step(e, id, |s, _| {
                    matches!(
                        s,
                        AuthorizationState::Pending
                            | AuthorizationState::AwaitingDistributor
                            | AuthorizationState::Active
                    )
                    .then_some(())
                })
            }
            EventKind::AuthorizationLapsed { id } => {
                self.check_authorization_step(e, id, |s, _| {
                    (s == AuthorizationState::Lapsed).then_some(())
                })
            }
            EventKind::AuthorizationExpired { id } => {
                self.check_authorization_step(e, id, |s, _| {
                    (s == AuthorizationState::Expired).then_some(())
                })
            }
            EventKind::OrderPlaced { order } => self.check_order_placed(e, order),
            // The data changes: checked as their public methods check their input.
            EventKind::OperatorAdded { .. }
            | EventKind::CustomersInserted { .. }
            | EventKind::CustomersUpserted { .. }
            | EventKind::CustomerUpdated { .. }
            | EventKind::CustomerRemoved
            | EventKind::SpendAdded { .. }
            | EventKind::MonthRolled { .. }
            | EventKind::ExportRecorded { .. }
            | EventKind::MaskPolicySet { .. } => self
                .check_data_event(e)
                .unwrap_or(Ok(()))
                .map_err(|err| because(&err)),
            EventKind::CommandRecorded { key, .. } => {
                if self.ledger.idempotency.contains_key(key) {
                    return refuse("the idempotency key is already recorded");
                }
                Ok(())
            }
        }
    }

    /// The event's customer (the caller has checked it is on the desk, except for
    /// associations).
    fn subject<'a>(&'a self, e: &Event) -> Result<(&'a crate::Customer, &'a CustomerId), Refusal> {
        let id = e.customer.as_ref().ok_or("needs a customer")?;
        let c = self.customer(id).map_err(|_| "unknown customer")?;
        Ok((c, &c.id))
    }

    fn item(&self, e: &Event, item: Permission, customer: Option<&CustomerId>) -> Checked {
        self.authorize(&e.actor, item, customer)
            .map_err(|err| because(&err))
    }

    fn associated_subject<'a>(&'a self, e: &Event) -> Result<&'a crate::Customer, Refusal> {
        let (c, _) = self.subject(e)?;
        if !c.is_associated() {
            return Err("the customer is not associated".to_owned());
        }
        Ok(c)
    }

    fn check_permissions(
        &self,
        e: &Event,
        operator: &crate::OperatorId,
        items: &[Permission],
        grant: bool,
    ) -> Checked {
        self.require_administrator(&e.actor, "grant_permissions")
            .map_err(|err| because(&err))?;
        if !self.operators.contains_key(operator) {
            return refuse(format!("operator {operator} is not on the desk"));
        }
        if items.is_empty() {
            return refuse("no permission items");
        }
        if let Some(i) = items.iter().find(|i| i.is_other()) {
            return refuse(format!("unknown permission item {}", i.as_str()));
        }
        if grant && let Some(i) = items.iter().find(|i| i.is_administrator_only()) {
            return refuse(format!(
                "administrator-only item {} cannot be granted",
                i.as_str()
            ));
        }
        Ok(())
    }

    fn check_commitment_letter(&self, e: &Event) -> Checked {
        if self.ledger.commitment_letter.is_some() {
            return refuse("the commitment letter is already accepted");
        }
        self.item(e, Permission::RequestAuthorization, None)
    }

    fn check_associated(&self, e: &Event, c: &crate::Customer) -> Checked {
        same_customer(e, &c.id, "record")?;
        match &e.actor {
            Actor::Customer(x) if x == &c.id => {}
            Actor::System => {}
            _ => self.item(e, Permission::ManageAssociation, None)?,
        }
        if self.customer(&c.id).is_ok_and(|c| c.is_associated()) {
            return refuse("the customer is already associated");
        }
        if c.association.since != e.at || c.association.ended.is_some() {
            return refuse("the association does not start at the event");
        }
        if c.budget.is_some() {
            return refuse("a newly associated customer has no budget");
        }
        if c.association.is_reseller_model() != c.freeze.is_frozen() {
            return refuse("a reseller-model customer is frozen on association, others are not");
        }
        if let Some(m) = &c.account_manager {
            if c.association.invited_by.as_ref() != Some(m) {
                return refuse("the account manager is not the inviting operator");
            }
            if !self.operators.get(m).is_some_and(|o| o.account_manager) {
                return refuse(format!("operator {m} is not an account manager"));
            }
        }
        crate::validate::customer(c, &self.partner, &self.operators)
            .map_err(|r| format!("customer.{}: {}", r.field, r.reason))
    }

    fn check_disassociation_requested(
        &self,
        e: &Event,
        r: &crate::model::association::DisassociationRequest,
    ) -> Checked {
        same_customer(e, &r.customer, "request")?;
        let c = self.associated_subject(e)?;
        match r.initiator {
            Initiator::Customer if e.actor != Actor::Customer(r.customer.clone()) => {
                return refuse("only the customer itself requests its disassociation");
            }
            Initiator::Customer => {}
            _ => self.item(e, Permission::ManageAssociation, None)?,
        }
        if r.requested_by != e.actor
            || r.requested_at != e.at
            || r.status != RequestStatus::Pending
            || r.decided_by.is_some()
            || r.decided_at.is_some()
            || r.decision_reason.is_some()
        {
            return refuse("the request is not a new pending request by the actor");
        }
        crate::validate::reason(&r.reason).map_err(|e| because(&e))?;
        let pending = self.ledger.requests.iter().any(|x| {
            x.customer == r.customer
                && x.status == RequestStatus::Pending
                && x.initiator == r.initiator
        });
        if pending {
            return refuse("a request of this initiator is already pending");
        }
        if r.initiator == Initiator::Partner
            && let Some(cause) = crate::association::disassociation_blocker(c, e.at)
        {
            return refuse(format!("disassociation blocked: {cause}"));
        }
        Ok(())
    }

    fn check_disassociation_decision(
        &self,
        e: &Event,
        request: Option<u64>,
        approve: bool,
    ) -> Checked {
        let c = self.associated_subject(e)?;
        let Some(id) = request else {
            return refuse("a disassociation needs the request it approves");
        };
        let r = usize::try_from(id)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| self.ledger.requests.get(i))
            .ok_or("unknown disassociation request")?;
        if Some(&r.customer) != e.customer.as_ref() {
            return refuse("the request is for another customer");
        }
        if r.status != RequestStatus::Pending {
            return refuse("the request is not pending");
        }
        match r.initiator {
            Initiator::Partner if e.actor != Actor::Customer(r.customer.clone()) => {
                return refuse("only the customer decides a partner's request");
            }
            Initiator::Partner => {}
            _ => self.item(e, Permission::ManageAssociation, None)?,
        }
        if approve {
            if let EventKind::Disassociated {
                initiator, reason, ..
            } = &e.kind
                && (initiator != &r.initiator || reason != &r.reason)
            {
                return refuse("initiator or reason differs from the request");
            }
            if let Some(cause) = crate::association::disassociation_blocker(c, e.at) {
                return refuse(format!("disassociation blocked: {cause}"));
            }
        }
        Ok(())
    }

    fn check_manager(&self, e: &Event, manager: Option<&crate::OperatorId>) -> Checked {
        let c = self.associated_subject(e)?;
        self.item(e, Permission::AssignAccountManager, Some(&c.id))?;
        match manager {
            Some(m) => {
                if !self.operators.get(m).is_some_and(|o| o.account_manager) {
                    return refuse(format!("operator {m} is not an account manager"));
                }
                if c.account_manager.as_ref() == Some(m) {
                    return refuse("already assigned to this manager");
                }
            }
            None if c.account_manager.is_none() => return refuse("no manager to unassign"),
            None => {}
        }
        Ok(())
    }

    fn check_frozen(&self, e: &Event, f: &Freeze) -> Checked {
        let c = self.associated_subject(e)?;
        if !c.association.is_reseller_model() {
            return refuse("only reseller-model customers are frozen");
        }
        if c.freeze.is_frozen() {
            return refuse("the customer is frozen already");
        }
        match (&e.actor, &f.origin) {
            (Actor::Operator(_), FreezeOrigin::Manual) => {
                self.item(e, Permission::FreezeUnfreeze, Some(&c.id))?
            }
            (Actor::System, FreezeOrigin::Budget) => {
                if !c.budget.as_ref().is_some_and(|b| b.auto_freeze) {
                    return refuse("a budget freeze needs a budget with auto-freeze");
                }
            }
            _ => return refuse("the actor may not freeze with this origin"),
        }
        if f.by != e.actor.login() || f.at != e.at {
            return refuse("the freeze is not by the actor at the event's time");
        }
        crate::validate::reason(&f.reason).map_err(|e| because(&e))
    }

    fn check_unfrozen(&self, e: &Event, scope: &crate::FreezeScope) -> Checked {
        let c = self.associated_subject(e)?;
        if c.freeze.scope() != Some(scope) {
            return refuse("the scope is not the customer's freeze scope");
        }
        self.item(e, Permission::FreezeUnfreeze, Some(&c.id))
    }

    fn check_budget_set(&self, e: &Event, b: &crate::Budget) -> Checked {
        let c = self.associated_subject(e)?;
        if !c.association.is_reseller_model() {
            return refuse("only reseller-model customers have budgets");
        }
        self.item(e, Permission::SetBudget, Some(&c.id))?;
        if b.set_by != e.actor.login() || b.set_at != e.at {
            return refuse("the budget is not set by the actor at the event's time");
        }
        crate::validate::budget_money("budget.amount", &b.amount, self.partner.currency)
            .and_then(|()| crate::validate::thresholds("budget.thresholds", &b.thresholds))
            .map_err(|(field, reason)| format!("{field}: {reason}"))
    }

    fn check_budget_crossing(
        &self,
        e: &Event,
        threshold: Option<(crate::Decimal, crate::Decimal)>,
        projected: Option<&crate::Money>,
    ) -> Checked {
        if e.actor != Actor::System {
            return refuse("only the system records budget crossings");
        }
        let c = self.associated_subject(e)?;
        let Some(b) = &c.budget else {
            return refuse("the customer has no budget");
        };
        if let Some((t, p)) = threshold
            && (p < t || !(b.thresholds.contains(&t) || t == crate::Decimal::ONE_HUNDRED))
        {
            return refuse("not a crossing of one of the budget's thresholds");
        }
        if let Some(m) = projected
            && (m.currency != self.partner.currency || m.amount < b.amount.amount)
        {
            return refuse("the projection is not a crossing in the partner's currency");
        }
        Ok(())
    }

    fn check_authorization_requested(
        &self,
        e: &Event,
        a: &crate::model::authorization::Authorization,
    ) -> Checked {
        same_customer(e, &a.customer, "authorization")?;
        self.associated_subject(e)?;
        self.item(e, Permission::RequestAuthorization, Some(&a.customer))?;
        if e.actor.operator() != Some(&a.requested_by) || a.requested_at != e.at {
            return refuse("the authorization is not requested by the actor at the event's time");
        }
        if self.ledger.commitment_letter.is_none() {
            return refuse("the commitment letter is not accepted");
        }
        if self.ledger.authorizations.contains_key(&a.id) {
            return refuse(format!("authorization {} exists already", a.id));
        }
        let state = if self.partner.tier == crate::partner::Tier::Reseller {
            AuthorizationState::AwaitingDistributor
        } else {
            AuthorizationState::Pending
        };
        if a.state != state
            || a.approved_at.is_some()
            || a.expires_at.is_some()
            || a.closed_at.is_some()
            || a.revoke_reason.is_some()
        {
            return refuse("the authorization is not a new request");
        }
        if let Some(reason) = crate::model::authorization::duration_refused(a.duration_days) {
            return refuse(format!("duration_days {reason}"));
        }
        if a.scopes.is_empty() || a.scopes.len() > 2 || a.scopes.iter().any(|s| s.is_other()) {
            return refuse("scopes: one or two known scopes");
        }
        let open = self.ledger.auths_of(&a.customer).any(|x| {
            matches!(
                x.state_at(e.at),
                AuthorizationState::Pending | AuthorizationState::AwaitingDistributor
            )
        });
        if open {
            return refuse("an authorization request is already open");
        }
        Ok(())
    }

    /// A step of an authorization: `allowed` says whether its state at the event allows it.
    /// The actor is checked as each command checks it.
    fn check_authorization_step(
        &self,
        e: &Event,
        id: &crate::ids::AuthorizationId,
        allowed: impl Fn(AuthorizationState, DateTime<Utc>) -> Option<()>,
    ) -> Checked {
        let a = self
            .ledger
            .authorizations
            .get(id)
            .ok_or("unknown authorization")?;
        if e.customer.as_ref() != Some(&a.customer) {
            return refuse("the authorization is for another customer");
        }
        let own = Actor::Customer(a.customer.clone());
        match &e.kind {
            EventKind::AuthorizationDistributorDecided { .. }
            | EventKind::AuthorizationLapsed { .. }
            | EventKind::AuthorizationExpired { .. } => {
                if e.actor != Actor::System {
                    return refuse("only the system records this step");
                }
            }
            EventKind::AuthorizationTerminated { .. } => {
                self.item(e, Permission::RequestAuthorization, Some(&a.customer))?
            }
            _ => {
                if e.actor != own {
                    return refuse("only the customer itself decides its authorization");
                }
            }
        }
        let state = a.state_at(e.at);
        // Lapsing and expiry record a state reached by time; the recorded state must not be it
        // already.
        let recorded_already = matches!(
            (&e.kind, &a.state),
            (
                EventKind::AuthorizationLapsed { .. },
                AuthorizationState::Lapsed
            ) | (
                EventKind::AuthorizationExpired { .. },
                AuthorizationState::Expired
            )
        );
        if recorded_already || allowed(state.clone(), e.at).is_none() {
            return refuse(format!("{} is not allowed in state {state}", e.kind.code()));
        }
        Ok(())
    }

    fn check_order_placed(&self, e: &Event, o: &crate::Order) -> Checked {
        let c = self.associated_subject(e)?;
        self.item(e, Permission::PlaceOrderOnBehalf, Some(&c.id))?;
        if !c.association.is_reseller_model() {
            return refuse("orders on behalf are for reseller-model customers");
        }
        if c.freeze.is_frozen() {
            return refuse("the customer is frozen");
        }
        if o.placed_by.as_ref() != e.actor.operator()
            || o.created_at != e.at
            || o.status != crate::OrderStatus::PendingPayment
            || o.paid_at.is_some()
        {
            return refuse("the order is not a new unpaid order by the actor at the event's time");
        }
        if c.orders.has_id(o.id.as_str()) {
            return refuse(format!("order {} exists already", o.id));
        }
        crate::validate::order_amount("order.amount", &o.amount, self.partner.currency)
            .map_err(|(field, reason)| format!("{field}: {reason}"))?;
        if o.amount.amount.is_zero() {
            return refuse("the order amount must be positive");
        }
        self.require_authorization(&c.id, &AuthorizationScope::PlaceOrders, e.at)
            .map_err(|err| because(&err))?;
        let remaining = self
            .budget_usage(&c.id, e.at)
            .map_err(|err| because(&err))?
            .map_or(crate::Decimal::ZERO, |u| u.remaining.amount);
        if remaining < o.amount.amount {
            return refuse("over budget");
        }
        Ok(())
    }
}
