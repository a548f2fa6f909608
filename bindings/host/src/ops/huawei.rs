//! Huawei BSS interop, declared once for every host (see [the grammar](super)): imports of
//! response pages into a desk, request bodies of validated commands, Huawei's answers per
//! customer, paging plans and the split of a query.
//!
//! Why response text in and [`HostJson`] out: the host does the HTTP (with its own AK/SK
//! signing), so it holds response text and needs bodies it can send. A body is a `dict` in
//! Python (amounts as `decimal.Decimal`, never through a float, ready for `json.dumps` or the
//! official SDK's models) and JSON text in JS, Kotlin and Swift (text keeps a budget of
//! `1500.50` exact and keeps absent, `null` and `""` apart as the adapter decided). Every rule
//! (codes of both sites, tri-states, merging pages, the domain's validation of commands, the
//! meaning of `CBC.*` codes) is the adapter's (`partnerdesk-huawei`), tested there: a body here
//! parses the arguments, calls the adapter once and converts its result. Errors are
//! [`HuaweiError`]s, which each host maps once (a core error keeps its own code and class).

use super::governed::{
    BatchOutcome, BudgetKind, FreezeScope, Thresholds, budget_setting, freeze_request,
};
use crate::records::{Money, count32, texts};
use crate::{HostDecimal, HostDesk, HostInstant, at, invalid};
use partnerdesk::{CustomerId, Desk, ResellerId, YearMonth};
use partnerdesk_huawei::import::{self, ImportOptions};
use partnerdesk_huawei::paging::{self, PagePlan};
use partnerdesk_huawei::{
    ApiError, ApiErrorKind, HuaweiError, fixtures, listing, request, response,
};
use std::collections::HashMap;

crate::host_enum!(
    #[doc = " A Huawei Cloud site: it decides the wire codes, the currency and the billing day."]
    Site, "site" {
        #[doc = " The China site: association codes `1`/`2`, CNY, billing day in UTC+8."]
        China = "china",
        #[doc = " The international site: association codes `1`/`3`, USD, billing day in UTC."]
        International = "international",
    }
);

crate::host_enum!(
    #[doc = " The partner's tier in the Huawei partner programme."]
    Tier, "tier" {
        #[doc = " Cloud solution provider."]
        SolutionProvider = "solution_provider",
        #[doc = " Distributor (tier 1): acts on its resellers' customers too."]
        Distributor = "distributor",
        #[doc = " Reseller (tier 2, an indirect partner)."]
        Reseller = "reseller",
    }
);

crate::host_enum!(
    #[doc = " Which Huawei response an import reads."]
    ImportKind, "kind" {
        #[doc = " `ListSubCustomers` pages of either site, merged: adds new customers, updates known ones."]
        ListSubCustomers = "list_sub_customers",
        #[doc = " `ShowSubCustomerBudget` of one customer (`customer`; exactly one page)."]
        Budget = "budget",
        #[doc = " `ListSubCustomerBudget` pages."]
        Budgets = "budgets",
        #[doc = " `ListSubCustomerBudgetRecords` pages of one customer (`customer`)."]
        BudgetRecords = "budget_records",
        #[doc = " Pay-per-use (on-demand) resources."]
        OnDemandResources = "on_demand_resources",
        #[doc = " Yearly/monthly resources of one customer (`customer`)."]
        SubscriptionResources = "subscription_resources",
        #[doc = " `ListCustomerOrders` pages."]
        Orders = "orders",
        #[doc = " Bill fee records of a billing cycle (`cycle`, charging modes 1/3/10/11) into spend records."]
        FeeRecords = "fee_records",
        #[doc = " Monthly bill sums of a billing cycle (`cycle`) into spend records."]
        MonthlyBills = "monthly_bills",
    }
);

