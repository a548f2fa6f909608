//! Huawei BSS interop for Kotlin and Swift: import response pages into a desk, build request
//! bodies from validated commands, read Huawei's answers per customer, plan pages.
//!
//! Why JSON text in and out: the app does the HTTP (with its own AK/SK signing) and hands the
//! response text in; request bodies come back as JSON text ready to send. Text keeps amounts
//! exact (a budget of `1500.50` never becomes a `Double` on the way) and keeps absent, `null`
//! and `""` apart exactly as the adapter (`partnerdesk-huawei`) decided. Every rule (codes of
//! both sites, tri-states, merging pages, the domain's validation of commands, the meaning of
//! `CBC.*` codes) is the adapter's and the core's, tested there; this module parses the strings
//! a host sends, calls the adapter once and mirrors the result. Its errors go through the one
//! `From<HuaweiError>` of [`crate::error`].

use crate::desk::{Desk, customer_id, parse_query};
use crate::error::Result;
use crate::ops::parse_customer_ids;
use crate::types::{Money, format_time, to_u64};
use partnerdesk::{Partner, PartnerId, ResellerId, YearMonth};
use partnerdesk_host::ops::governed::{
    BatchOutcome, BudgetKind, FreezeScope, budget_setting, freeze_request,
};
use partnerdesk_host::{HostDecimal, HostInstant};
use partnerdesk_huawei::import::{self, ImportOptions};
use partnerdesk_huawei::paging::{self, PagePlan};
use partnerdesk_huawei::{
    ApiError, ApiErrorKind, HuaweiError, fixtures, listing, request, response,
};
use std::collections::HashMap;
use std::sync::Arc;

/// A Huawei Cloud site: it decides the wire codes, the currency and the billing day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Site {
    /// The China site: association codes `1`/`2`, CNY, billing day in UTC+8.
    China,
    /// The international site: association codes `1`/`3`, USD, billing day in UTC.
    International,
}

impl From<Site> for partnerdesk::Site {
    fn from(s: Site) -> Self {
        match s {
            Site::China => partnerdesk::Site::China,
            Site::International => partnerdesk::Site::International,
        }
    }
}

/// The partner's tier in the Huawei partner programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Tier {
    /// Cloud solution provider.
    SolutionProvider,
    /// Distributor (tier 1): acts on its resellers' customers too.
    Distributor,
    /// Reseller (tier 2, an "indirect partner").
    Reseller,
}

impl From<Tier> for partnerdesk::Tier {
    fn from(t: Tier) -> Self {
        match t {
            Tier::SolutionProvider => partnerdesk::Tier::SolutionProvider,
            Tier::Distributor => partnerdesk::Tier::Distributor,
            Tier::Reseller => partnerdesk::Tier::Reseller,
        }
    }
}

/// One import: which Huawei response, its pages (JSON text, merged in order) and what that
/// response needs to be read (the customer it is about, the billing cycle `YYYY-MM`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum HuaweiImport {
    /// `ListSubCustomers` pages of either site (the desk's partner decides the codes). Adds new
    /// customers, updates known ones.
    ListSubCustomers {
        /// The response pages.
        pages: Vec<String>,
    },
    /// `ShowSubCustomerBudget` of one customer (one response).
    Budget {
        /// The customer the response is about.
        customer_id: String,
        /// The response.
        page: String,
    },
    /// `ListSubCustomerBudget` pages.
    Budgets {
        /// The response pages.
        pages: Vec<String>,
    },
    /// `ListSubCustomerBudgetRecords` pages of one customer.
    BudgetRecords {
        /// The customer the records are about.
        customer_id: String,
        /// The response pages.
        pages: Vec<String>,
    },
    /// Pay-per-use (on-demand) resources.
    OnDemandResources {
        /// The response pages.
        pages: Vec<String>,
    },
    /// Yearly/monthly resources of one customer.
    SubscriptionResources {
        /// The customer the resources belong to.
        customer_id: String,
        /// The response pages.
        pages: Vec<String>,
    },
    /// `ListCustomerOrders` pages.
    Orders {
        /// The response pages.
        pages: Vec<String>,
    },
    /// Bill fee records of a billing cycle (charging modes 1/3/10/11) into spend records.
    FeeRecords {
        /// The billing cycle, `YYYY-MM`.
        cycle: String,
        /// The response pages.
        pages: Vec<String>,
    },
    /// Monthly bill sums of a billing cycle into spend records.
    MonthlyBills {
        /// The billing cycle, `YYYY-MM`.
        cycle: String,
        /// The response pages.
        pages: Vec<String>,
    },
}

