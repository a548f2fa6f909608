//! A customer's cold lists (resources, orders, spend records) packed in one block of bytes.
//!
//! Why: a customer of the demo portfolio holds about two resources, one or two orders and
//! four spend records. As vectors of structs they took about a kilobyte a customer at a
//! million customers (a 168-byte resource, a 128-byte order, a 64-byte spend record, each id
//! and name a heap block of its own, and three vectors with their slack): a third of the
//! desk's memory for data that search never reads (its indexes keep what it needs) and that
//! only detail pages, analyses and exports go through. Packed, the same lists take about a
//! fifth of that, in at most one heap block each (`benches/README.md`, memory).
//!
//! How: a [`Packed<T>`] is a boxed byte slice, a count and then each record in a compact,
//! exact form (variable-length integers, texts with their length, an enumeration's known
//! values as one byte and an unknown one as its text, a decimal's 96-bit magnitude, scale and
//! sign bit for bit). Reading decodes records one by one into owned values ([`Packed::iter`]);
//! a change decodes, changes and packs again ([`Packed::edit`]), which costs little on lists of
//! a few records. Only this module writes the bytes, so they always decode; a `Packed` still
//! compares, prints, clones and serialises as the list of its records (snapshots, events),
//! except in a checkpoint's chunks, which hold the block itself ([`crate::checkpoint`]): a
//! block read from there is walked and accepted only if it is exactly what packing valid
//! records writes (`packed/check.rs`). Why a form of our own and not a serde format:
//! `docs/adr/0008-packed-lists.md`, with the side-by-side figures.

use crate::model::money::{Currency, Money};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use std::fmt;
use std::marker::PhantomData;

/// A value that packs into bytes and unpacks exactly as it was: the records a customer holds
/// ([`crate::Resource`], [`crate::Order`], [`crate::SpendRecord`]). A [`Reader`] has no
/// public methods, so only this crate's records can be read back.
pub trait Pack: Sized {
    /// Appends the value's packed form.
    fn pack(&self, out: &mut Vec<u8>);
    /// Reads one value back; `None` only on bytes this module did not write.
    fn unpack(r: &mut Reader<'_>) -> Option<Self>;
    /// Steps over one value without making it (what [`Packed::get`] does to the records
    /// before the one it reads).
    fn skip(r: &mut Reader<'_>) -> Option<()> {
        Self::unpack(r).map(drop)
    }
    /// Steps over one value read from outside (a checkpoint's bytes), or `None` if it is not
    /// exactly what packing a valid value writes (each field checked in place, see
    /// `packed/check.rs`).
    fn check(r: &mut Reader<'_>) -> Option<()>;
}

/// Reads packed values from bytes (see [`Pack`]); its methods are the crate's own.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    #[inline]
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(b)
    }

    #[inline]
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    #[inline]
    fn u128(&mut self) -> Option<u128> {
        self.varint(128)
    }

    #[inline]
    fn u64(&mut self) -> Option<u64> {
        u64::try_from(self.varint(64)?).ok()
    }

    /// A variable-length integer of at most `bits` bits. Most are one byte (lengths, counts,
    /// codes, an amount's magnitude), read at once without the loop.
    #[inline]
    fn varint(&mut self, bits: u32) -> Option<u128> {
        let (&first, rest) = self.bytes.split_first()?;
        if first < 0x80 {
            self.bytes = rest;
            return Some(u128::from(first));
        }
        // Up to 63 bits (days, instants, most amounts) in 64-bit arithmetic, the rest wide.
        let mut value = 0u64;
        for shift in (0..63).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(u128::from(value));
            }
        }
        let mut wide = u128::from(value);
        for shift in (63..bits).step_by(7) {
            let b = self.byte()?;
            wide |= u128::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(wide);
            }
        }
        None
    }

    #[inline]
    fn i64(&mut self) -> Option<i64> {
        let z = self.u64()?;
        Some(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.u64()?).ok()?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    /// A text's bytes, not checked as UTF-8 (the light readers compare them as they are).
    #[inline]
    fn text_bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u64()?).ok()?;
        self.take(n)
    }

    /// Steps over a variable-length integer without making it.
    #[inline]
    fn skip_varint(&mut self) -> Option<()> {
        let end = self.bytes.iter().position(|b| b & 0x80 == 0)?;
        self.take(end + 1).map(drop)
    }

    /// Steps over a text without checking it (the light readers).
    #[inline]
    fn skip_str(&mut self) -> Option<()> {
        let n = usize::try_from(self.u64()?).ok()?;
        self.take(n).map(|_| ())
    }
}

fn put_u128(out: &mut Vec<u8>, mut v: u128) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    put_u128(out, u128::from(v));
}

