//! What a customer's detail list asks for (which orders, which resources in which order,
//! which month's spend grouped how) and the lines it answers with.
//!
//! Why here, apart from the operations that read them ([`crate::ops::detail`]): these are
//! requests and rows, like a query and its page, and an export names them in its job
//! ([`crate::export::RecordedSelection::Detail`]); the export reads the search's types, not
//! the operations'.

use crate::calendar::YearMonth;
use crate::ids::CustomerId;
use crate::money::Money;
use crate::resource::{Resource, ResourceKind, ResourceStatus};
use crate::spend::ChargingMode;
use chrono::{DateTime, NaiveDate, Utc};

/// The stable text forms of a closed list option (the same as its serde names): `ALL`,
/// `as_str` and `parse` (`INVALID_ARGUMENT` naming `$field` and the choices), so that every
/// host and the export's job records read and write one spelling.
macro_rules! text_forms {
    ($ty:ident, $field:literal { $($v:ident => $t:literal),+ $(,)? }) => {
        impl $ty {
            /// Every option, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$v),+];

            /// The stable text form (its serde name).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$v => $t,)+
                }
            }

            /// Parses the stable text form.
            pub fn parse(text: &str) -> crate::Result<Self> {
                match text {
                    $($t => Ok($ty::$v),)+
                    _ => Err(crate::Error::invalid_arg(
                        $field,
                        concat!("expected one of:", $(" ", $t),+),
                    )),
                }
            }
        }
    };
}

text_forms!(OrderScope, "scope" { All => "all", Unpaid => "unpaid" });
text_forms!(ResourceSort, "sort" {
    Expiry => "expiry",
    NewestFirst => "newest_first",
    Kind => "kind",
});
text_forms!(SpendGroup, "group" {
    Record => "record",
    Product => "product",
    Day => "day",
    ChargingMode => "charging_mode",
});

/// Which orders of a customer to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum OrderScope {
    /// Every order.
    #[default]
    All,
    /// Orders pending payment (the "Unpaid Orders" card).
    Unpaid,
}

/// Which resources of a customer to list; every field left empty matches everything.
///
/// ```
/// use partnerdesk::detail::ResourceFilter;
/// use partnerdesk::{ResourceKind, ResourceStatus};
/// let f = ResourceFilter::default()
///     .kind(ResourceKind::YearlyMonthly)
///     .status(ResourceStatus::Active)
///     .expiring_within(7);
/// assert_eq!(f.expiring_within_days, Some(7));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
#[non_exhaustive]
pub struct ResourceFilter {
    /// Billing kinds to keep (empty: all).
    pub kinds: Vec<ResourceKind>,
    /// Statuses to keep (empty: all).
    pub statuses: Vec<ResourceStatus>,
    /// Keep only resources expiring in `[now, now + days]` that are not released.
    pub expiring_within_days: Option<u32>,
}

impl ResourceFilter {
    /// Also keeps resources of this kind (yearly/monthly, pay-per-use, reserved instance,
    /// savings plan).
    pub fn kind(mut self, kind: ResourceKind) -> Self {
        self.kinds.push(kind);
        self
    }

    /// Also keeps resources in this status.
    pub fn status(mut self, status: ResourceStatus) -> Self {
        self.statuses.push(status);
        self
    }

    /// Keeps only resources expiring within `days` (7, 15, 30 or any N) of `now`.
    pub fn expiring_within(mut self, days: u32) -> Self {
        self.expiring_within_days = Some(days);
        self
    }

    pub(crate) fn matches(&self, r: &Resource, now: DateTime<Utc>) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&r.kind))
            && (self.statuses.is_empty() || self.statuses.contains(&r.status))
            && self.expiring_within_days.is_none_or(|days| {
                r.counts_for_expiry()
                    && r.expires_at.is_some_and(|e| {
                        e >= now
                            && crate::model::calendar::add_days(now, days)
                                .is_none_or(|end| e <= end)
                    })
            })
    }
}

/// How a customer's resources are ordered: by a key, then by resource id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ResourceSort {
    /// Soonest expiry first; resources that never expire (pay-per-use) last.
    #[default]
    Expiry,
    /// Newest start first.
    NewestFirst,
    /// By billing kind, then soonest expiry.
    Kind,
}

/// How a month's spend details are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum SpendGroup {
    /// Every record: one line a day, product and charging mode, by day then product.
    #[default]
    Record,
    /// One line a product, highest spend first.
    Product,
    /// One line a billing day with spend, by day.
    Day,
    /// One line a charging mode, highest spend first.
    ChargingMode,
}

/// One of a customer's detail lists with its parameters: what a detail export writes and its
/// job records ([`crate::export::RecordedSelection::Detail`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "list", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum DetailList {
    /// The customer's orders ([`crate::Desk::customer_orders`]).
    Orders {
        /// The customer.
        customer: CustomerId,
        /// All orders or the unpaid ones.
        #[cfg_attr(feature = "serde", serde(default))]
        scope: OrderScope,
    },
    /// The customer's resources ([`crate::Desk::customer_resources`]; a job evaluates an expiry
    /// window at its instant).
    Resources {
        /// The customer.
        customer: CustomerId,
        /// Which resources.
        #[cfg_attr(feature = "serde", serde(default))]
        filter: ResourceFilter,
        /// Their order.
        #[cfg_attr(feature = "serde", serde(default))]
        sort: ResourceSort,
    },
    /// The customer's spend details of a month ([`crate::Desk::spend_details`]).
    Spend {
        /// The customer.
        customer: CustomerId,
        /// The billing month.
        month: YearMonth,
        /// How the lines are grouped.
        #[cfg_attr(feature = "serde", serde(default))]
        group: SpendGroup,
    },
}

impl DetailList {
    /// The customer whose list it is.
    pub fn customer(&self) -> &CustomerId {
        match self {
            DetailList::Orders { customer, .. }
            | DetailList::Resources { customer, .. }
            | DetailList::Spend { customer, .. } => customer,
        }
    }

    /// The list's kind: `orders`, `resources` or `spend`.
    pub fn kind(&self) -> &'static str {
        match self {
            DetailList::Orders { .. } => "orders",
            DetailList::Resources { .. } => "resources",
            DetailList::Spend { .. } => "spend",
        }
    }
}

/// One line of a customer's spend details. The fields the grouping does not keep are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpendLine {
    /// The billing day (grouping by record or by day).
    pub day: Option<NaiveDate>,
    /// The product or cloud service code (grouping by record or by product).
    pub product: Option<String>,
    /// The charging mode (grouping by record or by charging mode).
    pub mode: Option<ChargingMode>,
    /// The spend of the line (refunds are negative).
    pub amount: Money,
    /// How many spend records the line sums.
    pub records: usize,
}
