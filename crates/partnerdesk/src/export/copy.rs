//! A compact, columnar copy of the exported fields, in id order, kept beside the desk's id order.
//!
//! Why: an export walks the customers in id order, and in id order each customer (a 704-byte
//! record at a random place of the slot vector, pointing to a dozen separate allocations) is a
//! string of cache misses; reading ahead overlaps them but still leaves about half of a CSV
//! row's time waiting for memory. This copy holds exactly what the default columns read, one
//! fixed record per customer in id order and the texts packed behind each other, so an export
//! streams it from start to end: memory is read sequentially and the hardware prefetcher does
//! the reading ahead.
//!
//! What it holds: the raw texts (id, account name, name, e-mail, the mobile number's country
//! code and number: **personal data, never masked here** and never shown by `Debug`; the export
//! masks them as it writes, with the request's policy), the association time, the month-to-date
//! spend of the indexed month and last month's spend, the upcoming expiries, and numbers into a
//! table of the texts that repeat (association type, freeze status, the tags as written, the
//! account manager's id). Masks, manager names and the currency are the export's business:
//! they depend on the request and are resolved once per export.
//!
//! Kept fresh lazily, like the id order: the desk marks slots added, removed and changed (a bit
//! each, and nothing at all while no copy exists), and the next export merges the marks: the
//! records of unchanged customers are copied over in order (sequential), changed and new ones
//! are read from their customer. A copy is for one indexed month; a desk rolled to another
//! month builds it again. It costs about 100 bytes plus the texts per customer.

use crate::calendar::YearMonth;
use crate::customer::Customer;
use crate::index::Index;
use crate::sorted::Bits;
use chrono::{DateTime, Utc};
use roaring::RoaringBitmap;
use rust_decimal::Decimal;
use std::fmt;

/// No entry in the table of repeated texts (a customer without an account manager).
pub(crate) const NONE: u32 = u32::MAX;

/// The texts of a record, in this order in the packed bytes.
const TEXTS: usize = 6;
/// Bytes of text a record is given room for up front (the demo's average is about 96).
const TEXT_ROOM: usize = 128;
/// Expiries a record is given room for up front (the demo's average is about 1.4).
const EXPIRY_ROOM: usize = 2;
/// Indexes into [`Row::lens`].
pub(crate) const ID: usize = 0;
pub(crate) const ACCOUNT: usize = 1;
pub(crate) const NAME: usize = 2;
pub(crate) const EMAIL: usize = 3;
pub(crate) const COUNTRY_CODE: usize = 4;
pub(crate) const NUMBER: usize = 5;

/// One customer's exported fields.
#[derive(Clone)]
pub(crate) struct Row {
    /// The customer's slot.
    pub(crate) slot: u32,
    /// Where its texts start in [`ExportRows::text`].
    text: u32,
    /// The byte length of each text (`ID`, `ACCOUNT`, ...).
    lens: [u16; TEXTS],
    /// Whether it has a mobile number (bit 0) and an e-mail (bit 1).
    flags: u8,
    /// Upcoming expiries: how many, from `expiry` in [`ExportRows::expiries`].
    expiry_n: u16,
    expiry: u32,
    /// Association type, freeze status, tags and account manager id, as numbers into
    /// [`ExportRows::table`] (`NONE`: no manager).
    pub(crate) kind: u32,
    pub(crate) freeze: u32,
    pub(crate) tags: u32,
    pub(crate) manager: u32,
    /// When associated.
    pub(crate) since: DateTime<Utc>,
    /// Month-to-date spend of [`ExportRows::month`] (the index's column).
    pub(crate) mtd: Decimal,
    /// Spend of the month before [`ExportRows::month`].
    pub(crate) last_month: Decimal,
}

/// The compact copy (see the module docs).
#[derive(Clone)]
pub(crate) struct ExportRows {
    /// The indexed month the spend columns are for.
    pub(crate) month: YearMonth,
    /// One record per live customer, in id order (the same order as the id order's slots).
    pub(crate) rows: Vec<Row>,
    /// The packed texts.
    text: String,
    /// The packed upcoming expiries.
    expiries: Vec<DateTime<Utc>>,
    /// Texts that repeat, each once.
    pub(crate) table: Vec<String>,
    /// The number of each text of `table`.
    numbers: crate::ids::IdMap<String, u32>,
}

