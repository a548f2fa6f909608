//! Checked arguments: a JS value of the wrong type, a missing field, an unknown enumeration
//! value or an invalid `Date` gives `INVALID_ARGUMENT` (or `INVALID_DATE`) naming the field,
//! never napi's own wording (`StringExpected`, `Failed to convert ... into rust type String`,
//! `Missing field kind`), which names Rust types and may quote the value.
//!
//! How: `#[partnerdesk_panic_guard::entry_points(.., checked_args = crate::args::Checked)]`
//! rewrites every argument `name: T` of an exported function to `name: Checked<T>` (keeping the
//! TypeScript type napi would have generated for `T`), and the body's first statement to
//! `let name: T = name.get("name")?;`. [`Checked`]'s conversion never fails: it runs napi's
//! own conversion of `T` and keeps the outcome, and `Checked::get` turns a failure into the
//! core's typed error with the argument's name and the path inside it (`options.sort`),
//! taken from napi's error (`Missing field `x``, `... on Struct.field`) without its text.
//!
//! `Date`s: napi turns `new Date(NaN)` into 1970-01-01 without an error. Before converting,
//! [`Checked`] looks through the value (a `Date`, or the fields of plain objects and arrays, a
//! few levels deep) for an invalid `Date` and reports it as `INVALID_DATE` with its path.
//!
//! Unsafe code: implementing napi's `FromNapiValue` means writing an `unsafe fn`, and looking
//! at a value means calling napi's C functions. Every such call passes on, unchanged, the
//! `env` and the value napi handed to this conversion, for the duration of the call.

#![allow(unsafe_code)]

use crate::error::{Code, to_js};
use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue, ValueType};
use napi::sys;
use partnerdesk::Error as CoreError;
use std::ffi::c_char;

/// An argument as napi converted it, or what was wrong with it.
pub struct Checked<T>(Result<T, Mistake>);

/// What was wrong with an argument: where inside it, and why (no value quoted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mistake {
    /// The path inside the argument (`.sort`, `[2].amount`), empty for the argument itself.
    path: String,
    /// Why, in words a JS caller understands.
    reason: String,
    /// An invalid `Date` (reported as `INVALID_DATE`).
    date: bool,
    /// An amount that is not a decimal string (reported as `INVALID_MONEY`).
    money: bool,
}

impl<T> Checked<T> {
    /// The converted value, or the typed error naming `field` (the argument's JS name).
    pub(crate) fn get(self, field: &str) -> napi::Result<T, Code> {
        self.0.map_err(|m| {
            let field = format!("{field}{}", m.path);
            to_js(if m.money {
                CoreError::InvalidMoney {
                    field,
                    reason: m.reason,
                }
            } else if m.date {
                CoreError::InvalidDate {
                    field,
                    reason: m.reason,
                }
            } else {
                CoreError::InvalidArgument {
                    field,
                    reason: m.reason,
                }
            })
        })
    }
}

/// The JS type of a value, as `typeof` says it (`null` for null).
fn js_type(env: sys::napi_env, value: sys::napi_value) -> &'static str {
    let mut t = 0;
    // SAFETY: `env` and `value` are the ones napi passed to this conversion (see module docs).
    let status = unsafe { sys::napi_typeof(env, value, &mut t) };
    if status != sys::Status::napi_ok {
        return "unknown";
    }
    match t {
        sys::ValueType::napi_undefined => "undefined",
        sys::ValueType::napi_null => "null",
        sys::ValueType::napi_boolean => "boolean",
        sys::ValueType::napi_number => "number",
        sys::ValueType::napi_string => "string",
        sys::ValueType::napi_symbol => "symbol",
        sys::ValueType::napi_object => "object",
        sys::ValueType::napi_function => "function",
        sys::ValueType::napi_bigint => "bigint",
        _ => "unknown",
    }
}

/// How many values the search for invalid `Date`s looks at, at most, per argument.
const DATE_SEARCH_BUDGET: usize = 4096;
/// How deep it looks.
const DATE_SEARCH_DEPTH: usize = 4;

