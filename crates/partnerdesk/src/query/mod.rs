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

use crate::association::AssociationType;
use crate::customer::CustomerLevel;
use crate::freeze::{FreezeOrigin, FreezeScope};
use crate::ids::{CustomerId, OperatorId, ResellerId, Tag};
use chrono::{DateTime, SecondsFormat, Utc};
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

/// A boolean combination of criteria.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expr {
    /// Matches every customer.
    All,
    /// One criterion.
    Criterion(Criterion),
    /// All must match (an empty `And` matches everything).
    And(Vec<Expr>),
    /// At least one must match (an empty `Or` matches nothing).
    Or(Vec<Expr>),
    /// Must not match.
    Not(Box<Expr>),
}

impl Expr {
    /// `self AND other`.
    pub fn and(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::All, e) | (e, Expr::All) => e,
            (Expr::And(mut a), Expr::And(b)) => {
                a.extend(b);
                Expr::And(a)
            }
            (Expr::And(mut a), e) => {
                a.push(e);
                Expr::And(a)
            }
            (a, b) => Expr::And(vec![a, b]),
        }
    }

    /// `self OR other`.
    pub fn or(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::Or(mut a), Expr::Or(b)) => {
                a.extend(b);
                Expr::Or(a)
            }
            (Expr::Or(mut a), e) => {
                a.push(e);
                Expr::Or(a)
            }
            (a, b) => Expr::Or(vec![a, b]),
        }
    }

    /// `NOT self`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Expr {
        Expr::Not(Box::new(self))
    }
}

