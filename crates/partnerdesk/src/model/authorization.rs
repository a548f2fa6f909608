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

use crate::model::ids::{AuthorizationId, CustomerId, OperatorId};
use crate::model::open_enum::open_enum;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;

/// Days after which a pending request lapses.
pub const LAPSE_AFTER_DAYS: i64 = 90;
/// The shortest authorization, in days.
pub const MIN_DURATION_DAYS: u32 = 1;
/// The longest authorization, in days (2 years).
pub const MAX_DURATION_DAYS: u32 = 731;

/// The rule on a duration that every door applies (a request, its event, a snapshot): `None`
/// when `days` is [`MIN_DURATION_DAYS`]..=[`MAX_DURATION_DAYS`], else why it is refused.
pub(crate) fn duration_refused(days: u32) -> Option<&'static str> {
    (!(MIN_DURATION_DAYS..=MAX_DURATION_DAYS).contains(&days)).then_some("must be 1 to 731 days")
}

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
#[non_exhaustive]
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
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant")
    )]
    pub requested_at: DateTime<Utc>,
    /// The recorded state (time-driven changes are derived by [`Authorization::state_at`]).
    pub state: AuthorizationState,
    /// When the customer approved.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant_opt")
    )]
    pub approved_at: Option<DateTime<Utc>>,
    /// When it expires (set on approval).
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant_opt")
    )]
    pub expires_at: Option<DateTime<Utc>>,
    /// When it left the pending or active state.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant_opt")
    )]
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
        // A request made within the model's years lapses within chrono's; the last instant
        // there is, where one is not (a value built by hand), rather than a panic.
        self.requested_at
            .checked_add_signed(Duration::days(LAPSE_AFTER_DAYS))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Whether it lets the partner act with `scope` at `now`.
    pub fn covers(&self, scope: &AuthorizationScope, now: DateTime<Utc>) -> bool {
        self.state_at(now) == AuthorizationState::Active && self.scopes.contains(scope)
    }
}