fn put_i64(out: &mut Vec<u8>, v: i64) {
    put_u64(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u64(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_instant(out: &mut Vec<u8>, t: &DateTime<Utc>) {
    put_i64(out, t.timestamp());
    put_u64(out, u64::from(t.timestamp_subsec_nanos()));
}

#[inline]
fn get_instant(r: &mut Reader<'_>) -> Option<DateTime<Utc>> {
    let secs = r.i64()?;
    let nanos = u32::try_from(r.u64()?).ok()?;
    DateTime::from_timestamp(secs, nanos)
}

#[inline]
fn skip_instant(r: &mut Reader<'_>) -> Option<()> {
    r.skip_varint()?;
    r.skip_varint()
}

fn skip_opt_instant(r: &mut Reader<'_>) -> Option<()> {
    match r.byte()? {
        0 => Some(()),
        1 => skip_instant(r),
        _ => None,
    }
}

fn put_opt_instant(out: &mut Vec<u8>, t: &Option<DateTime<Utc>>) {
    match t {
        None => out.push(0),
        Some(t) => {
            out.push(1);
            put_instant(out, t);
        }
    }
}

fn get_opt_instant(r: &mut Reader<'_>) -> Option<Option<DateTime<Utc>>> {
    match r.byte()? {
        0 => Some(None),
        1 => get_instant(r).map(Some),
        _ => None,
    }
}

/// A decimal bit for bit: its scale and sign in one byte, then its 96-bit magnitude.
fn put_money(out: &mut Vec<u8>, m: &Money) {
    let raw = m.amount.serialize();
    let flags = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
    let scale = ((flags >> 16) & 0xff) as u8;
    let negative = flags >> 31 == 1;
    out.push(scale | if negative { 0x80 } else { 0 });
    let mut magnitude = [0u8; 16];
    magnitude[..12].copy_from_slice(&raw[4..16]);
    put_u128(out, u128::from_le_bytes(magnitude));
    out.extend_from_slice(m.currency.as_str().as_bytes());
}

#[inline]
fn get_money(r: &mut Reader<'_>) -> Option<Money> {
    let head = r.byte()?;
    let scale = head & 0x7f;
    if u32::from(scale) > Decimal::MAX_SCALE {
        return None;
    }
    let magnitude = r.u128()?;
    if magnitude >> 96 != 0 {
        return None;
    }
    let flags = (u32::from(scale) << 16) | (u32::from(head >> 7) << 31);
    let mut raw = [0u8; 16];
    raw[..4].copy_from_slice(&flags.to_le_bytes());
    raw[4..].copy_from_slice(&magnitude.to_le_bytes()[..12]);
    let code = r.take(3)?;
    let currency = Currency::from_code([code[0], code[1], code[2]])?;
    Some(Money::new(Decimal::deserialize(raw), currency))
}

#[inline]
fn skip_money(r: &mut Reader<'_>) -> Option<()> {
    r.byte()?;
    r.skip_varint()?;
    r.take(3).map(drop)
}

fn put_day(out: &mut Vec<u8>, d: &NaiveDate) {
    put_i64(out, i64::from(d.num_days_from_ce()));
}

fn get_day(r: &mut Reader<'_>) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(get_day_number(r)?)
}

/// A day as its number from the common era (what sums compare, without making the date).
#[inline]
fn get_day_number(r: &mut Reader<'_>) -> Option<i32> {
    i32::try_from(r.i64()?).ok()
}

/// An open enumeration (see `open_enum`): its known values and its `Other` text.
pub trait OpenCode: Sized + Clone + PartialEq + 'static {
    /// Every known value, in declaration order.
    fn known() -> &'static [Self];
    /// The value's text.
    fn text(&self) -> &str;
    /// The text of a value this version does not know.
    fn other_text(&self) -> Option<&str>;
    /// A value this version does not know, from its text.
    fn from_other(text: String) -> Self;
}

/// A known value as its position plus one (one byte), an unknown one as 0 and its text.
fn put_code<E: OpenCode>(out: &mut Vec<u8>, e: &E) {
    match e.other_text() {
        Some(text) => {
            out.push(0);
            put_str(out, text);
        }
        None => {
            let at = E::known().iter().position(|k| k == e).unwrap_or(0);
            out.push(u8::try_from(at + 1).unwrap_or(u8::MAX));
        }
    }
}

fn get_code<E: OpenCode>(r: &mut Reader<'_>) -> Option<E> {
    match r.byte()? {
        0 => Some(E::from_other(r.str()?.to_owned())),
        n => E::known().get(usize::from(n) - 1).cloned(),
    }
}

#[inline]
fn skip_code(r: &mut Reader<'_>) -> Option<()> {
    match r.byte()? {
        0 => r.skip_str(),
        _ => Some(()),
    }
}

/// A list of records packed in one block of bytes (see the module).
///
/// ```
/// use partnerdesk::packed::Packed;
/// use partnerdesk::{ChargingMode, Currency, Money, SpendRecord};
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
/// let day = NaiveDate::from_ymd_opt(2026, 11, 3).ok_or(partnerdesk::Error::InvalidCursor)?;
/// let record = SpendRecord {
///     day,
///     product: "ecs".into(),
///     amount: Money::new(Decimal::new(1250, 2), Currency::CNY),
///     mode: ChargingMode::PayPerUse,
/// };
/// let mut spend = Packed::new();
/// spend.push(record.clone());
/// assert_eq!(spend.len(), 1);
/// assert_eq!(spend.iter().next(), Some(record));
/// # Ok::<(), partnerdesk::Error>(())
/// ```
pub struct Packed<T> {
    bytes: Box<[u8]>,
    marker: PhantomData<fn() -> T>,
}

impl<T> Packed<T> {
    /// The first byte of the block (its count of records), or zero for an empty list: read to
    /// bring the block into the cache ahead of its use (see [`crate::Desk`]'s rows).
    pub(crate) fn first_byte(&self) -> u8 {
        self.bytes.first().copied().unwrap_or(0)
    }

    /// An empty list (no heap block).
    pub fn new() -> Self {
        Packed {
            bytes: Box::default(),
            marker: PhantomData,
        }
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.split().0
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Removes every record (and the heap block).
    pub fn clear(&mut self) {
        self.bytes = Box::default();
    }

    /// The bytes of the packed form (the heap block), for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.len()
    }

    /// Reads the packed block's first and last bytes (brings it into cache ahead of a read).
    pub(crate) fn touch(&self) -> usize {
        let first = self.bytes.first().map_or(0, |b| usize::from(*b));
        first ^ self.bytes.last().map_or(0, |b| usize::from(*b))
    }

    /// The records, each read by `read` (a reader of part of a record must step over the
    /// rest of it).
    fn read_with<'a, U: 'a>(
        &'a self,
        read: fn(&mut Reader<'a>) -> Option<U>,
    ) -> impl Iterator<Item = U> + 'a {
        let (mut left, mut reader) = self.split();
        std::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            left -= 1;
            let out = read(&mut reader);
            if out.is_none() {
                left = 0;
            }
            out
        })
    }

    /// The count and the records' bytes.
    fn split(&self) -> (usize, Reader<'_>) {
        let mut r = Reader::new(&self.bytes);
        let n = r.u64().and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
        (n, r)
    }
}

