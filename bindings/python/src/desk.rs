//! `Desk`: one partner's portfolio, shared safely between Python threads.
//!
//! Why a lock inside a frozen class: long calls (search over a large desk, loading, export)
//! release the GIL, so another Python thread may call into the same desk meanwhile. An
//! `RwLock` lets searches run in parallel and makes changes wait; locks are always taken with
//! the GIL released, so a thread waiting for the lock never blocks the interpreter.

use crate::errors::IntoPy;
use crate::query::{query_arg, sort_arg};
use crate::values::{PyCustomerRow, PyPage, PyPartner, now_arg};
use chrono::{DateTime, Utc};
use partnerdesk::query::{PageRequest, Query, Sort};
use partnerdesk::row::CustomerRow;
use partnerdesk::{CustomerId, Desk};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::collections::VecDeque;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A partner's customer portfolio.
#[pyclass(name = "Desk", module = "partnerdesk", frozen)]
pub(crate) struct PyDesk {
    inner: RwLock<Desk>,
}

impl PyDesk {
    pub(crate) fn wrap(desk: Desk) -> Self {
        PyDesk {
            inner: RwLock::new(desk),
        }
    }

    /// Read access. A poisoned lock cannot happen without a panic, and the core does not
    /// panic; if it ever did, the desk's data is still consistent for reading.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Desk> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Write access (see [`PyDesk::read`]).
    #[allow(dead_code)]
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Desk> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// The text of a JSON argument given as `str` or `bytes`.
fn json_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return String::from_utf8(b.as_bytes().to_vec())
            .map_err(|_| pyo3::exceptions::PyValueError::new_err("json: not UTF-8"));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(
        "json: expected str or bytes",
    ))
}

fn page_request(
    py: Python<'_>,
    limit: u32,
    offset: Option<usize>,
    cursor: Option<String>,
) -> PyResult<PageRequest> {
    match (offset, cursor) {
        (Some(_), Some(_)) => Err(pyo3::exceptions::PyValueError::new_err(
            "pass either offset or cursor, not both",
        )),
        (Some(offset), None) => Ok(PageRequest::offset(offset, limit)),
        (None, cursor) => {
            let _ = py;
            Ok(PageRequest::Cursor { cursor, limit })
        }
    }
}

#[pymethods]
impl PyDesk {
    /// The deterministic demo portfolio of `customers` customers; see `demo_portfolio`.
    #[staticmethod]
    #[pyo3(signature = (customers = 1000, seed = 42))]
    fn demo(py: Python<'_>, customers: usize, seed: u64) -> PyResult<Self> {
        let (desk, _) = py
            .detach(|| partnerdesk::demo::portfolio(customers, seed))
            .py(py)?;
        Ok(Self::wrap(desk))
    }

    /// Loads a desk from snapshot JSON (`str` or `bytes`); releases the GIL while parsing.
    #[staticmethod]
    fn from_snapshot_json(py: Python<'_>, json: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = json_text(json)?;
        let desk = py.detach(|| Desk::from_snapshot_json(&text)).py(py)?;
        Ok(Self::wrap(desk))
    }

