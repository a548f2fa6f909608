//! Huawei BSS interop from JS: import responses into a desk, build request bodies, read the
//! answers per customer, plan pages.
//!
//! Why JSON text in and out: the host does the HTTP (with its own AK/SK signing) and hands the
//! response text in; request bodies come back as JSON text ready to send. Text keeps amounts
//! exact (a budget of `1500.50` never becomes a JS float on the way) and keeps absent, `null`
//! and `""` apart exactly as the adapter decided.
//!
//! A large load is several imports (customer lists, budgets, resources, orders, bills);
//! `importHuaweiAsync` runs them on a worker thread and reports progress per import step.

use crate::desk::{Desk, ProgressFn, Shared, report};
use crate::error::{Code, Detail, invalid_argument, to_js};
use crate::types::{BudgetKind, FreezeScope, Money, Site, Tier, count32};
use chrono::{DateTime, Utc};
use napi::Task;
use napi::bindgen_prelude::{AsyncTask, Env};
use napi_derive::napi;
use partnerdesk::{CustomerId, Desk as CoreDesk, Partner, PartnerId, ResellerId, YearMonth};
use partnerdesk_host::HostDesk;
use partnerdesk_host::ops::governed::{BatchOutcome, Thresholds, budget_setting, freeze_request};
use partnerdesk_huawei::import::{self, ImportOptions, ImportReport as CoreReport};
use partnerdesk_huawei::paging::PagePlan;
use partnerdesk_huawei::response::RemoteOutcome as CoreRemote;
use partnerdesk_huawei::{HuaweiError, fixtures, listing, request, response};

/// The code and details of an adapter error, by an exhaustive match (no `_` arm on purpose):
/// a core error's own, else the adapter's code with the fields Python's exception attributes
/// have (`huaweiCode`, `kind`, `httpStatus`, `retryable` for `HUAWEI_API_ERROR`; `field` and
/// `reason`; `reason`).
pub(crate) fn huawei_details(e: &HuaweiError) -> Code {
    let text = |name: &str, v: &str| (name.to_owned(), Detail::Text(v.to_owned()));
    match e {
        HuaweiError::Core(core) => Code::of(core),
        HuaweiError::Api(api) => Code::with(
            "HUAWEI_API_ERROR",
            vec![
                text("huaweiCode", &api.huawei_code),
                text("kind", api.code()),
                (
                    "httpStatus".to_owned(),
                    api.http_status
                        .map_or(Detail::Null, |s| Detail::Int(u64::from(s))),
                ),
                (
                    "retryable".to_owned(),
                    Detail::Bool(api.kind.is_retryable()),
                ),
            ],
        ),
        HuaweiError::InvalidData { field, reason } => Code::with(
            "HUAWEI_INVALID_DATA",
            vec![text("field", field), text("reason", reason)],
        ),
        HuaweiError::PagingOutOfBounds { reason } => {
            Code::with("HUAWEI_PAGING_OUT_OF_BOUNDS", vec![text("reason", reason)])
        }
    }
}

fn hw(e: HuaweiError) -> napi::Error<Code> {
    napi::Error::new(huawei_details(&e), e.to_string())
}

/// The adapter's own error codes (the core's are in `errorCodes()`).
#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
pub fn huawei_error_codes() -> Vec<String> {
    HuaweiError::CODES.iter().map(|c| (*c).to_owned()).collect()
}

/// The partner of a new, empty desk.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct PartnerInit {
    /// Partner id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `china` (CNY, UTC+8 billing) or `international` (USD, UTC billing).
    pub site: Site,
    /// `solution_provider`, `distributor` or `reseller`.
    pub tier: Tier,
}

