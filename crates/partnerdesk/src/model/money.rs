//! Money: an exact decimal amount with its currency.
//!
//! Why not a float: a partner reconciles spend and budgets to the cent against Huawei's bills,
//! and `0.1 + 0.2 != 0.3` in binary floating point. Every amount is a [`rust_decimal::Decimal`]
//! and travels with its ISO 4217 [`Currency`], in the core and in every binding.

use crate::error::{Error, Result};
use rust_decimal::Decimal;
use std::fmt;

/// An ISO 4217 currency code: three upper-case ASCII letters, e.g. `CNY`, `USD`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Chinese yuan, the China site's billing currency.
    pub const CNY: Currency = Currency(*b"CNY");
    /// US dollar, the international site's billing currency.
    pub const USD: Currency = Currency(*b"USD");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");

    /// Parses a three-letter upper-case code.
    ///
    /// ```
    /// use partnerdesk::Currency;
    /// assert_eq!(Currency::new("CNY")?, Currency::CNY);
    /// assert!(Currency::new("cny").is_err());
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn new(code: &str) -> Result<Self> {
        let b = code.as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_uppercase) {
            return Err(Error::InvalidCurrency);
        }
        Ok(Currency([b[0], b[1], b[2]]))
    }

    /// A code from its three bytes, when they are upper-case ASCII letters (packed records
    /// read their currency this way, without the text).
    pub(crate) fn from_code(code: [u8; 3]) -> Option<Self> {
        code.iter()
            .all(u8::is_ascii_uppercase)
            .then_some(Currency(code))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Invariant: built only from three ASCII upper-case letters.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl std::str::FromStr for Currency {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Currency::new(s)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        // The text is lent to the check, not copied (one per amount of a snapshot).
        crate::model::serde_fast::with_str(d, |s| Currency::new(s).map_err(|e| e.to_string()))
    }
}

/// An exact amount in a currency.
///
/// ```
/// use partnerdesk::{Currency, Money};
/// use rust_decimal::Decimal;
/// let a = Money::new(Decimal::new(1050, 2), Currency::CNY); // 10.50 CNY
/// let b = Money::new(Decimal::new(25, 1), Currency::CNY); // 2.5 CNY
/// assert_eq!(a.checked_add(b)?.to_string(), "13.00 CNY");
/// # Ok::<(), partnerdesk::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Money {
    /// The amount (may be negative for refunds).
    pub amount: Decimal,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// Wraps an amount and its currency.
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Zero in a currency.
    pub fn zero(currency: Currency) -> Self {
        Money {
            amount: Decimal::ZERO,
            currency,
        }
    }

    /// Adds two amounts of the same currency; a different currency or an overflow is an error.
    pub fn checked_add(self, other: Money) -> Result<Money> {
        self.checked(other, Decimal::checked_add)
    }

    /// Subtracts an amount of the same currency.
    pub fn checked_sub(self, other: Money) -> Result<Money> {
        self.checked(other, Decimal::checked_sub)
    }

    /// `op` on the amounts of the same currency; a different currency or an overflow is an error.
    fn checked(self, other: Money, op: fn(Decimal, Decimal) -> Option<Decimal>) -> Result<Money> {
        self.same_currency(&other)?;
        let amount = op(self.amount, other.amount)
            .ok_or_else(|| Error::invalid_money("amount", "overflow"))?;
        Ok(Money {
            amount,
            currency: self.currency,
        })
    }

    /// Refuses an amount in another currency than `expected`.
    pub fn require_currency(&self, expected: Currency) -> Result<()> {
        if self.currency != expected {
            return Err(Error::CurrencyMismatch {
                expected: expected.to_string(),
                found: self.currency.to_string(),
            });
        }
        Ok(())
    }

    fn same_currency(&self, other: &Money) -> Result<()> {
        other.require_currency(self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.amount.scale() < 2 {
            let mut a = self.amount;
            a.rescale(2);
            write!(f, "{a} {}", self.currency)
        } else {
            write!(f, "{} {}", self.amount, self.currency)
        }
    }
}

/// Adds two amounts of a sum (a month's spend, a portfolio total). Every amount on the desk is
/// bounded (`validate`), so no realistic sum reaches the decimal range; an overflow is refused
/// with `INVALID_MONEY` all the same, never a panic.
pub(crate) fn sum(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_add(b)
        .ok_or_else(|| Error::invalid_money("sum", "the sum overflows"))
}

/// Parses a decimal amount from text exactly (no float on the way): `"1500.5"`, `"-3"`.
pub fn parse_amount(field: &str, text: &str) -> Result<Decimal> {
    text.trim()
        .parse::<Decimal>()
        .map_err(|_| Error::invalid_money(field, "not a decimal number"))
}

/// Checks that an amount has at most `max_scale` decimals (after dropping trailing zeros).
pub fn check_scale(field: &str, amount: Decimal, max_scale: u32) -> Result<()> {
    if amount.normalize().scale() > max_scale {
        return Err(Error::invalid_money(
            field,
            format!("more than {max_scale} decimal places"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_arithmetic_is_exact() -> Result<()> {
        let a = Money::new(parse_amount("a", "0.1")?, Currency::USD);
        let b = Money::new(parse_amount("b", "0.2")?, Currency::USD);
        assert_eq!(a.checked_add(b)?.amount, parse_amount("c", "0.3")?);
        let c = Money::new(Decimal::ONE, Currency::CNY);
        assert_eq!(
            a.checked_add(c).map_err(|e| e.code()),
            Err("CURRENCY_MISMATCH")
        );
        assert!(check_scale("x", parse_amount("x", "1.230")?, 2).is_ok());
        assert!(check_scale("x", parse_amount("x", "1.234")?, 2).is_err());
        assert!(parse_amount("x", "abc").is_err());
        Ok(())
    }
}
