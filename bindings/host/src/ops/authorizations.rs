//! Authorizations to act on a customer's behalf (the request, the decisions of the distributor
//! and the customer, the checks a host makes before it acts), orders placed on that behalf, and
//! the periodic work, declared once for every host (see [the grammar](super)).

use super::{ActorArg, invocation};
use crate::{HostDecimal, HostDesk, HostInstant, at, records::count32};
use partnerdesk::authorization::AuthorizationRequest;
use partnerdesk::{AuthorizationId, Error};

crate::host_enum!(
    #[doc = " What an authorization lets the partner do on the customer's behalf."]
    AuthorizationScope, "scope" {
        #[doc = " Place orders."]
        PlaceOrders = "place_orders",
        #[doc = " Operate resources."]
        OperateResources = "operate_resources",
    }
);

impl From<AuthorizationScope> for partnerdesk::authorization::AuthorizationScope {
    fn from(s: AuthorizationScope) -> Self {
        match s {
            AuthorizationScope::PlaceOrders => Self::PlaceOrders,
            AuthorizationScope::OperateResources => Self::OperateResources,
        }
    }
}

crate::host_enum!(
    #[doc = " A decision on an authorization: the customer's answer, or a later end."]
    AuthorizationAction, "action" {
        #[doc = " The customer approves the request."]
        Approve = "approve",
        #[doc = " The customer rejects the request."]
        Reject = "reject",
        #[doc = " The customer revokes an active authorization (with a reason)."]
        Revoke = "revoke",
        #[doc = " The partner ends an active authorization."]
        Terminate = "terminate",
    }
);

crate::host_enum!(
    #[doc = " The type of an order placed on a customer's behalf."]
    OrderKind, "kind" {
        #[doc = " A new purchase."]
        New = "new",
        #[doc = " A renewal."]
        Renewal = "renewal",
        #[doc = " A change."]
        Change = "change",
    }
);

/// An authorization to act on a customer's behalf, with its state at the moment asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash), node(object_from_js = false))]
pub struct Authorization {
    /// Its id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// What it allows (`place_orders`, `operate_resources`), sorted.
    pub scopes: Vec<String>,
    /// How long it lasts once approved, in days.
    pub duration_days: u32,
    /// The operator who requested it.
    pub requested_by: String,
    /// When requested.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub requested_at: HostInstant,
    /// The state at the moment asked for: `awaiting_distributor`, `pending`, `active`,
    /// `rejected`, `lapsed`, `expired`, `revoked`, `terminated` or `ended`.
    pub state: String,
    /// When the customer approved it.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub approved_at: Option<HostInstant>,
    /// When it expires, once approved.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub expires_at: Option<HostInstant>,
}

impl Authorization {
    /// An authorization and its state at `now`.
    fn at(
        a: &partnerdesk::authorization::Authorization,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        Authorization {
            id: a.id.as_str().to_owned(),
            customer_id: a.customer.as_str().to_owned(),
            scopes: a.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            duration_days: a.duration_days,
            requested_by: a.requested_by.as_str().to_owned(),
            requested_at: HostInstant(a.requested_at),
            state: a.state_at(now).as_str().to_owned(),
            approved_at: a.approved_at.map(HostInstant),
            expires_at: a.expires_at.map(HostInstant),
        }
    }
}

#[cfg(feature = "python")]
#[pyo3::pymethods]
impl Authorization {
    /// Ids and the state only.
    fn __repr__(&self) -> String {
        format!(
            "Authorization(id='{}', customer_id='{}', state='{}')",
            self.id, self.customer_id, self.state
        )
    }
}

