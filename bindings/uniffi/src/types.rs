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

use partnerdesk::query::{self, PageRequest as CorePageRequest, Sort};
pub use partnerdesk_host::records::{
    BudgetSummary, BudgetUsage, CustomerRow, IdPage, LabeledAmount, Money, Page, SpendSummary,
};

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

// ---- strings in and out ---------------------------------------------------------------------

pub(crate) fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}
