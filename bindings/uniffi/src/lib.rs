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
//! - Huawei BSS interop (`partnerdesk-huawei`, declared once in
//!   `partnerdesk_host::ops::huawei`, its records and enums in package `com.partnerdesk.host`
//!   in Kotlin): [`Desk::empty`] and [`Desk::from_huawei_fixtures`], [`Desk::import_huawei`] of
//!   response pages (an [`ImportKind`], the pages merged, with an [`ImportReport`]), request
//!   bodies as JSON text built from the domain's validated commands ([`huawei_freeze_body`],
//!   [`huawei_unfreeze_body`], [`huawei_budget_body`], [`huawei_split_query`]), Huawei's answers
//!   per customer ([`huawei_batch_outcome`]) and paging plans ([`huawei_page_plan`]).
//! - A customer's detail pages: [`Desk::customer_orders`], [`Desk::customer_resources`],
//!   [`Desk::spend_details`], [`Desk::renewals_page`] (records declared once in
//!   `partnerdesk_host::detail`, package `com.partnerdesk.host` in Kotlin) and their export,
//!   [`Desk::export_detail_to_file`] and [`Desk::export_detail_to_buffer`].
//! - Customers and operators as a host sets a desk up (declared once in
//!   `partnerdesk_host::ops::customers`): [`Desk::insert_customer`] and
//!   [`Desk::upsert_customer`] of a [`CustomerArg`] (a [`NewCustomer`] field by field, or the
//!   snapshot's customer JSON), [`Desk::remove_customer`], [`Desk::add_operator`] (a [`Role`])
//!   and [`Desk::grant_permissions`] / [`Desk::revoke_permissions`] of items by name
//!   (`FREEZE_UNFREEZE`) or Huawei code, and [`Desk::to_snapshot_json`]; the package's
//!   catalogues ([`version`], [`demo_now`], [`error_codes`], [`export_columns`], declared in
//!   `partnerdesk_host::ops::package`) as free functions.
//! - Durable desks: [`Desk::open`] a desk stored in a SQLite file (or on PostgreSQL),
//!   [`Desk::save_to`] one, and every change is committed there before its call returns;
//!   [`Desk::refresh`], [`Desk::follow`] and [`Desk::checkpoint`] for several instances.
//! - [`PartnerDeskError`] (Kotlin `PartnerDeskException`, Swift `PartnerDeskError`): one variant
//!   per core error and per Huawei adapter error, each with `code()`, the stable machine code.
//!
//! ## Design
//!
//! - **Thin.** Domain rules live and are tested in the core; this crate converts and forwards.
//! - **Strings in, typed errors out.** Amounts and times arrive as strings and are parsed
//!   inside the functions, so bad input raises `PartnerDeskException.InvalidMoney` /
//!   `InvalidDate`, never uniffi's internal conversion error.
//! - **Exhaustive error mapping.** A variant added to the core breaks this crate's build.

uniffi::setup_scaffolding!();

mod admin;
mod declared;
mod desk;
mod detail;
mod error;
mod export;
mod huawei;
mod ops;
mod panic_guard;
mod store;
mod types;

pub use declared::{
    demo_now, error_codes, export_columns, huawei_api_kinds, huawei_batch_outcome,
    huawei_budget_body, huawei_error_codes, huawei_fixtures, huawei_freeze_body, huawei_page_plan,
    huawei_split_query, huawei_unfreeze_body, version,
};
pub use desk::{Desk, normalize_filter};
pub use detail::DetailExportOptions;
pub use error::{PartnerDeskError, Result};
pub use export::{ExportListener, ExportOptions};
pub use ops::{AuthorizationScope, CustomerOverview, OrderCounts, RenewalItem};
pub use partnerdesk_host::ops::customers::{
    CustomerArg, ItemCodes, OperatorInfo, PartnerInfo, Role,
};
pub use partnerdesk_host::ops::governed::{
    BatchOutcome, BudgetKind, BudgetRecord, FreezeScope, ItemOutcome, ManagerPeriod,
};
pub use partnerdesk_host::ops::huawei::{
    ApiPage, FilterText, HostJson, HuaweiBudgetUsed, ImportKind, ImportReport, ImportWarning,
    ImportedBudgetRecord, Pages, QuerySplit, RemoteItem, RemoteOutcome, Site, Tier,
};
pub use partnerdesk_host::setup::NewCustomer;
pub use store::HostTimeout;
pub use types::{
    BudgetSummary, BudgetUsage, CustomerRow, IdPage, LabeledAmount, Money, Page, PageRequest,
    SortKey, SortOrder, SpendSummary,
};
