//! Masked rows to JS objects, fast: the rows of search pages, `collectRows` and `searchAll`.
//!
//! Why not napi-rs's own conversion of the record: it sets each of a row's ~20 properties with
//! its own `napi_set_named_property` (a key string made and looked up per property, a generic
//! store per property), which costs about 16 µs a row. Here the texts and numbers of many rows
//! are packed into two strings and one `Float64Array` on the Rust side, and one JS function,
//! compiled once per environment, builds the rows from them, so V8 creates each object with
//! property stores it has compiled: one napi call for a page, a slice of `collectRows` or a
//! row of `searchAll`, instead of one per value. The object is the same: the same keys in the
//! same order, optional fields absent (not `undefined`) when the record has none, `Date`s,
//! money as `{ amount, currency }` with a decimal string (`__test__/rows.test.mjs` and
//! `__test__/async.test.mjs` compare them with napi-rs's conversion of the shared record, row
//! for row).
//!
//! Unsafe code: the values are made with napi's C functions on the JS thread, with the `env`
//! napi handed to the conversion.

#![allow(unsafe_code)]

use crate::handover::check;
use napi::bindgen_prelude::{Env, JsObjectValue, JsValue, Object, ObjectRef, Unknown};
use napi::{Status, sys};
use std::cell::RefCell;
use std::ptr;

/// The body shared by the row functions of [`ROW_FUNCTIONS`]: reads `count` rows from `text`,
/// `wide` and `nums` and puts them into `rows` from index `k` on. Written into each function
/// rather than called, so that V8 compiles each whole (a page built through a call of a shared
/// function took about 3 µs more for 20 rows).
macro_rules! rows_loop {
    () => {
        r"    let at = 0
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
      rows[k++] = row
    }
"
    };
}

/// The row functions of an environment, compiled from one script: `[page, rowsInto, step]`.
///
/// - `rowsInto(text, wide, nums, count, rows, start)` puts `count` rows into the array `rows`
///   from index `start` on and returns it: the ASCII texts of the rows come in one one-byte
///   string, `text`, the others in a second, `wide`, cut by the lengths in the `Float64Array`
///   `nums` (a length `len >= 0` in `text`; `-2 - len` code units in `wide`), which also holds
///   the numbers, `Date` times (`NaN` when absent) and flags, in the order [`pack_row`] writes
///   them; an absent optional text has the length -1. A row has the keys of the shared
///   record in its order, optional fields absent, `budget` as `{ kind, amount, used, percent,
///   autoFreeze }`.
/// - `page(text, wide, nums, count, total, nextCursor, iterator)` builds a search page, `{
///   rows, total, nextCursor? }` with `[Symbol.iterator]` (not enumerable), its rows by
///   `rowsInto`.
/// - `step(text, wide, nums)` builds an async iteration's step of the one row packed, `{ done:
///   false, value }` (the object made here too, rather than by two more napi calls).
///
/// Why: one napi call per page (or slice) instead of one string, number or call per value
/// (about 25 a row), which cost about 7 µs a row.
const ROW_FUNCTIONS: &str = concat!(
    r"(function () {
  'use strict'
  const define = Object.defineProperty
  const iteratorKey = Symbol.iterator
  function rowsInto(text, wide, nums, count, rows, start) {
    let k = start
",
    rows_loop!(),
    r"    return rows
  }
  function page(text, wide, nums, count, total, nextCursor, iterator) {
    const rows = []
    let k = 0
",
    rows_loop!(),
    r"    const page = { rows, total }
    if (nextCursor !== undefined) page.nextCursor = nextCursor
    if (iterator !== undefined) define(page, iteratorKey, { value: iterator, writable: true, configurable: true })
    return page
  }
  function step(text, wide, nums) {
    return { done: false, value: rowsInto(text, wide, nums, 1, [], 0)[0] }
  }
  return [page, rowsInto, step]
})()"
);

