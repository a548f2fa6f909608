//! Masking: how each personal value is shown, from validated raw values only.
//!
//! Why computed here from the raw value: a mask must never show more than its rule allows,
//! whatever the input; the helpers below count characters, never trust a `*` already in the
//! value, and are property-tested against that bound.

use super::{
    MASK, MOBILE_MASK, MaskPolicy, MaskRule, PSEUDONYM_HEX, PSEUDONYM_PREFIX, PseudonymKey,
    SensitiveField,
};
use crate::customer::Mobile;
use crate::error::{Error, Result};
use crate::model::text::CompactText;

/// Where a mask is written: a `String` (the public API, export cells) or a row's inline text
/// ([`CompactText`], which keeps a mask of up to 24 bytes without a heap block:
/// a row masks four or five values, and a page of rows allocated a block for each).
pub(crate) trait Sink: std::fmt::Write {
    /// Appends a text.
    fn push_str(&mut self, s: &str);
    /// Appends a character.
    fn push(&mut self, c: char);
}

impl Sink for String {
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s);
    }

    fn push(&mut self, c: char) {
        String::push(self, c);
    }
}

impl Sink for compact_str::CompactString {
    fn push_str(&mut self, s: &str) {
        compact_str::CompactString::push_str(self, s);
    }

    fn push(&mut self, c: char) {
        compact_str::CompactString::push(self, c);
    }
}

/// Applies a [`MaskPolicy`]: the one piece of code that turns personal values into what a list
/// or an export may show. Writes into caller buffers, so an export of a million rows masks
/// without allocating per cell.
///
/// ```
/// use partnerdesk::privacy::{MaskPolicy, Masker, SensitiveField};
/// let policy = MaskPolicy::console();
/// let masker = Masker::new(&policy, None)?;
/// assert_eq!(masker.mask(SensitiveField::Name, "Zhang Wei"), "Z***");
/// assert_eq!(masker.mask(SensitiveField::Email, "alice@example.com"), "a***@example.com");
/// assert_eq!(masker.mask(SensitiveField::AccountName, "acme_cloud"), "acme_cloud");
/// # Ok::<(), partnerdesk::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Masker<'a> {
    policy: &'a MaskPolicy,
    key: Option<&'a PseudonymKey>,
}

impl<'a> Masker<'a> {
    /// A masker for a policy. Refuses an invalid policy, and a policy that uses pseudonyms
    /// without a key.
    pub fn new(policy: &'a MaskPolicy, key: Option<&'a PseudonymKey>) -> Result<Self> {
        policy.validate()?;
        if policy.uses_pseudonym() && key.is_none() {
            return Err(Error::invalid_arg(
                "pseudonym_key",
                "a pseudonym rule needs the partner's key (Desk::set_pseudonym_key)",
            ));
        }
        Ok(Masker { policy, key })
    }

    /// A masker for a policy already checked (rows: set through `Desk::set_row_policy`).
    pub(crate) fn checked(policy: &'a MaskPolicy, key: Option<&'a PseudonymKey>) -> Self {
        Masker { policy, key }
    }

    /// The policy applied.
    pub fn policy(&self) -> &MaskPolicy {
        self.policy
    }

    /// Masks a value of a field.
    pub fn mask(&self, field: SensitiveField, value: &str) -> String {
        // Room for the value and the mask's stars: one allocation, where a string grown by
        // its pushes took two or three (a row masks four or five values).
        let mut out = String::with_capacity(value.len() + MASK.len());
        self.mask_into(field, value, &mut out);
        out
    }

    /// Masks a value of a field, appending to `out`. For [`SensitiveField::Mobile`] the value
    /// is the national number (non-digits are dropped); see [`Masker::mask_mobile_into`] for a
    /// number with its country code.
    pub fn mask_into(&self, field: SensitiveField, value: &str, out: &mut String) {
        self.mask_to(field, value, out);
    }

    /// A masked value as a row holds it: inline when it is short, as most masks are.
    pub(crate) fn mask_text(&self, field: SensitiveField, value: &str) -> CompactText {
        // No room up front: a mask is short whatever the value's length (a long e-mail's
        // mask fits inside the row), and a value shown in clear is written in one push.
        CompactText::written(|out| self.mask_to(field, value, out))
    }

    /// [`Masker::mask_into`] into any [`Sink`].
    pub(crate) fn mask_to(&self, field: SensitiveField, value: &str, out: &mut impl Sink) {
        let value = trim(value);
        let rule = self.policy.get(field);
        match rule {
            MaskRule::Clear => out.push_str(value),
            MaskRule::Hidden => {}
            _ if value.is_empty() => {}
            MaskRule::Fixed(text) => out.push_str(text),
            MaskRule::Pseudonym => self.pseudonym(field, value, out),
            MaskRule::Default => match field {
                SensitiveField::Mobile => mobile_default_into(value, out),
                SensitiveField::Email => email_into(value, 1, 0, out),
                _ => keep_into(value, 1, 0, out),
            },
            MaskRule::Keep { first, last } => {
                let (first, last) = (usize::from(*first), usize::from(*last));
                match field {
                    SensitiveField::Mobile => mobile_keep_into(value, first, last, out),
                    SensitiveField::Email => email_into(value, first, last, out),
                    _ => keep_into(value, first, last, out),
                }
            }
        }
    }

