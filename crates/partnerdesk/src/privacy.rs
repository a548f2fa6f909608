//! Personal data: the wrapper that keeps it out of logs, the field classification and the masks.
//!
//! Why a wrapper: the easiest leak is `println!("{customer:?}")` or an error message that quotes
//! a name. [`Personal`] prints `[redacted]` in `Debug` and `Display`; the raw value is reachable
//! only through [`Personal::expose`], which is easy to grep for. Every customer name, mobile
//! number and e-mail on the desk sits in one.
//!
//! Why rules per field: the console masks lists by default (domain §11) and anonymises exports,
//! but partners differ in what they consider sensitive (account names, account managers) and in
//! how much an analyst may see. A [`MaskPolicy`] gives each [`SensitiveField`] a [`MaskRule`];
//! one [`Masker`] applies it to lists ([`Desk::row`](crate::Desk)) and exports alike, so there is
//! one piece of masking code to trust.
//!
//! The console defaults ([`MaskRule::Default`]): a name keeps its first character (`Z***`), a
//! mobile number its first 3 and last 4 digits when it has at least 11 (`138****5678`), an
//! e-mail the first character of the local part and the domain (`a***@example.com`).
//!
//! Guarantees, for every rule:
//!
//! - **No length.** The hidden part is always the same run of asterisks, whatever the length.
//! - **No more than allowed.** A rule that keeps `first` and `last` characters never shows more;
//!   on a value too short for it (no more than `first + last` characters) it shows at most half
//!   of the characters (rounded down, taken from the start first), so a one-character name shows
//!   nothing (`***`) and a two-character one only its first character (`张***`).
//! - **Idempotent.** Masking a masked value gives it back unchanged: a value that already has the
//!   shape of the rule's output (`Z***`, `138****5678`, a pseudonym) is recognised and left
//!   alone. (A raw value that happens to have that shape is therefore left too; such a value
//!   shows no more characters than the rule allows.)
//! - **Characters, not bytes.** Counting is by Unicode scalar value, so Chinese, Japanese,
//!   Korean, Arabic or Thai names are cut on character boundaries. Leading and trailing
//!   whitespace is dropped first.
//! - **Country codes stay.** A mobile number's country calling code (`+86`) is not personal and
//!   is shown before the masked national number, but only in the shape [`Mobile::new`] accepts
//!   (`+` or `00` and 1 to 4 digits, or 1 to 4 digits); anything else is left out.
//! - **Validated raw values.** Every door of the desk (insert, update, snapshot, event, import)
//!   refuses a mobile that is not exactly what [`Mobile::new`] builds, and names or e-mails that
//!   [`crate::validate::name`] / [`crate::validate::email`] refuse, so a mask only ever sees
//!   validated values. The masks stay safe on any text all the same: a mobile counts as already
//!   masked only in the exact shapes the mobile masks produce (`138****5678`, `***34`, `***`,
//!   digits around one `***` for a keep rule); any other value, `*` or not, is reduced to its
//!   digits and masked.
//!
//! A keyed pseudonym ([`MaskRule::Pseudonym`], HMAC-SHA256 with the partner's secret
//! [`PseudonymKey`]) is an option for exports: the same value always gives the same pseudonym,
//! so analysts can join rows without seeing the data, and without the key nobody can test a
//! guess. The key is never saved in a snapshot; the host keeps it and hands it to the desk.

use crate::customer::Mobile;
use crate::error::{Error, Result};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::fmt::{self, Write as _};

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

/// The hidden middle of a long mobile number (`138****5678`, as the console shows it).
const MOBILE_MASK: &str = "****";

/// The prefix of a keyed pseudonym (`pn_` and 20 lower-case hex digits).
pub const PSEUDONYM_PREFIX: &str = "pn_";

/// Hex digits of a pseudonym (80 bits of the HMAC).
const PSEUDONYM_HEX: usize = 20;

