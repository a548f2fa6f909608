//! Mirror types: what crosses to Kotlin and Swift, with `From` conversions from the core.
//!
//! Why mirrors: the core's types carry Rust-only shapes (`Decimal`, `DateTime<Utc>`, newtypes,
//! open enums) that uniffi cannot and should not see. Each record here is plain data. Money
//! crosses as a decimal string plus a currency code (never a float), times as RFC 3339 UTC
//! strings (`2026-11-29T09:00:00Z`), open enums as their stable text form (`"reseller"`), so an
//! unknown value from newer data survives the trip. Strings coming *in* are parsed inside the
//! exported functions, so bad input gives a typed `PartnerDeskError` rather than uniffi's
//! internal conversion error; `now` comes in as `partnerdesk_host::HostInstant`
//! (`java.time.Instant` in Kotlin), which a host cannot write wrong.

use chrono::{DateTime, SecondsFormat, Utc};
use partnerdesk::query::{self, PageRequest as CorePageRequest, Sort};

/// An amount of money: a decimal string (`"1234.50"`) and an ISO currency code (`"CNY"`).
///
/// Parse `amount` with `java.math.BigDecimal` or Swift's `Decimal(string:)`, never a float.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Money {
    /// The amount, as a decimal string (no exponent).
    pub amount: String,
    /// ISO 4217 code, e.g. `CNY` or `USD`.
    pub currency: String,
}

impl From<partnerdesk::Money> for Money {
    fn from(m: partnerdesk::Money) -> Self {
        Money {
            amount: m.amount.to_string(),
            currency: m.currency.to_string(),
        }
    }
}

/// Budget columns of a row.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BudgetSummary {
    /// `monthly` or `one_off` (or a newer kind, verbatim).
    pub kind: String,
    /// The budget.
    pub amount: Money,
    /// Spend counted against it.
    pub used: Money,
    /// Percentage used, a decimal string with at most 2 decimals (`"87.25"`).
    pub percent: String,
    /// Whether reaching 100% freezes the account.
    pub auto_freeze: bool,
}

impl From<partnerdesk::row::BudgetSummary> for BudgetSummary {
    fn from(b: partnerdesk::row::BudgetSummary) -> Self {
        BudgetSummary {
            kind: b.kind.as_str().to_owned(),
            amount: b.amount.into(),
            used: b.used.into(),
            percent: b.percent.to_string(),
            auto_freeze: b.auto_freeze,
        }
    }
}

/// One customer as the console's list shows it. Name, mobile and e-mail are already masked.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CustomerRow {
    /// Customer id.
    pub id: String,
    /// Account name (masked when the partner's policy says so).
    pub account_name: String,
    /// Customer name, masked (`Z***`).
    pub name: String,
    /// Mobile number, masked (`+86 138****5678`).
    pub mobile: Option<String>,
    /// E-mail, masked (`a***@example.com`).
    pub email: Option<String>,
    /// `unset`, `individual` or `enterprise`.
    pub customer_type: String,
    /// `not_verified`, `under_review`, `rejected`, `verified` or `failed`.
    pub verification: String,
    /// `V0` to `V5`.
    pub level: String,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// `referral` or `reseller`.
    pub association_type: String,
    /// When associated (RFC 3339, UTC).
    pub associated_at: String,
    /// When the association ended, for disassociated customers (RFC 3339, UTC).
    pub disassociated_at: Option<String>,
    /// The reseller the customer belongs to.
    pub reseller: Option<String>,
    /// Account manager login.
    pub account_manager: Option<String>,
    /// Account manager display name (masked when the partner's policy says so).
    pub account_manager_name: Option<String>,
    /// Freeze scope when frozen: `account` or `account_and_resources`.
    pub freeze_scope: Option<String>,
    /// Freeze origin when frozen: `manual`, `default`, `budget` or `imported`.
    pub freeze_origin: Option<String>,
    /// Budget, when set.
    pub budget: Option<BudgetSummary>,
    /// Month-to-date spend.
    pub month_to_date: Money,
    /// Last month's spend.
    pub last_month: Money,
    /// Earliest upcoming resource expiry (RFC 3339, UTC).
    pub next_expiry: Option<String>,
    /// Unpaid orders.
    pub unpaid_orders: u64,
}

