//! Association and disassociation: the commands, their rules (who may ask, what blocks a
//! disassociation, the partner's quota) and how their events change the desk (the records
//! are values of [`crate::model::association`]).

use crate::ids::{CustomerId, OperatorId};
use crate::model::access::{Actor, Permission};
pub use crate::model::association::{
    Association, AssociationChange, AssociationRecord, AssociationType, DisassociationRequest,
    Initiator, RequestId, RequestStatus,
};
use chrono::{DateTime, Utc};

/// Partner-initiated disassociation requests allowed per customer in any rolling 3 months.
pub const PARTNER_REQUESTS_PER_3_MONTHS: usize = 3;

/// Why a disassociation is blocked, if it is: the account is manually frozen, or holds a valid
/// reserved instance or support plan (a resource whose service code names a support plan).
pub fn disassociation_blocker(
    c: &crate::customer::Customer,
    now: DateTime<Utc>,
) -> Option<&'static str> {
    use crate::model::freeze::FreezeOrigin;
    use crate::resource::{ResourceKind, ResourceStatus};
    if c.freeze
        .freeze()
        .is_some_and(|f| f.origin == FreezeOrigin::Manual)
    {
        return Some("manually_frozen");
    }
    let valid = |r: &crate::resource::Resource| {
        r.status != ResourceStatus::Released && r.expires_at.is_none_or(|e| e > now)
    };
    if c.resources
        .iter()
        .any(|r| r.kind == ResourceKind::ReservedInstance && valid(&r))
    {
        return Some("valid_reserved_instance");
    }
    if c.resources
        .iter()
        .any(|r| r.service.to_ascii_lowercase().contains("support") && valid(&r))
    {
        return Some("valid_support_plan");
    }
    None
}

impl crate::desk::Desk {
    /// Associates a customer with the partner: a new customer, or one disassociated before.
    ///
    /// The record's association starts at `now` (type and reseller as given). In the reseller
    /// model the customer starts frozen (scope account, origin default, by `system`). When it
    /// came through an account manager's invitation (`invited_by`), that manager is assigned
    /// (must be an operator marked account manager: `NOT_ACCOUNT_MANAGER`). The actor is the
    /// customer itself (accepting an invitation), the system (registration through the API) or
    /// the administrator (association management is administrator-only). An associated customer
    /// is `ALREADY_ASSOCIATED`; invalid data is `INVALID_ARGUMENT`.
    pub fn associate(
        &mut self,
        inv: &crate::invocation::Invocation,
        customer: crate::customer::Customer,
        invited_by: Option<OperatorId>,
    ) -> crate::error::Result<()> {
        use crate::error::Error;
        use crate::freeze::{Freeze, FreezeOrigin, FreezeScope, FreezeState};
        let (actor, now) = (inv.actor(), inv.now());
        let id = customer.id.clone();
        let gate = manage_association(actor);
        let cmd = crate::command::Command::single(inv, "associate", Some(&id), &gate);
        let describe = || {
            format!(
                "{} invited_by {}",
                customer.association.kind,
                invited_by.as_ref().map_or("-", |o| o.as_str())
            )
        };
        let detail = describe();
        self.run(
            cmd,
            move || detail.clone(),
            |desk| {
                match actor {
                    Actor::Customer(c) if c == &id => {}
                    Actor::System => {}
                    _ => desk.authorize(actor, Permission::ManageAssociation, None)?,
                }
                if desk.customer(&id).is_ok_and(|c| c.is_associated()) {
                    return Err(Error::AlreadyAssociated { id: id.to_string() });
                }
                let mut c = customer;
                c.association.since = now;
                c.association.ended = None;
                c.association.invited_by = invited_by.clone();
                c.account_manager = None;
                c.budget = None;
                if let Some(m) = &invited_by {
                    let op = desk.operator(m)?;
                    if !op.account_manager {
                        return Err(Error::NotAccountManager { id: m.to_string() });
                    }
                    c.account_manager = Some(m.clone());
                }
                if c.association.is_reseller_model() && !c.freeze.is_frozen() {
                    c.freeze = FreezeState::Frozen(Box::new(Freeze {
                        scope: FreezeScope::Account,
                        origin: FreezeOrigin::Default,
                        reason: "reseller model: frozen on association".to_owned(),
                        by: "system".to_owned(),
                        at: now,
                    }));
                }
                if !c.association.is_reseller_model() {
                    c.freeze = FreezeState::NotFrozen;
                }
                c.sort_spend();
                crate::validate::customer(&c, &desk.partner, &desk.operators)
                    .map_err(crate::validate::Refusal::into_error)?;
                desk.emit(
                    actor,
                    Some(&id),
                    crate::event::EventKind::Associated {
                        customer: Box::new(c),
                    },
                    now,
                )
            },
        )
    }