/// Asks a customer for an authorization (`scopes`, `duration_days` once approved); its id.
/// The partner's first request needs `accept_commitment_letter`.
#[allow(clippy::too_many_arguments)]
pub fn request_authorization(
    desk: &mut HostDesk,
    actor: ActorArg,
    customer: String,
    scopes: Vec<AuthorizationScope>,
    duration_days: u32,
    accept_commitment_letter: Option<bool>,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<String, Error> {
    let inv = invocation(&actor, now, idempotency_key)?;
    let request = AuthorizationRequest::new(
        super::customer(&customer)?,
        scopes.into_iter().map(Into::into),
        duration_days,
        accept_commitment_letter.unwrap_or(false),
    )?;
    let id = desk.change(|d| d.request_authorization(&inv, &request))?;
    Ok(id.as_str().to_owned())
}

/// Records the distributor's decision on a reseller's authorization request.
pub fn record_distributor_decision(
    desk: &mut HostDesk,
    actor: ActorArg,
    authorization: String,
    approved: bool,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<(), Error> {
    let inv = invocation(&actor, now, idempotency_key)?;
    let id = AuthorizationId::new(authorization)?;
    desk.change(|d| d.record_distributor_decision(&inv, &id, approved))
}

/// Approves, rejects, revokes (with `reason`) or terminates an authorization.
pub fn decide_authorization(
    desk: &mut HostDesk,
    actor: ActorArg,
    authorization: String,
    action: AuthorizationAction,
    reason: Option<String>,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<(), Error> {
    let inv = invocation(&actor, now, idempotency_key)?;
    let id = AuthorizationId::new(authorization)?;
    let reason = reason.unwrap_or_default();
    desk.change(|d| match action {
        AuthorizationAction::Approve => d.approve_authorization(&inv, &id),
        AuthorizationAction::Reject => d.reject_authorization(&inv, &id),
        AuthorizationAction::Revoke => d.revoke_authorization(&inv, &id, &reason),
        AuthorizationAction::Terminate => d.terminate_authorization(&inv, &id),
    })
}

/// One authorization and its state at `now` (`AUTHORIZATION_NOT_FOUND`).
pub fn authorization(
    desk: &HostDesk,
    authorization: String,
    now: Option<HostInstant>,
) -> Result<Authorization, Error> {
    let id = AuthorizationId::new(authorization)?;
    Ok(Authorization::at(desk.authorization(&id)?, at(now)))
}

/// A customer's authorizations and their states at `now`, oldest first (`CUSTOMER_NOT_FOUND`
/// for a customer the desk does not have).
pub fn authorizations_of(
    desk: &HostDesk,
    customer: String,
    now: Option<HostInstant>,
) -> Result<Vec<Authorization>, Error> {
    let (id, now) = (super::customer(&customer)?, at(now));
    desk.customer(&id)?;
    Ok(desk
        .authorizations_of(&id)
        .into_iter()
        .map(|a| Authorization::at(a, now))
        .collect())
}

/// Places an order of `amount` (in the partner's currency) on a customer's behalf under an
/// active authorization; the order id.
pub fn place_order_on_behalf(
    desk: &mut HostDesk,
    actor: ActorArg,
    customer: String,
    amount: HostDecimal,
    kind: Option<OrderKind>,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<String, Error> {
    let inv = invocation(&actor, now, idempotency_key)?;
    let kind = partnerdesk::OrderType::parse(kind.unwrap_or(OrderKind::New).as_str());
    let money = partnerdesk::Money::new(amount.0, desk.partner().currency);
    let request = partnerdesk::order::OrderRequest::new(super::customer(&customer)?, kind, money)?;
    let id = desk.change(|d| d.place_order_on_behalf(&inv, &request))?;
    Ok(id.as_str().to_owned())
}

/// The periodic work at `now`: expires authorizations and evaluates budgets (thresholds,
/// auto-freeze); how many changes were made.
pub fn tick(desk: &mut HostDesk, now: Option<HostInstant>) -> Result<u32, Error> {
    let now = at(now);
    desk.change(|d| Ok(d.expire_authorizations(now)? + d.evaluate_budgets(now)?))
        .map(count32)
}

/// Whether an active authorization covers `scope` for `customer` at `now`.
pub fn may_act_on_behalf(
    desk: &HostDesk,
    customer: String,
    scope: AuthorizationScope,
    now: Option<HostInstant>,
) -> Result<bool, Error> {
    let id = super::customer(&customer)?;
    Ok(desk.may_act_on_behalf(&id, &scope.into(), at(now)))
}

/// `AUTHORIZATION_REQUIRED` unless an active authorization covers `scope` at `now`.
pub fn require_authorization(
    desk: &HostDesk,
    customer: String,
    scope: AuthorizationScope,
    now: Option<HostInstant>,
) -> Result<(), Error> {
    let id = super::customer(&customer)?;
    desk.require_authorization(&id, &scope.into(), at(now))
}

/// Ends the authorizations whose time has passed at `now` (and lapses requests unanswered for
/// 90 days); how many changed.
pub fn expire_authorizations(desk: &mut HostDesk, now: Option<HostInstant>) -> Result<u32, Error> {
    let now = at(now);
    desk.change(|d| d.expire_authorizations(now)).map(count32)
}

/// The authorization operations, declared once (see [the grammar](super)).
#[macro_export]
macro_rules! authorization_operations {
    ($expand:ident) => {
        $expand! {
            #[doc = " Whether an active authorization covers `scope` (`place_orders`, `operate_resources`)"]
            #[doc = " for a customer at `now` (default: the current time)."]
            read fn may_act_on_behalf(customer: String, scope: $crate::ops::authorizations::AuthorizationScope)
                [MayActOptions { #[doc = " The moment of the check (default: the current time)."] now: Option<$crate::HostInstant> }]
                -> bool => $crate::ops::authorizations::may_act_on_behalf;
            #[doc = " Refuses with `AUTHORIZATION_REQUIRED` unless an active authorization covers `scope`"]
            #[doc = " for a customer at `now` (default: the current time)."]
            read fn require_authorization(customer: String, scope: $crate::ops::authorizations::AuthorizationScope)
                [RequireAuthorizationOptions { #[doc = " The moment of the check (default: the current time)."] now: Option<$crate::HostInstant> }]
                -> () => $crate::ops::authorizations::require_authorization;
            #[doc = " Asks a customer for an authorization to act on its behalf for `duration_days` (1..=731)"]
            #[doc = " once approved; returns its id. The partner's first request needs `accept_commitment_letter`."]
            write fn request_authorization(actor: $crate::ops::ActorArg, customer: String, scopes: Vec<$crate::ops::authorizations::AuthorizationScope>, duration_days: u32)
                [RequestAuthorizationOptions {
                    #[doc = " Accept the partner commitment letter with this request (default: false)."]
                    accept_commitment_letter: Option<bool>,
                    #[doc = " The moment of the request (default: the current time)."]
                    now: Option<$crate::HostInstant>,
                    #[doc = " A retry with the same key is answered once."]
                    idempotency_key: Option<String>
                }]
                -> String => $crate::ops::authorizations::request_authorization;
            #[doc = " Records the distributor's decision on a reseller's authorization request."]
            write fn record_distributor_decision(actor: $crate::ops::ActorArg, authorization: String, approved: bool)
                [DistributorDecisionOptions {
                    #[doc = " The moment of the decision (default: the current time)."]
                    now: Option<$crate::HostInstant>,
                    #[doc = " A retry with the same key is answered once."]
                    idempotency_key: Option<String>
                }]
                -> () => $crate::ops::authorizations::record_distributor_decision;
            #[doc = " Acts on an authorization: `approve` or `reject` (the customer), `revoke` (the customer,"]
            #[doc = " with a reason) or `terminate` (the partner)."]
            write fn decide_authorization(actor: $crate::ops::ActorArg, authorization: String, action: $crate::ops::authorizations::AuthorizationAction)
                [DecideAuthorizationOptions {
                    #[doc = " Why (a revocation's reason)."]
                    reason: Option<String>,
                    #[doc = " The moment of the decision (default: the current time)."]
                    now: Option<$crate::HostInstant>,
                    #[doc = " A retry with the same key is answered once."]
                    idempotency_key: Option<String>
                }]
                -> () => $crate::ops::authorizations::decide_authorization;
            #[doc = " One authorization and its state at `now` (default: the current time)."]
            read fn authorization(authorization: String)
                [AuthorizationOptions { #[doc = " The moment of the state (default: the current time)."] now: Option<$crate::HostInstant> }]
                -> $crate::ops::authorizations::Authorization => $crate::ops::authorizations::authorization;
            #[doc = " A customer's authorizations and their states at `now` (default: the current time),"]
            #[doc = " oldest first."]
            read fn authorizations_of(customer: String)
                [AuthorizationsOfOptions { #[doc = " The moment of the states (default: the current time)."] now: Option<$crate::HostInstant> }]
                -> Vec<$crate::ops::authorizations::Authorization> => $crate::ops::authorizations::authorizations_of;
            #[doc = " Places an order of `amount` (in the partner's currency) on a customer's behalf; needs an"]
            #[doc = " active `place_orders` authorization, the customer not frozen and the amount within its"]
            #[doc = " remaining budget: a customer without a budget has nothing remaining (`OVER_BUDGET`)."]
            #[doc = " Returns the order id."]
            write fn place_order_on_behalf(actor: $crate::ops::ActorArg, customer: String, amount: $crate::HostDecimal)
                [PlaceOrderOptions {
                    #[doc = " `new` (default), `renewal` or `change`."]
                    kind: Option<$crate::ops::authorizations::OrderKind>,
                    #[doc = " The moment of the order (default: the current time)."]
                    now: Option<$crate::HostInstant>,
                    #[doc = " A retry with the same key is answered once."]
                    idempotency_key: Option<String>
                }]
                -> String => $crate::ops::authorizations::place_order_on_behalf;
            #[doc = " The periodic work at `now` (default: the current time): expires authorizations and"]
            #[doc = " evaluates budgets (thresholds, auto-freeze); how many changes were made. A budget's"]
            #[doc = " auto-freeze happens only here and in `evaluate_budgets`, never when spend is loaded."]
            write fn tick()
                [TickOptions { #[doc = " The moment of the work (default: the current time)."] now: Option<$crate::HostInstant> }]
                -> u32 => $crate::ops::authorizations::tick;
            #[doc = " Ends the authorizations whose time has passed at `now` (default: the current time)"]
            #[doc = " and lapses requests unanswered for 90 days; how many changed."]
            write fn expire_authorizations()
                [ExpireOptions { #[doc = " The moment of the expiry (default: the current time)."] now: Option<$crate::HostInstant> }]
                -> u32 => $crate::ops::authorizations::expire_authorizations;
        }
    };
}