/// Something an import kept as well as it could (never a value, never personal data).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportWarning {
    /// The customer concerned, if one.
    pub customer_id: Option<String>,
    /// The JSON path of the field, e.g. `customer_infos[1].email`.
    pub field: String,
    /// What was done about it.
    pub reason: String,
}

/// One budget setting or deletion read from `ListSubCustomerBudgetRecords`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportedBudgetRecord {
    /// The customer.
    pub customer_id: String,
    /// `setting` or `delete` (or a newer operation, verbatim).
    pub operation: String,
    /// The amount set (or removed).
    pub amount: Money,
    /// `monthly` or `one_off` (or a newer kind, verbatim).
    pub kind: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The operator login, or `system`.
    pub operator: String,
}

/// Budget use as Huawei reports it (delayed and approximate; the desk derives use from spend).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HuaweiBudgetUsed {
    /// The customer.
    pub customer_id: String,
    /// Huawei's `used_amount`.
    pub used: Money,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportReport {
    /// Customers added (customer-list imports only).
    pub added: Vec<String>,
    /// Customers already on the desk that a customer-list import updated.
    pub updated: Vec<String>,
    /// Account managers added as operators.
    pub operators_added: Vec<String>,
    /// The total the first page reported (`count` / `total_count`), if it did.
    pub reported_total: Option<u64>,
    /// Items (customers, budgets, resources, orders, bill lines) read from the pages.
    pub items: u64,
    /// Budgets set or refreshed.
    pub budgets_set: u64,
    /// Budgets removed.
    pub budgets_removed: u64,
    /// Resources added or refreshed.
    pub resources: u64,
    /// Orders added or refreshed.
    pub orders: u64,
    /// Spend records written.
    pub spend_records: u64,
    /// Budget records read, oldest first.
    pub budget_records: Vec<ImportedBudgetRecord>,
    /// Budget use as Huawei reports it, per customer (to reconcile with the desk's).
    pub huawei_budget_used: Vec<HuaweiBudgetUsed>,
    /// What was left out or changed.
    pub warnings: Vec<ImportWarning>,
}

impl From<partnerdesk_huawei::ImportReport> for ImportReport {
    fn from(r: partnerdesk_huawei::ImportReport) -> Self {
        let ids = |v: Vec<partnerdesk::CustomerId>| -> Vec<String> {
            v.iter().map(|i| i.as_str().to_owned()).collect()
        };
        ImportReport {
            added: ids(r.added),
            updated: ids(r.updated),
            operators_added: r
                .operators_added
                .iter()
                .map(|o| o.as_str().to_owned())
                .collect(),
            reported_total: r.reported_total,
            items: to_u64(r.items),
            budgets_set: to_u64(r.budgets_set),
            budgets_removed: to_u64(r.budgets_removed),
            resources: to_u64(r.resources),
            orders: to_u64(r.orders),
            spend_records: to_u64(r.spend_records),
            budget_records: r
                .budget_records
                .into_iter()
                .map(|b| ImportedBudgetRecord {
                    customer_id: b.customer.as_str().to_owned(),
                    operation: b.operation.as_str().to_owned(),
                    amount: b.amount.into(),
                    kind: b.kind.as_str().to_owned(),
                    at: format_time(b.at),
                    operator: b.operator,
                })
                .collect(),
            huawei_budget_used: r
                .huawei_budget_used
                .into_iter()
                .map(|(c, used)| HuaweiBudgetUsed {
                    customer_id: c.as_str().to_owned(),
                    used: used.into(),
                })
                .collect(),
            warnings: r
                .warnings
                .into_iter()
                .map(|w| ImportWarning {
                    customer_id: w.customer.map(|c| c.as_str().to_owned()),
                    field: w.field,
                    reason: w.reason,
                })
                .collect(),
        }
    }
}

