//! The desk's operations, each declared once for every host (ADR 0006 step 4).
//!
//! Why: each binding used to wrap every operation by hand (its arguments parsed, the core
//! called, the result converted, its docs written), so one operation was written three times
//! and the three drifted. Here an operation is one declaration and one host-neutral body; each
//! binding expands the declarations with its own short `macro_rules!` into `#[pymethods]`,
//! `#[napi]` or `#[uniffi::export]` methods, and adds only its lock, its error mapping and its
//! idiom for optional arguments.
//!
//! # The declaration grammar
//!
//! Each batch module exports a macro (`authorization_operations!`, ...) that a binding calls
//! with the name of its expander; the expander receives every operation of the batch as
//!
//! ```text
//! #[doc = " .."]*
//! read|write fn name(arg: Type, ..) [OptionsName { #[doc = " .."]* opt: Option<Type>, .. }]
//!     -> Result => body;
//! ```
//!
//! - `read` operations run under the desk's read lock with `&HostDesk`; `write` operations
//!   under its write lock with `&mut HostDesk`, whose [`HostDesk::change`] commits a durable
//!   desk's change before it returns.
//! - Required arguments come first; the optional group (absent when the operation has no
//!   optional argument) lists the rest, each an `Option`, defaulting to `None`: Python takes
//!   them as keyword-only arguments, Node as one options object named `OptionsName`, Kotlin
//!   and Swift as trailing arguments with a `null`/`nil` default.
//! - `body` is a function of this module: `body(desk, required.., optional..)` returning
//!   `Result<Result, partnerdesk::Error>`. Defaults live in the body, once.
//! - Docs are `#[doc = " .."]` attributes, one plain one-line literal each: napi copies a doc
//!   literal's source text into `index.d.ts`, so a `///` comment passed through a macro (a raw
//!   string) would keep its `r"` prefix there.
//! - Every type is this crate's or the standard library's, with each host's idiom behind a
//!   feature: [`HostInstant`], [`HostDecimal`], [`ActorArg`], the enumerations declared with
//!   [`host_enum!`](crate::host_enum), the records of [`crate::records`].
//!
//! [`HostDesk::change`]: crate::HostDesk::change
//! [`HostInstant`]: crate::HostInstant
//! [`HostDecimal`]: crate::HostDecimal

pub mod analysis;
pub mod association;
pub mod authorizations;
pub mod customers;
pub mod governed;
pub mod huawei;
pub mod package;
pub mod privacy;

use crate::values::Actor;
use partnerdesk::{CustomerId, Error, IdempotencyKey, Invocation};

/// Who acts, as a host gives it: an operator's login, or an actor value (Python's `Actor`,
/// Node's `{ kind, id }`, Kotlin's and Swift's `Actor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorArg {
    /// An operator, by login.
    Login(String),
    /// A kind (`operator`, `customer`, `system`) and the login or customer id.
    Parts {
        /// `operator`, `customer` or `system`.
        kind: String,
        /// The login or customer id (none for the system).
        id: Option<String>,
    },
    /// A typed actor (Kotlin, Swift).
    Value(Actor),
}

impl ActorArg {
    /// The core's actor: `INVALID_ID` for a malformed login or id, `INVALID_ARGUMENT` naming
    /// `actor.kind` or `actor.id` for a kind that does not exist or an id that does not fit it.
    pub fn to_core(&self) -> Result<partnerdesk::access::Actor, Error> {
        match self {
            ActorArg::Login(login) => crate::operator(login),
            ActorArg::Value(actor) => actor.to_core(),
            ActorArg::Parts { kind, id } => match (kind.as_str(), id) {
                ("operator", Some(id)) => crate::operator(id),
                ("customer", Some(id)) => Ok(partnerdesk::access::Actor::Customer(
                    CustomerId::new(id.as_str())?,
                )),
                ("system", None) => Ok(partnerdesk::access::Actor::System),
                ("system", Some(_)) => Err(crate::invalid("actor.id", "the system has no id")),
                ("operator" | "customer", None) => Err(crate::invalid(
                    "actor.id",
                    "an operator or customer actor needs an id",
                )),
                _ => Err(crate::invalid(
                    "actor.kind",
                    "expected one of: operator customer system",
                )),
            },
        }
    }
}

