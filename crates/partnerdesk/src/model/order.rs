//! Orders of a customer.
//!
//! Why: the overview counts unpaid and all orders, and orders placed on a customer's behalf are
//! the partner's commitment of money, so they carry who placed them.

use crate::model::ids::{OperatorId, OrderId};
use crate::model::money::Money;
use crate::model::open_enum::open_enum;
use chrono::{DateTime, Utc};

open_enum! {
    /// Order status (Huawei `status`; the adapter crate maps the codes).
    pub enum OrderStatus {
        /// Pending payment ("unpaid", Huawei `6`).
        PendingPayment => "pending_payment",
        /// Processing (Huawei `3`).
        Processing => "processing",
        /// Completed (Huawei `5`).
        Completed => "completed",
        /// Cancelled (Huawei `4`).
        Cancelled => "cancelled",
        /// Pending review (Huawei `1`).
        PendingReview => "pending_review",
        /// Pending confirmation (Huawei `9`).
        PendingConfirmation => "pending_confirmation",
        /// Pending refund (Huawei `2`, on the newer order model).
        PendingRefund => "pending_refund",
    }
}

open_enum! {
    /// Order type (Huawei `order_type`).
    pub enum OrderType {
        /// New purchase (`1`).
        New => "new",
        /// Renewal (`2`).
        Renewal => "renewal",
        /// Change (`3`).
        Change => "change",
        /// Unsubscription (`4`).
        Unsubscription => "unsubscription",
        /// Switch from pay-per-use to yearly/monthly (Huawei `11`).
        ToYearlyMonthly => "to_yearly_monthly",
    }
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Order {
    /// Order id.
    pub id: OrderId,
    /// Status.
    pub status: OrderStatus,
    /// Type.
    pub kind: OrderType,
    /// Amount after discounts.
    pub amount: Money,
    /// When it was created.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::model::serde_fast::instant")
    )]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant")
    )]
    pub created_at: DateTime<Utc>,
    /// When it was paid, if paid.
    #[cfg_attr(
        feature = "serde",
        serde(default, deserialize_with = "crate::model::serde_fast::instant_opt")
    )]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant_opt")
    )]
    pub paid_at: Option<DateTime<Utc>>,
    /// The operator who placed it on the customer's behalf, if any.
    #[cfg_attr(feature = "serde", serde(default))]
    pub placed_by: Option<OperatorId>,
}

impl Order {
    /// Whether the order awaits payment.
    pub fn is_unpaid(&self) -> bool {
        self.status == OrderStatus::PendingPayment
    }
}
