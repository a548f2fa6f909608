//! What an account manager does from a phone: assign managers, freeze and unfreeze, set budgets,
//! request authorization, read a customer's overview, reveal a masked field, read the audit log.
//!
//! Why thin: every rule (permission items, reseller model, scopes, reasons, quotas, auditing,
//! idempotency) is the core's and is tested there; these methods parse the strings a host
//! sends (ids, amounts, times), call the core once under the desk's write lock, and mirror the
//! result. The acting operator is named on every call (`operator`, a login): a phone acts for
//! the signed-in operator, and the core denies whatever that operator was not granted. Every
//! changing call takes an optional idempotency key, so a retry after a dropped connection
//! returns the first outcome instead of acting twice.

use crate::desk::{Desk, customer_id};
use crate::error::{PartnerDeskError, Result};
use crate::types::{BudgetUsage, CustomerRow, SpendSummary, to_u64};
use partnerdesk::budget::BudgetSetting;
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::{CustomerId, IdempotencyKey, Invocation, OperatorId};
use partnerdesk_host::{Actor as HostActor, HostDecimal, HostInstant};

/// Freeze scope of a freeze or unfreeze.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FreezeScope {
    /// The account cannot buy, renew or change.
    Account,
    /// Services stop too; resources are released 15 days later unless unfrozen.
    AccountAndResources,
}

impl From<FreezeScope> for partnerdesk::FreezeScope {
    fn from(s: FreezeScope) -> Self {
        match s {
            FreezeScope::Account => partnerdesk::FreezeScope::Account,
            FreezeScope::AccountAndResources => partnerdesk::FreezeScope::AccountAndResources,
        }
    }
}

/// Kind of a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum BudgetKind {
    /// Counts the spend of the current billing month.
    Monthly,
    /// Counts the spend since the budget was set.
    OneOff,
}

impl From<BudgetKind> for partnerdesk::BudgetKind {
    fn from(k: BudgetKind) -> Self {
        match k {
            BudgetKind::Monthly => partnerdesk::BudgetKind::Monthly,
            BudgetKind::OneOff => partnerdesk::BudgetKind::OneOff,
        }
    }
}

pub use partnerdesk_host::ops::authorizations::AuthorizationScope;

/// The outcome for one customer of a batch (freeze, unfreeze, assign manager).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ItemOutcome {
    /// The customer.
    pub customer_id: String,
    /// `null` when done; the typed error when refused (read its `code()`).
    pub error: Option<PartnerDeskError>,
}

/// The outcome of a batch: one item per customer, in the order given. A refusal of one
/// customer does not stop the others.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BatchOutcome {
    /// One outcome per customer.
    pub items: Vec<ItemOutcome>,
    /// How many were done.
    pub succeeded: u64,
    /// How many were refused.
    pub failed: u64,
}

impl From<partnerdesk::command::BatchOutcome> for BatchOutcome {
    fn from(b: partnerdesk::command::BatchOutcome) -> Self {
        let succeeded = to_u64(b.succeeded());
        let failed = to_u64(b.failed());
        BatchOutcome {
            items: b
                .items
                .into_iter()
                .map(|i| ItemOutcome {
                    customer_id: i.customer.as_str().to_owned(),
                    error: i.result.err().map(Into::into),
                })
                .collect(),
            succeeded,
            failed,
        }
    }
}

pub use partnerdesk_host::ops::analysis::{OrderCounts, RenewalItem};

/// One customer's overview: the masked row, budget usage, order counts, resources to renew
/// and spend.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CustomerOverview {
    /// The masked row.
    pub row: CustomerRow,
    /// Budget usage, when the customer has a budget.
    pub budget: Option<BudgetUsage>,
    /// Order counts.
    pub orders: OrderCounts,
    /// Resources to renew within the days asked for, soonest first.
    pub resources_to_renew: Vec<RenewalItem>,
    /// Spend figures.
    pub spend: SpendSummary,
}

// ---- argument parsing ------------------------------------------------------------------------

