//! The canonical text form of criteria, expressions and queries: what `Display` prints and
//! [`Query::parse`](super::Query::parse) reads back.

use super::{
    Criterion, ExpiryFilter, Expr, ExprKind, FrozenFilter, MobileMatch, Query, Range, TagMatch,
    TextMatch, filter,
};
use crate::ids::Tag;
use chrono::{DateTime, SecondsFormat, Utc};
use std::collections::BTreeSet;
use std::fmt;
use std::ops::Bound;

pub(super) fn quote(s: &str) -> String {
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

pub(super) fn time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub(super) fn write_range<T>(
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

pub(super) fn write_text(f: &mut fmt::Formatter<'_>, field: &str, m: &TextMatch) -> fmt::Result {
    match m {
        TextMatch::Exact(s) => write!(f, "{field}={}", quote(s)),
        TextMatch::Contains(s) => write!(f, "{field}~{}", quote(s)),
    }
}

pub(super) fn write_tags(
    f: &mut fmt::Formatter<'_>,
    kw: &str,
    tags: &BTreeSet<Tag>,
) -> fmt::Result {
    let list: Vec<String> = tags.iter().map(|t| quote(t.as_str())).collect();
    write!(f, "tag {kw} ({})", list.join(", "))
}

pub(super) fn two_sided<T>(r: &Range<T>) -> bool {
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
        // Bounded recursion: an expression is at most MAX_DEPTH deep.
        match self.kind() {
            ExprKind::All => f.write_str("*"),
            // A range with both bounds prints as two comparisons joined by `and`.
            ExprKind::Criterion(c) if parent > 2 && c.is_two_sided() => write!(f, "({c})"),
            ExprKind::Criterion(c) => write!(f, "{c}"),
            ExprKind::Not(e) => {
                f.write_str("not ")?;
                e.fmt_prec(f, 3)
            }
            ExprKind::And(v) | ExprKind::Or(v) => {
                let (prec, kw, empty) = match self.kind() {
                    ExprKind::And(_) => (2, " and ", "*"),
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
        write!(f, "{}{}", self.filter, self.text_suffix())
    }
}

impl Query {
    /// What the query's text has after its filter.
    pub(crate) fn text_suffix(&self) -> &'static str {
        if self.include_disassociated {
            " [include disassociated]"
        } else {
            ""
        }
    }
}
