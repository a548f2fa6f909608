//! Authorizations to act on a customer's behalf: the checks a host makes before it acts, and
//! the periodic expiry, declared once for every host (see [the grammar](super)).

use crate::{HostDesk, HostInstant, at, records::count32};
use partnerdesk::Error;

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
            #[doc = " Ends the authorizations whose time has passed at `now` (default: the current time)"]
            #[doc = " and lapses requests unanswered for 90 days; how many changed."]
            write fn expire_authorizations()
                [ExpireOptions { #[doc = " The moment of the expiry (default: the current time)."] now: Option<$crate::HostInstant> }]
                -> u32 => $crate::ops::authorizations::expire_authorizations;
        }
    };
}
