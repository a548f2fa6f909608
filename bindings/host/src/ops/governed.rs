//! Freezes, budgets and account managers, declared once for every host (see [the grammar](super)):
//! the batch outcome every batch command answers with, the budget and manager histories, and
//! the host-neutral bodies of the operations.
//!
//! Why the batch outcome is plain data: one refused customer does not stop the others, so a
//! batch command answers per customer instead of throwing. Each item carries the refusal's
//! stable code, its message and its details (field names to text, no personal data, as the
//! core's errors never carry any), which every host can show; Python also rebuilds it as the
//! typed exception (`item.error`, not raised).

use super::ActorArg;
use super::analysis::HostDay;
use crate::records::{BudgetUsage, Money, count32};
use crate::{Actor, HostDecimal, HostDesk, HostInstant, at};
use partnerdesk::budget::BudgetSetting;
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::{Currency, DetailValue, Error, OperatorId};
use std::collections::HashMap;

crate::host_enum!(
    #[doc = " What a freeze covers (`unknown` appears in imported rows and queries only: a command refuses it)."]
    FreezeScope, "scope" {
        #[doc = " The account only: no purchases, renewals or changes."]
        Account = "account",
        #[doc = " The account and its resources (released 15 days later unless unfrozen)."]
        AccountAndResources = "account_and_resources",
        #[doc = " Frozen, the scope not reported by the site."]
        Unknown = "unknown",
    }
);

crate::host_enum!(
    #[doc = " How a budget counts spend."]
    BudgetKind, "kind" {
        #[doc = " The spend of the current billing month."]
        Monthly = "monthly",
        #[doc = " The spend since the budget was set."]
        OneOff = "one_off",
    }
);

impl From<FreezeScope> for partnerdesk::FreezeScope {
    fn from(s: FreezeScope) -> Self {
        partnerdesk::FreezeScope::parse(s.as_str())
    }
}

impl From<BudgetKind> for partnerdesk::BudgetKind {
    fn from(k: BudgetKind) -> Self {
        partnerdesk::BudgetKind::parse(k.as_str())
    }
}

/// Budget alert thresholds in percent as a host gives them: text in Node, Kotlin and Swift
/// (`["80", "95.5"]`); in Python a list of `Decimal`, `int` or `str` (a `float` is refused).
/// Parsed by [`crate::thresholds`] (`INVALID_ARGUMENT` on `thresholds` for a bad one).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Thresholds(pub Vec<String>);

#[cfg(feature = "node")]
#[allow(unsafe_code)]
mod node {
    //! Unsafe code: napi's conversion traits have `unsafe fn`s; each passes the `env` and
    //! value napi handed it, unchanged, to napi's own conversion of `Vec<String>`.
    use super::Thresholds;
    use napi::bindgen_prelude::{
        FromNapiValue, ToNapiValue, TypeName, ValidateNapiValue, ValueType,
    };
    use napi::sys;

    impl TypeName for Thresholds {
        fn type_name() -> &'static str {
            "Array<string>"
        }

        fn value_type() -> ValueType {
            ValueType::Object
        }
    }

    impl ValidateNapiValue for Thresholds {
        unsafe fn validate(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<sys::napi_value> {
            // SAFETY: the env and value napi handed to this validation.
            unsafe { Vec::<String>::validate(env, value) }
        }
    }

    impl FromNapiValue for Thresholds {
        unsafe fn from_napi_value(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<Self> {
            // SAFETY: the env and value napi handed to this conversion.
            unsafe { Vec::<String>::from_napi_value(env, value) }.map(Thresholds)
        }
    }

    impl ToNapiValue for Thresholds {
        unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
            // SAFETY: the env napi handed to this conversion.
            unsafe { Vec::<String>::to_napi_value(env, val.0) }
        }
    }
}

#[cfg(feature = "uniffi")]
uniffi::custom_type!(Thresholds, Vec<String>, {
    lower: |t| t.0,
    try_lift: |t| Ok(Thresholds(t)),
});

#[cfg(feature = "python")]
impl pyo3::FromPyObject<'_, '_> for Thresholds {
    type Error = pyo3::PyErr;

