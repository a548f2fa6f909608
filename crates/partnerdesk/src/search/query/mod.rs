//! Search queries: criteria, combinators, sorting and paging.
//!
//! Why a query value: the console's search form, a partner's saved filter, a URL parameter and a
//! Python script all ask the same questions. They all build one [`Query`], either with the
//! builder functions here or by parsing the text filter grammar ([`Query::parse`], grammar in
//! [`filter`]), and the desk answers it with its indexes ([`crate::Desk::search`]).
//!
//! Matching rules:
//! - names and account names match case-insensitively (Unicode lower case); `Contains` is a
//!   substring ("prefix, suffix or middle part"), `Exact` is equality;
//! - month-to-date spend is the sum of the spend records in the billing month of `now`;
//! - resource expiry is on the customer's *earliest upcoming* expiry (see
//!   [`crate::Customer::next_expiry`]); "within N days" means in `[now, now + N days]`;
//! - a mobile number matches on its national number's digits, exactly or by its last digits;
//!   rows still come back masked;
//! - budget usage is the percentage used ([`crate::Budget::usage_percent`]); customers without
//!   a budget never match it;
//! - disassociated customers are left out unless [`Query::include_disassociated`] is set.

pub mod filter;

mod expr;
mod text;
mod values;

use crate::customer::CustomerLevel;
use crate::ids::{CustomerId, OperatorId, ResellerId, Tag};
use crate::model::association::AssociationType;
use crate::model::freeze::{FreezeOrigin, FreezeScope};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use std::fmt;
use std::ops::Bound;

pub use filter::parse_filter;

/// The largest page a search returns.
pub const MAX_PAGE_LIMIT: u32 = 1000;

/// How a text criterion matches (case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TextMatch {
    /// The whole value equals the text.
    Exact(String),
    /// The value contains the text (prefix, suffix or middle part).
    Contains(String),
}

/// A range with optional inclusive or exclusive bounds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Range<T> {
    /// Lower bound.
    pub lower: Bound<T>,
    /// Upper bound.
    pub upper: Bound<T>,
}

impl<T: PartialOrd> Range<T> {
    /// Both bounds inclusive, either open.
    pub fn between(min: Option<T>, max: Option<T>) -> Self {
        Range {
            lower: min.map_or(Bound::Unbounded, Bound::Included),
            upper: max.map_or(Bound::Unbounded, Bound::Included),
        }
    }

    /// `>= min`.
    pub fn at_least(min: T) -> Self {
        Range {
            lower: Bound::Included(min),
            upper: Bound::Unbounded,
        }
    }

    /// `<= max`.
    pub fn at_most(max: T) -> Self {
        Range {
            lower: Bound::Unbounded,
            upper: Bound::Included(max),
        }
    }

    /// Whether a value lies in the range.
    pub fn contains(&self, v: &T) -> bool {
        let lo = match &self.lower {
            Bound::Included(l) => v >= l,
            Bound::Excluded(l) => v > l,
            Bound::Unbounded => true,
        };
        lo && match &self.upper {
            Bound::Included(u) => v <= u,
            Bound::Excluded(u) => v < u,
            Bound::Unbounded => true,
        }
    }
}

/// A filter on the earliest upcoming resource expiry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExpiryFilter {
    /// The next expiry lies in `[now, now + days]`.
    WithinDays(u32),
    /// The next expiry lies in the range.
    Between(Range<DateTime<Utc>>),
    /// The customer has no upcoming expiry.
    None,
}

/// A filter on the mobile number (national number digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MobileMatch {
    /// The whole number.
    Exact(String),
    /// The last digits.
    EndsWith(String),
}

/// A filter on tags.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TagMatch {
    /// Has at least one of the tags.
    Any(BTreeSet<Tag>),
    /// Has all of the tags.
    All(BTreeSet<Tag>),
}

/// A filter on the freeze state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FrozenFilter {
    /// Not frozen.
    NotFrozen,
    /// Frozen, any scope.
    Frozen,
    /// Frozen with this scope.
    Scope(FreezeScope),
    /// Frozen with this origin (e.g. budget auto-freeze).
    Origin(FreezeOrigin),
}

