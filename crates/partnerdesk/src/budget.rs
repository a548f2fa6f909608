//! Budgets of reseller-model customers.
//!
//! Why: in the reseller model the partner pays the customer's bills, so the budget is the
//! partner's spending cap per customer. It is monthly (reset each billing month) or one-off
//! ("package", counted from when it was set). Usage is derived from spend, never stored, so it
//! can't drift from the records.

use crate::calendar::BillingOffset;
use crate::customer::Customer;
use crate::error::{Error, Result};
use crate::ids::CustomerId;
use crate::money::Money;
use crate::open_enum::open_enum;
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

/// A validated budget setting: amount in (0, 2147483647] with at most 2 decimals, monthly or
/// one-off, whether reaching 100% freezes the account, whether to unfreeze in the same call,
/// and the usage thresholds (default 80% and 100%).
///
/// Why a value type: the Huawei adapter builds `UpdateSubCustomerBudget` from exactly this
/// value (`budget_amount`, `budget_type`, `frozen_operate_type`, `cancel_partner_frozen`), so
/// a setting the domain refuses never becomes a request. The currency is checked against the
/// partner's when the setting is applied.
///
/// ```
/// use partnerdesk::{BudgetKind, Currency, Money, Decimal, budget::BudgetSetting};
/// let s = BudgetSetting::new(Money::new(Decimal::new(500000, 2), Currency::CNY), BudgetKind::Monthly, true, false)?;
/// assert!(s.auto_freeze());
/// let zero = BudgetSetting::new(Money::zero(Currency::CNY), BudgetKind::Monthly, false, false);
/// assert_eq!(zero.err().map(|e| e.code()), Some("INVALID_MONEY"));
/// # Ok::<(), partnerdesk::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BudgetSetting {
    amount: Money,
    kind: BudgetKind,
    auto_freeze: bool,
    unfreeze: bool,
    thresholds: Vec<Decimal>,
}

impl BudgetSetting {
    /// Validates a setting. Refuses an amount out of (0, 2147483647] or with more than 2
    /// decimals (`INVALID_MONEY`) and a kind other than monthly or one-off (`INVALID_ARGUMENT`).
    pub fn new(amount: Money, kind: BudgetKind, auto_freeze: bool, unfreeze: bool) -> Result<Self> {
        crate::validate::budget_amount("budget_amount", amount.amount)
            .map_err(|(field, reason)| Error::invalid_money(field, reason))?;
        if !matches!(kind, BudgetKind::Monthly | BudgetKind::OneOff) {
            return Err(Error::invalid_arg(
                "budget_type",
                "must be monthly or one_off",
            ));
        }
        Ok(BudgetSetting {
            amount,
            kind,
            auto_freeze,
            unfreeze,
            thresholds: default_thresholds(),
        })
    }

    /// The same setting with other usage thresholds (percent, each in (0, 1000], at least one;
    /// sorted and de-duplicated).
    pub fn with_thresholds(
        mut self,
        thresholds: impl IntoIterator<Item = Decimal>,
    ) -> Result<Self> {
        let mut t: Vec<Decimal> = thresholds.into_iter().map(|d| d.normalize()).collect();
        if t.is_empty()
            || t.iter()
                .any(|x| *x <= Decimal::ZERO || *x > Decimal::from(1000))
        {
            return Err(Error::invalid_arg(
                "thresholds",
                "at least one, each in (0, 1000] percent",
            ));
        }
        t.sort();
        t.dedup();
        self.thresholds = t;
        Ok(self)
    }

    /// The amount (a target, not a delta).
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// Monthly or one-off.
    pub fn kind(&self) -> &BudgetKind {
        &self.kind
    }

    /// Whether reaching 100% freezes the account (Huawei `frozen_operate_type` 1).
    pub fn auto_freeze(&self) -> bool {
        self.auto_freeze
    }

    /// Whether to unfreeze the account in the same call (Huawei `cancel_partner_frozen` "1").
    pub fn unfreeze(&self) -> bool {
        self.unfreeze
    }

    /// The usage thresholds in percent.
    pub fn thresholds(&self) -> &[Decimal] {
        &self.thresholds
    }

    /// The budget this setting puts in force.
    pub(crate) fn to_budget(&self, set_at: DateTime<Utc>, set_by: String) -> Budget {
        Budget {
            kind: self.kind.clone(),
            amount: self.amount,
            set_at,
            set_by,
            auto_freeze: self.auto_freeze,
            thresholds: self.thresholds.clone(),
        }
    }
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
    pub at: DateTime<Utc>,
    /// The operator login, or `system`.
    pub operator: String,
}
