//! Importing Huawei responses into a [`Desk`](partnerdesk::Desk).
//!
//! Why an importer and not `From` impls: a response is one page of a larger listing, its codes
//! depend on the site, it names account managers by login only, and its "absent", `null` and
//! `""` mean different things. The importer merges pages into what the desk already knows:
//!
//! - **Merging.** Every function takes all pages of one listing (`&[&str]`, each the JSON text of
//!   one response). A customer seen twice (pages drift while a listing changes) is imported
//!   once, the last sighting winning. A customer already on the desk is updated in place: its
//!   resources, orders, spend, budget and history stay unless the import is about them.
//! - **Absent, `null`, `""`.** An absent member means "this response does not report it": the
//!   desk keeps what it knows. `null` and `""` mean "reported, and empty": the value is cleared
//!   (`label` → no tags, `email` → none, `account_managers: []` → no manager). A required member
//!   (`customer_id`; `account_name`, `associated_on` and `association_type` for a customer the
//!   desk does not know yet) missing is an error.
//! - **All or nothing.** The whole import is converted and checked before the desk changes; if
//!   the desk refuses a customer, the customers already written are restored. An error leaves
//!   the desk as it was. An optional personal field that is malformed (an e-mail without `@`, a
//!   phone number with letters, as a masked one would be) does not fail the import: the field
//!   is left empty and an [`ImportWarning`] names the customer id and field, never the value.
//! - **Managers.** `account_managers[].account_name` is a login. An unknown login becomes an
//!   [`Operator`](partnerdesk::Operator) (role operator, no permission items, account manager,
//!   name = the login).
//! - **Freeze.** `is_frozen` becomes the freeze scope (China `1` account, `2` account and
//!   resources; international `1` "scope unknown"), origin
//!   [`FreezeOrigin::Imported`](partnerdesk::FreezeOrigin::Imported), by `system`, at the
//!   import's `now`. A freeze the desk already holds with the same (or a more precise) scope is
//!   kept with its reason, origin and time.
//! - **Money.** Amounts are parsed from the JSON text ([`crate::wire::Amount`]); `measure_id`
//!   `2` (tenths) and `3` (hundredths) are scaled exactly; a currency other than the partner's is
//!   the core's `CURRENCY_MISMATCH`.
//! - **Spend.** Fee records (`ListSubCustomerBillDetail`) are summed per customer, billing day,
//!   service and charging mode; monthly sums (`ListSubcustomerMonthlyBills`) become one record
//!   per customer, service and charging mode on the first day of the cycle. Either import
//!   *replaces* the spend of the customers it names in the cycles it covers, so importing the
//!   same bills twice never counts them twice. Import a cycle from one of the two sources only.
//!
//! One module per import kind (`customers`, `budgets`, `resources`, `orders`, `bills`), on the
//! page loop and member readers of `read` and the all-or-nothing write of `commit`; every
//! function is re-exported here.

mod bills;
mod budgets;
mod commit;
mod customers;
mod orders;
mod read;
mod resources;

pub use bills::{import_fee_records, import_monthly_bills};
pub use budgets::{import_budget, import_budget_records, import_budgets};
pub use customers::import_list_sub_customers;
pub use orders::import_orders;
pub use read::{error_of, parse_response, parse_time};
pub use resources::{import_on_demand_resources, import_subscription_resources};

use chrono::{DateTime, Utc};
use partnerdesk::budget::BudgetRecord;
use partnerdesk::{CustomerId, Money, OperatorId, ResellerId};

/// Who froze or set something when the import does not say: Huawei's own records use `system`.
pub const SYSTEM: &str = "system";

/// How an import runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// The moment of the import (times the responses do not give, e.g. when a freeze began).
    pub now: DateTime<Utc>,
    /// The reseller whose customers the responses list (the request's `indirect_partner_id`),
    /// recorded on each customer's association. `None` keeps what the desk knows.
    pub reseller: Option<ResellerId>,
}

impl ImportOptions {
    /// Options for an import at `now`, not through a reseller.
    pub fn at(now: DateTime<Utc>) -> Self {
        ImportOptions {
            now,
            reseller: None,
        }
    }

    /// The same options for the customers of a reseller.
    pub fn through_reseller(mut self, reseller: ResellerId) -> Self {
        self.reseller = Some(reseller);
        self
    }
}

/// Something an import left out or changed, per customer and field (never the value).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportWarning {
    /// The customer, when the warning is about one.
    pub customer: Option<CustomerId>,
    /// The JSON path, e.g. `customer_infos[1].email`.
    pub field: String,
    /// What happened.
    pub reason: String,
}

/// What an import did (serializes to JSON for bindings).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ImportReport {
    /// Customers added to the desk (customer-list imports only; the other imports never add
    /// customers and warn about ones the desk does not hold).
    pub added: Vec<CustomerId>,
    /// Customers already on the desk that a customer-list import updated.
    pub updated: Vec<CustomerId>,
    /// Operators created for unknown account manager logins.
    pub operators_added: Vec<OperatorId>,
    /// The total the first page reported (`count` / `total_count`), if it did.
    pub reported_total: Option<u64>,
    /// Items (customers, budgets, resources, orders, bill lines) read from the pages.
    pub items: usize,
    /// Budgets set or refreshed.
    pub budgets_set: usize,
    /// Budgets removed.
    pub budgets_removed: usize,
    /// Resources added or refreshed.
    pub resources: usize,
    /// Orders added or refreshed.
    pub orders: usize,
    /// Spend records written.
    pub spend_records: usize,
    /// Budget records read (from `ListSubCustomerBudgetRecords`), oldest first.
    pub budget_records: Vec<BudgetRecord>,
    /// Budget use as Huawei reports it (`used_amount`, delayed and approximate), per customer:
    /// not stored on the desk, which derives use from spend, but here to reconcile the two.
    pub huawei_budget_used: Vec<(CustomerId, Money)>,
    /// What was left out or changed.
    pub warnings: Vec<ImportWarning>,
}

impl ImportReport {
    /// Warns about `field` of customer `id` (the reason, never the value).
    fn warn(&mut self, id: &CustomerId, field: String, reason: &str) {
        self.warnings.push(ImportWarning {
            customer: Some(id.clone()),
            field,
            reason: reason.to_owned(),
        });
    }
}