    /// Masks a mobile number with its country code (`+86 138****5678`), appending to `out`.
    /// The country code is kept (it is not personal) unless the rule hides or replaces the
    /// whole value.
    pub fn mask_mobile_into(&self, mobile: &Mobile, out: &mut String) {
        self.mask_mobile_parts_into(&mobile.country_code, &mobile.number, out);
    }

    /// A masked mobile number (with its country code) as a row holds it: inline when it is
    /// short, as most are.
    pub(crate) fn mask_mobile_text(&self, mobile: &Mobile) -> CompactText {
        CompactText::written(|out| {
            self.mask_mobile_parts_into(&mobile.country_code, &mobile.number, out);
        })
    }

    /// [`Masker::mask_mobile_into`] of a number given as its two parts (the export's compact
    /// copy holds them as packed texts).
    pub(crate) fn mask_mobile_parts_into(
        &self,
        country_code: &str,
        number: &str,
        out: &mut impl Sink,
    ) {
        match self.policy.get(SensitiveField::Mobile) {
            MaskRule::Hidden => {}
            MaskRule::Fixed(t) => out.push_str(t),
            MaskRule::Pseudonym => {
                let mut norm = String::with_capacity(24);
                norm.extend(country_code.chars().filter(char::is_ascii_digit));
                norm.push(' ');
                norm.extend(number.chars().filter(char::is_ascii_digit));
                self.pseudonym_normalised(SensitiveField::Mobile, &norm, out);
            }
            _ => {
                // Only a country code of the validated shape is shown: anything else (digits
                // of the number moved there) is left out rather than shown in clear.
                let country_code = country_code.trim();
                if is_country_code(country_code) {
                    out.push_str(country_code);
                    out.push(' ');
                }
                self.mask_to(SensitiveField::Mobile, number, out);
            }
        }
    }

    fn pseudonym(&self, field: SensitiveField, value: &str, out: &mut impl Sink) {
        if is_pseudonym(value) {
            out.push_str(value);
            return;
        }
        match field {
            SensitiveField::Email => {
                let lower = value.to_lowercase();
                self.pseudonym_normalised(field, &lower, out);
            }
            SensitiveField::Mobile => {
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                self.pseudonym_normalised(field, &format!(" {digits}"), out);
            }
            _ => self.pseudonym_normalised(field, value, out),
        }
    }

    fn pseudonym_normalised(&self, field: SensitiveField, norm: &str, out: &mut impl Sink) {
        // `Masker::new` refuses a pseudonym policy without a key; without one nothing is shown.
        if let Some(key) = self.key {
            key.pseudonym_into(field, norm, out);
        }
    }
}