    /// The desk as versioned snapshot JSON; releases the GIL while writing.
    fn to_snapshot_json(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| self.read().to_snapshot_json()).py(py)
    }

    /// The partner that owns the desk.
    #[getter]
    fn partner(&self, py: Python<'_>) -> PyPartner {
        let p = py.detach(|| self.read().partner().clone());
        PyPartner { inner: p }
    }

    /// Customers on the desk (including disassociated ones kept for history).
    fn __len__(&self, py: Python<'_>) -> usize {
        py.detach(|| self.read().len())
    }

    /// Whether a customer id is on the desk.
    fn __contains__(&self, py: Python<'_>, id: &str) -> bool {
        let Ok(id) = CustomerId::new(id) else {
            return false;
        };
        py.detach(|| self.read().customer(&id).is_ok())
    }

    /// One page of masked rows.
    ///
    /// `query` is a `Query` or a text filter; `sort` a key (`"mtd"`, or `"-mtd"` for
    /// descending); page by `cursor` (from the previous page) or by `offset`.
    #[pyo3(signature = (query = None, *, sort = "id", descending = false, limit = 50, offset = None, cursor = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn search(
        &self,
        py: Python<'_>,
        query: Option<&Bound<'_, PyAny>>,
        sort: &str,
        descending: bool,
        limit: u32,
        offset: Option<usize>,
        cursor: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyPage> {
        let q = query_arg(query)?;
        let sort = sort_arg(py, sort, descending)?;
        let req = page_request(py, limit, offset, cursor)?;
        let now = now_arg(py, now)?;
        let page = py
            .detach(|| self.read().search(&q, sort, &req, now))
            .py(py)?;
        Ok(PyPage {
            rows: page.rows.into_iter().map(PyCustomerRow::from).collect(),
            total: page.total,
            next_cursor: page.next_cursor,
        })
    }

    /// The ids of one page (no rows built): `(ids, total, next_cursor)`.
    #[pyo3(signature = (query = None, *, sort = "id", descending = false, limit = 50, offset = None, cursor = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    fn search_ids(
        &self,
        py: Python<'_>,
        query: Option<&Bound<'_, PyAny>>,
        sort: &str,
        descending: bool,
        limit: u32,
        offset: Option<usize>,
        cursor: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(Vec<String>, usize, Option<String>)> {
        let q = query_arg(query)?;
        let sort = sort_arg(py, sort, descending)?;
        let req = page_request(py, limit, offset, cursor)?;
        let now = now_arg(py, now)?;
        let page = py
            .detach(|| self.read().search_ids(&q, sort, &req, now))
            .py(py)?;
        Ok((
            page.ids
                .into_iter()
                .map(|i| i.as_str().to_owned())
                .collect(),
            page.total,
            page.next_cursor,
        ))
    }

    /// Every matching row, page by page, as a Python iterator (cursor paging underneath).
    #[pyo3(signature = (query = None, *, sort = "id", descending = false, page_size = 100, now = None))]
    fn iter_search(
        slf: &Bound<'_, Self>,
        query: Option<&Bound<'_, PyAny>>,
        sort: &str,
        descending: bool,
        page_size: u32,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PySearchIter> {
        let py = slf.py();
        let q = query_arg(query)?;
        let sort = sort_arg(py, sort, descending)?;
        // Validate the page size now, not at the first next().
        if page_size == 0 || page_size > partnerdesk::query::MAX_PAGE_LIMIT {
            return Err(crate::errors::to_py(
                py,
                partnerdesk::Error::InvalidPage {
                    reason: format!(
                        "page_size must be 1..={}",
                        partnerdesk::query::MAX_PAGE_LIMIT
                    ),
                },
            ));
        }
        Ok(PySearchIter {
            desk: slf.clone().unbind(),
            query: q,
            sort,
            page_size,
            now: now_arg(py, now)?,
            cursor: None,
            buffer: VecDeque::new(),
            done: false,
            total: None,
            pages: 0,
        })
    }

    /// How many customers match.
    #[pyo3(signature = (query = None, *, now = None))]
    fn count(
        &self,
        py: Python<'_>,
        query: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<usize> {
        let q = query_arg(query)?;
        let now = now_arg(py, now)?;
        Ok(py.detach(|| self.read().count(&q, now)))
    }

    /// The masked row of one customer; raises `CustomerNotFoundError`.
    #[pyo3(signature = (id, *, now = None))]
    fn customer_row(
        &self,
        py: Python<'_>,
        id: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCustomerRow> {
        let id = CustomerId::new(id).py(py)?;
        let now = now_arg(py, now)?;
        let row = py.detach(|| self.read().customer_row(&id, now)).py(py)?;
        Ok(row.into())
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let (id, n) = py.detach(|| {
            let d = self.read();
            (d.partner().id.to_string(), d.len())
        });
        format!("Desk(partner='{id}', customers={n})")
    }
}

/// Iterates over every row of a search, fetching pages by cursor.
#[pyclass(name = "SearchIterator", module = "partnerdesk")]
pub(crate) struct PySearchIter {
    desk: Py<PyDesk>,
    query: Query,
    sort: Sort,
    page_size: u32,
    now: DateTime<Utc>,
    cursor: Option<String>,
    buffer: VecDeque<CustomerRow>,
    done: bool,
    total: Option<usize>,
    pages: usize,
}

#[pymethods]
impl PySearchIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<PyCustomerRow>> {
        if self.buffer.is_empty() && !self.done {
            self.fetch(py)?;
        }
        Ok(self.buffer.pop_front().map(PyCustomerRow::from))
    }

    /// How many rows match in all (runs the first page if needed).
    #[getter]
    fn total(&mut self, py: Python<'_>) -> PyResult<usize> {
        if self.total.is_none() {
            self.fetch(py)?;
        }
        Ok(self.total.unwrap_or(0))
    }

    /// How many pages were fetched so far.
    #[getter]
    fn pages_fetched(&self) -> usize {
        self.pages
    }
}

impl PySearchIter {
    fn fetch(&mut self, py: Python<'_>) -> PyResult<()> {
        let desk = self.desk.get();
        let req = PageRequest::Cursor {
            cursor: self.cursor.clone(),
            limit: self.page_size,
        };
        let (q, sort, now) = (&self.query, self.sort, self.now);
        let page = py
            .detach(|| desk.read().search(q, sort, &req, now))
            .py(py)?;
        self.pages += 1;
        self.total = Some(page.total);
        self.buffer.extend(page.rows);
        self.cursor = page.next_cursor;
        self.done = self.cursor.is_none();
        Ok(())
    }
}

/// The demo portfolio and the moment it was generated for: `(desk, now)`.
#[pyfunction]
#[pyo3(signature = (customers = 1000, seed = 42))]
pub(crate) fn demo_portfolio(
    py: Python<'_>,
    customers: usize,
    seed: u64,
) -> PyResult<(PyDesk, DateTime<Utc>)> {
    let (desk, now) = py
        .detach(|| partnerdesk::demo::portfolio(customers, seed))
        .py(py)?;
    Ok((PyDesk::wrap(desk), now))
}