/// A personal field of a customer (or of its account manager).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum SensitiveField {
    /// The customer's real-name verified name. Always masked in lists and exports.
    Name,
    /// The customer's mobile number. Always masked in lists and exports.
    Mobile,
    /// The customer's e-mail. Always masked in lists and exports.
    Email,
    /// The customer's account (login) name: masked where the partner configures it.
    AccountName,
    /// The account manager's display name: masked where the partner configures it.
    ManagerName,
}

impl SensitiveField {
    /// Every field, in a fixed order.
    pub const ALL: [SensitiveField; 5] = [
        SensitiveField::Name,
        SensitiveField::Mobile,
        SensitiveField::Email,
        SensitiveField::AccountName,
        SensitiveField::ManagerName,
    ];

    /// The stable text form (`name`, `mobile`, `email`, `account_name`, `manager_name`).
    pub fn as_str(self) -> &'static str {
        match self {
            SensitiveField::Name => "name",
            SensitiveField::Mobile => "mobile",
            SensitiveField::Email => "email",
            SensitiveField::AccountName => "account_name",
            SensitiveField::ManagerName => "manager_name",
        }
    }

    /// Parses the stable text form.
    pub fn parse(s: &str) -> Result<Self> {
        SensitiveField::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                Error::invalid_arg(
                    "field",
                    "expected name, mobile, email, account_name or manager_name",
                )
            })
    }

    /// Whether the export rule always anonymises this field (customer name, mobile, e-mail):
    /// no policy may show it in clear, in a list or in an export.
    pub fn always_masked(self) -> bool {
        matches!(
            self,
            SensitiveField::Name | SensitiveField::Mobile | SensitiveField::Email
        )
    }
}

impl fmt::Display for SensitiveField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one field is masked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum MaskRule {
    /// The console's default for the field: names keep the first character, mobiles the first
    /// 3 and last 4 digits (11 digits or more) or the last 2 (7 to 10), e-mails the first
    /// character of the local part and the domain.
    #[default]
    Default,
    /// Keep the first `first` and the last `last` characters, hide the rest behind `***`. For a
    /// mobile the characters are the national number's digits; for an e-mail, the local part's
    /// (the domain is kept). A value of at most `first + last` characters shows at most half
    /// of them.
    Keep {
        /// Characters kept at the start.
        first: u8,
        /// Characters kept at the end.
        last: u8,
    },
    /// Replace every non-empty value by this text (at most 64 characters, without `*`).
    Fixed(String),
    /// Show nothing (an empty cell).
    Hidden,
    /// A keyed pseudonym: `pn_` and 20 hex digits of HMAC-SHA256 over the field and the
    /// normalised value, keyed with the partner's [`PseudonymKey`]. Exports only.
    Pseudonym,
    /// No masking. Allowed only for the account name and the account manager's name.
    Clear,
}

impl MaskRule {
    fn validate(&self, field: SensitiveField) -> Result<()> {
        match self {
            MaskRule::Clear if field.always_masked() => Err(Error::invalid_arg(
                field.as_str(),
                "customer names, mobile numbers and e-mails are always masked",
            )),
            MaskRule::Fixed(t) if t.chars().count() > 64 || t.contains('*') => {
                Err(Error::invalid_arg(
                    field.as_str(),
                    "a fixed mask has at most 64 characters and no '*'",
                ))
            }
            _ => Ok(()),
        }
    }
}

/// A [`MaskRule`] for every [`SensitiveField`].
///
/// ```
/// use partnerdesk::privacy::{MaskPolicy, MaskRule, SensitiveField};
/// let mut policy = MaskPolicy::console();
/// policy.set(SensitiveField::AccountName, MaskRule::Keep { first: 2, last: 0 })?;
/// assert!(policy.set(SensitiveField::Email, MaskRule::Clear).is_err());
/// # Ok::<(), partnerdesk::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MaskPolicy {
    /// Customer name.
    pub name: MaskRule,
    /// Mobile number.
    pub mobile: MaskRule,
    /// E-mail.
    pub email: MaskRule,
    /// Account name.
    pub account_name: MaskRule,
    /// Account manager's display name.
    pub manager_name: MaskRule,
}

