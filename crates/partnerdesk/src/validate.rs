//! Invariants of a customer, checked wherever data enters the desk.
//!
//! Why one place: inserting a customer, changing one through the public API and loading a
//! snapshot must all refuse the same bad data, so they share these checks. They return the
//! offending field and the reason; the caller decides which error wraps them.

use crate::budget::MAX_BUDGET;
use crate::customer::Customer;
use crate::ids::OperatorId;
use crate::money::{Currency, Money};
use crate::partner::{Operator, Partner};
use rust_decimal::Decimal;
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

fn text(field: &str, v: &str, max: usize, allow_empty: bool) -> Result<(), Invalid> {
    if !allow_empty && v.trim().is_empty() {
        return Err(bad(field, "empty"));
    }
    if v.chars().count() > max {
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

/// The largest spend amount of one record, in either direction (a quadrillion).
pub const MAX_SPEND_RECORD: i64 = 1_000_000_000_000_000;

/// Checks a spend amount: the partner's currency, at most 8 decimal places (so month sums stay
/// exact in the search index's fixed-point keys), at most a quadrillion in either direction (so
/// sums of any realistic number of records cannot overflow).
pub(crate) fn spend_amount(field: &str, m: &Money, currency: Currency) -> Result<(), Invalid> {
    money(field, m, currency)?;
    if m.amount.normalize().scale() > crate::index::KEY_SCALE {
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
    if amount.normalize().scale() > 2 {
        return Err(bad(field, "more than 2 decimal places"));
    }
    Ok(())
}

fn when(field: impl Into<String>, at: chrono::DateTime<chrono::Utc>) -> Result<(), Invalid> {
    let field = field.into();
    instant(&field, at).map_err(|_| {
        let reason = format!(
            "must lie in the years {} to {}",
            crate::calendar::MIN_YEAR,
            crate::calendar::MAX_YEAR
        );
        bad(field, reason)
    })
}

/// Every instant and day of a customer lies in the years the desk accepts (see [`instant`]).
fn times(c: &Customer) -> Result<(), Invalid> {
    use chrono::Datelike;
    when("association.since", c.association.since)?;
    if let Some(t) = c.association.ended {
        when("association.ended", t)?;
    }
    for (i, r) in c.resources.iter().enumerate() {
        when(format!("resources[{i}].starts_at"), r.starts_at)?;
        if let Some(t) = r.expires_at {
            when(format!("resources[{i}].expires_at"), t)?;
        }
    }
    for (i, o) in c.orders.iter().enumerate() {
        when(format!("orders[{i}].created_at"), o.created_at)?;
        if let Some(t) = o.paid_at {
            when(format!("orders[{i}].paid_at"), t)?;
        }
    }
    for (i, s) in c.spend.iter().enumerate() {
        if !(crate::calendar::MIN_YEAR..=crate::calendar::MAX_YEAR).contains(&s.day.year()) {
            return Err(bad(
                format!("spend[{i}].day"),
                "must lie in the years 1970 to 9999",
            ));
        }
    }
    if let Some(f) = c.freeze.freeze() {
        when("freeze.at", f.at)?;
    }
    if let Some(b) = &c.budget {
        when("budget.set_at", b.set_at)?;
    }
    Ok(())
}

pub(crate) fn customer(
    c: &Customer,
    partner: &Partner,
    operators: &BTreeMap<OperatorId, Operator>,
) -> Result<(), Invalid> {
    text("name", c.name.expose(), MAX_NAME_CHARS, true)?;
    text("account_name", c.account_name.expose(), 64, false)?;
    if let Some(e) = &c.email {
        text("email", e.expose(), MAX_EMAIL_CHARS, false)?;
        if !e.expose().contains('@') {
            return Err(bad("email", "has no '@'"));
        }
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
        money("budget.amount", &b.amount, partner.currency)?;
        budget_amount("budget.amount", b.amount.amount)?;
        if !c.association.is_reseller_model() {
            return Err(bad("budget", "only reseller-model customers have budgets"));
        }
        if b.thresholds
            .iter()
            .any(|t| *t <= Decimal::ZERO || *t > Decimal::from(1000))
        {
            return Err(bad(
                "budget.thresholds",
                "each must be in (0, 1000] percent",
            ));
        }
    }
    for (i, o) in c.orders.iter().enumerate() {
        money(&format!("orders[{i}].amount"), &o.amount, partner.currency)?;
    }
    for (i, s) in c.spend.iter().enumerate() {
        spend_amount(&format!("spend[{i}].amount"), &s.amount, partner.currency)?;
    }
    times(c)?;
    let mut ids = std::collections::HashSet::new();
    for (i, r) in c.resources.iter().enumerate() {
        if !ids.insert(&r.id) {
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
