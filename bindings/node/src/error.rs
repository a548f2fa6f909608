//! Core errors as JS errors whose `code` is the core's stable code.
//!
//! Why a custom status: napi-rs puts the status of a `napi::Error<S>` into the JS error's `code`
//! property, so with `S = Code` a JS caller sees `err.code === "CUSTOMER_NOT_FOUND"` and can
//! branch on it, and the message stays the core's (personal-data-free) English text.
//!
//! No per-variant list here: every core error reaches JS the same way (its code and its
//! message), and the code comes from `Error::code`, which the core's `errors!` macro generates
//! from the one list that declares the enum. A variant added to the core reaches JS with its
//! code at once; the error test (`__test__/errors.test.mjs`) demands a trigger for every code in
//! `Error::CODES`.

use napi::bindgen_prelude::{Env, JsObjectValue, JsValue, Object};
use partnerdesk::Error as CoreError;

/// The `code` of a JS error thrown by this addon: one of the core's stable codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code(pub &'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// The stable code of a core error (the core's `errors!` macro generates `Error::code` from the
/// one list that declares the enum).
pub(crate) fn code_of(e: &CoreError) -> &'static str {
    e.code()
}

/// A core error as a napi error with the core's code (for synchronous functions).
pub(crate) fn to_js(e: CoreError) -> napi::Error<Code> {
    napi::Error::new(Code(code_of(&e)), e.to_string())
}

/// An `INVALID_ARGUMENT` error for a binding-level check.
pub(crate) fn invalid_argument(field: &str, reason: &str) -> napi::Error<Code> {
    to_js(CoreError::InvalidArgument {
        field: field.to_owned(),
        reason: reason.to_owned(),
    })
}

/// A core error as a JS `Error` object with `code` set (for promise rejections, whose
/// `napi::Error` carries napi's own status type).
pub(crate) fn to_js_value(env: &Env, e: &CoreError) -> napi::Error {
    to_js_error_value(env, code_of(e), &e.to_string())
}

/// A JS `Error` object with a `code` and a message (for promise rejections).
pub(crate) fn to_js_error_value(env: &Env, code: &str, message: &str) -> napi::Error {
    let build = || -> napi::Result<napi::Error> {
        let mut obj: Object<'_> = env.create_error(napi::Error::from_reason(message))?;
        obj.set_named_property("code", code)?;
        Ok(napi::Error::from(obj.to_unknown()))
    };
    build().unwrap_or_else(|fail| fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn napi_errors_carry_the_code() {
        let e = to_js(CoreError::CustomerNotFound { id: "c-1".into() });
        assert_eq!(e.status.as_ref(), "CUSTOMER_NOT_FOUND");
        assert_eq!(e.reason, "customer c-1 not found");
    }
}