/// Whether a value has the shape of a pseudonym (`pn_` and 20 lower-case hex digits).
pub(super) fn is_pseudonym(value: &str) -> bool {
    value.strip_prefix(PSEUDONYM_PREFIX).is_some_and(|h| {
        h.len() == PSEUDONYM_HEX && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// `str::trim`, without decoding characters when both ends are visible ASCII (most values,
/// which no trimming changes).
pub(super) fn trim(value: &str) -> &str {
    let b = value.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => value,
        _ => value.trim(),
    }
}

/// How many characters to keep at the start and the end of a value of `n` characters.
pub(super) fn budget(n: usize, first: usize, last: usize) -> (usize, usize) {
    if n > first.saturating_add(last) {
        (first, last)
    } else {
        let half = n / 2;
        let f = first.min(half);
        (f, last.min(half - f))
    }
}

/// Whether `value` already has the shape `prefix *** suffix` with at most `first`/`last`
/// characters around one `***` run (the output of a keep rule).
pub(super) fn is_kept_mask(value: &str, first: usize, last: usize, mask: &str) -> bool {
    // Most values hold no `*` at all: one byte search (memchr) answers without a substring
    // searcher.
    if !value.as_bytes().contains(&b'*') {
        return false;
    }
    match value.find(mask) {
        Some(at) => {
            let head = &value[..at];
            let tail = &value[at + mask.len()..];
            !head.contains('*')
                && !tail.contains('*')
                && head.chars().count() <= first
                && tail.chars().count() <= last
        }
        None => false,
    }
}

/// Keeps the first and last characters, `***` between (idempotent).
pub(super) fn keep_into(value: &str, first: usize, last: usize, out: &mut impl Sink) {
    if is_kept_mask(value, first, last, MASK) {
        out.push_str(value);
        return;
    }
    // Count only as far as needed: most values are longer than `first + last`.
    let need = first.saturating_add(last).saturating_add(1);
    let n = value.chars().take(need).count();
    let (f, l) = if n >= need {
        (first, last)
    } else {
        budget(n, first, last)
    };
    let head_end = value.char_indices().nth(f).map_or(value.len(), |(i, _)| i);
    out.push_str(&value[..head_end]);
    out.push_str(MASK);
    if l > 0 {
        let tail_start = value
            .char_indices()
            .rev()
            .nth(l - 1)
            .map_or(0, |(i, _)| i)
            .max(head_end);
        out.push_str(&value[tail_start..]);
    }
}

/// The local part kept by a keep rule, then `@` and the domain (a value without `@` is masked
/// as a name).
pub(super) fn email_into(value: &str, first: usize, last: usize, out: &mut impl Sink) {
    match value.rsplit_once('@') {
        Some((local, domain)) => {
            if !local.is_empty() {
                keep_into(local, first, last, out);
            }
            out.push('@');
            out.push_str(domain);
        }
        None => keep_into(value, first, last, out),
    }
}

/// Whether a country code has the shape [`Mobile::new`] accepts: `+` or `00` and 1 to 4
/// digits, or 1 to 4 digits.
pub(super) fn is_country_code(cc: &str) -> bool {
    let digits = cc
        .strip_prefix('+')
        .or_else(|| cc.strip_prefix("00"))
        .unwrap_or(cc);
    (1..=4).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a value is exactly `head`, `mask` and `tail` with ASCII digits only around the mask,
/// at most `first` before and `last` after: the output of a mobile mask, and nothing else.
///
/// The head is the run of digits the value starts with, so the mask must begin at the first
/// byte that is not a digit (every mask is `*`s): one pass over a few bytes, no substring search
/// (a `str::find` set up a searcher per call, 4.7% of a CSV export's instructions).
pub(super) fn is_masked_number(value: &str, mask: &str, first: usize, last: usize) -> bool {
    let at = value.bytes().take_while(u8::is_ascii_digit).count();
    let Some(tail) = value.get(at..).and_then(|rest| rest.strip_prefix(mask)) else {
        return false;
    };
    at <= first && tail.len() <= last && tail.bytes().all(|b| b.is_ascii_digit())
}

/// The console's mobile mask of a national number (idempotent: a masked number is kept).
/// Only the exact shapes it produces (`138****5678`, `***34`, `***`) count as masked; any other
/// value is reduced to its digits and masked, so a `*` in a raw value shows nothing more.
pub(super) fn mobile_default_into(number: &str, out: &mut impl Sink) {
    if (number.len() == 11 && is_masked_number(number, MOBILE_MASK, 3, 4))
        || (number.len() == 5 && is_masked_number(number, MASK, 0, 2))
        || number == MASK
    {
        out.push_str(number);
        return;
    }
    let mut digits = [0u8; 32];
    let mut n = 0;
    for b in number.bytes().filter(u8::is_ascii_digit) {
        if n < digits.len() {
            digits[n] = b;
        }
        n += 1;
    }
    let n = n.min(digits.len());
    let d = |r: std::ops::Range<usize>| std::str::from_utf8(&digits[r]).unwrap_or_default();
    if n >= 11 {
        out.push_str(d(0..3));
        out.push_str(MOBILE_MASK);
        out.push_str(d(n - 4..n));
    } else if n >= 7 {
        out.push_str(MASK);
        out.push_str(d(n - 2..n));
    } else if n > 0 {
        out.push_str(MASK);
    }
}

/// A keep rule over a mobile number's digits (idempotent: a masked number, digits around one
/// `***`, is kept; any other value is reduced to its digits and masked).
pub(super) fn mobile_keep_into(number: &str, first: usize, last: usize, out: &mut impl Sink) {
    if is_masked_number(number, MASK, first, last) {
        out.push_str(number);
        return;
    }
    let mut digits = String::with_capacity(number.len());
    digits.extend(number.chars().filter(char::is_ascii_digit));
    if !digits.is_empty() {
        keep_into(&digits, first, last, out);
    }
}

/// Masks a name with the default rule: its first character, then `***` (`张三` → `张***`).
/// Empty stays empty; a one-character name shows nothing (`***`).
///
/// ```
/// assert_eq!(partnerdesk::privacy::mask_name("Zhang Wei"), "Z***");
/// assert_eq!(partnerdesk::privacy::mask_name("张三"), "张***");
/// assert_eq!(partnerdesk::privacy::mask_name("A"), "***");
/// ```
pub fn mask_name(name: &str) -> String {
    masked(name, keep_into)
}

/// The mask `into` writes of the trimmed `value` (first character kept), empty when it is.
fn masked(value: &str, into: fn(&str, usize, usize, &mut String)) -> String {
    let mut out = String::new();
    let value = value.trim();
    if !value.is_empty() {
        into(value, 1, 0, &mut out);
    }
    out
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
    let mut out = String::new();
    mobile_default_into(number.trim(), &mut out);
    out
}

/// Masks an e-mail: first character of the local part, `***`, then `@` and the domain.
/// A value without `@` is masked as a name.
///
/// ```
/// assert_eq!(partnerdesk::privacy::mask_email("alice@example.com"), "a***@example.com");
/// ```
pub fn mask_email(email: &str) -> String {
    masked(email, email_into)
}
