//! Resources of a customer.
//!
//! Why: the console's "resources to be renewed" view and the list's resource-expiry column both
//! come from here. Pay-per-use resources never expire; yearly/monthly resources, reserved
//! instances and savings plans do, and are "to renew" when they expire soon and do not renew
//! themselves.

use crate::model::ids::ResourceId;
use crate::model::open_enum::open_enum;
use crate::model::text::SharedText;
use chrono::{DateTime, Utc};

open_enum! {
    /// How a resource is billed.
    pub enum ResourceKind {
        /// Yearly/monthly subscription (charging mode 1).
        YearlyMonthly => "yearly_monthly",
        /// Pay-per-use (charging mode 3).
        PayPerUse => "pay_per_use",
        /// Reserved instance (charging mode 10).
        ReservedInstance => "reserved_instance",
        /// Savings plan (charging mode 11).
        SavingsPlan => "savings_plan",
    }
}

open_enum! {
    /// Lifecycle status of a resource.
    pub enum ResourceStatus {
        /// In use.
        Active => "active",
        /// Expired, in the grace period.
        GracePeriod => "grace_period",
        /// Expired, in the retention period.
        Retention => "retention",
        /// Frozen with the account.
        Frozen => "frozen",
        /// Released: gone, no longer counts.
        Released => "released",
    }
}

open_enum! {
    /// What happens at expiry.
    pub enum ExpiryPolicy {
        /// Renews itself.
        AutoRenew => "auto_renew",
        /// Released at expiry.
        ReleaseAtExpiry => "release_at_expiry",
        /// Switches to pay-per-use at expiry.
        ToPayPerUse => "to_pay_per_use",
        /// Nothing set: enters the grace period, then the retention period.
        Manual => "manual",
    }
}

/// A resource instance of a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Resource {
    /// Instance id.
    pub id: ResourceId,
    /// Billing kind.
    pub kind: ResourceKind,
    /// Cloud service code, e.g. `hws.service.type.ec2`.
    pub service: SharedText,
    /// Region code, e.g. `cn-north-4`.
    pub region: SharedText,
    /// Resource name.
    pub name: String,
    /// Lifecycle status.
    pub status: ResourceStatus,
    /// When it started.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::model::serde_fast::instant")
    )]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant")
    )]
    pub starts_at: DateTime<Utc>,
    /// When it expires (`None` for pay-per-use).
    #[cfg_attr(
        feature = "serde",
        serde(default, deserialize_with = "crate::model::serde_fast::instant_opt")
    )]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant_opt")
    )]
    pub expires_at: Option<DateTime<Utc>>,
    /// What happens at expiry.
    pub expiry_policy: ExpiryPolicy,
}

impl Resource {
    /// Whether the resource's expiry counts for the customer's next expiry (it expires and is
    /// not released).
    pub fn counts_for_expiry(&self) -> bool {
        Self::counts(&self.kind, &self.status, self.expires_at)
    }

    /// Whether a resource of this kind, status and expiry counts for expiry (see
    /// [`Resource::counts_for_expiry`]; the packed lists read it without the whole resource).
    pub(crate) fn counts(
        kind: &ResourceKind,
        status: &ResourceStatus,
        expires_at: Option<DateTime<Utc>>,
    ) -> bool {
        *kind != ResourceKind::PayPerUse
            && *status != ResourceStatus::Released
            && expires_at.is_some()
    }

    /// Whether the resource is to be renewed at `now` within `days`: it expires in
    /// `[now, now + days]`, is not released and does not renew itself.
    pub fn to_renew(&self, now: DateTime<Utc>, days: u32) -> bool {
        self.counts_for_expiry()
            && self.expiry_policy != ExpiryPolicy::AutoRenew
            && self.expires_at.is_some_and(|e| {
                e >= now && crate::model::calendar::add_days(now, days).is_none_or(|end| e <= end)
            })
    }
}
