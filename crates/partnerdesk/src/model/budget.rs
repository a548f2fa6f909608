//! Budgets of reseller-model customers.
//!
//! Why: in the reseller model the partner pays the customer's bills, so the budget is the
//! partner's spending cap per customer. It is monthly (reset each billing month) or one-off
//! ("package", counted from when it was set). Usage is derived from spend, never stored, so it
//! can't drift from the records.

use crate::model::calendar::BillingOffset;
use crate::model::customer::Customer;
use crate::model::ids::CustomerId;
use crate::model::money::Money;
use crate::model::open_enum::open_enum;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// The largest budget Huawei accepts (2^31 - 1).
pub const MAX_BUDGET: i64 = 2_147_483_647;

open_enum! {
    /// Monthly or one-off.
    pub enum BudgetKind {
        /// Resets every billing month (Huawei `MONTHLY`).
        Monthly => "monthly",
        /// Counted from when it was set (Huawei `PACKAGE`).
        OneOff => "one_off",
    }
}

/// A budget in force.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Budget {
    /// Monthly or one-off.
    pub kind: BudgetKind,
    /// The amount, in the partner's currency, in (0, 2147483647] with at most 2 decimals.
    pub amount: Money,
    /// When it was set.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::model::serde_fast::instant")
    )]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant")
    )]
    pub set_at: DateTime<Utc>,
    /// Who set it (operator login, or `system` for imported data).
    pub set_by: String,
    /// Whether reaching 100% freezes the account (off by default).
    #[cfg_attr(feature = "serde", serde(default))]
    pub auto_freeze: bool,
    /// Usage thresholds in percent whose crossing raises an event (default 80 and 100).
    #[cfg_attr(feature = "serde", serde(default = "default_thresholds"))]
    pub thresholds: Vec<Decimal>,
}

/// The default thresholds: 80% and 100%.
pub fn default_thresholds() -> Vec<Decimal> {
    vec![Decimal::from(80), Decimal::from(100)]
}

impl Budget {
    /// Spend counted against the budget at `now`: the current billing month's spend (monthly)
    /// or the spend since the billing day it was set (one-off).
    pub fn used(&self, customer: &Customer, now: DateTime<Utc>, offset: BillingOffset) -> Decimal {
        match self.kind {
            BudgetKind::OneOff => {
                customer.spend_between(offset.day_of(self.set_at), offset.day_of(now))
            }
            _ => customer.month_to_date(now, offset),
        }
    }

    /// Percentage of the budget used at `now`, rounded to 2 decimals.
    pub fn usage_percent(
        &self,
        customer: &Customer,
        now: DateTime<Utc>,
        offset: BillingOffset,
    ) -> Decimal {
        percent(self.used(customer, now, offset), self.amount.amount)
    }
}

/// `used / amount * 100`, rounded half away from zero to 2 decimals; 0 when the amount is not
/// positive.
pub fn percent(used: Decimal, amount: Decimal) -> Decimal {
    if amount <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    used.checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|x| x.checked_div(amount))
        .map(|p| p.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
        .unwrap_or(Decimal::MAX)
}

open_enum! {
    /// What a budget record records (Huawei `operation_type`).
    pub enum BudgetOperation {
        /// A budget was set (Huawei `SETTING`).
        Setting => "setting",
        /// The budget was removed because the association ended (Huawei `DELETE`).
        Delete => "delete",
    }
}

/// One record of a budget setting or deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct BudgetRecord {
    /// The customer.
    pub customer: CustomerId,
    /// Setting or deletion.
    pub operation: BudgetOperation,
    /// The amount set (or removed).
    pub amount: Money,
    /// Monthly or one-off.
    pub kind: BudgetKind,
    /// When.
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant")
    )]
    pub at: DateTime<Utc>,
    /// The operator login, or `system`.
    pub operator: String,
}

impl BudgetRecord {
    /// A record of a budget set or deleted (as the adapters build them from imported history).
    pub fn new(
        customer: CustomerId,
        operation: BudgetOperation,
        amount: Money,
        kind: BudgetKind,
        at: DateTime<Utc>,
        operator: impl Into<String>,
    ) -> Self {
        BudgetRecord {
            customer,
            operation,
            amount,
            kind,
            at,
            operator: operator.into(),
        }
    }
}
