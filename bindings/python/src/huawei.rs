//! Huawei BSS interop (`partnerdesk-huawei`) for Python: imports of response pages into a desk,
//! request bodies, per-customer outcomes of Huawei's answers, paging plans and the query split.
//!
//! Why JSON text in and `dict`s out: the host does the HTTP (with its AK/SK signing), so it
//! holds response text and needs bodies it can hand to `json.dumps` or to the official SDK's
//! models. Amounts in bodies come back as `decimal.Decimal` (parsed from the JSON text, never
//! through a float). Imports release the GIL.

use crate::desk::PyDesk;
use crate::errors::to_py;
use crate::query::query_arg;
use crate::values::{decimal_arg, now_arg};
use partnerdesk::budget::BudgetSetting;
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::{CustomerId, FreezeScope, ResellerId, Site, YearMonth};
use partnerdesk_huawei::import::{self, ImportOptions};
use partnerdesk_huawei::paging::{ApiPage, PagePlan};
use partnerdesk_huawei::{HuaweiError, fixtures, listing, request, response};
use pyo3::create_exception;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};

create_exception!(
    partnerdesk,
    HuaweiApiError,
    partnerdesk_host::python::PartnerDeskError,
    "Huawei answered with an error (code `HUAWEI_API_ERROR`); `huawei_code`, `kind`, `http_status`, `retryable`."
);
create_exception!(
    partnerdesk,
    HuaweiInvalidDataError,
    partnerdesk_host::python::PartnerDeskError,
    "A Huawei response breaks the API's rules (code `HUAWEI_INVALID_DATA`); `field`, `reason`."
);
create_exception!(
    partnerdesk,
    HuaweiPagingOutOfBoundsError,
    partnerdesk_host::python::PartnerDeskError,
    "Paging beyond the API's bounds (code `HUAWEI_PAGING_OUT_OF_BOUNDS`); `reason`."
);

/// The adapter's exception classes with their codes (the core's come from `errors`).
pub(crate) fn classes(
    py: Python<'_>,
) -> Vec<(&'static str, &'static str, Bound<'_, pyo3::types::PyType>)> {
    vec![
        (
            "HuaweiApiError",
            "HUAWEI_API_ERROR",
            py.get_type::<HuaweiApiError>(),
        ),
        (
            "HuaweiInvalidDataError",
            "HUAWEI_INVALID_DATA",
            py.get_type::<HuaweiInvalidDataError>(),
        ),
        (
            "HuaweiPagingOutOfBoundsError",
            "HUAWEI_PAGING_OUT_OF_BOUNDS",
            py.get_type::<HuaweiPagingOutOfBoundsError>(),
        ),
    ]
}