/// One customer's outcome of a remote operation, as Huawei answered it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RemoteItem {
    /// The customer.
    pub customer_id: String,
    /// Whether Huawei did it.
    pub ok: bool,
    /// Huawei's code, verbatim (`CBC.5024`, or one this version does not know), when refused.
    pub huawei_code: Option<String>,
    /// What it means, as a stable code (`WRONG_ASSOCIATION_TYPE`, `THROTTLED`,
    /// `HUAWEI_UNKNOWN_ERROR`, ...; see [`huawei_api_kinds`]), when refused.
    pub code: Option<String>,
    /// Huawei's own text, verbatim, when refused: for the operator's eyes only. It may echo a
    /// value that was sent (a name, a number), so do not log it; it is never in an error.
    pub huawei_message: Option<String>,
    /// Milliseconds to wait before the first retry, when a retry may help.
    pub retry_after_ms: Option<u64>,
}

impl RemoteItem {
    fn of(customer_id: &str, result: std::result::Result<(), &ApiError>) -> Self {
        let err = result.err();
        RemoteItem {
            customer_id: customer_id.to_owned(),
            ok: err.is_none(),
            huawei_code: err.map(|e| e.huawei_code.clone()),
            code: err.map(|e| e.code().to_owned()),
            huawei_message: err.map(|e| e.message.expose().clone()),
            retry_after_ms: err
                .and_then(|e| e.retry_after(0))
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        }
    }
}

/// The outcome of a remote batch operation: one item per requested customer, in order.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RemoteOutcome {
    /// One per requested customer, in the order asked.
    pub items: Vec<RemoteItem>,
    /// Failures Huawei reported for ids that were not requested (kept, never dropped).
    pub unexpected: Vec<RemoteItem>,
    /// How many succeeded.
    pub succeeded: u64,
    /// How many failed.
    pub failed: u64,
    /// Whether there are failures and every one may succeed on a retry.
    pub retryable: bool,
    /// The same outcome in the core's terms, as a local batch command reports it (each failure
    /// as the core's error where one has the same meaning, else `INVALID_ARGUMENT`).
    pub as_batch: BatchOutcome,
}

impl From<response::RemoteOutcome> for RemoteOutcome {
    fn from(o: response::RemoteOutcome) -> Self {
        RemoteOutcome {
            items: o
                .items
                .iter()
                .map(|i| RemoteItem::of(i.customer.as_str(), i.result.as_ref().map(|_| ())))
                .collect(),
            unexpected: o
                .unexpected
                .iter()
                .map(|(id, e)| RemoteItem::of(id, Err(e)))
                .collect(),
            succeeded: to_u64(o.succeeded()),
            failed: to_u64(o.failed()),
            retryable: o.is_retryable(),
            as_batch: o.to_batch_outcome().into(),
        }
    }
}

/// One page to request: `offset` and `limit` as `ListSubCustomers` takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ApiPage {
    /// Record offset, 0-based (at most 40,000,000).
    pub offset: u64,
    /// Page size (1..=100).
    pub limit: u32,
}

/// A query split into what `ListSubCustomers` filters and what the desk applies locally. A
/// customer matches the query exactly when the API returns it for `api_body` and it matches
/// `local_filter`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QuerySplit {
    /// The `ListSubCustomers` request body for the page asked for (JSON text).
    pub api_body: String,
    /// The part applied locally, as a text filter for `Desk.search` (`*` when none).
    pub local_filter: String,
}

// ---- argument parsing ------------------------------------------------------------------------

fn reseller(r: Option<String>) -> Result<Option<ResellerId>> {
    Ok(r.map(ResellerId::new).transpose()?)
}

fn cycle(text: &str) -> Result<YearMonth> {
    Ok(text.trim().parse::<YearMonth>()?)
}

fn json_text(v: &serde_json::Value) -> Result<String> {
    serde_json::to_string(v).map_err(|e| partnerdesk::Error::from(e).into())
}

fn texts(pages: &[String]) -> Vec<&str> {
    pages.iter().map(String::as_str).collect()
}