pub(crate) fn parse_key(k: Option<String>) -> Result<Option<IdempotencyKey>> {
    Ok(k.map(IdempotencyKey::new).transpose()?)
}

/// The invocation of a governed command: who acts, `now` (default: the wall clock) and the
/// optional idempotency key, parsed in that order.
pub(crate) fn parse_invocation(
    actor: &HostActor,
    now: Option<HostInstant>,
    key: Option<String>,
) -> Result<Invocation> {
    let (actor, key) = (actor.to_core()?, parse_key(key)?);
    Ok(Invocation::new(actor, partnerdesk_host::at(now)).with_key(key))
}

pub(crate) fn parse_customer_ids(ids: &[String]) -> Result<Vec<CustomerId>> {
    ids.iter().map(|i| customer_id(i)).collect()
}

/// The domain's freeze (or unfreeze) command, validated: 1 to 10 distinct ids, a reason of 1
/// to 256 characters. Used by `Desk.freeze`/`unfreeze` and the Huawei request bodies alike.
pub(crate) fn freeze_request(
    customer_ids: &[String],
    scope: FreezeScope,
    reason: String,
) -> Result<FreezeRequest> {
    Ok(FreezeRequest::new(
        parse_customer_ids(customer_ids)?,
        scope.into(),
        reason,
    )?)
}

