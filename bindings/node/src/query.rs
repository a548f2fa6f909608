//! The `Query` class: a search built with builder methods or parsed from the text filter.
//!
//! Why a class and not a plain object: a query is a validated value (ids checked, amounts
//! exact, the filter parsed once), so JS holds a handle to the core's `Query` and combines
//! handles with `and`/`or`/`not`. `toString()` gives the canonical text filter, which parses
//! back to the same query.

use crate::error::{Code, to_js};
use crate::types::{AssociationType, CustomerLevel, FreezeOrigin, FreezeScope};
use chrono::{DateTime, Utc};
use napi_derive::napi;
use partnerdesk::query::{
    Criterion, ExpiryFilter, Expr, FrozenFilter, MobileMatch, Query as CoreQuery, Range, TagMatch,
    TextMatch, parse_amount_bound,
};
use partnerdesk::{CustomerId, OperatorId, ResellerId, Tag};
use std::collections::BTreeSet;

/// A customer search: a filter over criteria, and whether disassociated customers count.
#[napi]
#[derive(Debug, Clone)]
pub struct Query {
    pub(crate) inner: CoreQuery,
}

/// A query of one criterion, checked by the core (blank text, over-precise amounts, day counts,
/// years, digits: the same checks as the text filter).
fn of(c: Criterion) -> napi::Result<Query, Code> {
    Ok(Query {
        inner: CoreQuery::new(Expr::criterion(c).map_err(to_js)?),
    })
}

fn amount_range(
    field: &str,
    min: Option<String>,
    max: Option<String>,
) -> napi::Result<Range<rust_decimal::Decimal>, Code> {
    // Exact or refused (`INVALID_MONEY`): a bound is never rounded to fit.
    let parse = |s: Option<String>| {
        s.map(|s| parse_amount_bound(field, &s))
            .transpose()
            .map_err(to_js)
    };
    Ok(Range::between(parse(min)?, parse(max)?))
}

fn tag_set(list: Vec<String>) -> napi::Result<BTreeSet<Tag>, Code> {
    list.into_iter()
        .map(|t| Tag::new(t).map_err(to_js))
        .collect()
}

#[partnerdesk_panic_guard::entry_points(result = napi::Result, error = crate::error::Code, checked_args = crate::args::Checked)]
#[napi]
impl Query {
    /// Parses the text filter, e.g. `assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)`.
    /// Throws `FILTER_SYNTAX` (with the position) on a malformed filter.
    #[napi]
    pub fn parse(text: String) -> napi::Result<Query, Code> {
        Ok(Query {
            inner: CoreQuery::parse(&text).map_err(to_js)?,
        })
    }

    /// Every associated customer.
    #[napi]
    pub fn all() -> Query {
        Query {
            inner: CoreQuery::all(),
        }
    }

    /// Customer name contains the text (case-insensitive).
    #[napi]
    pub fn name_contains(text: String) -> napi::Result<Query, Code> {
        of(Criterion::Name(TextMatch::Contains(text)))
    }

    /// Customer name equals the text (case-insensitive).
    #[napi]
    pub fn name_equals(text: String) -> napi::Result<Query, Code> {
        of(Criterion::Name(TextMatch::Exact(text)))
    }

    /// Account name contains the text (case-insensitive).
    #[napi]
    pub fn account_name_contains(text: String) -> napi::Result<Query, Code> {
        of(Criterion::AccountName(TextMatch::Contains(text)))
    }

    /// Account name equals the text (case-insensitive).
    #[napi]
    pub fn account_name_equals(text: String) -> napi::Result<Query, Code> {
        of(Criterion::AccountName(TextMatch::Exact(text)))
    }

    /// The customer with this id. Throws `INVALID_ID` for a malformed id.
    #[napi]
    pub fn customer_id(id: String) -> napi::Result<Query, Code> {
        of(Criterion::CustomerId(CustomerId::new(id).map_err(to_js)?))
    }

