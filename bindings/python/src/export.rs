//! Exports to a path or a Python binary file object, with a progress callback.
//!
//! Why a writer bridge: the core writes to any `std::io::Write`. A path becomes a file opened
//! here; a Python object with `write(bytes)` (an open file, `io.BytesIO`, a socket wrapper)
//! becomes a buffered writer that takes the GIL only to hand over each 64 KiB chunk. The
//! export itself runs with the GIL released; the progress callback takes it briefly per call,
//! and returning `False` from it (or raising) cancels the export.

use chrono::{DateTime, Utc};
use partnerdesk::export::{ExportJob, ExportProgress, ExportStatus, RecordedSelection};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::io::{self, Write};
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

/// A `Write` over a Python object's `write(bytes)` method.
pub(crate) struct PyWriter {
    target: Py<PyAny>,
    /// The first Python exception raised by `write`, re-raised after the export.
    pub(crate) failure: Arc<Mutex<Option<PyErr>>>,
}

impl PyWriter {
    pub(crate) fn new(target: Py<PyAny>) -> Self {
        PyWriter {
            target,
            failure: Arc::new(Mutex::new(None)),
        }
    }
}

impl Write for PyWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Python::attach(|py| {
            let r = self
                .target
                .call_method1(py, "write", (PyBytes::new(py, buf),));
            match r {
                // Raw file objects may write less and say how much; others return None.
                Ok(n) => Ok(n
                    .extract::<Option<usize>>(py)
                    .ok()
                    .flatten()
                    .map_or(buf.len(), |n| n.min(buf.len()))),
                Err(e) => {
                    if let Ok(mut slot) = self.failure.lock() {
                        slot.get_or_insert(e);
                    }
                    Err(io::Error::other("the Python file object's write() raised"))
                }
            }
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A progress callback: `callback(done, total)`; `False` or an exception cancels.
pub(crate) struct Progress {
    callback: Option<Py<PyAny>>,
    /// The exception the callback raised, re-raised after the export.
    pub(crate) failure: Option<PyErr>,
}

impl Progress {
    pub(crate) fn new(callback: Option<Py<PyAny>>) -> Self {
        Progress {
            callback,
            failure: None,
        }
    }

    pub(crate) fn call(&mut self, p: ExportProgress) -> ControlFlow<()> {
        let Some(cb) = &self.callback else {
            return ControlFlow::Continue(());
        };
        Python::attach(|py| match cb.call1(py, (p.done, p.total)) {
            Ok(v) => match v.bind(py).cast::<pyo3::types::PyBool>() {
                Ok(b) if !b.is_true() => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            },
            Err(e) => {
                self.failure = Some(e);
                ControlFlow::Break(())
            }
        })
    }
}

/// A finished (or cancelled, or failed) export job.
#[pyclass(name = "ExportJob", module = "partnerdesk", frozen, eq, hash)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyExportJob {
    pub(crate) inner: ExportJob,
}

impl std::hash::Hash for PyExportJob {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Identifying fields only: equal values hash equal.
        (&self.inner.id, self.inner.rows, self.inner.total).hash(state);
    }
}

#[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
#[pymethods]
impl PyExportJob {
    /// The job id (`exp_000001`).
    #[getter]
    fn id(&self) -> &str {
        self.inner.id.as_str()
    }
    /// `"completed"`, `"cancelled"` or `"failed"`.
    #[getter]
    fn status(&self) -> &'static str {
        match &self.inner.status {
            ExportStatus::Completed => "completed",
            ExportStatus::Cancelled => "cancelled",
            ExportStatus::Failed { .. } => "failed",
            // A status of a later core (the enum is non-exhaustive): never taken for a
            // complete file.
            _ => "failed",
        }
    }
    /// The error code of a failed job.
    #[getter]
    fn failure_code(&self) -> Option<String> {
        match &self.inner.status {
            ExportStatus::Failed { code } => Some(code.clone()),
            _ => None,
        }
    }
    /// What was selected: `"ids"`, `"query"` or `"detail"` (one of a customer's detail
    /// lists, `Desk.export_detail_to_file`).
    #[getter]
    fn selection(&self) -> &'static str {
        match &self.inner.selection {
            RecordedSelection::Ids(_) => "ids",
            RecordedSelection::Detail(_) => "detail",
            RecordedSelection::Query { .. } => "query",
            // A selection of a later core (the enum is non-exhaustive).
            _ => "other",
        }
    }
    /// Rows written.
    #[getter]
    fn rows(&self) -> u64 {
        self.inner.rows
    }
    /// Rows selected.
    #[getter]
    fn total(&self) -> u64 {
        self.inner.total
    }
    /// The file name (`customers-exp_000001.csv`).
    #[getter]
    fn file_name(&self) -> &str {
        &self.inner.file_name
    }
    /// `"csv"` or `"xlsx"`.
    #[getter]
    fn format(&self) -> &'static str {
        self.inner.format.extension()
    }
    /// Column keys, in order.
    #[getter]
    fn columns(&self) -> Vec<&'static str> {
        self.inner.columns.iter().map(|c| c.as_str()).collect()
    }
    /// When it ran.
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.inner.at
    }
    fn __repr__(&self) -> String {
        format!(
            "ExportJob(id='{}', status='{}', rows={}, total={})",
            self.inner.id,
            self.status()?,
            self.inner.rows,
            self.inner.total
        )
    }
}

pub(crate) use partnerdesk_host::FileSink;
