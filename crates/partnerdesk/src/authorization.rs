//! Authorization to operate on a customer's behalf.
//!
//! Why a lifecycle and not a flag: placing orders or operating resources for a customer spends
//! the customer's (or, in the reseller model, the partner's) money on the customer's account,
//! so the customer must have agreed, for a named scope and a limited time, and can take it
//! back. The partner requests (scopes, a duration of 1 day to 2 years; the first request needs
//! the partner commitment letter accepted; a reseller's request needs its distributor's
//! approval first); the customer approves or rejects; a pending request lapses after 90 days;
//! an approved one is active until it expires, the customer revokes it (with a reason) or the
//! partner terminates it. Time-driven transitions are derived for any `now`
//! ([`Authorization::state_at`]) and recorded as events when the host calls
//! [`crate::Desk::expire_authorizations`].

use crate::ids::{AuthorizationId, CustomerId, OperatorId};
use crate::open_enum::open_enum;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;

/// Days after which a pending request lapses.
pub const LAPSE_AFTER_DAYS: i64 = 90;
/// The shortest authorization, in days.
pub const MIN_DURATION_DAYS: u32 = 1;
/// The longest authorization, in days (2 years).
pub const MAX_DURATION_DAYS: u32 = 731;

open_enum! {
    /// What an authorization lets the partner do.
    pub enum AuthorizationScope {
        /// Place orders on the customer's behalf.
        PlaceOrders => "place_orders",
        /// Operate the customer's resources.
        OperateResources => "operate_resources",
    }
}

open_enum! {
    /// The state of an authorization.
    pub enum AuthorizationState {
        /// A reseller's request awaiting its distributor's approval.
        AwaitingDistributor => "awaiting_distributor",
        /// Awaiting the customer's decision.
        Pending => "pending",
        /// Approved and in force until it expires.
        Active => "active",
        /// Rejected by the customer (or the distributor).
        Rejected => "rejected",
        /// Not decided within 90 days.
        Lapsed => "lapsed",
        /// Reached its end.
        Expired => "expired",
        /// Revoked by the customer.
        Revoked => "revoked",
        /// Terminated by the partner.
        Terminated => "terminated",
        /// Ended because the customer was disassociated.
        Ended => "ended",
    }
}

/// An authorization request and its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Authorization {
    /// Its id.
    pub id: AuthorizationId,
    /// The customer.
    pub customer: CustomerId,
    /// The scopes requested.
    pub scopes: BTreeSet<AuthorizationScope>,
    /// How long it lasts once approved, in days (1..=731).
    pub duration_days: u32,
    /// Who requested it.
    pub requested_by: OperatorId,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// The recorded state (time-driven changes are derived by [`Authorization::state_at`]).
    pub state: AuthorizationState,
    /// When the customer approved.
    #[cfg_attr(feature = "serde", serde(default))]
    pub approved_at: Option<DateTime<Utc>>,
    /// When it expires (set on approval).
    #[cfg_attr(feature = "serde", serde(default))]
    pub expires_at: Option<DateTime<Utc>>,
    /// When it left the pending or active state.
    #[cfg_attr(feature = "serde", serde(default))]
    pub closed_at: Option<DateTime<Utc>>,
    /// The customer's reason for a revocation.
    #[cfg_attr(feature = "serde", serde(default))]
    pub revoke_reason: Option<String>,
}

impl Authorization {
    /// The state at `now`: a pending request older than 90 days is `Lapsed`, an active one
    /// past its end is `Expired`; otherwise the recorded state.
    pub fn state_at(&self, now: DateTime<Utc>) -> AuthorizationState {
        match self.state {
            AuthorizationState::Pending | AuthorizationState::AwaitingDistributor
                if now >= self.lapses_at() =>
            {
                AuthorizationState::Lapsed
            }
            AuthorizationState::Active if self.expires_at.is_some_and(|e| now >= e) => {
                AuthorizationState::Expired
            }
            ref s => s.clone(),
        }
    }