impl From<Criterion> for Expr {
    fn from(c: Criterion) -> Self {
        Expr::Criterion(c)
    }
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
            filter: Expr::All,
            include_disassociated: false,
        }
    }

    /// A query from a filter expression.
    pub fn new(filter: impl Into<Expr>) -> Self {
        Query {
            filter: filter.into(),
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

    /// `self AND criterion`.
    pub fn and(mut self, e: impl Into<Expr>) -> Self {
        self.filter = std::mem::replace(&mut self.filter, Expr::All).and(e.into());
        self
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

// ---- canonical text form -------------------------------------------------------------------

fn quote(s: &str) -> String {
    let bare = !s.is_empty()
        && s.chars().all(filter::is_bare_char)
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "and" | "or" | "not" | "in" | "all"
        );
    if bare {
        s.to_owned()
    } else {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        out
    }
}

fn time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn write_range<T>(
    f: &mut fmt::Formatter<'_>,
    field: &str,
    r: &Range<T>,
    show: impl Fn(&T) -> String,
) -> fmt::Result {
    let lo = match &r.lower {
        Bound::Included(v) => Some(format!("{field}>={}", show(v))),
        Bound::Excluded(v) => Some(format!("{field}>{}", show(v))),
        Bound::Unbounded => None,
    };
    let hi = match &r.upper {
        Bound::Included(v) => Some(format!("{field}<={}", show(v))),
        Bound::Excluded(v) => Some(format!("{field}<{}", show(v))),
        Bound::Unbounded => None,
    };
    match (lo, hi) {
        (Some(a), Some(b)) => write!(f, "{a} and {b}"),
        (Some(a), None) | (None, Some(a)) => f.write_str(&a),
        (None, None) => write!(f, "{field}>=*"),
    }
}

fn write_text(f: &mut fmt::Formatter<'_>, field: &str, m: &TextMatch) -> fmt::Result {
    match m {
        TextMatch::Exact(s) => write!(f, "{field}={}", quote(s)),
        TextMatch::Contains(s) => write!(f, "{field}~{}", quote(s)),
    }
}

fn write_tags(f: &mut fmt::Formatter<'_>, kw: &str, tags: &BTreeSet<Tag>) -> fmt::Result {
    let list: Vec<String> = tags.iter().map(|t| quote(t.as_str())).collect();
    write!(f, "tag {kw} ({})", list.join(", "))
}

fn two_sided<T>(r: &Range<T>) -> bool {
    !matches!(r.lower, Bound::Unbounded) && !matches!(r.upper, Bound::Unbounded)
}

impl Criterion {
    /// Whether the text form is two comparisons (a range bounded on both sides).
    fn is_two_sided(&self) -> bool {
        match self {
            Criterion::MonthToDate(r) | Criterion::BudgetUsage(r) => two_sided(r),
            Criterion::NextExpiry(ExpiryFilter::Between(r)) | Criterion::AssociatedAt(r) => {
                two_sided(r)
            }
            _ => false,
        }
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Criterion::Name(m) => write_text(f, "name", m),
            Criterion::AccountName(m) => write_text(f, "account", m),
            Criterion::CustomerId(id) => write!(f, "id={}", quote(id.as_str())),
            Criterion::Manager(id) => write!(f, "manager={}", quote(id.as_str())),
            Criterion::ManagerName(m) => write_text(f, "managername", m),
            Criterion::HasManager(b) => write!(f, "has_manager={b}"),
            Criterion::MonthToDate(r) => write_range(f, "mtd", r, |d| d.to_string()),
            Criterion::NextExpiry(ExpiryFilter::WithinDays(n)) => write!(f, "expires<={n}d"),
            Criterion::NextExpiry(ExpiryFilter::Between(r)) => write_range(f, "expires", r, time),
            Criterion::NextExpiry(ExpiryFilter::None) => f.write_str("expires=none"),
            Criterion::Mobile(MobileMatch::Exact(s)) => write!(f, "mobile={}", quote(s)),
            Criterion::Mobile(MobileMatch::EndsWith(s)) => write!(f, "mobile~{}", quote(s)),
            Criterion::Tags(TagMatch::Any(t)) if t.len() == 1 => {
                write!(
                    f,
                    "tag:{}",
                    quote(t.iter().next().map_or("", |t| t.as_str()))
                )
            }
            Criterion::Tags(TagMatch::Any(t)) => write_tags(f, "in", t),
            Criterion::Tags(TagMatch::All(t)) => write_tags(f, "all", t),
            Criterion::AssociationType(t) => write!(f, "assoc={}", quote(t.as_str())),
            Criterion::AssociatedAt(r) => write_range(f, "associated", r, time),
            Criterion::Frozen(FrozenFilter::NotFrozen) => f.write_str("frozen=false"),
            Criterion::Frozen(FrozenFilter::Frozen) => f.write_str("frozen=true"),
            Criterion::Frozen(FrozenFilter::Scope(s)) => write!(f, "frozen={}", quote(s.as_str())),
            Criterion::Frozen(FrozenFilter::Origin(o)) => {
                write!(f, "freeze_origin={}", quote(o.as_str()))
            }
            Criterion::BudgetUsage(r) => write_range(f, "budget", r, |d| d.to_string()),
            Criterion::Reseller(id) => write!(f, "reseller={}", quote(id.as_str())),
            Criterion::Level(l) => write!(f, "level={}", quote(l.as_str())),
        }
    }
}

impl Expr {
    fn fmt_prec(&self, f: &mut fmt::Formatter<'_>, parent: u8) -> fmt::Result {
        // precedence: or = 1, and = 2, not/atom = 3
        match self {
            Expr::All => f.write_str("*"),
            // A range with both bounds prints as two comparisons joined by `and`.
            Expr::Criterion(c) if parent > 2 && c.is_two_sided() => write!(f, "({c})"),
            Expr::Criterion(c) => write!(f, "{c}"),
            Expr::Not(e) => {
                f.write_str("not ")?;
                e.fmt_prec(f, 3)
            }
            Expr::And(v) | Expr::Or(v) => {
                let (prec, kw, empty) = match self {
                    Expr::And(_) => (2, " and ", "*"),
                    _ => (1, " or ", "not *"),
                };
                if v.is_empty() {
                    return f.write_str(empty);
                }
                if v.len() == 1 {
                    return v[0].fmt_prec(f, parent);
                }
                let paren = parent > prec;
                if paren {
                    f.write_str("(")?;
                }
                for (i, e) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(kw)?;
                    }
                    e.fmt_prec(f, prec + 1)?;
                }
                if paren {
                    f.write_str(")")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Expr {
    /// The canonical text filter; parsing it gives an equivalent expression.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_prec(f, 0)
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.filter)?;
        if self.include_disassociated {
            f.write_str(" [include disassociated]")?;
        }
        Ok(())
    }
}