/// Builds an id page, `{ ids, total, nextCursor? }` with `[Symbol.iterator]` (not enumerable),
/// its ids cut from the two strings by their lengths (as the rows of `ROW_FUNCTIONS`).
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
    page: ObjectRef<false>,
    rows_into: ObjectRef<false>,
    step: ObjectRef<false>,
    id_page: ObjectRef<false>,
}

thread_local! {
    static FUNCTIONS: RefCell<Option<Functions>> = const { RefCell::new(None) };
}

/// Compiles this JS environment's row and page functions (called once, from the module's init).
pub(crate) fn install(env: &Env) -> napi::Result<()> {
    let compile = |source: &str| -> napi::Result<Object<'_>> {
        let f: Unknown<'_> = env.run_script(source)?;
        Ok(Object::from_raw(env.raw(), f.raw()))
    };
    let rows = compile(ROW_FUNCTIONS)?;
    let nth = |i: u32| -> napi::Result<ObjectRef<false>> {
        rows.get_element::<Object<'_>>(i)?.create_ref::<false>()
    };
    let functions = Functions {
        page: nth(0)?,
        rows_into: nth(1)?,
        step: nth(2)?,
        id_page: compile(ID_PAGE)?.create_ref::<false>()?,
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

/// The texts and numbers of rows, as `ROW_FUNCTIONS`' `rowsInto` reads them.
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

/// Writes one row into `p`, in the order `rowsInto` reads it: the core's row, read as the shared
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

/// The `Float64Array` this JS thread hands to the row functions, kept from one call to the
/// next (they read it and keep nothing of it), with its data and its length in doubles.
struct SharedNums {
    array: ObjectRef<false>,
    data: *mut f64,
    len: usize,
}

thread_local! {
    static SHARED_NUMS: RefCell<Option<SharedNums>> = const { RefCell::new(None) };
}

/// The fewest doubles the kept array holds (a row takes about 35).
const SHARED_NUMS_MIN: usize = 1 << 12;

/// `nums` copied into this thread's kept `Float64Array` (made, or made larger, when it is too
/// short), which is returned: a row of `searchAll` then makes no `ArrayBuffer` of its own (an
/// `ArrayBuffer` is a native block, a handle and a sweep for V8: more than the row's values).
/// Only for the row functions, which are told how many rows to read.
///
/// # Safety
///
/// `env` is the live env of a callback running on the JS thread.
unsafe fn shared_nums(env: sys::napi_env, nums: &[f64]) -> napi::Result<sys::napi_value> {
    let js = Env::from(env);
    SHARED_NUMS.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.as_ref().is_none_or(|s| s.len < nums.len()) {
            let len = nums.len().max(SHARED_NUMS_MIN).next_power_of_two();
            let fresh = vec![0.0; len];
            // SAFETY: the caller's env.
            let array = unsafe { float64_array(env, &fresh) }?;
            let mut data = ptr::null_mut();
            let mut length = 0;
            // SAFETY: the caller's env; `array` is a typed array of it; out pointers (the
            // others are not asked for).
            check(
                unsafe {
                    sys::napi_get_typedarray_info(
                        env,
                        array,
                        ptr::null_mut(),
                        &mut length,
                        &mut data,
                        ptr::null_mut(),
                        ptr::null_mut(),
                    )
                },
                "napi_get_typedarray_info",
            )?;
            if data.is_null() || length < nums.len() {
                return Err(napi::Error::new(
                    Status::GenericFailure,
                    "no room for the row numbers".to_owned(),
                ));
            }
            if let Some(old) = slot.take() {
                old.array.unref(&js)?;
            }
            *slot = Some(SharedNums {
                array: Object::from_raw(env, array).create_ref::<false>()?,
                data: data.cast(),
                len: length,
            });
        }
        let Some(shared) = slot.as_ref() else {
            return Err(napi::Error::new(
                Status::GenericFailure,
                "no row numbers".to_owned(),
            ));
        };
        // SAFETY: `data` is the kept array's `len >= nums.len()` doubles; the reference keeps
        // its buffer alive, nothing else holds it (the row functions read it during the call
        // only), and a buffer's data does not move.
        unsafe { ptr::copy_nonoverlapping(nums.as_ptr(), shared.data, nums.len()) };
        Ok(shared.array.get_value(&js)?.raw())
    })
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

