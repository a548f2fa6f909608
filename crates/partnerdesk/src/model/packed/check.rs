//! Checking a packed block that comes from outside (a checkpoint's chunk holds each
//! customer's lists in their packed form, see [`crate::checkpoint`]).
//!
//! Why: a block this module packed always decodes, so its readers trust it; a block read from
//! a file is untrusted input. Before it becomes a [`Packed`], every record in it is walked
//! once, without making a text or a record, and it is accepted only if it is exactly what
//! packing its records would write: every integer in its shortest form, every text UTF-8,
//! every id valid as the id's own door checks it ([`validate_id`]), every enumeration code
//! one this version knows (an unknown value as its text, and only if it is not a known one),
//! every instant, day, decimal and currency one the model can hold, nothing after the last
//! record. So the block reads back to the records a JSON snapshot of the same customer would
//! give, and packing them again gives the same bytes. The desk's own checks (amounts, times,
//! repeated ids: [`crate::validate`]) come after, as for every door.

use super::{OpenCode, Reader};
use crate::error::IdKind;
use crate::model::ids::validate_id;
use crate::model::money::Currency;
use crate::model::order::{OrderStatus, OrderType};
use crate::model::resource::{ExpiryPolicy, ResourceKind, ResourceStatus};
use crate::model::spend::ChargingMode;
use chrono::{DateTime, NaiveDate};
use rust_decimal::Decimal;

/// How many bytes the shortest form of `v` takes.
fn varint_len(v: u128) -> usize {
    ((128 - v.leading_zeros()).div_ceil(7).max(1)) as usize
}

impl Reader<'_> {
    /// A variable-length integer of at most `bits` bits, in its shortest form only.
    fn canonical(&mut self, bits: u32) -> Option<u128> {
        let before = self.bytes.len();
        let v = self.varint(bits)?;
        (before - self.bytes.len() == varint_len(v)).then_some(v)
    }

    fn canonical_u64(&mut self) -> Option<u64> {
        u64::try_from(self.canonical(64)?).ok()
    }

    fn canonical_i64(&mut self) -> Option<i64> {
        let z = self.canonical_u64()?;
        Some(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    fn checked_str(&mut self) -> Option<&str> {
        let n = usize::try_from(self.canonical_u64()?).ok()?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn checked_id(&mut self, kind: IdKind) -> Option<()> {
        validate_id(kind, self.checked_str()?).ok()
    }

    /// An option's tag: whether a value follows.
    fn checked_tag(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn checked_code<E: OpenCode>(&mut self) -> Option<()> {
        match self.byte()? {
            0 => {
                let text = self.checked_str()?;
                (!E::known().iter().any(|k| k.text() == text)).then_some(())
            }
            n => (usize::from(n) <= E::known().len()).then_some(()),
        }
    }

    fn checked_instant(&mut self) -> Option<()> {
        let secs = self.canonical_i64()?;
        let nanos = u32::try_from(self.canonical_u64()?).ok()?;
        DateTime::from_timestamp(secs, nanos).map(drop)
    }

    fn checked_opt_instant(&mut self) -> Option<()> {
        if self.checked_tag()? {
            self.checked_instant()?;
        }
        Some(())
    }

    fn checked_money(&mut self) -> Option<()> {
        let head = self.byte()?;
        if u32::from(head & 0x7f) > Decimal::MAX_SCALE || self.canonical(128)? >> 96 != 0 {
            return None;
        }
        let code = self.take(3)?;
        Currency::from_code([code[0], code[1], code[2]]).map(drop)
    }

    fn checked_day(&mut self) -> Option<()> {
        let day = i32::try_from(self.canonical_i64()?).ok()?;
        NaiveDate::from_num_days_from_ce_opt(day).map(drop)
    }
}

/// [`Pack::check`] of a [`crate::Resource`].
pub(super) fn resource(r: &mut Reader<'_>) -> Option<()> {
    r.checked_id(IdKind::Resource)?;
    r.checked_code::<ResourceKind>()?;
    r.checked_str()?;
    r.checked_str()?;
    r.checked_str()?;
    r.checked_code::<ResourceStatus>()?;
    r.checked_instant()?;
    r.checked_opt_instant()?;
    r.checked_code::<ExpiryPolicy>()
}

/// [`Pack::check`] of a [`crate::Order`].
pub(super) fn order(r: &mut Reader<'_>) -> Option<()> {
    r.checked_id(IdKind::Order)?;
    r.checked_code::<OrderStatus>()?;
    r.checked_code::<OrderType>()?;
    r.checked_money()?;
    r.checked_instant()?;
    r.checked_opt_instant()?;
    if r.checked_tag()? {
        r.checked_id(IdKind::Operator)?;
    }
    Some(())
}

/// [`Pack::check`] of a [`crate::SpendRecord`].
pub(super) fn spend(r: &mut Reader<'_>) -> Option<()> {
    r.checked_day()?;
    r.checked_str()?;
    r.checked_money()?;
    r.checked_code::<ChargingMode>()
}

#[cfg(any(test, feature = "serde"))]
impl<T: super::Pack> super::Packed<T> {
    /// The list whose packed form is `bytes`, if they are exactly what packing its records
    /// would write (see the module); the bytes are copied.
    pub(crate) fn from_checked_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.is_empty() {
            return Some(super::Packed::new());
        }
        let mut r = Reader::new(bytes);
        // An empty list has no block: a block holds at least one record.
        let n = r.canonical_u64()?;
        if n == 0 {
            return None;
        }
        // Every record takes at least one byte, so this ends with the bytes whatever `n` says.
        for _ in 0..n {
            T::check(&mut r)?;
        }
        r.bytes.is_empty().then(|| super::Packed {
            bytes: bytes.into(),
            marker: std::marker::PhantomData,
        })
    }
}
