//! Association: how a customer is bound to the partner.
//!
//! Why it matters: the association type decides which operations exist at all. Only customers
//! of the reseller model (the partner pays) can be frozen, budgeted or ordered for; referral
//! customers pay Huawei themselves. The two Huawei sites use different wire codes for the same
//! two types (China `1`/`2`, international `1`/`3`); the core speaks of [`AssociationType`] and
//! the Huawei adapter translates.

use crate::access::Actor;
use crate::ids::{CustomerId, OperatorId, ResellerId};
use crate::open_enum::open_enum;
use chrono::{DateTime, Utc};

open_enum! {
    /// Referral or reseller model.
    pub enum AssociationType {
        /// Referral ("consultant sales"): the customer pays Huawei.
        Referral => "referral",
        /// Reseller model ("resale"): the partner pays; freeze, budgets and orders on behalf apply.
        Reseller => "reseller",
    }
}

/// The current (or last) association of a customer with the partner.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Association {
    /// Referral or reseller model.
    pub kind: AssociationType,
    /// When the association began (UTC).
    pub since: DateTime<Utc>,
    /// The reseller (indirect partner) the customer belongs to, when a distributor holds it
    /// through a reseller.
    #[cfg_attr(feature = "serde", serde(default))]
    pub reseller: Option<ResellerId>,
    /// The account manager whose invitation brought the customer, if any.
    #[cfg_attr(feature = "serde", serde(default))]
    pub invited_by: Option<OperatorId>,
    /// When the association ended; `None` while associated.
    #[cfg_attr(feature = "serde", serde(default))]
    pub ended: Option<DateTime<Utc>>,
}

impl Association {
    /// An active association of a type since an instant.
    pub fn new(kind: AssociationType, since: DateTime<Utc>) -> Self {
        Association {
            kind,
            since,
            reseller: None,
            invited_by: None,
            ended: None,
        }
    }

    /// The same association, held through a reseller.
    pub fn through_reseller(mut self, reseller: ResellerId) -> Self {
        self.reseller = Some(reseller);
        self
    }

    /// Whether the partner pays (reseller model).
    pub fn is_reseller_model(&self) -> bool {
        self.kind == AssociationType::Reseller
    }
}

open_enum! {
    /// Who started an association change.
    pub enum Initiator {
        /// The customer.
        Customer => "customer",
        /// The partner.
        Partner => "partner",
        /// The system (registration through the API, imports).
        System => "system",
    }
}

open_enum! {
    /// What an association record records.
    pub enum AssociationChange {
        /// The customer was associated.
        Associated => "associated",
        /// The customer was disassociated.
        Disassociated => "disassociated",
    }
}

/// One record of the association history: every association and disassociation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AssociationRecord {
    /// The customer.
    pub customer: CustomerId,
    /// Associated or disassociated.
    pub change: AssociationChange,
    /// The association type at the time.
    pub kind: AssociationType,
    /// When.
    pub at: DateTime<Utc>,
    /// Who started it.
    pub initiator: Initiator,
    /// Who performed it.
    pub by: Actor,
    /// The reason given, if any (operator text; not shown in event display text).
    #[cfg_attr(feature = "serde", serde(default))]
    pub reason: Option<String>,
}

/// The id of a disassociation request (a sequence number of the desk).
pub type RequestId = u64;

open_enum! {
    /// The state of a disassociation request.
    pub enum RequestStatus {
        /// Awaiting the other party's decision.
        Pending => "pending",
        /// Approved: the customer was disassociated.
        Approved => "approved",
        /// Rejected.
        Rejected => "rejected",
        /// Closed without decision because the association ended otherwise.
        Closed => "closed",
    }
}

/// A request to end the association. A customer's request is decided by the partner
/// administrator; a partner's request (administrator-only, at most 3 per customer in any
/// rolling 3 months) is confirmed or declined by the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DisassociationRequest {
    /// Request id.
    pub id: RequestId,
    /// The customer.
    pub customer: CustomerId,
    /// The customer or the partner.
    pub initiator: Initiator,
    /// Who asked.
    pub requested_by: Actor,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// The reason given (operator or customer text).
    pub reason: String,
    /// Its state.
    pub status: RequestStatus,
    /// Who decided, when decided.
    #[cfg_attr(feature = "serde", serde(default))]
    pub decided_by: Option<Actor>,
    /// When decided.
    #[cfg_attr(feature = "serde", serde(default))]
    pub decided_at: Option<DateTime<Utc>>,
    /// The reason of a rejection.
    #[cfg_attr(feature = "serde", serde(default))]
    pub decision_reason: Option<String>,
}