/// Which Huawei response an import step reads.
#[napi(string_enum = "snake_case")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HuaweiImportKind {
    /// `ListSubCustomers` pages (either site), merged.
    ListSubCustomers,
    /// `ShowSubCustomerBudget` of one customer (`customerId`).
    Budget,
    /// `ListSubCustomerBudget` pages.
    Budgets,
    /// Budget records of one customer (`customerId`).
    BudgetRecords,
    /// Pay-per-use (on-demand) resources.
    OnDemandResources,
    /// Yearly/monthly resources of one customer (`customerId`).
    SubscriptionResources,
    /// `ListCustomerOrders` pages.
    Orders,
    /// Bill fee records of a billing cycle (`cycle`).
    FeeRecords,
    /// Monthly bill sums of a billing cycle (`cycle`).
    MonthlyBills,
}

/// One import step: a kind of response, its pages (JSON text), and what that kind needs.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct HuaweiImport {
    /// Which response.
    pub kind: HuaweiImportKind,
    /// The response pages, as JSON text.
    pub pages: Vec<String>,
    /// The customer, for `budget`, `budget_records` and `subscription_resources`.
    pub customer_id: Option<String>,
    /// The billing cycle `YYYY-MM`, for `fee_records` and `monthly_bills`.
    pub cycle: Option<String>,
    /// The reseller (indirect partner) the responses were fetched through.
    pub reseller: Option<String>,
}

/// A warning of an import: something kept as well as possible (never personal data).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ImportWarning {
    /// The customer concerned, if one.
    pub customer_id: Option<String>,
    /// The JSON path of the field.
    pub field: String,
    /// What was done about it.
    pub reason: String,
}

/// What an import step did.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// Customers added.
    pub added: Vec<String>,
    /// Customers updated.
    pub updated: Vec<String>,
    /// Account managers added as operators.
    pub operators_added: Vec<String>,
    /// The total the response reported, if any.
    pub reported_total: Option<f64>,
    /// Items read.
    pub items: u32,
    /// Budgets set.
    pub budgets_set: u32,
    /// Budgets removed.
    pub budgets_removed: u32,
    /// Resources stored.
    pub resources: u32,
    /// Orders stored.
    pub orders: u32,
    /// Spend records stored.
    pub spend_records: u32,
    /// Budget records read.
    pub budget_records: u32,
    /// Warnings.
    pub warnings: Vec<ImportWarning>,
}