/// The page's cursor, total and `iterator` as the page functions' last arguments.
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

/// A search page as JS gets it, built by `ROW_FUNCTIONS`' `page` in one call (see there), with
/// `iterator` as its `[Symbol.iterator]`; `None` when this environment has none (the caller
/// then builds it value by value).
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
    // SAFETY: the caller's env (every value below is made in it); `f` is the page function.
    unsafe {
        let [text, wide, nums] = packed(env, page.rows.iter())?;
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

/// The packed rows as the two strings and the `Float64Array` the row functions read.
///
/// # Safety
///
/// `env` is the live env of a callback running on the JS thread.
unsafe fn packed<'r>(
    env: sys::napi_env,
    rows: impl ExactSizeIterator<Item = &'r partnerdesk::row::CustomerRow>,
) -> napi::Result<[sys::napi_value; 3]> {
    Packed::with(rows.len(), |packed| {
        for row in rows {
            pack_row(packed, row);
        }
        // SAFETY: the caller's env.
        let [text, wide] = unsafe { packed.strings(env) }?;
        // SAFETY: the caller's env.
        let nums = unsafe { shared_nums(env, &packed.nums) }?;
        Ok([text, wide, nums])
    })
}

/// Puts `rows` into the JS array `array` from index `start` on, in one call of `rowsInto` (an
/// error when this environment has no row functions: its module init compiles them).
///
/// # Safety
///
/// `env` is the live env of a callback running on the JS thread, `array` an array of it.
pub(crate) unsafe fn put_rows(
    env: sys::napi_env,
    array: sys::napi_value,
    start: u32,
    rows: &[partnerdesk::row::CustomerRow],
) -> napi::Result<()> {
    let Some(f) = function(&Env::from(env), |f| &f.rows_into) else {
        return Err(napi::Error::new(
            Status::GenericFailure,
            "no row functions".to_owned(),
        ));
    };
    let count = u32::try_from(rows.len())
        .map_err(|_| napi::Error::new(Status::InvalidArg, "too many rows".to_owned()))?;
    // SAFETY: the caller's env (every value below is made in it); `f` is `rowsInto`.
    unsafe {
        let [text, wide, nums] = packed(env, rows.iter())?;
        let mut count_js = ptr::null_mut();
        check(
            sys::napi_create_uint32(env, count, &mut count_js),
            "napi_create_uint32",
        )?;
        let mut start_js = ptr::null_mut();
        check(
            sys::napi_create_uint32(env, start, &mut start_js),
            "napi_create_uint32",
        )?;
        call(
            env,
            f,
            &[text, wide, nums, count_js, array, start_js],
            "the rows function",
        )?;
    }
    Ok(())
}

/// An async iteration's step of one row, `{ done: false, value }`: built by the row
/// functions, or with napi-rs's conversion of the shared record when this environment has
/// none.
///
/// # Safety
///
/// `env` is the live env of a callback running on the JS thread.
pub(crate) unsafe fn row_step(
    env: sys::napi_env,
    row: partnerdesk::row::CustomerRow,
) -> napi::Result<sys::napi_value> {
    let Some(f) = function(&Env::from(env), |f| &f.step) else {
        let record = partnerdesk_host::records::CustomerRow::from(row);
        let mut step = Object::new(&Env::from(env))?;
        step.set_named_property("done", false)?;
        step.set_named_property("value", record)?;
        return Ok(step.raw());
    };
    // SAFETY: the caller's env (every value below is made in it); `f` is `step`.
    unsafe {
        let args = packed(env, std::iter::once(&row))?;
        call(env, f, &args, "the step function")
    }
}
