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

/// Builds a search page, `{ rows, total, nextCursor? }` with `[Symbol.iterator]` (not
/// enumerable), in one call: the ASCII texts of its rows come in one one-byte string, `text`,
/// the others in a second, `wide`, cut by the lengths in the `Float64Array` `nums` (a length
/// `len >= 0` in `text`; `-2 - len` code units in `wide`), which also holds the numbers,
/// `Date` times (`NaN` when absent) and flags, in the order [`pack_row`] writes them; an
/// absent optional text has the length -1. The rows are the objects `FACTORY` makes: the same
/// keys in the same order, optional fields absent, `budget` as `{ kind, amount, used,
/// percent, autoFreeze }` (`__test__/rows.test.mjs` compares them with `customerRow`'s).
///
/// Why: one napi call per page instead of one string, number or call per value (about 25 a
/// row), which cost about 7 µs a row.
const PAGE: &str = r"(function () {
  'use strict'
  const define = Object.defineProperty
  const iteratorKey = Symbol.iterator
  return function partnerdeskPage(text, wide, nums, count, total, nextCursor, iterator) {
    let at = 0
    let wideAt = 0
    let n = 0
    const str = () => {
      const len = nums[n++]
      if (len >= 0) {
        const s = text.slice(at, at + len)
        at += len
        return s
      }
      const units = -len - 2
      const s = wide.slice(wideAt, wideAt + units)
      wideAt += units
      return s
    }
    const opt = () => (nums[n] === -1 ? (n++, undefined) : str())
    const rows = []
    for (let i = 0; i < count; i++) {
      const id = str(), accountName = str(), name = str(), customerType = str()
      const verification = str(), level = str()
      const tagCount = nums[n++]
      const tags = []
      for (let t = 0; t < tagCount; t++) tags.push(str())
      const associationType = str()
      const associatedAt = nums[n++]
      const mtdAmount = str(), mtdCurrency = str(), lastAmount = str(), lastCurrency = str()
      const unpaidOrders = nums[n++]
      const row = {
        id, accountName, name, customerType, verification, level, tags, associationType,
        associatedAt: new Date(associatedAt),
        monthToDate: { amount: mtdAmount, currency: mtdCurrency },
        lastMonth: { amount: lastAmount, currency: lastCurrency },
        unpaidOrders,
      }
      const mobile = opt()
      if (mobile !== undefined) row.mobile = mobile
      const email = opt()
      if (email !== undefined) row.email = email
      const disassociatedAt = nums[n++]
      if (disassociatedAt === disassociatedAt) row.disassociatedAt = new Date(disassociatedAt)
      const reseller = opt()
      if (reseller !== undefined) row.reseller = reseller
      const accountManager = opt()
      if (accountManager !== undefined) row.accountManager = accountManager
      const accountManagerName = opt()
      if (accountManagerName !== undefined) row.accountManagerName = accountManagerName
      const freezeScope = opt()
      if (freezeScope !== undefined) row.freezeScope = freezeScope
      const freezeOrigin = opt()
      if (freezeOrigin !== undefined) row.freezeOrigin = freezeOrigin
      if (nums[n++] === 1) {
        const kind = str(), amount = str(), amountCurrency = str()
        const used = str(), usedCurrency = str(), percent = str()
        const autoFreeze = nums[n++] === 1
        row.budget = {
          kind,
          amount: { amount, currency: amountCurrency },
          used: { amount: used, currency: usedCurrency },
          percent,
          autoFreeze,
        }
      }
      const nextExpiry = nums[n++]
      if (nextExpiry === nextExpiry) row.nextExpiry = new Date(nextExpiry)
      rows.push(row)
    }
    const page = { rows, total }
    if (nextCursor !== undefined) page.nextCursor = nextCursor
    if (iterator !== undefined) define(page, iteratorKey, { value: iterator, writable: true, configurable: true })
    return page
  }
})()";

