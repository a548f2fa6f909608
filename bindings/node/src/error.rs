//! Core errors as JS errors: every error the addon throws or rejects with is a
//! `PartnerDeskError` (a subclass of `Error`) whose `code` is the core's stable code and whose
//! `details` holds the error's detail fields, named in camelCase (`{ position, expected, found }`
//! for `FILTER_SYNTAX`).
//!
//! No per-variant list here: the details come from `Error::details`, which the core's `errors!`
//! macro generates from the one list that declares the enum, so a variant added to the core
//! reaches JS with its code and its fields at once. The error test
//! (`__test__/errors.test.mjs`) triggers every code of `Error::CODES` and compares each
//! `details` with the table (`__test__/error-table.json`, written from `Error::TABLE` by
//! `cargo test -p partnerdesk-host --test error_tables`).
//!
//! How the class reaches a thrown error: napi-rs throws a `napi::Error<Code>` as a plain `Error`
//! with `code` and message and nothing else. So the panic guard (`crate::panic_guard::run`, the
//! wrapper of every entry point on the JS thread) builds the `PartnerDeskError` itself
//! ([`error_object`]), throws it, and hands napi an error with napi's `PendingException`
//! status, which napi leaves pending instead of throwing a second one. A promise rejects with
//! the object built the same way ([`to_js_value`]). The class is made once per JS environment
//! by [`install`] (called from the module's `module_exports` hook), which makes the `#[napi]`
//! class `PartnerDeskError` a subclass of `Error`; the environment and the class are kept in a
//! thread-local, one per JS thread (the main thread and each worker).

use napi::bindgen_prelude::{
    Env, FnArgs, Function, JsObjectValue, JsValue, Object, ObjectRef, Unknown, ValueType,
};
use napi::{JsSymbol, Property, PropertyAttributes};
use napi_derive::napi;
use partnerdesk::{DetailValue, Error as CoreError};
use std::cell::{Cell, RefCell};

/// One detail field's value as JS gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Detail {
    /// A string.
    Text(String),
    /// A number (counts, positions, sequence numbers).
    Int(u64),
    /// A boolean.
    Bool(bool),
    /// `null` (a value the error does not have, e.g. an HTTP status of an answer without one).
    Null,
}

/// The `code` of a JS error thrown by this addon (one of the core's stable codes, or one of
/// the addon's own: `DESK_BUSY`, the Huawei adapter's) and its details, named in camelCase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    code: &'static str,
    details: Vec<(String, Detail)>,
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.code
    }
}

/// napi's own status for "an exception is already pending": napi then throws nothing more.
const PENDING: &str = "PendingException";

impl Code {
    /// A code without details.
    pub(crate) fn plain(code: &'static str) -> Self {
        Code {
            code,
            details: Vec::new(),
        }
    }

    /// A code with its details (names already in camelCase).
    pub(crate) fn with(code: &'static str, details: Vec<(String, Detail)>) -> Self {
        Code { code, details }
    }

    /// The code and details of a core error (the core's `errors!` macro generates
    /// `Error::code` and `Error::details` from the one list that declares the enum).
    pub(crate) fn of(e: &CoreError) -> Self {
        let details = e
            .details()
            .into_iter()
            .map(|(name, value)| {
                let value = match value {
                    DetailValue::Int(n) => Detail::Int(n),
                    DetailValue::Text(t) => Detail::Text(t.into_owned()),
                    // A later kind of the core's, as text (the core documents each field's kind).
                    _ => Detail::Text(String::new()),
                };
                (camel(name), value)
            })
            .collect();
        Code {
            code: e.code(),
            details,
        }
    }
}

/// `found_events` as JS names it: `foundEvents` (the case rule napi names fields with).
pub(crate) fn camel(name: &str) -> String {
    use convert_case::Casing;
    name.to_case(convert_case::Case::Camel)
}

/// A core error as a napi error with the core's code and details (for synchronous functions).
pub(crate) fn to_js(e: CoreError) -> napi::Error<Code> {
    napi::Error::new(Code::of(&e), e.to_string())
}

/// An error a declared operation's body returns (`partnerdesk_host::ops`), as the napi error
/// the expansion in `crate::declared` throws: a core error by [`to_js`], an adapter error by
/// [`crate::huawei::huawei_details`] (a core error inside it keeps its own code).
pub(crate) trait IntoJs {
    /// The napi error with the code and details of `self`.
    fn into_js(self) -> napi::Error<Code>;
}

impl IntoJs for CoreError {
    fn into_js(self) -> napi::Error<Code> {
        to_js(self)
    }
}