impl From<partnerdesk::row::CustomerRow> for CustomerRow {
    fn from(r: partnerdesk::row::CustomerRow) -> Self {
        CustomerRow {
            id: r.id.as_str().to_owned(),
            account_name: r.account_name,
            name: r.name,
            mobile: r.mobile,
            email: r.email,
            customer_type: r.customer_type.as_str().to_owned(),
            verification: r.verification.as_str().to_owned(),
            level: r.level.as_str().to_owned(),
            tags: r.tags.iter().map(|t| t.as_str().to_owned()).collect(),
            association_type: r.association_type.as_str().to_owned(),
            associated_at: format_time(r.associated_at),
            disassociated_at: r.disassociated_at.map(format_time),
            reseller: r.reseller.map(|x| x.as_str().to_owned()),
            account_manager: r.account_manager.map(|x| x.as_str().to_owned()),
            account_manager_name: r.account_manager_name,
            freeze_scope: r.freeze_scope.map(|x| x.as_str().to_owned()),
            freeze_origin: r.freeze_origin.map(|x| x.as_str().to_owned()),
            budget: r.budget.map(Into::into),
            month_to_date: r.month_to_date.into(),
            last_month: r.last_month.into(),
            next_expiry: r.next_expiry.map(format_time),
            unpaid_orders: to_u64(r.unpaid_orders),
        }
    }
}

/// One page of a search.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Page {
    /// The rows, masked.
    pub rows: Vec<CustomerRow>,
    /// How many customers match the query in all.
    pub total: u64,
    /// The cursor for the next page (pass it to `PageRequest.After`), if there are more rows.
    pub next_cursor: Option<String>,
}

impl From<partnerdesk::search::Page> for Page {
    fn from(p: partnerdesk::search::Page) -> Self {
        Page {
            rows: p.rows.into_iter().map(Into::into).collect(),
            total: to_u64(p.total),
            next_cursor: p.next_cursor,
        }
    }
}

/// What to sort by. The customer id (ascending) always breaks ties, so pages are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SortKey {
    /// Customer name (case-insensitive).
    Name,
    /// Account name (case-insensitive).
    AccountName,
    /// Month-to-date spend.
    MonthToDate,
    /// Association time.
    AssociatedAt,
    /// Earliest upcoming expiry; customers without one come last in either direction.
    NextExpiry,
    /// Customer id.
    Id,
}

impl From<SortKey> for query::SortKey {
    fn from(k: SortKey) -> Self {
        match k {
            SortKey::Name => query::SortKey::Name,
            SortKey::AccountName => query::SortKey::AccountName,
            SortKey::MonthToDate => query::SortKey::MonthToDate,
            SortKey::AssociatedAt => query::SortKey::AssociatedAt,
            SortKey::NextExpiry => query::SortKey::NextExpiry,
            SortKey::Id => query::SortKey::Id,
        }
    }
}

/// A sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SortOrder {
    /// The key.
    pub key: SortKey,
    /// Descending instead of ascending.
    #[uniffi(default = false)]
    pub descending: bool,
}

impl From<SortOrder> for Sort {
    fn from(s: SortOrder) -> Self {
        Sort {
            key: s.key.into(),
            descending: s.descending,
        }
    }
}

/// Which page to return. `limit` is 1..=1000.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PageRequest {
    /// The first page, continued by cursor.
    First {
        /// Rows to return.
        limit: u32,
    },
    /// The page after a previous page's `next_cursor` (same filter and sort).
    After {
        /// The previous page's `next_cursor`.
        cursor: String,
        /// Rows to return.
        limit: u32,
    },
    /// Skip `offset` rows, return at most `limit`.
    Offset {
        /// Rows to skip.
        offset: u64,
        /// Rows to return.
        limit: u32,
    },
}

impl From<PageRequest> for CorePageRequest {
    fn from(p: PageRequest) -> Self {
        match p {
            PageRequest::First { limit } => CorePageRequest::first(limit),
            PageRequest::After { cursor, limit } => CorePageRequest::after(cursor, limit),
            PageRequest::Offset { offset, limit } => {
                CorePageRequest::offset(usize::try_from(offset).unwrap_or(usize::MAX), limit)
            }
        }
    }
}

/// The partner whose desk this is.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PartnerInfo {
    /// Partner id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `china` or `international`.
    pub site: String,
    /// `solution_provider`, `distributor` or `reseller`.
    pub tier: String,
    /// The currency of every amount on the desk.
    pub currency: String,
    /// Offset of the billing day from UTC, in minutes (480 for the China site).
    pub billing_offset_minutes: i32,
}

impl From<&partnerdesk::Partner> for PartnerInfo {
    fn from(p: &partnerdesk::Partner) -> Self {
        PartnerInfo {
            id: p.id.as_str().to_owned(),
            name: p.name.clone(),
            site: p.site.as_str().to_owned(),
            tier: p.tier.as_str().to_owned(),
            currency: p.currency.to_string(),
            billing_offset_minutes: p.billing_offset.minutes(),
        }
    }
}

// ---- strings in and out ---------------------------------------------------------------------

/// Formats a time as RFC 3339 in UTC with a `Z` (`2026-11-29T09:00:00Z`).
pub(crate) fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub(crate) fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}
