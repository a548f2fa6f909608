//! Spend records.
//!
//! Why records and not totals: month-to-date, last month, the change against the same days of
//! last month, product rankings and daily series are all views of the same records; keeping the
//! records (a refund is a negative amount) makes every view exact and consistent.

use crate::model::money::Money;
use crate::model::open_enum::open_enum;
use crate::model::text::SharedText;
use chrono::NaiveDate;

open_enum! {
    /// Charging mode of spend (Huawei `charging_mode` 1/3/10/11).
    pub enum ChargingMode {
        /// Yearly/monthly (`1`).
        YearlyMonthly => "yearly_monthly",
        /// Pay-per-use (`3`).
        PayPerUse => "pay_per_use",
        /// Reserved instance (`10`).
        ReservedInstance => "reserved_instance",
        /// Savings plan (`11`).
        SavingsPlan => "savings_plan",
    }
}

/// One day's spend of a customer on one product.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SpendRecord {
    /// Billing day (in the partner's billing time zone).
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::model::serde_fast::day")
    )]
    pub day: NaiveDate,
    /// Product or cloud service code.
    pub product: SharedText,
    /// Amount; negative for refunds.
    pub amount: Money,
    /// Charging mode.
    pub mode: ChargingMode,
}
