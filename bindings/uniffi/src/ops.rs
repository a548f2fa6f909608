//! What an account manager does from a phone (assignments, freezes and budgets are declared
//! once in `partnerdesk_host::ops`): request authorization, read a customer's overview, reveal a masked field, read the audit log.
//!
//! Why thin: every rule (permission items, reseller model, scopes, reasons, quotas, auditing,
//! idempotency) is the core's and is tested there; these methods parse the strings a host
//! sends (ids, amounts, times), call the core once under the desk's write lock, and mirror the
//! result. The acting operator is named on every call (`operator`, a login): a phone acts for
//! the signed-in operator, and the core denies whatever that operator was not granted. Every
//! changing call takes an optional idempotency key, so a retry after a dropped connection
//! returns the first outcome instead of acting twice.

use crate::desk::{Desk, customer_id};
use crate::error::Result;
use crate::types::{BudgetUsage, CustomerRow, SpendSummary};
use partnerdesk::{CustomerId, IdempotencyKey, Invocation};
use partnerdesk_host::{Actor as HostActor, HostInstant};

pub use partnerdesk_host::ops::authorizations::AuthorizationScope;

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

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl Desk {
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
