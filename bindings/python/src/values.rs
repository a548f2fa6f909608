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
use partnerdesk::{Currency, Decimal, Money};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyBool, PyDict, PyFloat, PyFrozenSet, PyInt, PyString};
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
    if let Some(t) = utc_datetime(obj)? {
        partnerdesk::calendar::check_instant(what, t)
            .map_err(|e| crate::errors::to_py(obj.py(), e))?;
        return Ok(t);
    }
    let t: DateTime<FixedOffset> = obj.extract().map_err(|e| {
        PyTypeError::new_err(format!("{what}: expected a timezone-aware datetime ({e})"))
    })?;
    let t = t.with_timezone(&Utc);
    // The years the core accepts (1970..=9999): `InvalidDateError` naming the argument.
    partnerdesk::calendar::check_instant(what, t).map_err(|e| crate::errors::to_py(obj.py(), e))?;
    Ok(t)
}

/// What [`utc_datetime`] keeps: `datetime.datetime`, `datetime.timezone.utc`, the epoch as an
/// aware UTC `datetime`, and `timedelta(microseconds=1)`.
type UtcParts = (Py<PyAny>, Py<PyAny>, Py<PyAny>, Py<PyAny>);

static UTC_PARTS: pyo3::sync::PyOnceLock<UtcParts> = pyo3::sync::PyOnceLock::new();

