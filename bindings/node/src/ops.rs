//! Governed operations from JS: permission grants, and the audit log and event stream they
//! leave behind (freezes, budgets and managers are declared once in `partnerdesk_host::ops`).
//!
//! Why the binding adds nothing to the rules: every check (permission items, association
//! model, scopes, quotas, idempotency) is the core's; this module only turns JS values into the
//! core's validated commands and the records back into plain objects.

use crate::desk::Desk;
use crate::error::{Code, invalid_argument, to_js};
use chrono::{DateTime, Utc};
use napi_derive::napi;
use partnerdesk::access::Actor as CoreActor;
use partnerdesk::{IdempotencyKey, Invocation, Operator, OperatorId, Permission, Role};

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

/// An operator to add to the partner.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct OperatorInit {
    /// Login.
    pub id: String,
    /// Display name (personal data: masked where the partner's policy says so).
    pub name: String,
    /// `administrator` (holds every item) or `operator` (holds what is granted).
    #[napi(ts_type = "'administrator' | 'operator'")]
    pub role: String,
    /// Whether the operator can be assigned as an account manager.
    pub account_manager: Option<bool>,
    /// Permission items granted from the start (Huawei's names).
    pub permissions: Option<Vec<String>>,
}

/// When a command happens and its idempotency key.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct CommandOptions {
    /// The moment of the command (default: the desk's `now`).
    pub now: Option<DateTime<Utc>>,
    /// A key that makes a retry return the first outcome and change nothing.
    pub idempotency_key: Option<String>,
}

fn key(o: &CommandOptions) -> napi::Result<Option<IdempotencyKey>, Code> {
    o.idempotency_key
        .as_deref()
        .map(|k| IdempotencyKey::new(k).map_err(to_js))
        .transpose()
}

fn permissions(items: &[String]) -> napi::Result<Vec<Permission>, Code> {
    items
        .iter()
        .map(|i| {
            Permission::parse_known(i)
                .ok_or_else(|| invalid_argument("items", "not a known permission item"))
        })
        .collect()
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// Grants permission items (Huawei's names, e.g. `BPC_ITEM_SUBCUSTSERV_010115`) to an
    /// operator. Administrator only (`ADMINISTRATOR_ONLY`).
    #[napi]
    pub fn grant_permissions(
        &self,
        actor: ActorArg,
        operator: String,
        items: Vec<String>,
        options: Option<CommandOptions>,
    ) -> napi::Result<(), Code> {
        self.change_permissions(actor, operator, items, options, true)
    }

    /// Withdraws permission items from an operator. Administrator only.
    #[napi]
    pub fn revoke_permissions(
        &self,
        actor: ActorArg,
        operator: String,
        items: Vec<String>,
        options: Option<CommandOptions>,
    ) -> napi::Result<(), Code> {
        self.change_permissions(actor, operator, items, options, false)
    }

    /// Adds an operator (host-side setup, e.g. after importing Huawei responses into an empty
    /// desk). `DUPLICATE_OPERATOR` when the login exists; administrator-only items cannot be
    /// given to an operator (`ADMINISTRATOR_ONLY`).
    #[napi]
    pub fn add_operator(&self, operator: OperatorInit) -> napi::Result<(), Code> {
        let role = match operator.role.as_str() {
            "administrator" => Role::Administrator,
            "operator" => Role::Operator,
            _ => {
                return Err(invalid_argument(
                    "role",
                    "expected administrator or operator",
                ));
            }
        };
        let op = Operator::new(
            OperatorId::new(operator.id).map_err(to_js)?,
            operator.name,
            role,
        )
        .with_account_manager(operator.account_manager.unwrap_or(false))
        .with_permissions(permissions(&operator.permissions.unwrap_or_default())?)
        .map_err(to_js)?;
        self.write()?
            .change(|d| d.add_operator(op.clone()))
            .map_err(to_js)
    }
}

impl Desk {
    /// The invocation of a governed command: the host's actor, `options.now` (default: the
    /// wall clock) and the optional idempotency key.
    pub(crate) fn invocation(
        &self,
        actor: CoreActor,
        o: &CommandOptions,
    ) -> napi::Result<Invocation, Code> {
        Ok(Invocation::new(actor, partnerdesk_host::now_or_clock(o.now)).with_key(key(o)?))
    }

    fn change_permissions(
        &self,
        actor: ActorArg,
        operator: String,
        items: Vec<String>,
        options: Option<CommandOptions>,
        grant: bool,
    ) -> napi::Result<(), Code> {
        let o = options.unwrap_or_default();
        let actor = actor.core()?;
        let operator = OperatorId::new(operator).map_err(to_js)?;
        let items = permissions(&items)?;
        let inv = self.invocation(actor, &o)?;
        self.write()?
            .change(|d| {
                if grant {
                    d.grant_permissions(&inv, &operator, &items)
                } else {
                    d.revoke_permissions(&inv, &operator, &items)
                }
            })
            .map_err(to_js)
    }
}