/// One search criterion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Criterion {
    /// Customer (real-name) name.
    Name(TextMatch),
    /// Account (login) name.
    AccountName(TextMatch),
    /// Customer id, exactly.
    CustomerId(CustomerId),
    /// Account manager by login, exactly.
    Manager(OperatorId),
    /// Account manager by display name.
    ManagerName(TextMatch),
    /// Has an account manager (or not).
    HasManager(bool),
    /// Month-to-date spend.
    MonthToDate(Range<Decimal>),
    /// Earliest upcoming resource expiry.
    NextExpiry(ExpiryFilter),
    /// Mobile number.
    Mobile(MobileMatch),
    /// Tags.
    Tags(TagMatch),
    /// Association type.
    AssociationType(AssociationType),
    /// Association time.
    AssociatedAt(Range<DateTime<Utc>>),
    /// Freeze state.
    Frozen(FrozenFilter),
    /// Budget usage in percent.
    BudgetUsage(Range<Decimal>),
    /// Reseller (indirect partner).
    Reseller(ResellerId),
    /// Customer level.
    Level(CustomerLevel),
}

/// The most terms an expression may hold: criteria, `*`, and each `and`, `or` and `not` node
/// count one each (builders and the text filter alike). A query's planning and matching work
/// grows with its terms; real filters hold a handful, a saved filter of a few dozen.
pub const MAX_CRITERIA: usize = 512;

pub use filter::{FIELDS, MAX_DEPTH, MAX_FILTER_LEN};

pub use expr::{Expr, ExprKind};

/// The most decimal places an amount bound of a criterion may have (month-to-date spend and
/// budget usage are compared exactly at this precision).
pub const MAX_AMOUNT_SCALE: u32 = crate::index::KEY_SCALE;

fn check_text(field: &str, m: &TextMatch) -> crate::Result<()> {
    let (TextMatch::Exact(t) | TextMatch::Contains(t)) = m;
    if t.trim().is_empty() {
        return Err(crate::Error::invalid_arg(field, "blank text"));
    }
    Ok(())
}

fn check_amounts(field: &str, r: &Range<Decimal>) -> crate::Result<()> {
    for b in [&r.lower, &r.upper] {
        if let Bound::Included(v) | Bound::Excluded(v) = b {
            crate::money::check_scale(field, *v, MAX_AMOUNT_SCALE)?;
        }
    }
    Ok(())
}

fn check_times(field: &str, r: &Range<DateTime<Utc>>) -> crate::Result<()> {
    for b in [&r.lower, &r.upper] {
        if let Bound::Included(t) | Bound::Excluded(t) = b {
            crate::validate::instant(field, *t)?;
        }
    }
    Ok(())
}

impl Criterion {
    /// Checks a criterion as every door does before it becomes part of a query: text criteria
    /// are not blank (`INVALID_ARGUMENT` naming the field), amount bounds have at most
    /// [`MAX_AMOUNT_SCALE`] decimal places (`INVALID_MONEY`), an expiry window is at most
    /// [`crate::calendar::MAX_DAYS`] days (`INVALID_ARGUMENT`), times lie in the years the desk
    /// accepts (`INVALID_DATE`, see [`crate::calendar::check_instant`]), mobile criteria are
    /// digits (`INVALID_ARGUMENT`).
    pub fn validate(&self) -> crate::Result<()> {
        match self {
            Criterion::Name(m) => check_text("name", m),
            Criterion::AccountName(m) => check_text("account", m),
            Criterion::ManagerName(m) => check_text("manager_name", m),
            Criterion::MonthToDate(r) => check_amounts("mtd", r),
            Criterion::BudgetUsage(r) => check_amounts("budget", r),
            Criterion::NextExpiry(ExpiryFilter::WithinDays(n)) => {
                crate::validate::days("expires_within", u64::from(*n)).map(|_| ())
            }
            Criterion::NextExpiry(ExpiryFilter::Between(r)) => check_times("expires", r),
            Criterion::AssociatedAt(r) => check_times("associated", r),
            Criterion::Mobile(MobileMatch::Exact(d) | MobileMatch::EndsWith(d)) => {
                if d.is_empty() || !d.chars().all(|c| c.is_ascii_digit()) {
                    return Err(crate::Error::invalid_arg("mobile", "expected digits"));
                }
                Ok(())
            }
            Criterion::CustomerId(_)
            | Criterion::Manager(_)
            | Criterion::HasManager(_)
            | Criterion::NextExpiry(ExpiryFilter::None)
            | Criterion::Tags(_)
            | Criterion::AssociationType(_)
            | Criterion::Frozen(_)
            | Criterion::Reseller(_)
            | Criterion::Level(_) => Ok(()),
        }
    }
}