impl From<Site> for partnerdesk::Site {
    fn from(s: Site) -> Self {
        match s {
            Site::China => partnerdesk::Site::China,
            Site::International => partnerdesk::Site::International,
        }
    }
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

/// A JSON document as each host takes one: a Python `dict` (numbers with a fraction, and every
/// number of a member named like an amount, as `decimal.Decimal`; an amount with its currency
/// as `partnerdesk.Money`), JSON text in JS, Kotlin and Swift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostJson(pub serde_json::Value);

/// Response pages as a host gives them: a list of JSON texts (Python also takes one text, or
/// `bytes` in UTF-8, for a single page).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pages(pub Vec<String>);

/// A filter as a host gives one: its text, or (Python, Node) a `Query`, read through its
/// canonical `filter` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterText(pub String);

/// Something an import kept as well as it could (never a value, never personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
#[partnerdesk_panic_guard::host_record(python(eq))]
pub struct ImportWarning {
    /// The customer concerned, if one.
    pub customer_id: Option<String>,
    /// The JSON path of the field, e.g. `customer_infos[1].email`.
    pub field: String,
    /// What was done about it.
    pub reason: String,
}

/// One budget setting or deletion read from `ListSubCustomerBudgetRecords`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[partnerdesk_panic_guard::host_record(python(eq))]
pub struct ImportedBudgetRecord {
    /// The customer.
    pub customer_id: String,
    /// `setting` or `delete` (or a newer operation, verbatim).
    pub operation: String,
    /// The amount set (or removed).
    pub amount: Money,
    /// `monthly` or `one_off` (or a newer kind, verbatim).
    pub kind: String,
    /// When.
    #[cfg_attr(feature = "node", napi(ts_type = "Date"))]
    pub at: HostInstant,
    /// The operator login, or `system`.
    pub operator: String,
}

/// Budget use as Huawei reports it (delayed and approximate; the desk derives use from spend).
#[derive(Debug, Clone, PartialEq, Eq)]
#[partnerdesk_panic_guard::host_record(python(eq))]
pub struct HuaweiBudgetUsed {
    /// The customer.
    pub customer_id: String,
    /// Huawei's `used_amount`.
    pub used: Money,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[partnerdesk_panic_guard::host_record(python(eq))]
pub struct ImportReport {
    /// Customers added (customer-list imports only).
    pub added: Vec<String>,
    /// Customers already on the desk that a customer-list import updated.
    pub updated: Vec<String>,
    /// Account managers added as operators.
    pub operators_added: Vec<String>,
    /// The total the first page reported (`count` / `total_count`), if it did.
    pub reported_total: Option<u32>,
    /// Items (customers, budgets, resources, orders, bill lines) read from the pages.
    pub items: u32,
    /// Budgets set or refreshed.
    pub budgets_set: u32,
    /// Budgets removed.
    pub budgets_removed: u32,
    /// Resources added or refreshed.
    pub resources: u32,
    /// Orders added or refreshed.
    pub orders: u32,
    /// Spend records written.
    pub spend_records: u32,
    /// Budget records read, oldest first.
    pub budget_records: Vec<ImportedBudgetRecord>,
    /// Budget use as Huawei reports it, per customer (to reconcile with the desk's).
    pub huawei_budget_used: Vec<HuaweiBudgetUsed>,
    /// What was left out or changed.
    pub warnings: Vec<ImportWarning>,
}

impl From<import::ImportReport> for ImportReport {
    fn from(r: import::ImportReport) -> Self {
        ImportReport {
            added: texts(&r.added),
            updated: texts(&r.updated),
            operators_added: texts(&r.operators_added),
            reported_total: r.reported_total.map(count32),
            items: count32(r.items),
            budgets_set: count32(r.budgets_set),
            budgets_removed: count32(r.budgets_removed),
            resources: count32(r.resources),
            orders: count32(r.orders),
            spend_records: count32(r.spend_records),
            budget_records: r
                .budget_records
                .into_iter()
                .map(|b| ImportedBudgetRecord {
                    customer_id: b.customer.as_str().to_owned(),
                    operation: b.operation.as_str().to_owned(),
                    amount: b.amount.into(),
                    kind: b.kind.as_str().to_owned(),
                    at: HostInstant(b.at),
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
#[derive(Debug, Clone, PartialEq, Eq)]
#[partnerdesk_panic_guard::host_record(python(eq))]
pub struct RemoteItem {
    /// The customer.
    pub customer_id: String,
    /// Whether Huawei did it.
    pub ok: bool,
    /// Huawei's code, verbatim (`CBC.5024`, or one this version does not know), when refused.
    pub huawei_code: Option<String>,
    /// What it means, as a stable code (`WRONG_ASSOCIATION_TYPE`, `THROTTLED`,
    /// `HUAWEI_UNKNOWN_ERROR`, ...; see `huawei_api_kinds`), when refused.
    pub code: Option<String>,
    /// Huawei's own text, verbatim, when refused: for the operator's eyes only. It may echo a
    /// value that was sent (a name, a number), so do not log it; it is never in an error.
    pub huawei_message: Option<String>,
    /// Milliseconds to wait before the first retry, when a retry may help.
    pub retry_after_ms: Option<u32>,
}

impl RemoteItem {
    fn of(customer_id: &str, err: Option<&ApiError>) -> Self {
        RemoteItem {
            customer_id: customer_id.to_owned(),
            ok: err.is_none(),
            huawei_code: err.map(|e| e.huawei_code.clone()),
            code: err.map(|e| e.code().to_owned()),
            huawei_message: err.map(|e| e.message.expose().clone()),
            retry_after_ms: err
                .and_then(|e| e.retry_after(0))
                .map(|d| count32(d.as_millis())),
        }
    }
}

/// The outcome of a remote batch operation: one item per requested customer, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[partnerdesk_panic_guard::host_record(python())]
pub struct RemoteOutcome {
    /// One per requested customer, in the order asked.
    pub items: Vec<RemoteItem>,
    /// Failures Huawei reported for ids that were not requested (kept, never dropped).
    pub unexpected: Vec<RemoteItem>,
    /// How many succeeded.
    pub succeeded: u32,
    /// How many failed.
    pub failed: u32,
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
                .map(|i| RemoteItem::of(i.customer.as_str(), i.result.as_ref().err()))
                .collect(),
            unexpected: o
                .unexpected
                .iter()
                .map(|(id, e)| RemoteItem::of(id, Some(e)))
                .collect(),
            succeeded: count32(o.succeeded()),
            failed: count32(o.failed()),
            retryable: o.is_retryable(),
            as_batch: o.to_batch_outcome().into(),
        }
    }
}

/// One page to request: `offset` and `limit` as `ListSubCustomers` takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[partnerdesk_panic_guard::host_record(python(eq, hash))]
pub struct ApiPage {
    /// Record offset, 0-based (at most 40,000,000).
    pub offset: u32,
    /// Page size (1..=100).
    pub limit: u32,
}

/// A query split into what `ListSubCustomers` filters and what the desk applies locally: a
/// customer matches the query exactly when the API returns it for `api_body` and it matches
/// `local_filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[partnerdesk_panic_guard::host_record(python())]
pub struct QuerySplit {
    /// The `ListSubCustomers` request body of the page asked for.
    #[cfg_attr(feature = "node", napi(ts_type = "string"))]
    pub api_body: HostJson,
    /// The part applied locally, as a text filter for `search` (`*` when none).
    pub local_filter: String,
}

/// One import step, checked: the kind's customer or cycle present and well formed, a budget
/// import of exactly one page.
#[derive(Debug, Clone)]
pub struct ImportStep {
    kind: ImportKind,
    pages: Vec<String>,
    customer: Option<CustomerId>,
    cycle: Option<YearMonth>,
    options: ImportOptions,
}

impl ImportStep {
    /// Checks a step given by a host (`INVALID_ARGUMENT` naming `customer`, `cycle` or `pages`
    /// for what the kind needs and lacks; `INVALID_ID`, `INVALID_DATE` for a malformed id or
    /// cycle), to run at `now`.
    pub fn new(
        kind: ImportKind,
        pages: Vec<String>,
        customer: Option<String>,
        cycle: Option<String>,
        reseller: Option<String>,
        now: Option<HostInstant>,
    ) -> Result<Self, partnerdesk::Error> {
        use ImportKind as K;
        let customer = customer.map(CustomerId::new).transpose()?;
        let cycle = cycle.map(|c| c.trim().parse::<YearMonth>()).transpose()?;
        let needs_customer = matches!(
            kind,
            K::Budget | K::BudgetRecords | K::SubscriptionResources
        );
        if needs_customer && customer.is_none() {
            return Err(invalid("customer", "this import kind needs a customer id"));
        }
        if matches!(kind, K::FeeRecords | K::MonthlyBills) && cycle.is_none() {
            return Err(invalid(
                "cycle",
                "this import kind needs a billing cycle YYYY-MM",
            ));
        }
        if kind == K::Budget && pages.len() != 1 {
            return Err(invalid(
                "pages",
                "a budget import reads exactly one response",
            ));
        }
        let mut options = ImportOptions::at(at(now));
        if let Some(r) = self::reseller(reseller)? {
            options = options.through_reseller(r);
        }
        Ok(ImportStep {
            kind,
            pages,
            customer,
            cycle,
            options,
        })
    }

    /// Runs the step as one change of the desk: all or nothing (a refused import changes
    /// nothing, so nothing is committed for it); on a durable desk its events are committed
    /// before this returns.
    pub fn commit(&self, desk: &mut HostDesk) -> Result<ImportReport, HuaweiError> {
        Ok(desk.change(|d| Ok(self.run(d)))??.into())
    }

    fn run(&self, desk: &mut Desk) -> Result<import::ImportReport, HuaweiError> {
        use ImportKind as K;
        let pages: Vec<&str> = self.pages.iter().map(String::as_str).collect();
        let opts = &self.options;
        // `new` checked that what the kind needs is there.
        let missing = || HuaweiError::Core(invalid("import", "missing customer id or cycle"));
        let customer = || self.customer.as_ref().ok_or_else(missing);
        let cycle = || self.cycle.ok_or_else(missing);
        match self.kind {
            K::ListSubCustomers => import::import_list_sub_customers(desk, opts, &pages),
            K::Budget => {
                let page = pages.first().copied().ok_or_else(missing)?;
                import::import_budget(desk, opts, customer()?, page)
            }
            K::Budgets => import::import_budgets(desk, opts, &pages),
            K::BudgetRecords => import::import_budget_records(desk, opts, customer()?, &pages),
            K::OnDemandResources => import::import_on_demand_resources(desk, opts, &pages),
            K::SubscriptionResources => {
                import::import_subscription_resources(desk, opts, customer()?, &pages)
            }
            K::Orders => import::import_orders(desk, &pages),
            K::FeeRecords => import::import_fee_records(desk, cycle()?, &pages),
            K::MonthlyBills => import::import_monthly_bills(desk, cycle()?, &pages),
        }
    }
}

fn reseller(r: Option<String>) -> Result<Option<ResellerId>, partnerdesk::Error> {
    r.map(ResellerId::new).transpose()
}

/// Imports one Huawei response (its pages merged in order) into the desk; see [`ImportStep`].
pub fn import_huawei(
    desk: &mut HostDesk,
    kind: ImportKind,
    pages: Pages,
    customer: Option<String>,
    cycle: Option<String>,
    reseller: Option<String>,
    now: Option<HostInstant>,
) -> Result<ImportReport, HuaweiError> {
    ImportStep::new(kind, pages.0, customer, cycle, reseller, now)?.commit(desk)
}

/// A new, empty desk for a partner, to import Huawei responses into, at `now` (default: the
/// wall clock), which fixes its billing month.
pub fn empty(
    partner_id: String,
    name: String,
    site: Site,
    tier: Option<Tier>,
    now: Option<HostInstant>,
) -> Result<Desk, partnerdesk::Error> {
    let id = partnerdesk::PartnerId::new(partner_id)?;
    let tier = tier.unwrap_or(Tier::SolutionProvider);
    let partner = partnerdesk::Partner::new(id, name, site.into(), tier.into());
    Ok(Desk::new(partner, at(now)))
}

/// The desk of the adapter's built-in fixture responses of a site, as a host builds one from
/// real responses (the customer lists merged, then budgets, or resources, orders and bills),
/// with the report of each step.
pub fn fixture_desk(
    site: Site,
    now: Option<HostInstant>,
) -> Result<(Desk, Vec<ImportReport>), HuaweiError> {
    let (desk, reports) = fixtures::desk(site.into(), at(now))?;
    Ok((desk, reports.into_iter().map(ImportReport::from).collect()))
}

/// The adapter's own error codes (the core's are `error_codes`).
pub fn huawei_error_codes() -> Result<Vec<String>, HuaweiError> {
    Ok(texts(HuaweiError::CODES))
}

/// The stable codes a Huawei answer can mean.
pub fn huawei_api_kinds() -> Result<Vec<String>, HuaweiError> {
    Ok(texts(ApiErrorKind::CODES))
}

/// The fixture responses and bodies shipped with the adapter: file name to JSON text.
pub fn huawei_fixtures() -> Result<HashMap<String, String>, HuaweiError> {
    Ok(fixtures::ALL
        .iter()
        .map(|(name, json)| ((*name).to_owned(), (*json).to_owned()))
        .collect())
}

/// The `FreezeSubCustomers` body of a freeze command, validated by the domain first.
pub fn huawei_freeze_body(
    customers: Vec<String>,
    reason: String,
    scope: Option<FreezeScope>,
    reseller_id: Option<String>,
) -> Result<HostJson, HuaweiError> {
    let req = freeze_request(&customers, scope, reason)?;
    Ok(HostJson(request::freeze_json(
        &req,
        reseller(reseller_id)?.as_ref(),
    )?))
}

/// The `UnfreezeSubCustomers` body of an unfreeze command, validated like the freeze.
pub fn huawei_unfreeze_body(
    customers: Vec<String>,
    reason: String,
    scope: Option<FreezeScope>,
    reseller_id: Option<String>,
) -> Result<HostJson, HuaweiError> {
    let req = freeze_request(&customers, scope, reason)?;
    Ok(HostJson(request::unfreeze_json(
        &req,
        reseller(reseller_id)?.as_ref(),
    )?))
}

/// The `UpdateSubCustomerBudget` body of a budget setting, validated by the domain first.
#[allow(clippy::too_many_arguments)]
pub fn huawei_budget_body(
    customer: String,
    amount: HostDecimal,
    currency: String,
    kind: Option<BudgetKind>,
    auto_freeze: Option<bool>,
    unfreeze: Option<bool>,
    thresholds: Option<Thresholds>,
    reseller_id: Option<String>,
) -> Result<HostJson, HuaweiError> {
    let id = CustomerId::new(customer)?;
    let setting = budget_setting(
        Money { amount, currency },
        kind.unwrap_or(BudgetKind::Monthly),
        auto_freeze.unwrap_or(false),
        unfreeze.unwrap_or(false),
        thresholds.as_ref(),
    )?;
    Ok(HostJson(request::budget_json(
        &id,
        &setting,
        reseller(reseller_id)?.as_ref(),
    )?))
}

/// Huawei's answer to a freeze, unfreeze or budget request, one outcome per requested customer.
pub fn huawei_batch_outcome(
    customers: Vec<String>,
    body: String,
    http_status: Option<u32>,
) -> Result<RemoteOutcome, HuaweiError> {
    let ids = super::customers(&customers)?;
    let status = http_status
        .map(|s| u16::try_from(s).map_err(|_| invalid("http_status", "not an HTTP status")))
        .transpose()?;
    Ok(response::batch_outcome(&ids, status, &body)?.into())
}

/// The pages that cover `total` records, `limit` (default 100) at a time.
pub fn huawei_page_plan(total: i64, limit: Option<u32>) -> Result<Vec<ApiPage>, HuaweiError> {
    let total = u64::try_from(total)
        .map_err(|_| invalid("total", "a whole number of records, 0 or more"))?;
    Ok(PagePlan::covering(total, limit.unwrap_or(100))?
        .pages
        .iter()
        .map(|p| ApiPage {
            offset: count32(p.offset),
            limit: p.limit,
        })
        .collect())
}

/// Splits a filter into the `ListSubCustomers` body of one page and the part the desk applies.
pub fn huawei_split_query(
    query: FilterText,
    site: Site,
    offset: Option<u32>,
    limit: Option<u32>,
) -> Result<QuerySplit, HuaweiError> {
    let query = partnerdesk::query::Query::parse(&query.0)?;
    let split = listing::split_query(&query);
    let page = paging::ApiPage::new(u64::from(offset.unwrap_or(0)), limit.unwrap_or(100))?;
    let body = split.api.body(site.into(), page)?;
    let api_body = serde_json::to_value(&body).map_err(partnerdesk::Error::from)?;
    Ok(QuerySplit {
        api_body: HostJson(api_body),
        local_filter: split.local.filter.to_string(),
    })
}

/// The Huawei interop operations on a desk, for a binding's expander (see [the grammar](super)).
#[macro_export]
macro_rules! huawei_operations {
    ($expander:ident) => {
        $expander! {
            #[doc = " Imports one Huawei response (all its pages, JSON text, merged in order) into the desk and"]
            #[doc = " says what it did. All or nothing: a refused import (`HUAWEI_API_ERROR` for an error"]
            #[doc = " envelope, `HUAWEI_INVALID_DATA`, `MALFORMED_JSON`, ...) changes nothing."]
            write fn import_huawei(kind: $crate::ops::huawei::ImportKind, pages: $crate::ops::huawei::Pages)
                [ImportHuaweiOptions {
                    #[doc = " The customer the response is about (`budget`, `budget_records`, `subscription_resources`)."] customer: Option<String>,
                    #[doc = " The billing cycle `YYYY-MM` (`fee_records`, `monthly_bills`)."] cycle: Option<String>,
                    #[doc = " The reseller (`indirect_partner_id`) the responses were fetched through."] reseller: Option<String>,
                    #[doc = " The moment of the import (default: the current time)."] now: Option<$crate::HostInstant>
                }]
                -> $crate::ops::huawei::ImportReport => $crate::ops::huawei::import_huawei;
        }
    };
}

/// The Huawei interop functions of the package, for a binding's function expander: the same
/// grammar as the desk's operations (see [the grammar](super)), with `fn` alone and no desk.
#[macro_export]
macro_rules! huawei_functions {
    ($expander:ident) => {
        $expander! {
            #[doc = " Every stable error code of the Huawei adapter (the core's are `error_codes`)."]
            fn huawei_error_codes() -> Vec<String> => $crate::ops::huawei::huawei_error_codes;

            #[doc = " The stable codes a Huawei answer can mean (`RemoteItem.code`, `HuaweiApiError.kind`):"]
            #[doc = " `WRONG_ASSOCIATION_TYPE` for `CBC.5024`, `THROTTLED` for `CBC.0250`, ..., and"]
            #[doc = " `HUAWEI_UNKNOWN_ERROR` for a code this version does not know."]
            fn huawei_api_kinds() -> Vec<String> => $crate::ops::huawei::huawei_api_kinds;

            #[doc = " The fixture responses and bodies shipped with the adapter, file name to JSON text (for"]
            #[doc = " trying things out and for tests)."]
            fn huawei_fixtures() -> std::collections::HashMap<String, String> => $crate::ops::huawei::huawei_fixtures;

            #[doc = " The `FreezeSubCustomers` request body of a freeze command, validated by the domain first"]
            #[doc = " (1 to 10 distinct ids: `TOO_MANY_IDS`; a reason of 1 to 256 characters: `INVALID_REASON`),"]
            #[doc = " so a refused command never becomes a request."]
            fn huawei_freeze_body(customers: Vec<String>, reason: String)
                [FreezeBodyOptions {
                    #[doc = " `account` (default) or `account_and_resources`."] scope: Option<$crate::ops::governed::FreezeScope>,
                    #[doc = " The reseller (`indirect_partner_id`) acting through its distributor."] reseller: Option<String>
                }]
                -> $crate::ops::huawei::HostJson => $crate::ops::huawei::huawei_freeze_body;

            #[doc = " The `UnfreezeSubCustomers` request body of an unfreeze command (validated like the freeze;"]
            #[doc = " the scope must be the one the customers were frozen with)."]
            fn huawei_unfreeze_body(customers: Vec<String>, reason: String)
                [UnfreezeBodyOptions {
                    #[doc = " `account` (default) or `account_and_resources`."] scope: Option<$crate::ops::governed::FreezeScope>,
                    #[doc = " The reseller (`indirect_partner_id`) acting through its distributor."] reseller: Option<String>
                }]
                -> $crate::ops::huawei::HostJson => $crate::ops::huawei::huawei_unfreeze_body;

            #[doc = " The `UpdateSubCustomerBudget` request body of a budget setting, validated by the domain"]
            #[doc = " first: `amount` in (0, 2147483647] with at most 2 decimals (`INVALID_MONEY` otherwise),"]
            #[doc = " written as a JSON number with the decimal's exact digits."]
            fn huawei_budget_body(customer: String, amount: $crate::HostDecimal, currency: String)
                [BudgetBodyOptions {
                    #[doc = " `monthly` (default) or `one_off`."] kind: Option<$crate::ops::governed::BudgetKind>,
                    #[doc = " Freeze the account when spend reaches 100% (default: no)."] auto_freeze: Option<bool>,
                    #[doc = " Unfreeze the account in the same call (default: no)."] unfreeze: Option<bool>,
                    #[doc = " Alert thresholds in percent (such as 80 or 95.5), ascending."] thresholds: Option<$crate::ops::governed::Thresholds>,
                    #[doc = " The reseller (`indirect_partner_id`) acting through its distributor."] reseller: Option<String>
                }]
                -> $crate::ops::huawei::HostJson => $crate::ops::huawei::huawei_budget_body;

            #[doc = " Reads Huawei's answer to a freeze, unfreeze or budget request: one outcome per requested"]
            #[doc = " customer, from the body text (empty when all was done; the error envelope when all failed;"]
            #[doc = " `error_details` when some failed with HTTP 200) and the HTTP status. Unknown codes are"]
            #[doc = " kept (`HUAWEI_UNKNOWN_ERROR` with Huawei's code and text)."]
            fn huawei_batch_outcome(customers: Vec<String>, body: String)
                [BatchOutcomeOptions {
                    #[doc = " The HTTP status of the answer, when known."] http_status: Option<u32>
                }]
                -> $crate::ops::huawei::RemoteOutcome => $crate::ops::huawei::huawei_batch_outcome;

            #[doc = " The pages that cover `total` records, `limit` (1..=100, default 100) at a time, each exactly"]
            #[doc = " once and within the API's bounds (`INVALID_PAGE` for a bad limit,"]
            #[doc = " `HUAWEI_PAGING_OUT_OF_BOUNDS` when offsets would pass 40,000,000)."]
            fn huawei_page_plan(total: i64)
                [PagePlanOptions {
                    #[doc = " Records per page, 1..=100 (default 100)."] limit: Option<u32>
                }]
                -> Vec<$crate::ops::huawei::ApiPage> => $crate::ops::huawei::huawei_page_plan;

            #[doc = " Splits a filter (a `Query` or its text) into the `ListSubCustomers` request body of one"]
            #[doc = " page for `site` and the part the desk applies locally."]
            fn huawei_split_query(query: $crate::ops::huawei::FilterText, site: $crate::ops::huawei::Site)
                [SplitQueryOptions {
                    #[doc = " The page's record offset (default 0)."] offset: Option<u32>,
                    #[doc = " The page's size, 1..=100 (default 100, as `huawei_page_plan` plans pages)."] limit: Option<u32>
                }]
                -> $crate::ops::huawei::QuerySplit => $crate::ops::huawei::huawei_split_query;
        }
    };
}

#[cfg(feature = "python")]
pub mod python;

#[cfg(feature = "node")]
#[allow(unsafe_code)]
mod node;

#[cfg(feature = "uniffi")]
mod mobile {
    //! Over the FFI a document crosses as its JSON text, pages as a list of texts, a filter
    //! as its text.
    use super::{FilterText, HostJson, Pages};

    uniffi::custom_type!(HostJson, String, {
        lower: |j| j.0.to_string(),
        try_lift: |s| Ok(HostJson(serde_json::from_str(&s)?)),
    });

    uniffi::custom_type!(Pages, Vec<String>, {
        lower: |p| p.0,
        try_lift: |p| Ok(Pages(p)),
    });

    uniffi::custom_type!(FilterText, String, {
        lower: |f| f.0,
        try_lift: |f| Ok(FilterText(f)),
    });
}
