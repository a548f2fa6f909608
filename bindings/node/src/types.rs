//! Mirror types: what JS receives (plain objects) and the string-literal unions it passes in.
//!
//! Why mirrors: the core's types stay free of napi; this crate decides the JS shape. Records
//! are plain objects (`#[napi(object)]`), money is `{ amount: "1234.50", currency: "CNY" }`
//! with the amount as a decimal string (a JS number would lose cents), times are `Date`s (UTC),
//! and enumerations are strings. Enumerations that travel in data are open in the core (a value
//! this version does not know is kept verbatim), so output fields are typed as the known union
//! plus `(string & {})`.

use chrono::{DateTime, Utc};
use napi_derive::napi;
use partnerdesk::row::{BudgetSummary as CoreBudget, CustomerRow as CoreRow};
use partnerdesk::search::{IdPage as CoreIdPage, Page as CorePage};

/// A money amount: an exact decimal string and an ISO 4217 currency code.
#[napi(object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    /// The amount as a decimal string, e.g. `"1234.50"` (never a JS number).
    pub amount: String,
    /// Three-letter currency code, e.g. `"CNY"`.
    pub currency: String,
}

impl From<partnerdesk::Money> for Money {
    fn from(m: partnerdesk::Money) -> Self {
        Money {
            amount: m.amount.to_string(),
            currency: m.currency.as_str().to_owned(),
        }
    }
}

/// Budget columns of a row.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct BudgetSummary {
    /// `monthly` or `one_off`.
    #[napi(ts_type = "BudgetKind | (string & {})")]
    pub kind: String,
    /// The budget.
    pub amount: Money,
    /// Spend counted against it.
    pub used: Money,
    /// Percentage used, as a decimal string with 2 decimals.
    pub percent: String,
    /// Whether reaching 100% freezes the account.
    pub auto_freeze: bool,
}

impl From<CoreBudget> for BudgetSummary {
    fn from(b: CoreBudget) -> Self {
        BudgetSummary {
            kind: b.kind.as_str().to_owned(),
            amount: b.amount.into(),
            used: b.used.into(),
            percent: b.percent.to_string(),
            auto_freeze: b.auto_freeze,
        }
    }
}

/// One customer as the console's list shows it: personal fields are already masked.
#[napi(object)]
#[derive(Debug, Clone)]
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
    #[napi(ts_type = "CustomerType | (string & {})")]
    pub customer_type: String,
    /// Real-name verification status.
    #[napi(ts_type = "VerificationStatus | (string & {})")]
    pub verification: String,
    /// Customer level, `V0`..`V5`.
    #[napi(ts_type = "CustomerLevel | (string & {})")]
    pub level: String,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// `referral` or `reseller`.
    #[napi(ts_type = "AssociationType | (string & {})")]
    pub association_type: String,
    /// When associated (UTC).
    pub associated_at: DateTime<Utc>,
    /// When the association ended, for disassociated customers.
    pub disassociated_at: Option<DateTime<Utc>>,
    /// The reseller the customer belongs to.
    pub reseller: Option<String>,
    /// Account manager login.
    pub account_manager: Option<String>,
    /// Account manager display name (masked when the partner's policy says so).
    pub account_manager_name: Option<String>,
    /// Freeze scope, when frozen.
    #[napi(ts_type = "FreezeScope | (string & {})")]
    pub freeze_scope: Option<String>,
    /// Freeze origin, when frozen.
    #[napi(ts_type = "FreezeOrigin | (string & {})")]
    pub freeze_origin: Option<String>,
    /// Budget, when set.
    pub budget: Option<BudgetSummary>,
    /// Month-to-date spend.
    pub month_to_date: Money,
    /// Last month's spend.
    pub last_month: Money,
    /// Earliest upcoming resource expiry.
    pub next_expiry: Option<DateTime<Utc>>,
    /// Unpaid orders.
    pub unpaid_orders: u32,
}