/// Builds an id page, `{ ids, total, nextCursor? }` with `[Symbol.iterator]` (not enumerable),
/// its ids cut from the two strings by their lengths (as `PAGE`).
const ID_PAGE: &str = r"(function () {
  'use strict'
  const define = Object.defineProperty
  const iteratorKey = Symbol.iterator
  return function partnerdeskIdPage(text, wide, lens, total, nextCursor, iterator) {
    const ids = []
    let at = 0
    let wideAt = 0
    for (let i = 0; i < lens.length; i++) {
      const len = lens[i]
      if (len >= 0) {
        ids.push(text.slice(at, at + len))
        at += len
      } else {
        ids.push(wide.slice(wideAt, wideAt - len - 2))
        wideAt += -len - 2
      }
    }
    const page = { ids, total }
    if (nextCursor !== undefined) page.nextCursor = nextCursor
    if (iterator !== undefined) define(page, iteratorKey, { value: iterator, writable: true, configurable: true })
    return page
  }
})()";

/// This environment's compiled functions.
struct Functions {
    row: ObjectRef<false>,
    page: ObjectRef<false>,
    id_page: ObjectRef<false>,
}

thread_local! {
    static FUNCTIONS: RefCell<Option<Functions>> = const { RefCell::new(None) };
}

/// Compiles this JS environment's row and page functions (called once, from the module's init).
pub(crate) fn install(env: &Env) -> napi::Result<()> {
    let compile = |source: &str| -> napi::Result<ObjectRef<false>> {
        let f: Unknown<'_> = env.run_script(source)?;
        Object::from_raw(env.raw(), f.raw()).create_ref::<false>()
    };
    let functions = Functions {
        row: compile(FACTORY)?,
        page: compile(PAGE)?,
        id_page: compile(ID_PAGE)?,
    };
    FUNCTIONS.with(|slot| *slot.borrow_mut() = Some(functions));
    Ok(())
}

/// One of this environment's compiled functions, if they were compiled.
fn function(env: &Env, which: fn(&Functions) -> &ObjectRef<false>) -> Option<sys::napi_value> {
    FUNCTIONS.with(|slot| {
        slot.borrow()
            .as_ref()
            .and_then(|f| which(f).get_value(env).ok())
            .map(|o| o.raw())
    })
}

/// The row function of this environment, if it was compiled.
pub(crate) fn factory(env: &Env) -> Option<sys::napi_value> {
    function(env, |f| &f.row)
}

/// The texts and numbers of a page's rows, as `PAGE` reads them.
#[derive(Default)]
struct Packed {
    /// The ASCII texts, made a one-byte JS string by copying (no decoding).
    text: String,
    /// The other texts, in UTF-16 (the few names and tags in other scripts): a string of their
    /// own, so that the ASCII ones do not become a two-byte string decoded from UTF-8 with them.
    wide: Vec<u16>,
    nums: Vec<f64>,
}

/// The largest buffers (in bytes, all three together) kept for the next page: those of a page
/// of 1000 rows of about the demo's size, with room to spare.
const KEPT_BYTES: usize = 1 << 20;

thread_local! {
    /// The buffers of the JS thread's last page, emptied, for its next one.
    static SPARE: RefCell<Packed> = RefCell::new(Packed::default());
}

impl Packed {
    /// Runs `f` with empty buffers, with room for `rows` rows of about the demo's size: the
    /// last page's, kept on this thread. A page of 1000 rows took half a megabyte of fresh
    /// memory in two allocations; large allocations made after each page's rows had been
    /// freed had the C allocator sweep those rows' small blocks every time (`malloc_consolidate`,
    /// 4% of a page loop's time at 1M customers, and as much again unlinking them).
    fn with<R>(rows: usize, f: impl FnOnce(&mut Packed) -> R) -> R {
        // Taken out, so that a page built while this one is (none is) gets buffers of its own.
        let mut packed = SPARE.with(|spare| std::mem::take(&mut *spare.borrow_mut()));
        packed.text.clear();
        packed.wide.clear();
        packed.nums.clear();
        packed.text.reserve(rows * 192);
        packed.nums.reserve(rows * 32);
        let out = f(&mut packed);
        let kept = packed.text.capacity() + 2 * packed.wide.capacity() + 8 * packed.nums.capacity();
        if kept <= KEPT_BYTES {
            SPARE.with(|spare| *spare.borrow_mut() = packed);
        }
        out
    }

