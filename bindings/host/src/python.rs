//! Core errors as Python exceptions: `PartnerDeskError` and one subclass per stable code
//! (behind the `python` feature).
//!
//! Why here and not in the Python binding: the host types of this crate (the enumerations of
//! [`host_enum!`](crate::host_enum), the declared operations' arguments) refuse bad values
//! with the same typed exception as the core (`InvalidArgumentError`, not a bare
//! `TypeError`), so they need the classes too.
//!
//! Why one class per code: Python callers branch with `except FilterSyntaxError`, and the
//! `code` attribute carries the core's stable machine code for hosts that log or forward it.
//! The classes are made when the module is imported, one per entry of the core's
//! `Error::TABLE` (the core's `errors!` macro declares the enum and that table from one list),
//! so a new core variant gets its class without a change here; its stub in the `.pyi` and its
//! row in README.md are checked against the same table (`cargo test -p partnerdesk-host --test
//! error_tables`). Details (field, reason, position...) become attributes, from
//! `Error::details`; none of them carries personal data, because the core's errors never do.

use partnerdesk::{DetailValue, Error};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;
use std::ffi::CString;

create_exception!(
    partnerdesk,
    PartnerDeskError,
    PyException,
    "Base class of every partnerdesk error; `code` is the core's stable machine code."
);

/// The exception class of each core error, in the core's `Error::TABLE` order (made once, when
/// the module is imported, by [`register`]).
static CLASSES: PyOnceLock<Vec<Py<PyType>>> = PyOnceLock::new();

/// One exception class per core error, named after its variant (`CustomerNotFound` gives
/// `CustomerNotFoundError`), from the core's table: no per-variant list here.
fn make_classes(py: Python<'_>) -> PyResult<Vec<Py<PyType>>> {
    let base = py.get_type::<PartnerDeskError>();
    Error::TABLE
        .iter()
        .map(|info| {
            let invalid = |_| pyo3::exceptions::PyImportError::new_err("partnerdesk: bad class");
            let name =
                CString::new(format!("partnerdesk.{}Error", info.name())).map_err(invalid)?;
            let doc = CString::new(format!("Error code `{}`.", info.code())).map_err(invalid)?;
            PyErr::new_type(py, &name, Some(&doc), Some(&base), None)
        })
        .collect()
}

/// The class of a core error's code (`PartnerDeskError` itself only if the module's classes were not
/// made, which importing the module does first).
fn class_of<'py>(py: Python<'py>, code: &str) -> Bound<'py, PyType> {
    Error::CODES
        .iter()
        .position(|c| *c == code)
        .and_then(|i| CLASSES.get(py)?.get(i))
        .map(|class| class.bind(py).clone())
        .unwrap_or_else(|| py.get_type::<PartnerDeskError>())
}

/// A detail value as a Python `str` or `int`.
fn detail<'py>(py: Python<'py>, v: &DetailValue<'_>) -> Bound<'py, PyAny> {
    match v {
        DetailValue::Text(t) => pyo3::types::PyString::new(py, t).into_any(),
        DetailValue::Int(n) => pyo3::types::PyInt::new(py, *n).into_any(),
        // Any later kind, as text (the core documents each field's kind).
        _ => pyo3::types::PyString::new(py, "").into_any(),
    }
}

/// Converts a core error into the matching Python exception, with `code` and the details set.
pub fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let details = e.details().into_iter().map(|(k, v)| (k, detail(py, &v)));
    exception(py, e.code(), &e.to_string(), details)
}

/// The exception of the class of `code` (`PartnerDeskError` for an unknown one) with its
/// message, `code` and details as attributes: a core error, or one a record carries as text
/// (a batch item's refusal).
pub fn exception<'py, K: AsRef<str>, V: IntoPyObject<'py>>(
    py: Python<'py>,
    code: &str,
    message: &str,
    details: impl IntoIterator<Item = (K, V)>,
) -> PyErr {
    let class = class_of(py, code);
    let build = || -> PyResult<PyErr> {
        let inst = class.call1((message,))?;
        inst.setattr("code", code)?;
        for (name, value) in details {
            inst.setattr(name.as_ref(), value)?;
        }
        Ok(PyErr::from_value(inst))
    };
    build().unwrap_or_else(|err| err)
}

/// The text of a JSON argument given as `str` or `bytes` (UTF-8): `ValueError` for bytes that
/// are not UTF-8, `TypeError` naming the argument for anything else.
pub fn json_text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(s) = obj.cast::<pyo3::types::PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if let Ok(b) = obj.cast::<pyo3::types::PyBytes>() {
        return String::from_utf8(b.as_bytes().to_vec())
            .map_err(|_| pyo3::exceptions::PyValueError::new_err(format!("{what}: not UTF-8")));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "{what}: expected JSON text (str or bytes)"
    )))
}

/// Extension trait: `.py(py)?` turns a core result into a Python one.
pub trait IntoPy<T> {
    /// Maps the error with [`to_py`].
    fn py(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}

/// Adds the base class and every subclass to the module, each with its class attribute `code`,
/// and `ERROR_CLASSES` (code -> class), with the `extra` classes (name, code, class) of other
/// error tables (the Huawei adapter's).
pub fn register<'py>(
    m: &Bound<'py, PyModule>,
    extra: impl IntoIterator<Item = (&'static str, &'static str, Bound<'py, PyType>)>,
) -> PyResult<()> {
    let py = m.py();
    let base = py.get_type::<PartnerDeskError>();
    base.setattr("code", "PARTNERDESK_ERROR")?;
    m.add("PartnerDeskError", base)?;
    let table = pyo3::types::PyDict::new(py);
    let classes = CLASSES.get_or_try_init(py, || make_classes(py))?;
    for (info, class) in Error::TABLE.iter().zip(classes) {
        let class = class.bind(py);
        class.setattr("code", info.code())?;
        table.set_item(info.code(), class)?;
        m.add(format!("{}Error", info.name()).as_str(), class)?;
    }
    for (name, code, class) in extra {
        class.setattr("code", code)?;
        table.set_item(code, &class)?;
        m.add(name, class)?;
    }
    m.add("ERROR_CLASSES", table)?;
    Ok(())
}