    /// When a pending request lapses.
    pub fn lapses_at(&self) -> DateTime<Utc> {
        self.requested_at + Duration::days(LAPSE_AFTER_DAYS)
    }

    /// Whether it lets the partner act with `scope` at `now`.
    pub fn covers(&self, scope: &AuthorizationScope, now: DateTime<Utc>) -> bool {
        self.state_at(now) == AuthorizationState::Active && self.scopes.contains(scope)
    }
}

/// A validated authorization request: the customer, 1..=2 known scopes, a duration of 1 day to
/// 2 years, and whether the partner accepts the commitment letter with it (needed for the
/// partner's first request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    customer: CustomerId,
    scopes: BTreeSet<AuthorizationScope>,
    duration_days: u32,
    accept_commitment_letter: bool,
}

impl AuthorizationRequest {
    /// Validates a request. Refuses no scope or an unknown one and a duration outside
    /// 1..=731 days (`INVALID_ARGUMENT`).
    ///
    /// ```
    /// use partnerdesk::{CustomerId, authorization::{AuthorizationRequest, AuthorizationScope}};
    /// let id = CustomerId::new("c-1")?;
    /// let ok = AuthorizationRequest::new(id.clone(), [AuthorizationScope::PlaceOrders], 30, true);
    /// assert!(ok.is_ok());
    /// let too_long = AuthorizationRequest::new(id, [AuthorizationScope::PlaceOrders], 800, true);
    /// assert_eq!(too_long.err().map(|e| e.code()), Some("INVALID_ARGUMENT"));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn new(
        customer: CustomerId,
        scopes: impl IntoIterator<Item = AuthorizationScope>,
        duration_days: u32,
        accept_commitment_letter: bool,
    ) -> crate::error::Result<Self> {
        use crate::error::Error;
        let scopes: BTreeSet<_> = scopes.into_iter().collect();
        if scopes.is_empty() || scopes.iter().any(|s| s.is_other()) {
            return Err(Error::invalid_arg(
                "scopes",
                "one or more of place_orders, operate_resources",
            ));
        }
        if !(MIN_DURATION_DAYS..=MAX_DURATION_DAYS).contains(&duration_days) {
            return Err(Error::invalid_arg("duration_days", "must be 1 to 731 days"));
        }
        Ok(AuthorizationRequest {
            customer,
            scopes,
            duration_days,
            accept_commitment_letter,
        })
    }

    /// The customer.
    pub fn customer(&self) -> &CustomerId {
        &self.customer
    }

    /// The scopes.
    pub fn scopes(&self) -> &BTreeSet<AuthorizationScope> {
        &self.scopes
    }

    /// The duration once approved, in days.
    pub fn duration_days(&self) -> u32 {
        self.duration_days
    }
}

fn not_found(id: &AuthorizationId) -> crate::error::Error {
    crate::error::Error::AuthorizationNotFound {
        what: "authorization".to_owned(),
        id: id.to_string(),
    }
}

fn transition(state: &AuthorizationState, action: &str) -> crate::error::Error {
    crate::error::Error::InvalidTransition {
        what: "authorization".to_owned(),
        state: state.to_string(),
        action: action.to_owned(),
    }
}