/// The instant of a `datetime.datetime` (exactly that class) whose `tzinfo` is
/// `datetime.timezone.utc`, the usual `now` (`datetime.now(timezone.utc)`, the demo's), read
/// in two operations, `(t - epoch) // timedelta(microseconds=1)`; `None` for anything else,
/// which pyo3's conversion then reads (subclasses, other zones, naive values and non-datetimes
/// keep its behaviour and its errors).
///
/// Why: under the stable ABI (abi3) pyo3 reads a `datetime` by about fifteen Python attribute
/// lookups and calls (its fields, `tzinfo`, `utcoffset`, the offset's fields), about 4 µs of
/// a search's 5 µs overhead over the core (issue #18 item 6, benches/README.md).
fn utc_datetime(obj: &Bound<'_, PyAny>) -> PyResult<Option<DateTime<Utc>>> {
    let py = obj.py();
    let (class, utc, epoch, micro) = UTC_PARTS.get_or_try_init(py, || -> PyResult<UtcParts> {
        let dt = py.import("datetime")?;
        let class = dt.getattr("datetime")?;
        let utc = dt.getattr("timezone")?.getattr("utc")?;
        let epoch = class.call1((1970, 1, 1, 0, 0, 0, 0, &utc))?;
        let micro = dt
            .getattr("timedelta")?
            .call((), Some(&[("microseconds", 1)].into_py_dict(py)?))?;
        Ok((class.unbind(), utc.unbind(), epoch.unbind(), micro.unbind()))
    })?;
    if !obj.get_type().is(class.bind(py)) {
        return Ok(None);
    }
    if !obj.getattr(pyo3::intern!(py, "tzinfo"))?.is(utc.bind(py)) {
        return Ok(None);
    }
    let micros: i64 = obj
        .sub(epoch.bind(py))?
        .floor_div(micro.bind(py))?
        .extract()?;
    Ok(DateTime::from_timestamp_micros(micros))
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

/// Refuses a search's page (`Page` or `IdPage`) given whole as an argument: no operation
/// takes one, and where ids are wanted (`freeze(actor, desk.search_ids(...))`) the right
/// value is `page.ids`. `InvalidArgumentError` naming the argument, not the obscure failure
/// of converting the page.
pub(crate) fn not_a_page(py: Python<'_>, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<()> {
    let what = if obj.is_instance_of::<partnerdesk_host::records::IdPage>() {
        "IdPage"
    } else if obj.is_instance_of::<PyPage>() {
        "Page"
    } else {
        return Ok(());
    };
    Err(crate::errors::to_py(
        py,
        partnerdesk::Error::InvalidArgument {
            field: name.to_owned(),
            reason: format!("a whole {what} was given: pass page.ids (the customer ids)"),
        },
    ))
}

/// A named tuple of `partnerdesk._records` (`DemoPortfolio`, `FixtureDesk`): what a function
/// returns where it used to return a bare tuple, still unpacked the same way.
pub(crate) fn named<'py>(
    py: Python<'py>,
    class: &str,
    fields: impl pyo3::call::PyCallArgs<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    py.import("partnerdesk._records")?
        .getattr(class)?
        .call1(fields)
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
    pub(crate) fn new(py: Python<'_>, amount: &Bound<'_, PyAny>, currency: &str) -> PyResult<Self> {
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
    fn mobile(&self) -> Option<&str> {
        self.inner.mobile.as_deref()
    }
    /// E-mail, masked.
    #[getter]
    fn email(&self) -> Option<&str> {
        self.inner.email.as_deref()
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
    /// The row as a `dict` of plain Python values, in the order of `Page.to_dicts()`'s
    /// columns: `str`, `bool`, `int`, `decimal.Decimal` amounts each with its currency beside
    /// it (`month_to_date` and `month_to_date_currency`), aware UTC `datetime`s, the tags as a
    /// sorted `list`; masked fields stay masked (the name as `Z***`), absent ones are `None`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        row_dict(py, &self.inner)
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

/// The plain Python values of a row (see `CustomerRow.to_dict`).
fn row_dict<'py>(py: Python<'py>, r: &CustomerRow) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", r.id.as_str())?;
    d.set_item("account_name", r.account_name.as_str())?;
    d.set_item("name", r.name.as_str())?;
    d.set_item("mobile", r.mobile.as_deref())?;
    d.set_item("email", r.email.as_deref())?;
    d.set_item("customer_type", r.customer_type.as_str())?;
    d.set_item("verification", r.verification.as_str())?;
    d.set_item("level", r.level.as_str())?;
    let tags: Vec<&str> = r.tags.iter().map(|t| t.as_str()).collect();
    d.set_item("tags", tags)?;
    d.set_item("association_type", r.association_type.as_str())?;
    d.set_item("associated_at", r.associated_at)?;
    d.set_item("disassociated_at", r.disassociated_at)?;
    d.set_item(
        "reseller",
        r.reseller.as_ref().map(|v| v.as_str().to_owned()),
    )?;
    d.set_item(
        "account_manager",
        r.account_manager.as_ref().map(|v| v.as_str().to_owned()),
    )?;
    d.set_item("account_manager_name", opt_str(&r.account_manager_name))?;
    d.set_item("frozen", r.freeze_scope.is_some())?;
    d.set_item(
        "freeze_scope",
        r.freeze_scope.as_ref().map(|v| v.as_str().to_owned()),
    )?;
    d.set_item(
        "freeze_origin",
        r.freeze_origin.as_ref().map(|v| v.as_str().to_owned()),
    )?;
    d.set_item("month_to_date", r.month_to_date.amount)?;
    d.set_item(
        "month_to_date_currency",
        r.month_to_date.currency.to_string(),
    )?;
    d.set_item("last_month", r.last_month.amount)?;
    d.set_item("last_month_currency", r.last_month.currency.to_string())?;
    let b = r.budget.as_ref();
    d.set_item("budget_kind", b.map(|b| b.kind.as_str().to_owned()))?;
    d.set_item("budget_amount", b.map(|b| b.amount.amount))?;
    d.set_item("budget_used", b.map(|b| b.used.amount))?;
    d.set_item("budget_currency", b.map(|b| b.amount.currency.to_string()))?;
    d.set_item("budget_percent", b.map(|b| b.percent))?;
    d.set_item("budget_auto_freeze", b.map(|b| b.auto_freeze))?;
    d.set_item("next_expiry", r.next_expiry)?;
    d.set_item("unpaid_orders", r.unpaid_orders)?;
    Ok(d)
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
    /// The customer ids of the rows, in order (what batch commands such as `freeze` take).
    #[getter]
    fn ids(&self) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| r.inner.id.as_str().to_owned())
            .collect()
    }
    /// The rows as `dict`s (`CustomerRow.to_dict`), one per row, in order.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.rows.iter().map(|r| row_dict(py, &r.inner)).collect()
    }
    /// The rows as a pandas `DataFrame`: one column per key of `to_dicts()`, amounts as
    /// `decimal.Decimal` objects (never floats), times as UTC timestamps. pandas is imported
    /// only now; without it this raises `ImportError` (`pip install pandas`).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.frame(py, "to_pandas")
    }
    /// The rows as a polars `DataFrame`, amounts as `pl.Decimal` columns (exact). polars is
    /// imported only now; without it this raises `ImportError` (`pip install polars`).
    fn to_polars<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.frame(py, "to_polars")
    }
    /// The rows as a pyarrow `Table`, amounts as `decimal128` columns (exact). pyarrow is
    /// imported only now; without it this raises `ImportError` (`pip install pyarrow`).
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.frame(py, "to_arrow")
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

impl PyPage {
    /// The rows' dicts handed to `partnerdesk._frames.<builder>` (pure Python, importing the
    /// frame package lazily).
    fn frame<'py>(&self, py: Python<'py>, builder: &str) -> PyResult<Bound<'py, PyAny>> {
        let dicts = self.to_dicts(py)?;
        py.import("partnerdesk._frames")?
            .getattr(builder)?
            .call1((dicts,))
    }
}
