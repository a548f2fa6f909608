//! Mirrors for governed operations: who acts and the partner's operators.
//!
//! Why separate classes: these are the records an operator-facing host shows and stores. Each
//! is a frozen copy of the core's record with Python types (aware UTC datetimes, strings for
//! enumerations). Their reprs show ids, codes and states only: operator names, customer names
//! and free-text reasons (which an operator may have typed personal data into) stay out.

use crate::errors::IntoPy;
use partnerdesk::access::Actor;
use partnerdesk::{CustomerId, OperatorId};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

/// Who acts: an operator (by login), a customer (by id) or the system.
#[pyclass(
    name = "Actor",
    module = "partnerdesk",
    frozen,
    eq,
    hash,
    from_py_object
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyActor {
    pub(crate) inner: Actor,
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyActor {
    /// An operator of the partner, by login.
    #[staticmethod]
    fn operator(py: Python<'_>, login: String) -> PyResult<Self> {
        Ok(PyActor {
            inner: Actor::Operator(OperatorId::new(login).py(py)?),
        })
    }
    /// A customer, by id.
    #[staticmethod]
    fn customer(py: Python<'_>, id: String) -> PyResult<Self> {
        Ok(PyActor {
            inner: Actor::Customer(CustomerId::new(id).py(py)?),
        })
    }
    /// The system (time-driven transitions, imports).
    #[staticmethod]
    fn system() -> Self {
        PyActor {
            inner: Actor::System,
        }
    }
    /// `"operator"`, `"customer"` or `"system"`.
    #[getter]
    fn kind(&self) -> &'static str {
        match &self.inner {
            Actor::Operator(_) => "operator",
            Actor::Customer(_) => "customer",
            Actor::System => "system",
        }
    }
    /// The operator login or customer id (`None` for the system).
    #[getter]
    fn id(&self) -> Option<String> {
        match &self.inner {
            Actor::Operator(o) => Some(o.to_string()),
            Actor::Customer(c) => Some(c.to_string()),
            Actor::System => None,
        }
    }
    fn __str__(&self) -> String {
        self.inner.to_string()
    }
    fn __repr__(&self) -> String {
        match &self.inner {
            Actor::Operator(o) => format!("Actor.operator('{o}')"),
            Actor::Customer(c) => format!("Actor.customer('{c}')"),
            Actor::System => "Actor.system()".to_owned(),
        }
    }
}

/// An actor argument: an `Actor`, or a `str` taken as an operator login (the convention of
/// every host, `docs/conventions.md`).
pub(crate) fn actor_arg(obj: &Bound<'_, PyAny>) -> PyResult<Actor> {
    if let Ok(a) = obj.cast::<PyActor>() {
        return Ok(a.get().inner.clone());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return partnerdesk_host::operator(s.to_cow()?.as_ref()).py(obj.py());
    }
    Err(PyTypeError::new_err(
        "actor: expected a partnerdesk.Actor or an operator login (str)",
    ))
}

/// Customer ids from a list of strings.
pub(crate) fn ids_arg(py: Python<'_>, ids: Vec<String>) -> PyResult<Vec<CustomerId>> {
    ids.into_iter().map(|i| CustomerId::new(i).py(py)).collect()
}
