//! Frozen value classes (Money, rows, pages, the partner) and argument conversions.
//!
//! Why mirrors: the core's types know nothing about Python. Each class here wraps or copies a
//! core value and exposes it the Python way: `decimal.Decimal` for amounts, timezone-aware UTC
//! `datetime`, `str` for open enumerations (unknown values survive as their text), `frozenset`
//! for tags. Every value class is frozen, compares and hashes by value, and its `repr` shows
//! ids and amounts only, never a name, mobile number or e-mail (not even masked ones).

use crate::errors::IntoPy;
use chrono::{DateTime, FixedOffset, Utc};
use partnerdesk::row::{BudgetSummary, CustomerRow};
use partnerdesk::{Currency, Decimal, Money, Partner};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyFrozenSet, PyInt, PyString};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// Reads an amount: `decimal.Decimal`, `int` or a decimal string. Floats are refused
/// (`TypeError`): money is exact.
pub(crate) fn decimal_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Decimal> {
    if obj.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{what}: floats are not accepted for money; pass decimal.Decimal, int or str"
        )));
    }
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected decimal.Decimal, int or str, got bool"
        )));
    }
    if let Ok(text) = obj.cast::<PyString>() {
        let text = text.to_cow()?;
        return Decimal::from_str(text.trim())
            .map_err(|_| PyValueError::new_err(format!("{what}: not a decimal number")));
    }
    if obj.is_instance_of::<PyInt>() {
        let v: i64 = obj.extract()?;
        return Ok(Decimal::from(v));
    }
    let decimal_cls = obj.py().import("decimal")?.getattr("Decimal")?;
    if !obj.is_instance(&decimal_cls)? {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected decimal.Decimal, int or str"
        )));
    }
    if !obj.call_method0("is_finite")?.is_truthy()? {
        return Err(PyValueError::new_err(format!(
            "{what}: NaN and infinity are not amounts"
        )));
    }
    obj.extract::<Decimal>()
        .map_err(|_| PyValueError::new_err(format!("{what}: out of range")))
}

/// Reads a point in time: a timezone-aware `datetime` (any zone), converted to UTC. Naive
/// datetimes are refused (`TypeError`): the core works in UTC and will not guess a zone.
pub(crate) fn time_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<DateTime<Utc>> {
    let t: DateTime<FixedOffset> = obj.extract().map_err(|e| {
        PyTypeError::new_err(format!("{what}: expected a timezone-aware datetime ({e})"))
    })?;
    let t = t.with_timezone(&Utc);
    // The years the core accepts (1970..=9999): `InvalidDateError` naming the argument.
    partnerdesk::calendar::check_instant(what, t).map_err(|e| crate::errors::to_py(obj.py(), e))?;
    Ok(t)
}