impl IntoJs for partnerdesk_huawei::HuaweiError {
    fn into_js(self) -> napi::Error<Code> {
        napi::Error::new(crate::huawei::huawei_details(&self), self.to_string())
    }
}

/// An `INVALID_ARGUMENT` error for a binding-level check.
pub(crate) fn invalid_argument(field: &str, reason: &str) -> napi::Error<Code> {
    to_js(CoreError::InvalidArgument {
        field: field.to_owned(),
        reason: reason.to_owned(),
    })
}

/// A core error as a rejection value: the `PartnerDeskError` with its code and details.
pub(crate) fn to_js_value(env: &Env, e: &CoreError) -> napi::Error {
    rejection(env, &Code::of(e), &e.to_string())
}

/// The rejection of a promise with the `PartnerDeskError` of `code` and `message` (a plain
/// `Error` with `code` should building it fail).
pub(crate) fn rejection(env: &Env, code: &Code, message: &str) -> napi::Error {
    match error_object(env, code, message) {
        Ok(obj) => napi::Error::from(obj.to_unknown()),
        Err(fail) => fail,
    }
}

/// The base class of every error the addon throws or rejects with (a subclass of `Error`):
/// `err.code` is the stable code, `err.details` the error's detail fields (camelCase names,
/// the same values as Python's exception attributes; never personal data). Branch on
/// `err.code`, never on the message. Not constructed from JS.
#[napi]
pub struct PartnerDeskError {}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl PartnerDeskError {
    /// Whether `err` is a `PartnerDeskError` (of `code`, when given): a type guard that
    /// narrows `err.details` to that code's fields in TypeScript
    /// (`if (PartnerDeskError.is(err, 'FILTER_SYNTAX')) err.details.position`).
    #[napi(
        ts_generic_types = "C extends ErrorCode = ErrorCode",
        ts_args_type = "err: unknown, code?: C",
        ts_return_type = "err is PartnerDeskErrorOf<C>"
    )]
    pub fn is(env: Env, err: Unknown<'_>, code: Option<String>) -> napi::Result<bool, Code> {
        let class = INSTALLED.with(|i| {
            i.borrow()
                .as_ref()
                .map(|installed| installed.class.get_value(&env))
                .transpose()
        });
        let Ok(Some(class)) = class else {
            return Ok(false);
        };
        if !matches!(err.get_type(), Ok(ValueType::Object))
            || !err.instanceof(class).unwrap_or(false)
        {
            return Ok(false);
        }
        let Some(code) = code else { return Ok(true) };
        // The object's `code`: only a string equal to `code` counts.
        let obj = Object::from_raw(env.raw(), err.raw());
        let own = obj.get_named_property::<String>("code").ok();
        Ok(own.as_deref() == Some(code.as_str()))
    }
}

/// What [`install`] keeps per JS thread: that thread's environment and the prototypes it uses.
struct Installed {
    env: Env,
    error: ObjectRef<false>,
    class: ObjectRef<false>,
}

thread_local! {
    static INSTALLED: RefCell<Option<Installed>> = const { RefCell::new(None) };
    /// How many entry points are running on this thread (one calls another only in Rust).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Calls `Object.setPrototypeOf(value, proto)`.
fn set_prototype(env: &Env, value: &Object<'_>, proto: &Object<'_>) -> napi::Result<()> {
    let object = class_of(env, &env.get_global()?.coerce_to_object()?, "Object")?;
    let set: Function<'_, FnArgs<(Object<'_>, Object<'_>)>, Object<'_>> =
        object.get_named_property("setPrototypeOf")?;
    set.call((*value, *proto).into())?;
    Ok(())
}

/// The well-known symbol `Symbol.<name>` (`iterator`, `asyncIterator`).
pub(crate) fn well_known<'e>(env: &'e Env, name: &str) -> napi::Result<JsSymbol<'e>> {
    let symbol = class_of(env, &env.get_global()?.coerce_to_object()?, "Symbol")?;
    symbol.get_named_property(name)
}

/// The class (a function) named `name` on `object`, as an object to read and change.
pub(crate) fn class_of<'e>(
    env: &'e Env,
    object: &Object<'_>,
    name: &str,
) -> napi::Result<Object<'e>> {
    let class: Unknown<'_> = object.get_named_property(name)?;
    Ok(Object::from_raw(env.raw(), class.raw()))
}