    fn extract(obj: pyo3::Borrowed<'_, '_, pyo3::PyAny>) -> pyo3::PyResult<Self> {
        use pyo3::types::PyAnyMethods;
        let items: Vec<pyo3::Bound<'_, pyo3::PyAny>> = obj.extract()?;
        let text = |item: &pyo3::Bound<'_, pyo3::PyAny>| match item.extract::<String>() {
            Ok(text) => Ok(text),
            Err(_) => Ok(item.extract::<HostDecimal>()?.0.to_string()),
        };
        items
            .iter()
            .map(text)
            .collect::<pyo3::PyResult<_>>()
            .map(Thresholds)
    }
}

/// The outcome of a batch command for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[partnerdesk_panic_guard::host_record(python())]
pub struct ItemOutcome {
    /// The customer.
    pub customer_id: String,
    /// Whether it was done.
    pub ok: bool,
    /// The refusal's stable code, when refused.
    pub code: Option<String>,
    /// The refusal's message, when refused (no personal data).
    pub message: Option<String>,
    /// The refusal's details (field name to text, e.g. `id`, `frozen`), empty when done.
    pub details: HashMap<String, String>,
}

/// The outcome of a batch command (freeze, unfreeze, assign or unassign managers): one item per
/// customer, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
#[partnerdesk_panic_guard::host_record(python())]
pub struct BatchOutcome {
    /// One outcome per customer.
    pub items: Vec<ItemOutcome>,
    /// How many were done.
    pub succeeded: u32,
    /// How many were refused.
    pub failed: u32,
}

impl ItemOutcome {
    /// The outcome of `customer`: done, or refused with `error`.
    pub fn of(customer: &str, error: Option<&Error>) -> Self {
        let text = |v: &DetailValue<'_>| match v {
            DetailValue::Text(t) => t.to_string(),
            DetailValue::Int(n) => n.to_string(),
            _ => String::new(),
        };
        ItemOutcome {
            customer_id: customer.to_owned(),
            ok: error.is_none(),
            code: error.map(|e| e.code().to_owned()),
            message: error.map(Error::to_string),
            details: error.map_or_else(HashMap::new, |e| {
                e.details()
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), text(v)))
                    .collect()
            }),
        }
    }
}

impl From<partnerdesk::command::BatchOutcome> for BatchOutcome {
    fn from(b: partnerdesk::command::BatchOutcome) -> Self {
        BatchOutcome {
            succeeded: count32(b.succeeded()),
            failed: count32(b.failed()),
            items: b
                .items
                .iter()
                .map(|i| ItemOutcome::of(i.customer.as_str(), i.result.as_ref().err()))
                .collect(),
        }
    }
}

/// A period during which an operator was a customer's account manager.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash), node(object_from_js = false))]
pub struct ManagerPeriod {
    /// The customer.
    pub customer_id: String,
    /// The account manager's login.
    pub manager: String,
    /// From (inclusive).
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub start: HostInstant,
    /// Until (exclusive); absent while current.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub end: Option<HostInstant>,
    /// Who assigned (an operator; the system for invitations and imports).
    #[cfg_attr(feature = "node", napi(ts_type = "Actor"))]
    pub assigned_by: Actor,
}

impl From<&partnerdesk::manager::ManagerPeriod> for ManagerPeriod {
    fn from(p: &partnerdesk::manager::ManagerPeriod) -> Self {
        ManagerPeriod {
            customer_id: p.customer.as_str().to_owned(),
            manager: p.manager.as_str().to_owned(),
            start: HostInstant(p.from),
            end: p.to.map(HostInstant),
            assigned_by: Actor::from(&p.assigned_by),
        }
    }
}

/// A budget setting or deletion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash))]
pub struct BudgetRecord {
    /// The customer.
    pub customer_id: String,
    /// `setting` or `delete` (or a newer one, verbatim).
    pub operation: String,
    /// The amount set (or removed).
    pub amount: Money,
    /// `monthly` or `one_off` (or a newer kind, verbatim).
    #[cfg_attr(feature = "node", napi(ts_type = "BudgetKind | (string & {})"))]
    pub kind: String,
    /// When.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub at: HostInstant,
    /// Who: an operator login, or `system`.
    pub operator: String,
}

