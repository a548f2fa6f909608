//! JS's side of the Huawei interop types: a body as JSON text, pages as an array of texts, a
//! filter as its text or a `Query` (read through its `filter` getter).
//!
//! Unsafe code: napi's conversion traits have `unsafe fn`s; each one here passes the `env` and
//! value napi handed it, unchanged, to napi's own conversions of `String`, `Vec<String>` and
//! `Object`.

use super::{FilterText, HostJson, Pages};
use napi::bindgen_prelude::{FromNapiValue, Object, ToNapiValue, ValueType};
use napi::sys;

crate::values::napi_as!(HostJson, "string", String, String);
crate::values::napi_as!(Pages, "Array<string>", Object, Vec<String>);

impl ToNapiValue for HostJson {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: the env napi handed to this conversion.
        unsafe { String::to_napi_value(env, val.0.to_string()) }
    }
}

/// JSON text; anything else is an `InvalidArg` error.
impl FromNapiValue for HostJson {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: the env and value napi handed to this conversion.
        let text = unsafe { String::from_napi_value(env, value) }?;
        serde_json::from_str(&text)
            .map(HostJson)
            .map_err(|_| napi::Error::new(napi::Status::InvalidArg, "expected JSON text"))
    }
}

impl ToNapiValue for Pages {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: the env napi handed to this conversion.
        unsafe { Vec::<String>::to_napi_value(env, val.0) }
    }
}

impl FromNapiValue for Pages {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: the env and value napi handed to this conversion.
        unsafe { Vec::<String>::from_napi_value(env, value) }.map(Pages)
    }
}

impl napi::bindgen_prelude::TypeName for FilterText {
    fn type_name() -> &'static str {
        "Query | string"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl napi::bindgen_prelude::ValidateNapiValue for FilterText {
    /// Accepts any value: the conversion says what is wrong.
    unsafe fn validate(
        _env: sys::napi_env,
        _value: sys::napi_value,
    ) -> napi::Result<sys::napi_value> {
        Ok(std::ptr::null_mut())
    }
}

impl ToNapiValue for FilterText {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: the env napi handed to this conversion.
        unsafe { String::to_napi_value(env, val.0) }
    }
}

/// A string, or an object with a string `filter` (a `Query`); anything else is an
/// `InvalidArg` error.
impl FromNapiValue for FilterText {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: the env and value napi handed to this conversion.
        if let Ok(text) = unsafe { String::from_napi_value(env, value) } {
            return Ok(FilterText(text));
        }
        // SAFETY: as above.
        let filter =
            unsafe { Object::from_napi_value(env, value) }.and_then(|o| o.get::<String>("filter"));
        match filter {
            Ok(Some(text)) => Ok(FilterText(text)),
            _ => Err(napi::Error::new(
                napi::Status::InvalidArg,
                "expected a Query or a text filter",
            )),
        }
    }
}
