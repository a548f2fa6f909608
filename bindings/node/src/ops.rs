//! Who acts, as JS names it: the `Actor` object (`{ kind, id }`) and its conversions. The
//! governed operations themselves (permission grants, operators added, freezes, budgets,
//! managers, the audit log and the event stream) are declared once for every host in
//! `partnerdesk_host::ops` and expanded in `crate::declared`.
//!
//! Why the binding adds nothing to the rules: every check (permission items, association
//! model, scopes, quotas, idempotency) is the core's; this module only turns the JS actor into
//! the core's and the core's back into a plain object.

use crate::error::{Code, to_js};
use napi_derive::napi;
use partnerdesk::access::Actor as CoreActor;

/// Who acts: an operator (by login), a customer (by id) or the system.
#[napi(string_enum = "lowercase")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    /// An operator of the partner.
    Operator,
    /// A customer.
    Customer,
    /// The system (time-driven transitions, imports).
    System,
}

/// Who acts, e.g. `{ kind: 'operator', id: 'admin' }` or `{ kind: 'system' }`.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Actor {
    /// Operator, customer or system.
    pub kind: ActorKind,
    /// The operator login or customer id (absent for the system).
    pub id: Option<String>,
}

pub use partnerdesk_host::ops::ActorArg;

/// The core's actor of an [`ActorArg`] (`INVALID_ID` for a malformed login or id).
pub(crate) trait ToCoreActor {
    /// The core's actor, its refusal as a JS error.
    fn core(&self) -> napi::Result<CoreActor, Code>;
}

impl ToCoreActor for ActorArg {
    fn core(&self) -> napi::Result<CoreActor, Code> {
        self.to_core().map_err(to_js)
    }
}

impl From<&CoreActor> for Actor {
    fn from(a: &CoreActor) -> Self {
        match a {
            CoreActor::Operator(o) => Actor {
                kind: ActorKind::Operator,
                id: Some(o.as_str().to_owned()),
            },
            CoreActor::Customer(c) => Actor {
                kind: ActorKind::Customer,
                id: Some(c.as_str().to_owned()),
            },
            CoreActor::System => Actor {
                kind: ActorKind::System,
                id: None,
            },
        }
    }
}