impl From<&partnerdesk::budget::BudgetRecord> for BudgetRecord {
    fn from(r: &partnerdesk::budget::BudgetRecord) -> Self {
        BudgetRecord {
            customer_id: r.customer.as_str().to_owned(),
            operation: r.operation.as_str().to_owned(),
            amount: r.amount.into(),
            kind: r.kind.as_str().to_owned(),
            at: HostInstant(r.at),
            operator: r.operator.clone(),
        }
    }
}

/// The core's freeze (or unfreeze) command, checked: 1 to 10 distinct ids, `scope` (default
/// `account`), a reason of 1 to 256 characters. Also the Huawei request bodies' command.
pub fn freeze_request(
    customers: &[String],
    scope: Option<FreezeScope>,
    reason: String,
) -> Result<FreezeRequest, Error> {
    let scope = scope.unwrap_or(FreezeScope::Account).into();
    FreezeRequest::new(super::customers(customers)?, scope, reason)
}

/// The core's budget setting, checked: `amount` in (0, 2147483647] with at most 2 decimals, the
/// thresholds parsed ([`crate::thresholds`]). Also the Huawei request body's setting.
pub fn budget_setting(
    amount: Money,
    kind: BudgetKind,
    auto_freeze: bool,
    unfreeze: bool,
    thresholds: Option<&Thresholds>,
) -> Result<BudgetSetting, Error> {
    let amount = partnerdesk::Money::new(amount.amount.0, Currency::new(&amount.currency)?);
    let setting = BudgetSetting::new(amount, kind.into(), auto_freeze, unfreeze)?;
    match thresholds {
        Some(t) => setting.with_thresholds(crate::thresholds(&t.0)?),
        None => Ok(setting),
    }
}

