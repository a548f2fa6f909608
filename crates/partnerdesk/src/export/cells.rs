//! The cells of one customer: masks, formula neutralisation, numbers, decimals and times.

use super::copy::{self as x, ExportRows, Row};
use super::types::ExportColumn;
use crate::customer::Customer;
use crate::desk::Desk;
use crate::ids::{IdMap, OperatorId};
use crate::privacy::{Masker, SensitiveField};
use crate::search::MatchContext;
use chrono::{DateTime, Datelike, Timelike, Utc};
use rust_decimal::Decimal;
use std::fmt::Write as _;
use std::ops::ControlFlow;

/// Formats the cells of one customer into a reused buffer: the one place where export rows
/// are produced, so every personal cell goes through the [`Masker`].
pub(super) struct CellWriter<'a> {
    pub(super) desk: &'a Desk,
    pub(super) masker: Masker<'a>,
    pub(super) ctx: MatchContext<'a>,
    pub(super) columns: &'a [ExportColumn],
    pub(super) reads: Reads,
    /// The masked name of each operator, masked once per export (when that column is
    /// exported): a hash lookup per row instead of a tree walk and a mask.
    pub(super) managers: IdMap<&'a OperatorId, String>,
    /// The desk's compact copy of the exported fields, when the export reads it: rows are
    /// then positions in it, not slots.
    pub(super) copy: Option<CopyView<'a>>,
}

/// The desk's compact copy of the exported fields, with what this export resolves once.
pub(super) struct CopyView<'a> {
    pub(super) rows: &'a ExportRows,
    /// The masked account manager name for each number of the copy's table of texts that
    /// is an operator's id.
    pub(super) manager_names: Vec<Option<String>>,
}

/// Whether the desk's compact copy holds what a column reads.
pub(super) fn in_copy(col: ExportColumn) -> bool {
    use ExportColumn as C;
    matches!(
        col,
        C::CustomerId
            | C::AccountName
            | C::Name
            | C::Mobile
            | C::Email
            | C::Tags
            | C::AssociationType
            | C::AssociatedAt
            | C::AccountManager
            | C::AccountManagerName
            | C::FreezeStatus
            | C::MonthToDate
            | C::LastMonth
            | C::Currency
            | C::NextExpiry
    )
}

/// Which parts of a customer the columns read (for reading ahead).
#[derive(Default)]
pub(super) struct Reads {
    names: bool,
    contact: bool,
    header: bool,
    spend: bool,
    orders: bool,
    mtd: bool,
    expiry: bool,
}

impl Reads {
    pub(super) fn of(columns: &[ExportColumn]) -> Self {
        let mut r = Reads::default();
        for col in columns {
            use ExportColumn as C;
            match col {
                C::AccountName | C::Name => r.names = true,
                C::Mobile | C::Email => r.contact = true,
                C::LastMonth | C::BudgetUsed | C::BudgetUsage => r.spend = true,
                C::MonthToDate => r.mtd = true,
                C::NextExpiry => r.expiry = true,
                C::UnpaidOrders => r.orders = true,
                C::CustomerId | C::Currency => {}
                _ => r.header = true,
            }
        }
        r
    }
}

/// Rows are read ahead in batches of this many (see [`CellWriter::each`]).
const BATCH: usize = 16;