/// `now` argument: the given time, or the wall clock (UTC) when `None`, as in every host
/// (`docs/conventions.md`); read through Python's `datetime.now(timezone.utc)`, so tools that
/// freeze time in tests work too.
pub(crate) fn now_arg(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<DateTime<Utc>> {
    match obj {
        Some(o) if !o.is_none() => time_arg(o, "now"),
        _ => {
            let dt = py.import("datetime")?;
            let utc = dt.getattr("timezone")?.getattr("utc")?;
            let now = dt.getattr("datetime")?.call_method1("now", (utc,))?;
            time_arg(&now, "now")
        }
    }
}

fn hash_of<T: Hash>(v: &T) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

/// An exact amount with its ISO 4217 currency.
#[pyclass(
    name = "Money",
    module = "partnerdesk",
    frozen,
    eq,
    hash,
    from_py_object
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyMoney {
    pub(crate) inner: Money,
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyMoney {
    #[new]
    fn new(py: Python<'_>, amount: &Bound<'_, PyAny>, currency: &str) -> PyResult<Self> {
        let amount = decimal_arg(amount, "amount")?;
        let currency = Currency::new(currency).py(py)?;
        Ok(PyMoney {
            inner: Money::new(amount, currency),
        })
    }

    /// The amount.
    #[getter]
    fn amount(&self) -> Decimal {
        self.inner.amount
    }

    /// The ISO 4217 code.
    #[getter]
    fn currency(&self) -> String {
        self.inner.currency.to_string()
    }

    pub(crate) fn __repr__(&self) -> String {
        format!("Money('{}', '{}')", self.inner.amount, self.inner.currency)
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    /// Adds two amounts of the same currency (`CurrencyMismatchError` otherwise).
    fn __add__(&self, py: Python<'_>, other: PyRef<'_, PyMoney>) -> PyResult<PyMoney> {
        Ok(self.inner.checked_add(other.inner).py(py)?.into())
    }

    /// Subtracts two amounts of the same currency (`CurrencyMismatchError` otherwise).
    fn __sub__(&self, py: Python<'_>, other: PyRef<'_, PyMoney>) -> PyResult<PyMoney> {
        Ok(self.inner.checked_sub(other.inner).py(py)?.into())
    }
}

impl From<Money> for PyMoney {
    fn from(inner: Money) -> Self {
        PyMoney { inner }
    }
}

/// Budget columns of a row.
#[pyclass(
    name = "BudgetSummary",
    module = "partnerdesk",
    frozen,
    eq,
    hash,
    from_py_object
)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyBudgetSummary {
    inner: BudgetSummary,
}

impl Hash for PyBudgetSummary {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let b = &self.inner;
        (&b.kind, &b.amount, &b.used, &b.percent, b.auto_freeze).hash(state);
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyBudgetSummary {
    /// `"monthly"` or `"one_off"` (or a newer value, as text).
    #[getter]
    fn kind(&self) -> String {
        self.inner.kind.as_str().to_owned()
    }
    /// The budget.
    #[getter]
    fn amount(&self) -> PyMoney {
        self.inner.amount.into()
    }
    /// Spend counted against it.
    #[getter]
    fn used(&self) -> PyMoney {
        self.inner.used.into()
    }
    /// Percentage used (2 decimals).
    #[getter]
    fn percent(&self) -> Decimal {
        self.inner.percent
    }
    /// Whether reaching 100% freezes the account.
    #[getter]
    fn auto_freeze(&self) -> bool {
        self.inner.auto_freeze
    }
    fn __repr__(&self) -> String {
        let b = &self.inner;
        format!(
            "BudgetSummary(kind='{}', amount={}, used={}, percent=Decimal('{}'), auto_freeze={})",
            b.kind,
            PyMoney::from(b.amount).__repr__()?,
            PyMoney::from(b.used).__repr__()?,
            b.percent,
            if b.auto_freeze { "True" } else { "False" }
        )
    }
}

/// One customer as a list shows it; personal fields are masked by the core.
#[pyclass(
    name = "CustomerRow",
    module = "partnerdesk",
    frozen,
    eq,
    hash,
    from_py_object
)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyCustomerRow {
    pub(crate) inner: CustomerRow,
}

impl Hash for PyCustomerRow {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Equal rows have equal ids and amounts; that is enough for a good hash.
        let r = &self.inner;
        (&r.id, &r.month_to_date, &r.last_month, &r.next_expiry).hash(state);
    }
}

fn opt_str<T: AsRef<str>>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(|s| s.as_ref().to_owned())
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyCustomerRow {
    /// Customer (Huawei domain) id.
    #[getter]
    fn id(&self) -> &str {
        self.inner.id.as_str()
    }
    /// Account name (masked when the partner's policy says so).
    #[getter]
    fn account_name(&self) -> &str {
        &self.inner.account_name
    }
    /// Customer name, masked (`Z***`).
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// Mobile number, masked.
    #[getter]
    fn mobile(&self) -> Option<String> {
        self.inner.mobile.clone()
    }
    /// E-mail, masked.
    #[getter]
    fn email(&self) -> Option<String> {
        self.inner.email.clone()
    }
    /// `"unset"`, `"individual"` or `"enterprise"`.
    #[getter]
    fn customer_type(&self) -> &str {
        self.inner.customer_type.as_str()
    }
    /// Real-name verification status.
    #[getter]
    fn verification(&self) -> &str {
        self.inner.verification.as_str()
    }
    /// `"V0"` .. `"V5"`.
    #[getter]
    fn level(&self) -> &str {
        self.inner.level.as_str()
    }
    /// Tags.
    #[getter]
    fn tags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyFrozenSet>> {
        PyFrozenSet::new(py, self.inner.tags.iter().map(|t| t.as_str()))
    }
    /// `"referral"` or `"reseller"`.
    #[getter]
    fn association_type(&self) -> &str {
        self.inner.association_type.as_str()
    }
    /// When associated (UTC).
    #[getter]
    fn associated_at(&self) -> DateTime<Utc> {
        self.inner.associated_at
    }
    /// When the association ended (UTC), for disassociated customers.
    #[getter]
    fn disassociated_at(&self) -> Option<DateTime<Utc>> {
        self.inner.disassociated_at
    }
    /// The reseller id.
    #[getter]
    fn reseller(&self) -> Option<String> {
        self.inner.reseller.as_ref().map(|r| r.as_str().to_owned())
    }
    /// Account manager login.
    #[getter]
    fn account_manager(&self) -> Option<String> {
        self.inner
            .account_manager
            .as_ref()
            .map(|r| r.as_str().to_owned())
    }
    /// Account manager display name.
    #[getter]
    fn account_manager_name(&self) -> Option<String> {
        opt_str(&self.inner.account_manager_name)
    }
    /// Freeze scope, when frozen.
    #[getter]
    fn freeze_scope(&self) -> Option<String> {
        self.inner
            .freeze_scope
            .as_ref()
            .map(|f| f.as_str().to_owned())
    }
    /// Freeze origin, when frozen.
    #[getter]
    fn freeze_origin(&self) -> Option<String> {
        self.inner
            .freeze_origin
            .as_ref()
            .map(|f| f.as_str().to_owned())
    }
    /// Whether the customer is frozen.
    #[getter]
    fn frozen(&self) -> bool {
        self.inner.freeze_scope.is_some()
    }
    /// Budget, when set.
    #[getter]
    fn budget(&self) -> Option<PyBudgetSummary> {
        self.inner
            .budget
            .clone()
            .map(|inner| PyBudgetSummary { inner })
    }
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
    /// Earliest upcoming resource expiry (UTC).
    #[getter]
    fn next_expiry(&self) -> Option<DateTime<Utc>> {
        self.inner.next_expiry
    }
    /// Number of unpaid orders.
    #[getter]
    fn unpaid_orders(&self) -> usize {
        self.inner.unpaid_orders
    }
    fn __repr__(&self) -> String {
        // Ids and amounts only: even masked names stay out of reprs and logs.
        format!(
            "CustomerRow(id='{}', month_to_date={}, level='{}')",
            self.inner.id,
            PyMoney::from(self.inner.month_to_date).__repr__()?,
            self.inner.level
        )
    }
}

impl From<CustomerRow> for PyCustomerRow {
    fn from(inner: CustomerRow) -> Self {
        PyCustomerRow { inner }
    }
}

/// One page of a search.
#[pyclass(
    name = "Page",
    module = "partnerdesk",
    frozen,
    eq,
    hash,
    from_py_object
)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyPage {
    pub(crate) rows: Vec<PyCustomerRow>,
    pub(crate) total: usize,
    pub(crate) next_cursor: Option<String>,
}

