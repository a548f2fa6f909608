//! Invariants of a customer, checked wherever data enters the desk.
//!
//! Why one place: inserting a customer, changing one through the public API and loading a
//! snapshot must all refuse the same bad data, so they share these checks. They return the
//! offending field and the reason; the caller decides which error wraps them.

use crate::customer::{Customer, Mobile};
use crate::error::Error;
use crate::ids::OperatorId;
use crate::model::budget::MAX_BUDGET;
use crate::model::packed::{OrderFacts, ResourceFacts};
use crate::money::{Currency, Money};
use crate::partner::{Operator, Partner};
use rust_decimal::Decimal;
use smallvec::SmallVec;
use std::collections::BTreeMap;

/// Checks an instant at any door (a `now`, a query bound, snapshot and import times, events):
/// see [`crate::calendar::check_instant`]. `INVALID_DATE` naming the field.
pub(crate) fn instant(field: &str, at: chrono::DateTime<chrono::Utc>) -> crate::Result<()> {
    crate::calendar::check_instant(field, at)
}

/// Checks a count of days at any door: see [`crate::calendar::check_days`]. `INVALID_ARGUMENT`
/// naming the field.
pub(crate) fn days(field: &str, days: u64) -> crate::Result<u32> {
    crate::calendar::check_days(field, days)
}

/// The longest customer name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 256;
/// The longest e-mail accepted, in characters (Huawei: 0..=256).
pub const MAX_EMAIL_CHARS: usize = 256;
/// The longest freeze reason accepted, in characters (Huawei: 256).
pub const MAX_REASON_CHARS: usize = 256;

pub(crate) type Invalid = (String, String);

fn bad(field: impl Into<String>, reason: impl Into<String>) -> Invalid {
    (field.into(), reason.into())
}

/// Names the field of a refusal only once there is one: the fields of list items
/// (`orders[3].amount`) are formatted on the error path, never for the values that pass (a
/// snapshot of a million customers would otherwise format millions of names to drop them).
fn named(field: impl FnOnce() -> String) -> impl FnOnce(Invalid) -> Invalid {
    move |(_, reason)| (field(), reason)
}

/// Why a customer was refused: the offending field, the reason (never the value), and whether
/// the field is an amount (so the caller can answer `INVALID_MONEY` rather than
/// `INVALID_ARGUMENT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) field: String,
    pub(crate) reason: String,
    pub(crate) money: bool,
}

impl Refusal {
    fn arg((field, reason): Invalid) -> Self {
        Refusal {
            field,
            reason,
            money: false,
        }
    }

    fn money((field, reason): Invalid) -> Self {
        Refusal {
            field,
            reason,
            money: true,
        }
    }

    /// The error a command or an insert answers: `INVALID_MONEY` for an amount, else
    /// `INVALID_ARGUMENT`.
    pub(crate) fn into_error(self) -> Error {
        if self.money {
            Error::invalid_money(self.field, self.reason)
        } else {
            Error::invalid_arg(self.field, self.reason)
        }
    }

    /// The same refusal with its field under `prefix` (`events[seq=7].customer`).
    pub(crate) fn under(self, prefix: &str) -> Self {
        Refusal {
            field: format!("{prefix}.{}", self.field),
            ..self
        }
    }

    /// The error a snapshot load answers (`INVALID_SNAPSHOT`), the field under `prefix`.
    #[cfg(feature = "serde")]
    pub(crate) fn into_snapshot_error(self, prefix: &str) -> Error {
        Error::snapshot(format!("{prefix}.{}", self.field), self.reason)
    }
}