/// The invocation of a governed command: who acts, when (`now`, default the wall clock) and
/// its idempotency key, each checked.
pub fn invocation(
    actor: &ActorArg,
    now: Option<crate::HostInstant>,
    key: Option<String>,
) -> Result<Invocation, Error> {
    let key = key.map(IdempotencyKey::new).transpose()?;
    Ok(Invocation::new(actor.to_core()?, crate::at(now)).with_key(key))
}

/// A count of days given as any integer: 0 to 36500, else `INVALID_ARGUMENT` naming `field`
/// (a negative or huge number from a host is the same refusal as any other out of range).
pub fn days(field: &str, n: i64) -> Result<u32, Error> {
    partnerdesk::calendar::check_days(field, u64::try_from(n).unwrap_or(u64::MAX))
}

/// A customer id argument (`INVALID_ID` when malformed).
pub fn customer(id: &str) -> Result<CustomerId, Error> {
    CustomerId::new(id)
}

/// Customer id arguments, in order (`INVALID_ID` for the first malformed one).
pub fn customers(ids: &[String]) -> Result<Vec<CustomerId>, Error> {
    ids.iter().map(|id| CustomerId::new(id.as_str())).collect()
}

/// A closed set of text values declared once for every host: a Rust enum with its stable text
/// forms, a Python `str` (an unknown one is `InvalidArgumentError` naming the argument), a
/// TypeScript string union and a Kotlin/Swift enum.
///
/// Docs are `#[doc = " .."]` literals (see the grammar above: napi copies them into
/// `index.d.ts`).
///
/// ```text
/// host_enum!(
///     #[doc = " What an authorization lets the partner do."]
///     AuthorizationScope, "scope" {
///         #[doc = " Place orders."]
///         PlaceOrders = "place_orders",
///     }
/// );
/// ```
#[macro_export]
macro_rules! host_enum {
    ($(#[$meta:meta])* $ty:ident, $field:literal { $($(#[$vmeta:meta])* $v:ident = $t:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[cfg(not(feature = "node"))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        pub enum $ty {
            $($(#[$vmeta])* $v,)+
        }

        $(#[$meta])*
        #[cfg(feature = "node")]
        #[napi_derive::napi(string_enum)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        pub enum $ty {
            $($(#[$vmeta])* #[napi(value = $t)] $v,)+
        }

        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$v),+];

            /// The stable text form.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$v => $t,)+
                }
            }

            /// Parses the stable text form (`INVALID_ARGUMENT` naming the argument otherwise).
            pub fn parse(text: &str) -> Result<Self, partnerdesk::Error> {
                match text {
                    $($t => Ok($ty::$v),)+
                    _ => Err($crate::invalid($field, concat!("expected one of:", $(" ", $t),+))),
                }
            }
        }

        #[cfg(feature = "python")]
        impl<'py> pyo3::IntoPyObject<'py> for $ty {
            type Target = pyo3::types::PyString;
            type Output = pyo3::Bound<'py, pyo3::types::PyString>;
            type Error = std::convert::Infallible;

            fn into_pyobject(self, py: pyo3::Python<'py>) -> Result<Self::Output, Self::Error> {
                Ok(pyo3::types::PyString::new(py, self.as_str()))
            }
        }

        #[cfg(feature = "python")]
        impl pyo3::FromPyObject<'_, '_> for $ty {
            type Error = pyo3::PyErr;

            fn extract(obj: pyo3::Borrowed<'_, '_, pyo3::PyAny>) -> pyo3::PyResult<Self> {
                let text: std::borrow::Cow<'_, str> = obj.extract()?;
                $ty::parse(&text).map_err(|e| $crate::python::to_py(obj.py(), e))
            }
        }
    };
}

#[cfg(feature = "python")]
mod python {
    use super::ActorArg;
    use pyo3::prelude::*;
    use pyo3::types::PyString;

    /// A login `str`, or an `Actor` (read through its `kind` and `id`).
    impl FromPyObject<'_, '_> for ActorArg {
        type Error = PyErr;