impl From<CoreReport> for ImportReport {
    fn from(r: CoreReport) -> Self {
        let ids = |v: Vec<CustomerId>| v.iter().map(|i| i.as_str().to_owned()).collect();
        ImportReport {
            added: ids(r.added),
            updated: ids(r.updated),
            operators_added: r
                .operators_added
                .iter()
                .map(|o| o.as_str().to_owned())
                .collect(),
            // Totals fit a JS number exactly below 2^53.
            reported_total: r.reported_total.map(|t| t as f64),
            items: count32(r.items),
            budgets_set: count32(r.budgets_set),
            budgets_removed: count32(r.budgets_removed),
            resources: count32(r.resources),
            orders: count32(r.orders),
            spend_records: count32(r.spend_records),
            budget_records: count32(r.budget_records.len()),
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

/// An import step, validated.
pub(crate) struct Step {
    kind: HuaweiImportKind,
    pages: Vec<String>,
    customer: Option<CustomerId>,
    cycle: Option<YearMonth>,
    reseller: Option<ResellerId>,
}

impl Step {
    fn of(s: HuaweiImport) -> napi::Result<Step, Code> {
        use HuaweiImportKind as K;
        let customer = s
            .customer_id
            .map(|c| CustomerId::new(c).map_err(to_js))
            .transpose()?;
        let cycle = s
            .cycle
            .map(|c| c.parse::<YearMonth>().map_err(to_js))
            .transpose()?;
        let needs_customer = matches!(
            s.kind,
            K::Budget | K::BudgetRecords | K::SubscriptionResources
        );
        let needs_cycle = matches!(s.kind, K::FeeRecords | K::MonthlyBills);
        if needs_customer && customer.is_none() {
            return Err(invalid_argument(
                "customerId",
                "this import kind needs a customer id",
            ));
        }
        if needs_cycle && cycle.is_none() {
            return Err(invalid_argument(
                "cycle",
                "this import kind needs a billing cycle YYYY-MM",
            ));
        }
        if s.kind == K::Budget && s.pages.len() != 1 {
            return Err(invalid_argument(
                "pages",
                "a budget import reads exactly one response",
            ));
        }
        Ok(Step {
            kind: s.kind,
            pages: s.pages,
            customer,
            cycle,
            reseller: s
                .reseller
                .map(|r| ResellerId::new(r).map_err(to_js))
                .transpose()?,
        })
    }

    /// Runs the step as one change of the desk: on a durable desk its events are committed
    /// before this returns (each step of a multi-step import commits on its own). The change
    /// may run again after another instance's change; an adapter error that is not the core's
    /// is carried past the core's `Result` and returned as itself.
    fn commit(&self, desk: &mut HostDesk, now: DateTime<Utc>) -> Result<CoreReport, HuaweiError> {
        let mut adapter = None;
        let result = desk.change(|d| {
            adapter = None;
            match self.run(d, now) {
                Ok(report) => Ok(report),
                Err(HuaweiError::Core(e)) => Err(e),
                Err(other) => {
                    let code = other.code();
                    adapter = Some(other);
                    Err(partnerdesk::Error::InvalidArgument {
                        field: "import".into(),
                        reason: code.into(),
                    })
                }
            }
        });
        match (result, adapter) {
            (Ok(report), _) => Ok(report),
            (Err(_), Some(adapter)) => Err(adapter),
            (Err(core), None) => Err(HuaweiError::Core(core)),
        }
    }

    fn run(&self, desk: &mut CoreDesk, now: DateTime<Utc>) -> Result<CoreReport, HuaweiError> {
        use HuaweiImportKind as K;
        let mut opts = ImportOptions::at(now);
        if let Some(r) = &self.reseller {
            opts = opts.through_reseller(r.clone());
        }
        let pages: Vec<&str> = self.pages.iter().map(String::as_str).collect();
        // `Step::of` checked that the customer and cycle are there when the kind needs them.
        let missing = || {
            HuaweiError::Core(partnerdesk::Error::InvalidArgument {
                field: "import".into(),
                reason: "missing customer id or cycle".into(),
            })
        };
        match self.kind {
            K::ListSubCustomers => import::import_list_sub_customers(desk, &opts, &pages),
            K::Budget => {
                let c = self.customer.as_ref().ok_or_else(missing)?;
                let page = pages.first().copied().ok_or_else(missing)?;
                import::import_budget(desk, &opts, c, page)
            }
            K::Budgets => import::import_budgets(desk, &opts, &pages),
            K::BudgetRecords => {
                let c = self.customer.as_ref().ok_or_else(missing)?;
                import::import_budget_records(desk, &opts, c, &pages)
            }
            K::OnDemandResources => import::import_on_demand_resources(desk, &opts, &pages),
            K::SubscriptionResources => {
                let c = self.customer.as_ref().ok_or_else(missing)?;
                import::import_subscription_resources(desk, &opts, c, &pages)
            }
            K::Orders => import::import_orders(desk, &pages),
            K::FeeRecords => {
                import::import_fee_records(desk, self.cycle.ok_or_else(missing)?, &pages)
            }
            K::MonthlyBills => {
                import::import_monthly_bills(desk, self.cycle.ok_or_else(missing)?, &pages)
            }
        }
    }
}

/// Options of a multi-step import on a worker thread.
#[napi(object, object_to_js = false)]
pub struct ImportAsyncOptions {
    /// The moment of the import (default: the desk's `now`).
    pub now: Option<DateTime<Utc>>,
    /// Called with `{ done, total }` import steps after each step.
    #[napi(ts_type = "(progress: Progress) => void")]
    pub on_progress: Option<ProgressFn>,
}

/// One customer's outcome of a remote operation, as Huawei answered it.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct RemoteItem {
    /// The customer.
    pub customer_id: String,
    /// Whether Huawei did it.
    pub ok: bool,
    /// Huawei's error code (`CBC.5024`, ...), when refused.
    pub huawei_code: Option<String>,
    /// The stable code of what it means (`WRONG_ASSOCIATION_TYPE`, `THROTTLED`, ...).
    pub code: Option<String>,
    /// Milliseconds to wait before the first retry, when a retry may help.
    pub retry_after_ms: Option<u32>,
}

/// The outcome of a remote batch operation: one item per requested customer, in order.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct RemoteOutcome {
    /// Per requested customer.
    pub items: Vec<RemoteItem>,
    /// Failures Huawei reported for ids that were not requested.
    pub unexpected: Vec<RemoteItem>,
    /// How many succeeded.
    pub succeeded: u32,
    /// How many failed.
    pub failed: u32,
    /// Whether every failure may succeed on a retry.
    pub retryable: bool,
    /// The same outcome in the core's terms (as a local batch command reports it).
    pub as_batch: BatchOutcome,
}

fn remote_item(id: &str, r: &Result<(), partnerdesk_huawei::ApiError>) -> RemoteItem {
    match r {
        Ok(()) => RemoteItem {
            customer_id: id.to_owned(),
            ok: true,
            huawei_code: None,
            code: None,
            retry_after_ms: None,
        },
        Err(e) => RemoteItem {
            customer_id: id.to_owned(),
            ok: false,
            huawei_code: Some(e.huawei_code.clone()),
            code: Some(e.code().to_owned()),
            retry_after_ms: e
                .retry_after(0)
                .map(|d| u32::try_from(d.as_millis()).unwrap_or(u32::MAX)),
        },
    }
}

impl From<CoreRemote> for RemoteOutcome {
    fn from(o: CoreRemote) -> Self {
        RemoteOutcome {
            items: o
                .items
                .iter()
                .map(|i| remote_item(i.customer.as_str(), &i.result))
                .collect(),
            unexpected: o
                .unexpected
                .iter()
                .map(|(id, e)| remote_item(id, &Err(e.clone())))
                .collect(),
            succeeded: count32(o.succeeded()),
            failed: count32(o.failed()),
            retryable: o.is_retryable(),
            as_batch: o.to_batch_outcome().into(),
        }
    }
}

/// A freeze or unfreeze command of a Huawei request body: 1..=10 customers, a scope and a reason (1..=256 characters).
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

/// A budget setting of a Huawei request body: the amount (a decimal string in the partner's currency), monthly or
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

/// One page of a `ListSubCustomers` paging plan.
#[napi(object)]
#[derive(Debug, Clone, Copy)]
pub struct ApiPage {
    /// Offset (≤ 40,000,000).
    pub offset: f64,
    /// Limit (1..=100).
    pub limit: u32,
}

/// The split of a query: what `ListSubCustomers` can filter, and the rest applied locally.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct QuerySplit {
    /// The `ListSubCustomers` request body for the first page (JSON text).
    pub api_body: String,
    /// The part of the query applied locally, as a text filter (`*` when none).
    pub local_filter: String,
}