impl CellWriter<'_> {
    /// Calls `row` with each slot, in order, reading the customers' fields ahead in batches.
    ///
    /// Why: customers sit at random places of the slot vector (in id order, a row's
    /// customer is nowhere near the previous one) and each row reads a dozen separately
    /// allocated strings and vectors. Read one after another, these are a dozen cache
    /// misses in a row, each waiting for the one before. Touching them for a whole batch
    /// first (the customers' own fields for the next batch, then what those fields point to
    /// for this one) asks memory for them all at once, so that the misses overlap; the
    /// formatting then finds them in the cache.
    pub(super) fn each<B>(
        &self,
        mut slots: impl Iterator<Item = u32>,
        mut row: impl FnMut(u32) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        let mut fill = |batch: &mut [u32; BATCH]| {
            let mut n = 0;
            while n < BATCH {
                let Some(s) = slots.next() else { break };
                batch[n] = s;
                n += 1;
            }
            n
        };
        // The compact copy is read in order: the prefetcher reads it ahead.
        if self.copy.is_some() || !crate::ab::read_ahead() {
            for at in slots {
                row(at)?;
            }
            return ControlFlow::Continue(());
        }
        let (mut this, mut next) = ([0u32; BATCH], [0u32; BATCH]);
        let mut n = fill(&mut this);
        self.touch_fields(&this[..n]);
        while n > 0 {
            let m = fill(&mut next);
            self.touch_fields(&next[..m]);
            self.touch_data(&this[..n]);
            for &slot in &this[..n] {
                row(slot)?;
            }
            (this, n) = (next, m);
        }
        ControlFlow::Continue(())
    }

    /// Reads the customers' own fields that the cells will read (and the month-to-date
    /// column): one load each, all independent, so that they are fetched in parallel.
    fn touch_fields(&self, slots: &[u32]) {
        let r = &self.reads;
        let mut sum = 0usize;
        for &slot in slots {
            let c = self.desk.at(slot);
            sum = sum.wrapping_add(c.id.as_str().len());
            if r.names {
                sum = sum
                    .wrapping_add(c.account_name.expose().len())
                    .wrapping_add(c.name.expose().len());
            }
            if r.contact {
                sum = sum
                    .wrapping_add(c.mobile.as_ref().map_or(0, |m| m.expose().number.len()))
                    .wrapping_add(c.email.as_ref().map_or(0, |e| e.expose().len()));
            }
            if r.header {
                sum = sum
                    .wrapping_add(c.tags.len())
                    .wrapping_add(c.association.since.timestamp() as usize)
                    .wrapping_add(c.account_manager.as_ref().map_or(0, |o| o.as_str().len()))
                    .wrapping_add(usize::from(c.freeze.freeze().is_some()))
                    .wrapping_add(usize::from(c.budget.is_some()));
            }
            if r.spend {
                sum = sum.wrapping_add(c.spend.len());
            }
            if r.orders {
                sum = sum.wrapping_add(c.orders.len());
            }
            if r.mtd {
                sum = sum.wrapping_add(self.desk.mtd_of(slot, &self.ctx).scale() as usize);
            }
        }
        std::hint::black_box(sum);
    }

    /// Reads what the fields point to (strings, tags, the latest spend records, orders, the
    /// expiry index), once [`CellWriter::touch_fields`] has brought the fields in.
    fn touch_data(&self, slots: &[u32]) {
        let r = &self.reads;
        let first = |s: &str| s.as_bytes().first().map_or(0, |b| usize::from(*b));
        let mut sum = 0usize;
        for &slot in slots {
            let c = self.desk.at(slot);
            sum = sum.wrapping_add(first(c.id.as_str()));
            if r.names {
                sum = sum
                    .wrapping_add(first(c.account_name.expose()))
                    .wrapping_add(first(c.name.expose()));
            }
            if r.contact {
                if let Some(m) = &c.mobile {
                    let m = m.expose();
                    sum = sum
                        .wrapping_add(first(&m.country_code))
                        .wrapping_add(first(&m.number));
                }
                sum = sum.wrapping_add(c.email.as_ref().map_or(0, |e| first(e.expose())));
            }
            if r.header {
                for t in &c.tags {
                    sum = sum.wrapping_add(first(t.as_str()));
                }
                sum = sum.wrapping_add(c.account_manager.as_ref().map_or(0, |o| first(o.as_str())));
            }
            if r.spend {
                // The latest records (spend is sorted by day): where this month and the
                // last one are, for a current export.
                sum = sum.wrapping_add(c.spend.touch());
            }
            if r.orders {
                sum = sum.wrapping_add(c.orders.touch());
            }
            if r.expiry {
                let next = self.desk.index.next_expiry(slot, self.ctx.now);
                sum = sum.wrapping_add(next.map_or(0, |t| t.timestamp() as usize));
            }
        }
        std::hint::black_box(sum);
    }

    /// Appends every cell of the customer in `slot` to `buf`, calling `end` after each
    /// with the cell's start. With `guard`, a text cell a spreadsheet could run as a
    /// formula gets a `'`.
    pub(super) fn cells(
        &self,
        slot: u32,
        buf: &mut String,
        guard: bool,
        mut end: impl FnMut(&mut String, usize),
    ) {
        if let Some(copy) = &self.copy {
            // `slot` is a position in the copy.
            let Some(r) = copy.rows.rows.get(slot as usize) else {
                return;
            };
            let texts = copy.rows.texts(r);
            for col in self.columns {
                let start = buf.len();
                self.copied_cell(*col, copy, r, &texts, buf);
                guard_formula(*col, buf, start, guard);
                end(buf, start);
            }
            return;
        }
        let c = self.desk.at(slot);
        for col in self.columns {
            let start = buf.len();
            self.cell(*col, slot, c, buf);
            guard_formula(*col, buf, start, guard);
            end(buf, start);
        }
    }

    /// A cell from the desk's compact copy: the same text as [`CellWriter::cell`] writes
    /// from the customer (the copy holds the same values; masks are applied here).
    fn copied_cell(
        &self,
        col: ExportColumn,
        copy: &CopyView<'_>,
        r: &Row,
        t: &[&str; 6],
        buf: &mut String,
    ) {
        let m = &self.masker;
        let table = |n: u32| copy.rows.table.get(n as usize).map_or("", String::as_str);
        match col {
            ExportColumn::CustomerId => buf.push_str(t[x::ID]),
            ExportColumn::AccountName => {
                m.mask_into(SensitiveField::AccountName, t[x::ACCOUNT], buf)
            }
            ExportColumn::Name => m.mask_into(SensitiveField::Name, t[x::NAME], buf),
            ExportColumn::Mobile if ExportRows::has_mobile(r) => {
                m.mask_mobile_parts_into(t[x::COUNTRY_CODE], t[x::NUMBER], buf)
            }
            ExportColumn::Email if ExportRows::has_email(r) => {
                m.mask_into(SensitiveField::Email, t[x::EMAIL], buf)
            }
            ExportColumn::Tags => buf.push_str(table(r.tags)),
            ExportColumn::AssociationType => buf.push_str(table(r.kind)),
            ExportColumn::AssociatedAt => time(buf, r.since),
            ExportColumn::AccountManager if r.manager != x::NONE => buf.push_str(table(r.manager)),
            ExportColumn::AccountManagerName => {
                if let Some(Some(name)) = copy.manager_names.get(r.manager as usize) {
                    buf.push_str(name);
                }
            }
            ExportColumn::FreezeStatus => buf.push_str(table(r.freeze)),
            ExportColumn::MonthToDate => decimal(buf, r.mtd),
            ExportColumn::LastMonth => decimal(buf, r.last_month),
            ExportColumn::Currency => buf.push_str(self.desk.partner.currency.as_str()),
            ExportColumn::NextExpiry => {
                if let Some(e) = copy.rows.next_expiry(r, self.ctx.now) {
                    time(buf, e);
                }
            }
            // Empty cells (no mobile, e-mail or manager), and columns not in the copy
            // (`in_copy`: such an export reads the customers).
            _ => {}
        }
    }

    fn cell(&self, col: ExportColumn, slot: u32, c: &Customer, buf: &mut String) {
        let d = self.desk;
        let m = &self.masker;
        match col {
            ExportColumn::CustomerId => buf.push_str(c.id.as_str()),
            ExportColumn::AccountName => {
                m.mask_into(SensitiveField::AccountName, c.account_name.expose(), buf)
            }
            ExportColumn::Name => m.mask_into(SensitiveField::Name, c.name.expose(), buf),
            ExportColumn::Mobile => {
                if let Some(mobile) = &c.mobile {
                    m.mask_mobile_into(mobile.expose(), buf);
                }
            }
            ExportColumn::Email => {
                if let Some(e) = &c.email {
                    m.mask_into(SensitiveField::Email, e.expose(), buf);
                }
            }
            ExportColumn::CustomerType => buf.push_str(c.customer_type.as_str()),
            ExportColumn::Verification => buf.push_str(c.verification.as_str()),
            ExportColumn::Level => buf.push_str(c.level.as_str()),
            ExportColumn::Tags => {
                for (i, t) in c.tags.iter().enumerate() {
                    if i > 0 {
                        buf.push_str("; ");
                    }
                    buf.push_str(t.as_str());
                }
            }
            ExportColumn::AssociationType => buf.push_str(c.association.kind.as_str()),
            ExportColumn::AssociatedAt => time(buf, c.association.since),
            ExportColumn::DisassociatedAt => {
                if let Some(t) = c.association.ended {
                    time(buf, t);
                }
            }
            ExportColumn::Reseller => {
                if let Some(r) = &c.association.reseller {
                    buf.push_str(r.as_str());
                }
            }
            ExportColumn::AccountManager => {
                if let Some(o) = &c.account_manager {
                    buf.push_str(o.as_str());
                }
            }
            ExportColumn::AccountManagerName => {
                if let Some(name) = c
                    .account_manager
                    .as_ref()
                    .and_then(|o| self.managers.get(o))
                {
                    buf.push_str(name);
                }
            }
            ExportColumn::FreezeStatus => match c.freeze.freeze() {
                Some(f) => buf.push_str(f.scope.as_str()),
                None => buf.push_str("not_frozen"),
            },
            ExportColumn::FreezeOrigin => {
                if let Some(f) = c.freeze.freeze() {
                    buf.push_str(f.origin.as_str());
                }
            }
            ExportColumn::BudgetType => {
                if let Some(b) = &c.budget {
                    buf.push_str(b.kind.as_str());
                }
            }
            ExportColumn::Budget => {
                if let Some(b) = &c.budget {
                    decimal(buf, b.amount.amount);
                }
            }
            ExportColumn::BudgetUsed => {
                if let Some(b) = &c.budget {
                    decimal(buf, b.used(c, self.ctx.now, self.ctx.offset));
                }
            }
            ExportColumn::BudgetUsage => {
                if let Some(b) = &c.budget {
                    let used = b.used(c, self.ctx.now, self.ctx.offset);
                    decimal(buf, crate::model::budget::percent(used, b.amount.amount));
                }
            }
            // From the index's column when the month is the indexed one.
            ExportColumn::MonthToDate => decimal(buf, d.mtd_of(slot, &self.ctx)),
            ExportColumn::LastMonth => {
                let last = self.ctx.month.previous();
                decimal(buf, c.spend_between(last.first_day(), last.last_day()));
            }
            ExportColumn::Currency => buf.push_str(d.partner.currency.as_str()),
            ExportColumn::NextExpiry => {
                if let Some(t) = d.index.next_expiry(slot, self.ctx.now) {
                    time(buf, t);
                }
            }
            ExportColumn::UnpaidOrders => {
                let n = c.orders.unpaid();
                unsigned(buf, n as u64);
            }
        }
    }
}