    /// A customer asks to end its association; the administrator approves or rejects it
    /// ([`crate::Desk::decide_disassociation`]). Only the customer itself may ask
    /// (`PERMISSION_DENIED`), while associated (`NOT_ASSOCIATED`), with a reason
    /// (`INVALID_REASON`) and no request of its own pending (`INVALID_TRANSITION`).
    pub fn request_disassociation(
        &mut self,
        inv: &crate::invocation::Invocation,
        customer: &CustomerId,
        reason: &str,
    ) -> crate::error::Result<RequestId> {
        self.disassociation_request(inv, customer, reason, Initiator::Customer)
    }

    /// The partner asks to end a customer's association (administrator-only:
    /// `ADMINISTRATOR_ONLY`); the customer confirms or declines it. Refused while the customer is
    /// manually frozen or holds a valid reserved instance or support plan
    /// (`DISASSOCIATION_BLOCKED`), and beyond 3 partner requests for the customer in any rolling
    /// 3 months (`DISASSOCIATION_QUOTA_EXCEEDED`).
    pub fn request_partner_disassociation(
        &mut self,
        inv: &crate::invocation::Invocation,
        customer: &CustomerId,
        reason: &str,
    ) -> crate::error::Result<RequestId> {
        self.disassociation_request(inv, customer, reason, Initiator::Partner)
    }

    fn disassociation_request(
        &mut self,
        inv: &crate::invocation::Invocation,
        customer: &CustomerId,
        reason: &str,
        initiator: Initiator,
    ) -> crate::error::Result<RequestId> {
        use crate::error::Error;
        let (actor, now) = (inv.actor(), inv.now());
        let gate = manage_association(actor);
        let cmd =
            crate::command::Command::single(inv, "request_disassociation", Some(customer), &gate);
        let init = initiator.clone();
        self.run(
            cmd,
            || format!("initiated by {init}"),
            |desk| {
                let c = desk.customer(customer)?;
                let own = (initiator == Initiator::Customer)
                    .then_some((customer, "customer's own disassociation request"));
                desk.may_act_on_disassociation(actor, own)?;
                if !c.is_associated() {
                    return Err(Error::NotAssociated {
                        id: customer.to_string(),
                    });
                }
                crate::validate::reason(reason)?;
                let pending = desk.ledger.requests.iter().any(|r| {
                    &r.customer == customer
                        && r.status == RequestStatus::Pending
                        && r.initiator == initiator
                });
                if pending {
                    return Err(Error::InvalidTransition {
                        what: "disassociation request".to_owned(),
                        state: "pending".to_owned(),
                        action: "request again".to_owned(),
                    });
                }
                if initiator == Initiator::Partner {
                    if let Some(cause) = disassociation_blocker(c, now) {
                        return Err(Error::DisassociationBlocked {
                            id: customer.to_string(),
                            blocked_by: cause.to_owned(),
                        });
                    }
                    let window = now
                        .checked_sub_months(chrono::Months::new(3))
                        .unwrap_or(now);
                    let recent = desk
                        .ledger
                        .requests
                        .iter()
                        .filter(|r| {
                            &r.customer == customer
                                && r.initiator == Initiator::Partner
                                && r.requested_at > window
                        })
                        .count();
                    if recent >= PARTNER_REQUESTS_PER_3_MONTHS {
                        return Err(Error::DisassociationQuotaExceeded {
                            id: customer.to_string(),
                            limit: PARTNER_REQUESTS_PER_3_MONTHS,
                        });
                    }
                }
                let id = desk.ledger.requests.len() as u64 + 1;
                let request = DisassociationRequest {
                    id,
                    customer: customer.clone(),
                    initiator: initiator.clone(),
                    requested_by: actor.clone(),
                    requested_at: now,
                    reason: reason.to_owned(),
                    status: RequestStatus::Pending,
                    decided_by: None,
                    decided_at: None,
                    decision_reason: None,
                };
                desk.emit(
                    actor,
                    Some(customer),
                    crate::event::EventKind::DisassociationRequested {
                        request: Box::new(request),
                    },
                    now,
                )?;
                Ok(id)
            },
        )
    }

