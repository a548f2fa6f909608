//! JS-only types: the partner record, the sort keys and the string-literal unions JS passes in.
//! The records every host shares (money, rows, pages) are declared once in
//! `partnerdesk_host::records` and re-exported here; money is `{ amount: "1234.50", currency:
//! "CNY" }` with the amount as a decimal string (a JS number would lose cents), times are
//! `Date`s (UTC), and enumerations are strings. Enumerations that travel in data are open in the core (a value
//! this version does not know is kept verbatim), so output fields are typed as the known union
//! plus `(string & {})`.

use napi_derive::napi;
pub use partnerdesk_host::ops::association::{AssociationType, CustomerLevel, CustomerType};
pub use partnerdesk_host::ops::customers::PartnerInfo;
pub use partnerdesk_host::ops::governed::{BudgetKind, FreezeScope};
pub use partnerdesk_host::records::{BudgetSummary, CustomerRow, IdPage, Money, Page, count32};

/// Sort keys: customer name, account name, month-to-date spend, association time, earliest
/// upcoming expiry, customer id.
#[napi(string_enum)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Customer name (case-insensitive).
    #[napi(value = "name")]
    Name,
    /// Account name (case-insensitive).
    #[napi(value = "account")]
    Account,
    /// Month-to-date spend.
    #[napi(value = "mtd")]
    Mtd,
    /// Association time.
    #[napi(value = "associated")]
    Associated,
    /// Earliest upcoming expiry (customers without one come last).
    #[napi(value = "expires")]
    Expires,
    /// Customer id.
    #[napi(value = "id")]
    Id,
}

impl From<SortKey> for partnerdesk::query::SortKey {
    fn from(k: SortKey) -> Self {
        use partnerdesk::query::SortKey as K;
        match k {
            SortKey::Name => K::Name,
            SortKey::Account => K::AccountName,
            SortKey::Mtd => K::MonthToDate,
            SortKey::Associated => K::AssociatedAt,
            SortKey::Expires => K::NextExpiry,
            SortKey::Id => K::Id,
        }
    }
}

/// Declares a string-literal union for JS (`--no-const-enum` makes napi emit
/// `export type X = 'a' | 'b'`) and its conversion to the core's open enum. The union's doc is
/// given as `doc "..."`, a plain string literal: a `///` comment inside a macro call reaches napi
/// as a raw string, which it copied into `index.d.ts` with its `r"` prefix.
macro_rules! js_union {
    ($name:ident => $core:ty, doc $doc:literal { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }) => {
        #[doc = $doc]
        #[napi(string_enum)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $( $(#[$vmeta])* #[napi(value = $text)] $variant, )+
        }

        impl From<$name> for $core {
            fn from(v: $name) -> Self {
                <$core>::parse(match v { $( $name::$variant => $text, )+ })
            }
        }
    };
}

js_union! {
    FreezeOrigin => partnerdesk::FreezeOrigin, doc "Why a customer is frozen." {
        /// Frozen by an operator.
        Manual = "manual",
        /// Frozen at association (reseller model).
        Default = "default",
        /// Frozen by the budget reaching 100%.
        Budget = "budget",
        /// Frozen state imported from Huawei.
        Imported = "imported",
    }
}

js_union! {
    VerificationStatus => partnerdesk::VerificationStatus, doc "Real-name verification status." {
        /// Not verified.
        NotVerified = "not_verified",
        /// Under review.
        UnderReview = "under_review",
        /// Rejected.
        Rejected = "rejected",
        /// Verified.
        Verified = "verified",
    }
}
