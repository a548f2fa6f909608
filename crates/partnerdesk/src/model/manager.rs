//! Account managers: assignment, history and attribution.
//!
//! Why a history and not just the current manager: consumption and revenue during a
//! management period are attributed to the manager who held the customer then (Huawei bill
//! records carry `account_manager_id` for the same reason). So every assignment opens a
//! period and every change or unassignment closes it; "spend attributed to manager M in month
//! X" sums each customer's spend over the days M held it.

use crate::model::access::Actor;
use crate::model::ids::{CustomerId, OperatorId};
use chrono::{DateTime, Utc};

/// One period during which an operator managed a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ManagerPeriod {
    /// The customer.
    pub customer: CustomerId,
    /// The account manager.
    pub manager: OperatorId,
    /// When the period began.
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant")
    )]
    pub from: DateTime<Utc>,
    /// When it ended; `None` while current.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant_opt")
    )]
    pub to: Option<DateTime<Utc>>,
    /// Who assigned (an operator, the system for invitations and imports).
    pub assigned_by: Actor,
}

impl ManagerPeriod {
    /// Whether the manager held the customer at an instant (`from <= at < to`).
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && self.to.is_none_or(|t| at < t)
    }
}