fn reseller(r: Option<String>) -> napi::Result<Option<ResellerId>, Code> {
    r.map(|r| ResellerId::new(r).map_err(to_js)).transpose()
}

fn json_text(v: &serde_json::Value) -> napi::Result<String, Code> {
    serde_json::to_string(v).map_err(|e| to_js(e.into()))
}

/// The `FreezeSubCustomers` request body (JSON text) of a freeze command, validated by the
/// domain first (`TOO_MANY_IDS`, `INVALID_REASON`, ...).
#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
pub fn huawei_freeze_body(
    command: FreezeCommand,
    reseller_id: Option<String>,
) -> napi::Result<String, Code> {
    let req = freeze_request(&command.customer_ids, Some(command.scope), command.reason)
        .map_err(to_js)?;
    json_text(&request::freeze_json(&req, reseller(reseller_id)?.as_ref()).map_err(hw)?)
}

/// The `UnfreezeSubCustomers` request body (JSON text) of an unfreeze command.
#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
pub fn huawei_unfreeze_body(
    command: FreezeCommand,
    reseller_id: Option<String>,
) -> napi::Result<String, Code> {
    let req = freeze_request(&command.customer_ids, Some(command.scope), command.reason)
        .map_err(to_js)?;
    json_text(&request::unfreeze_json(&req, reseller(reseller_id)?.as_ref()).map_err(hw)?)
}