/// Parses a decimal amount bound from text exactly: `"1500.5"`, `"-3"`, `"1E+3"`. Refused with
/// `INVALID_MONEY` naming the field when it is not a decimal number, has more than
/// [`MAX_AMOUNT_SCALE`] decimal places (after dropping trailing zeros: never rounded) or more
/// than 28 significant digits.
///
/// ```
/// use partnerdesk::query::parse_amount_bound;
/// assert_eq!(parse_amount_bound("mtd", "1E+3")?.to_string(), "1000");
/// let tiny = parse_amount_bound("mtd", "0.0000000000000000000000000000001");
/// assert_eq!(tiny.err().map(|e| e.code()), Some("INVALID_MONEY"));
/// # Ok::<(), partnerdesk::Error>(())
/// ```
pub fn parse_amount_bound(field: &str, text: &str) -> crate::Result<Decimal> {
    exact_decimal(text.trim()).map_err(|reason| crate::Error::invalid_money(field, reason))
}

/// An exact decimal from text, or why not.
pub(crate) fn exact_decimal(text: &str) -> std::result::Result<Decimal, &'static str> {
    const NOT: &str = "not a decimal number";
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (number, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return Err(NOT);
    }
    let exp: i64 = match exp {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(NOT);
            }
            e.parse().map_err(|_| NOT)?
        }
    };
    // The significant digits, without leading zeros, and the scale they are at.
    let mut digits: String = int.chars().chain(frac.chars()).collect();
    let lead = digits.len() - digits.trim_start_matches('0').len();
    digits.drain(..lead);
    let mut scale = i64::try_from(frac.len()).map_err(|_| NOT)? - exp;
    if digits.is_empty() {
        return Ok(Decimal::ZERO);
    }
    // Trailing zeros after the point do not make an amount more precise.
    let trailing = digits.len() - digits.trim_end_matches('0').len();
    let trailing = i64::try_from(trailing).map_err(|_| NOT)?;
    if scale - trailing.min(scale.max(0)) > i64::from(MAX_AMOUNT_SCALE) {
        return Err("more than 8 decimal places");
    }
    // Keep the written scale where a Decimal can hold it (`1000.50` stays `1000.50`).
    while (scale > 28 || digits.len() > 28) && scale > 0 && digits.ends_with('0') {
        digits.pop();
        scale -= 1;
    }
    // A negative scale appends zeros; 28 significant digits is what a Decimal holds.
    let zeros = usize::try_from(-scale.min(0)).map_err(|_| NOT)?;
    if digits.len().saturating_add(zeros) > 28 {
        return Err("too large");
    }
    digits.extend(std::iter::repeat_n('0', zeros));
    let mantissa: i128 = digits.parse().map_err(|_| NOT)?;
    let scale = u32::try_from(scale.max(0)).map_err(|_| NOT)?;
    let v = Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| "too large")?;
    Ok(if negative { -v } else { v })
}

/// A search: a filter, and whether disassociated customers are included.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Query {
    /// The filter.
    pub filter: Expr,
    /// Include customers whose association has ended (off by default, as on the console).
    pub include_disassociated: bool,
}

impl Default for Query {
    fn default() -> Self {
        Query::all()
    }
}

impl Query {
    /// Every associated customer.
    pub fn all() -> Self {
        Query {
            filter: Expr::all(),
            include_disassociated: false,
        }
    }

    /// A query from a filter expression (already within the limits: see [`Expr`]).
    pub fn new(filter: Expr) -> Self {
        Query {
            filter,
            include_disassociated: false,
        }
    }

