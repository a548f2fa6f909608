//! Histories and views: association changes and spend summaries.
//!
//! Why frozen copies: these answer "who managed this customer in March", "what did we spend",
//! questions a host renders or stores. Each record is a frozen class with Python types; reprs
//! show ids, codes and amounts, never free-text reasons (which an operator may have typed
//! personal data into).

use crate::governed::PyActor;
use crate::values::PyMoney;
use chrono::{DateTime, Utc};
use partnerdesk::Decimal;
use partnerdesk::analysis::SpendSummary;
use partnerdesk::association::AssociationRecord;
use pyo3::prelude::*;

/// An association or disassociation of a customer.
#[pyclass(name = "AssociationRecord", module = "partnerdesk", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyAssociationRecord {
    pub(crate) inner: AssociationRecord,
}

impl std::hash::Hash for PyAssociationRecord {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Identifying fields only: equal values hash equal.
        (&self.inner.customer, &self.inner.change, self.inner.at).hash(state);
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyAssociationRecord {
    /// The customer.
    #[getter]
    fn customer(&self) -> &str {
        self.inner.customer.as_str()
    }
    /// `"associated"` or `"disassociated"`.
    #[getter]
    fn change(&self) -> &str {
        self.inner.change.as_str()
    }
    /// `"referral"` or `"reseller"`.
    #[getter]
    fn association_type(&self) -> &str {
        self.inner.kind.as_str()
    }
    /// When.
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.inner.at
    }
    /// `"customer"`, `"partner"` or `"system"`.
    #[getter]
    fn initiator(&self) -> &str {
        self.inner.initiator.as_str()
    }
    /// Who did it.
    #[getter]
    fn by(&self) -> PyActor {
        PyActor {
            inner: self.inner.by.clone(),
        }
    }
    /// The reason given.
    #[getter]
    fn reason(&self) -> Option<String> {
        self.inner.reason.clone()
    }
    fn __repr__(&self) -> String {
        format!(
            "AssociationRecord(customer='{}', change='{}', initiator='{}')",
            self.inner.customer, self.inner.change, self.inner.initiator
        )
    }
}

/// Month-to-date spend against last month.
#[pyclass(name = "SpendSummary", module = "partnerdesk", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PySpendSummary {
    pub(crate) inner: SpendSummary,
}

impl std::hash::Hash for PySpendSummary {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Identifying fields only: equal values hash equal.
        (
            &self.inner.month_to_date,
            &self.inner.last_month,
            &self.inner.change,
        )
            .hash(state);
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PySpendSummary {
    /// Month-to-date spend.
    #[getter]
    fn month_to_date(&self) -> PyMoney {
        self.inner.month_to_date.into()
    }
    /// Last month's spend.
    #[getter]
    fn last_month(&self) -> PyMoney {
        self.inner.last_month.into()
    }
    /// Last month's spend over the same number of days.
    #[getter]
    fn last_month_same_days(&self) -> PyMoney {
        self.inner.last_month_same_days.into()
    }
    /// Month to date minus the same days of last month.
    #[getter]
    fn change(&self) -> PyMoney {
        self.inner.change.into()
    }
    /// The change in percent (`None` when last month's same days were zero).
    #[getter]
    fn change_percent(&self) -> Option<Decimal> {
        self.inner.change_percent
    }
    fn __repr__(&self) -> String {
        format!(
            "SpendSummary(month_to_date={}, change={})",
            PyMoney::from(self.inner.month_to_date).__repr__()?,
            PyMoney::from(self.inner.change).__repr__()?
        )
    }
}
