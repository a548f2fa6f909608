//! Python's side of the Huawei interop types: bodies as `dict`s with exact amounts, pages as
//! text or bytes, a `Query` read through its filter, and the adapter's exception classes.

use super::{FilterText, HostJson, Pages};
use crate::python::{IntoPy, PartnerDeskError, json_text, to_py};
use partnerdesk_huawei::HuaweiError;
use pyo3::create_exception;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyType};
use pyo3::{Borrowed, IntoPyObject};

create_exception!(
    partnerdesk,
    HuaweiApiError,
    PartnerDeskError,
    "Huawei answered with an error (code `HUAWEI_API_ERROR`); `huawei_code`, `kind`, `http_status`, `retryable`."
);
create_exception!(
    partnerdesk,
    HuaweiInvalidDataError,
    PartnerDeskError,
    "A Huawei response breaks the API's rules (code `HUAWEI_INVALID_DATA`); `field`, `reason`."
);
create_exception!(
    partnerdesk,
    HuaweiPagingOutOfBoundsError,
    PartnerDeskError,
    "Paging beyond the API's bounds (code `HUAWEI_PAGING_OUT_OF_BOUNDS`); `reason`."
);

/// The adapter's exception classes with their codes, for [`crate::python::register`].
pub fn classes(py: Python<'_>) -> Vec<(&'static str, &'static str, Bound<'_, PyType>)> {
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

/// An adapter error as a Python exception: a core error as its own class, the others as the
/// adapter's, with their details as attributes. Exhaustive: no `_` arm.
pub fn huawei_to_py(py: Python<'_>, e: HuaweiError) -> PyErr {
    let message = e.to_string();
    let build = |class: Bound<'_, PyType>, attrs: Vec<(&str, Bound<'_, PyAny>)>| {
        let inst = class.call1((message.as_str(),))?;
        inst.setattr("code", e.code())?;
        for (k, v) in attrs {
            inst.setattr(k, v)?;
        }
        Ok::<_, PyErr>(PyErr::from_value(inst))
    };
    let s = |v: &str| PyString::new(py, v).into_any();
    let made = match &e {
        HuaweiError::Core(core) => return to_py(py, core.clone()),
        HuaweiError::Api(api) => build(
            py.get_type::<HuaweiApiError>(),
            vec![
                ("huawei_code", s(&api.huawei_code)),
                ("kind", s(api.code())),
                (
                    "http_status",
                    api.http_status
                        .into_pyobject(py)
                        .map_or_else(|_| py.None().into_bound(py), pyo3::Bound::into_any),
                ),
                (
                    "retryable",
                    pyo3::types::PyBool::new(py, api.kind.is_retryable())
                        .to_owned()
                        .into_any(),
                ),
            ],
        ),
        HuaweiError::InvalidData { field, reason } => build(
            py.get_type::<HuaweiInvalidDataError>(),
            vec![("field", s(field)), ("reason", s(reason))],
        ),
        HuaweiError::PagingOutOfBounds { reason } => build(
            py.get_type::<HuaweiPagingOutOfBoundsError>(),
            vec![("reason", s(reason))],
        ),
    };
    made.unwrap_or_else(|err| err)
}

impl<T> IntoPy<T> for Result<T, HuaweiError> {
    fn py(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| huawei_to_py(py, e))
    }
}

fn decimal<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("decimal")?.getattr("Decimal")?.call1((text,))
}

/// A JSON value as Python objects: numbers with a fraction, and every number of a member named
/// like an amount (`budget_amount`), as `decimal.Decimal` (from their text, never through a
/// float); an object of exactly `amount` and `currency` texts as `partnerdesk.Money`.
fn to_python<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => pyo3::types::PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            (None, None) => decimal(py, &n.to_string())?,
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let items = items
                .iter()
                .map(|i| to_python(py, i))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Object(map) => {
            if let (2, Some(Value::String(amount)), Some(Value::String(currency))) =
                (map.len(), map.get("amount"), map.get("currency"))
            {
                let amount = crate::HostDecimal(amount.parse().map_err(|_| {
                    pyo3::exceptions::PyValueError::new_err("amount: not a decimal")
                })?);
                let money = crate::records::Money {
                    amount,
                    currency: currency.clone(),
                };
                return money.into_pyobject(py);
            }
            let d = PyDict::new(py);
            for (k, v) in map {
                match v {
                    // An amount is a `Decimal` even when it is whole (`"budget_amount": 1500`).
                    Value::Number(n) if k.contains("amount") => {
                        d.set_item(k, decimal(py, &n.to_string())?)?;
                    }
                    _ => d.set_item(k, to_python(py, v)?)?,
                }
            }
            d.into_any()
        }
    })
}

impl<'py> IntoPyObject<'py> for &HostJson {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0)
    }
}

crate::values::into_py_by_ref!(HostJson);

/// One page (`str` or `bytes`) or an iterable of them.
impl FromPyObject<'_, '_> for Pages {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        let obj = obj.to_owned();
        if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
            return Ok(Pages(vec![json_text(&obj, "pages")?]));
        }
        obj.try_iter()?
            .map(|p| json_text(&p?, "pages"))
            .collect::<PyResult<_>>()
            .map(Pages)
    }
}

/// A text filter, or a `partnerdesk.Query` (its canonical `filter` text).
impl FromPyObject<'_, '_> for FilterText {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        if let Ok(s) = obj.cast::<PyString>() {
            return Ok(FilterText(s.to_cow()?.into_owned()));
        }
        let from_query = || -> PyResult<String> { obj.getattr("filter")?.extract() };
        from_query().map(FilterText).map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(
                "query: expected a partnerdesk.Query or a text filter (str)",
            )
        })
    }
}