impl fmt::Debug for ExportRows {
    /// Counts only: the copy holds personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportRows")
            .field("month", &self.month)
            .field("rows", &self.rows.len())
            .field("text_bytes", &self.text.len())
            .field("table", &self.table.len())
            .finish()
    }
}

/// What changed since the last refresh, as the id order saw it.
pub(crate) struct Changes<'a> {
    /// Slots added (new customers, possibly in reused slots).
    pub(crate) added: &'a RoaringBitmap,
    /// Slots whose customer was removed.
    pub(crate) removed: &'a RoaringBitmap,
    /// One bit per slot whose customer changed in place.
    pub(crate) changed: &'a Bits,
}

/// Reads the fields of a customer that [`ExportRows::push_from`] reads (one load each, all
/// independent), so that memory fetches them before they are needed.
fn touch_fields(slots: &[Option<Customer>], slot: u32) -> usize {
    let Some(Some(c)) = slots.get(slot as usize) else {
        return 0;
    };
    c.id.as_str().len()
        ^ c.account_name.expose().len()
        ^ c.name.expose().len()
        ^ c.email.as_ref().map_or(0, |e| e.expose().len())
        ^ c.mobile.as_ref().map_or(0, |m| m.expose().number.len())
        ^ c.tags.len()
        ^ c.spend.len()
        ^ c.account_manager.as_ref().map_or(0, |o| o.as_str().len())
        ^ usize::from(c.freeze.freeze().is_some())
        ^ c.association.since.timestamp() as usize
}

/// Reads what a customer's fields point to (first bytes of its texts, its latest spend
/// records, its index entries), once [`touch_fields`] has brought the fields in.
fn touch_data(slots: &[Option<Customer>], index: &Index, slot: u32) -> usize {
    let Some(Some(c)) = slots.get(slot as usize) else {
        return 0;
    };
    let first = |s: &str| s.as_bytes().first().map_or(0, |b| usize::from(*b));
    let mut sum = first(c.id.as_str())
        ^ first(c.account_name.expose())
        ^ first(c.name.expose())
        ^ c.email.as_ref().map_or(0, |e| first(e.expose()))
        ^ c.account_manager.as_ref().map_or(0, |o| first(o.as_str()));
    if let Some(m) = &c.mobile {
        let m = m.expose();
        sum ^= first(&m.country_code) ^ first(&m.number);
    }
    for t in &c.tags {
        sum ^= first(t.as_str());
    }
    sum ^= c.spend.touch();
    sum ^= index
        .slot_expiries
        .get(slot as usize)
        .map_or(0, |e| e.len());
    sum ^ index.mtd(slot).scale() as usize
}

impl ExportRows {
    /// Estimated heap bytes of the copy (see [`crate::memory`]).
    pub(crate) fn heap_bytes(&self) -> usize {
        use crate::model::heap::{map_bytes, vec_bytes};
        vec_bytes(&self.rows)
            + self.text.capacity()
            + vec_bytes(&self.expiries)
            + vec_bytes(&self.table)
            + self.table.iter().map(String::capacity).sum::<usize>()
            + map_bytes(&self.numbers)
            + self.numbers.keys().map(String::capacity).sum::<usize>()
    }

    /// A copy of the customers in `order` (live slots by id), or `None` when a text is too
    /// long for the packed form (the export then reads the customers).
    pub(crate) fn build(
        order: &[u32],
        slots: &[Option<Customer>],
        index: &Index,
    ) -> Option<ExportRows> {
        let mut out = ExportRows::empty(index.month, order.len());
        let mut scratch = String::new();
        // In id order the customers lie at random places: read each one's fields `AHEAD` rows
        // before it is copied and what they point to half as far ahead, so that the cache
        // misses of many rows overlap instead of waiting one after another.
        const AHEAD: usize = 16;
        let mut sum = 0usize;
        let ahead = crate::ab::read_ahead();
        for (i, &slot) in order.iter().enumerate() {
            if !ahead {
                out.push_from(slot, slots, index, &mut scratch)?;
                continue;
            }
            if let Some(&s) = order.get(i + AHEAD) {
                sum = sum.wrapping_add(touch_fields(slots, s));
            }
            if let Some(&s) = order.get(i + AHEAD / 2) {
                sum = sum.wrapping_add(touch_data(slots, index, s));
            }
            out.push_from(slot, slots, index, &mut scratch)?;
        }
        std::hint::black_box(sum);
        out.shrink();
        Some(out)
    }

