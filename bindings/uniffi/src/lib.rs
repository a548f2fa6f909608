//! # partnerdesk-uniffi
//!
//! partnerdesk for mobile hosts: Kotlin (Android, JVM) and Swift (iOS) through
//! [uniffi](https://mozilla.github.io/uniffi-rs/) proc-macros, in library mode. The Kotlin and
//! Swift sources are generated from the built library by `bindings/uniffi-bindgen` (see
//! `bindings/uniffi/README.md` and `bindings/uniffi/test.sh`); they are not committed.
//!
//! ## What crosses
//!
//! - [`Desk`]: load a snapshot (or the demo portfolio), search with the text filter and
//!   paging, masked rows, and the account manager's governed operations.
//! - Plain records ([`CustomerRow`], [`Page`], [`Money`], ...) mirrored from the core with `From`
//!   conversions. Money is a decimal string plus a currency code, never a float; times are
//!   RFC 3339 strings in UTC.
//! - [`PartnerDeskError`] (Kotlin `PartnerDeskException`, Swift `PartnerDeskError`): one variant
//!   per core error, each with `code()`, the core's stable machine code.
//!
//! ## Design
//!
//! - **Thin.** Domain rules live and are tested in the core; this crate converts and forwards.
//! - **Strings in, typed errors out.** Amounts and times arrive as strings and are parsed
//!   inside the functions, so bad input raises `PartnerDeskException.InvalidMoney` /
//!   `InvalidDate`, never uniffi's internal conversion error.
//! - **Exhaustive error mapping.** A variant added to the core breaks this crate's build.

uniffi::setup_scaffolding!();

mod desk;
mod error;
mod ops;
mod types;

pub use desk::{Desk, demo_now, normalize_filter};
pub use error::{PartnerDeskError, Result};
pub use ops::{
    AuditEntry, AuthorizationInfo, AuthorizationScope, BatchOutcome, BudgetKind, BudgetUsage,
    CustomerOverview, FreezeScope, ItemOutcome, OrderCounts, RenewalItem, SensitiveField,
    SpendSummary,
};
pub use types::{
    BudgetSummary, CustomerRow, Money, Page, PageRequest, PartnerInfo, SortKey, SortOrder,
};

/// Every stable error code, in the core's order (for tables and exhaustiveness checks).
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    partnerdesk::Error::CODES
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
}
