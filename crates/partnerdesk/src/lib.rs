//! # partnerdesk
//!
//! A cloud partner's customer management, as a library: the Huawei Cloud Partner Center
//! "Customer Management" page (search the portfolio, run governed operations, show masked
//! lists, export anonymised), embeddable in Rust services and, through thin bindings, in
//! Python, Node, Kotlin and Swift hosts.
//!
//! ## Overview
//!
//! - [`Desk`] holds one partner's portfolio: its [`Partner`], [`Operator`]s and [`Customer`]s,
//!   with indexes that keep search fast on millions of customers.
//! - [`query`] describes searches: every console criterion and more, combined with `and`, `or`,
//!   `not`, written with builders or as a text filter
//!   (`name~acme and mtd>=1000 and (tag:vip or tag:gold) and expires<=7d`).
//! - [`Desk::search`] answers with a [`search::Page`] of masked [`row::CustomerRow`]s, a total
//!   and a cursor.
//! - [`privacy`] keeps personal data out of logs and masks it in lists, with configurable
//!   rules per field; [`Desk::reveal`] shows one field to an operator holding the item, audited.
//! - [`export`] writes anonymised CSV and XLSX exports (administrator only) to any
//!   `std::io::Write`, with progress, cancellation and a job history.
//! - Governed operations take an [`Invocation`] (the actor, `now` and an optional idempotency
//!   key) and are checked against permission items ([`Desk::authorize`]): association and disassociation requests ([`Desk::associate`]),
//!   account managers ([`Desk::assign_manager`]), freeze ([`Desk::freeze`]), budgets
//!   ([`Desk::set_budget`], [`Desk::evaluate_budgets`]), authorizations
//!   ([`Desk::request_authorization`]) and orders on behalf ([`Desk::place_order_on_behalf`]).
//!   Every change is an [`event::Event`] (replaying them rebuilds the desk: [`Desk::replay`]),
//!   every attempt an [`audit::AuditRecord`]; [`analysis`] derives spend, order and renewal views.
//! - [`Desk::to_snapshot_json`] / [`Desk::from_snapshot_json`] persist the desk.
//! - [`demo`] builds realistic, deterministic portfolios of any size.
//!
//! ## Example
//!
//! ```
//! use partnerdesk::{demo, query::{Query, Sort, SortKey, PageRequest}};
//!
//! let (desk, now) = demo::portfolio(2_000, 7)?;
//! let query = Query::parse("assoc=reseller and mtd>=500 and (tag:vip or tag:gold)")?;
//! let page = desk.search(&query, Sort::desc(SortKey::MonthToDate), &PageRequest::first(20), now)?;
//! for row in &page.rows {
//!     // Names, mobiles and e-mails are masked: "Z***", "+86 138****5678", "a***@example.com".
//!     assert!(row.name.is_empty() || row.name.ends_with("***"));
//! }
//! assert!(page.total >= page.rows.len());
//! # Ok::<(), partnerdesk::Error>(())
//! ```
//!
//! ## Crate features
//!
//! - `serde` (default): snapshots as versioned JSON, and `Serialize`/`Deserialize` on the model.
//! - `demo` (default): the [`demo`] portfolio generator.
//! - `export` (default): the CSV and XLSX writers of [`export`], both written by the crate
//!   (CSV byte for byte as the `csv` crate would, which the tests check; XLSX zipped by hand
//!   and deflated with `flate2`, streamed into the sink with no temporary file). Without the
//!   feature the export types and history remain, the writers do not.
//!
//! ## Design
//!
//! - **Sans-I/O.** The core reads no clock, no file and no network. Time is an argument (`now`,
//!   UTC); storage belongs to the host, which loads snapshots or Huawei responses and saves
//!   snapshots.
//! - **Exact money.** Amounts are [`rust_decimal::Decimal`] with a [`Currency`]; never a float.
//! - **Typed errors with stable codes.** One [`Error`] enum; [`Error::code`] is stable. No error
//!   carries personal data.
//! - **Personal data is wrapped.** Names, mobile numbers and e-mails live in
//!   [`privacy::Personal`], whose `Debug` and `Display` print `[redacted]`; rows are masked in
//!   one place.
//! - **Open enums.** Enumerations that travel in data keep values they do not know
//!   (`Other(String)`), so newer data survives older code.
//! - **One owner of change.** Every change goes through the desk, which keeps its indexes right.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod log;
pub mod model;
pub mod ops;

pub use log::journal::Mark;
pub(crate) use log::ledger;
pub use log::{audit, chain, event, journal};
pub use model::{calendar, customer, ids, money, packed, partner, resource, spend, tags, text};
pub use ops::{
    access, analysis, association, authorization, budget, command, detail, freeze, invocation,
    manager, order,
};
pub use search::{ListPage, query, row};
pub(crate) use search::{index, sorted};

#[doc(hidden)]
pub mod ab;
mod change;
#[cfg(feature = "serde")]
pub mod checkpoint;
#[cfg(feature = "demo")]
pub mod demo;
pub mod desk;
pub mod error;
pub mod export;
mod hash;
pub mod memory;
mod par;
pub mod privacy;
pub mod search;
pub mod shared;
#[cfg(feature = "serde")]
pub mod snapshot;
pub mod validate;

pub use access::{Actor, Permission, Role};
pub use association::{Association, AssociationType};
pub use budget::{Budget, BudgetKind};
pub use calendar::{BillingOffset, YearMonth};
pub use customer::{
    Customer, CustomerLevel, CustomerType, ExternalAccount, Mobile, VerificationStatus,
};
pub use desk::Desk;
pub use error::{DetailKind, DetailValue, Error, ErrorInfo, FieldInfo, IdKind, Result};
pub use freeze::{Freeze, FreezeOrigin, FreezeScope, FreezeState};
pub use ids::{
    AuthorizationId, CustomerId, ExportId, IdempotencyKey, OperatorId, OrderId, PartnerId,
    ResellerId, ResourceId, Tag,
};
pub use invocation::Invocation;
pub use log::undo::{Savepoint, UndoStats};
pub use memory::{MemoryPart, MemoryReport};
pub use money::{Currency, Money};
pub use order::{Order, OrderStatus, OrderType};
pub use partner::{Operator, Partner, Site, Tier};
pub use resource::{ExpiryPolicy, Resource, ResourceKind, ResourceStatus};
pub use rust_decimal::Decimal;
pub use spend::{ChargingMode, SpendRecord};
pub use tags::TagSet;

/// A small deterministic generator for the unit tests that walk random changes (no dependency
/// for them): the next value of a 64-bit linear congruential sequence, its high bits.
#[cfg(test)]
pub(crate) fn test_lcg(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *state >> 33
}

/// The Rust blocks of the repository's README, compiled and run as doctests, so that a snippet
/// there cannot stop working (or quietly return nothing) without a test failing.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