/// Makes the `PartnerDeskError` class of `exports` a subclass of `Error` (its prototype's
/// prototype is `Error.prototype`, its `name` is `PartnerDeskError`) and keeps it, with `env`,
/// for the errors this thread throws.
pub(crate) fn install(env: &Env, exports: &Object<'_>) -> napi::Result<()> {
    let class = class_of(env, exports, "PartnerDeskError")?;
    let proto: Object<'_> = class.get_named_property("prototype")?;
    let error = class_of(env, &env.get_global()?.coerce_to_object()?, "Error")?;
    let error_proto: Object<'_> = error.get_named_property("prototype")?;
    set_prototype(env, &proto, &error_proto)?;
    set_prototype(env, &class, &error)?;
    let mut proto_mut = proto;
    proto_mut.define_properties(&[Property::new()
        .with_utf8_name("name")?
        .with_value(&env.create_string("PartnerDeskError")?)
        .with_property_attributes(
            PropertyAttributes::Writable | PropertyAttributes::Configurable,
        )])?;
    let error = proto.create_ref::<false>()?;
    let class = class.create_ref::<false>()?;
    INSTALLED.with(|i| {
        *i.borrow_mut() = Some(Installed {
            env: *env,
            error,
            class,
        })
    });
    Ok(())
}

/// The `PartnerDeskError` of `code` with `message`: an `Error` (with its stack) whose
/// prototype is `PartnerDeskError.prototype`, with `code` and `details` set.
pub(crate) fn error_object<'e>(
    env: &'e Env,
    code: &Code,
    message: &str,
) -> napi::Result<Object<'e>> {
    let mut obj = env.create_error(napi::Error::from_reason(message))?;
    let mut details = Object::new(env)?;
    for (name, value) in &code.details {
        match value {
            Detail::Text(t) => details.set_named_property(name, t.as_str())?,
            #[allow(
                clippy::cast_precision_loss,
                reason = "counts and positions, far below 2^53"
            )]
            Detail::Int(n) => details.set_named_property(name, *n as f64)?,
            Detail::Bool(b) => details.set_named_property(name, *b)?,
            Detail::Null => details.set_named_property(name, napi::bindgen_prelude::Null)?,
        }
    }
    obj.set_named_property("code", code.code)?;
    obj.set_named_property("details", details)?;
    let proto = INSTALLED.with(|i| {
        i.borrow()
            .as_ref()
            .map(|installed| installed.error.get_value(env))
            .transpose()
    })?;
    if let Some(proto) = proto {
        set_prototype(env, &obj, &proto)?;
    }
    Ok(obj)
}

/// Runs an entry point's body and, when it fails and is the outermost entry point on this
/// thread, throws its `PartnerDeskError` (see the module docs); napi gets an error it leaves
/// pending. Should building the error fail, napi throws its plain `Error` with `code`.
pub(crate) fn throwing<T>(body: impl FnOnce() -> napi::Result<T, Code>) -> napi::Result<T, Code> {
    let depth = DEPTH.with(|d| {
        d.set(d.get() + 1);
        d.get()
    });
    let out = body();
    DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    match out {
        Err(e) if depth == 1 && e.status.code != PENDING => Err(throw(e)),
        other => other,
    }
}

/// Throws the `PartnerDeskError` of `e` on this thread's environment; the error napi is handed
/// back then carries napi's `PendingException` status (or is `e` itself if nothing was thrown).
fn throw(e: napi::Error<Code>) -> napi::Error<Code> {
    let env = INSTALLED.with(|i| i.borrow().as_ref().map(|installed| installed.env));
    let Some(env) = env else { return e };
    let thrown = error_object(&env, &e.status, &e.reason).and_then(|obj| env.throw(obj));
    match thrown {
        Ok(()) => napi::Error::new(Code::plain(PENDING), e.reason),
        Err(_) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn napi_errors_carry_the_code_and_details() {
        let e = to_js(CoreError::CustomerNotFound { id: "c-1".into() });
        assert_eq!(e.status.as_ref(), "CUSTOMER_NOT_FOUND");
        assert_eq!(e.reason, "customer c-1 not found");
        assert_eq!(
            e.status.details,
            vec![("id".to_owned(), Detail::Text("c-1".into()))]
        );
        let e = to_js(CoreError::ConcurrentChange {
            expected_events: 3,
            found_events: 4,
        });
        assert_eq!(
            e.status.details,
            vec![
                ("expectedEvents".to_owned(), Detail::Int(3)),
                ("foundEvents".to_owned(), Detail::Int(4)),
            ]
        );
    }

    #[test]
    fn names_become_camel_case() {
        assert_eq!(camel("blocked_by"), "blockedBy");
        assert_eq!(camel("id"), "id");
    }
}
