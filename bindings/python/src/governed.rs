//! Mirrors for governed operations: who acts, operators, authorizations,
//! disassociation requests, the audit log and events.
//!
//! Why separate classes: these are the records an operator-facing host shows and stores. Each
//! is a frozen copy of the core's record with Python types (aware UTC datetimes, strings for
//! enumerations). Their reprs show ids, codes and states only: operator names, customer names
//! and free-text reasons (which an operator may have typed personal data into) stay out.

use crate::errors::IntoPy;
use chrono::{DateTime, Utc};
use partnerdesk::access::Actor;
use partnerdesk::association::DisassociationRequest;
use partnerdesk::audit::AuditRecord;
use partnerdesk::authorization::Authorization;
use partnerdesk::event::Event;
use partnerdesk::{CustomerId, IdempotencyKey, Operator, OperatorId};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyFrozenSet, PyString};
use std::hash::{Hash, Hasher};

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

/// An optional idempotency key argument.
pub(crate) fn key_arg(py: Python<'_>, key: Option<String>) -> PyResult<Option<IdempotencyKey>> {
    key.map(|k| IdempotencyKey::new(k).py(py)).transpose()
}

/// Customer ids from a list of strings.
pub(crate) fn ids_arg(py: Python<'_>, ids: Vec<String>) -> PyResult<Vec<CustomerId>> {
    ids.into_iter().map(|i| CustomerId::new(i).py(py)).collect()
}

/// An operator of the partner (the display name is personal data: not in the repr).
#[pyclass(name = "Operator", module = "partnerdesk", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyOperator {
    pub(crate) inner: Operator,
}

impl Hash for PyOperator {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (&self.inner.id, &self.inner.role, &self.inner.permissions).hash(state);
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyOperator {
    /// Login.
    #[getter]
    fn id(&self) -> &str {
        self.inner.id.as_str()
    }
    /// Display name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name.expose()
    }
    /// `"administrator"` or `"operator"`.
    #[getter]
    fn role(&self) -> &str {
        self.inner.role.as_str()
    }
    /// Permission items granted (codes such as `"BPC_ITEM_SUBCUSTSERV_010115"`).
    #[getter]
    fn permissions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyFrozenSet>> {
        PyFrozenSet::new(py, self.inner.permissions.iter().map(|p| p.as_str()))
    }
    /// Whether the operator may be an account manager.
    #[getter]
    fn account_manager(&self) -> bool {
        self.inner.account_manager
    }
    fn __repr__(&self) -> String {
        format!(
            "Operator(id='{}', role='{}')",
            self.inner.id, self.inner.role
        )
    }
}

/// An authorization to act on a customer's behalf.
#[pyclass(name = "Authorization", module = "partnerdesk", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyAuthorization {
    pub(crate) inner: Authorization,
}

impl std::hash::Hash for PyAuthorization {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Identifying fields only: equal values hash equal.
        (&self.inner.id, &self.inner.state, self.inner.approved_at).hash(state);
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyAuthorization {
    /// Its id.
    #[getter]
    fn id(&self) -> &str {
        self.inner.id.as_str()
    }
    /// The customer.
    #[getter]
    fn customer(&self) -> &str {
        self.inner.customer.as_str()
    }
    /// `"place_orders"`, `"operate_resources"`.
    #[getter]
    fn scopes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyFrozenSet>> {
        PyFrozenSet::new(py, self.inner.scopes.iter().map(|s| s.as_str()))
    }
    /// Days it lasts once approved.
    #[getter]
    fn duration_days(&self) -> u32 {
        self.inner.duration_days
    }
    /// The operator who requested it.
    #[getter]
    fn requested_by(&self) -> &str {
        self.inner.requested_by.as_str()
    }
    /// When requested.
    #[getter]
    fn requested_at(&self) -> DateTime<Utc> {
        self.inner.requested_at
    }
    /// The recorded state (see `state_at` for the state at a moment).
    #[getter]
    fn state(&self) -> &str {
        self.inner.state.as_str()
    }
    /// The state at `now` (time-driven transitions applied).
    fn state_at(&self, now: &Bound<'_, PyAny>) -> PyResult<String> {
        let now = crate::values::time_arg(now, "now")?;
        Ok(self.inner.state_at(now).as_str().to_owned())
    }
    /// When approved.
    #[getter]
    fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.inner.approved_at
    }
    /// When it expires.
    #[getter]
    fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.inner.expires_at
    }
    fn __repr__(&self) -> String {
        format!(
            "Authorization(id='{}', customer='{}', state='{}')",
            self.inner.id, self.inner.customer, self.inner.state
        )
    }
}

/// A disassociation request.
#[pyclass(
    name = "DisassociationRequest",
    module = "partnerdesk",
    frozen,
    eq,
    hash
)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyDisassociationRequest {
    pub(crate) inner: DisassociationRequest,
}

