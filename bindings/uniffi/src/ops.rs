//! A customer's overview for a phone (the governed commands, analysis, association,
//! authorizations, masking and the audit log are declared once in `partnerdesk_host::ops` and
//! expanded in `declared.rs`), and the parsing of customer id lists the exports share.
//!
//! Why thin: every rule (permission items, masking, auditing) is the core's and is tested
//! there; the overview reads the declared analysis bodies and the core once under the desk's
//! read lock, as the acting operator (`actor`) may see it.

use crate::desk::{Desk, customer_id};
use crate::error::Result;
use crate::types::{BudgetUsage, CustomerRow, SpendSummary};
use partnerdesk::CustomerId;
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

pub(crate) fn parse_customer_ids(ids: &[String]) -> Result<Vec<CustomerId>> {
    ids.iter().map(|i| customer_id(i)).collect()
}

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl Desk {
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