    /// Approves or rejects a pending disassociation request. A customer's request is decided
    /// by the administrator (`ADMINISTRATOR_ONLY`); a partner's request by the customer
    /// (`PERMISSION_DENIED` for anyone else). A rejection needs a reason (`INVALID_REASON`).
    /// Approval is refused while the customer is manually frozen or holds a valid reserved
    /// instance or support plan (`DISASSOCIATION_BLOCKED`), and ends the association: the
    /// budget is deleted (a `delete` record by `system`), the account manager period ends and
    /// every open authorization ends. A decided request is `INVALID_TRANSITION`; an unknown one
    /// `AUTHORIZATION_NOT_FOUND` (what: `disassociation request`).
    pub fn decide_disassociation(
        &mut self,
        inv: &crate::invocation::Invocation,
        request: RequestId,
        approve: bool,
        reason: &str,
    ) -> crate::error::Result<()> {
        use crate::error::Error;
        let (actor, now) = (inv.actor(), inv.now());
        let customer = self
            .ledger
            .requests
            .get((request as usize).wrapping_sub(1))
            .map(|r| r.customer.clone());
        let kind = if approve {
            "approve_disassociation"
        } else {
            "reject_disassociation"
        };
        let gate = manage_association(actor);
        let cmd = crate::command::Command::single(inv, kind, customer.as_ref(), &gate);
        self.run(
            cmd,
            || format!("request {request}"),
            |desk| {
                let r = desk
                    .ledger
                    .requests
                    .get((request as usize).wrapping_sub(1))
                    .ok_or_else(|| Error::AuthorizationNotFound {
                        what: "disassociation request".to_owned(),
                        id: request.to_string(),
                    })?
                    .clone();
                let own = (r.initiator == Initiator::Partner)
                    .then_some((&r.customer, "customer's decision on a partner request"));
                desk.may_act_on_disassociation(actor, own)?;
                if r.status != RequestStatus::Pending {
                    return Err(Error::InvalidTransition {
                        what: "disassociation request".to_owned(),
                        state: r.status.to_string(),
                        action: if approve { "approve" } else { "reject" }.to_owned(),
                    });
                }
                let c = desk.customer(&r.customer)?;
                if !c.is_associated() {
                    return Err(Error::NotAssociated {
                        id: r.customer.to_string(),
                    });
                }
                if approve {
                    if let Some(cause) = disassociation_blocker(c, now) {
                        return Err(Error::DisassociationBlocked {
                            id: r.customer.to_string(),
                            blocked_by: cause.to_owned(),
                        });
                    }
                    desk.emit(
                        actor,
                        Some(&r.customer),
                        crate::event::EventKind::Disassociated {
                            request: Some(request),
                            initiator: r.initiator.clone(),
                            reason: r.reason.clone(),
                        },
                        now,
                    )
                } else {
                    crate::validate::reason(reason)?;
                    desk.emit(
                        actor,
                        Some(&r.customer),
                        crate::event::EventKind::DisassociationRejected {
                            request,
                            reason: reason.to_owned(),
                        },
                        now,
                    )
                }
            },
        )
    }

    /// Every disassociation request, oldest first.
    pub fn disassociation_requests(&self) -> &[DisassociationRequest] {
        &self.ledger.requests
    }

    /// The association history (every association and disassociation recorded by commands),
    /// of one customer or all.
    pub fn association_history(&self, customer: Option<&CustomerId>) -> Vec<&AssociationRecord> {
        self.ledger
            .associations
            .iter()
            .filter(|r| customer.is_none_or(|c| &r.customer == c))
            .collect()
    }
}

/// Applying association events (the only place associations, requests and the commitment
/// letter change).
impl crate::desk::Desk {
    /// `CommitmentLetterAccepted`.
    pub(crate) fn apply_commitment_letter(&mut self, ev: &crate::log::replay::Applying<'_>) {
        self.ledger.commitment_letter = Some(ev.at);
    }

