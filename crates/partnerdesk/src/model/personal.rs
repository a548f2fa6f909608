//! Personal data as a type: a name, mobile number or e-mail held in [`Personal<T>`] cannot be
//! printed by accident.
//!
//! Why in the model: customers and operators carry personal values, and every part of the
//! library reads them; the wrapper is what keeps them out of `Debug`, errors, logs, event
//! text and exports. Revealing one is an audited operation of [`crate::privacy`].

use crate::model::text::CompactText;
use std::fmt;

/// A value that is personal data. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Personal<T>(T);

impl<T> Personal<T> {
    /// Wraps a personal value (converted first: a customer's texts are
    /// [`CompactText`]s, and a `String` or a `&str` makes one).
    ///
    /// ```
    /// use partnerdesk::privacy::Personal;
    /// use partnerdesk::text::CompactText;
    /// let name: Personal<CompactText> = Personal::new("Zhang Wei");
    /// assert_eq!(name.expose(), "Zhang Wei");
    /// assert_eq!(format!("{name:?}"), "[redacted]");
    /// ```
    pub fn new(value: impl Into<T>) -> Self {
        Personal(value.into())
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

impl From<String> for Personal<CompactText> {
    fn from(v: String) -> Self {
        Personal(CompactText::from(v))
    }
}

impl From<&str> for Personal<CompactText> {
    fn from(v: &str) -> Self {
        Personal(CompactText::new(v))
    }
}
