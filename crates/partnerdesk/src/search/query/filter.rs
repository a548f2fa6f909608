//! The text filter grammar: the one description is `docs/filter.md`, shown here.
#![doc = include_str!("../../../../../docs/filter.md")]

use super::{Criterion, Expr, FrozenFilter, MobileMatch, Range, TagMatch, TextMatch};
use crate::customer::CustomerLevel;
use crate::error::{Error, Result};
use crate::ids::{CustomerId, OperatorId, ResellerId, Tag};
use crate::model::association::AssociationType;
use crate::model::freeze::{FreezeOrigin, FreezeScope};
use std::collections::BTreeSet;
use std::ops::Bound;

/// The longest filter accepted, in characters.
pub const MAX_FILTER_LEN: usize = 4096;
/// The deepest nesting of parentheses and `not` accepted.
pub const MAX_DEPTH: usize = 64;

/// Every field name the grammar knows (case-insensitive), as the error of an unknown field
/// lists them.
pub const FIELDS: &[&str] = &[
    "name",
    "account",
    "id",
    "manager",
    "managername",
    "has_manager",
    "mtd",
    "expires",
    "mobile",
    "tag",
    "assoc",
    "associated",
    "frozen",
    "freeze_origin",
    "budget",
    "reseller",
    "level",
];

/// Whether a character may appear in an unquoted value.
pub fn is_bare_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !matches!(c, '(' | ')' | ',' | '"' | '\\')
}

/// Parses a text filter into an expression (an empty filter matches everything).
///
/// ```
/// use partnerdesk::query::parse_filter;
/// assert!(parse_filter("  ")?.is_all());
/// let e = parse_filter("tag:vip or (mtd>100 and not frozen=true)")?;
/// assert_eq!(e.to_string(), "tag:vip or mtd>100 and not frozen=true");
/// let err = parse_filter("mtd>=").err().map(|e| e.code());
/// assert_eq!(err, Some("FILTER_SYNTAX"));
/// # Ok::<(), partnerdesk::Error>(())
/// ```
pub fn parse_filter(text: &str) -> Result<Expr> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > MAX_FILTER_LEN {
        return Err(Error::FilterSyntax {
            position: MAX_FILTER_LEN,
            expected: format!("at most {MAX_FILTER_LEN} characters"),
            found: "a longer filter".into(),
        });
    }
    let mut p = Parser {
        s: chars,
        pos: 0,
        depth: 0,
    };
    p.ws();
    if p.at_end() {
        return Ok(Expr::all());
    }
    let e = p.or()?;
    p.ws();
    if !p.at_end() {
        return Err(p.error("'and', 'or' or the end of the filter"));
    }
    Ok(e)
}

pub(super) struct Parser {
    s: Vec<char>,
    pos: usize,
    depth: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Eq,
    Ne,
    Tilde,
    Gt,
    Ge,
    Lt,
    Le,
    Colon,
}