/// The `UpdateSubCustomerBudget` request body (JSON text) of a budget setting, validated by
/// the domain first (`INVALID_MONEY` for an amount out of (0, 2147483647] or with more than 2
/// decimals).
#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
pub fn huawei_budget_body(
    customer_id: String,
    budget: BudgetCommand,
    reseller_id: Option<String>,
) -> napi::Result<String, Code> {
    let id = CustomerId::new(customer_id).map_err(to_js)?;
    let thresholds = budget.thresholds.map(Thresholds);
    let setting = budget_setting(
        budget.amount,
        budget.kind,
        budget.auto_freeze,
        budget.unfreeze.unwrap_or(false),
        thresholds.as_ref(),
    )
    .map_err(to_js)?;
    json_text(&request::budget_json(&id, &setting, reseller(reseller_id)?.as_ref()).map_err(hw)?)
}

/// Reads Huawei's answer to a batch operation (freeze, unfreeze): one outcome per requested
/// customer, from the HTTP status and the body text.
#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
pub fn huawei_batch_outcome(
    requested_ids: Vec<String>,
    http_status: Option<u32>,
    body: String,
) -> napi::Result<RemoteOutcome, Code> {
    let ids = requested_ids
        .iter()
        .map(|s| CustomerId::new(s.as_str()).map_err(to_js))
        .collect::<Result<Vec<_>, _>>()?;
    let status = http_status
        .map(|s| u16::try_from(s).map_err(|_| invalid_argument("httpStatus", "not an HTTP status")))
        .transpose()?;
    response::batch_outcome(&ids, status, &body)
        .map(RemoteOutcome::from)
        .map_err(hw)
}

/// The pages that cover `total` customers with `limit` per page (1..=100), within the API's
/// bounds (`HUAWEI_PAGING_OUT_OF_BOUNDS` otherwise).
#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
pub fn huawei_page_plan(total: f64, limit: u32) -> napi::Result<Vec<ApiPage>, Code> {
    if !(total.is_finite() && total >= 0.0 && total.fract() == 0.0) {
        return Err(invalid_argument("total", "a whole number of customers"));
    }
    let plan = PagePlan::covering(total as u64, limit).map_err(hw)?;
    Ok(plan
        .pages
        .iter()
        .map(|p| ApiPage {
            offset: p.offset as f64,
            limit: p.limit,
        })
        .collect())
}

/// Splits a query (a `Query` or text filter) into the `ListSubCustomers` body of its first
/// page (`limit` per page) for `site`, and the part applied locally.
#[napi(ts_args_type = "query: Query | string, site: Site, limit?: number")]
pub fn huawei_split_query(
    query: crate::args::QueryArg,
    site: Site,
    limit: Option<u32>,
) -> napi::Result<QuerySplit, Code> {
    let q = crate::desk::query_of(query)?;
    let split = listing::split_query(&q);
    let page = partnerdesk_huawei::paging::ApiPage::first(
        limit.unwrap_or(partnerdesk_huawei::paging::DEFAULT_LIMIT),
    )
    .map_err(hw)?;
    let body = split.api.body(site.into(), page).map_err(hw)?;
    let api_body = serde_json::to_string(&body).map_err(|e| to_js(e.into()))?;
    Ok(QuerySplit {
        api_body,
        local_filter: split.local.filter.to_string(),
    })
}