impl<T: Pack> Packed<T> {
    /// The records in order, each decoded as it is reached.
    pub fn iter(&self) -> Iter<'_, T> {
        let (left, reader) = self.split();
        Iter {
            reader,
            left,
            marker: PhantomData,
        }
    }

    /// The records as a vector.
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().collect()
    }

    /// The first record, if there is one.
    pub fn first(&self) -> Option<T> {
        self.iter().next()
    }

    /// The last record, if there is one.
    pub fn last(&self) -> Option<T> {
        self.iter().last()
    }

    /// The record at `index`, if there is one (the records before it are stepped over, not
    /// made).
    pub fn get(&self, index: usize) -> Option<T> {
        let (n, mut reader) = self.split();
        if index >= n {
            return None;
        }
        for _ in 0..index {
            T::skip(&mut reader)?;
        }
        T::unpack(&mut reader)
    }

    /// Appends a record.
    pub fn push(&mut self, record: T) {
        let (n, rest) = self.split();
        let mut out = Vec::with_capacity(rest.bytes.len() + 64);
        put_u64(&mut out, n as u64 + 1);
        out.extend_from_slice(rest.bytes);
        record.pack(&mut out);
        self.bytes = out.into_boxed_slice();
    }

    /// Changes the records as a vector, then packs them again; returns what `change` returns.
    pub fn edit<R>(&mut self, change: impl FnOnce(&mut Vec<T>) -> R) -> R {
        let mut records = self.to_vec();
        let out = change(&mut records);
        *self = Packed::from_records(&records);
        out
    }

    /// Packs records.
    pub fn from_records(records: &[T]) -> Self {
        let mut builder = Builder::new();
        for r in records {
            builder.add(r);
        }
        builder.finish()
    }
}

/// Packs records one by one (a deserialiser's or a decoder's list) without a vector of them.
struct Builder<T> {
    body: Vec<u8>,
    count: u64,
    marker: PhantomData<fn() -> T>,
}

impl<T: Pack> Builder<T> {
    fn new() -> Self {
        Builder {
            body: Vec::new(),
            count: 0,
            marker: PhantomData,
        }
    }

