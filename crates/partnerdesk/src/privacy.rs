//! Personal data: the wrapper that keeps it out of logs, and the console's default masks.
//!
//! Why a wrapper: the easiest leak is `println!("{customer:?}")` or an error message that quotes
//! a name. [`Personal`] prints `[redacted]` in `Debug` and `Display`; the raw value is reachable
//! only through [`Personal::expose`], which is easy to grep for. Every customer name, mobile
//! number and e-mail on the desk sits in one.
//!
//! Masks follow the console (domain §11): a name keeps its first character (`Z***`), a mobile
//! number its first 3 and last 4 digits when it has at least 11 (`138****5678`), an e-mail the
//! first character of the local part and the domain (`a***@example.com`). A mask never reveals
//! the length: the hidden part is always three asterisks.

use std::fmt;

/// A value that is personal data. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Personal<T>(T);

impl<T> Personal<T> {
    /// Wraps a personal value.
    pub fn new(value: T) -> Self {
        Personal(value)
    }

    /// The raw value. Call only where showing or matching it is allowed.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the raw value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T> fmt::Display for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T> From<T> for Personal<T> {
    fn from(v: T) -> Self {
        Personal(v)
    }
}

/// The hidden part of every mask: fixed, so a mask never tells the length.
pub const MASK: &str = "***";

/// Masks a name: its first character, then `***` (`张三` → `张***`). Empty stays empty.
///
/// ```
/// assert_eq!(partnerdesk::privacy::mask_name("Zhang Wei"), "Z***");
/// assert_eq!(partnerdesk::privacy::mask_name("张三"), "张***");
/// ```
pub fn mask_name(name: &str) -> String {
    match name.chars().next() {
        Some(first) => format!("{first}{MASK}"),
        None => String::new(),
    }
}

/// Masks a mobile number: first 3 and last 4 digits when it has at least 11 digits, else only
/// the last 2 when it has at least 7, else `***`. Non-digits (spaces, dashes) are dropped first.
///
/// ```
/// assert_eq!(partnerdesk::privacy::mask_mobile("13812345678"), "138****5678");
/// assert_eq!(partnerdesk::privacy::mask_mobile("5551234"), "***34");
/// assert_eq!(partnerdesk::privacy::mask_mobile("123"), "***");
/// ```
pub fn mask_mobile(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len();
    if n >= 11 {
        format!("{}****{}", &digits[..3], &digits[n - 4..])
    } else if n >= 7 {
        format!("{MASK}{}", &digits[n - 2..])
    } else if n == 0 {
        String::new()
    } else {
        MASK.to_owned()
    }
}

/// Masks an e-mail: first character of the local part, `***`, then `@` and the domain.
/// A value without `@` is masked as a name.
///
/// ```
/// assert_eq!(partnerdesk::privacy::mask_email("alice@example.com"), "a***@example.com");
/// ```
pub fn mask_email(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => format!("{}@{domain}", mask_name(local)),
        None => mask_name(email),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_never_prints() {
        let p = Personal::new("张三".to_string());
        assert_eq!(format!("{p:?} {p}"), "[redacted] [redacted]");
        assert_eq!(p.expose(), "张三");
    }

    #[test]
    fn masks_hide_length() {
        assert_eq!(mask_name("A"), "A***");
        assert_eq!(mask_name("Alexander"), "A***");
        assert_eq!(mask_mobile("138 1234 5678"), "138****5678");
        assert_eq!(mask_email("@x.com"), "@x.com");
        assert_eq!(mask_email("bob"), "b***");
        assert_eq!(mask_name(""), "");
    }
}
