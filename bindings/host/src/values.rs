//! The host conventions, written once for every binding (see `docs/conventions.md`).
//!
//! - **Money** is exact: [`HostDecimal`] is a Python `decimal.Decimal`, a JS decimal string, a
//!   Kotlin `java.math.BigDecimal` and a Swift `Decimal`; never a float.
//! - **Instants** are UTC: [`HostInstant`] is an aware Python `datetime`, a JS `Date`, a Kotlin
//!   `java.time.Instant` and a Swift `Date`.
//! - **`now`** is optional in every host and defaults to the calling process's wall clock in
//!   UTC ([`now_or_clock`]); no desk keeps a time of its own.
//! - **An actor** is a login string (an operator) or an `Actor` value (an operator, a customer
//!   acting for itself, or the system) in every host ([`Actor`], [`operator`]).
//!
//! Each host's conversion of the newtypes sits behind a cargo feature (`python`, `node`,
//! `uniffi`), so the core stays free of every host framework.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// An exact decimal as each host writes one: Python `decimal.Decimal`, JS a decimal string,
/// Kotlin `java.math.BigDecimal`, Swift `Decimal`. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HostDecimal(pub Decimal);

/// An instant in UTC as each host writes one: Python an aware `datetime`, JS a `Date`, Kotlin
/// `java.time.Instant`, Swift `Date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HostInstant(pub DateTime<Utc>);

/// Why a host's decimal text was refused (Node reports it as `INVALID_MONEY` on the field).
pub const NOT_A_DECIMAL: &str = "expected a decimal string such as \"1234.50\"";

/// The instant a call is evaluated at: `now` when the host gave one, else the calling
/// process's wall clock (UTC). The one default of every host.
pub fn now_or_clock(now: Option<DateTime<Utc>>) -> DateTime<Utc> {
    now.unwrap_or_else(|| std::time::SystemTime::now().into())
}

/// [`now_or_clock`] for a host instant.
pub fn at(now: Option<HostInstant>) -> DateTime<Utc> {
    now_or_clock(now.map(|n| n.0))
}

/// An operator named by a login string (`INVALID_ID` for a malformed one): what a host's
/// actor argument means when it is a string.
pub fn operator(login: &str) -> Result<partnerdesk::access::Actor, partnerdesk::Error> {
    Ok(partnerdesk::access::Actor::Operator(
        partnerdesk::OperatorId::new(login)?,
    ))
}

/// Who acts, as a value (the hosts without a union type take this one; Python and Node take it
/// or a login string): an operator, a customer for its own steps, or the system.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Actor {
    /// An operator of the partner, by login.
    Operator {
        /// The login (`ops_billing`).
        login: String,
    },
    /// A customer acting for itself (its own steps of an association or authorization).
    Customer {
        /// The customer id.
        id: String,
    },
    /// The system (scheduled work such as budget evaluation).
    System,
}

impl Actor {
    /// The core's actor (`INVALID_ID` for a malformed login or id).
    pub fn to_core(&self) -> Result<partnerdesk::access::Actor, partnerdesk::Error> {
        use partnerdesk::access::Actor as A;
        Ok(match self {
            Actor::Operator { login } => operator(login)?,
            Actor::Customer { id } => A::Customer(partnerdesk::CustomerId::new(id.as_str())?),
            Actor::System => A::System,
        })
    }
}

impl From<&partnerdesk::access::Actor> for Actor {
    fn from(a: &partnerdesk::access::Actor) -> Self {
        use partnerdesk::access::Actor as A;
        match a {
            A::Operator(o) => Actor::Operator {
                login: o.as_str().to_owned(),
            },
            A::Customer(c) => Actor::Customer {
                id: c.as_str().to_owned(),
            },
            A::System => Actor::System,
        }
    }
}

#[cfg(feature = "python")]
mod python {
    use super::{Actor, HostDecimal, HostInstant};
    use pyo3::sync::PyOnceLock;
    use pyo3::types::PyType;

    static ACTOR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

    /// An actor in a shared record is the binding's own `partnerdesk.Actor` (comparable with
    /// `Actor.operator(..)`), built through its constructors, looked up once.
    impl<'py> IntoPyObject<'py> for &Actor {
        type Target = PyAny;
        type Output = Bound<'py, PyAny>;
        type Error = PyErr;

        fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            let class = ACTOR.import(py, "partnerdesk._partnerdesk", "Actor")?;
            match self {
                Actor::Operator { login } => class.call_method1("operator", (login,)),
                Actor::Customer { id } => class.call_method1("customer", (id,)),
                Actor::System => class.call_method0("system"),
            }
        }
    }

    impl<'py> IntoPyObject<'py> for Actor {
        type Target = PyAny;
        type Output = Bound<'py, PyAny>;
        type Error = PyErr;

        fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            (&self).into_pyobject(py)
        }
    }
    use pyo3::prelude::*;
    use pyo3::types::{PyBool, PyFloat};
    use pyo3::{Borrowed, IntoPyObject};

    impl<'py> IntoPyObject<'py> for HostDecimal {
        type Target = PyAny;
        type Output = Bound<'py, PyAny>;
        type Error = PyErr;

        fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            self.0.into_pyobject(py)
        }
    }

    impl<'py> IntoPyObject<'py> for &HostDecimal {
        type Target = PyAny;
        type Output = Bound<'py, PyAny>;
        type Error = PyErr;

        fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            self.0.into_pyobject(py)
        }
    }

    /// A `decimal.Decimal`, an `int` or a decimal string; a `float` (or `bool`) is refused.
    impl FromPyObject<'_, '_> for HostDecimal {
        type Error = PyErr;

        fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
            if obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyBool>() {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "expected a decimal.Decimal, an int or a decimal string, not a float",
                ));
            }
            obj.extract::<rust_decimal::Decimal>().map(HostDecimal)
        }
    }

    impl<'py> IntoPyObject<'py> for HostInstant {
        type Target = PyAny;
        type Output = Bound<'py, PyAny>;
        type Error = PyErr;

        fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            Ok(self.0.into_pyobject(py)?.into_any())
        }
    }

    impl<'py> IntoPyObject<'py> for &HostInstant {
        type Target = PyAny;
        type Output = Bound<'py, PyAny>;
        type Error = PyErr;

        fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            Ok(self.0.into_pyobject(py)?.into_any())
        }
    }

    /// An aware `datetime` in any zone (a naive one is refused).
    impl FromPyObject<'_, '_> for HostInstant {
        type Error = PyErr;

        fn extract(obj: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
            let t = obj.extract::<chrono::DateTime<chrono::FixedOffset>>()?;
            Ok(HostInstant(t.with_timezone(&chrono::Utc)))
        }
    }
}