    /// Account manager by login. Throws `INVALID_ID` for a malformed login.
    #[napi]
    pub fn manager(login: String) -> napi::Result<Query, Code> {
        of(Criterion::Manager(OperatorId::new(login).map_err(to_js)?))
    }

    /// Account manager's display name contains the text.
    #[napi]
    pub fn manager_name_contains(text: String) -> napi::Result<Query, Code> {
        of(Criterion::ManagerName(TextMatch::Contains(text)))
    }

    /// Has an account manager (`true`) or has none (`false`).
    #[napi]
    pub fn has_manager(yes: bool) -> napi::Result<Query, Code> {
        of(Criterion::HasManager(yes))
    }

    /// Month-to-date spend within `[min, max]` (decimal strings, either may be omitted).
    /// Throws `INVALID_MONEY` for an amount that is not a decimal.
    #[napi]
    pub fn month_to_date(min: Option<String>, max: Option<String>) -> napi::Result<Query, Code> {
        of(Criterion::MonthToDate(amount_range("mtd", min, max)?))
    }

    /// Budget usage in percent within `[min, max]` (decimal strings, either may be omitted).
    #[napi]
    pub fn budget_usage(min: Option<String>, max: Option<String>) -> napi::Result<Query, Code> {
        of(Criterion::BudgetUsage(amount_range("budget", min, max)?))
    }

    /// The earliest upcoming resource expiry lies within `days` days of the search time
    /// (at most 36500: `INVALID_ARGUMENT` naming `expires_within` otherwise).
    #[napi]
    pub fn expires_within_days(days: u32) -> napi::Result<Query, Code> {
        of(Criterion::NextExpiry(ExpiryFilter::WithinDays(days)))
    }