fn text(field: &str, v: &str, max: usize, allow_empty: bool) -> Result<(), Invalid> {
    if !allow_empty && v.trim().is_empty() {
        return Err(bad(field, "empty"));
    }
    // A value of at most `max` bytes has at most `max` characters: counted only when longer.
    if v.len() > max && v.chars().count() > max {
        return Err(bad(field, format!("longer than {max} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(bad(field, "contains control characters"));
    }
    Ok(())
}

fn money(field: &str, m: &Money, currency: Currency) -> Result<(), Invalid> {
    if m.currency != currency {
        return Err(bad(
            field,
            format!("currency {} is not the partner's {}", m.currency, currency),
        ));
    }
    Ok(())
}

/// Whether `amount` has more than `places` decimal places once its trailing zeros are
/// dropped; `normalize` (a division by ten for each trailing zero) only for an amount whose
/// scale is larger, as few are.
fn more_places_than(amount: Decimal, places: u32) -> bool {
    amount.scale() > places && amount.normalize().scale() > places
}

/// The largest spend amount of one record, in either direction (a quadrillion).
pub const MAX_SPEND_RECORD: i64 = 1_000_000_000_000_000;

/// Checks a spend amount: the partner's currency, at most 8 decimal places (so month sums stay
/// exact in the search index's fixed-point keys), at most a quadrillion in either direction (so
/// sums of any realistic number of records cannot overflow).
pub(crate) fn spend_amount(field: &str, m: &Money, currency: Currency) -> Result<(), Invalid> {
    money(field, m, currency)?;
    if more_places_than(m.amount, crate::index::KEY_SCALE) {
        return Err(bad(field, "more than 8 decimal places"));
    }
    if m.amount.abs() > Decimal::from(MAX_SPEND_RECORD) {
        return Err(bad(field, "larger than 10^15 in absolute value"));
    }
    Ok(())
}

/// Checks a budget amount: in (0, 2147483647] with at most 2 decimals.
pub(crate) fn budget_amount(field: &str, amount: Decimal) -> Result<(), Invalid> {
    if amount <= Decimal::ZERO || amount > Decimal::from(MAX_BUDGET) {
        return Err(bad(field, "must be greater than 0 and at most 2147483647"));
    }
    if more_places_than(amount, 2) {
        return Err(bad(field, "more than 2 decimal places"));
    }
    Ok(())
}

/// Checks a budget in force: its amount ([`budget_amount`]) in the partner's currency.
pub(crate) fn budget_money(field: &str, m: &Money, currency: Currency) -> Result<(), Invalid> {
    money(field, m, currency)?;
    budget_amount(field, m.amount)
}

/// The largest amount of one order (a quadrillion, as for a spend record).
pub const MAX_ORDER_AMOUNT: i64 = 1_000_000_000_000_000;

/// Checks an order amount, whichever door the order comes through (a command, a customer
/// inserted or loaded from a snapshot, an `order_placed` event, a Huawei import): the partner's
/// currency, not negative, at most 8 decimal places (refused, never rounded) and at most
/// [`MAX_ORDER_AMOUNT`], so the sum of a customer's unpaid orders stays far inside the decimal
/// range (and is computed with checked arithmetic all the same).
pub(crate) fn order_amount(field: &str, m: &Money, currency: Currency) -> Result<(), Invalid> {
    money(field, m, currency)?;
    if m.amount.is_sign_negative() && !m.amount.is_zero() {
        return Err(bad(field, "negative"));
    }
    if more_places_than(m.amount, crate::index::KEY_SCALE) {
        return Err(bad(field, "more than 8 decimal places"));
    }
    if m.amount > Decimal::from(MAX_ORDER_AMOUNT) {
        return Err(bad(field, "larger than 10^15"));
    }
    Ok(())
}

/// Checks an instant of a customer; the field is named (formatted) only when it is refused.
fn when(field: impl FnOnce() -> String, at: chrono::DateTime<chrono::Utc>) -> Result<(), Invalid> {
    instant("", at).map_err(|_| {
        let reason = format!(
            "must lie in the years {} to {}",
            crate::calendar::MIN_YEAR,
            crate::calendar::MAX_YEAR
        );
        bad(field(), reason)
    })
}

/// Every instant and day of a customer lies in the years the desk accepts (see [`instant`]).
fn times(c: &Customer, lists: &Lists<'_>) -> Result<(), Invalid> {
    use chrono::Datelike;
    when(|| "association.since".into(), c.association.since)?;
    if let Some(t) = c.association.ended {
        when(|| "association.ended".into(), t)?;
    }
    // The packed lists are read without making their texts (the checks need none).
    for (i, r) in lists.resources.iter().enumerate() {
        when(|| format!("resources[{i}].starts_at"), r.starts_at)?;
        if let Some(t) = r.expires_at {
            when(|| format!("resources[{i}].expires_at"), t)?;
        }
    }
    for (i, o) in lists.orders.iter().enumerate() {
        when(|| format!("orders[{i}].created_at"), o.created_at)?;
        if let Some(t) = o.paid_at {
            when(|| format!("orders[{i}].paid_at"), t)?;
        }
    }
    // The days as numbers from the common era, against the first and the last day accepted.
    let day_number = |year, month, day| {
        chrono::NaiveDate::from_ymd_opt(year, month, day).map(|d| d.num_days_from_ce())
    };
    let (first, last) = (
        day_number(crate::calendar::MIN_YEAR, 1, 1),
        day_number(crate::calendar::MAX_YEAR, 12, 31),
    );
    for (i, &(day, _)) in lists.spend.iter().enumerate() {
        if first.is_none_or(|f| day < f) || last.is_none_or(|l| day > l) {
            return Err(bad(
                format!("spend[{i}].day"),
                "must lie in the years 1970 to 9999",
            ));
        }
    }
    if let Some(f) = c.freeze.freeze() {
        when(|| "freeze.at".into(), f.at)?;
    }
    if let Some(b) = &c.budget {
        when(|| "budget.set_at".into(), b.set_at)?;
    }
    Ok(())
}

/// Checks budget usage thresholds: at least one, each in (0, 1000] percent.
pub(crate) fn thresholds(field: &str, t: &[Decimal]) -> Result<(), Invalid> {
    if t.is_empty() {
        return Err(bad(field, "at least one threshold"));
    }
    if t.iter()
        .any(|x| *x <= Decimal::ZERO || *x > Decimal::from(1000))
    {
        return Err(bad(field, "each must be in (0, 1000] percent"));
    }
    Ok(())
}

/// Checks a customer name: at most [`MAX_NAME_CHARS`] characters, no control characters (may
/// be empty: Huawei has customers without a verified name).
///
/// ```
/// assert!(partnerdesk::validate::name("Acme Ltd.").is_ok());
/// assert_eq!(partnerdesk::validate::name("a\u{0}b").map_err(|e| e.code()), Err("INVALID_ARGUMENT"));
/// ```
pub fn name(value: &str) -> crate::error::Result<()> {
    text("name", value, MAX_NAME_CHARS, true)
        .map_err(|(field, reason)| Error::invalid_arg(field, reason))
}

/// Checks an e-mail: 1 to [`MAX_EMAIL_CHARS`] characters, no control characters, an `@`.
///
/// ```
/// assert!(partnerdesk::validate::email("alice@example.com").is_ok());
/// assert_eq!(partnerdesk::validate::email("alice").map_err(|e| e.code()), Err("INVALID_ARGUMENT"));
/// ```
pub fn email(value: &str) -> crate::error::Result<()> {
    email_text(value).map_err(|(field, reason)| Error::invalid_arg(field, reason))
}

fn email_text(value: &str) -> Result<(), Invalid> {
    text("email", value, MAX_EMAIL_CHARS, false)?;
    if !value.contains('@') {
        return Err(bad("email", "has no '@'"));
    }
    Ok(())
}

/// Checks a stored mobile number: it must be exactly what [`Mobile::new`] builds from its two
/// parts (1 to 20 ASCII digits; a country code of `+` or `00` and 1 to 4 digits, or 1 to 4
/// digits, or empty). So a number holding `*`, or digits moved into the country code, is
/// refused at every door, and masks only ever see validated digits.
fn mobile(m: &Mobile) -> Result<(), Invalid> {
    match Mobile::new(&m.country_code, &m.number) {
        Ok(valid) if valid == *m => Ok(()),
        Ok(_) => Err(bad(
            "mobile",
            "not in normal form (build it with Mobile::new)",
        )),
        Err(crate::error::Error::InvalidArgument { field, reason }) => Err(bad(field, reason)),
        Err(_) => Err(bad("mobile", "not a mobile number")),
    }
}

/// Checks a whole customer, as every door does (insert, upsert, update, association, snapshot
/// load, an `associated` event, a Huawei import): amounts first ([`Refusal::money`]), then
/// every other field, personal values included.
pub(crate) fn customer(
    c: &Customer,
    partner: &Partner,
    operators: &BTreeMap<OperatorId, Operator>,
) -> Result<(), Refusal> {
    let lists = Lists::of(c);
    amounts(c, &lists, partner.currency).map_err(Refusal::money)?;
    fields(c, &lists, operators).map_err(Refusal::arg)
}

/// What the checks read of a customer's packed lists, read once (on the stack for the few
/// records most customers hold: no heap block a customer on a load): the amounts and the
/// times are checked apart, in that order, from the same records.
struct Lists<'a> {
    resources: SmallVec<[ResourceFacts<'a>; 8]>,
    orders: SmallVec<[OrderFacts; 8]>,
    spend: SmallVec<[(i32, Money); 8]>,
}

impl<'a> Lists<'a> {
    fn of(c: &'a Customer) -> Lists<'a> {
        Lists {
            resources: c.resources.facts().collect(),
            orders: c.orders.facts().collect(),
            spend: c.spend.amounts().collect(),
        }
    }
}

/// Every amount of a customer: the budget, the orders and the spend records.
fn amounts(c: &Customer, lists: &Lists<'_>, currency: Currency) -> Result<(), Invalid> {
    if let Some(b) = &c.budget {
        budget_money("budget.amount", &b.amount, currency)?;
    }
    for (i, o) in lists.orders.iter().enumerate() {
        order_amount("", &o.amount, currency).map_err(named(|| format!("orders[{i}].amount")))?;
    }
    for (i, (_, amount)) in lists.spend.iter().enumerate() {
        spend_amount("", amount, currency).map_err(named(|| format!("spend[{i}].amount")))?;
    }
    Ok(())
}

/// Everything but the amounts.
fn fields(
    c: &Customer,
    lists: &Lists<'_>,
    operators: &BTreeMap<OperatorId, Operator>,
) -> Result<(), Invalid> {
    text("name", c.name.expose(), MAX_NAME_CHARS, true)?;
    text("account_name", c.account_name.expose(), 64, false)?;
    if let Some(e) = &c.email {
        email_text(e.expose())?;
    }
    if let Some(m) = &c.mobile {
        mobile(m.expose())?;
    }
    if let Some(m) = &c.account_manager
        && !operators.contains_key(m)
    {
        return Err(bad(
            "account_manager",
            format!("operator {m} is not on the desk"),
        ));
    }
    if let Some(end) = c.association.ended
        && end < c.association.since
    {
        return Err(bad("association.ended", "before the association began"));
    }
    if let Some(f) = c.freeze.freeze() {
        text("freeze.reason", &f.reason, MAX_REASON_CHARS, true)?;
    }
    if let Some(b) = &c.budget {
        if !c.association.is_reseller_model() {
            return Err(bad("budget", "only reseller-model customers have budgets"));
        }
        thresholds("budget.thresholds", &b.thresholds)?;
    }
    times(c, lists)?;
    let resources = &lists.resources;
    // A customer's few resources are compared pairwise, without a hash set to allocate; a
    // long list (more than 32) is checked with one.
    let few = resources.len() <= 32;
    let mut ids = std::collections::HashSet::new();
    for (i, r) in resources.iter().enumerate() {
        let repeat = if few {
            resources
                .get(..i)
                .is_some_and(|before| before.iter().any(|p| p.id == r.id))
        } else {
            !ids.insert(&r.id)
        };
        if repeat {
            return Err(bad(format!("resources[{i}].id"), "duplicate resource id"));
        }
        if let Some(e) = r.expires_at
            && e < r.starts_at
        {
            return Err(bad(
                format!("resources[{i}].expires_at"),
                "before the resource starts",
            ));
        }
    }
    Ok(())
}

/// Checks a reason: 1..=256 characters after trimming, no control characters.
pub(crate) fn reason(reason: &str) -> crate::error::Result<()> {
    let bad = |r: &str| {
        Err(crate::error::Error::InvalidReason {
            reason: r.to_owned(),
        })
    };
    if reason.trim().is_empty() {
        return bad("empty");
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return bad("longer than 256 characters");
    }
    if reason.chars().any(char::is_control) {
        return bad("contains control characters");
    }
    Ok(())
}

/// Checks how many customer ids a batch command names: at least one (`INVALID_ARGUMENT` on
/// `customer_ids`), at most `max` (`TOO_MANY_IDS`).
pub(crate) fn id_count(given: usize, max: usize) -> crate::error::Result<()> {
    if given == 0 {
        return Err(crate::error::Error::invalid_arg(
            "customer_ids",
            "at least one id is needed",
        ));
    }
    if given > max {
        return Err(crate::error::Error::TooManyIds { given, max });
    }
    Ok(())
}

/// The position of the first value in `values` equal to one before it, if there is one.
#[cfg_attr(not(feature = "serde"), allow(dead_code))]
pub(crate) fn first_repeat<'a, T: Eq + std::hash::Hash + 'a>(
    values: impl ExactSizeIterator<Item = &'a T>,
) -> Option<usize> {
    first_repeat_of(values.len(), values)
}

/// [`first_repeat`] over `len` values that do not know their number (a load's chunks).
pub(crate) fn first_repeat_of<'a, T: Eq + std::hash::Hash + 'a>(
    len: usize,
    values: impl Iterator<Item = &'a T>,
) -> Option<usize> {
    let mut seen = std::collections::HashSet::with_capacity_and_hasher(
        len,
        foldhash::fast::RandomState::default(),
    );
    values.into_iter().position(|v| !seen.insert(v))
}
