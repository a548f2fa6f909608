//! `Query`: the core's search query, built with class methods and operators or parsed from the
//! text filter.
//!
//! Why both: a script composes criteria (`Query.tag("vip") | Query.tag("gold")`), a UI passes
//! the text the user typed (`"tag:vip or tag:gold"`); both become the same core `Query`, and
//! `str(query)` gives the canonical text filter back.

use crate::errors::IntoPy;
use crate::values::{decimal_arg, time_arg};
use partnerdesk::query::{
    Criterion, ExpiryFilter, Expr, ExprKind, FrozenFilter, MobileMatch, Query, Range, Sort,
    SortKey, TagMatch, TextMatch,
};
use partnerdesk::{
    AssociationType, CustomerId, CustomerLevel, Error, FreezeOrigin, FreezeScope, OperatorId,
    ResellerId, Tag,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::collections::BTreeSet;

/// A search query.
#[pyclass(
    name = "Query",
    module = "partnerdesk",
    frozen,
    eq,
    hash,
    from_py_object
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyQuery {
    pub(crate) inner: Query,
}

/// A query of one criterion, checked by the core (blank text, over-precise amounts, day counts,
/// years: the same checks as the text filter).
fn crit(py: Python<'_>, c: Criterion) -> PyResult<PyQuery> {
    Ok(PyQuery {
        inner: Query::new(Expr::criterion(c).py(py)?),
    })
}

fn range(
    min: Option<&Bound<'_, PyAny>>,
    max: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Range<partnerdesk::Decimal>> {
    let conv = |o: Option<&Bound<'_, PyAny>>| -> PyResult<Option<partnerdesk::Decimal>> {
        match o {
            Some(v) if !v.is_none() => Ok(Some(exact_bound(v, what)?)),
            _ => Ok(None),
        }
    };
    Ok(Range::between(conv(min)?, conv(max)?))
}

fn tags(py: Python<'_>, names: Vec<String>) -> PyResult<BTreeSet<Tag>> {
    names
        .into_iter()
        .map(|t| Tag::new(t).py(py))
        .collect::<PyResult<_>>()
}

/// An amount bound, exactly: a `str` or `decimal.Decimal` is read from its text by the core
/// (so `Decimal("1E-31")` is refused with `INVALID_MONEY`, never rounded to 0); an `int` is
/// exact; anything else is refused as for money arguments.
fn exact_bound(v: &Bound<'_, PyAny>, what: &str) -> PyResult<partnerdesk::Decimal> {
    let decimal_cls = v.py().import("decimal")?.getattr("Decimal")?;
    if v.is_instance_of::<PyString>() || v.is_instance(&decimal_cls)? {
        // NaN and infinity, and every other non-number, are refused by the core's parser.
        let text = v.str()?;
        return partnerdesk::query::parse_amount_bound(what, &text.to_cow()?).py(v.py());
    }
    decimal_arg(v, what)
}

/// Whether an expression holds criteria on personal data (names, mobile numbers).
fn personal(e: &Expr) -> bool {
    // Bounded recursion: an expression is at most MAX_DEPTH deep.
    match e.kind() {
        ExprKind::All => false,
        ExprKind::Criterion(c) => matches!(
            c,
            Criterion::Name(_)
                | Criterion::AccountName(_)
                | Criterion::ManagerName(_)
                | Criterion::Mobile(_)
        ),
        ExprKind::And(v) | ExprKind::Or(v) => v.iter().any(personal),
        ExprKind::Not(e) => personal(e),
    }
}

/// A query argument: a `Query` or a text filter.
pub(crate) fn query_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Query> {
    let Some(obj) = obj else {
        return Ok(Query::all());
    };
    if obj.is_none() {
        return Ok(Query::all());
    }
    if let Ok(q) = obj.cast::<PyQuery>() {
        return Ok(q.get().inner.clone());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Query::parse(&s.to_cow()?).py(obj.py());
    }
    Err(PyTypeError::new_err(
        "query: expected a partnerdesk.Query or a text filter (str)",
    ))
}

/// Parses a sort key (`"name"`, `"account"`, `"mtd"`, `"associated"`, `"expires"`, `"id"`);
/// a leading `-` means descending.
pub(crate) fn sort_arg(py: Python<'_>, key: &str, descending: bool) -> PyResult<Sort> {
    let (key, desc) = match key.strip_prefix('-') {
        Some(k) => (k, true),
        None => (key, descending),
    };
    let key = SortKey::parse(key).py(py)?;
    Ok(if desc {
        Sort::desc(key)
    } else {
        Sort::asc(key)
    })
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyQuery {
    /// A query from a text filter (the empty filter matches everyone).
    #[new]
    #[pyo3(signature = (filter = ""))]
    fn new(py: Python<'_>, filter: &str) -> PyResult<Self> {
        Self::parse(py, filter)
    }

    /// Parses the text filter grammar; raises `FilterSyntaxError`.
    #[staticmethod]
    fn parse(py: Python<'_>, filter: &str) -> PyResult<Self> {
        Ok(PyQuery {
            inner: Query::parse(filter).py(py)?,
        })
    }

    /// Every associated customer.
    #[staticmethod]
    fn all() -> Self {
        PyQuery {
            inner: Query::all(),
        }
    }

    /// Customer name: contains the text, or equals it with `exact=True` (case-insensitive).
    #[staticmethod]
    #[pyo3(signature = (text, *, exact = false))]
    fn name(py: Python<'_>, text: String, exact: bool) -> PyResult<Self> {
        crit(
            py,
            Criterion::Name(if exact {
                TextMatch::Exact(text)
            } else {
                TextMatch::Contains(text)
            }),
        )
    }

    /// Account name: contains the text, or equals it with `exact=True`.
    #[staticmethod]
    #[pyo3(signature = (text, *, exact = false))]
    fn account(py: Python<'_>, text: String, exact: bool) -> PyResult<Self> {
        crit(
            py,
            Criterion::AccountName(if exact {
                TextMatch::Exact(text)
            } else {
                TextMatch::Contains(text)
            }),
        )
    }

    /// One customer by id.
    #[staticmethod]
    fn customer_id(py: Python<'_>, id: String) -> PyResult<Self> {
        crit(py, Criterion::CustomerId(CustomerId::new(id).py(py)?))
    }

    /// Account manager by login.
    #[staticmethod]
    fn manager(py: Python<'_>, login: String) -> PyResult<Self> {
        crit(py, Criterion::Manager(OperatorId::new(login).py(py)?))
    }

    /// Account manager's display name contains the text.
    #[staticmethod]
    fn manager_name(py: Python<'_>, text: String) -> PyResult<Self> {
        crit(py, Criterion::ManagerName(TextMatch::Contains(text)))
    }

    /// Has an account manager (or not).
    #[staticmethod]
    #[pyo3(signature = (yes = true))]
    fn has_manager(py: Python<'_>, yes: bool) -> PyResult<Self> {
        crit(py, Criterion::HasManager(yes))
    }

    /// Month-to-date spend between `min` and `max` (inclusive; either may be omitted).
    #[staticmethod]
    #[pyo3(signature = (*, min = None, max = None))]
    fn mtd(
        py: Python<'_>,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        crit(py, Criterion::MonthToDate(range(min, max, "mtd")?))
    }

    /// Budget usage in percent between `min` and `max` (inclusive).
    #[staticmethod]
    #[pyo3(signature = (*, min = None, max = None))]
    fn budget_usage(
        py: Python<'_>,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        crit(py, Criterion::BudgetUsage(range(min, max, "budget_usage")?))
    }

    /// The earliest upcoming resource expiry is within `days` days of `now` (0..=36500; else
    /// `InvalidArgumentError` naming `expires_within`).
    #[staticmethod]
    fn expires_within(py: Python<'_>, days: &Bound<'_, PyAny>) -> PyResult<Self> {
        let days = days.extract::<u64>().unwrap_or(u64::MAX);
        let days = partnerdesk::calendar::check_days("expires_within", days).py(py)?;
        crit(py, Criterion::NextExpiry(ExpiryFilter::WithinDays(days)))
    }

    /// The earliest upcoming expiry lies between two aware datetimes (inclusive).
    #[staticmethod]
    #[pyo3(signature = (*, after = None, before = None))]
    fn expires_between(
        py: Python<'_>,
        after: Option<&Bound<'_, PyAny>>,
        before: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let a = after.map(|t| time_arg(t, "after")).transpose()?;
        let b = before.map(|t| time_arg(t, "before")).transpose()?;
        crit(
            py,
            Criterion::NextExpiry(ExpiryFilter::Between(Range::between(a, b))),
        )
    }

    /// No upcoming resource expiry.
    #[staticmethod]
    fn no_expiry(py: Python<'_>) -> PyResult<Self> {
        crit(py, Criterion::NextExpiry(ExpiryFilter::None))
    }

    /// Mobile number: whole national number, or its last digits with `ends_with=True`.
    #[staticmethod]
    #[pyo3(signature = (digits, *, ends_with = false))]
    fn mobile(py: Python<'_>, digits: String, ends_with: bool) -> PyResult<Self> {
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(crate::errors::to_py(
                py,
                Error::InvalidArgument {
                    field: "mobile".into(),
                    reason: "expected digits".into(),
                },
            ));
        }
        crit(
            py,
            Criterion::Mobile(if ends_with {
                MobileMatch::EndsWith(digits)
            } else {
                MobileMatch::Exact(digits)
            }),
        )
    }

    /// Has any of the tags.
    #[staticmethod]
    #[pyo3(signature = (*names))]
    fn tag(py: Python<'_>, names: Vec<String>) -> PyResult<Self> {
        crit(py, Criterion::Tags(TagMatch::Any(tags(py, names)?)))
    }

    /// Has all of the tags.
    #[staticmethod]
    #[pyo3(signature = (*names))]
    fn all_tags(py: Python<'_>, names: Vec<String>) -> PyResult<Self> {
        crit(py, Criterion::Tags(TagMatch::All(tags(py, names)?)))
    }

    /// Association type: `"referral"` or `"reseller"`.
    #[staticmethod]
    fn association(py: Python<'_>, kind: &str) -> PyResult<Self> {
        let t = AssociationType::parse_known(kind).ok_or_else(|| {
            crate::errors::to_py(
                py,
                Error::InvalidArgument {
                    field: "association".into(),
                    reason: "expected referral or reseller".into(),
                },
            )
        })?;
        crit(py, Criterion::AssociationType(t))
    }

    /// Associated between two aware datetimes (inclusive).
    #[staticmethod]
    #[pyo3(signature = (*, after = None, before = None))]
    fn associated(
        py: Python<'_>,
        after: Option<&Bound<'_, PyAny>>,
        before: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let a = after.map(|t| time_arg(t, "after")).transpose()?;
        let b = before.map(|t| time_arg(t, "before")).transpose()?;
        crit(py, Criterion::AssociatedAt(Range::between(a, b)))
    }

    /// Frozen (`True`) or not (`False`).
    #[staticmethod]
    #[pyo3(signature = (yes = true))]
    fn frozen(py: Python<'_>, yes: bool) -> PyResult<Self> {
        crit(
            py,
            Criterion::Frozen(if yes {
                FrozenFilter::Frozen
            } else {
                FrozenFilter::NotFrozen
            }),
        )
    }

    /// Frozen with a scope: `"account"`, `"account_and_resources"` or `"unknown"`.
    #[staticmethod]
    fn freeze_scope(py: Python<'_>, scope: &str) -> PyResult<Self> {
        let s = FreezeScope::parse_known(scope).ok_or_else(|| {
            crate::errors::to_py(
                py,
                Error::InvalidArgument {
                    field: "freeze_scope".into(),
                    reason: "expected account, account_and_resources or unknown".into(),
                },
            )
        })?;
        crit(py, Criterion::Frozen(FrozenFilter::Scope(s)))
    }

    /// Frozen for a reason: `"manual"`, `"default"`, `"budget"` or `"imported"`.
    #[staticmethod]
    fn freeze_origin(py: Python<'_>, origin: &str) -> PyResult<Self> {
        let o = FreezeOrigin::parse_known(origin).ok_or_else(|| {
            crate::errors::to_py(
                py,
                Error::InvalidArgument {
                    field: "freeze_origin".into(),
                    reason: "expected manual, default, budget or imported".into(),
                },
            )
        })?;
        crit(py, Criterion::Frozen(FrozenFilter::Origin(o)))
    }

    /// The customer's reseller.
    #[staticmethod]
    fn reseller(py: Python<'_>, id: String) -> PyResult<Self> {
        crit(py, Criterion::Reseller(ResellerId::new(id).py(py)?))
    }

    /// Customer level `"V0"` .. `"V5"`.
    #[staticmethod]
    fn level(py: Python<'_>, level: &str) -> PyResult<Self> {
        let l = CustomerLevel::parse_known(level).ok_or_else(|| {
            crate::errors::to_py(
                py,
                Error::InvalidArgument {
                    field: "level".into(),
                    reason: "expected V0 to V5".into(),
                },
            )
        })?;
        crit(py, Criterion::Level(l))
    }

    /// Whether disassociated customers are included.
    #[getter]
    fn include_disassociated(&self) -> bool {
        self.inner.include_disassociated
    }

    /// The same query, also matching disassociated customers (or not).
    #[pyo3(signature = (yes = true))]
    fn including_disassociated(&self, yes: bool) -> Self {
        PyQuery {
            inner: self.inner.clone().including_disassociated(yes),
        }
    }

    /// The canonical text filter.
    #[getter]
    fn filter(&self) -> String {
        self.inner.filter.to_string()
    }

    fn __and__(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        let o = query_arg(Some(other))?;
        Ok(PyQuery {
            inner: Query {
                filter: self.inner.filter.clone().and(o.filter).py(other.py())?,
                include_disassociated: self.inner.include_disassociated || o.include_disassociated,
            },
        })
    }

    fn __or__(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        let o = query_arg(Some(other))?;
        Ok(PyQuery {
            inner: Query {
                filter: self.inner.filter.clone().or(o.filter).py(other.py())?,
                include_disassociated: self.inner.include_disassociated || o.include_disassociated,
            },
        })
    }

    fn __rand__(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        let o = query_arg(Some(other))?;
        Ok(PyQuery {
            inner: Query {
                filter: o.filter.and(self.inner.filter.clone()).py(other.py())?,
                include_disassociated: self.inner.include_disassociated || o.include_disassociated,
            },
        })
    }

    fn __ror__(&self, other: &Bound<'_, PyAny>) -> PyResult<Self> {
        let o = query_arg(Some(other))?;
        Ok(PyQuery {
            inner: Query {
                filter: o.filter.or(self.inner.filter.clone()).py(other.py())?,
                include_disassociated: self.inner.include_disassociated || o.include_disassociated,
            },
        })
    }

    /// `~q`: refused with `QueryTooComplexError` past the depth limit (cheap: the tree is
    /// shared, not copied).
    fn __invert__(&self, py: Python<'_>) -> PyResult<Self> {
        Ok(PyQuery {
            inner: Query {
                filter: self.inner.filter.clone().not().py(py)?,
                include_disassociated: self.inner.include_disassociated,
            },
        })
    }

    fn __str__(&self) -> String {
        self.inner.filter.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // The filter text may hold a name or phone digits the user typed: keep those out of
        // reprs (and so out of logs and tracebacks).
        if personal(&self.inner.filter) {
            Ok("Query(<filter on personal data>)".to_owned())
        } else {
            let text = PyString::new(py, &self.inner.to_string()).repr()?;
            Ok(format!("Query({text})"))
        }
    }
}