#[cfg(feature = "node")]
#[allow(unsafe_code)]
mod node {
    //! Unsafe code: napi's conversion traits have `unsafe fn`s; each one here passes the `env`
    //! and value napi handed it, unchanged, to napi's own conversion of `String` or `Date`.
    use super::{Actor, HostDecimal, HostInstant};
    use chrono::{DateTime, Utc};
    use napi::bindgen_prelude::{
        FromNapiValue, ToNapiValue, TypeName, ValidateNapiValue, ValueType,
    };
    use napi::sys;
    use std::collections::HashMap;

    impl TypeName for Actor {
        fn type_name() -> &'static str {
            "Actor"
        }

        fn value_type() -> ValueType {
            ValueType::Object
        }
    }

    /// An actor in a shared record is the Node binding's `Actor` object: `{ kind, id }`, no
    /// `id` for the system.
    impl ToNapiValue for Actor {
        unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
            let (kind, id) = match val {
                Actor::Operator { login } => ("operator", Some(login)),
                Actor::Customer { id } => ("customer", Some(id)),
                Actor::System => ("system", None),
            };
            let mut object = HashMap::from([("kind", kind.to_owned())]);
            object.extend(id.map(|id| ("id", id)));
            // SAFETY: the env napi handed to this conversion.
            unsafe { HashMap::to_napi_value(env, object) }
        }
    }

    impl TypeName for HostDecimal {
        fn type_name() -> &'static str {
            "string"
        }

        fn value_type() -> ValueType {
            ValueType::String
        }
    }

    impl ValidateNapiValue for HostDecimal {
        unsafe fn validate(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<sys::napi_value> {
            // SAFETY: the env and value napi handed to this validation.
            unsafe { String::validate(env, value) }
        }
    }

    impl ToNapiValue for HostDecimal {
        unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
            // SAFETY: the env napi handed to this conversion.
            unsafe { String::to_napi_value(env, val.0.to_string()) }
        }
    }

    /// A decimal string (`"1234.50"`); anything else is an `InvalidArg` error, which the Node
    /// binding's checked arguments report as `INVALID_ARGUMENT` naming the argument.
    impl FromNapiValue for HostDecimal {
        unsafe fn from_napi_value(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<Self> {
            // SAFETY: the env and value napi handed to this conversion.
            let text = unsafe { String::from_napi_value(env, value) }?;
            text.trim()
                .parse()
                .map(HostDecimal)
                .map_err(|_| napi::Error::new(napi::Status::InvalidArg, super::NOT_A_DECIMAL))
        }
    }

    impl TypeName for HostInstant {
        fn type_name() -> &'static str {
            "Date"
        }

        fn value_type() -> ValueType {
            ValueType::Object
        }
    }

    impl ValidateNapiValue for HostInstant {
        unsafe fn validate(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<sys::napi_value> {
            // SAFETY: the env and value napi handed to this validation.
            unsafe { DateTime::<Utc>::validate(env, value) }
        }
    }

    impl ToNapiValue for HostInstant {
        unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
            // SAFETY: the env napi handed to this conversion.
            unsafe { DateTime::<Utc>::to_napi_value(env, val.0) }
        }
    }

    impl FromNapiValue for HostInstant {
        unsafe fn from_napi_value(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<Self> {
            // SAFETY: the env and value napi handed to this conversion.
            unsafe { DateTime::<Utc>::from_napi_value(env, value) }.map(HostInstant)
        }
    }
}

#[cfg(feature = "uniffi")]
mod mobile {
    //! Over the FFI both cross as text: a decimal as its exact string, an instant as RFC 3339
    //! with nanoseconds (lossless, unlike epoch milliseconds, and what `Instant.parse` and
    //! `Instant.toString` write and read). The foreign side maps them to `BigDecimal` and
    //! `Instant` (`bindings/host/uniffi.toml`), so text a host wrote can always be parsed.
    use super::{HostDecimal, HostInstant};

    uniffi::custom_type!(HostDecimal, String, {
        lower: |d| d.0.to_string(),
        try_lift: |s| Ok(HostDecimal(s.trim().parse()?)),
    });

    uniffi::custom_type!(HostInstant, String, {
        lower: |t| t.0.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        try_lift: |s| Ok(HostInstant(chrono::DateTime::parse_from_rfc3339(s.trim())?.with_timezone(&chrono::Utc))),
    });
}