    /// `Associated`: the customer's record enters the desk (checked as an insert is), with its
    /// association record and its manager's period.
    pub(crate) fn apply_associated(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        customer: &crate::customer::Customer,
    ) -> crate::error::Result<()> {
        if ev.customer != Some(&customer.id) {
            return Err(ev.refuse("customer id differs from the record"));
        }
        let c = customer.clone();
        crate::validate::customer(&c, &self.partner, &self.operators).map_err(|r| {
            r.under(&format!("events[seq={}].customer", ev.seq))
                .into_error()
        })?;
        self.ledger.associations.push(AssociationRecord {
            customer: c.id.clone(),
            change: AssociationChange::Associated,
            kind: c.association.kind.clone(),
            at: ev.at,
            initiator: match ev.actor {
                Actor::Customer(_) => Initiator::Customer,
                Actor::Operator(_) => Initiator::Partner,
                Actor::System => Initiator::System,
            },
            by: ev.actor.clone(),
            reason: None,
        });
        if let Some(m) = &c.account_manager {
            self.ledger.open_period(&c.id, m, ev.at, ev.actor.clone());
        }
        match ev.slot {
            Some(s) => self.replace(s, c),
            None => self.place_validated(c),
        }
        Ok(())
    }

    /// `DisassociationRequested`: requests are numbered 1, 2, ... in the order they come.
    pub(crate) fn apply_disassociation_requested(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        request: &DisassociationRequest,
    ) -> crate::error::Result<()> {
        if request.id != self.ledger.requests.len() as u64 + 1 {
            return Err(ev.refuse("request id out of sequence"));
        }
        self.ledger.requests.push(request.clone());
        Ok(())
    }

    /// `DisassociationRejected`.
    pub(crate) fn apply_disassociation_rejected(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        request: RequestId,
        reason: &str,
    ) -> crate::error::Result<()> {
        let r = usize::try_from(request)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| self.ledger.requests.get_mut(i))
            .ok_or_else(|| ev.refuse("unknown request"))?;
        r.status = RequestStatus::Rejected;
        r.decided_by = Some(ev.actor.clone());
        r.decided_at = Some(ev.at);
        r.decision_reason = Some(reason.to_owned());
        Ok(())
    }

    /// `Disassociated`: the association ends with the manager and the budget (recorded as
    /// deleted); open authorizations end; pending requests close (the one that asked for it
    /// is approved).
    pub(crate) fn apply_disassociated(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        request: Option<RequestId>,
        initiator: &Initiator,
        reason: &str,
    ) -> crate::error::Result<()> {
        let s = ev.slot()?;
        let at = ev.at;
        let id = self.at(s).id.clone();
        let kind = self.at(s).association.kind.clone();
        self.adopt_imported(s, at);
        let removed = self.modify(s, |c| {
            c.association.ended = Some(at);
            c.account_manager = None;
            c.budget.take()
        });
        if let Some(b) = removed {
            self.ledger
                .budget_records
                .push(crate::model::budget::BudgetRecord {
                    customer: id.clone(),
                    operation: crate::model::budget::BudgetOperation::Delete,
                    amount: b.amount,
                    kind: b.kind,
                    at,
                    operator: "system".to_owned(),
                });
        }
        self.ledger.close_period(&id, at);
        self.ledger.budget_watch.remove(&id);
        self.end_open_authorizations(&id, at);
        self.ledger.requests.update_where(
            |r| r.customer == id && r.status == RequestStatus::Pending,
            |r| {
                r.status = if Some(r.id) == request {
                    RequestStatus::Approved
                } else {
                    RequestStatus::Closed
                };
                r.decided_by = Some(ev.actor.clone());
                r.decided_at = Some(at);
            },
        );
        self.ledger.associations.push(AssociationRecord {
            customer: id,
            change: AssociationChange::Disassociated,
            kind,
            at,
            initiator: initiator.clone(),
            by: ev.actor.clone(),
            reason: Some(reason.to_owned()),
        });
        Ok(())
    }
}

impl crate::desk::Desk {
    /// Who may take a disassociation step: the customer itself when the step is the
    /// customer's (`own`: the customer, and the step named in a refusal), else an operator
    /// holding `PD_MANAGE_ASSOCIATION`.
    fn may_act_on_disassociation(
        &self,
        actor: &Actor,
        own: Option<(&crate::ids::CustomerId, &str)>,
    ) -> crate::error::Result<()> {
        match own {
            Some((customer, _)) if actor == &Actor::Customer(customer.clone()) => Ok(()),
            Some((_, step)) => Err(crate::error::Error::PermissionDenied {
                item: step.to_owned(),
                actor: actor.to_string(),
            }),
            None => self.authorize(actor, Permission::ManageAssociation, None),
        }
    }
}

/// The gate of the association commands: `PD_MANAGE_ASSOCIATION`.
fn manage_association(
    actor: &Actor,
) -> impl Fn(&crate::desk::Desk) -> crate::error::Result<()> + '_ {
    move |d| d.authorize(actor, Permission::ManageAssociation, None)
}