/// Runs one import on a desk (all or nothing: a refused import changes nothing).
fn run_import(
    desk: &mut partnerdesk::Desk,
    step: &HuaweiImport,
    opts: &ImportOptions,
) -> Result<partnerdesk_huawei::ImportReport> {
    let report = match step {
        HuaweiImport::ListSubCustomers { pages } => {
            import::import_list_sub_customers(desk, opts, &texts(pages))
        }
        HuaweiImport::Budget {
            customer_id: c,
            page,
        } => import::import_budget(desk, opts, &customer_id(c)?, page),
        HuaweiImport::Budgets { pages } => import::import_budgets(desk, opts, &texts(pages)),
        HuaweiImport::BudgetRecords {
            customer_id: c,
            pages,
        } => import::import_budget_records(desk, opts, &customer_id(c)?, &texts(pages)),
        HuaweiImport::OnDemandResources { pages } => {
            import::import_on_demand_resources(desk, opts, &texts(pages))
        }
        HuaweiImport::SubscriptionResources {
            customer_id: c,
            pages,
        } => import::import_subscription_resources(desk, opts, &customer_id(c)?, &texts(pages)),
        HuaweiImport::Orders { pages } => import::import_orders(desk, &texts(pages)),
        HuaweiImport::FeeRecords { cycle: c, pages } => {
            import::import_fee_records(desk, cycle(c)?, &texts(pages))
        }
        HuaweiImport::MonthlyBills { cycle: c, pages } => {
            import::import_monthly_bills(desk, cycle(c)?, &texts(pages))
        }
    };
    Ok(report?)
}

// ---- exported ----------------------------------------------------------------------------------

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl Desk {
    /// A new, empty desk for a partner, to import Huawei responses into. The site decides the
    /// currency (CNY or USD) and the billing day; `now` (RFC 3339) fixes the billing month.
    #[uniffi::constructor(default(now = None))]
    pub fn empty(
        partner_id: String,
        name: String,
        site: Site,
        tier: Tier,
        now: Option<HostInstant>,
    ) -> Result<Arc<Self>> {
        let now = partnerdesk_host::at(now);
        let partner = Partner::new(PartnerId::new(partner_id)?, name, site.into(), tier.into());
        Ok(Desk::wrap(partnerdesk::Desk::new(partner, now)))
    }

    /// A desk started from the adapter's built-in fixture responses of a site, as a host builds
    /// one from real responses: the customer lists (merged), then budgets (international) or
    /// resources, orders and bills (China).
    #[uniffi::constructor(default(now = None))]
    pub fn from_huawei_fixtures(site: Site, now: Option<HostInstant>) -> Result<Arc<Self>> {
        let now = partnerdesk_host::at(now);
        let (desk, _reports) = fixtures::desk(site.into(), now)?;
        Ok(Desk::wrap(desk))
    }

    /// Imports one Huawei response (all its pages, merged in order) into the desk at `now`, and
    /// says what it did. `reseller_id` names the reseller (`indirect_partner_id`) the responses
    /// were fetched through. All or nothing: a refused import (`HUAWEI_API_ERROR` for an error
    /// envelope, `HUAWEI_INVALID_DATA`, `MALFORMED_JSON`, ...) changes nothing.
    #[uniffi::method(default(now = None, reseller_id = None))]
    pub fn import_huawei(
        &self,
        step: HuaweiImport,
        now: Option<HostInstant>,
        reseller_id: Option<String>,
    ) -> Result<ImportReport> {
        let mut opts = ImportOptions::at(partnerdesk_host::at(now));
        if let Some(r) = reseller(reseller_id)? {
            opts = opts.through_reseller(r);
        }
        // The import's own errors (Huawei's) cross the change as its value: a refused import
        // changes nothing, so nothing is committed for it.
        let report = self.change(|d| Ok(run_import(d, &step, &opts)))??;
        Ok(report.into())
    }
}

/// The adapter's own error codes (the core's are in [`error_codes`](crate::error_codes)).
#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
pub fn huawei_error_codes() -> Vec<String> {
    HuaweiError::CODES.iter().map(|c| (*c).to_owned()).collect()
}

/// The stable codes a Huawei answer can mean (`RemoteItem.code`, `HuaweiApiError.kind`):
/// `WRONG_ASSOCIATION_TYPE` for `CBC.5024`, `THROTTLED` for `CBC.0250`, ...,
/// `HUAWEI_UNKNOWN_ERROR` for a code this version does not know.
#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
pub fn huawei_api_kinds() -> Vec<String> {
    ApiErrorKind::CODES
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
}

/// The fixture responses and bodies shipped with the adapter: file name -> JSON text (for
/// trying things out and for tests).
#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
pub fn huawei_fixtures() -> HashMap<String, String> {
    fixtures::ALL
        .iter()
        .map(|(name, json)| ((*name).to_owned(), (*json).to_owned()))
        .collect()
}