    /// A text: its length (ASCII, in `text`), or -2 minus its length in UTF-16 code units (in
    /// `wide`); JS's `slice` counts code units.
    fn text(&mut self, s: &str) {
        #[allow(
            clippy::cast_precision_loss,
            reason = "a text's length, far below 2^53"
        )]
        if s.is_ascii() {
            self.nums.push(s.len() as f64);
            self.text.push_str(s);
        } else {
            let start = self.wide.len();
            self.wide.extend(s.encode_utf16());
            self.nums.push(-2.0 - (self.wide.len() - start) as f64);
        }
    }

    /// An optional text (-1 when absent).
    fn optional(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.text(s),
            None => self.nums.push(-1.0),
        }
    }

    /// A decimal, written as its text (ASCII) without a string of its own.
    fn decimal(&mut self, d: &rust_decimal::Decimal) {
        use std::fmt::Write as _;
        let start = self.text.len();
        // Writing to a `String` cannot fail.
        let _written = write!(self.text, "{d}");
        #[allow(
            clippy::cast_precision_loss,
            reason = "a decimal's length, far below 2^53"
        )]
        self.nums.push((self.text.len() - start) as f64);
    }

    /// An instant as milliseconds since 1970 (`NaN` when absent).
    fn time(&mut self, t: Option<&chrono::DateTime<chrono::Utc>>) {
        #[allow(
            clippy::cast_precision_loss,
            reason = "milliseconds since 1970, far below 2^53, as napi-rs's own Date conversion"
        )]
        self.nums
            .push(t.map_or(f64::NAN, |t| t.timestamp_millis() as f64));
    }
}

/// Writes one row into `p`, in the order `PAGE` reads it: the core's row, read as the shared
/// record (`partnerdesk_host::records::CustomerRow`) converts it, without that record's copy
/// of every text.
fn pack_row(p: &mut Packed, row: &partnerdesk::row::CustomerRow) {
    p.text(row.id.as_str());
    p.text(&row.account_name);
    p.text(&row.name);
    p.text(row.customer_type.as_str());
    p.text(row.verification.as_str());
    p.text(row.level.as_str());
    #[allow(
        clippy::cast_precision_loss,
        reason = "a row's number of tags, far below 2^53"
    )]
    p.nums.push(row.tags.len() as f64);
    for tag in &row.tags {
        p.text(tag.as_str());
    }
    p.text(row.association_type.as_str());
    p.time(Some(&row.associated_at));
    p.decimal(&row.month_to_date.amount);
    p.text(row.month_to_date.currency.as_str());
    p.decimal(&row.last_month.amount);
    p.text(row.last_month.currency.as_str());
    p.nums.push(f64::from(partnerdesk_host::records::count32(
        row.unpaid_orders,
    )));
    p.optional(row.mobile.as_deref());
    p.optional(row.email.as_deref());
    p.time(row.disassociated_at.as_ref());
    p.optional(row.reseller.as_ref().map(|x| x.as_str()));
    p.optional(row.account_manager.as_ref().map(|x| x.as_str()));
    p.optional(row.account_manager_name.as_deref());
    p.optional(row.freeze_scope.as_ref().map(|x| x.as_str()));
    p.optional(row.freeze_origin.as_ref().map(|x| x.as_str()));
    match &row.budget {
        Some(b) => {
            p.nums.push(1.0);
            p.text(b.kind.as_str());
            p.decimal(&b.amount.amount);
            p.text(b.amount.currency.as_str());
            p.decimal(&b.used.amount);
            p.text(b.used.currency.as_str());
            p.decimal(&b.percent);
            p.nums.push(if b.auto_freeze { 1.0 } else { 0.0 });
        }
        None => p.nums.push(0.0),
    }
    p.time(row.next_expiry.as_ref());
}

