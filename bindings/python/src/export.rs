//! Exports to a path or a Python binary file object, with a progress callback.
//!
//! Why a writer bridge: the core writes to any `std::io::Write`. A path becomes a file opened
//! here; a Python object with `write(bytes)` (an open file, `io.BytesIO`, a socket wrapper)
//! becomes a buffered writer that takes the GIL only to hand over each 64 KiB chunk. The
//! export itself runs with the GIL released; the progress callback takes it briefly per call,
//! and returning `False` from it (or raising) cancels the export.

use partnerdesk::export::ExportProgress;
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

pub(crate) use partnerdesk_host::FileSink;