/// The path of the first invalid `Date` in `value` (itself, or inside plain objects and arrays).
fn invalid_date(
    env: sys::napi_env,
    value: sys::napi_value,
    depth: usize,
    budget: &mut usize,
) -> Option<String> {
    if *budget == 0 || depth > DATE_SEARCH_DEPTH {
        return None;
    }
    *budget -= 1;
    if js_type(env, value) != "object" {
        return None;
    }
    // An instance of one of the addon's classes (a `Query`, ...) is taken by its native value,
    // never read field by field, so no `Date` inside it is converted. Not looking through it
    // also keeps this search from calling its getters (a `Query` enumerates seven inherited
    // members, a getter among them: that was most of the cost of passing one).
    let mut native = std::ptr::null_mut();
    // SAFETY: as in `js_type`; `native` is an out pointer, only compared with null.
    if unsafe { sys::napi_unwrap(env, value, &mut native) } == sys::Status::napi_ok
        && !native.is_null()
    {
        return None;
    }
    let mut is_date = false;
    // SAFETY: as in `js_type`.
    if unsafe { sys::napi_is_date(env, value, &mut is_date) } == sys::Status::napi_ok && is_date {
        let mut ms = 0.0;
        // SAFETY: as in `js_type`; `value` is a Date.
        let ok = unsafe { sys::napi_get_date_value(env, value, &mut ms) } == sys::Status::napi_ok;
        return (!ok || !ms.is_finite()).then(String::new);
    }
    let mut is_array = false;
    // SAFETY: as in `js_type`.
    if unsafe { sys::napi_is_array(env, value, &mut is_array) } == sys::Status::napi_ok && is_array
    {
        let mut len = 0u32;
        // SAFETY: as in `js_type`; `value` is an array.
        if unsafe { sys::napi_get_array_length(env, value, &mut len) } != sys::Status::napi_ok {
            return None;
        }
        for i in 0..len {
            let mut item = std::ptr::null_mut();
            // SAFETY: as in `js_type`; `i` is below the array's length.
            if unsafe { sys::napi_get_element(env, value, i, &mut item) } != sys::Status::napi_ok {
                return None;
            }
            if let Some(p) = invalid_date(env, item, depth + 1, budget) {
                return Some(format!("[{i}]{p}"));
            }
            if *budget == 0 {
                return None;
            }
        }
        return None;
    }
    let mut names = std::ptr::null_mut();
    // SAFETY: as in `js_type`; `value` is an object.
    if unsafe { sys::napi_get_property_names(env, value, &mut names) } != sys::Status::napi_ok {
        return None;
    }
    let mut len = 0u32;
    // SAFETY: `names` is the array napi just returned.
    if unsafe { sys::napi_get_array_length(env, names, &mut len) } != sys::Status::napi_ok {
        return None;
    }
    for i in 0..len {
        let mut key = std::ptr::null_mut();
        let mut item = std::ptr::null_mut();
        // SAFETY: `names` is napi's array of `value`'s property names and `i` below its length;
        // the key it holds is then read from `value`.
        let ok = unsafe {
            sys::napi_get_element(env, names, i, &mut key) == sys::Status::napi_ok
                && sys::napi_get_property(env, value, key, &mut item) == sys::Status::napi_ok
        };
        if !ok {
            return None;
        }
        if let Some(p) = invalid_date(env, item, depth + 1, budget) {
            return Some(format!(".{}{p}", key_name(env, key)));
        }
        if *budget == 0 {
            return None;
        }
    }
    None
}

/// A property name as text (a field name of an options object, at most 64 bytes of it).
fn key_name(env: sys::napi_env, key: sys::napi_value) -> String {
    let mut buf = [0u8; 65];
    let mut len = 0usize;
    // SAFETY: `key` is a property name napi returned; the buffer's length is passed with it.
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            key,
            buf.as_mut_ptr().cast::<c_char>(),
            buf.len(),
            &mut len,
        )
    };
    if status != sys::Status::napi_ok {
        return "?".to_owned();
    }
    String::from_utf8_lossy(buf.get(..len).unwrap_or_default()).into_owned()
}

