//! Authorizations to act on a customer's behalf: the request, the lifecycle commands and
//! their rules, and how their events move an authorization through its states (the
//! authorization itself is a value of [`crate::model::authorization`]).

use crate::ids::{AuthorizationId, CustomerId};
use crate::model::access::Permission;
pub use crate::model::authorization::{
    Authorization, AuthorizationScope, AuthorizationState, LAPSE_AFTER_DAYS, MAX_DURATION_DAYS,
    MIN_DURATION_DAYS,
};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;

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
        if let Some(reason) = crate::model::authorization::duration_refused(duration_days) {
            return Err(Error::invalid_arg("duration_days", reason));
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
        let customer = Some(&request.customer);
        let gate =
            |d: &crate::desk::Desk| d.authorize(actor, Permission::RequestAuthorization, customer);
        let cmd = crate::command::Command::single(inv, "request_authorization", customer, &gate);
        let describe = || {
            let s: Vec<&str> = request.scopes.iter().map(|s| s.as_str()).collect();
            format!("{} days {}", request.duration_days, s.join(","))
        };
        self.run(cmd, describe, |desk| {
            let c = desk.customer(&request.customer)?;
            desk.authorize(
                actor,
                Permission::RequestAuthorization,
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
                        item: Permission::RequestAuthorization.as_str().to_owned(),
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
            if actor != &crate::model::access::Actor::System {
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
        self.customer_step(inv, id, "approve_authorization", |a, state| match state {
            AuthorizationState::Pending => Ok(crate::event::EventKind::AuthorizationApproved {
                id: a.id.clone(),
                expires_at: now
                    .checked_add_signed(Duration::days(i64::from(a.duration_days)))
                    .ok_or_else(|| {
                        crate::error::Error::invalid_date("now", "no expiry that far ahead")
                    })?,
            }),
            AuthorizationState::AwaitingDistributor => {
                Err(crate::error::Error::DistributorApprovalRequired {
                    id: a.id.to_string(),
                })
            }
            s => Err(transition(&s, "approve")),
        })
    }

    /// The customer rejects a pending request (only that customer; `INVALID_TRANSITION` unless
    /// pending).
    pub fn reject_authorization(
        &mut self,
        inv: &crate::invocation::Invocation,
        id: &AuthorizationId,
    ) -> crate::error::Result<()> {
        self.customer_step(inv, id, "reject_authorization", |a, state| match state {
            AuthorizationState::Pending | AuthorizationState::AwaitingDistributor => {
                Ok(crate::event::EventKind::AuthorizationRejected { id: a.id.clone() })
            }
            s => Err(transition(&s, "reject")),
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
        self.customer_step(inv, id, "revoke_authorization", |a, state| {
            crate::validate::reason(reason)?;
            match state {
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
        // Refused before anything, audit included (as every command's runner does).
        crate::validate::instant("now", now)?;
        let customer = self.authorization_customer(id);
        if let Some(c) = &customer
            && let Err(e) = self.authorize(actor, Permission::RequestAuthorization, Some(c))
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

    /// A step only the authorization's own customer may take (`PERMISSION_DENIED` for anyone
    /// else, checked first); `rule` decides on the authorization and its state at `now`.
    fn customer_step(
        &mut self,
        inv: &crate::invocation::Invocation,
        id: &AuthorizationId,
        kind: &'static str,
        rule: impl FnOnce(
            &Authorization,
            AuthorizationState,
        ) -> crate::error::Result<crate::event::EventKind>,
    ) -> crate::error::Result<()> {
        let now = inv.now();
        self.authorization_step(inv, id, kind, |a, actor| {
            customer_only(a, actor)?;
            rule(a, a.state_at(now))
        })
    }

    /// The customer of an authorization, if the desk holds it.
    fn authorization_customer(&self, id: &AuthorizationId) -> Option<CustomerId> {
        self.ledger
            .authorizations
            .get(id)
            .map(|a| a.customer.clone())
    }

    fn authorization_step(
        &mut self,
        inv: &crate::invocation::Invocation,
        id: &AuthorizationId,
        kind: &'static str,
        step: impl FnOnce(
            &Authorization,
            &crate::model::access::Actor,
        ) -> crate::error::Result<crate::event::EventKind>,
    ) -> crate::error::Result<()> {
        let (actor, now) = (inv.actor(), inv.now());
        let customer = self.authorization_customer(id);
        // Of these steps only a termination is an operator's (the others are the customer's or
        // the system's, whose replays pass without the gate).
        let gate = |d: &crate::desk::Desk| match (kind, &customer) {
            ("terminate_authorization", Some(c)) => {
                d.authorize(actor, Permission::RequestAuthorization, Some(c))
            }
            _ => Err(crate::error::Error::PermissionDenied {
                item: kind.to_owned(),
                actor: actor.to_string(),
            }),
        };
        let cmd = crate::command::Command::single(inv, kind, customer.as_ref(), &gate);
        self.run(
            cmd,
            || id.to_string(),
            |desk| {
                let a = desk
                    .ledger
                    .authorizations
                    .get(id)
                    .ok_or_else(|| not_found(id))?;
                // A customer removed from the desk keeps its authorizations as history, with
                // no further step (an event names a customer on the desk).
                desk.customer(&a.customer)?;
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
            // Not those of a customer removed from the desk: history, with no further event.
            .filter(|a| self.by_id.get(&a.customer).is_some())
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
            self.emit(&crate::model::access::Actor::System, Some(&c), e, now)?;
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

fn customer_only(
    a: &Authorization,
    actor: &crate::model::access::Actor,
) -> crate::error::Result<()> {
    if actor == &crate::model::access::Actor::Customer(a.customer.clone()) {
        Ok(())
    } else {
        Err(crate::error::Error::PermissionDenied {
            item: "customer's own authorization decision".to_owned(),
            actor: actor.to_string(),
        })
    }
}

/// Applying authorization events (the only place an authorization's state changes).
impl crate::desk::Desk {
    /// `AuthorizationRequested`: the authorization joins the ledger.
    pub(crate) fn apply_authorization_requested(&mut self, authorization: &Authorization) {
        self.ledger.auth_seq += 1;
        self.ledger
            .auths_by_customer
            .entry(authorization.customer.clone())
            .or_default()
            .push(authorization.id.clone());
        self.ledger
            .authorizations
            .insert(authorization.id.clone(), authorization.clone());
    }

    /// The authorization an event names, or `INVALID_EVENT`.
    fn applying_authorization(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        id: &AuthorizationId,
    ) -> crate::error::Result<&mut Authorization> {
        self.ledger
            .authorizations
            .get_mut(id)
            .ok_or_else(|| ev.refuse("unknown authorization"))
    }

    /// `AuthorizationDistributorDecided`: on to the customer, or rejected.
    pub(crate) fn apply_distributor_decision(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        id: &AuthorizationId,
        approved: bool,
    ) -> crate::error::Result<()> {
        let at = ev.at;
        let a = self.applying_authorization(ev, id)?;
        if approved {
            a.state = AuthorizationState::Pending;
        } else {
            a.state = AuthorizationState::Rejected;
            a.closed_at = Some(at);
        }
        Ok(())
    }

    /// `AuthorizationApproved`: active until `expires_at`.
    pub(crate) fn apply_authorization_approved(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        id: &AuthorizationId,
        expires_at: DateTime<Utc>,
    ) -> crate::error::Result<()> {
        let at = ev.at;
        let a = self.applying_authorization(ev, id)?;
        a.state = AuthorizationState::Active;
        a.approved_at = Some(at);
        a.expires_at = Some(expires_at);
        Ok(())
    }

    /// The events that close an authorization (rejected, lapsed, expired, revoked with its
    /// reason, terminated).
    pub(crate) fn apply_authorization_closed(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        id: &AuthorizationId,
        state: AuthorizationState,
        revoke_reason: Option<&str>,
    ) -> crate::error::Result<()> {
        let at = ev.at;
        let a = self.applying_authorization(ev, id)?;
        if let Some(reason) = revoke_reason {
            a.revoke_reason = Some(reason.to_owned());
        }
        a.state = state;
        a.closed_at = Some(at);
        Ok(())
    }

    /// Ends the customer's open authorizations (pending, awaiting the distributor or active)
    /// at `at`: what a disassociation does to them.
    pub(crate) fn end_open_authorizations(&mut self, customer: &CustomerId, at: DateTime<Utc>) {
        let ids = self
            .ledger
            .auths_by_customer
            .get(customer)
            .cloned()
            .unwrap_or_default();
        for aid in ids {
            if let Some(a) = self.ledger.authorizations.get_mut(&aid)
                && matches!(
                    a.state,
                    AuthorizationState::Pending
                        | AuthorizationState::AwaitingDistributor
                        | AuthorizationState::Active
                )
            {
                a.state = AuthorizationState::Ended;
                a.closed_at = Some(at);
            }
        }
    }
}