impl crate::desk::Desk {
    /// Requests authorization to act on a customer's behalf. Needs `PD_REQUEST_AUTHORIZATION`;
    /// the customer associated (`NOT_ASSOCIATED`) and without a request still pending
    /// (`INVALID_TRANSITION`). The partner's first request needs the commitment letter accepted
    /// (`COMMITMENT_LETTER_REQUIRED`; accepting it with the request records it). A reseller
    /// partner's request first awaits its distributor's approval.
    pub fn request_authorization(
        &mut self,
        inv: &crate::invocation::Invocation,
        request: &AuthorizationRequest,
    ) -> crate::error::Result<AuthorizationId> {
        use crate::error::Error;
        use crate::event::EventKind;
        let (actor, now) = (inv.actor(), inv.now());
        let cmd = crate::command::Command {
            inv,
            kind: "request_authorization",
            customer: Some(&request.customer),
            batch: false,
            ids: &[],
            gate: &|d: &crate::desk::Desk| {
                d.authorize(
                    actor,
                    crate::access::Permission::RequestAuthorization,
                    Some(&request.customer),
                )
            },
        };
        let describe = || {
            let s: Vec<&str> = request.scopes.iter().map(|s| s.as_str()).collect();
            format!("{} days {}", request.duration_days, s.join(","))
        };
        self.run(cmd, describe, |desk| {
            let c = desk.customer(&request.customer)?;
            desk.authorize(
                actor,
                crate::access::Permission::RequestAuthorization,
                Some(&request.customer),
            )?;
            if !c.is_associated() {
                return Err(Error::NotAssociated {
                    id: request.customer.to_string(),
                });
            }
            let open = desk.ledger.auths_of(&request.customer).any(|a| {
                matches!(
                    a.state_at(now),
                    AuthorizationState::Pending | AuthorizationState::AwaitingDistributor
                )
            });
            if open {
                return Err(transition(&AuthorizationState::Pending, "request again"));
            }
            let letter = desk.ledger.commitment_letter.is_some();
            if !letter && !request.accept_commitment_letter {
                return Err(Error::CommitmentLetterRequired);
            }
            let requested_by =
                actor
                    .operator()
                    .cloned()
                    .ok_or_else(|| Error::PermissionDenied {
                        item: crate::access::Permission::RequestAuthorization
                            .as_str()
                            .to_owned(),
                        actor: actor.to_string(),
                    })?;
            let id = AuthorizationId::new(format!("auth-{:06}", desk.ledger.auth_seq + 1))?;
            let state = if desk.partner.tier == crate::partner::Tier::Reseller {
                AuthorizationState::AwaitingDistributor
            } else {
                AuthorizationState::Pending
            };
            let authorization = Authorization {
                id: id.clone(),
                customer: request.customer.clone(),
                scopes: request.scopes.clone(),
                duration_days: request.duration_days,
                requested_by,
                requested_at: now,
                state,
                approved_at: None,
                expires_at: None,
                closed_at: None,
                revoke_reason: None,
            };
            if !letter {
                desk.emit(actor, None, EventKind::CommitmentLetterAccepted, now)?;
            }
            desk.emit(
                actor,
                Some(&request.customer),
                EventKind::AuthorizationRequested {
                    authorization: Box::new(authorization),
                },
                now,
            )?;
            Ok(id)
        })
    }

    /// Records the distributor's decision on a reseller partner's request (input from the
    /// distributor, so the actor is the system). The request must await it at `now`
    /// (`INVALID_TRANSITION`).
    pub fn record_distributor_decision(
        &mut self,
        inv: &crate::invocation::Invocation,
        id: &AuthorizationId,
        approved: bool,
    ) -> crate::error::Result<()> {
        let now = inv.now();
        self.authorization_step(inv, id, "distributor_decision", |a, actor| {
            if actor != &crate::access::Actor::System {
                return Err(crate::error::Error::PermissionDenied {
                    item: "distributor decision".to_owned(),
                    actor: actor.to_string(),
                });
            }
            match a.state_at(now) {
                AuthorizationState::AwaitingDistributor => {
                    Ok(crate::event::EventKind::AuthorizationDistributorDecided {
                        id: a.id.clone(),
                        approved,
                    })
                }
                s => Err(transition(&s, "record a distributor decision on")),
            }
        })
    }

