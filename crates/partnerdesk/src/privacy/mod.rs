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
//!   is shown before the masked national number, but only in the shape [`Mobile::new`](crate::customer::Mobile::new) accepts
//!   (`+` or `00` and 1 to 4 digits, or 1 to 4 digits); anything else is left out.
//! - **Validated raw values.** Every door of the desk (insert, update, snapshot, event, import)
//!   refuses a mobile that is not exactly what [`Mobile::new`](crate::customer::Mobile::new) builds, and names or e-mails that
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

mod mask;
mod pseudonym;
mod reveal;

pub use mask::{Masker, mask_email, mask_mobile, mask_name};
pub use pseudonym::PseudonymKey;

use crate::error::{Error, Result};
use std::fmt;

pub use crate::model::personal::Personal;

/// The hidden part of every mask: fixed, so a mask never tells the length.
pub const MASK: &str = "***";

/// The hidden middle of a long mobile number (`138****5678`, as the console shows it).
pub(super) const MOBILE_MASK: &str = "****";

/// The prefix of a keyed pseudonym (`pn_` and 20 lower-case hex digits).
pub const PSEUDONYM_PREFIX: &str = "pn_";

/// Hex digits of a pseudonym (80 bits of the HMAC).
pub(super) const PSEUDONYM_HEX: usize = 20;

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

/// Which of the desk's two mask policies: the one of rows (every list and page,
/// [`Desk::set_row_policy`](crate::Desk::set_row_policy)) or the default one of exports
/// ([`Desk::set_export_policy`](crate::Desk::set_export_policy)). Named by the
/// `mask_policy_set` event ([`crate::event::EventKind::MaskPolicySet`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum MaskedList {
    /// Rows: what every list, page and search result shows.
    Rows,
    /// Exports that name no policy of their own.
    Exports,
}

impl MaskedList {
    /// The stable text form (`rows`, `exports`).
    pub fn as_str(self) -> &'static str {
        match self {
            MaskedList::Rows => "rows",
            MaskedList::Exports => "exports",
        }
    }

    /// Checks a policy for this list, as its setter does (and a replayed event or a loaded
    /// snapshot is checked): no customer name, mobile or e-mail in clear, no malformed fixed
    /// text, and for rows no keyed pseudonym (exports only). `INVALID_ARGUMENT` naming the
    /// field otherwise.
    ///
    /// ```
    /// use partnerdesk::privacy::{MaskPolicy, MaskRule, MaskedList};
    /// let pseudonyms = MaskPolicy { name: MaskRule::Pseudonym, ..MaskPolicy::console() };
    /// assert!(MaskedList::Exports.check(&pseudonyms).is_ok());
    /// assert!(MaskedList::Rows.check(&pseudonyms).is_err());
    /// ```
    pub fn check(self, policy: &MaskPolicy) -> Result<()> {
        policy.validate()?;
        if self == MaskedList::Rows
            && let Some(field) = SensitiveField::ALL
                .into_iter()
                .find(|f| matches!(policy.get(*f), MaskRule::Pseudonym))
        {
            return Err(Error::invalid_arg(
                field.as_str(),
                "keyed pseudonyms are for exports; lists use masks",
            ));
        }
        Ok(())
    }
}

impl fmt::Display for MaskedList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::mask::*;
    use super::*;
    use proptest::prelude::*;

    /// The substring search `is_masked_number` used before it looked at bytes: the reference.
    fn masked_number_by_search(value: &str, mask: &str, first: usize, last: usize) -> bool {
        let Some(at) = value.find(mask) else {
            return false;
        };
        let (head, tail) = (&value[..at], &value[at + mask.len()..]);
        head.len() <= first
            && tail.len() <= last
            && head.bytes().chain(tail.bytes()).all(|b| b.is_ascii_digit())
    }

    proptest! {
        /// The byte scan accepts exactly what the substring search accepted, for both masks
        /// and every window the mobile masks use.
        #[test]
        fn masked_number_same_as_search(
            value in "[0-9*a ]{0,14}",
            long in any::<bool>(),
            first in 0usize..5,
            last in 0usize..6,
        ) {
            let mask = if long { MOBILE_MASK } else { MASK };
            prop_assert_eq!(
                is_masked_number(&value, mask, first, last),
                masked_number_by_search(&value, mask, first, last)
            );
        }
    }

    /// Every rule, `Fixed` with a short and a long text (the inline text's limit is 24 bytes).
    fn any_rule() -> impl Strategy<Value = MaskRule> {
        prop_oneof![
            Just(MaskRule::Default),
            (0u8..6, 0u8..6).prop_map(|(first, last)| MaskRule::Keep { first, last }),
            Just(MaskRule::Fixed("n/a".into())),
            Just(MaskRule::Fixed("withheld by the partner's policy".into())),
            Just(MaskRule::Hidden),
            Just(MaskRule::Pseudonym),
            Just(MaskRule::Clear),
        ]
    }

    proptest! {
        /// A row's masks, written into its inline texts, are the masks `Masker::mask` and
        /// `mask_mobile_into` write into a `String`: for every field and rule, values short
        /// and long (past the 24 bytes kept inline), in any script, and mobile numbers with
        /// and without a country code.
        #[test]
        fn inline_masks_equal_string_masks(
            rule in any_rule(),
            value in "[a-zA-Z0-9 @.*张三😀é_-]{0,40}",
            country_code in "(\\+86|0044|1|)",
            number in "[0-9 *]{0,24}",
        ) {
            let policy = MaskPolicy {
                name: rule.clone(),
                mobile: rule.clone(),
                email: rule.clone(),
                account_name: rule.clone(),
                manager_name: rule,
            };
            let key = PseudonymKey::new(b"a partner secret of 32 bytes....");
            prop_assert!(key.is_ok());
            let Ok(key) = key else { return Ok(()) };
            let masker = Masker::checked(&policy, Some(&key));
            for field in SensitiveField::ALL {
                let (inline, string) = (masker.mask_text(field, &value), masker.mask(field, &value));
                prop_assert_eq!(inline.as_str(), string.as_str());
            }
            let mobile = crate::customer::Mobile {
                country_code: country_code.into(),
                number: number.as_str().into(),
            };
            let mut out = String::new();
            masker.mask_mobile_into(&mobile, &mut out);
            let inline = masker.mask_mobile_text(&mobile);
            prop_assert_eq!(inline.as_str(), out.as_str());
        }
    }

    #[test]
    fn personal_never_prints() {
        let p: Personal<String> = Personal::new("张三".to_string());
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