impl Default for MaskPolicy {
    fn default() -> Self {
        MaskPolicy::console()
    }
}

impl MaskPolicy {
    /// The console's policy: name, mobile and e-mail masked by default; account name and
    /// account manager name shown.
    pub fn console() -> Self {
        MaskPolicy {
            name: MaskRule::Default,
            mobile: MaskRule::Default,
            email: MaskRule::Default,
            account_name: MaskRule::Clear,
            manager_name: MaskRule::Clear,
        }
    }

    /// Every field masked with its default rule.
    pub fn strict() -> Self {
        MaskPolicy {
            account_name: MaskRule::Default,
            manager_name: MaskRule::Default,
            ..MaskPolicy::console()
        }
    }

    /// The rule of a field.
    pub fn get(&self, field: SensitiveField) -> &MaskRule {
        match field {
            SensitiveField::Name => &self.name,
            SensitiveField::Mobile => &self.mobile,
            SensitiveField::Email => &self.email,
            SensitiveField::AccountName => &self.account_name,
            SensitiveField::ManagerName => &self.manager_name,
        }
    }

    /// Sets the rule of a field. Refuses to show a name, mobile or e-mail in clear and
    /// malformed fixed texts; nothing changes then.
    pub fn set(&mut self, field: SensitiveField, rule: MaskRule) -> Result<()> {
        rule.validate(field)?;
        let slot = match field {
            SensitiveField::Name => &mut self.name,
            SensitiveField::Mobile => &mut self.mobile,
            SensitiveField::Email => &mut self.email,
            SensitiveField::AccountName => &mut self.account_name,
            SensitiveField::ManagerName => &mut self.manager_name,
        };
        *slot = rule;
        Ok(())
    }

    /// Checks every rule (see [`MaskPolicy::set`]).
    pub fn validate(&self) -> Result<()> {
        SensitiveField::ALL
            .into_iter()
            .try_for_each(|f| self.get(f).validate(f))
    }

    /// Whether any field uses a keyed pseudonym.
    pub fn uses_pseudonym(&self) -> bool {
        SensitiveField::ALL
            .into_iter()
            .any(|f| matches!(self.get(f), MaskRule::Pseudonym))
    }
}

/// The partner's secret for keyed pseudonyms (at least 16 bytes). `Debug` never shows it, and it
/// is never saved in a snapshot.
#[derive(Clone)]
pub struct PseudonymKey(Hmac<Sha256>);

impl PseudonymKey {
    /// A key from the partner's secret bytes (at least 16).
    ///
    /// ```
    /// use partnerdesk::privacy::PseudonymKey;
    /// let key = PseudonymKey::new(b"a partner secret of 32 bytes....")?;
    /// assert_eq!(format!("{key:?}"), "PseudonymKey([redacted])");
    /// assert!(PseudonymKey::new(b"short").is_err());
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn new(secret: &[u8]) -> Result<Self> {
        if secret.len() < 16 {
            return Err(Error::invalid_arg(
                "pseudonym_key",
                "a pseudonym key needs at least 16 bytes",
            ));
        }
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).map_err(|_| {
            Error::invalid_arg("pseudonym_key", "the key could not be used for HMAC-SHA256")
        })?;
        Ok(PseudonymKey(mac))
    }

    /// The pseudonym of a value of a field, appended to `out`.
    fn pseudonym_into(&self, field: SensitiveField, normalised: &str, out: &mut String) {
        let mut mac = self.0.clone();
        mac.update(field.as_str().as_bytes());
        mac.update(&[0]);
        mac.update(normalised.as_bytes());
        let digest = mac.finalize().into_bytes();
        out.push_str(PSEUDONYM_PREFIX);
        for b in digest.iter().take(PSEUDONYM_HEX / 2) {
            let _ = write!(out, "{b:02x}");
        }
    }
}

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PseudonymKey([redacted])")
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
        let mut out = String::new();
        self.mask_into(field, value, &mut out);
        out
    }

    /// Masks a value of a field, appending to `out`. For [`SensitiveField::Mobile`] the value
    /// is the national number (non-digits are dropped); see [`Masker::mask_mobile_into`] for a
    /// number with its country code.
    pub fn mask_into(&self, field: SensitiveField, value: &str, out: &mut String) {
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

    /// [`Masker::mask_mobile_into`] of a number given as its two parts (the export's compact
    /// copy holds them as packed texts).
    pub(crate) fn mask_mobile_parts_into(
        &self,
        country_code: &str,
        number: &str,
        out: &mut String,
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
                self.mask_into(SensitiveField::Mobile, number, out);
            }
        }
    }

    fn pseudonym(&self, field: SensitiveField, value: &str, out: &mut String) {
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

    fn pseudonym_normalised(&self, field: SensitiveField, norm: &str, out: &mut String) {
        // `Masker::new` refuses a pseudonym policy without a key; without one nothing is shown.
        if let Some(key) = self.key {
            key.pseudonym_into(field, norm, out);
        }
    }
}