    /// The customer approves a pending request: active from `now` for its duration. Only that
    /// customer may (`PERMISSION_DENIED`); a request awaiting its distributor is
    /// `DISTRIBUTOR_APPROVAL_REQUIRED`; a lapsed or decided one `INVALID_TRANSITION`.
    pub fn approve_authorization(
        &mut self,
        inv: &crate::invocation::Invocation,
        id: &AuthorizationId,
    ) -> crate::error::Result<()> {
        let now = inv.now();
        self.authorization_step(inv, id, "approve_authorization", |a, actor| {
            customer_only(a, actor)?;
            match a.state_at(now) {
                AuthorizationState::Pending => Ok(crate::event::EventKind::AuthorizationApproved {
                    id: a.id.clone(),
                    expires_at: now + Duration::days(i64::from(a.duration_days)),
                }),
                AuthorizationState::AwaitingDistributor => {
                    Err(crate::error::Error::DistributorApprovalRequired {
                        id: a.id.to_string(),
                    })
                }
                s => Err(transition(&s, "approve")),
            }
        })
    }

    /// The customer rejects a pending request (only that customer; `INVALID_TRANSITION` unless
    /// pending).
    pub fn reject_authorization(
        &mut self,
        inv: &crate::invocation::Invocation,
        id: &AuthorizationId,
    ) -> crate::error::Result<()> {
        let now = inv.now();
        self.authorization_step(inv, id, "reject_authorization", |a, actor| {
            customer_only(a, actor)?;
            match a.state_at(now) {
                AuthorizationState::Pending | AuthorizationState::AwaitingDistributor => {
                    Ok(crate::event::EventKind::AuthorizationRejected { id: a.id.clone() })
                }
                s => Err(transition(&s, "reject")),
            }
        })
    }

    /// The customer revokes an active authorization with a reason (`INVALID_REASON`; only that
    /// customer; `INVALID_TRANSITION` unless active at `now`).
    pub fn revoke_authorization(
        &mut self,
        inv: &crate::invocation::Invocation,
        id: &AuthorizationId,
        reason: &str,
    ) -> crate::error::Result<()> {
        let now = inv.now();
        self.authorization_step(inv, id, "revoke_authorization", |a, actor| {
            customer_only(a, actor)?;
            crate::freeze::check_reason(reason)?;
            match a.state_at(now) {
                AuthorizationState::Active => Ok(crate::event::EventKind::AuthorizationRevoked {
                    id: a.id.clone(),
                    reason: reason.to_owned(),
                }),
                s => Err(transition(&s, "revoke")),
            }
        })
    }

    /// The partner terminates an authorization (pending or active at `now`). Needs
    /// `PD_REQUEST_AUTHORIZATION`.
    pub fn terminate_authorization(
        &mut self,
        inv: &crate::invocation::Invocation,
        id: &AuthorizationId,
    ) -> crate::error::Result<()> {
        let (actor, now) = (inv.actor(), inv.now());
        let customer = self
            .ledger
            .authorizations
            .get(id)
            .map(|a| a.customer.clone());
        if let Some(c) = &customer
            && let Err(e) = self.authorize(
                actor,
                crate::access::Permission::RequestAuthorization,
                Some(c),
            )
        {
            self.record_audit(
                actor,
                Some(c),
                "terminate_authorization",
                crate::audit::AuditOutcome::denied(&e),
                format!("{id}"),
                now,
            );
            return Err(e);
        }
        self.authorization_step(inv, id, "terminate_authorization", |a, _| {
            match a.state_at(now) {
                AuthorizationState::Pending
                | AuthorizationState::AwaitingDistributor
                | AuthorizationState::Active => {
                    Ok(crate::event::EventKind::AuthorizationTerminated { id: a.id.clone() })
                }
                s => Err(transition(&s, "terminate")),
            }
        })
    }