/// The path and reason of a napi conversion error, without napi's text.
fn mistake_of(e: &napi::Error, got: &str) -> Mistake {
    let mut text = e.reason.as_str();
    // `decorate_field_error` appends ` on Struct.field`, innermost first.
    let mut fields = Vec::new();
    while let Some((rest, last)) = text.rsplit_once(" on ") {
        let Some((ty, field)) = last.split_once('.') else {
            break;
        };
        let ident = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        };
        if !ident(ty) || !ident(field) {
            break;
        }
        fields.push(field.to_owned());
        text = rest;
    }
    let mut path: String = fields.iter().rev().map(|f| format!(".{f}")).collect();
    if text == partnerdesk_host::values::NOT_A_DECIMAL {
        return Mistake {
            path,
            reason: text.to_owned(),
            date: false,
            money: true,
        };
    }
    let missing = text
        .strip_prefix("Missing field `")
        .and_then(|s| s.strip_suffix('`'));
    if let Some(field) = missing {
        path.push('.');
        path.push_str(field);
        return Mistake {
            path,
            reason: "is required".to_owned(),
            date: false,
            money: false,
        };
    }
    // The JS type napi saw, when it says (`JavaScript value `Number 5 ``): only the type word.
    let seen = text
        .split_once("JavaScript value `")
        .and_then(|(_, v)| v.split(|c: char| !c.is_ascii_alphabetic()).next())
        .map(str::to_ascii_lowercase)
        .filter(|s| !s.is_empty());
    let got = if path.is_empty() {
        got.to_owned()
    } else {
        seen.unwrap_or_else(|| "another type".to_owned())
    };
    if let Some(rest) = text.strip_prefix("Expect value to be ") {
        let wanted = rest
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or("");
        let expected = match wanted {
            "Object" => "an object",
            "String" => "a string",
            "Number" => "a number",
            "Boolean" => "a boolean",
            "Function" => "a function",
            "BigInt" | "Bigint" => "a bigint",
            _ => "another type",
        };
        return Mistake {
            path,
            reason: format!("expected {expected}, got {got}"),
            date: false,
            money: false,
        };
    }
    use napi::Status as S;
    let expected = match e.status {
        S::StringExpected => "a string",
        S::NumberExpected => "a number",
        S::BooleanExpected => "a boolean",
        S::ObjectExpected => "an object",
        S::ArrayExpected => "an array",
        S::FunctionExpected => "a function",
        S::BigintExpected => "a bigint",
        S::DateExpected => "a Date",
        S::InvalidArg if text.starts_with("expected a ") => {
            return Mistake {
                path,
                reason: format!("{text}, got {got}"),
                date: false,
                money: false,
            };
        }
        S::InvalidArg if text.contains("does not match any variant") => {
            return Mistake {
                path,
                reason: "is not one of the allowed values (see the TypeScript type)".to_owned(),
                date: false,
                money: false,
            };
        }
        _ => {
            return Mistake {
                path,
                reason: format!("has the wrong type (got {got})"),
                date: false,
                money: false,
            };
        }
    };
    Mistake {
        path,
        reason: format!("expected {expected}, got {got}"),
        date: false,
        money: false,
    }
}

impl<T: FromNapiValue + ValidateNapiValue> FromNapiValue for Checked<T> {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // napi's own check of the JS type first: without it, an options object is read from
        // any value (a number gives an object with no fields).
        // SAFETY: `env` and `value` are the ones napi passed to this conversion.
        if let Err(e) = unsafe { T::validate(env, value) } {
            return Ok(Checked(Err(mistake_of(&e, js_type(env, value)))));
        }
        let mut budget = DATE_SEARCH_BUDGET;
        if let Some(path) = invalid_date(env, value, 0, &mut budget) {
            return Ok(Checked(Err(Mistake {
                path,
                reason: "is an invalid Date (its time is NaN)".to_owned(),
                date: true,
                money: false,
            })));
        }
        // SAFETY: `env` and `value` are the ones napi passed to this conversion.
        Ok(Checked(match unsafe { T::from_napi_value(env, value) } {
            Ok(v) => Ok(v),
            Err(e) => Err(mistake_of(&e, js_type(env, value))),
        }))
    }
}

/// The reason napi's error gets for a value that is neither a `Query` nor a string.
const NOT_A_QUERY: &str = "expected a Query or a filter string";

/// A query argument (`query: Query | string`): a `Query` instance (its query copied at once,
/// so no borrow of the JS object outlives the conversion) or the text of a filter, parsed by
/// the function (so a bad filter is `FILTER_SYNTAX`).
pub enum QueryArg {
    /// A built query.
    Built(partnerdesk::query::Query),
    /// A text filter, not parsed yet.
    Text(String),
}

/// An export selection (`selection: Query | string | string[]`): a query, or customer ids.
pub enum SelectionArg {
    /// A query or a text filter.
    Query(QueryArg),
    /// Customer ids.
    Ids(Vec<String>),
}