/// The domain's budget setting, validated: `amount` in (0, 2147483647] with at most 2
/// decimals. Used by `Desk.setBudget` and the Huawei request body alike.
pub(crate) fn budget_setting(
    amount: HostDecimal,
    currency: partnerdesk::Currency,
    kind: BudgetKind,
    auto_freeze: bool,
    unfreeze: bool,
    thresholds: &[String],
) -> Result<BudgetSetting> {
    let setting = BudgetSetting::new(
        partnerdesk::Money::new(amount.0, currency),
        kind.into(),
        auto_freeze,
        unfreeze,
    )?;
    if thresholds.is_empty() {
        return Ok(setting);
    }
    Ok(setting.with_thresholds(partnerdesk_host::thresholds(thresholds)?)?)
}

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl Desk {
    /// Assigns (or changes to) `manager` as account manager of up to 100 customers, with an
    /// outcome per customer. Needs `PD_ASSIGN_ACCOUNT_MANAGER`.
    #[uniffi::method(default(now = None, idempotency_key = None))]
    pub fn assign_manager(
        &self,
        actor: HostActor,
        customer_ids: Vec<String>,
        manager: String,
        now: Option<HostInstant>,
        idempotency_key: Option<String>,
    ) -> Result<BatchOutcome> {
        let inv = parse_invocation(&actor, now, idempotency_key)?;
        let ids = parse_customer_ids(&customer_ids)?;
        let manager = OperatorId::new(manager)?;
        let out = self.change(|d| d.assign_manager(&inv, &ids, &manager))?;
        Ok(out.into())
    }

    /// Unassigns the account manager of up to 100 customers, with an outcome per customer.
    #[uniffi::method(default(now = None, idempotency_key = None))]
    pub fn unassign_manager(
        &self,
        actor: HostActor,
        customer_ids: Vec<String>,
        now: Option<HostInstant>,
        idempotency_key: Option<String>,
    ) -> Result<BatchOutcome> {
        let inv = parse_invocation(&actor, now, idempotency_key)?;
        let ids = parse_customer_ids(&customer_ids)?;
        let out = self.change(|d| d.unassign_manager(&inv, &ids))?;
        Ok(out.into())
    }

    /// Freezes up to 10 reseller-model customers with a scope and a reason (1..256 characters),
    /// with an outcome per customer. Needs the freeze/unfreeze permission item.
    #[uniffi::method(default(now = None, idempotency_key = None))]
    pub fn freeze(
        &self,
        actor: HostActor,
        customer_ids: Vec<String>,
        scope: FreezeScope,
        reason: String,
        now: Option<HostInstant>,
        idempotency_key: Option<String>,
    ) -> Result<BatchOutcome> {
        let inv = parse_invocation(&actor, now, idempotency_key)?;
        let request = freeze_request(&customer_ids, scope, reason)?;
        Ok(self.change(|d| d.freeze(&inv, &request))?.into())
    }

    /// Unfreezes up to 10 customers; `scope` must be the one they were frozen with.
    #[uniffi::method(default(now = None, idempotency_key = None))]
    pub fn unfreeze(
        &self,
        actor: HostActor,
        customer_ids: Vec<String>,
        scope: FreezeScope,
        reason: String,
        now: Option<HostInstant>,
        idempotency_key: Option<String>,
    ) -> Result<BatchOutcome> {
        let inv = parse_invocation(&actor, now, idempotency_key)?;
        let request = freeze_request(&customer_ids, scope, reason)?;
        Ok(self.change(|d| d.unfreeze(&inv, &request))?.into())
    }

    /// Sets (not adds) a reseller-model customer's budget. `amount` is exact (a `BigDecimal` in
    /// Kotlin, at most 2 decimals, up to 2147483647) in `currency` (the partner's when
    /// `null`). `unfreeze` also unfreezes the account in the same call. `thresholds`: alert
    /// thresholds in percent (decimal strings such as `"80"`), ascending.
    #[uniffi::method(default(
        now = None,
        auto_freeze = false,
        unfreeze = false,
        currency = None,
        idempotency_key = None,
        thresholds = []
    ))]
    #[allow(clippy::too_many_arguments)]
    pub fn set_budget(
        &self,
        actor: HostActor,
        customer_id: String,
        amount: HostDecimal,
        kind: BudgetKind,
        now: Option<HostInstant>,
        auto_freeze: bool,
        unfreeze: bool,
        currency: Option<String>,
        idempotency_key: Option<String>,
        thresholds: Vec<String>,
    ) -> Result<()> {
        let inv = parse_invocation(&actor, now, idempotency_key)?;
        let id = crate::desk::customer_id(&customer_id)?;
        let currency = currency
            .map(|c| partnerdesk::Currency::new(&c))
            .transpose()?;
        let currency = currency.unwrap_or(self.read().partner().currency);
        let setting = budget_setting(amount, currency, kind, auto_freeze, unfreeze, &thresholds)?;
        self.change(|d| d.set_budget(&inv, &id, &setting))
    }

    /// A customer's budget usage at `now` (`null` without a budget).
    #[uniffi::method(default(now = None))]
    pub fn budget_usage(
        &self,
        customer_id: String,
        now: Option<HostInstant>,
    ) -> Result<Option<BudgetUsage>> {
        let now = partnerdesk_host::at(now);
        let id = crate::desk::customer_id(&customer_id)?;
        Ok(self.read().budget_usage(&id, now)?.map(Into::into))
    }

    /// A customer's overview at `now`, as `operator` may see it (needs the view-customers and
    /// view-spend items): masked row, budget usage, order counts, resources to renew within
    /// `renew_within_days` (30 by default) and spend.
    #[uniffi::method(default(now = None, renew_within_days = 30))]
    pub fn overview(
        &self,
        actor: HostActor,
        customer_id: String,
        now: Option<HostInstant>,
        renew_within_days: u32,
    ) -> Result<CustomerOverview> {
        use partnerdesk_host::ops::{ActorArg, analysis};
        let id = crate::desk::customer_id(&customer_id)?;
        let desk = self.read();
        let arg = || ActorArg::Value(actor.clone());
        let days = i64::from(renew_within_days);
        let orders = analysis::order_overview(&desk, arg(), Some(customer_id.clone()))?;
        let resources_to_renew =
            analysis::resources_to_renew(&desk, arg(), days, Some(customer_id.clone()), now)?;
        let spend = analysis::spend_summary(&desk, arg(), Some(customer_id), now)?;
        let now = partnerdesk_host::at(now);
        Ok(CustomerOverview {
            row: desk.customer_row(&id, now)?.into(),
            budget: desk.budget_usage(&id, now)?.map(Into::into),
            orders,
            resources_to_renew,
            spend,
        })
    }
}
