//! Governed operations from JS: freeze, unfreeze, budgets, account managers, permission
//! grants, and the audit log and event stream they leave behind.
//!
//! Why the binding adds nothing to the rules: every check (permission items, association
//! model, scopes, quotas, idempotency) is the core's; this module only turns JS values into the
//! core's validated commands and the outcomes back into plain objects. A batch command answers
//! per customer (`{ customerId, ok, code?, message? }`) instead of throwing, because one refused
//! customer does not stop the others; a refusal of the whole command throws with its code.

use crate::desk::Desk;
use crate::error::{Code, invalid_argument, to_js};
use crate::types::{BudgetKind, FreezeScope, Money, count32};
use chrono::{DateTime, Utc};
use napi_derive::napi;
use partnerdesk::access::Actor as CoreActor;
use partnerdesk::budget::BudgetSetting;
use partnerdesk::command::BatchOutcome as CoreBatch;
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::{
    Currency, CustomerId, IdempotencyKey, Invocation, Operator, OperatorId, Permission, Role,
};
pub use partnerdesk_host::records::BudgetUsage;

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

impl Actor {
    pub(crate) fn to_core(&self) -> napi::Result<CoreActor, Code> {
        match (self.kind, &self.id) {
            (ActorKind::Operator, Some(id)) => Ok(CoreActor::Operator(
                OperatorId::new(id.as_str()).map_err(to_js)?,
            )),
            (ActorKind::Customer, Some(id)) => Ok(CoreActor::Customer(
                CustomerId::new(id.as_str()).map_err(to_js)?,
            )),
            (ActorKind::System, None) => Ok(CoreActor::System),
            (ActorKind::System, Some(_)) => {
                Err(invalid_argument("actor.id", "the system has no id"))
            }
            (ActorKind::Operator | ActorKind::Customer, None) => Err(invalid_argument(
                "actor.id",
                "an operator or customer actor needs an id",
            )),
        }
    }
}

pub use crate::args::ActorArg;

/// The core's actor of an [`ActorArg`] (`INVALID_ID` for a malformed login or id).
pub(crate) trait ToCoreActor {
    /// The core's actor.
    fn to_core(&self) -> napi::Result<CoreActor, Code>;
}

impl ToCoreActor for ActorArg {
    fn to_core(&self) -> napi::Result<CoreActor, Code> {
        match self {
            ActorArg::Login(login) => partnerdesk_host::operator(login).map_err(to_js),
            ActorArg::Value(actor) => actor.to_core(),
        }
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

/// A freeze or unfreeze: 1..=10 customers, a scope and a reason (1..=256 characters).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct FreezeCommand {
    /// The customers, in order.
    pub customer_ids: Vec<String>,
    /// `account` or `account_and_resources`.
    pub scope: FreezeScope,
    /// Why (kept in the freeze; never shown in event text).
    pub reason: String,
}

/// A budget setting: the amount (a decimal string in the partner's currency), monthly or
/// one-off, auto-freeze at 100%, and whether to unfreeze the account in the same call.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct BudgetCommand {
    /// The budget.
    pub amount: Money,
    /// `monthly` or `one_off`.
    pub kind: BudgetKind,
    /// Freeze the account when spend reaches 100%.
    pub auto_freeze: bool,
    /// Unfreeze the account in the same call (needs the freeze item too).
    pub unfreeze: Option<bool>,
    /// Alert thresholds in percent (decimal strings such as `"80"`), ascending.
    pub thresholds: Option<Vec<String>>,
}

/// The outcome of a batch command for one customer.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ItemOutcome {
    /// The customer.
    pub customer_id: String,
    /// Whether it was done.
    pub ok: bool,
    /// The stable error code when refused.
    pub code: Option<String>,
    /// The error message when refused (no personal data).
    pub message: Option<String>,
}

/// The outcome of a batch command: one item per customer, in the order given.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct BatchOutcome {
    /// Per customer.
    pub items: Vec<ItemOutcome>,
    /// How many were done.
    pub succeeded: u32,
    /// How many were refused.
    pub failed: u32,
}

impl From<CoreBatch> for BatchOutcome {
    fn from(b: CoreBatch) -> Self {
        let succeeded = count32(b.succeeded());
        let failed = count32(b.failed());
        BatchOutcome {
            items: b
                .items
                .into_iter()
                .map(|i| match i.result {
                    Ok(()) => ItemOutcome {
                        customer_id: i.customer.as_str().to_owned(),
                        ok: true,
                        code: None,
                        message: None,
                    },
                    Err(e) => ItemOutcome {
                        customer_id: i.customer.as_str().to_owned(),
                        ok: false,
                        code: Some(crate::error::code_of(&e).to_owned()),
                        message: Some(e.to_string()),
                    },
                })
                .collect(),
            succeeded,
            failed,
        }
    }
}

