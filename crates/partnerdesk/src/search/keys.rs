//! Fixed-size keys of the ordered indexes: what a heap string or a 16-aligned `i128` was, in
//! fewer bytes and the same order (see `index`), and the fixed-point keys of amounts.

use rust_decimal::Decimal;

/// The most digits a mobile number has (see [`crate::customer::Mobile::new`]).
pub(crate) const MOBILE_DIGITS: usize = 20;

/// A mobile number's digits reversed, packed one nibble a digit (digit `d` as `d + 1`, `0`
/// after the last digit), high nibble first: ten bytes instead of a heap string, in the order
/// of the reversed digits as text (a shorter number sorts before the longer ones it is a
/// prefix of, as `0` is below every digit), so that a suffix is one range of keys.
pub(crate) type MobileKey = [u8; MOBILE_DIGITS / 2];

/// The key of a run of digits, read last digit first; `None` for more than
/// [`MOBILE_DIGITS`] digits or a character that is not an ASCII digit (no number on the desk
/// has either: validation refuses them).
pub(crate) fn mobile_key(digits: &str) -> Option<MobileKey> {
    let mut key = [0u8; MOBILE_DIGITS / 2];
    if digits.len() > MOBILE_DIGITS {
        return None;
    }
    for (i, b) in digits.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let nibble = b - b'0' + 1;
        key[i / 2] |= if i % 2 == 0 { nibble << 4 } else { nibble };
    }
    Some(key)
}

/// The first key above every key that starts with the `len` reversed digits of `key` (its
/// last packed digit plus one; a digit is at most 10, so no carry); `None` for no digits.
pub(crate) fn mobile_key_after(mut key: MobileKey, len: usize) -> Option<MobileKey> {
    let i = len.checked_sub(1)?;
    let byte = key.get_mut(i / 2)?;
    *byte += if i % 2 == 0 { 1 << 4 } else { 1 };
    Some(key)
}

/// A fixed-point money key (see [`money_key`]) in 16 bytes aligned to 4: its high 32 bits
/// (signed) then its three lower words (unsigned), which compare as the `i128` does. An entry
/// `(SpendKey, slot)` of a manager's spend-ordered set is then 20 bytes, where `(i128, u32)`
/// takes 32 (an `i128` is aligned to 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SpendKey(i32, u32, u32, u32);

impl From<i128> for SpendKey {
    fn from(k: i128) -> Self {
        SpendKey(
            (k >> 96) as i32,
            (k >> 64) as u32,
            (k >> 32) as u32,
            k as u32,
        )
    }
}

/// Decimal places of the fixed-point money keys: spend amounts have at most this many, so the
/// month-to-date sums do too and their keys are exact.
pub(crate) const KEY_SCALE: u32 = 8;

/// The fixed-point key `d * 10^8`, rounded down and up (equal when `d` has at most 8 decimals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MoneyKey {
    pub(crate) floor: i128,
    pub(crate) ceil: i128,
}

/// Exact fixed-point keys of a decimal, computed in `i128` (no overflow: a mantissa is below
/// 2^96 and is multiplied by at most 10^8).
pub(crate) fn money_key(d: Decimal) -> MoneyKey {
    let m = d.mantissa();
    let s = d.scale();
    if s <= KEY_SCALE {
        let k = m * 10i128.pow(KEY_SCALE - s);
        MoneyKey { floor: k, ceil: k }
    } else {
        let q = 10i128.pow(s - KEY_SCALE);
        MoneyKey {
            floor: m.div_euclid(q),
            ceil: -(-m).div_euclid(q),
        }
    }
}

/// The decimal of scale `scale` (at most [`KEY_SCALE`] for a key that was exact) whose
/// fixed-point key is `key`: the key divided by `10^(8 - scale)` (rounded down; a value whose
/// key was not exact is not read back this way, see `Index::mtd_exact`).
pub(super) fn mtd_of_key(key: i128, scale: u8) -> Decimal {
    let scale = u32::from(scale);
    let Some(shift) = KEY_SCALE.checked_sub(scale) else {
        return Decimal::ZERO;
    };
    // Most keys fit 64 bits (amounts below about 92 billion), whose division is several
    // times cheaper than `i128`'s (a row reads this for its month-to-date spend).
    let quotient = match i64::try_from(key) {
        Ok(k) => i128::from(k.div_euclid(10i64.pow(shift))),
        Err(_) => key.div_euclid(10i128.pow(shift)),
    };
    Decimal::try_from_i128_with_scale(quotient, scale).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// An amount read back from its key is the amount (both divisions: keys within 64
        /// bits and beyond, negative ones too: refunds).
        #[test]
        fn an_exact_key_reads_back_as_its_amount(m in any::<i64>(), wide in any::<bool>(), scale in 0u32..=8) {
            let mantissa = if wide { i128::from(m) * 1_000_000_007 } else { i128::from(m) };
            let d = Decimal::try_from_i128_with_scale(mantissa, scale);
            prop_assume!(d.is_ok());
            let d = d.unwrap_or_default();
            let key = money_key(d).floor;
            prop_assert_eq!(mtd_of_key(key, scale as u8), d);
        }

        /// Mobile keys sort as the reversed digits do as text, and the keys from a suffix's
        /// key to the one after it are exactly the numbers that end with the suffix.
        #[test]
        fn mobile_keys_order_and_suffix_ranges(numbers in prop::collection::vec("[0-9]{1,20}", 1..40),
                                               suffix in "[0-9]{0,6}") {
            let rev = |s: &str| s.chars().rev().collect::<String>();
            let mut keyed: Vec<(MobileKey, &str)> = numbers
                .iter()
                .map(|n| (mobile_key(n).unwrap_or_default(), n.as_str()))
                .collect();
            keyed.sort();
            for w in keyed.windows(2) {
                prop_assert!(rev(w[0].1) <= rev(w[1].1), "{} {}", w[0].1, w[1].1);
            }
            let lo = mobile_key(&suffix).unwrap_or_default();
            let hi = mobile_key_after(lo, suffix.len());
            let in_range: Vec<&str> = keyed
                .iter()
                .filter(|(k, _)| *k >= lo && hi.is_none_or(|h| *k < h))
                .map(|(_, n)| *n)
                .collect();
            let ending: Vec<&str> = keyed
                .iter()
                .filter(|(_, n)| n.ends_with(suffix.as_str()))
                .map(|(_, n)| *n)
                .collect();
            prop_assert_eq!(in_range, ending);
        }

        /// Spend keys compare as the `i128` they hold.
        #[test]
        fn spend_keys_order_as_i128(a in any::<i128>(), b in any::<i128>(), small in -1_000i128..1_000) {
            prop_assert_eq!(SpendKey::from(a).cmp(&SpendKey::from(b)), a.cmp(&b));
            prop_assert_eq!(SpendKey::from(small).cmp(&SpendKey::from(-small)), small.cmp(&-small));
        }

    }

    #[test]
    fn mobile_keys_refuse_what_no_number_is() {
        assert!(mobile_key(&"1".repeat(21)).is_none());
        assert!(mobile_key("12a4").is_none());
        assert!(mobile_key(&"9".repeat(20)).is_some());
        assert_eq!(mobile_key_after([0; 10], 0), None);
    }
}
