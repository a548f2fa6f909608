//! Masked rows to JS objects, fast: the rows of search pages, `collectRows` and `searchAll`.
//!
//! Why not napi-rs's own conversion of the record: it sets each of a row's ~20 properties with
//! its own `napi_set_named_property` (a key string made and looked up per property, a generic
//! store per property), which costs about 16 µs a row. Here one JS function, compiled once per
//! environment, builds the row from its values passed as arguments, so V8 creates each object
//! with property stores it has compiled. The object is the same: the same keys in the same
//! order, optional fields absent (not `undefined`) when the record has none, `Date`s, money as
//! `{ amount, currency }` with a decimal string (`__test__/async.test.mjs` compares both
//! conversions row for row).
//!
//! Unsafe code: the values are made with napi's C functions on the JS thread, with the `env`
//! napi handed to the conversion.

#![allow(unsafe_code)]

use crate::handover::check;
use crate::types::CustomerRow;
use napi::bindgen_prelude::{Env, JsValue, Object, ObjectRef, ToNapiValue, Unknown};
use napi::{Status, sys};
use std::cell::RefCell;
use std::ptr;

/// Builds one row from its values (see the module docs); the argument order is `ARGS`'s.
const FACTORY: &str = r"(function partnerdeskRow(id, accountName, name, customerType, verification, level, tags, associationType, associatedAt, mtdAmount, mtdCurrency, lastAmount, lastCurrency, unpaidOrders, mobile, email, disassociatedAt, reseller, accountManager, accountManagerName, freezeScope, freezeOrigin, budget, nextExpiry) {
  'use strict'
  const row = {
    id, accountName, name, customerType, verification, level, tags, associationType,
    associatedAt: new Date(associatedAt),
    monthToDate: { amount: mtdAmount, currency: mtdCurrency },
    lastMonth: { amount: lastAmount, currency: lastCurrency },
    unpaidOrders,
  }
  if (mobile !== undefined) row.mobile = mobile
  if (email !== undefined) row.email = email
  if (disassociatedAt !== undefined) row.disassociatedAt = new Date(disassociatedAt)
  if (reseller !== undefined) row.reseller = reseller
  if (accountManager !== undefined) row.accountManager = accountManager
  if (accountManagerName !== undefined) row.accountManagerName = accountManagerName
  if (freezeScope !== undefined) row.freezeScope = freezeScope
  if (freezeOrigin !== undefined) row.freezeOrigin = freezeOrigin
  if (budget !== undefined) row.budget = budget
  if (nextExpiry !== undefined) row.nextExpiry = new Date(nextExpiry)
  return row
})";

/// How many arguments `FACTORY` takes.
const ARGS: usize = 24;

thread_local! {
    static FACTORY_FN: RefCell<Option<ObjectRef<false>>> = const { RefCell::new(None) };
}

/// Compiles this JS environment's row function (called once, from the module's init).
pub(crate) fn install(env: &Env) -> napi::Result<()> {
    let f: Unknown<'_> = env.run_script(FACTORY)?;
    let function = Object::from_raw(env.raw(), f.raw()).create_ref::<false>()?;
    FACTORY_FN.with(|slot| *slot.borrow_mut() = Some(function));
    Ok(())
}

/// The row function of this environment, if it was compiled.
pub(crate) fn factory(env: &Env) -> Option<sys::napi_value> {
    FACTORY_FN.with(|slot| {
        slot.borrow()
            .as_ref()
            .and_then(|r| r.get_value(env).ok())
            .map(|o| o.raw())
    })
}

/// `rows` as a JS array of row objects (see [`to_js`]).
///
/// # Safety
///
/// `env` is the live env of a callback running on the JS thread.
pub(crate) unsafe fn array_of(
    env: sys::napi_env,
    rows: Vec<CustomerRow>,
) -> napi::Result<sys::napi_value> {
    let factory = factory(&Env::from(env));
    let mut array = ptr::null_mut();
    // SAFETY: the caller's env; an out pointer.
    check(
        unsafe { sys::napi_create_array_with_length(env, rows.len(), &mut array) },
        "napi_create_array_with_length",
    )?;
    for (i, row) in rows.into_iter().enumerate() {
        let index = u32::try_from(i)
            .map_err(|_| napi::Error::new(Status::InvalidArg, "too many rows".to_owned()))?;
        // SAFETY: the caller's env; `array` and `factory` are values of it.
        unsafe {
            let value = to_js(env, factory, row)?;
            check(
                sys::napi_set_element(env, array, index, value),
                "napi_set_element",
            )?;
        }
    }
    Ok(array)
}

