//! Association: how a customer is bound to the partner.
//!
//! Why it matters: the association type decides which operations exist at all. Only customers
//! of the reseller model (the partner pays) can be frozen, budgeted or ordered for; referral
//! customers pay Huawei themselves. The two Huawei sites use different wire codes for the same
//! two types (China `1`/`2`, international `1`/`3`); the core speaks of [`AssociationType`] and
//! the Huawei adapter translates.

use crate::model::access::Actor;
use crate::model::ids::{CustomerId, OperatorId, ResellerId};
use crate::model::open_enum::open_enum;
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
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::model::serde_fast::instant")
    )]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant")
    )]
    pub since: DateTime<Utc>,
    /// The reseller (indirect partner) the customer belongs to, when a distributor holds it
    /// through a reseller.
    #[cfg_attr(feature = "serde", serde(default))]
    pub reseller: Option<ResellerId>,
    /// The account manager whose invitation brought the customer, if any.
    #[cfg_attr(feature = "serde", serde(default))]
    pub invited_by: Option<OperatorId>,
    /// When the association ended; `None` while associated.
    #[cfg_attr(
        feature = "serde",
        serde(default, deserialize_with = "crate::model::serde_fast::instant_opt")
    )]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant_opt")
    )]
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

open_enum! {
    /// Who started an association change.
    pub enum Initiator {
        /// The customer.
        Customer => "customer",
        /// The partner.
        Partner => "partner",
        /// The system (registration through the API, imports).
        System => "system",
    }
}

open_enum! {
    /// What an association record records.
    pub enum AssociationChange {
        /// The customer was associated.
        Associated => "associated",
        /// The customer was disassociated.
        Disassociated => "disassociated",
    }
}

/// One record of the association history: every association and disassociation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AssociationRecord {
    /// The customer.
    pub customer: CustomerId,
    /// Associated or disassociated.
    pub change: AssociationChange,
    /// The association type at the time.
    pub kind: AssociationType,
    /// When.
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant")
    )]
    pub at: DateTime<Utc>,
    /// Who started it.
    pub initiator: Initiator,
    /// Who performed it.
    pub by: Actor,
    /// The reason given, if any (operator text; not shown in event display text).
    #[cfg_attr(feature = "serde", serde(default))]
    pub reason: Option<String>,
}

/// The id of a disassociation request (a sequence number of the desk).
pub type RequestId = u64;

open_enum! {
    /// The state of a disassociation request.
    pub enum RequestStatus {
        /// Awaiting the other party's decision.
        Pending => "pending",
        /// Approved: the customer was disassociated.
        Approved => "approved",
        /// Rejected.
        Rejected => "rejected",
        /// Closed without decision because the association ended otherwise.
        Closed => "closed",
    }
}

/// A request to end the association. A customer's request is decided by the partner
/// administrator; a partner's request (administrator-only, at most 3 per customer in any
/// rolling 3 months) is confirmed or declined by the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct DisassociationRequest {
    /// Request id.
    pub id: RequestId,
    /// The customer.
    pub customer: CustomerId,
    /// The customer or the partner.
    pub initiator: Initiator,
    /// Who asked.
    pub requested_by: Actor,
    /// When.
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant")
    )]
    pub requested_at: DateTime<Utc>,
    /// The reason given (operator or customer text).
    pub reason: String,
    /// Its state.
    pub status: RequestStatus,
    /// Who decided, when decided.
    #[cfg_attr(feature = "serde", serde(default))]
    pub decided_by: Option<Actor>,
    /// When decided.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant_opt")
    )]
    pub decided_at: Option<DateTime<Utc>>,
    /// The reason of a rejection.
    #[cfg_attr(feature = "serde", serde(default))]
    pub decision_reason: Option<String>,
}