impl Hash for PyPage {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.total.hash(state);
        self.next_cursor.hash(state);
        for r in &self.rows {
            hash_of(r).hash(state);
        }
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyPage {
    /// The rows (masked).
    #[getter]
    fn rows(&self) -> Vec<PyCustomerRow> {
        self.rows.clone()
    }
    /// How many customers match in all.
    #[getter]
    fn total(&self) -> usize {
        self.total
    }
    /// Cursor for the next page, or `None` on the last page.
    #[getter]
    fn next_cursor(&self) -> Option<String> {
        self.next_cursor.clone()
    }
    fn __len__(&self) -> usize {
        self.rows.len()
    }
    fn __getitem__(&self, index: isize) -> PyResult<PyCustomerRow> {
        let n = self.rows.len() as isize;
        let i = if index < 0 { index + n } else { index };
        if i < 0 || i >= n {
            return Err(pyo3::exceptions::PyIndexError::new_err(
                "page index out of range",
            ));
        }
        Ok(self.rows[i as usize].clone())
    }
    fn __iter__(slf: PyRef<'_, Self>) -> PyResult<Bound<'_, PyAny>> {
        let py = slf.py();
        let list = pyo3::types::PyList::new(py, slf.rows.clone())?;
        list.try_iter().map(|it| it.into_any())
    }
    fn __repr__(&self) -> String {
        format!(
            "Page(rows={}, total={}, next_cursor={})",
            self.rows.len(),
            self.total,
            if self.next_cursor.is_some() {
                "'...'"
            } else {
                "None"
            }
        )
    }
}

/// The partner that owns a desk.
#[pyclass(
    name = "Partner",
    module = "partnerdesk",
    frozen,
    eq,
    hash,
    from_py_object
)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyPartner {
    pub(crate) inner: Partner,
}

impl Hash for PyPartner {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let p = &self.inner;
        (&p.id, &p.name, &p.site, &p.tier, &p.currency).hash(state);
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyPartner {
    /// The partner id.
    #[getter]
    fn id(&self) -> &str {
        self.inner.id.as_str()
    }
    /// The partner's display name (an organisation).
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// `"china"` or `"international"`.
    #[getter]
    fn site(&self) -> &str {
        self.inner.site.as_str()
    }
    /// `"solution_provider"`, `"distributor"` or `"reseller"`.
    #[getter]
    fn tier(&self) -> &str {
        self.inner.tier.as_str()
    }
    /// The billing currency.
    #[getter]
    fn currency(&self) -> String {
        self.inner.currency.to_string()
    }
    /// The billing time zone as minutes east of UTC.
    #[getter]
    fn billing_offset_minutes(&self) -> i32 {
        self.inner.billing_offset.minutes()
    }
    fn __repr__(&self) -> String {
        format!(
            "Partner(id='{}', site='{}', tier='{}', currency='{}')",
            self.inner.id, self.inner.site, self.inner.tier, self.inner.currency
        )
    }
}