/// Reads a `Query` instance or a string.
fn query_arg(env: sys::napi_env, value: sys::napi_value) -> napi::Result<QueryArg> {
    match js_type(env, value) {
        // SAFETY: `env` and `value` are the ones napi passed to this conversion.
        "string" => Ok(QueryArg::Text(unsafe {
            String::from_napi_value(env, value)
        }?)),
        "object" => {
            // SAFETY: as above; napi checks that the object wraps a `Query`. The reference is
            // used only to copy the query, before this conversion returns.
            let q = unsafe {
                <crate::query::Query as napi::bindgen_prelude::FromNapiRef>::from_napi_ref(
                    env, value,
                )
            };
            match q {
                Ok(q) => Ok(QueryArg::Built(q.inner.clone())),
                Err(_) => Err(napi::Error::new(
                    napi::Status::InvalidArg,
                    NOT_A_QUERY.to_owned(),
                )),
            }
        }
        _ => Err(napi::Error::new(
            napi::Status::InvalidArg,
            NOT_A_QUERY.to_owned(),
        )),
    }
}

impl TypeName for QueryArg {
    fn type_name() -> &'static str {
        "Query | string"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl TypeName for SelectionArg {
    fn type_name() -> &'static str {
        "Query | string | string[]"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ValidateNapiValue for QueryArg {
    /// Accepts any value: the conversion says what is wrong.
    unsafe fn validate(
        _env: sys::napi_env,
        _value: sys::napi_value,
    ) -> napi::Result<sys::napi_value> {
        Ok(std::ptr::null_mut())
    }
}

impl ValidateNapiValue for SelectionArg {
    /// Accepts any value: the conversion says what is wrong.
    unsafe fn validate(
        _env: sys::napi_env,
        _value: sys::napi_value,
    ) -> napi::Result<sys::napi_value> {
        Ok(std::ptr::null_mut())
    }
}

impl FromNapiValue for QueryArg {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        query_arg(env, value)
    }
}

impl FromNapiValue for SelectionArg {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        let mut is_array = false;
        // SAFETY: `env` and `value` are the ones napi passed to this conversion.
        if unsafe { sys::napi_is_array(env, value, &mut is_array) } == sys::Status::napi_ok
            && is_array
        {
            // SAFETY: as above; `value` is an array.
            return Ok(SelectionArg::Ids(unsafe {
                Vec::<String>::from_napi_value(env, value)
            }?));
        }
        query_arg(env, value).map(SelectionArg::Query).map_err(|_| {
            napi::Error::new(
                napi::Status::InvalidArg,
                "expected a Query, a filter string or an array of ids".to_owned(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn napi_err(status: napi::Status, reason: &str) -> napi::Error {
        napi::Error::new(status, reason.to_owned())
    }

    #[test]
    fn napi_wording_becomes_a_path_and_a_reason_without_rust_types() {
        let m = mistake_of(
            &napi_err(
                napi::Status::StringExpected,
                "Failed to convert JavaScript value `Number 5 ` into rust type `String` on Money.amount on BudgetInput.amount",
            ),
            "object",
        );
        assert_eq!(m.path, ".amount.amount");
        assert_eq!(m.reason, "expected a string, got number");
        let m = mistake_of(
            &napi_err(napi::Status::InvalidArg, "Missing field `kind`"),
            "object",
        );
        assert_eq!(
            (m.path.as_str(), m.reason.as_str()),
            (".kind", "is required")
        );
        let m = mistake_of(
            &napi_err(
                napi::Status::InvalidArg,
                "value `\"nope\"` does not match any variant of enum `SortKey` on SearchOptions.sort",
            ),
            "object",
        );
        assert_eq!(m.path, ".sort");
        assert!(!m.reason.contains("SortKey") && !m.reason.contains("nope"));
        let m = mistake_of(
            &napi_err(napi::Status::StringExpected, "whatever"),
            "number",
        );
        assert_eq!(
            (m.path.as_str(), m.reason.as_str()),
            ("", "expected a string, got number")
        );
    }

    #[test]
    fn a_checked_failure_is_the_cores_typed_error_naming_the_field() {
        let c: Checked<u32> = Checked(Err(Mistake {
            path: ".now".into(),
            reason: "is an invalid Date (its time is NaN)".into(),
            date: true,
            money: false,
        }));
        let e = match c.get("options") {
            Err(e) => e,
            Ok(_) => unreachable!("a mistake converts to an error"),
        };
        assert_eq!(e.status.as_ref(), "INVALID_DATE");
        assert!(e.reason.contains("options.now"));
    }
}