impl crate::Desk {
    /// Reveals one sensitive field of a customer in clear: the console's eye icon.
    ///
    /// Needs [`Permission::RevealSensitive`](crate::Permission::RevealSensitive), checked with
    /// [`Desk::authorize`](crate::Desk::authorize) on the customer. Every attempt is audited
    /// (kind `reveal`, the customer, the field name; never the value), whether it is allowed or
    /// refused. A customer without the field (no e-mail, no account manager) reveals an empty
    /// string. A mobile number is revealed with its country code (`+86 13812345678`). The
    /// invocation's actor is checked and audited at its `now`; its idempotency key, if any, is
    /// not used (a read changes nothing a retry could repeat).
    ///
    /// ```
    /// use partnerdesk::{demo, access::Actor, audit::AuditFilter, privacy::SensitiveField, Invocation, OperatorId};
    /// let (mut desk, now) = demo::portfolio(20, 1)?;
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// let id = desk.customers().next().map(|c| c.id.clone()).ok_or(partnerdesk::Error::InvalidCursor)?;
    /// let name = desk.reveal(&admin, &id, SensitiveField::Name)?;
    /// assert_eq!(&name, desk.customer(&id)?.name.expose());
    /// assert_eq!(desk.audit_log(&AuditFilter::default().customer(id).kind("reveal")).len(), 1);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn reveal(
        &mut self,
        inv: &crate::invocation::Invocation,
        customer: &crate::ids::CustomerId,
        field: SensitiveField,
    ) -> Result<String> {
        let (actor, now) = (inv.actor(), inv.now());
        let outcome = self
            .authorize(actor, crate::Permission::RevealSensitive, Some(customer))
            .and_then(|()| self.raw_field(customer, field));
        let audit = match &outcome {
            Ok(_) => crate::audit::AuditOutcome::Allowed,
            Err(e) => crate::audit::AuditOutcome::denied(e),
        };
        self.record_audit(
            actor,
            Some(customer),
            "reveal",
            audit,
            format!("field={}", field.as_str()),
            now,
        );
        outcome
    }

    fn raw_field(&self, id: &crate::ids::CustomerId, field: SensitiveField) -> Result<String> {
        let c = self.customer(id)?;
        Ok(match field {
            SensitiveField::Name => c.name.expose().clone(),
            SensitiveField::AccountName => c.account_name.expose().clone(),
            SensitiveField::Email => c
                .email
                .as_ref()
                .map(|e| e.expose().clone())
                .unwrap_or_default(),
            SensitiveField::Mobile => c
                .mobile
                .as_ref()
                .map(|m| {
                    let m = m.expose();
                    if m.country_code.is_empty() {
                        m.number.clone()
                    } else {
                        format!("{} {}", m.country_code, m.number)
                    }
                })
                .unwrap_or_default(),
            SensitiveField::ManagerName => c
                .account_manager
                .as_ref()
                .and_then(|m| self.operators.get(m))
                .map(|o| o.name.expose().clone())
                .unwrap_or_default(),
        })
    }
}