/// The `FreezeSubCustomers` request body (JSON text) of a freeze command, validated by the
/// domain first (1 to 10 distinct ids: `TOO_MANY_IDS`; a reason of 1 to 256 characters:
/// `INVALID_REASON`), so a refused command never becomes a request.
#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export(default(reseller_id = None))]
pub fn huawei_freeze_body(
    customer_ids: Vec<String>,
    scope: FreezeScope,
    reason: String,
    reseller_id: Option<String>,
) -> Result<String> {
    let req = freeze_request(&customer_ids, Some(scope), reason)?;
    json_text(&request::freeze_json(
        &req,
        reseller(reseller_id)?.as_ref(),
    )?)
}

/// The `UnfreezeSubCustomers` request body (JSON text) of an unfreeze command (validated like
/// the freeze; the scope must be the one the customers were frozen with).
#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export(default(reseller_id = None))]
pub fn huawei_unfreeze_body(
    customer_ids: Vec<String>,
    scope: FreezeScope,
    reason: String,
    reseller_id: Option<String>,
) -> Result<String> {
    let req = freeze_request(&customer_ids, Some(scope), reason)?;
    json_text(&request::unfreeze_json(
        &req,
        reseller(reseller_id)?.as_ref(),
    )?)
}

/// The `UpdateSubCustomerBudget` request body (JSON text) of a budget setting, validated by
/// the domain first: `amount` (`BigDecimal` in Kotlin) is in (0, 2147483647] with at most 2 decimals
/// (`INVALID_MONEY` otherwise); it is written as a JSON number with the decimal's exact digits.
#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export(default(auto_freeze = false, unfreeze = false, reseller_id = None))]
pub fn huawei_budget_body(
    customer_id: String,
    amount: HostDecimal,
    currency: String,
    kind: BudgetKind,
    auto_freeze: bool,
    unfreeze: bool,
    reseller_id: Option<String>,
) -> Result<String> {
    let id = crate::desk::customer_id(&customer_id)?;
    let amount = Money { amount, currency };
    let setting = budget_setting(amount, kind, auto_freeze, unfreeze, None)?;
    json_text(&request::budget_json(
        &id,
        &setting,
        reseller(reseller_id)?.as_ref(),
    )?)
}

/// Reads Huawei's answer to a freeze, unfreeze or budget request: one outcome per requested
/// customer, from the HTTP status (when known) and the body text (empty when all was done; the
/// error envelope when all failed; `error_details` when some failed with HTTP 200). Unknown
/// codes are kept (`HUAWEI_UNKNOWN_ERROR` with Huawei's code and text).
#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
pub fn huawei_batch_outcome(
    requested_ids: Vec<String>,
    http_status: Option<u16>,
    body: String,
) -> Result<RemoteOutcome> {
    let ids = parse_customer_ids(&requested_ids)?;
    Ok(response::batch_outcome(&ids, http_status, &body)?.into())
}

/// The pages that cover `total` customers, `limit` (1..=100) at a time, every one exactly once
/// and within the API's bounds (`INVALID_PAGE` for a bad limit, `HUAWEI_PAGING_OUT_OF_BOUNDS`
/// when offsets would pass 40,000,000).
#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export(default(limit = 100))]
pub fn huawei_page_plan(total: u64, limit: u32) -> Result<Vec<ApiPage>> {
    Ok(PagePlan::covering(total, limit)?
        .pages
        .iter()
        .map(|p| ApiPage {
            offset: p.offset,
            limit: p.limit,
        })
        .collect())
}

/// Splits a text filter into the `ListSubCustomers` body of one page (`offset`, `limit` per
/// page, the API's default 10) for `site`, and the part the desk applies locally.
#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export(default(offset = 0, limit = 10))]
pub fn huawei_split_query(
    filter: String,
    site: Site,
    offset: u64,
    limit: u32,
) -> Result<QuerySplit> {
    let split = listing::split_query(&parse_query(&filter, false)?);
    let body = split
        .api
        .body(site.into(), paging::ApiPage::new(offset, limit)?)?;
    let api_body = serde_json::to_string(&body).map_err(partnerdesk::Error::from)?;
    Ok(QuerySplit {
        api_body,
        local_filter: split.local.filter.to_string(),
    })
}