/// With `guard`, prefixes a text cell (starting at `start` of `buf`) that a spreadsheet
/// could run as a formula with `'`.
///
/// The cell's first byte is looked at first: most cells start with a letter or a digit and
/// cost one comparison, then the column's kind (a negative amount starts with `-` and stays).
#[inline]
fn guard_formula(col: ExportColumn, buf: &mut String, start: usize, guard: bool) {
    let maybe = |b: &u8| matches!(b, b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\n' | 0xEF);
    if guard
        && buf.as_bytes().get(start).is_some_and(maybe)
        && col.is_text()
        && buf.get(start..).is_some_and(formula_start)
    {
        buf.insert(start, '\'');
    }
}

/// Whether a text cell starts with what a spreadsheet could take for the start of a
/// formula: OWASP's list for CSV injection (`=`, `+`, `-`, `@`, tab, carriage return),
/// line feed, and the full-width `＝`, `＋`, `－`, `＠` (which spreadsheets in East Asian
/// locales convert on input). The ASCII ones tell by the first byte; the full-width ones
/// all start with byte `0xEF`.
pub(super) fn formula_start(cell: &str) -> bool {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\n') => true,
        Some(0xEF) => matches!(
            cell.chars().next(),
            Some('\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}')
        ),
        _ => false,
    }
}