/// Partner-initiated disassociation requests allowed per customer in any rolling 3 months.
pub const PARTNER_REQUESTS_PER_3_MONTHS: usize = 3;

/// Why a disassociation is blocked, if it is: the account is manually frozen, or holds a valid
/// reserved instance or support plan (a resource whose service code names a support plan).
pub fn disassociation_blocker(
    c: &crate::customer::Customer,
    now: DateTime<Utc>,
) -> Option<&'static str> {
    use crate::freeze::FreezeOrigin;
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
        .any(|r| r.kind == ResourceKind::ReservedInstance && valid(r))
    {
        return Some("valid_reserved_instance");
    }
    if c.resources
        .iter()
        .any(|r| r.service.to_ascii_lowercase().contains("support") && valid(r))
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
        let cmd = crate::command::Command {
            inv,
            kind: "associate",
            customer: Some(&id),
            batch: false,
            ids: &[],
            gate: &|d: &crate::desk::Desk| match actor {
                Actor::Customer(c) if c == &id => Ok(()),
                Actor::System => Ok(()),
                _ => d.authorize(actor, crate::access::Permission::ManageAssociation, None),
            },
        };
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
                    _ => {
                        desk.authorize(actor, crate::access::Permission::ManageAssociation, None)?
                    }
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
                    c.freeze = FreezeState::Frozen(Freeze {
                        scope: FreezeScope::Account,
                        origin: FreezeOrigin::Default,
                        reason: "reseller model: frozen on association".to_owned(),
                        by: "system".to_owned(),
                        at: now,
                    });
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
        let cmd = crate::command::Command {
            inv,
            kind: "request_disassociation",
            customer: Some(customer),
            batch: false,
            ids: &[],
            gate: &|d: &crate::desk::Desk| match initiator {
                Initiator::Customer if actor == &Actor::Customer(customer.clone()) => Ok(()),
                Initiator::Customer => Err(Error::PermissionDenied {
                    item: "customer's own disassociation request".to_owned(),
                    actor: actor.to_string(),
                }),
                _ => d.authorize(actor, crate::access::Permission::ManageAssociation, None),
            },
        };
        let init = initiator.clone();
        self.run(
            cmd,
            || format!("initiated by {init}"),
            |desk| {
                let c = desk.customer(customer)?;
                match initiator {
                    Initiator::Customer => {
                        if actor != &Actor::Customer(customer.clone()) {
                            return Err(Error::PermissionDenied {
                                item: "customer's own disassociation request".to_owned(),
                                actor: actor.to_string(),
                            });
                        }
                    }
                    _ => {
                        desk.authorize(actor, crate::access::Permission::ManageAssociation, None)?
                    }
                }
                if !c.is_associated() {
                    return Err(Error::NotAssociated {
                        id: customer.to_string(),
                    });
                }
                crate::freeze::check_reason(reason)?;
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
                            cause: cause.to_owned(),
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
        let cmd = crate::command::Command {
            inv,
            kind: if approve {
                "approve_disassociation"
            } else {
                "reject_disassociation"
            },
            customer: customer.as_ref(),
            batch: false,
            ids: &[],
            gate: &|d: &crate::desk::Desk| {
                let Some(r) = d.ledger.requests.get((request as usize).wrapping_sub(1)) else {
                    return Ok(());
                };
                match r.initiator {
                    Initiator::Partner if actor == &Actor::Customer(r.customer.clone()) => Ok(()),
                    Initiator::Partner => Err(crate::error::Error::PermissionDenied {
                        item: "customer's decision on a partner request".to_owned(),
                        actor: actor.to_string(),
                    }),
                    _ => d.authorize(actor, crate::access::Permission::ManageAssociation, None),
                }
            },
        };
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
                match r.initiator {
                    Initiator::Partner => {
                        if actor != &Actor::Customer(r.customer.clone()) {
                            return Err(Error::PermissionDenied {
                                item: "customer's decision on a partner request".to_owned(),
                                actor: actor.to_string(),
                            });
                        }
                    }
                    _ => {
                        desk.authorize(actor, crate::access::Permission::ManageAssociation, None)?
                    }
                }
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
                            cause: cause.to_owned(),
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
                    crate::freeze::check_reason(reason)?;
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