/// Freezes up to 10 customers; an outcome per customer.
pub fn freeze(
    desk: &mut HostDesk,
    actor: ActorArg,
    customers: Vec<String>,
    reason: String,
    scope: Option<FreezeScope>,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<BatchOutcome, Error> {
    let inv = super::invocation(&actor, now, idempotency_key)?;
    let request = freeze_request(&customers, scope, reason)?;
    desk.change(|d| d.freeze(&inv, &request)).map(Into::into)
}

/// Unfreezes up to 10 customers frozen with `scope`; an outcome per customer.
pub fn unfreeze(
    desk: &mut HostDesk,
    actor: ActorArg,
    customers: Vec<String>,
    reason: String,
    scope: Option<FreezeScope>,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<BatchOutcome, Error> {
    let inv = super::invocation(&actor, now, idempotency_key)?;
    let request = freeze_request(&customers, scope, reason)?;
    desk.change(|d| d.unfreeze(&inv, &request)).map(Into::into)
}

/// Sets a customer's budget (defaults: monthly, no auto-freeze, no unfreeze, the partner's
/// currency).
#[allow(clippy::too_many_arguments)]
pub fn set_budget(
    desk: &mut HostDesk,
    actor: ActorArg,
    customer: String,
    amount: HostDecimal,
    kind: Option<BudgetKind>,
    auto_freeze: Option<bool>,
    unfreeze: Option<bool>,
    thresholds: Option<Thresholds>,
    currency: Option<String>,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<(), Error> {
    let inv = super::invocation(&actor, now, idempotency_key)?;
    let id = super::customer(&customer)?;
    let currency = currency.unwrap_or_else(|| desk.partner().currency.as_str().to_owned());
    let setting = budget_setting(
        Money { amount, currency },
        kind.unwrap_or(BudgetKind::Monthly),
        auto_freeze.unwrap_or(false),
        unfreeze.unwrap_or(false),
        thresholds.as_ref(),
    )?;
    desk.change(|d| d.set_budget(&inv, &id, &setting))
}

/// A customer's budget usage at `now` (none without a budget).
pub fn budget_usage(
    desk: &HostDesk,
    customer: String,
    now: Option<HostInstant>,
) -> Result<Option<BudgetUsage>, Error> {
    let id = super::customer(&customer)?;
    Ok(desk.budget_usage(&id, at(now))?.map(Into::into))
}

/// A customer's budget settings and deletions, oldest first.
pub fn budget_records(desk: &HostDesk, customer: String) -> Result<Vec<BudgetRecord>, Error> {
    let id = super::customer(&customer)?;
    Ok(desk
        .budget_records(&id)
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Evaluates every budget at `now`; how many events that emitted.
pub fn evaluate_budgets(desk: &mut HostDesk, now: Option<HostInstant>) -> Result<u32, Error> {
    let now = at(now);
    desk.change(|d| d.evaluate_budgets(now)).map(count32)
}

/// Assigns `manager` to up to 100 customers; an outcome per customer.
pub fn assign_manager(
    desk: &mut HostDesk,
    actor: ActorArg,
    customers: Vec<String>,
    manager: String,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<BatchOutcome, Error> {
    let inv = super::invocation(&actor, now, idempotency_key)?;
    let (ids, manager) = (super::customers(&customers)?, OperatorId::new(manager)?);
    desk.change(|d| d.assign_manager(&inv, &ids, &manager))
        .map(Into::into)
}

/// Unassigns the account manager of up to 100 customers; an outcome per customer.
pub fn unassign_manager(
    desk: &mut HostDesk,
    actor: ActorArg,
    customers: Vec<String>,
    now: Option<HostInstant>,
    idempotency_key: Option<String>,
) -> Result<BatchOutcome, Error> {
    let inv = super::invocation(&actor, now, idempotency_key)?;
    let ids = super::customers(&customers)?;
    desk.change(|d| d.unassign_manager(&inv, &ids))
        .map(Into::into)
}

/// A customer's account manager periods, oldest first.
pub fn manager_history(desk: &HostDesk, customer: String) -> Result<Vec<ManagerPeriod>, Error> {
    let id = super::customer(&customer)?;
    Ok(desk
        .manager_history(&id)
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Who managed a customer at an instant (none: nobody).
pub fn manager_at(
    desk: &HostDesk,
    customer: String,
    at: HostInstant,
) -> Result<Option<String>, Error> {
    let id = super::customer(&customer)?;
    Ok(desk.manager_at(&id, at.0)?.map(|m| m.as_str().to_owned()))
}

/// Spend of the customers `manager` managed, by period, between two billing days (both
/// included).
pub fn manager_spend(
    desk: &HostDesk,
    actor: ActorArg,
    manager: String,
    start: HostDay,
    end: HostDay,
) -> Result<Money, Error> {
    let (actor, manager) = (actor.to_core()?, OperatorId::new(manager)?);
    let (start, end) = (start.get("start")?, end.get("end")?);
    Ok(desk.manager_spend(&actor, &manager, start, end)?.into())
}

#[cfg(feature = "python")]
mod python {
    //! Python's own methods of this batch's records: reprs (ids, codes and amounts only, never
    //! a reason or a name), `len()` of a batch, and an item's refusal as the typed exception.
    use super::{BatchOutcome, BudgetRecord, ItemOutcome, ManagerPeriod};
    use crate::records::{BudgetUsage, Money};
    use pyo3::prelude::*;

    fn money(m: &Money) -> String {
        format!("Money('{}', '{}')", m.amount.0, m.currency)
    }

    #[pymethods]
    impl ItemOutcome {
        /// The customer (as `customer_id`).
        #[getter]
        fn customer(&self) -> &str {
            &self.customer_id
        }

        /// The refusal as the typed `PartnerDeskError` (not raised), or `None` when done.
        #[getter]
        fn error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
            let code = self.code.as_deref()?;
            let message = self.message.as_deref().unwrap_or_default();
            let details = self.details.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            Some(
                crate::python::exception(py, code, message, details)
                    .into_value(py)
                    .into_any(),
            )
        }

        fn __repr__(&self) -> String {
            match &self.code {
                None => format!("ItemOutcome(customer='{}', ok=True)", self.customer_id),
                Some(c) => format!(
                    "ItemOutcome(customer='{}', ok=False, code='{c}')",
                    self.customer_id
                ),
            }
        }
    }

    #[pymethods]
    impl BatchOutcome {
        /// How many customers the batch named.
        fn __len__(&self) -> usize {
            self.items.len()
        }

        /// The outcomes, one per customer, in the order given.
        fn __iter__(slf: PyRef<'_, Self>) -> PyResult<Bound<'_, PyAny>> {
            let list = pyo3::types::PyList::new(slf.py(), slf.items.clone())?;
            list.try_iter().map(Bound::into_any)
        }

        /// The outcome at `index` (negative from the end).
        fn __getitem__(&self, index: isize) -> PyResult<ItemOutcome> {
            let n = self.items.len() as isize;
            let i = if index < 0 { index + n } else { index };
            usize::try_from(i)
                .ok()
                .and_then(|i| self.items.get(i))
                .cloned()
                .ok_or_else(|| {
                    pyo3::exceptions::PyIndexError::new_err("batch outcome index out of range")
                })
        }

        /// The outcomes of the customers done, in order.
        #[getter]
        fn done(&self) -> Vec<ItemOutcome> {
            self.items.iter().filter(|i| i.ok).cloned().collect()
        }

        /// The outcomes of the customers refused, in order (each with `code` and `error`).
        #[getter]
        fn refused(&self) -> Vec<ItemOutcome> {
            self.items.iter().filter(|i| !i.ok).cloned().collect()
        }

        fn __repr__(&self) -> String {
            format!(
                "BatchOutcome(succeeded={}, failed={})",
                self.succeeded, self.failed
            )
        }
    }

    #[pymethods]
    impl ManagerPeriod {
        /// The customer (as `customer_id`).
        #[getter]
        fn customer(&self) -> &str {
            &self.customer_id
        }

        fn __repr__(&self) -> String {
            let current = if self.end.is_none() { "True" } else { "False" };
            format!(
                "ManagerPeriod(customer='{}', manager='{}', current={current})",
                self.customer_id, self.manager
            )
        }
    }

    #[pymethods]
    impl BudgetRecord {
        /// The customer (as `customer_id`).
        #[getter]
        fn customer(&self) -> &str {
            &self.customer_id
        }

        fn __repr__(&self) -> String {
            format!(
                "BudgetRecord(customer='{}', operation='{}', amount={})",
                self.customer_id,
                self.operation,
                money(&self.amount)
            )
        }
    }

    #[pymethods]
    impl BudgetUsage {
        fn __repr__(&self) -> String {
            format!(
                "BudgetUsage(used={}, remaining={}, percent=Decimal('{}'))",
                money(&self.used),
                money(&self.remaining),
                self.percent.0
            )
        }
    }
}

/// The operations of this batch, declared once (see [the grammar](super)).
#[macro_export]
macro_rules! governed_operations {
    ($expand:ident) => {
        $expand! {
            #[doc = " Freezes up to 10 reseller-model customers with a reason (1..256 characters) and a scope"]
            #[doc = " (default `account`); an outcome per customer. A refusal of the whole command (`TOO_MANY_IDS`,"]
            #[doc = " `INVALID_REASON`, `PERMISSION_DENIED`, `IDEMPOTENCY_CONFLICT`, ...) is an error."]
            write fn freeze(actor: $crate::ops::ActorArg, customers: Vec<String>, reason: String)
                [FreezeOptions {
                    #[doc = " `account` (default) or `account_and_resources`."] scope: Option<$crate::ops::governed::FreezeScope>,
                    #[doc = " The moment of the command (default: the current time)."] now: Option<$crate::HostInstant>,
                    #[doc = " A key that makes a retry return the first outcome and change nothing."] idempotency_key: Option<String>
                }]
                -> $crate::ops::governed::BatchOutcome => $crate::ops::governed::freeze;
            #[doc = " Unfreezes up to 10 customers; `scope` (default `account`) must be the one they were frozen"]
            #[doc = " with. An outcome per customer (`NOT_FROZEN`, `FREEZE_SCOPE_MISMATCH`, ...)."]
            write fn unfreeze(actor: $crate::ops::ActorArg, customers: Vec<String>, reason: String)
                [UnfreezeOptions {
                    #[doc = " `account` (default) or `account_and_resources`."] scope: Option<$crate::ops::governed::FreezeScope>,
                    #[doc = " The moment of the command (default: the current time)."] now: Option<$crate::HostInstant>,
                    #[doc = " A key that makes a retry return the first outcome and change nothing."] idempotency_key: Option<String>
                }]
                -> $crate::ops::governed::BatchOutcome => $crate::ops::governed::unfreeze;
            #[doc = " Sets (not adds) a reseller-model customer's budget: `amount` in (0, 2147483647] with at most"]
            #[doc = " 2 decimals, in the partner's currency unless `currency` says otherwise. Its auto-freeze"]
            #[doc = " happens when budgets are evaluated (`tick`, `evaluate_budgets`), not on this call."]
            write fn set_budget(actor: $crate::ops::ActorArg, customer: String, amount: $crate::HostDecimal)
                [SetBudgetOptions {
                    #[doc = " `monthly` (default) or `one_off`."] kind: Option<$crate::ops::governed::BudgetKind>,
                    #[doc = " Freeze the account when spend reaches 100% (default: no)."] auto_freeze: Option<bool>,
                    #[doc = " Unfreeze the account in the same call (default: no; needs the freeze item too)."] unfreeze: Option<bool>,
                    #[doc = " Alert thresholds in percent (such as 80 or 95.5), ascending."] thresholds: Option<$crate::ops::governed::Thresholds>,
                    #[doc = " The amount's currency (default: the partner's; another is `CURRENCY_MISMATCH`)."] currency: Option<String>,
                    #[doc = " The moment of the command (default: the current time)."] now: Option<$crate::HostInstant>,
                    #[doc = " A key that makes a retry return the first outcome and change nothing."] idempotency_key: Option<String>
                }]
                -> () => $crate::ops::governed::set_budget;
            #[doc = " A customer's budget usage at `now` (default: the current time); none without a budget."]
            read fn budget_usage(customer: String)
                [BudgetUsageOptions { #[doc = " The moment of the usage (default: the current time)."] now: Option<$crate::HostInstant> }]
                -> Option<$crate::records::BudgetUsage> => $crate::ops::governed::budget_usage;
            #[doc = " A customer's budget settings and deletions, oldest first."]
            read fn budget_records(customer: String)
                -> Vec<$crate::ops::governed::BudgetRecord> => $crate::ops::governed::budget_records;
            #[doc = " Evaluates every budget at `now` (default: the current time): thresholds, forecast,"]
            #[doc = " auto-freeze at 100% (the only moments, with `tick`, when a budget freezes); how many"]
            #[doc = " events that emitted."]
            write fn evaluate_budgets()
                [EvaluateBudgetsOptions { #[doc = " The moment of the evaluation (default: the current time)."] now: Option<$crate::HostInstant> }]
                -> u32 => $crate::ops::governed::evaluate_budgets;
            #[doc = " Assigns (or changes to) an account manager for up to 100 customers; an outcome per customer."]
            #[doc = " `OPERATOR_NOT_FOUND`, `NOT_ACCOUNT_MANAGER`, `PERMISSION_DENIED`, ... refuse the whole command."]
            write fn assign_manager(actor: $crate::ops::ActorArg, customers: Vec<String>, manager: String)
                [AssignManagerOptions {
                    #[doc = " The moment of the command (default: the current time)."] now: Option<$crate::HostInstant>,
                    #[doc = " A key that makes a retry return the first outcome and change nothing."] idempotency_key: Option<String>
                }]
                -> $crate::ops::governed::BatchOutcome => $crate::ops::governed::assign_manager;
            #[doc = " Unassigns the account manager of up to 100 customers; an outcome per customer."]
            write fn unassign_manager(actor: $crate::ops::ActorArg, customers: Vec<String>)
                [UnassignManagerOptions {
                    #[doc = " The moment of the command (default: the current time)."] now: Option<$crate::HostInstant>,
                    #[doc = " A key that makes a retry return the first outcome and change nothing."] idempotency_key: Option<String>
                }]
                -> $crate::ops::governed::BatchOutcome => $crate::ops::governed::unassign_manager;
            #[doc = " A customer's account manager periods, oldest first."]
            read fn manager_history(customer: String)
                -> Vec<$crate::ops::governed::ManagerPeriod> => $crate::ops::governed::manager_history;
            #[doc = " Who managed a customer at an instant (none: nobody)."]
            read fn manager_at(customer: String, at: $crate::HostInstant)
                -> Option<String> => $crate::ops::governed::manager_at;
            #[doc = " Spend of the customers `manager` managed, attributed by period, between two billing days"]
            #[doc = " (`2026-11-01`, both included). Needs the view-spend permission."]
            read fn manager_spend(actor: $crate::ops::ActorArg, manager: String, start: $crate::ops::analysis::HostDay, end: $crate::ops::analysis::HostDay)
                -> $crate::records::Money => $crate::ops::governed::manager_spend;
        }
    };
}
