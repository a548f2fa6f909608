//! Core errors as Python exceptions: the classes and the conversion are the shared host
//! layer's (`partnerdesk_host::python`), so that its argument types raise the same typed
//! exceptions; this binding adds the Huawei adapter's classes when it registers them.

pub(crate) use partnerdesk_host::python::{IntoPy, to_py};
use pyo3::prelude::*;

/// Adds every error class (the core's and the Huawei adapter's) to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    partnerdesk_host::python::register(m, partnerdesk_host::ops::huawei::python::classes(m.py()))
}