/// Maps an adapter error: core errors to their own classes, the rest to the adapter's.
/// Exhaustive: no `_` arm.
pub(crate) fn huawei_to_py(py: Python<'_>, e: HuaweiError) -> PyErr {
    let build = |class: Bound<'_, pyo3::types::PyType>,
                 attrs: Vec<(&str, Bound<'_, PyAny>)>|
     -> PyResult<PyErr> {
        let inst = class.call1((e.to_string(),))?;
        inst.setattr("code", e.code())?;
        for (k, v) in attrs {
            inst.setattr(k, v)?;
        }
        Ok(PyErr::from_value(inst))
    };
    let s = |v: &str| PyString::new(py, v).into_any();
    let r = match &e {
        HuaweiError::Core(core) => return to_py(py, core.clone()),
        HuaweiError::Api(api) => {
            let status = match api.http_status {
                Some(st) => pyo3::types::PyInt::new(py, st).into_any(),
                None => py.None().into_bound(py),
            };
            build(
                py.get_type::<HuaweiApiError>(),
                vec![
                    ("huawei_code", s(&api.huawei_code)),
                    ("kind", s(api.code())),
                    ("http_status", status),
                    (
                        "retryable",
                        pyo3::types::PyBool::new(py, api.kind.is_retryable())
                            .to_owned()
                            .into_any(),
                    ),
                ],
            )
        }
        HuaweiError::InvalidData { field, reason } => build(
            py.get_type::<HuaweiInvalidDataError>(),
            vec![("field", s(field)), ("reason", s(reason))],
        ),
        HuaweiError::PagingOutOfBounds { reason } => build(
            py.get_type::<HuaweiPagingOutOfBoundsError>(),
            vec![("reason", s(reason))],
        ),
    };
    r.unwrap_or_else(|err| err)
}

trait IntoPyH<T> {
    fn pyh(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyH<T> for Result<T, HuaweiError> {
    fn pyh(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| huawei_to_py(py, e))
    }
}

/// A JSON value as Python objects: numbers with a fraction, and every number of a member named
/// like an amount (`budget_amount`), become `decimal.Decimal` (from their text, never through a
/// float), an amount with its currency (`{"amount": "230.12",
/// "currency": "USD"}`, as the import report writes one) becomes `partnerdesk.Money`.
fn to_python(py: Python<'_>, v: &serde_json::Value) -> PyResult<Py<PyAny>> {
    use serde_json::Value;
    Ok(match v {
        Value::Null => py.None(),
        Value::Bool(b) => pyo3::types::PyBool::new(py, *b)
            .to_owned()
            .into_any()
            .unbind(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any().unbind(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any().unbind(),
            (None, None) => py
                .import("decimal")?
                .getattr("Decimal")?
                .call1((n.to_string(),))?
                .unbind(),
        },
        Value::String(s) => PyString::new(py, s).into_any().unbind(),
        Value::Array(items) => {
            let items = items
                .iter()
                .map(|i| to_python(py, i))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any().unbind()
        }
        Value::Object(map) => {
            if let (2, Some(Value::String(amount)), Some(Value::String(currency))) =
                (map.len(), map.get("amount"), map.get("currency"))
            {
                let amount = py.import("decimal")?.getattr("Decimal")?.call1((amount,))?;
                return Ok(crate::values::PyMoney::new(py, &amount, currency)?
                    .into_pyobject(py)?
                    .into_any()
                    .unbind());
            }
            let d = pyo3::types::PyDict::new(py);
            for (k, v) in map {
                match v {
                    // An amount is a `Decimal` even when it is whole (`"budget_amount": 1500`).
                    Value::Number(n) if k.contains("amount") => {
                        let amount = py.import("decimal")?.getattr("Decimal")?;
                        d.set_item(k, amount.call1((n.to_string(),))?)?;
                    }
                    _ => d.set_item(k, to_python(py, v)?)?,
                }
            }
            d.into_any().unbind()
        }
    })
}

fn page_texts(pages: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let one = |o: &Bound<'_, PyAny>| -> PyResult<String> {
        if let Ok(s) = o.cast::<PyString>() {
            return Ok(s.to_cow()?.into_owned());
        }
        if let Ok(b) = o.cast::<PyBytes>() {
            return String::from_utf8(b.as_bytes().to_vec())
                .map_err(|_| pyo3::exceptions::PyValueError::new_err("page: not UTF-8"));
        }
        Err(pyo3::exceptions::PyTypeError::new_err(
            "pages: expected JSON text (str or bytes) or a list of them",
        ))
    };
    if pages.is_instance_of::<PyString>() || pages.is_instance_of::<PyBytes>() {
        return Ok(vec![one(pages)?]);
    }
    pages.try_iter()?.map(|p| one(&p?)).collect()
}

fn site_arg(py: Python<'_>, site: &str) -> PyResult<Site> {
    Site::parse_known(site).ok_or_else(|| {
        to_py(
            py,
            partnerdesk::Error::InvalidArgument {
                field: "site".into(),
                reason: "expected china or international".into(),
            },
        )
    })
}

fn report(py: Python<'_>, r: &partnerdesk_huawei::ImportReport) -> PyResult<Py<PyAny>> {
    let v = serde_json::to_value(r)
        .map_err(partnerdesk::Error::from)
        .map_err(|e| to_py(py, e))?;
    to_python(py, &v)
}

/// Imports Huawei response pages into a desk and returns the import report as a `dict`.
///
/// `kind`: `list_sub_customers`, `budget` (one customer), `budgets`, `budget_records` (one
/// customer), `on_demand_resources`, `subscription_resources` (one customer), `orders`,
/// `fee_records` (a cycle), `monthly_bills` (a cycle). A refused import changes nothing.
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
#[pyo3(signature = (desk, kind, pages, *, customer = None, cycle = None, reseller = None, now = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn huawei_import(
    py: Python<'_>,
    desk: &Bound<'_, PyDesk>,
    kind: &str,
    pages: &Bound<'_, PyAny>,
    customer: Option<String>,
    cycle: Option<String>,
    reseller: Option<String>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let texts = page_texts(pages)?;
    let mut opts = ImportOptions::at(now_arg(py, now)?);
    if let Some(r) = reseller {
        opts = opts.through_reseller(ResellerId::new(r).map_err(|e| to_py(py, e))?);
    }
    let need_customer = || -> PyResult<CustomerId> {
        let c = customer.clone().ok_or_else(|| {
            pyo3::exceptions::PyTypeError::new_err(format!("huawei_import({kind}) needs customer="))
        })?;
        CustomerId::new(c).map_err(|e| to_py(py, e))
    };
    let need_cycle = || -> PyResult<YearMonth> {
        let c = cycle.clone().ok_or_else(|| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "huawei_import({kind}) needs cycle='YYYY-MM'"
            ))
        })?;
        c.parse::<YearMonth>().map_err(|e| to_py(py, e))
    };
    let d = desk.get();
    d.not_in_own_export()?;
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let pages = refs.as_slice();
    let result = match kind {
        "list_sub_customers" => {
            py.detach(|| d.change(|desk| Ok(import::import_list_sub_customers(desk, &opts, pages))))
        }
        "budget" => {
            let c = need_customer()?;
            let one = pages.first().copied().unwrap_or("");
            py.detach(|| d.change(|desk| Ok(import::import_budget(desk, &opts, &c, one))))
        }
        "budgets" => py.detach(|| d.change(|desk| Ok(import::import_budgets(desk, &opts, pages)))),
        "budget_records" => {
            let c = need_customer()?;
            py.detach(|| d.change(|desk| Ok(import::import_budget_records(desk, &opts, &c, pages))))
        }
        "on_demand_resources" => py
            .detach(|| d.change(|desk| Ok(import::import_on_demand_resources(desk, &opts, pages)))),
        "subscription_resources" => {
            let c = need_customer()?;
            py.detach(|| {
                d.change(|desk| {
                    Ok(import::import_subscription_resources(
                        desk, &opts, &c, pages,
                    ))
                })
            })
        }
        "orders" => py.detach(|| d.change(|desk| Ok(import::import_orders(desk, pages)))),
        "fee_records" => {
            let c = need_cycle()?;
            py.detach(|| d.change(|desk| Ok(import::import_fee_records(desk, c, pages))))
        }
        "monthly_bills" => {
            let c = need_cycle()?;
            py.detach(|| d.change(|desk| Ok(import::import_monthly_bills(desk, c, pages))))
        }
        _ => {
            return Err(to_py(
                py,
                partnerdesk::Error::InvalidArgument {
                    field: "kind".into(),
                    reason: "expected list_sub_customers, budget, budgets, budget_records, on_demand_resources, subscription_resources, orders, fee_records or monthly_bills".into(),
                },
            ));
        }
    };
    // The outer result is the store's (the step committed or not), the inner the adapter's.
    report(py, &result.map_err(|e| to_py(py, e))?.pyh(py)?)
}