/// `row` as a JS object, built by `factory` (from [`factory`]); napi-rs's own conversion when
/// there is none.
///
/// # Safety
///
/// `env` is the live env of a callback running on the JS thread, and `factory` a value of it.
pub(crate) unsafe fn to_js(
    env: sys::napi_env,
    factory: Option<sys::napi_value>,
    row: CustomerRow,
) -> napi::Result<sys::napi_value> {
    let Some(factory) = factory else {
        // SAFETY: the caller's env.
        return unsafe { CustomerRow::to_napi_value(env, row) };
    };
    let text = |s: &str| -> napi::Result<sys::napi_value> {
        let mut v = ptr::null_mut();
        let len = isize::try_from(s.len())
            .map_err(|_| napi::Error::new(Status::InvalidArg, "string too long".to_owned()))?;
        // SAFETY: the caller's env; `s` is `len` bytes of UTF-8; `v` is an out pointer.
        check(
            unsafe { sys::napi_create_string_utf8(env, s.as_ptr().cast(), len, &mut v) },
            "napi_create_string_utf8",
        )?;
        Ok(v)
    };
    let mut undefined = ptr::null_mut();
    // SAFETY: the caller's env; an out pointer.
    check(
        unsafe { sys::napi_get_undefined(env, &mut undefined) },
        "napi_get_undefined",
    )?;
    let optional = |s: Option<&str>| s.map_or(Ok(undefined), text);
    #[allow(
        clippy::cast_precision_loss,
        reason = "milliseconds since 1970, far below 2^53, as napi-rs's own Date conversion"
    )]
    let millis = |t: &chrono::DateTime<chrono::Utc>| -> napi::Result<sys::napi_value> {
        let mut v = ptr::null_mut();
        // SAFETY: the caller's env; an out pointer.
        check(
            unsafe { sys::napi_create_double(env, t.timestamp_millis() as f64, &mut v) },
            "napi_create_double",
        )?;
        Ok(v)
    };
    let mut tags = ptr::null_mut();
    // SAFETY: the caller's env; an out pointer.
    check(
        unsafe { sys::napi_create_array_with_length(env, row.tags.len(), &mut tags) },
        "napi_create_array_with_length",
    )?;
    for (i, tag) in row.tags.iter().enumerate() {
        let index = u32::try_from(i)
            .map_err(|_| napi::Error::new(Status::InvalidArg, "too many tags".to_owned()))?;
        // SAFETY: the caller's env; `tags` is an array of it.
        check(
            unsafe { sys::napi_set_element(env, tags, index, text(tag)?) },
            "napi_set_element",
        )?;
    }
    let mut unpaid = ptr::null_mut();
    // SAFETY: the caller's env; an out pointer.
    check(
        unsafe { sys::napi_create_uint32(env, row.unpaid_orders, &mut unpaid) },
        "napi_create_uint32",
    )?;
    let budget = match row.budget {
        // SAFETY: the caller's env.
        Some(b) => unsafe { ToNapiValue::to_napi_value(env, b) }?,
        None => undefined,
    };
    let args: [sys::napi_value; ARGS] = [
        text(&row.id)?,
        text(&row.account_name)?,
        text(&row.name)?,
        text(&row.customer_type)?,
        text(&row.verification)?,
        text(&row.level)?,
        tags,
        text(&row.association_type)?,
        millis(&row.associated_at.0)?,
        text(&row.month_to_date.amount.0.to_string())?,
        text(&row.month_to_date.currency)?,
        text(&row.last_month.amount.0.to_string())?,
        text(&row.last_month.currency)?,
        unpaid,
        optional(row.mobile.as_deref())?,
        optional(row.email.as_deref())?,
        row.disassociated_at
            .as_ref()
            .map_or(Ok(undefined), |t| millis(&t.0))?,
        optional(row.reseller.as_deref())?,
        optional(row.account_manager.as_deref())?,
        optional(row.account_manager_name.as_deref())?,
        optional(row.freeze_scope.as_deref())?,
        optional(row.freeze_origin.as_deref())?,
        budget,
        row.next_expiry
            .as_ref()
            .map_or(Ok(undefined), |t| millis(&t.0))?,
    ];
    let mut out = ptr::null_mut();
    // SAFETY: the caller's env; `factory` a function of it; `args` holds `ARGS` values of it.
    check(
        unsafe { sys::napi_call_function(env, undefined, factory, ARGS, args.as_ptr(), &mut out) },
        "the row function",
    )?;
    Ok(out)
}