impl Packed {
    /// `text` (one-byte, copied) and `wide` (UTF-16, copied) as JS strings.
    ///
    /// # Safety
    ///
    /// `env` is the live env of a callback running on the JS thread.
    unsafe fn strings(&self, env: sys::napi_env) -> napi::Result<[sys::napi_value; 2]> {
        let too_long = || napi::Error::new(Status::InvalidArg, "string too long".to_owned());
        let text_len = isize::try_from(self.text.len()).map_err(|_| too_long())?;
        let wide_len = isize::try_from(self.wide.len()).map_err(|_| too_long())?;
        let (mut text, mut wide) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: the caller's env; `text` holds `text_len` ASCII bytes (valid Latin-1) and
        // `wide` `wide_len` code units; the last arguments are out pointers.
        unsafe {
            check(
                sys::napi_create_string_latin1(env, self.text.as_ptr().cast(), text_len, &mut text),
                "napi_create_string_latin1",
            )?;
            check(
                sys::napi_create_string_utf16(env, self.wide.as_ptr(), wide_len, &mut wide),
                "napi_create_string_utf16",
            )?;
        }
        Ok([text, wide])
    }
}

/// `s` as a JS string.
///
/// # Safety
///
/// `env` is the live env of a callback running on the JS thread.
unsafe fn string(env: sys::napi_env, s: &str) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    let len = isize::try_from(s.len())
        .map_err(|_| napi::Error::new(Status::InvalidArg, "string too long".to_owned()))?;
    // SAFETY: the caller's env; `s` is `len` bytes of UTF-8; `v` is an out pointer.
    check(
        unsafe { sys::napi_create_string_utf8(env, s.as_ptr().cast(), len, &mut v) },
        "napi_create_string_utf8",
    )?;
    Ok(v)
}

/// `nums` as a JS `Float64Array` (a copy).
///
/// # Safety
///
/// `env` is the live env of a callback running on the JS thread.
unsafe fn float64_array(env: sys::napi_env, nums: &[f64]) -> napi::Result<sys::napi_value> {
    let bytes = std::mem::size_of_val(nums);
    let mut data = ptr::null_mut();
    let mut buffer = ptr::null_mut();
    // SAFETY: the caller's env; out pointers.
    check(
        unsafe { sys::napi_create_arraybuffer(env, bytes, &mut data, &mut buffer) },
        "napi_create_arraybuffer",
    )?;
    if bytes > 0 && !data.is_null() {
        // SAFETY: `data` is the new buffer's `bytes` bytes, not shared with anything yet;
        // copied byte by byte, so its alignment does not matter.
        unsafe { ptr::copy_nonoverlapping(nums.as_ptr().cast::<u8>(), data.cast::<u8>(), bytes) };
    }
    let mut array = ptr::null_mut();
    // SAFETY: the caller's env; `buffer` holds `nums.len()` doubles from offset 0.
    check(
        unsafe {
            sys::napi_create_typedarray(
                env,
                sys::TypedarrayType::float64_array,
                nums.len(),
                buffer,
                0,
                &mut array,
            )
        },
        "napi_create_typedarray",
    )?;
    Ok(array)
}

/// The page's cursor, total and `iterator` as `PAGE`'s and `ID_PAGE`'s last arguments.
///
/// # Safety
///
/// `env` is the live env of a callback running on the JS thread, `iterator` a value of it.
unsafe fn page_tail(
    env: sys::napi_env,
    total: u32,
    next_cursor: Option<&str>,
    iterator: Option<sys::napi_value>,
) -> napi::Result<[sys::napi_value; 3]> {
    let mut undefined = ptr::null_mut();
    // SAFETY: the caller's env; an out pointer.
    check(
        unsafe { sys::napi_get_undefined(env, &mut undefined) },
        "napi_get_undefined",
    )?;
    let mut total_js = ptr::null_mut();
    // SAFETY: the caller's env; an out pointer.
    check(
        unsafe { sys::napi_create_uint32(env, total, &mut total_js) },
        "napi_create_uint32",
    )?;
    let cursor = match next_cursor {
        // SAFETY: the caller's env.
        Some(c) => unsafe { string(env, c) }?,
        None => undefined,
    };
    Ok([total_js, cursor, iterator.unwrap_or(undefined)])
}

