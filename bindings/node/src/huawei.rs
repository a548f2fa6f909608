//! Huawei BSS interop from JS: what is Node's own around the operations declared once for every
//! host (`partnerdesk_host::ops::huawei`, expanded in `crate::declared`: `desk.importHuawei`,
//! the request bodies, the answers per customer, paging plans, the query split): the desks to
//! import into, the multi-step import on a worker thread, and the adapter's errors as JS errors.
//!
//! Why JSON text in and out: the host does the HTTP (with its own AK/SK signing) and hands the
//! response text in; request bodies come back as JSON text ready to send. Text keeps amounts
//! exact (a budget of `1500.50` never becomes a JS float on the way) and keeps absent, `null`
//! and `""` apart exactly as the adapter decided.
//!
//! A large load is several imports (customer lists, budgets, resources, orders, bills);
//! `importHuaweiAsync` runs them on a worker thread and reports progress per import step.

use crate::desk::{Desk, ProgressFn, Shared, report};
use crate::error::{Code, Detail, IntoJs, to_js};
use crate::types::count32;
use chrono::{DateTime, Utc};
use napi::Task;
use napi::bindgen_prelude::{AsyncTask, Either, Env};
use napi_derive::napi;
use partnerdesk_host::HostInstant;
use partnerdesk_host::ops::huawei::{self, ImportKind, ImportReport, ImportStep, Site, Tier};
use partnerdesk_huawei::HuaweiError;

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

// The TypeScript names of the host layer's Huawei argument and result types
// (`partnerdesk_host::ops::huawei::{Pages, HostJson, FilterText}`): napi's generator names a
// type it does not know by its Rust name, so each gets its JS shape here, as a type alias in
// `index.d.ts` (the Rust aliases themselves are not used).

/// Response pages of one Huawei answer: the JSON text of each page, in order.
#[napi]
pub type Pages = Vec<String>;

/// A JSON document as JSON text: a request body ready to send (`JSON.parse` it to look inside;
/// amounts are JSON numbers with the decimal's exact digits).
#[napi]
pub type HostJson = String;

/// A filter: a `Query`, or its text filter.
#[napi]
pub type FilterText = Either<crate::query::Query, String>;

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
    /// `solution_provider` (default), `distributor` or `reseller`.
    pub tier: Option<Tier>,
}

/// One import step of `importHuaweiAsync`: a kind of response, its pages (JSON text), and what
/// that kind needs (the same as `desk.importHuawei(kind, pages, { customer, cycle, reseller })`).
#[napi(object)]
#[derive(Debug, Clone)]
pub struct HuaweiImport {
    /// Which response.
    pub kind: ImportKind,
    /// The response pages, as JSON text.
    pub pages: Vec<String>,
    /// The customer the response is about (`budget`, `budget_records`, `subscription_resources`).
    pub customer: Option<String>,
    /// The billing cycle `YYYY-MM` (`fee_records`, `monthly_bills`).
    pub cycle: Option<String>,
    /// The reseller (`indirect_partner_id`) the responses were fetched through.
    pub reseller: Option<String>,
}

/// Options of a multi-step import on a worker thread.
#[napi(object, object_to_js = false)]
pub struct ImportAsyncOptions {
    /// The moment of the import, of every step (default: the current time).
    pub now: Option<DateTime<Utc>>,
    /// Called with `{ done, total }` import steps after each step.
    #[napi(ts_type = "(progress: Progress) => void")]
    pub on_progress: Option<ProgressFn>,
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Desk {
    /// A new, empty desk for a partner (to import Huawei responses into). `now` defaults to
    /// the current time; it fixes the desk's billing month.
    #[napi(factory)]
    pub fn empty(partner: PartnerInit, now: Option<HostInstant>) -> napi::Result<Desk, Code> {
        let PartnerInit {
            id,
            name,
            site,
            tier,
        } = partner;
        let desk = huawei::empty(id, name, site, tier, now).map_err(to_js)?;
        Ok(Desk::wrap(desk))
    }

    /// A desk started from the adapter's fixture responses of a site (customer lists, then
    /// budgets, resources, orders and bills), as a host builds one from real responses, at
    /// `now` (default: the current time).
    #[napi(factory)]
    pub fn from_huawei_fixtures(site: Site, now: Option<HostInstant>) -> napi::Result<Desk, Code> {
        let (desk, _reports) = huawei::fixture_desk(site, now).map_err(IntoJs::into_js)?;
        Ok(Desk::wrap(desk))
    }

    /// Imports several Huawei responses in order on a worker thread, with progress per step.
    /// Each step is checked before anything runs (as `desk.importHuawei` checks its
    /// arguments). Resolves to one report per step; rejects with the code of the first
    /// failing step (the steps before it stay imported, each committed on its own). Calls on
    /// this desk throw `DESK_BUSY` until it settles.
    #[napi(ts_return_type = "Promise<ImportReport[]>")]
    pub fn import_huawei_async(
        &self,
        steps: Vec<HuaweiImport>,
        options: Option<ImportAsyncOptions>,
    ) -> napi::Result<AsyncTask<ImportSteps>, Code> {
        let (now, progress) = match options {
            Some(o) => (o.now, o.on_progress),
            None => (None, None),
        };
        let now = HostInstant(partnerdesk_host::now_or_clock(now));
        let steps = steps
            .into_iter()
            .map(|s| ImportStep::new(s.kind, s.pages, s.customer, s.cycle, s.reseller, Some(now)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(to_js)?;
        Ok(AsyncTask::new(ImportSteps {
            desk: self.inner.clone(),
            steps,
            progress,
        }))
    }
}

/// Runs import steps on a worker thread.
pub struct ImportSteps {
    desk: Shared,
    steps: Vec<ImportStep>,
    progress: Option<ProgressFn>,
}

impl Task for ImportSteps {
    type Output = Result<Vec<ImportReport>, HuaweiError>;
    type JsValue = Vec<ImportReport>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(crate::panic_guard::background("Desk.importHuawei", || {
            self.run()
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Vec<ImportReport>> {
        output.map_err(|e| crate::error::rejection(&env, &huawei_details(&e), &e.to_string()))
    }
}

impl ImportSteps {
    fn run(&self) -> Result<Vec<ImportReport>, HuaweiError> {
        let mut desk = crate::desk::write_on_worker(&self.desk);
        let total = count32(self.steps.len());
        let mut reports = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            reports.push(step.commit(&mut desk)?);
            report(self.progress.as_ref(), count32(reports.len()), total);
        }
        Ok(reports)
    }
}