        fn extract(obj: pyo3::Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
            if let Ok(s) = obj.cast::<PyString>() {
                return Ok(ActorArg::Login(s.to_cow()?.into_owned()));
            }
            let parts = || -> PyResult<ActorArg> {
                Ok(ActorArg::Parts {
                    kind: obj.getattr("kind")?.extract()?,
                    id: obj.getattr("id")?.extract()?,
                })
            };
            parts().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(
                    "actor: expected a partnerdesk.Actor or an operator login (str)",
                )
            })
        }
    }
}

#[cfg(feature = "node")]
#[allow(unsafe_code)]
mod node {
    //! Unsafe code: napi's conversion traits have `unsafe fn`s; each one here passes the `env`
    //! and value napi handed it, unchanged, to napi's own conversions.
    use super::ActorArg;
    use napi::bindgen_prelude::{
        FromNapiValue, Object, ToNapiValue, TypeName, ValidateNapiValue, ValueType,
    };
    use napi::sys;

    impl TypeName for ActorArg {
        fn type_name() -> &'static str {
            "string | Actor"
        }

        fn value_type() -> ValueType {
            ValueType::Unknown
        }
    }

    impl ValidateNapiValue for ActorArg {
        /// Accepts any value: the conversion says what is wrong.
        unsafe fn validate(
            _env: sys::napi_env,
            _value: sys::napi_value,
        ) -> napi::Result<sys::napi_value> {
            Ok(std::ptr::null_mut())
        }
    }

    /// A login string, or an object `{ kind, id }`.
    impl FromNapiValue for ActorArg {
        unsafe fn from_napi_value(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<Self> {
            // SAFETY: the env and value napi handed to this conversion.
            if let Ok(login) = unsafe { String::from_napi_value(env, value) } {
                return Ok(ActorArg::Login(login));
            }
            // SAFETY: as above.
            let obj = unsafe { Object::from_napi_value(env, value) }?;
            let kind: Option<String> = obj.get("kind")?;
            let Some(kind) = kind else {
                return Err(napi::Error::new(
                    napi::Status::InvalidArg,
                    "Missing field `kind`",
                ));
            };
            Ok(ActorArg::Parts {
                kind,
                id: obj.get("id")?,
            })
        }
    }

    /// Back as it came (an options object holding an actor is also a JS value napi can write):
    /// a login as its string, parts as the object `{ kind, id }` they were read from, unchecked
    /// as they were given (they are checked only where an operation reads them).
    impl ToNapiValue for ActorArg {
        unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
            match val {
                // SAFETY: the env napi handed to this conversion.
                ActorArg::Login(login) => unsafe { String::to_napi_value(env, login) },
                // SAFETY: as above.
                ActorArg::Value(actor) => unsafe { crate::Actor::to_napi_value(env, actor) },
                ActorArg::Parts { kind, id } => {
                    let mut obj = Object::new(&napi::Env::from_raw(env))?;
                    obj.set("kind", kind)?;
                    if let Some(id) = id {
                        obj.set("id", id)?;
                    }
                    // SAFETY: as above, and an object made in that env.
                    unsafe { Object::to_napi_value(env, obj) }
                }
            }
        }
    }
}

#[cfg(feature = "uniffi")]
mod mobile {
    //! Kotlin and Swift name an actor with the typed `Actor` (an operator's login is
    //! `Actor.Operator(login)`): no union type there.
    use super::ActorArg;
    use crate::values::Actor;

    uniffi::custom_type!(ActorArg, Actor, {
        // Kotlin and Swift only ever lift an `Actor` value (`try_lift` below), so an argument
        // lowered back is a value or a login. Parts come only from Node and Python objects and
        // never cross this FFI; were one lowered, well-formed parts become their actor and
        // malformed ones an operator without a login, which every operation refuses
        // (`INVALID_ID`): never an actor the parts did not name.
        lower: |a| match a {
            ActorArg::Value(v) => v,
            ActorArg::Login(login) => Actor::Operator { login },
            ActorArg::Parts { kind, id } => match (kind.as_str(), id) {
                ("operator", Some(login)) => Actor::Operator { login },
                ("customer", Some(id)) => Actor::Customer { id },
                ("system", None) => Actor::System,
                _ => Actor::Operator { login: String::new() },
            },
        },
        try_lift: |a| Ok(ActorArg::Value(a)),
    });
}
