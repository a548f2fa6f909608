//! Spend analysis, orders and renewals; customers, operators and permissions as host data, declared once for every host (see [the grammar](super)).

use partnerdesk::Error;

/// A billing day argument: the text `2026-11-29` (Python: also a `datetime.date`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostDay(pub String);

impl HostDay {
    /// The day (`INVALID_DATE` naming `field` when it is not one).
    pub fn get(&self, field: &str) -> Result<chrono::NaiveDate, Error> {
        crate::day(field, &self.0)
    }
}

#[cfg(feature = "python")]
impl pyo3::FromPyObject<'_, '_> for HostDay {
    type Error = pyo3::PyErr;

    fn extract(obj: pyo3::Borrowed<'_, '_, pyo3::PyAny>) -> pyo3::PyResult<Self> {
        match obj.extract::<chrono::NaiveDate>() {
            Ok(d) => Ok(HostDay(d.format("%Y-%m-%d").to_string())),
            Err(_) => obj.extract::<String>().map(HostDay).map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(
                    "expected a datetime.date or a day such as '2026-11-29'",
                )
            }),
        }
    }
}

#[cfg(feature = "node")]
#[allow(unsafe_code)]
mod node {
    //! Unsafe code: napi's conversion traits have `unsafe fn`s; each passes the `env` and
    //! value napi handed it, unchanged, to napi's own conversion of `String`.
    use super::HostDay;
    use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue, ValueType};
    use napi::sys;

    impl TypeName for HostDay {
        fn type_name() -> &'static str {
            "string"
        }

        fn value_type() -> ValueType {
            ValueType::String
        }
    }

    impl ValidateNapiValue for HostDay {
        unsafe fn validate(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<sys::napi_value> {
            // SAFETY: the env and value napi handed to this validation.
            unsafe { String::validate(env, value) }
        }
    }

    impl FromNapiValue for HostDay {
        unsafe fn from_napi_value(
            env: sys::napi_env,
            value: sys::napi_value,
        ) -> napi::Result<Self> {
            // SAFETY: the env and value napi handed to this conversion.
            unsafe { String::from_napi_value(env, value) }.map(HostDay)
        }
    }
}

#[cfg(feature = "uniffi")]
uniffi::custom_type!(HostDay, String, {
    lower: |d| d.0,
    try_lift: |s| Ok(HostDay(s)),
});

/// The operations of this batch, declared once (see [the grammar](super)).
#[macro_export]
macro_rules! analysis_operations {
    ($expand:ident) => {
        $expand! {}
    };
}