    /// The earliest upcoming resource expiry lies in `[from, to]` (either may be omitted).
    #[napi]
    pub fn expires_between(
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> napi::Result<Query, Code> {
        of(Criterion::NextExpiry(ExpiryFilter::Between(
            Range::between(from, to),
        )))
    }

    /// No upcoming resource expiry.
    #[napi]
    pub fn no_upcoming_expiry() -> napi::Result<Query, Code> {
        of(Criterion::NextExpiry(ExpiryFilter::None))
    }

    /// The mobile number's national digits equal `digits`.
    #[napi]
    pub fn mobile_equals(digits: String) -> napi::Result<Query, Code> {
        of(Criterion::Mobile(MobileMatch::Exact(digits)))
    }

    /// The mobile number ends with `digits`.
    #[napi]
    pub fn mobile_ends_with(digits: String) -> napi::Result<Query, Code> {
        of(Criterion::Mobile(MobileMatch::EndsWith(digits)))
    }

    /// Has this tag. Throws `INVALID_ID` for a malformed tag.
    #[napi]
    pub fn tag(tag: String) -> napi::Result<Query, Code> {
        of(Criterion::Tags(TagMatch::Any(tag_set(vec![tag])?)))
    }

    /// Has at least one of the tags.
    #[napi]
    pub fn any_tag(tags: Vec<String>) -> napi::Result<Query, Code> {
        of(Criterion::Tags(TagMatch::Any(tag_set(tags)?)))
    }

    /// Has all of the tags.
    #[napi]
    pub fn all_tags(tags: Vec<String>) -> napi::Result<Query, Code> {
        of(Criterion::Tags(TagMatch::All(tag_set(tags)?)))
    }

    /// Association type.
    #[napi]
    pub fn association_type(kind: AssociationType) -> napi::Result<Query, Code> {
        of(Criterion::AssociationType(kind.into()))
    }

    /// Associated within `[from, to]` (either may be omitted).
    #[napi]
    pub fn associated_between(
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> napi::Result<Query, Code> {
        of(Criterion::AssociatedAt(Range::between(from, to)))
    }

    /// Frozen (any scope).
    #[napi]
    pub fn frozen() -> napi::Result<Query, Code> {
        of(Criterion::Frozen(FrozenFilter::Frozen))
    }

    /// Not frozen.
    #[napi]
    pub fn not_frozen() -> napi::Result<Query, Code> {
        of(Criterion::Frozen(FrozenFilter::NotFrozen))
    }

    /// Frozen with this scope.
    #[napi]
    pub fn freeze_scope(scope: FreezeScope) -> napi::Result<Query, Code> {
        of(Criterion::Frozen(FrozenFilter::Scope(scope.into())))
    }

    /// Frozen for this reason.
    #[napi]
    pub fn freeze_origin(origin: FreezeOrigin) -> napi::Result<Query, Code> {
        of(Criterion::Frozen(FrozenFilter::Origin(origin.into())))
    }

    /// Belongs to this reseller. Throws `INVALID_ID` for a malformed id.
    #[napi]
    pub fn reseller(id: String) -> napi::Result<Query, Code> {
        of(Criterion::Reseller(ResellerId::new(id).map_err(to_js)?))
    }

    /// Customer level.
    #[napi]
    pub fn level(level: CustomerLevel) -> napi::Result<Query, Code> {
        of(Criterion::Level(level.into()))
    }

    /// Both this and `other` match. Disassociated customers count if either query says so.
    #[napi]
    /// Throws `QUERY_TOO_COMPLEX` past the library's depth or size limit.
    pub fn and(&self, other: &Query) -> napi::Result<Query, Code> {
        Ok(Query {
            inner: CoreQuery {
                filter: self
                    .inner
                    .filter
                    .clone()
                    .and(other.inner.filter.clone())
                    .map_err(to_js)?,
                include_disassociated: self.inner.include_disassociated
                    || other.inner.include_disassociated,
            },
        })
    }

    /// This or `other` matches. Disassociated customers count if either query says so.
    #[napi]
    /// Throws `QUERY_TOO_COMPLEX` past the library's depth or size limit.
    pub fn or(&self, other: &Query) -> napi::Result<Query, Code> {
        Ok(Query {
            inner: CoreQuery {
                filter: self
                    .inner
                    .filter
                    .clone()
                    .or(other.inner.filter.clone())
                    .map_err(to_js)?,
                include_disassociated: self.inner.include_disassociated
                    || other.inner.include_disassociated,
            },
        })
    }

    /// This query does not match. Throws `QUERY_TOO_COMPLEX` past the library's depth limit
    /// (64). Cheap: the core's tree is shared, not copied.
    #[napi]
    pub fn not(&self) -> napi::Result<Query, Code> {
        Ok(Query {
            inner: CoreQuery {
                filter: self.inner.filter.clone().not().map_err(to_js)?,
                include_disassociated: self.inner.include_disassociated,
            },
        })
    }

    /// The same query, also matching customers whose association has ended (or not).
    #[napi]
    pub fn including_disassociated(&self, yes: bool) -> Query {
        Query {
            inner: self.inner.clone().including_disassociated(yes),
        }
    }

    /// Whether disassociated customers match too.
    #[napi(getter)]
    pub fn includes_disassociated(&self) -> bool {
        self.inner.include_disassociated
    }

    /// The canonical text filter (parses back to an equivalent query): the same text as
    /// `toString()`, as a property (what `huaweiSplitQuery` reads of a `Query`).
    #[napi(getter)]
    pub fn filter(&self) -> String {
        self.inner.filter.to_string()
    }

    /// The canonical text filter (parses back to an equivalent query).
    #[napi]
    #[allow(clippy::inherent_to_string)]
    pub fn to_string(&self) -> String {
        self.inner.filter.to_string()
    }

    /// Whether two queries are the same.
    #[napi]
    pub fn equals(&self, other: &Query) -> bool {
        self.inner == other.inner
    }
}
