//! The operations declared once for every host (`partnerdesk_host::ops`), as methods of
//! `Desk`: required arguments positional, optional ones keyword-only with a `None` default;
//! the GIL is released while the operation runs under the desk's lock.
//!
//! Why here and so short: the declaration and the body of each operation are the shared host
//! layer's; what is Python's is the lock discipline (`PyDesk::reading`, and a change refused
//! from the desk's own export callback), the exceptions (`IntoPy`) and each argument's
//! conversion ([`argument`]: a search's page given whole is refused by name). pyo3's
//! `multiple-pymethods` feature lets each batch be its own `#[pymethods]` block.

use crate::desk::PyDesk;
use crate::errors::IntoPy;
use pyo3::prelude::*;

/// One argument of a declared operation, converted as pyo3 converts it (a `TypeError` names
/// the argument), after [`crate::values::not_a_page`]: a search's page given whole where its
/// ids are wanted is `InvalidArgumentError`, not an obscure conversion failure.
pub(crate) fn argument<'a, 'py, T>(
    py: Python<'py>,
    name: &str,
    obj: &'a Bound<'py, PyAny>,
) -> PyResult<T>
where
    T: FromPyObject<'a, 'py>,
    T::Error: Into<PyErr>,
{
    crate::values::not_a_page(py, name, obj)?;
    obj.extract::<T>().map_err(|e| {
        let e: PyErr = e.into();
        if e.is_instance_of::<pyo3::exceptions::PyTypeError>(py) {
            let named = pyo3::exceptions::PyTypeError::new_err(format!(
                "argument '{name}': {}",
                e.value(py)
            ));
            named.set_cause(py, e.cause(py));
            named
        } else {
            e
        }
    })
}

/// Converts a declared operation's arguments, each shadowing the Python object of its name:
/// the required ones (`name: Type`), then, after `;`, the optional ones (`None` when absent).
macro_rules! python_arguments {
    ($py:ident, $($arg:ident : $ty:ty),* $(; $($opt:ident : $oty:ty),*)?) => {
        $(let $arg: $ty = crate::declared::argument($py, stringify!($arg), $arg)?;)*
        $($(let $opt: $oty = match $opt {
            Some(o) => crate::declared::argument($py, stringify!($opt), o)?,
            None => None,
        };)*)?
    };
}

/// Expands one batch of declared operations into a `#[pymethods]` block of `Desk`.
macro_rules! python_operations {
    ($( $(#[doc = $doc:literal])* $kind:ident fn $name:ident ( $($arg:ident : $ty:ty),* )
        $([ $opts:ident { $( $(#[doc = $odoc:literal])* $opt:ident : $oty:ty ),* } ])?
        -> $ret:ty => $body:path ; )*) => {
        #[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
        #[pymethods]
        impl PyDesk {
            $(
                $(#[doc = $doc])*
                #[allow(clippy::too_many_arguments)]
                #[pyo3(signature = ($($arg,)* $(*, $($opt = None),*)?))]
                fn $name(
                    &self,
                    py: Python<'_>,
                    $($arg: &Bound<'_, PyAny>,)*
                    $($($opt: Option<&Bound<'_, PyAny>>),*)?
                ) -> PyResult<$ret> {
                    python_arguments!(py, $($arg: $ty),* $(; $($opt: $oty),*)?);
                    python_operations!(@$kind self, py, $body, $($arg,)* $($($opt,)*)?)
                }
            )*
        }
    };
    (@read $self:ident, $py:ident, $body:path, $($a:ident,)*) => {
        $self.reading($py, |d| $body(d, $($a),*))?.py($py)
    };
    (@write $self:ident, $py:ident, $body:path, $($a:ident,)*) => {{
        $self.not_in_own_export()?;
        $py.detach(|| $body(&mut $self.write(), $($a),*)).py($py)
    }};
}

/// Expands one batch of declared module functions into `#[pyfunction]`s (the GIL released
/// while each runs) and a `register` function that adds them to the module.
macro_rules! python_functions {
    ($( $(#[doc = $doc:literal])* fn $name:ident ( $($arg:ident : $ty:ty),* )
        $([ $opts:ident { $( $(#[doc = $odoc:literal])* $opt:ident : $oty:ty ),* } ])?
        -> $ret:ty => $body:path ; )*) => {
        $(
            $(#[doc = $doc])*
            #[partnerdesk_panic_guard::entry_points(result = pyo3::PyResult)]
            #[pyfunction]
            #[allow(clippy::too_many_arguments)]
            #[pyo3(signature = ($($arg,)* $(*, $($opt = None),*)?))]
            fn $name(
                py: Python<'_>,
                $($arg: &Bound<'_, PyAny>,)*
                $($($opt: Option<&Bound<'_, PyAny>>),*)?
            ) -> PyResult<$ret> {
                python_arguments!(py, $($arg: $ty),* $(; $($opt: $oty),*)?);
                crate::errors::IntoPy::py(py.detach(|| $body($($arg,)* $($($opt,)*)?)), py)
            }
        )*

        /// Adds this batch's functions to the module.
        pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add_function(wrap_pyfunction!($name, m)?)?;)*
            Ok(())
        }
    };
}

/// The Huawei interop functions of the package (`partnerdesk_host::huawei_functions!`).
pub(crate) mod huawei_functions {
    use pyo3::prelude::*;

    partnerdesk_host::huawei_functions!(python_functions);
}

/// The package's catalogues (`partnerdesk_host::package_functions!`).
pub(crate) mod package_functions {
    use pyo3::prelude::*;

    partnerdesk_host::package_functions!(python_functions);
}

partnerdesk_host::analysis_operations!(python_operations);
partnerdesk_host::huawei_operations!(python_operations);
partnerdesk_host::customer_operations!(python_operations);
partnerdesk_host::association_operations!(python_operations);
partnerdesk_host::authorization_operations!(python_operations);
partnerdesk_host::governed_operations!(python_operations);
partnerdesk_host::privacy_operations!(python_operations);
partnerdesk_host::detail_operations!(python_operations);