/// Whether a value has the shape of a pseudonym (`pn_` and 20 lower-case hex digits).
fn is_pseudonym(value: &str) -> bool {
    value.strip_prefix(PSEUDONYM_PREFIX).is_some_and(|h| {
        h.len() == PSEUDONYM_HEX && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// `str::trim`, without decoding characters when both ends are visible ASCII (most values,
/// which no trimming changes).
fn trim(value: &str) -> &str {
    let b = value.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => value,
        _ => value.trim(),
    }
}

/// How many characters to keep at the start and the end of a value of `n` characters.
fn budget(n: usize, first: usize, last: usize) -> (usize, usize) {
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
fn is_kept_mask(value: &str, first: usize, last: usize, mask: &str) -> bool {
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
fn keep_into(value: &str, first: usize, last: usize, out: &mut String) {
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
fn email_into(value: &str, first: usize, last: usize, out: &mut String) {
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
fn is_country_code(cc: &str) -> bool {
    let digits = cc
        .strip_prefix('+')
        .or_else(|| cc.strip_prefix("00"))
        .unwrap_or(cc);
    (1..=4).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a value is exactly `head`, `mask` and `tail` with ASCII digits only around the mask,
/// at most `first` before and `last` after: the output of a mobile mask, and nothing else.
fn is_masked_number(value: &str, mask: &str, first: usize, last: usize) -> bool {
    let Some(at) = value.find(mask) else {
        return false;
    };
    let (head, tail) = (&value[..at], &value[at + mask.len()..]);
    head.len() <= first
        && tail.len() <= last
        && head.bytes().chain(tail.bytes()).all(|b| b.is_ascii_digit())
}

/// The console's mobile mask of a national number (idempotent: a masked number is kept).
/// Only the exact shapes it produces (`138****5678`, `***34`, `***`) count as masked; any other
/// value is reduced to its digits and masked, so a `*` in a raw value shows nothing more.
fn mobile_default_into(number: &str, out: &mut String) {
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
fn mobile_keep_into(number: &str, first: usize, last: usize, out: &mut String) {
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
    let mut out = String::new();
    let name = name.trim();
    if !name.is_empty() {
        keep_into(name, 1, 0, &mut out);
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
    let mut out = String::new();
    let email = email.trim();
    if !email.is_empty() {
        email_into(email, 1, 0, &mut out);
    }
    out
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
        // A one-character name used to show as "A***", i.e. in full; it now shows nothing.
        assert_eq!(mask_name("A"), "***");
        assert_eq!(mask_name("Alexander"), "A***");
        assert_eq!(mask_mobile("138 1234 5678"), "138****5678");
        assert_eq!(mask_email("@x.com"), "@x.com");
        assert_eq!(mask_email("bob"), "b***");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn keep_rules_on_short_values_show_at_most_half() {
        let mut out = String::new();
        keep_into("abcd", 3, 4, &mut out);
        assert_eq!(out, "ab***");
        out.clear();
        keep_into("abcdefghij", 3, 4, &mut out);
        assert_eq!(out, "abc***ghij");
        out.clear();
        keep_into("ab", 0, 4, &mut out);
        assert_eq!(out, "***b");
        out.clear();
        keep_into("김민준", 1, 1, &mut out);
        assert_eq!(out, "김***준");
        out.clear();
        keep_into("민준", 1, 1, &mut out);
        assert_eq!(out, "민***");
    }

    #[test]
    fn masks_are_idempotent_on_examples() {
        for v in ["Zhang Wei", "张三", "A", "محمد"] {
            assert_eq!(mask_name(&mask_name(v)), mask_name(v));
        }
        assert_eq!(mask_mobile(&mask_mobile("13812345678")), "138****5678");
        assert_eq!(
            mask_email(&mask_email("alice@example.com")),
            "a***@example.com"
        );
    }
}