/// Saturates a count at `u32::MAX` (JS numbers hold it exactly).
pub(crate) fn count32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<CoreRow> for CustomerRow {
    fn from(r: CoreRow) -> Self {
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
            associated_at: r.associated_at,
            disassociated_at: r.disassociated_at,
            reseller: r.reseller.map(|x| x.as_str().to_owned()),
            account_manager: r.account_manager.map(|x| x.as_str().to_owned()),
            account_manager_name: r.account_manager_name,
            freeze_scope: r.freeze_scope.map(|x| x.as_str().to_owned()),
            freeze_origin: r.freeze_origin.map(|x| x.as_str().to_owned()),
            budget: r.budget.map(BudgetSummary::from),
            month_to_date: r.month_to_date.into(),
            last_month: r.last_month.into(),
            next_expiry: r.next_expiry,
            unpaid_orders: count32(r.unpaid_orders),
        }
    }
}

/// One page of masked rows.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Page {
    /// The rows, masked.
    pub rows: Vec<CustomerRow>,
    /// How many customers match the query in all.
    pub total: u32,
    /// The cursor for the next page (absent on the last page).
    pub next_cursor: Option<String>,
}

impl From<CorePage> for Page {
    fn from(p: CorePage) -> Self {
        Page {
            rows: p.rows.into_iter().map(CustomerRow::from).collect(),
            total: count32(p.total),
            next_cursor: p.next_cursor,
        }
    }
}

/// One page of customer ids.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct IdPage {
    /// The ids, in order.
    pub ids: Vec<String>,
    /// How many customers match the query in all.
    pub total: u32,
    /// The cursor for the next page (absent on the last page).
    pub next_cursor: Option<String>,
}

impl From<CoreIdPage> for IdPage {
    fn from(p: CoreIdPage) -> Self {
        IdPage {
            ids: p.ids.iter().map(|i| i.as_str().to_owned()).collect(),
            total: count32(p.total),
            next_cursor: p.next_cursor,
        }
    }
}

/// The partner that owns a desk.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct PartnerInfo {
    /// Partner id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `china` or `international`.
    #[napi(ts_type = "Site | (string & {})")]
    pub site: String,
    /// `solution_provider`, `distributor` or `reseller`.
    #[napi(ts_type = "Tier | (string & {})")]
    pub tier: String,
    /// The partner's currency, e.g. `"CNY"`.
    pub currency: String,
}

impl From<&partnerdesk::Partner> for PartnerInfo {
    fn from(p: &partnerdesk::Partner) -> Self {
        PartnerInfo {
            id: p.id.as_str().to_owned(),
            name: p.name.clone(),
            site: p.site.as_str().to_owned(),
            tier: p.tier.as_str().to_owned(),
            currency: p.currency.as_str().to_owned(),
        }
    }
}

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
    AssociationType => partnerdesk::AssociationType, doc "How a customer is associated with the partner." {
        /// Referral (the customer pays Huawei).
        Referral = "referral",
        /// Reseller (the partner resells).
        Reseller = "reseller",
    }
}

js_union! {
    CustomerLevel => partnerdesk::CustomerLevel, doc "Customer level." {
        /// Level V0.
        V0 = "V0",
        /// Level V1.
        V1 = "V1",
        /// Level V2.
        V2 = "V2",
        /// Level V3.
        V3 = "V3",
        /// Level V4.
        V4 = "V4",
        /// Level V5.
        V5 = "V5",
    }
}

js_union! {
    FreezeScope => partnerdesk::FreezeScope, doc "What a freeze covers." {
        /// The account only.
        Account = "account",
        /// The account and its resources.
        AccountAndResources = "account_and_resources",
        /// Frozen, scope not reported by the site.
        Unknown = "unknown",
    }
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
    CustomerType => partnerdesk::CustomerType, doc "Individual, enterprise or unset." {
        /// Not set.
        Unset = "unset",
        /// An individual.
        Individual = "individual",
        /// An enterprise.
        Enterprise = "enterprise",
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

js_union! {
    BudgetKind => partnerdesk::BudgetKind, doc "Budget kind." {
        /// Renews every billing month.
        Monthly = "monthly",
        /// Once.
        OneOff = "one_off",
    }
}

js_union! {
    Site => partnerdesk::Site, doc "Huawei site of the partner." {
        /// China site.
        China = "china",
        /// International site.
        International = "international",
    }
}

js_union! {
    Tier => partnerdesk::Tier, doc "Partner tier." {
        /// Solution provider.
        SolutionProvider = "solution_provider",
        /// Distributor.
        Distributor = "distributor",
        /// Reseller.
        Reseller = "reseller",
    }
}
