//! The filter grammar's values: booleans, amounts, ranges, expiry windows and instants, each
//! checked where it is read so that an error names its position.

use super::filter::{Op, Parser};
use super::{Criterion, ExpiryFilter, Range};
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use std::ops::Bound;

impl Parser {
    pub(super) fn boolean(&self, v: &str, pos: usize) -> Result<bool> {
        match v.to_ascii_lowercase().as_str() {
            "true" | "yes" => Ok(true),
            "false" | "no" => Ok(false),
            _ => Err(self.error_at(pos, "true or false", "another word")),
        }
    }

    pub(super) fn decimal(&self, v: &str, pos: usize) -> Result<Decimal> {
        if !v
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        {
            return Err(self.error_at(pos, "a decimal number", "another value"));
        }
        // Exact or refused: an amount is never rounded to fit.
        super::exact_decimal(v).map_err(|_| {
            self.error_at(
                pos,
                "a decimal number with at most 8 decimal places",
                "another value",
            )
        })
    }

    pub(super) fn range<T: Clone + PartialOrd>(
        &self,
        op: Op,
        v: T,
        op_pos: usize,
    ) -> Result<Range<T>> {
        let (lower, upper) = match op {
            Op::Eq | Op::Ne => (Bound::Included(v.clone()), Bound::Included(v)),
            Op::Gt => (Bound::Excluded(v), Bound::Unbounded),
            Op::Ge => (Bound::Included(v), Bound::Unbounded),
            Op::Lt => (Bound::Unbounded, Bound::Excluded(v)),
            Op::Le => (Bound::Unbounded, Bound::Included(v)),
            Op::Tilde | Op::Colon => {
                return Err(self.error_at(
                    op_pos,
                    "a comparison (= != > >= < <=)",
                    "an operator it does not take",
                ));
            }
        };
        Ok(Range { lower, upper })
    }

    pub(super) fn expiry(&self, op: Op, v: &str, op_pos: usize, vpos: usize) -> Result<Criterion> {
        if v.eq_ignore_ascii_case("none") {
            if op != Op::Eq {
                return Err(self.error_at(op_pos, "'=' before 'none'", "another operator"));
            }
            return Ok(Criterion::NextExpiry(ExpiryFilter::None));
        }
        if let Some(days) = v
            .strip_suffix(['d', 'D'])
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        {
            if op != Op::Le {
                return Err(self.error_at(
                    op_pos,
                    "'<=' before a number of days",
                    "another operator",
                ));
            }
            let n: u32 = days.parse().map_err(|_| {
                self.error_at(vpos, "a number of days up to 36500", "a larger number")
            })?;
            if n > crate::calendar::MAX_DAYS {
                return Err(self.error_at(vpos, "a number of days up to 36500", "a larger number"));
            }
            return Ok(Criterion::NextExpiry(ExpiryFilter::WithinDays(n)));
        }
        if op == Op::Ne {
            return Err(self.error_at(op_pos, "'=', '>', '>=', '<' or '<='", "'!='"));
        }
        Ok(Criterion::NextExpiry(ExpiryFilter::Between(
            self.time_range(op, v, op_pos, vpos)?,
        )))
    }

    pub(super) fn time_range(
        &self,
        op: Op,
        v: &str,
        op_pos: usize,
        vpos: usize,
    ) -> Result<Range<DateTime<Utc>>> {
        if v == "*" && op == Op::Ge {
            return Ok(Range {
                lower: Bound::Unbounded,
                upper: Bound::Unbounded,
            });
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(v) {
            return self.range(op, t.with_timezone(&Utc), op_pos);
        }
        let day = NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
            self.error_at(
                vpos,
                "a date (YYYY-MM-DD), a time (RFC 3339) or Nd",
                "another value",
            )
        })?;
        let start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        // A day outside the years the desk accepts is refused before any arithmetic on it.
        crate::validate::instant("date", start(day))?;
        let next = crate::calendar::add_days(start(day), 1)
            .ok_or_else(|| Error::invalid_date("date", "must lie in the years 1970 to 9999"))?;
        let (lower, upper) = match op {
            Op::Eq => (Bound::Included(start(day)), Bound::Excluded(next)),
            Op::Ge => (Bound::Included(start(day)), Bound::Unbounded),
            Op::Gt => (Bound::Included(next), Bound::Unbounded),
            Op::Lt => (Bound::Unbounded, Bound::Excluded(start(day))),
            Op::Le => (Bound::Unbounded, Bound::Excluded(next)),
            _ => {
                return Err(self.error_at(
                    op_pos,
                    "'=', '>', '>=', '<' or '<='",
                    "an operator it does not take",
                ));
            }
        };
        Ok(Range { lower, upper })
    }
}