impl Parser {
    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "the end of the filter".into(),
            Some('(') => "'('".into(),
            Some(')') => "')'".into(),
            Some(',') => "','".into(),
            Some('"') => "a quoted value".into(),
            Some('=' | '!' | '~' | '<' | '>' | ':') => "an operator".into(),
            Some(c) if c.is_alphanumeric() || c == '_' => "a word".into(),
            Some(_) => "a symbol".into(),
        }
    }

    fn error(&self, expected: &str) -> Error {
        Error::FilterSyntax {
            position: self.pos,
            expected: expected.into(),
            found: self.found(),
        }
    }

    pub(super) fn error_at(&self, position: usize, expected: &str, found: &str) -> Error {
        Error::FilterSyntax {
            position,
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// Whether a keyword (case-insensitive, whole word) is next; consumes it if so.
    fn keyword(&mut self, kw: &str) -> bool {
        let save = self.pos;
        self.ws();
        let start = self.pos;
        let mut end = start;
        while self
            .s
            .get(end)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
        {
            end += 1;
        }
        let word: String = self.s[start..end].iter().collect();
        if word.eq_ignore_ascii_case(kw) {
            self.pos = end;
            true
        } else {
            self.pos = save;
            false
        }
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::QueryTooComplex {
                what: "levels of nesting".into(),
                max: MAX_DEPTH,
            });
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr> {
        self.joined("or", Self::and, Expr::any_of)
    }

    fn and(&mut self) -> Result<Expr> {
        self.joined("and", Self::unary, Expr::all_of)
    }

    /// `item (keyword item)*`: one item as itself, several joined by `join`.
    fn joined(
        &mut self,
        keyword: &str,
        item: fn(&mut Self) -> Result<Expr>,
        join: fn(Vec<Expr>) -> Result<Expr>,
    ) -> Result<Expr> {
        let mut items = vec![item(self)?];
        while self.keyword(keyword) {
            items.push(item(self)?);
        }
        if items.len() == 1 {
            Ok(items.remove(0))
        } else {
            join(items)
        }
    }

    fn unary(&mut self) -> Result<Expr> {
        self.ws();
        if self.keyword("not") {
            self.enter()?;
            let e = self.unary()?;
            self.depth -= 1;
            return e.not();
        }
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                self.enter()?;
                let e = self.or()?;
                self.depth -= 1;
                self.ws();
                if self.peek() != Some(')') {
                    return Err(self.error("')'"));
                }
                self.pos += 1;
                Ok(e)
            }
            Some('*') if !self.s.get(self.pos + 1).copied().is_some_and(is_bare_char) => {
                self.pos += 1;
                Ok(Expr::all())
            }
            _ => self.term(),
        }
    }

    fn ident(&mut self) -> Option<String> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.pos += 1;
        }
        (self.pos > start).then(|| {
            self.s[start..self.pos]
                .iter()
                .collect::<String>()
                .to_ascii_lowercase()
        })
    }

    fn op(&mut self) -> Option<Op> {
        let two =
            |p: &Self, a: char, b: char| p.peek() == Some(a) && p.s.get(p.pos + 1) == Some(&b);
        let (op, len) = if two(self, '!', '=') {
            (Op::Ne, 2)
        } else if two(self, '>', '=') {
            (Op::Ge, 2)
        } else if two(self, '<', '=') {
            (Op::Le, 2)
        } else {
            match self.peek()? {
                '=' => (Op::Eq, 1),
                '~' => (Op::Tilde, 1),
                '>' => (Op::Gt, 1),
                '<' => (Op::Lt, 1),
                ':' => (Op::Colon, 1),
                _ => return None,
            }
        };
        self.pos += len;
        Some(op)
    }

    /// A value: bare or quoted. Returns the text and the position where it started.
    fn value(&mut self) -> Result<(String, usize)> {
        self.ws();
        let start = self.pos;
        match self.peek() {
            Some('"') => {
                self.pos += 1;
                let mut out = String::new();
                loop {
                    match self.peek() {
                        None => return Err(self.error("a closing '\"'")),
                        Some('"') => {
                            self.pos += 1;
                            return Ok((out, start));
                        }
                        Some('\\') => {
                            self.pos += 1;
                            match self.peek() {
                                Some(c @ ('"' | '\\')) => {
                                    out.push(c);
                                    self.pos += 1;
                                }
                                _ => return Err(self.error("'\\\"' or '\\\\' after '\\'")),
                            }
                        }
                        Some(c) => {
                            out.push(c);
                            self.pos += 1;
                        }
                    }
                }
            }
            Some(c) if is_bare_char(c) => {
                while self.peek().is_some_and(is_bare_char) {
                    self.pos += 1;
                }
                Ok((self.s[start..self.pos].iter().collect(), start))
            }
            _ => Err(self.error("a value")),
        }
    }

    fn term(&mut self) -> Result<Expr> {
        self.ws();
        let field_pos = self.pos;
        let Some(field) = self.ident() else {
            return Err(self.error("a field name, 'not' or '('"));
        };
        self.ws();
        if field == "tag" {
            if self.keyword("in") {
                return self.tag_list(false);
            }
            if self.keyword("all") {
                return self.tag_list(true);
            }
        }
        let op_pos = self.pos;
        let Some(op) = self.op() else {
            return Err(self.error("an operator (= != ~ > >= < <= :)"));
        };
        let (value, vpos) = self.value()?;
        let bad_op =
            |p: &Self, expected: &str| p.error_at(op_pos, expected, "an operator it does not take");
        let negate = |e: Expr, op: Op| {
            if op == Op::Ne { e.not() } else { Ok(e) }
        };
        let eq_ne = |p: &Self, op: Op| {
            if matches!(op, Op::Eq | Op::Ne) {
                Ok(())
            } else {
                Err(bad_op(p, "'=' or '!='"))
            }
        };
        let c = match field.as_str() {
            "name" | "account" | "managername" => {
                let m = match op {
                    Op::Eq | Op::Ne => TextMatch::Exact(value),
                    Op::Tilde => TextMatch::Contains(value),
                    _ => return Err(bad_op(self, "'=', '!=' or '~'")),
                };
                let c = match field.as_str() {
                    "name" => Criterion::Name(m),
                    "account" => Criterion::AccountName(m),
                    _ => Criterion::ManagerName(m),
                };
                return negate(Expr::criterion(c)?, op);
            }
            "id" => {
                eq_ne(self, op)?;
                Criterion::CustomerId(
                    CustomerId::new(value)
                        .map_err(|_| self.error_at(vpos, "a customer id", "an invalid id"))?,
                )
            }
            "manager" => match op {
                Op::Tilde => Criterion::ManagerName(TextMatch::Contains(value)),
                Op::Eq | Op::Ne => {
                    Criterion::Manager(OperatorId::new(value).map_err(|_| {
                        self.error_at(vpos, "an operator login", "an invalid login")
                    })?)
                }
                _ => return Err(bad_op(self, "'=', '!=' or '~'")),
            },
            "has_manager" => {
                eq_ne(self, op)?;
                Criterion::HasManager(self.boolean(&value, vpos)?)
            }
            "mtd" | "budget" => {
                let r = if value == "*" && op == Op::Ge {
                    Range {
                        lower: Bound::Unbounded,
                        upper: Bound::Unbounded,
                    }
                } else {
                    self.range(op, self.decimal(&value, vpos)?, op_pos)?
                };
                if field == "mtd" {
                    Criterion::MonthToDate(r)
                } else {
                    Criterion::BudgetUsage(r)
                }
            }
            "expires" => self.expiry(op, &value, op_pos, vpos)?,
            "associated" => {
                if op == Op::Ne {
                    return Err(bad_op(self, "'=', '>', '>=', '<' or '<='"));
                }
                Criterion::AssociatedAt(self.time_range(op, &value, op_pos, vpos)?)
            }
            "mobile" => {
                if !value
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '+' || c == '-')
                    || !value.chars().any(|c| c.is_ascii_digit())
                {
                    return Err(self.error_at(vpos, "digits", "a value with other characters"));
                }
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                match op {
                    Op::Eq | Op::Ne => Criterion::Mobile(MobileMatch::Exact(digits)),
                    Op::Tilde => Criterion::Mobile(MobileMatch::EndsWith(digits)),
                    _ => return Err(bad_op(self, "'=', '!=' or '~'")),
                }
            }
            "tag" => {
                if !matches!(op, Op::Colon | Op::Eq | Op::Ne) {
                    return Err(bad_op(self, "':', '=' or '!='"));
                }
                let t =
                    Tag::new(value).map_err(|_| self.error_at(vpos, "a tag", "an invalid tag"))?;
                Criterion::Tags(TagMatch::Any(BTreeSet::from([t])))
            }
            "assoc" => {
                eq_ne(self, op)?;
                Criterion::AssociationType(
                    AssociationType::parse_known(&value.to_ascii_lowercase()).ok_or_else(|| {
                        self.error_at(vpos, "'referral' or 'reseller'", "another word")
                    })?,
                )
            }
            "frozen" => {
                eq_ne(self, op)?;
                let v = value.to_ascii_lowercase();
                Criterion::Frozen(match v.as_str() {
                    "true" | "yes" => FrozenFilter::Frozen,
                    "false" | "no" => FrozenFilter::NotFrozen,
                    _ => FrozenFilter::Scope(FreezeScope::parse_known(&v).ok_or_else(|| {
                        self.error_at(
                            vpos,
                            "true, false, account, account_and_resources or unknown",
                            "another word",
                        )
                    })?),
                })
            }
            "freeze_origin" => {
                eq_ne(self, op)?;
                Criterion::Frozen(FrozenFilter::Origin(
                    FreezeOrigin::parse_known(&value.to_ascii_lowercase()).ok_or_else(|| {
                        self.error_at(vpos, "manual, default, budget or imported", "another word")
                    })?,
                ))
            }
            "reseller" => {
                eq_ne(self, op)?;
                Criterion::Reseller(
                    ResellerId::new(value)
                        .map_err(|_| self.error_at(vpos, "a reseller id", "an invalid id"))?,
                )
            }
            "level" => {
                eq_ne(self, op)?;
                Criterion::Level(
                    CustomerLevel::parse_known(&value.to_ascii_uppercase())
                        .ok_or_else(|| self.error_at(vpos, "V0 to V5", "another word"))?,
                )
            }
            _ => {
                return Err(self.error_at(
                    field_pos,
                    &format!("a field ({})", FIELDS.join(", ")),
                    "an unknown field",
                ));
            }
        };
        negate(Expr::criterion(c)?, op)
    }

    fn tag_list(&mut self, all: bool) -> Result<Expr> {
        self.ws();
        if self.peek() != Some('(') {
            return Err(self.error("'('"));
        }
        self.pos += 1;
        let mut tags = BTreeSet::new();
        self.ws();
        if self.peek() == Some(')') {
            // An empty list: `in ()` matches nothing, `all ()` matches everything.
            self.pos += 1;
            return Expr::criterion(Criterion::Tags(if all {
                TagMatch::All(tags)
            } else {
                TagMatch::Any(tags)
            }));
        }
        loop {
            let (v, vpos) = self.value()?;
            tags.insert(Tag::new(v).map_err(|_| self.error_at(vpos, "a tag", "an invalid tag"))?);
            self.ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.error("',' or ')'")),
            }
        }
        Expr::criterion(Criterion::Tags(if all {
            TagMatch::All(tags)
        } else {
            TagMatch::Any(tags)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ExpiryFilter, ExprKind};
    use super::*;

    fn pos(text: &str) -> Option<usize> {
        match parse_filter(text) {
            Err(Error::FilterSyntax { position, .. }) => Some(position),
            _ => None,
        }
    }

    #[test]
    fn parses_the_console_example() -> Result<()> {
        let e = parse_filter("name~acme and mtd>=1000 and (tag:vip or tag:gold) and expires<=7d")?;
        let ExprKind::And(items) = e.kind() else {
            return Err(Error::InvalidCursor);
        };
        assert_eq!(items.len(), 4);
        assert_eq!(
            items[3],
            Expr::criterion(Criterion::NextExpiry(ExpiryFilter::WithinDays(7)))?
        );
        Ok(())
    }

    #[test]
    fn precedence_and_binds_tighter() -> Result<()> {
        let e = parse_filter("tag:a or tag:b and tag:c")?;
        assert!(
            matches!(e.kind(), ExprKind::Or(v) if v.len() == 2 && matches!(v[1].kind(), ExprKind::And(_)))
        );
        assert_eq!(
            parse_filter("NOT (tag:a OR tag:b)")?.to_string(),
            "not (tag:a or tag:b)"
        );
        Ok(())
    }

    #[test]
    fn errors_point_at_the_position() {
        assert_eq!(pos("mtd>="), Some(5));
        assert_eq!(pos("mtd>=abc"), Some(5));
        assert_eq!(pos("(tag:a"), Some(6));
        assert_eq!(pos("bogus=1"), Some(0));
        assert_eq!(pos("name~\"open"), Some(10));
        assert_eq!(pos("tag:a tag:b"), Some(6));
        assert_eq!(pos("expires>7d"), Some(7));
        assert_eq!(pos("name>x"), Some(4));
    }

    fn code(text: &str) -> Option<&'static str> {
        parse_filter(text).err().map(|e| e.code())
    }

    #[test]
    fn nesting_and_width_limits_are_query_too_complex() {
        // Parentheses and `not` count while parsing; and/or/not nodes in the expression.
        assert_eq!(code(&"(".repeat(100)), Some("QUERY_TOO_COMPLEX"));
        assert_eq!(
            code(&"not ".repeat(MAX_DEPTH + 1)),
            Some("QUERY_TOO_COMPLEX")
        );
        let deepest = format!("{}tag:a", "not ".repeat(MAX_DEPTH));
        assert_eq!(
            parse_filter(&deepest).map(|e| e.depth()).ok(),
            Some(MAX_DEPTH)
        );
        // `a or b and (c or d and (...))`: two levels per parenthesis.
        let mut nested = String::from("tag:z");
        for _ in 0..40 {
            nested = format!("tag:a or tag:b and ({nested})");
        }
        assert!(matches!(
            parse_filter(&nested),
            Err(Error::QueryTooComplex { ref what, max: MAX_DEPTH }) if what == "levels of nesting"
        ));
        // Within 4096 characters, but more terms than the library accepts.
        let wide = vec!["*"; 600].join(" or ");
        assert!(wide.chars().count() <= MAX_FILTER_LEN);
        assert!(matches!(
            parse_filter(&wide),
            Err(Error::QueryTooComplex { ref what, max: super::super::MAX_CRITERIA }) if what == "criteria"
        ));
        assert_eq!(
            parse_filter(&vec!["*"; 511].join(" or "))
                .map(|e| e.size())
                .ok(),
            Some(512)
        );
    }

    #[test]
    fn amounts_are_exact_or_refused() -> Result<()> {
        // 31 decimal places would round to 0 in a Decimal: refused with the position.
        assert_eq!(pos("mtd>=0.0000000000000000000000000000001"), Some(5));
        assert_eq!(pos("budget<1.000000001"), Some(7));
        assert_eq!(pos("mtd>=99999999999999999999999999999"), Some(5));
        assert_eq!(
            parse_filter("mtd>=0.00000001000")?.to_string(),
            "mtd>=0.00000001000"
        );
        assert_eq!(parse_filter("mtd>=1000.50")?.to_string(), "mtd>=1000.50");
        assert_eq!(parse_filter("mtd>=-0.5")?.to_string(), "mtd>=-0.5");
        Ok(())
    }

    #[test]
    fn blank_text_days_and_years_are_refused_with_the_field() {
        let field = |text: &str| match parse_filter(text) {
            Err(Error::InvalidArgument { field, .. } | Error::InvalidDate { field, .. }) => {
                Some(field)
            }
            _ => None,
        };
        assert_eq!(field("name=\"  \"").as_deref(), Some("name"));
        assert_eq!(field("account~\"\"").as_deref(), Some("account"));
        assert_eq!(field("managername!=\" \"").as_deref(), Some("manager_name"));
        assert_eq!(field("manager~\"\t\"").as_deref(), Some("manager_name"));
        assert_eq!(field("associated>=0001-01-01").as_deref(), Some("date"));
        assert_eq!(field("expires<=+262143-12-31").as_deref(), None);
        assert_eq!(
            field("associated<9999-12-31T23:59:59-23:00").as_deref(),
            Some("associated")
        );
        assert_eq!(pos("expires<=100000000d"), Some(9));
        assert_eq!(pos("expires<=36501d"), Some(9));
        assert!(parse_filter("expires<=36500d").is_ok());
    }

    #[test]
    fn error_text_never_quotes_the_value() {
        let err = parse_filter("mobile=张三")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(!err.contains("张三"), "{err}");
    }

    #[test]
    fn dates_and_quotes() -> Result<()> {
        let e = parse_filter("associated>=2026-01-01 and name=\"Acme \\\"Cloud\\\" Ltd\"")?;
        assert_eq!(
            e.to_string(),
            "associated>=2026-01-01T00:00:00Z and name=\"Acme \\\"Cloud\\\" Ltd\""
        );
        assert_eq!(parse_filter(&e.to_string())?, e);
        let e = parse_filter("tag all (vip, \"big one\") and tag in (a,b)")?;
        assert_eq!(
            e.to_string(),
            "tag all (\"big one\", vip) and tag in (a, b)"
        );
        Ok(())
    }
}