impl std::hash::Hash for PyDisassociationRequest {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Identifying fields only: equal values hash equal.
        (self.inner.id, &self.inner.status).hash(state);
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyDisassociationRequest {
    /// Its id.
    #[getter]
    fn id(&self) -> u64 {
        self.inner.id
    }
    /// The customer.
    #[getter]
    fn customer(&self) -> &str {
        self.inner.customer.as_str()
    }
    /// `"customer"`, `"partner"` or `"system"`.
    #[getter]
    fn initiator(&self) -> &str {
        self.inner.initiator.as_str()
    }
    /// Who requested it.
    #[getter]
    fn requested_by(&self) -> PyActor {
        PyActor {
            inner: self.inner.requested_by.clone(),
        }
    }
    /// When.
    #[getter]
    fn requested_at(&self) -> DateTime<Utc> {
        self.inner.requested_at
    }
    /// The reason given.
    #[getter]
    fn reason(&self) -> &str {
        &self.inner.reason
    }
    /// `"pending"`, `"approved"`, `"rejected"` or `"closed"`.
    #[getter]
    fn status(&self) -> &str {
        self.inner.status.as_str()
    }
    /// Who decided.
    #[getter]
    fn decided_by(&self) -> Option<PyActor> {
        self.inner.decided_by.clone().map(|inner| PyActor { inner })
    }
    /// When decided.
    #[getter]
    fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.inner.decided_at
    }
    fn __repr__(&self) -> String {
        format!(
            "DisassociationRequest(id={}, customer='{}', status='{}')",
            self.inner.id, self.inner.customer, self.inner.status
        )
    }
}

/// One audit record: who did (or tried) what, when, and whether it was allowed.
#[pyclass(name = "AuditRecord", module = "partnerdesk", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyAuditRecord {
    pub(crate) inner: AuditRecord,
}

impl std::hash::Hash for PyAuditRecord {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Identifying fields only: equal values hash equal.
        (self.inner.seq, self.inner.at).hash(state);
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyAuditRecord {
    /// Sequence number.
    #[getter]
    fn seq(&self) -> u64 {
        self.inner.seq
    }
    /// When.
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.inner.at
    }
    /// Who.
    #[getter]
    fn actor(&self) -> PyActor {
        PyActor {
            inner: self.inner.actor.clone(),
        }
    }
    /// The customer concerned.
    #[getter]
    fn customer(&self) -> Option<String> {
        self.inner.customer.as_ref().map(|c| c.to_string())
    }
    /// What (e.g. `"freeze"`, `"reveal"`, `"export"`).
    #[getter]
    fn kind(&self) -> &str {
        self.inner.kind.as_str()
    }
    /// Whether it was allowed.
    #[getter]
    fn allowed(&self) -> bool {
        self.inner.outcome.is_allowed()
    }
    /// The refusal's code, when denied.
    #[getter]
    fn denied_code(&self) -> Option<String> {
        self.inner.outcome.denied_code().map(str::to_owned)
    }
    /// Detail text (ids and codes only).
    #[getter]
    fn detail(&self) -> &str {
        &self.inner.detail
    }
    fn __repr__(&self) -> String {
        format!(
            "AuditRecord(seq={}, kind='{}', actor='{}', allowed={})",
            self.inner.seq,
            self.inner.kind.as_str(),
            self.inner.actor,
            if self.inner.outcome.is_allowed() {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// One domain event (what changed), in order; replayable onto a snapshot.
#[pyclass(
    name = "Event",
    module = "partnerdesk",
    frozen,
    eq,
    hash,
    from_py_object
)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyEvent {
    pub(crate) inner: Event,
}

impl std::hash::Hash for PyEvent {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Identifying fields only: equal values hash equal.
        (self.inner.seq, self.inner.at, self.inner.kind.code()).hash(state);
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyEvent {
    /// Sequence number.
    #[getter]
    fn seq(&self) -> u64 {
        self.inner.seq
    }
    /// When.
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.inner.at
    }
    /// Who.
    #[getter]
    fn actor(&self) -> PyActor {
        PyActor {
            inner: self.inner.actor.clone(),
        }
    }
    /// The customer concerned.
    #[getter]
    fn customer(&self) -> Option<String> {
        self.inner.customer.as_ref().map(|c| c.to_string())
    }
    /// The event's stable code (e.g. `"frozen"`, `"budget_set"`).
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.kind.code()
    }
    /// The event's link in the log's hash chain (64 hexadecimal digits).
    #[getter]
    fn link(&self) -> &str {
        &self.inner.link
    }
    /// The event as JSON (for storage; `Event.from_json` reads it back). It may hold personal
    /// data (an association event carries the customer), so treat it like a snapshot.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        serde_json::to_string(&self.inner)
            .map_err(partnerdesk::Error::from)
            .py(py)
    }
    /// Reads an event written by `to_json`.
    #[staticmethod]
    fn from_json(py: Python<'_>, json: &str) -> PyResult<Self> {
        let inner: Event = serde_json::from_str(json)
            .map_err(partnerdesk::Error::from)
            .py(py)?;
        Ok(PyEvent { inner })
    }
    /// The event's display text (ids and codes only).
    fn __str__(&self) -> String {
        self.inner.to_string()
    }
    fn __repr__(&self) -> String {
        format!(
            "Event(seq={}, code='{}', customer={})",
            self.inner.seq,
            self.inner.kind.code(),
            self.inner
                .customer
                .as_ref()
                .map_or("None".to_owned(), |c| format!("'{c}'"))
        )
    }
}
