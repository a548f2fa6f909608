//! Association: how a customer is bound to the partner.
//!
//! Why it matters: the association type decides which operations exist at all. Only customers
//! of the reseller model (the partner pays) can be frozen, budgeted or ordered for; referral
//! customers pay Huawei themselves. The two Huawei sites use different wire codes for the same
//! two types (China `1`/`2`, international `1`/`3`); the core speaks of [`AssociationType`] and
//! the Huawei adapter translates.

use crate::ids::{OperatorId, ResellerId};
use crate::open_enum::open_enum;
use chrono::{DateTime, Utc};

open_enum! {
    /// Referral or reseller model.
    pub enum AssociationType {
        /// Referral ("consultant sales"): the customer pays Huawei.
        Referral => "referral",
        /// Reseller model ("resale"): the partner pays; freeze, budgets and orders on behalf apply.
        Reseller => "reseller",
    }
}

/// The current (or last) association of a customer with the partner.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Association {
    /// Referral or reseller model.
    pub kind: AssociationType,
    /// When the association began (UTC).
    pub since: DateTime<Utc>,
    /// The reseller (indirect partner) the customer belongs to, when a distributor holds it
    /// through a reseller.
    #[cfg_attr(feature = "serde", serde(default))]
    pub reseller: Option<ResellerId>,
    /// The account manager whose invitation brought the customer, if any.
    #[cfg_attr(feature = "serde", serde(default))]
    pub invited_by: Option<OperatorId>,
    /// When the association ended; `None` while associated.
    #[cfg_attr(feature = "serde", serde(default))]
    pub ended: Option<DateTime<Utc>>,
}

impl Association {
    /// An active association of a type since an instant.
    pub fn new(kind: AssociationType, since: DateTime<Utc>) -> Self {
        Association {
            kind,
            since,
            reseller: None,
            invited_by: None,
            ended: None,
        }
    }

    /// The same association, held through a reseller.
    pub fn through_reseller(mut self, reseller: ResellerId) -> Self {
        self.reseller = Some(reseller);
        self
    }

    /// Whether the partner pays (reseller model).
    pub fn is_reseller_model(&self) -> bool {
        self.kind == AssociationType::Reseller
    }
}
