//! The arguments of a durable desk's operations as Python gives them: a location (`str` or
//! `os.PathLike`), the store options, `follow`'s timeout. The desk itself is the shared
//! `partnerdesk_host::HostDesk`.

use partnerdesk::Error;
use partnerdesk_host::ops::privacy::Secret;
use partnerdesk_host::{HostDesk, StoreOptions};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDelta, PyString};
use std::time::Duration;

/// How long `follow` holds the desk's write lock at a time while it waits.
pub(crate) const FOLLOW_SLICE: Duration = Duration::from_millis(50);

fn invalid(py: Python<'_>, field: &str, reason: &str) -> PyErr {
    crate::errors::to_py(
        py,
        Error::InvalidArgument {
            field: field.to_owned(),
            reason: reason.to_owned(),
        },
    )
}

/// A store location: a `str` (a path or a `postgresql://` URL) or an `os.PathLike`.
pub(crate) fn location_arg(py: Python<'_>, location: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = location.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    let path: std::path::PathBuf = location.extract().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(
            "location: expected a path (str or os.PathLike) or a postgresql:// URL",
        )
    })?;
    path.into_os_string()
        .into_string()
        .map_err(|_| invalid(py, "location", "expected a UTF-8 path"))
}

/// `open`'s and `save_to`'s options; out of range: `InvalidArgumentError` (a short
/// `event_key` too, when the desk opens).
pub(crate) fn options_arg(
    py: Python<'_>,
    max_attempts: Option<i64>,
    checkpoint_every: Option<i64>,
    event_key: Option<Secret>,
) -> PyResult<StoreOptions> {
    let range = format!("expected 1 to {}", StoreOptions::MAX_ATTEMPTS);
    let max_attempts = max_attempts
        .map(|n| u32::try_from(n).map_err(|_| invalid(py, "max_attempts", &range)))
        .transpose()?;
    let checkpoint_every = checkpoint_every
        .map(|n| {
            u64::try_from(n).map_err(|_| invalid(py, "checkpoint_every", "expected 0 or more"))
        })
        .transpose()?;
    Ok(StoreOptions {
        max_attempts,
        checkpoint_every,
        event_key,
    })
}

/// `follow`'s timeout: a `datetime.timedelta` or seconds (`int` or `float`), 0 to an hour.
pub(crate) fn timeout_arg(py: Python<'_>, timeout: &Bound<'_, PyAny>) -> PyResult<Duration> {
    let seconds: f64 = if timeout.is_instance_of::<PyDelta>() {
        timeout.call_method0("total_seconds")?.extract()?
    } else if timeout.is_instance_of::<PyBool>() {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "timeout: expected a datetime.timedelta or seconds",
        ));
    } else {
        timeout.extract().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(
                "timeout: expected a datetime.timedelta or seconds",
            )
        })?
    };
    let reason = "expected 0 to 3600 seconds";
    if !seconds.is_finite() || seconds < 0.0 || seconds > HostDesk::MAX_FOLLOW.as_secs_f64() {
        return Err(invalid(py, "timeout", reason));
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| invalid(py, "timeout", reason))
}
