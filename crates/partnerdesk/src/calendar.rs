//! Billing calendar: months and days as the partner's billing time zone sees them.
//!
//! Why: Huawei bills China-site customers in UTC+8, so "month-to-date" at 2026-03-31T20:00Z is
//! already April for a China partner. Every time in the core is UTC; the partner's billing offset
//! turns a UTC instant into a billing day and month. The core never reads a clock: `now` is
//! always an argument.

use crate::error::{Error, Result};
#[cfg(test)]
use chrono::TimeZone;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Offset, Utc};
use std::fmt;

/// A fixed offset from UTC in minutes, between -14:00 and +14:00 (e.g. `+480` for UTC+8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "i32", into = "i32"))]
pub struct BillingOffset(i32);

impl BillingOffset {
    /// UTC.
    pub const UTC: BillingOffset = BillingOffset(0);
    /// UTC+8, the China site's billing time zone.
    pub const CHINA: BillingOffset = BillingOffset(480);

    /// An offset in minutes east of UTC (-840..=840).
    pub fn from_minutes(minutes: i32) -> Result<Self> {
        if !(-840..=840).contains(&minutes) {
            return Err(Error::invalid_date(
                "billing_offset",
                "must be within ±14 hours",
            ));
        }
        Ok(BillingOffset(minutes))
    }

    /// Minutes east of UTC.
    pub fn minutes(self) -> i32 {
        self.0
    }

    fn fixed(self) -> FixedOffset {
        // Invariant: |minutes| <= 840, well within chrono's ±24h.
        FixedOffset::east_opt(self.0 * 60).unwrap_or_else(|| Utc.fix())
    }

    /// The billing day of a UTC instant.
    pub fn day_of(self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.fixed()).date_naive()
    }

    /// The billing month of a UTC instant.
    pub fn month_of(self, at: DateTime<Utc>) -> YearMonth {
        YearMonth::of(self.day_of(at))
    }

    /// The UTC instant at which a billing day starts.
    pub fn start_of_day(self, day: NaiveDate) -> DateTime<Utc> {
        let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        (local - Duration::minutes(i64::from(self.0))).and_utc()
    }
}

impl TryFrom<i32> for BillingOffset {
    type Error = Error;
    fn try_from(m: i32) -> Result<Self> {
        BillingOffset::from_minutes(m)
    }
}

impl From<BillingOffset> for i32 {
    fn from(o: BillingOffset) -> i32 {
        o.0
    }
}

impl fmt::Display for BillingOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { '-' } else { '+' };
        let m = self.0.abs();
        write!(f, "UTC{sign}{:02}:{:02}", m / 60, m % 60)
    }
}

/// A calendar month, e.g. 2026-11.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// A month; `month` is 1..=12.
    pub fn new(year: i32, month: u32) -> Result<Self> {
        if !(1..=12).contains(&month) || NaiveDate::from_ymd_opt(year, month, 1).is_none() {
            return Err(Error::invalid_date("month", "not a valid year and month"));
        }
        Ok(YearMonth { year, month })
    }

    /// The month containing a day.
    pub fn of(day: NaiveDate) -> Self {
        YearMonth {
            year: day.year(),
            month: day.month(),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    /// The month before.
    pub fn previous(self) -> Self {
        if self.month == 1 {
            YearMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month after.
    pub fn next(self) -> Self {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or_default()
    }

    /// Number of days in the month.
    pub fn days(self) -> u32 {
        self.last_day().day()
    }

    /// Whether a day falls in this month.
    pub fn contains(self, day: NaiveDate) -> bool {
        YearMonth::of(day) == self
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for YearMonth {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::invalid_date("month", "expected YYYY-MM");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        YearMonth::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_month_starts_eight_hours_early() -> Result<()> {
        let at = Utc
            .with_ymd_and_hms(2026, 3, 31, 20, 0, 0)
            .single()
            .ok_or(Error::InvalidCursor)?;
        assert_eq!(BillingOffset::CHINA.month_of(at).to_string(), "2026-04");
        assert_eq!(BillingOffset::UTC.month_of(at).to_string(), "2026-03");
        let start = BillingOffset::CHINA
            .start_of_day(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default());
        assert_eq!(start.to_rfc3339(), "2026-03-31T16:00:00+00:00");
        assert!(BillingOffset::from_minutes(900).is_err());
        assert_eq!("2026-02".parse::<YearMonth>()?.days(), 28);
        assert!("2026-13".parse::<YearMonth>().is_err());
        Ok(())
    }
}