/// Calls `f` with `args` (`this` undefined).
///
/// # Safety
///
/// `env` is the live env of a callback running on the JS thread; `f` and `args` values of it.
unsafe fn call(
    env: sys::napi_env,
    f: sys::napi_value,
    args: &[sys::napi_value],
    what: &str,
) -> napi::Result<sys::napi_value> {
    let mut undefined = ptr::null_mut();
    // SAFETY: the caller's env; an out pointer.
    check(
        unsafe { sys::napi_get_undefined(env, &mut undefined) },
        "napi_get_undefined",
    )?;
    let mut out = ptr::null_mut();
    // SAFETY: the caller's env; `f` a function of it; `args` values of it.
    check(
        unsafe { sys::napi_call_function(env, undefined, f, args.len(), args.as_ptr(), &mut out) },
        what,
    )?;
    Ok(out)
}

/// A search page as JS gets it, built by `PAGE` in one call (see there), with `iterator` as its
/// `[Symbol.iterator]`; `None` when this environment has no `PAGE` (the caller then builds it
/// value by value).
///
/// # Safety
///
/// `env` is the live env of a callback running on the JS thread, `iterator` a value of it.
pub(crate) unsafe fn page(
    env: sys::napi_env,
    page: &partnerdesk::search::Page,
    iterator: Option<sys::napi_value>,
) -> napi::Result<Option<sys::napi_value>> {
    let Some(f) = function(&Env::from(env), |f| &f.page) else {
        return Ok(None);
    };
    let count = u32::try_from(page.rows.len())
        .map_err(|_| napi::Error::new(Status::InvalidArg, "too many rows".to_owned()))?;
    let total = partnerdesk_host::records::count32(page.total);
    // SAFETY: the caller's env (every value below is made in it); `f` is `PAGE`'s function.
    unsafe {
        let ([text, wide], nums) = Packed::with(page.rows.len(), |packed| {
            for row in &page.rows {
                pack_row(packed, row);
            }
            Ok::<_, napi::Error>((packed.strings(env)?, float64_array(env, &packed.nums)?))
        })?;
        let mut count_js = ptr::null_mut();
        check(
            sys::napi_create_uint32(env, count, &mut count_js),
            "napi_create_uint32",
        )?;
        let [total, cursor, iterator] =
            page_tail(env, total, page.next_cursor.as_deref(), iterator)?;
        call(
            env,
            f,
            &[text, wide, nums, count_js, total, cursor, iterator],
            "the page function",
        )
        .map(Some)
    }
}

/// An id page as JS gets it, built by `ID_PAGE` in one call, with `iterator` as its
/// `[Symbol.iterator]`; `None` when this environment has no `ID_PAGE`.
///
/// # Safety
///
/// `env` is the live env of a callback running on the JS thread, `iterator` a value of it.
pub(crate) unsafe fn id_page(
    env: sys::napi_env,
    page: &partnerdesk::search::IdPage,
    iterator: Option<sys::napi_value>,
) -> napi::Result<Option<sys::napi_value>> {
    let Some(f) = function(&Env::from(env), |f| &f.id_page) else {
        return Ok(None);
    };
    // SAFETY: the caller's env (every value below is made in it); `f` is `ID_PAGE`'s function.
    unsafe {
        let ([text, wide], lens) = Packed::with(0, |packed| {
            for id in &page.ids {
                packed.text(id.as_str());
            }
            Ok::<_, napi::Error>((packed.strings(env)?, float64_array(env, &packed.nums)?))
        })?;
        let [total, cursor, iterator] = page_tail(
            env,
            partnerdesk_host::records::count32(page.total),
            page.next_cursor.as_deref(),
            iterator,
        )?;
        call(
            env,
            f,
            &[text, wide, lens, total, cursor, iterator],
            "the id page function",
        )
        .map(Some)
    }
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