    fn add(&mut self, record: &T) {
        record.pack(&mut self.body);
        self.count += 1;
    }

    fn finish(self) -> Packed<T> {
        if self.count == 0 {
            return Packed::new();
        }
        let mut out = Vec::with_capacity(self.body.len() + 10);
        put_u64(&mut out, self.count);
        out.extend_from_slice(&self.body);
        Packed {
            bytes: out.into_boxed_slice(),
            marker: PhantomData,
        }
    }
}

/// The records of a [`Packed`] list, decoded one by one.
pub struct Iter<'a, T> {
    reader: Reader<'a>,
    left: usize,
    marker: PhantomData<fn() -> T>,
}

impl<T: Pack> Iterator for Iter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let record = T::unpack(&mut self.reader);
        if record.is_none() {
            self.left = 0;
        }
        record
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

impl<'a, T: Pack> IntoIterator for &'a Packed<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T: Pack> From<Vec<T>> for Packed<T> {
    fn from(records: Vec<T>) -> Self {
        Packed::from_records(&records)
    }
}

impl<T: Pack> FromIterator<T> for Packed<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut builder = Builder::new();
        for r in iter {
            builder.add(&r);
        }
        builder.finish()
    }
}

impl<T> Default for Packed<T> {
    fn default() -> Self {
        Packed::new()
    }
}

impl<T> Clone for Packed<T> {
    fn clone(&self) -> Self {
        Packed {
            bytes: self.bytes.clone(),
            marker: PhantomData,
        }
    }
}

/// Equal when the records are equal one by one (equal bytes are a shortcut: a decimal's
/// `1.0` and `1.00` pack apart and still compare equal, as in a vector).
impl<T: Pack + PartialEq> PartialEq for Packed<T> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes || (self.len() == other.len() && self.iter().eq(other.iter()))
    }
}

impl<T: Pack + Eq> Eq for Packed<T> {}

impl<T: Pack + fmt::Debug> fmt::Debug for Packed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(feature = "serde")]
impl<T: Pack + serde::Serialize> serde::Serialize for Packed<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        if in_block_form() {
            return s.serialize_bytes(&self.bytes);
        }
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for r in self.iter() {
            seq.serialize_element(&r)?;
        }
        seq.end()
    }
}

#[cfg(feature = "serde")]
impl<'de, T: Pack + serde::Deserialize<'de>> serde::Deserialize<'de> for Packed<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Records<T>(PhantomData<fn() -> T>);
        impl<'de, T: Pack + serde::Deserialize<'de>> serde::de::Visitor<'de> for Records<T> {
            type Value = Packed<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of records")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Packed<T>, A::Error> {
                let mut builder = Builder::new();
                while let Some(r) = seq.next_element::<T>()? {
                    builder.add(&r);
                }
                Ok(builder.finish())
            }
        }
        /// The list in its packed form (see [`block_form`]).
        struct Block<T>(PhantomData<fn() -> T>);
        impl<T: Pack> serde::de::Visitor<'_> for Block<T> {
            type Value = Packed<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a packed list of records")
            }

            fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Packed<T>, E> {
                Packed::from_checked_bytes(bytes)
                    .ok_or_else(|| E::custom("a packed list of records that does not check"))
            }
        }
        if in_block_form() {
            d.deserialize_bytes(Block(PhantomData))
        } else {
            d.deserialize_seq(Records(PhantomData))
        }
    }
}

#[cfg(feature = "serde")]
std::thread_local! {
    /// Whether this thread serialises lists in their packed form (see [`block_form`]).
    static BLOCK_FORM: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(feature = "serde")]
fn in_block_form() -> bool {
    BLOCK_FORM.with(std::cell::Cell::get)
}

#[cfg(feature = "serde")]
/// Runs `f` with every [`Packed`] list it serialises or deserialises on this thread in its
/// packed form: one byte string, the block itself, checked whole when read
/// ([`Pack::check`]) instead of a list of records.
///
/// Why: a checkpoint's chunks hold the desk's own working form, and reading a list as its
/// block is a copy and one walk over its bytes, where reading it as records makes every
/// record, its texts and its amounts, only to pack them again (`crate::checkpoint`, version
/// 3). Every other form (JSON snapshots, events, the checkpoint's head) keeps the records, so
/// this is scoped to the chunks' writer and reader, and set back when `f` returns or unwinds.
pub(crate) fn block_form<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            BLOCK_FORM.with(|b| b.set(self.0));
        }
    }
    let _restore = Restore(BLOCK_FORM.with(|b| b.replace(true)));
    f()
}

mod check;
mod records;
pub(crate) use records::{OrderFacts, ResourceFacts};
#[cfg(test)]
mod tests;