    /// Gives back the room the packed texts and expiries grew into and do not use: they grow
    /// by doubling as records are appended, up to half of them unused (about 45 bytes a
    /// customer at 1M, held from the allocator though never written, so not resident). A
    /// buffer this large is its own mapping, so the shrink moves no bytes.
    fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.expiries.shrink_to_fit();
    }

    fn empty(month: YearMonth, n: usize) -> ExportRows {
        ExportRows {
            month,
            rows: Vec::with_capacity(n),
            // Room for typical texts and expiries up front (`shrink` gives back what is not
            // used; room never written is not resident). Grown from nothing, a buffer moves
            // each time it doubles, and below the allocator's mapping threshold (which rises
            // to 32 MiB after a bulk load frees its large buffers) each move leaves its old
            // block behind in the heap, resident (9 bytes a customer at 1M, measured).
            text: String::with_capacity(n.saturating_mul(TEXT_ROOM)),
            expiries: Vec::with_capacity(n.saturating_mul(EXPIRY_ROOM)),
            table: Vec::new(),
            numbers: crate::ids::IdMap::default(),
        }
    }

    /// The copy after `changes`, for the new `order` (`self` is left as it was): records of
    /// unchanged customers are copied from `self` in order, the others read from their customers. `None` as for
    /// [`ExportRows::build`].
    pub(crate) fn merge(
        &self,
        order: &[u32],
        changes: &Changes<'_>,
        slots: &[Option<Customer>],
        index: &Index,
    ) -> Option<ExportRows> {
        if self.month != index.month {
            return ExportRows::build(order, slots, index);
        }
        let mut out = ExportRows {
            rows: Vec::with_capacity(order.len()),
            text: String::with_capacity(self.text.len()),
            expiries: Vec::with_capacity(self.expiries.len()),
            ..ExportRows::empty(self.month, 0)
        };
        // The table only grows: numbers stay valid.
        out.table = self.table.clone();
        out.numbers = self.numbers.clone();
        let mut scratch = String::new();
        let (any_added, any_removed) = (!changes.added.is_empty(), !changes.removed.is_empty());
        let mut old = self.rows.iter().peekable();
        for &slot in order {
            if any_added && changes.added.contains(slot) {
                out.push_from(slot, slots, index, &mut scratch)?;
                continue;
            }
            while any_removed && old.peek().is_some_and(|r| changes.removed.contains(r.slot)) {
                old.next();
            }
            match old.next() {
                Some(r) if r.slot == slot => {
                    if changes.changed.contains(slot) {
                        out.push_from(slot, slots, index, &mut scratch)?;
                    } else {
                        out.copy_row(r, &self.text, &self.expiries)?;
                    }
                }
                // Not the order the marks describe: read everything again.
                _ => return ExportRows::build(order, slots, index),
            }
        }
        out.shrink();
        Some(out)
    }

    /// The number of a repeated text (added to the table when new).
    fn number(&mut self, text: &str) -> u32 {
        if let Some(n) = self.numbers.get(text) {
            return *n;
        }
        let n = self.table.len() as u32;
        self.table.push(text.to_owned());
        self.numbers.insert(text.to_owned(), n);
        n
    }

    /// Appends a record read from the customer in `slot`.
    fn push_from(
        &mut self,
        slot: u32,
        slots: &[Option<Customer>],
        index: &Index,
        scratch: &mut String,
    ) -> Option<()> {
        let c = slots.get(slot as usize)?.as_ref()?;
        let start = u32::try_from(self.text.len()).ok()?;
        let mut lens = [0u16; TEXTS];
        let mut flags = 0u8;
        let mobile = c.mobile.as_ref().map(|m| m.expose());
        if mobile.is_some() {
            flags |= 1;
        }
        if c.email.is_some() {
            flags |= 2;
        }
        let texts: [&str; TEXTS] = [
            c.id.as_str(),
            c.account_name.expose(),
            c.name.expose(),
            c.email.as_ref().map_or("", |e| e.expose()),
            mobile.map_or("", |m| &m.country_code),
            mobile.map_or("", |m| &m.number),
        ];
        for (len, t) in lens.iter_mut().zip(texts) {
            *len = u16::try_from(t.len()).ok()?;
            self.text.push_str(t);
        }
        let expiries: &[DateTime<Utc>] = index
            .slot_expiries
            .get(slot as usize)
            .map_or(&[], |e| &e[..]);
        let expiry = u32::try_from(self.expiries.len()).ok()?;
        let expiry_n = u16::try_from(expiries.len()).ok()?;
        self.expiries.extend_from_slice(expiries);
        let kind = self.number(c.association.kind.as_str());
        let freeze = match c.freeze.freeze() {
            Some(f) => self.number(f.scope.as_str()),
            None => self.number("not_frozen"),
        };
        scratch.clear();
        for (i, t) in c.tags.iter().enumerate() {
            if i > 0 {
                scratch.push_str("; ");
            }
            scratch.push_str(t.as_str());
        }
        let tags = self.number(scratch);
        let manager = match &c.account_manager {
            Some(o) => self.number(o.as_str()),
            None => NONE,
        };
        let last = self.month.previous();
        self.rows.push(Row {
            slot,
            text: start,
            lens,
            flags,
            expiry_n,
            expiry,
            kind,
            freeze,
            tags,
            manager,
            since: c.association.since,
            mtd: index.mtd(slot),
            last_month: c.spend_between(last.first_day(), last.last_day()),
        });
        Some(())
    }

    /// Appends a copy of a record of another copy (its texts and expiries with it).
    fn copy_row(&mut self, r: &Row, text: &str, expiries: &[DateTime<Utc>]) -> Option<()> {
        let len: usize = r.lens.iter().map(|l| usize::from(*l)).sum();
        let from = r.text as usize;
        let start = u32::try_from(self.text.len()).ok()?;
        self.text.push_str(text.get(from..from + len)?);
        let e = r.expiry as usize;
        let expiry = u32::try_from(self.expiries.len()).ok()?;
        self.expiries
            .extend_from_slice(expiries.get(e..e + usize::from(r.expiry_n))?);
        self.rows.push(Row {
            text: start,
            expiry,
            ..r.clone()
        });
        Some(())
    }

    /// The number of a text in [`ExportRows::table`], if it is there.
    pub(crate) fn number_of(&self, text: &str) -> Option<u32> {
        self.numbers.get(text).copied()
    }

    /// The texts of a record (`ID`, `ACCOUNT`, ... index them).
    pub(crate) fn texts<'s>(&'s self, r: &Row) -> [&'s str; TEXTS] {
        let mut out = [""; TEXTS];
        let mut at = r.text as usize;
        for (o, len) in out.iter_mut().zip(r.lens) {
            let end = at + usize::from(len);
            *o = self.text.get(at..end).unwrap_or_default();
            at = end;
        }
        out
    }

    /// Whether the record has a mobile number.
    pub(crate) fn has_mobile(r: &Row) -> bool {
        r.flags & 1 != 0
    }

    /// Whether the record has an e-mail.
    pub(crate) fn has_email(r: &Row) -> bool {
        r.flags & 2 != 0
    }

    /// The earliest expiry at or after `now` (as [`Index::next_expiry`] gives it).
    pub(crate) fn next_expiry(&self, r: &Row, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let e = r.expiry as usize;
        let ex = self.expiries.get(e..e + usize::from(r.expiry_n))?;
        ex.get(ex.partition_point(|t| *t < now)).copied()
    }
}