/// The fixture responses shipped with the adapter, by name (for trying things out and tests).
#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
pub fn huawei_fixtures() -> std::collections::HashMap<String, String> {
    fixtures::ALL
        .iter()
        .map(|(name, json)| ((*name).to_owned(), (*json).to_owned()))
        .collect()
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// A new, empty desk for a partner (to import Huawei responses into). `now` defaults to
    /// the current time.
    #[napi(factory)]
    pub fn empty(partner: PartnerInit, now: Option<DateTime<Utc>>) -> napi::Result<Desk, Code> {
        let now = partnerdesk_host::now_or_clock(now);
        let p = Partner::new(
            PartnerId::new(partner.id).map_err(to_js)?,
            partner.name,
            partner.site.into(),
            partner.tier.into(),
        );
        Ok(Desk::wrap(CoreDesk::new(p, now)))
    }

    /// A desk started from the adapter's fixture responses of a site (customer lists, then
    /// budgets, resources, orders and bills), as a host builds one from real responses.
    #[napi(factory)]
    pub fn from_huawei_fixtures(site: Site, now: DateTime<Utc>) -> napi::Result<Desk, Code> {
        let (desk, _reports) = fixtures::desk(site.into(), now).map_err(hw)?;
        Ok(Desk::wrap(desk))
    }

    /// Imports one Huawei response (all its pages) into the desk. Nothing is imported on error.
    #[napi]
    pub fn import_huawei(
        &self,
        step: HuaweiImport,
        now: Option<DateTime<Utc>>,
    ) -> napi::Result<ImportReport, Code> {
        let step = Step::of(step)?;
        let now = partnerdesk_host::now_or_clock(now);
        step.commit(&mut *self.write()?, now)
            .map(ImportReport::from)
            .map_err(hw)
    }

    /// Imports several Huawei responses in order on a worker thread, with progress per step.
    /// Resolves to one report per step; rejects with the code of the first failing step (the
    /// steps before it stay imported). Calls on this desk throw `DESK_BUSY` until it settles.
    #[napi(ts_return_type = "Promise<ImportReport[]>")]
    pub fn import_huawei_async(
        &self,
        steps: Vec<HuaweiImport>,
        options: Option<ImportAsyncOptions>,
    ) -> napi::Result<AsyncTask<ImportSteps>, Code> {
        let steps = steps
            .into_iter()
            .map(Step::of)
            .collect::<Result<Vec<_>, _>>()?;
        let (now, progress) = match options {
            Some(o) => (o.now, o.on_progress),
            None => (None, None),
        };
        Ok(AsyncTask::new(ImportSteps {
            desk: self.inner.clone(),
            steps,
            now: partnerdesk_host::now_or_clock(now),
            progress,
        }))
    }
}

/// Runs import steps on a worker thread.
pub struct ImportSteps {
    desk: Shared,
    steps: Vec<Step>,
    now: DateTime<Utc>,
    progress: Option<ProgressFn>,
}

impl Task for ImportSteps {
    type Output = Result<Vec<CoreReport>, HuaweiError>;
    type JsValue = Vec<ImportReport>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(crate::panic_guard::compute("Desk.importHuawei", || {
            self.run()
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Vec<ImportReport>> {
        self.settle(env, output)
    }
}

impl ImportSteps {
    fn run(&self) -> Result<Vec<CoreReport>, HuaweiError> {
        let mut desk = crate::desk::write_on_worker(&self.desk);
        let total = count32(self.steps.len());
        let mut reports = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            match step.commit(&mut desk, self.now) {
                Ok(r) => reports.push(r),
                Err(e) => return Err(e),
            }
            report(self.progress.as_ref(), count32(reports.len()), total);
        }
        Ok(reports)
    }

    fn settle(
        &self,
        env: Env,
        output: Result<Vec<CoreReport>, HuaweiError>,
    ) -> napi::Result<Vec<ImportReport>> {
        match output {
            Ok(r) => Ok(r.into_iter().map(ImportReport::from).collect()),
            Err(e) => Err(crate::error::rejection(
                &env,
                &huawei_details(&e),
                &e.to_string(),
            )),
        }
    }
}