fn ids(list: &[String]) -> napi::Result<Vec<CustomerId>, Code> {
    list.iter()
        .map(|s| CustomerId::new(s.as_str()).map_err(to_js))
        .collect()
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
    /// Freezes up to 10 reseller-model customers (origin manual); an outcome per customer.
    /// Throws when the whole command is refused (`TOO_MANY_IDS`, `INVALID_REASON`,
    /// `PERMISSION_DENIED`, `IDEMPOTENCY_CONFLICT`, ...).
    #[napi]
    pub fn freeze(
        &self,
        actor: ActorArg,
        command: FreezeCommand,
        options: Option<CommandOptions>,
    ) -> napi::Result<BatchOutcome, Code> {
        self.freeze_or_unfreeze(actor, command, options, true)
    }

    /// Unfreezes up to 10 customers with the scope they were frozen with; an outcome per
    /// customer (`NOT_FROZEN`, `FREEZE_SCOPE_MISMATCH`, ...).
    #[napi]
    pub fn unfreeze(
        &self,
        actor: ActorArg,
        command: FreezeCommand,
        options: Option<CommandOptions>,
    ) -> napi::Result<BatchOutcome, Code> {
        self.freeze_or_unfreeze(actor, command, options, false)
    }

    /// Sets (not adds) a reseller-model customer's budget.
    #[napi]
    pub fn set_budget(
        &self,
        actor: ActorArg,
        customer_id: String,
        budget: BudgetCommand,
        options: Option<CommandOptions>,
    ) -> napi::Result<(), Code> {
        let o = options.unwrap_or_default();
        let actor = actor.to_core()?;
        let id = CustomerId::new(customer_id).map_err(to_js)?;
        let amount = partnerdesk::Money::new(
            budget.amount.amount.0,
            Currency::new(&budget.amount.currency).map_err(to_js)?,
        );
        let setting = BudgetSetting::new(
            amount,
            budget.kind.into(),
            budget.auto_freeze,
            budget.unfreeze.unwrap_or(false),
        )
        .map_err(to_js)?;
        let setting = match &budget.thresholds {
            Some(t) => partnerdesk_host::thresholds(t)
                .and_then(|t| setting.with_thresholds(t))
                .map_err(to_js)?,
            None => setting,
        };
        let inv = self.invocation(actor, &o)?;
        self.write()?
            .change(|d| d.set_budget(&inv, &id, &setting))
            .map_err(to_js)
    }

    /// A customer's budget usage at `now` (`null` without a budget).
    #[napi]
    pub fn budget_usage(
        &self,
        customer_id: String,
        now: Option<DateTime<Utc>>,
    ) -> napi::Result<Option<BudgetUsage>, Code> {
        let id = CustomerId::new(customer_id).map_err(to_js)?;
        let usage = self
            .read()?
            .budget_usage(&id, partnerdesk_host::now_or_clock(now))
            .map_err(to_js)?;
        Ok(usage.map(BudgetUsage::from))
    }

    /// Evaluates every budget at `now` (thresholds, forecast, auto-freeze at 100%); returns
    /// how many events were emitted.
    #[napi]
    pub fn evaluate_budgets(&self, now: Option<DateTime<Utc>>) -> napi::Result<u32, Code> {
        let now = partnerdesk_host::now_or_clock(now);
        self.write()?
            .change(|d| d.evaluate_budgets(now))
            .map(count32)
            .map_err(to_js)
    }

    /// Assigns (or changes to) an account manager for up to 100 customers; an outcome per
    /// customer. Throws `OPERATOR_NOT_FOUND`, `NOT_ACCOUNT_MANAGER`, `PERMISSION_DENIED`, ...
    #[napi]
    pub fn assign_manager(
        &self,
        actor: ActorArg,
        customer_ids: Vec<String>,
        manager: String,
        options: Option<CommandOptions>,
    ) -> napi::Result<BatchOutcome, Code> {
        let o = options.unwrap_or_default();
        let actor = actor.to_core()?;
        let ids = ids(&customer_ids)?;
        let manager = OperatorId::new(manager).map_err(to_js)?;
        let inv = self.invocation(actor, &o)?;
        self.write()?
            .change(|d| d.assign_manager(&inv, &ids, &manager))
            .map(BatchOutcome::from)
            .map_err(to_js)
    }

    /// Unassigns the account manager of up to 100 customers; an outcome per customer.
    #[napi]
    pub fn unassign_manager(
        &self,
        actor: ActorArg,
        customer_ids: Vec<String>,
        options: Option<CommandOptions>,
    ) -> napi::Result<BatchOutcome, Code> {
        let o = options.unwrap_or_default();
        let actor = actor.to_core()?;
        let ids = ids(&customer_ids)?;
        let inv = self.invocation(actor, &o)?;
        self.write()?
            .change(|d| d.unassign_manager(&inv, &ids))
            .map(BatchOutcome::from)
            .map_err(to_js)
    }

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

    fn freeze_or_unfreeze(
        &self,
        actor: ActorArg,
        command: FreezeCommand,
        options: Option<CommandOptions>,
        freeze: bool,
    ) -> napi::Result<BatchOutcome, Code> {
        let o = options.unwrap_or_default();
        let actor = actor.to_core()?;
        let request = FreezeRequest::new(
            ids(&command.customer_ids)?,
            command.scope.into(),
            command.reason,
        )
        .map_err(to_js)?;
        let inv = self.invocation(actor, &o)?;
        let outcome = self.write()?.change(|d| {
            if freeze {
                d.freeze(&inv, &request)
            } else {
                d.unfreeze(&inv, &request)
            }
        });
        outcome.map(BatchOutcome::from).map_err(to_js)
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
        let actor = actor.to_core()?;
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