/// ASCII digits as text (they are valid UTF-8).
fn ascii(buf: &mut String, digits: &[u8]) {
    buf.push_str(std::str::from_utf8(digits).unwrap_or_default());
}

/// An unsigned integer in decimal.
pub(super) fn unsigned(buf: &mut String, v: u64) {
    buf.push_str(itoa::Buffer::new().format(v));
}

/// Zeros to pad a fraction with: a `Decimal`'s scale is at most 28.
const ZEROS: &str = "00000000000000000000000000000000";

/// A decimal amount, exactly as its `Display` writes it (`-`, the digits of the mantissa
/// with the point `scale` digits from the end, `0` before a leading point, trailing zeros
/// kept), without the formatting machinery.
pub(super) fn decimal(buf: &mut String, v: Decimal) {
    let mut b = itoa::Buffer::new();
    // A zero mantissa has no digits in `Display`: only the padding below.
    let digits = match v.mantissa() {
        0 => "",
        m => b.format(m.unsigned_abs()),
    };
    let scale = v.scale() as usize;
    if v.is_sign_negative() {
        buf.push('-');
    }
    match (scale + 1).checked_sub(digits.len()) {
        // Fewer digits than the scale and one: `0.`, zeros, the digits.
        Some(pad) if pad > 0 => {
            buf.push('0');
            if scale > 0 {
                buf.push('.');
                buf.push_str(ZEROS.get(..pad - 1).unwrap_or_default());
                buf.push_str(digits);
            }
        }
        _ => {
            let point = digits.len() - scale;
            buf.push_str(digits.get(..point).unwrap_or_default());
            if scale > 0 {
                buf.push('.');
                buf.push_str(digits.get(point..).unwrap_or_default());
            }
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, digit by digit (no formatting machinery per cell).
pub(super) fn time(buf: &mut String, t: DateTime<Utc>) {
    let (day, clock) = (t.date_naive(), t.time());
    let year = day.year();
    if !(0..=9999).contains(&year) {
        let _ = write!(buf, "{}", t.format("%Y-%m-%dT%H:%M:%SZ"));
        return;
    }
    let two = |v: u32| [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
    let y = year as u32;
    let (m, d, h, mi, s) = (
        two(day.month()),
        two(day.day()),
        two(clock.hour()),
        two(clock.minute()),
        two(clock.second()),
    );
    let (y1, y2) = (two(y / 100), two(y % 100));
    let text = [
        y1[0], y1[1], y2[0], y2[1], b'-', m[0], m[1], b'-', d[0], d[1], b'T', h[0], h[1], b':',
        mi[0], mi[1], b':', s[0], s[1], b'Z',
    ];
    ascii(buf, &text);
}