    /// Parses the text filter grammar (see [`filter`]).
    ///
    /// ```
    /// use partnerdesk::query::Query;
    /// let q = Query::parse("name~acme and mtd>=1000 and (tag:vip or tag:gold) and expires<=7d")?;
    /// assert_eq!(q.to_string(), "name~acme and mtd>=1000 and (tag:vip or tag:gold) and expires<=7d");
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn parse(text: &str) -> crate::Result<Self> {
        Ok(Query::new(parse_filter(text)?))
    }

    /// The same query, also matching disassociated customers.
    pub fn including_disassociated(mut self, yes: bool) -> Self {
        self.include_disassociated = yes;
        self
    }

    /// `self AND e`. Refused with `QUERY_TOO_COMPLEX` over the limits (see [`Expr`]).
    pub fn and(mut self, e: Expr) -> crate::Result<Self> {
        self.filter = self.filter.and(e)?;
        Ok(self)
    }
}

/// What to sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
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
    #[default]
    Id,
}

impl SortKey {
    /// Every sort key, in the order of the console's columns.
    pub const ALL: [SortKey; 6] = [
        SortKey::Name,
        SortKey::AccountName,
        SortKey::MonthToDate,
        SortKey::AssociatedAt,
        SortKey::NextExpiry,
        SortKey::Id,
    ];

    /// The stable text form (`name`, `account`, `mtd`, `associated`, `expires`, `id`).
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::AccountName => "account",
            SortKey::MonthToDate => "mtd",
            SortKey::AssociatedAt => "associated",
            SortKey::NextExpiry => "expires",
            SortKey::Id => "id",
        }
    }

    /// Parses the stable text form.
    pub fn parse(s: &str) -> crate::Result<Self> {
        Ok(match s {
            "name" => SortKey::Name,
            "account" => SortKey::AccountName,
            "mtd" => SortKey::MonthToDate,
            "associated" => SortKey::AssociatedAt,
            "expires" => SortKey::NextExpiry,
            "id" => SortKey::Id,
            _ => {
                return Err(crate::Error::invalid_arg(
                    "sort",
                    "expected name, account, mtd, associated, expires or id",
                ));
            }
        })
    }
}

/// A sort order. The customer id (ascending) always breaks ties, so pages are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sort {
    /// The key.
    pub key: SortKey,
    /// Descending instead of ascending.
    pub descending: bool,
}

impl Sort {
    /// Ascending by a key.
    pub fn asc(key: SortKey) -> Self {
        Sort {
            key,
            descending: false,
        }
    }

    /// Descending by a key.
    pub fn desc(key: SortKey) -> Self {
        Sort {
            key,
            descending: true,
        }
    }
}

impl fmt::Display for Sort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.key.as_str(),
            if self.descending { "desc" } else { "asc" }
        )
    }
}

/// Which page to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageRequest {
    /// Skip `offset` rows, return at most `limit` (1..=1000).
    Offset {
        /// Rows to skip.
        offset: usize,
        /// Rows to return.
        limit: u32,
    },
    /// Continue after a cursor from a previous page of the same query and sort
    /// (`None`: the first page).
    Cursor {
        /// The previous page's `next_cursor`.
        cursor: Option<String>,
        /// Rows to return (1..=1000).
        limit: u32,
    },
}

impl PageRequest {
    /// The first page of `limit` rows, continued by cursor.
    pub fn first(limit: u32) -> Self {
        PageRequest::Cursor {
            cursor: None,
            limit,
        }
    }

    /// A page by offset.
    pub fn offset(offset: usize, limit: u32) -> Self {
        PageRequest::Offset { offset, limit }
    }

    /// The page after a cursor.
    pub fn after(cursor: impl Into<String>, limit: u32) -> Self {
        PageRequest::Cursor {
            cursor: Some(cursor.into()),
            limit,
        }
    }

    /// The requested limit.
    pub fn limit(&self) -> u32 {
        match self {
            PageRequest::Offset { limit, .. } | PageRequest::Cursor { limit, .. } => *limit,
        }
    }
}
