//! Histories and views: account-manager periods, budget records and usage, spend summaries.
//!
//! Why frozen copies: these answer "who managed this customer in March", "what did we spend",
//! questions a host renders or stores. Each record is a frozen class with Python types; reprs
//! show ids, codes and amounts, never free-text reasons (which an operator may have typed
//! personal data into).

use crate::governed::PyActor;
use crate::values::PyMoney;
use chrono::{DateTime, Utc};
use partnerdesk::Decimal;
use partnerdesk::budget::{BudgetRecord, BudgetUsage};
use partnerdesk::manager::ManagerPeriod;
use pyo3::prelude::*;

/// A period during which an operator was a customer's account manager.
#[pyclass(name = "ManagerPeriod", module = "partnerdesk", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyManagerPeriod {
    pub(crate) inner: ManagerPeriod,
}

impl std::hash::Hash for PyManagerPeriod {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Identifying fields only: equal values hash equal.
        (
            &self.inner.customer,
            &self.inner.manager,
            self.inner.from,
            self.inner.to,
        )
            .hash(state);
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyManagerPeriod {
    /// The customer.
    #[getter]
    fn customer(&self) -> &str {
        self.inner.customer.as_str()
    }
    /// The account manager's login.
    #[getter]
    fn manager(&self) -> &str {
        self.inner.manager.as_str()
    }
    /// From (inclusive).
    #[getter]
    fn start(&self) -> DateTime<Utc> {
        self.inner.from
    }
    /// Until (exclusive); `None` while current.
    #[getter]
    fn end(&self) -> Option<DateTime<Utc>> {
        self.inner.to
    }
    /// Who assigned.
    #[getter]
    fn assigned_by(&self) -> PyActor {
        PyActor {
            inner: self.inner.assigned_by.clone(),
        }
    }
    fn __repr__(&self) -> String {
        format!(
            "ManagerPeriod(customer='{}', manager='{}', current={})",
            self.inner.customer,
            self.inner.manager,
            if self.inner.to.is_none() {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// A budget setting or deletion.
#[pyclass(name = "BudgetRecord", module = "partnerdesk", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyBudgetRecord {
    pub(crate) inner: BudgetRecord,
}

impl std::hash::Hash for PyBudgetRecord {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Identifying fields only: equal values hash equal.
        (&self.inner.customer, &self.inner.amount, self.inner.at).hash(state);
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyBudgetRecord {
    /// The customer.
    #[getter]
    fn customer(&self) -> &str {
        self.inner.customer.as_str()
    }
    /// `"setting"` or `"delete"`.
    #[getter]
    fn operation(&self) -> &str {
        self.inner.operation.as_str()
    }
    /// The amount.
    #[getter]
    fn amount(&self) -> PyMoney {
        self.inner.amount.into()
    }
    /// `"monthly"` or `"one_off"`.
    #[getter]
    fn kind(&self) -> &str {
        self.inner.kind.as_str()
    }
    /// When.
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.inner.at
    }
    /// Who (operator login, or `system`).
    #[getter]
    fn operator(&self) -> &str {
        &self.inner.operator
    }
    fn __repr__(&self) -> String {
        format!(
            "BudgetRecord(customer='{}', operation='{}', amount={})",
            self.inner.customer,
            self.inner.operation,
            PyMoney::from(self.inner.amount).__repr__()?
        )
    }
}

/// A customer's budget usage at a moment.
#[pyclass(name = "BudgetUsage", module = "partnerdesk", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyBudgetUsage {
    pub(crate) inner: BudgetUsage,
}

impl std::hash::Hash for PyBudgetUsage {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Identifying fields only: equal values hash equal.
        (&self.inner.used, &self.inner.remaining, &self.inner.percent).hash(state);
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyBudgetUsage {
    /// The budget amount.
    #[getter]
    fn amount(&self) -> PyMoney {
        self.inner.budget.amount.into()
    }
    /// Spend counted against it.
    #[getter]
    fn used(&self) -> PyMoney {
        self.inner.used.into()
    }
    /// Committed by orders not yet in spend.
    #[getter]
    fn committed(&self) -> PyMoney {
        self.inner.committed.into()
    }
    /// What is left.
    #[getter]
    fn remaining(&self) -> PyMoney {
        self.inner.remaining.into()
    }
    /// Percentage used.
    #[getter]
    fn percent(&self) -> Decimal {
        self.inner.percent
    }
    fn __repr__(&self) -> String {
        format!(
            "BudgetUsage(used={}, remaining={}, percent=Decimal('{}'))",
            PyMoney::from(self.inner.used).__repr__()?,
            PyMoney::from(self.inner.remaining).__repr__()?,
            self.inner.percent
        )
    }
}