/// An empty desk for a partner, to import Huawei responses into.
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
#[pyo3(signature = (partner_id, name, *, site, tier = "solution_provider", now = None))]
pub(crate) fn empty_desk(
    py: Python<'_>,
    partner_id: String,
    name: String,
    site: &str,
    tier: &str,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyDesk> {
    let site = site_arg(py, site)?;
    let tier = partnerdesk::Tier::parse_known(tier).ok_or_else(|| {
        to_py(
            py,
            partnerdesk::Error::InvalidArgument {
                field: "tier".into(),
                reason: "expected solution_provider, distributor or reseller".into(),
            },
        )
    })?;
    let id = partnerdesk::PartnerId::new(partner_id).map_err(|e| to_py(py, e))?;
    let partner = partnerdesk::Partner::new(id, name, site, tier);
    Ok(PyDesk::wrap(partnerdesk::Desk::new(
        partner,
        now_arg(py, now)?,
    )))
}

/// A desk loaded from the embedded fixture responses of a site, and the import reports: a
/// `FixtureDesk` named tuple (`desk`, `reports`), unpacked as `desk, reports = ...`.
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
#[pyo3(signature = (site, *, now = None))]
pub(crate) fn huawei_fixture_desk(
    py: Python<'_>,
    site: &str,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let fields = fixture_desk(py, site, now)?;
    Ok(crate::values::named(py, "FixtureDesk", fields)?.unbind())
}

/// The fixture desk of a site and its import reports (see `huawei_fixture_desk`).
pub(crate) fn fixture_desk(
    py: Python<'_>,
    site: &str,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<(PyDesk, Vec<Py<PyAny>>)> {
    let site = site_arg(py, site)?;
    let now = now_arg(py, now)?;
    let (desk, reports) = py.detach(|| fixtures::desk(site, now)).pyh(py)?;
    let reports = reports
        .iter()
        .map(|r| report(py, r))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((PyDesk::wrap(desk), reports))
}

/// Every embedded fixture: `{file name: JSON text}`.
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
pub(crate) fn huawei_fixtures(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    let d = pyo3::types::PyDict::new(py);
    for (name, text) in fixtures::ALL {
        d.set_item(*name, *text)?;
    }
    Ok(d)
}

fn freeze_request(
    py: Python<'_>,
    customers: &Bound<'_, PyAny>,
    scope: &str,
    reason: String,
) -> PyResult<FreezeRequest> {
    let customers: Vec<String> = crate::declared::argument(py, "customers", customers)?;
    let ids = crate::governed::ids_arg(py, customers)?;
    FreezeRequest::new(ids, FreezeScope::parse(scope), reason).map_err(|e| to_py(py, e))
}

fn reseller_arg(py: Python<'_>, r: Option<String>) -> PyResult<Option<ResellerId>> {
    r.map(|r| ResellerId::new(r).map_err(|e| to_py(py, e)))
        .transpose()
}

/// The `FreezeSubCustomers` body for a freeze command (validated like `Desk.freeze`).
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
#[pyo3(signature = (customers, *, scope = "account", reason, reseller = None))]
pub(crate) fn huawei_freeze_body(
    py: Python<'_>,
    customers: &Bound<'_, PyAny>,
    scope: &str,
    reason: String,
    reseller: Option<String>,
) -> PyResult<Py<PyAny>> {
    let req = freeze_request(py, customers, scope, reason)?;
    let r = reseller_arg(py, reseller)?;
    let body = request::freeze_json(&req, r.as_ref()).pyh(py)?;
    to_python(py, &body)
}

/// The `UnfreezeSubCustomers` body for an unfreeze command.
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
#[pyo3(signature = (customers, *, scope = "account", reason, reseller = None))]
pub(crate) fn huawei_unfreeze_body(
    py: Python<'_>,
    customers: &Bound<'_, PyAny>,
    scope: &str,
    reason: String,
    reseller: Option<String>,
) -> PyResult<Py<PyAny>> {
    let req = freeze_request(py, customers, scope, reason)?;
    let r = reseller_arg(py, reseller)?;
    let body = request::unfreeze_json(&req, r.as_ref()).pyh(py)?;
    to_python(py, &body)
}

/// The `UpdateSubCustomerBudget` body for a budget setting.
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
#[pyo3(signature = (customer, amount, currency, *, kind = "monthly", auto_freeze = false, unfreeze = false, reseller = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn huawei_budget_body(
    py: Python<'_>,
    customer: String,
    amount: &Bound<'_, PyAny>,
    currency: &str,
    kind: &str,
    auto_freeze: bool,
    unfreeze: bool,
    reseller: Option<String>,
) -> PyResult<Py<PyAny>> {
    let customer = CustomerId::new(customer).map_err(|e| to_py(py, e))?;
    let amount = decimal_arg(amount, "amount")?;
    let currency = partnerdesk::Currency::new(currency).map_err(|e| to_py(py, e))?;
    let setting = BudgetSetting::new(
        partnerdesk::Money::new(amount, currency),
        partnerdesk::BudgetKind::parse(kind),
        auto_freeze,
        unfreeze,
    )
    .map_err(|e| to_py(py, e))?;
    let r = reseller_arg(py, reseller)?;
    let body = request::budget_json(&customer, &setting, r.as_ref()).pyh(py)?;
    to_python(py, &body)
}

/// Huawei's answer to a batch request, per customer: `{"items": [{"customer", "ok", "code",
/// "huawei_code", "message", "retry_after_ms"}], "unexpected": [...]}`.
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
#[pyo3(signature = (customers, body, *, http_status = None))]
pub(crate) fn huawei_outcome(
    py: Python<'_>,
    customers: &Bound<'_, PyAny>,
    body: &str,
    http_status: Option<u16>,
) -> PyResult<Py<PyAny>> {
    let customers: Vec<String> = crate::declared::argument(py, "customers", customers)?;
    let ids = crate::governed::ids_arg(py, customers)?;
    let out = response::batch_outcome(&ids, http_status, body).pyh(py)?;
    to_python(py, &out.to_json())
}

/// Splits a query into what `ListSubCustomers` can filter and what is checked locally: a
/// `ListBody` named tuple (`body`, the request body of the page, and `local_filter`, the
/// filter text checked on the desk), unpacked as `body, local = ...`.
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
#[pyo3(signature = (query, *, site, offset = 0, limit = 100))]
pub(crate) fn huawei_list_body(
    py: Python<'_>,
    query: &Bound<'_, PyAny>,
    site: &str,
    offset: u64,
    limit: u32,
) -> PyResult<Py<PyAny>> {
    let q = query_arg(Some(query))?;
    let site = site_arg(py, site)?;
    let split = listing::split_query(&q);
    let page = ApiPage::new(offset, limit).pyh(py)?;
    let body = split.api.body(site, page).pyh(py)?;
    let v = serde_json::to_value(&body)
        .map_err(partnerdesk::Error::from)
        .map_err(|e| to_py(py, e))?;
    let fields = (to_python(py, &v)?, split.local.to_string());
    Ok(crate::values::named(py, "ListBody", fields)?.unbind())
}

/// The pages that cover `total` records within the API's bounds: a list of `ApiPage` named
/// tuples (`offset`, `limit`).
#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pyfunction]
#[pyo3(signature = (total, *, limit = 100))]
pub(crate) fn huawei_page_plan<'py>(
    py: Python<'py>,
    total: u64,
    limit: u32,
) -> PyResult<Bound<'py, PyList>> {
    let plan = PagePlan::covering(total, limit).pyh(py)?;
    let pages = plan
        .pages
        .iter()
        .map(|p| crate::values::named(py, "ApiPage", (p.offset, p.limit)))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, pages)
}
