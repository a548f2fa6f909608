//! Freeze state of a customer account.
//!
//! Why two scopes: Huawei distinguishes freezing the account (no purchases, renewals or changes)
//! from freezing the account and its resources (services stop too, and resources are released
//! 15 days later unless unfrozen). An unfreeze must name the scope the freeze used, so the
//! state keeps it, with the origin (manual, default on association, budget auto-freeze), the
//! reason, who and when.

use crate::model::open_enum::open_enum;
use chrono::{DateTime, Duration, Utc};

/// Days after an account-and-resources freeze at which Huawei releases the resources.
pub const RELEASE_AFTER_DAYS: i64 = 15;

open_enum! {
    /// What a freeze covers.
    pub enum FreezeScope {
        /// The account only (Huawei `ACCOUNT`).
        Account => "account",
        /// The account and its resources (Huawei `ACCOUNT_AND_RESOURCE`).
        AccountAndResources => "account_and_resources",
        /// Frozen, but the source did not say which scope (international `is_frozen` = 1).
        Unknown => "unknown",
    }
}

open_enum! {
    /// Why a customer is frozen.
    pub enum FreezeOrigin {
        /// Frozen by an operator.
        Manual => "manual",
        /// Frozen by default on association in the reseller model.
        Default => "default",
        /// Frozen automatically when the budget was used up.
        Budget => "budget",
        /// Frozen in the source system; how is unknown (imported data).
        Imported => "imported",
    }
}

/// A freeze in force.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Freeze {
    /// What is frozen.
    pub scope: FreezeScope,
    /// Why it was frozen (manual, default, budget, imported).
    pub origin: FreezeOrigin,
    /// The reason given (1..=256 characters for a manual freeze).
    pub reason: String,
    /// Who froze it: an operator login, or `system`.
    pub by: String,
    /// When it was frozen.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::model::serde_fast::instant")
    )]
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant")
    )]
    pub at: DateTime<Utc>,
}

impl Freeze {
    /// When resources will be released, for an account-and-resources freeze.
    pub fn release_at(&self) -> Option<DateTime<Utc>> {
        (self.scope == FreezeScope::AccountAndResources)
            .then(|| {
                self.at
                    .checked_add_signed(Duration::days(RELEASE_AFTER_DAYS))
            })
            .flatten()
    }
}

/// Frozen or not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum FreezeState {
    /// Not frozen.
    #[default]
    NotFrozen,
    /// Frozen. Boxed: most customers are not frozen, and a customer record carries the state
    /// inline (8 bytes instead of the freeze's 112).
    Frozen(Box<Freeze>),
}

impl FreezeState {
    /// Whether frozen.
    pub fn is_frozen(&self) -> bool {
        matches!(self, FreezeState::Frozen(_))
    }

    /// The freeze, if frozen.
    pub fn freeze(&self) -> Option<&Freeze> {
        match self {
            FreezeState::Frozen(f) => Some(f),
            FreezeState::NotFrozen => None,
        }
    }

    /// The scope, if frozen.
    pub fn scope(&self) -> Option<&FreezeScope> {
        self.freeze().map(|f| &f.scope)
    }
}