    fn authorization_step(
        &mut self,
        inv: &crate::invocation::Invocation,
        id: &AuthorizationId,
        kind: &'static str,
        step: impl FnOnce(
            &Authorization,
            &crate::access::Actor,
        ) -> crate::error::Result<crate::event::EventKind>,
    ) -> crate::error::Result<()> {
        let (actor, now) = (inv.actor(), inv.now());
        let customer = self
            .ledger
            .authorizations
            .get(id)
            .map(|a| a.customer.clone());
        let cmd = crate::command::Command {
            inv,
            kind,
            customer: customer.as_ref(),
            batch: false,
            ids: &[],
            gate: &|d: &crate::desk::Desk| match (kind, &customer) {
                ("distributor_decision", _) if actor == &crate::access::Actor::System => Ok(()),
                ("terminate_authorization", Some(c)) => d.authorize(
                    actor,
                    crate::access::Permission::RequestAuthorization,
                    Some(c),
                ),
                (_, Some(c)) if actor == &crate::access::Actor::Customer(c.clone()) => Ok(()),
                _ => Err(crate::error::Error::PermissionDenied {
                    item: kind.to_owned(),
                    actor: actor.to_string(),
                }),
            },
        };
        self.run(
            cmd,
            || id.to_string(),
            |desk| {
                let a = desk
                    .ledger
                    .authorizations
                    .get(id)
                    .ok_or_else(|| not_found(id))?;
                let event = step(a, actor)?;
                let c = a.customer.clone();
                desk.emit(actor, Some(&c), event, now)
            },
        )
    }

    /// Records, as the system, every time-driven transition due at `now`: pending requests
    /// older than 90 days lapse, active authorizations past their end expire. Returns how many.
    pub fn expire_authorizations(&mut self, now: DateTime<Utc>) -> crate::error::Result<usize> {
        crate::validate::instant("now", now)?;
        use crate::event::EventKind;
        let due: Vec<(CustomerId, EventKind)> = self
            .ledger
            .authorizations
            .values()
            .filter_map(|a| match (a.state.clone(), a.state_at(now)) {
                (s, AuthorizationState::Lapsed) if s != AuthorizationState::Lapsed => Some((
                    a.customer.clone(),
                    EventKind::AuthorizationLapsed { id: a.id.clone() },
                )),
                (s, AuthorizationState::Expired) if s != AuthorizationState::Expired => Some((
                    a.customer.clone(),
                    EventKind::AuthorizationExpired { id: a.id.clone() },
                )),
                _ => None,
            })
            .collect();
        let n = due.len();
        for (c, e) in due {
            self.emit(&crate::access::Actor::System, Some(&c), e, now)?;
        }
        Ok(n)
    }

    /// An authorization by id.
    pub fn authorization(&self, id: &AuthorizationId) -> crate::error::Result<&Authorization> {
        self.ledger
            .authorizations
            .get(id)
            .ok_or_else(|| not_found(id))
    }

    /// The authorizations of a customer, by id.
    pub fn authorizations_of(&self, customer: &CustomerId) -> Vec<&Authorization> {
        self.ledger.auths_of(customer).collect()
    }

    /// Whether the partner may act on the customer's behalf with `scope` at `now`: an
    /// authorization of the customer is active then and covers the scope.
    pub fn may_act_on_behalf(
        &self,
        customer: &CustomerId,
        scope: &AuthorizationScope,
        now: DateTime<Utc>,
    ) -> bool {
        self.ledger.auths_of(customer).any(|a| a.covers(scope, now))
    }

    /// Like [`crate::Desk::may_act_on_behalf`], as a check: `AUTHORIZATION_REQUIRED` when not.
    pub fn require_authorization(
        &self,
        customer: &CustomerId,
        scope: &AuthorizationScope,
        now: DateTime<Utc>,
    ) -> crate::error::Result<()> {
        if self.may_act_on_behalf(customer, scope, now) {
            Ok(())
        } else {
            Err(crate::error::Error::AuthorizationRequired {
                id: customer.to_string(),
                scope: scope.to_string(),
            })
        }
    }
}

fn customer_only(a: &Authorization, actor: &crate::access::Actor) -> crate::error::Result<()> {
    if actor == &crate::access::Actor::Customer(a.customer.clone()) {
        Ok(())
    } else {
        Err(crate::error::Error::PermissionDenied {
            item: "customer's own authorization decision".to_owned(),
            actor: actor.to_string(),
        })
    }
}
