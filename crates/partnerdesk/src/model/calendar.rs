//! Billing calendar: months and days as the partner's billing time zone sees them.
//!
//! Why: Huawei bills China-site customers in UTC+8, so "month-to-date" at 2026-03-31T20:00Z is
//! already April for a China partner. Every time in the core is UTC; the partner's billing offset
//! turns a UTC instant into a billing day and month. The core never reads a clock: `now` is
//! always an argument.

use crate::error::{Error, Result};
#[cfg(test)]
use chrono::TimeZone;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
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

    /// The billing day of a UTC instant. Never panics: at the very ends of chrono's range,
    /// where the local day does not exist, it saturates to [`NaiveDate::MIN`] or
    /// [`NaiveDate::MAX`] (the desk refuses such instants at its doors anyway, see
    /// [`check_instant`]).
    pub fn day_of(self, at: DateTime<Utc>) -> NaiveDate {
        match at
            .naive_utc()
            .checked_add_signed(Duration::minutes(i64::from(self.0)))
        {
            Some(local) => local.date(),
            None if self.0 > 0 => NaiveDate::MAX,
            None => NaiveDate::MIN,
        }
    }

    /// The billing month of a UTC instant.
    pub fn month_of(self, at: DateTime<Utc>) -> YearMonth {
        YearMonth::of(self.day_of(at))
    }

    /// The UTC instant at which a billing day starts.
    /// Never panics: at the very ends of chrono's range it saturates to
    /// [`DateTime::<Utc>::MIN_UTC`] or [`DateTime::<Utc>::MAX_UTC`].
    pub fn start_of_day(self, day: NaiveDate) -> DateTime<Utc> {
        let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        match local.checked_sub_signed(Duration::minutes(i64::from(self.0))) {
            Some(t) => t.and_utc(),
            None if self.0 > 0 => DateTime::<Utc>::MIN_UTC,
            None => DateTime::<Utc>::MAX_UTC,
        }
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

/// The earliest year of an instant the desk accepts (see [`check_instant`]).
pub const MIN_YEAR: i32 = 1970;
/// The latest year of an instant the desk accepts (see [`check_instant`]).
pub const MAX_YEAR: i32 = 9999;
/// The largest count of days the desk accepts (100 years; see [`check_days`]).
pub const MAX_DAYS: u32 = 36_500;

/// Checks an instant the desk is given (a `now`, a query bound, a time in a snapshot, an import
/// or an event): it must lie in the years [`MIN_YEAR`]..=[`MAX_YEAR`] (UTC), so every calendar
/// computation on it (billing days in any offset, adding up to [`MAX_DAYS`] days, the month
/// before and after) stays far inside chrono's range. Refused with `INVALID_DATE` naming the
/// field.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use partnerdesk::calendar::check_instant;
/// assert!(check_instant("now", DateTime::<Utc>::UNIX_EPOCH).is_ok());
/// let err = check_instant("now", DateTime::<Utc>::MAX_UTC).err().map(|e| e.code());
/// assert_eq!(err, Some("INVALID_DATE"));
/// ```
pub fn check_instant(field: &str, at: DateTime<Utc>) -> Result<()> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&at.year()) {
        return Err(Error::invalid_date(
            field,
            format!("must lie in the years {MIN_YEAR} to {MAX_YEAR}"),
        ));
    }
    Ok(())
}

/// The instant nearest `at` that [`check_instant`] accepts: `at` itself when it lies in the
/// years [`MIN_YEAR`]..=[`MAX_YEAR`], else the first or last instant of that range.
pub(crate) fn nearest_accepted_instant(at: DateTime<Utc>) -> DateTime<Utc> {
    // Every audit record passes here: one comparison when it is in range, as it always is.
    if (MIN_YEAR..=MAX_YEAR).contains(&at.year()) {
        return at;
    }
    let first = chrono::NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    let last = chrono::NaiveDate::from_ymd_opt(MAX_YEAR, 12, 31)
        .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 999_999_999))
        .map(|t| t.and_utc());
    match (first, last) {
        (Some(first), _) if at < first => first,
        (_, Some(last)) => last,
        _ => at,
    }
}

/// Checks a count of days (a renewal window, an `expires within` criterion): at most
/// [`MAX_DAYS`]. Refused with `INVALID_ARGUMENT` naming the field.
///
/// ```
/// use partnerdesk::calendar::check_days;
/// assert_eq!(check_days("days", 30)?, 30);
/// assert_eq!(check_days("days", 100_000_000).err().map(|e| e.code()), Some("INVALID_ARGUMENT"));
/// # Ok::<(), partnerdesk::Error>(())
/// ```
pub fn check_days(field: &str, days: u64) -> Result<u32> {
    match u32::try_from(days) {
        Ok(d) if d <= MAX_DAYS => Ok(d),
        _ => Err(Error::invalid_arg(
            field,
            format!("must be a number of days from 0 to {MAX_DAYS}"),
        )),
    }
}

/// `at + days`, or `None` past chrono's range (never for a checked instant and day count).
pub(crate) fn add_days(at: DateTime<Utc>, days: u32) -> Option<DateTime<Utc>> {
    at.checked_add_signed(Duration::days(i64::from(days)))
}

/// A calendar month, e.g. 2026-11.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// A month; `month` is 1..=12, `year` in [`MIN_YEAR`]..=[`MAX_YEAR`], the years every
    /// instant of the model lies in (a month at the end of chrono's range has no last day,
    /// and an import for it panicked on the days it spans).
    pub fn new(year: i32, month: u32) -> Result<Self> {
        if !(1..=12).contains(&month) || !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(Error::invalid_date(
                "month",
                format!("not a month of the years {MIN_YEAR} to {MAX_YEAR}"),
            ));
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

/// A month travels as its text form, `YYYY-MM` (as in snapshots' `indexed_month`).
#[cfg(feature = "serde")]
impl serde::Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Reads `YYYY-MM`; anything else is refused.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom("expected a month as YYYY-MM"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_accepted_instant_is_accepted_and_keeps_one_in_range() {
        let inside = DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(20_000);
        assert_eq!(nearest_accepted_instant(inside), inside);
        for at in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            let near = nearest_accepted_instant(at);
            assert!(check_instant("at", near).is_ok(), "{near}");
            assert!(
                check_instant("at", near + chrono::Duration::nanoseconds(1)).is_err()
                    || check_instant("at", near - chrono::Duration::nanoseconds(1)).is_err()
            );
        }
    }

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
        // Only the model's years: the last month chrono holds has no last day.
        assert!(YearMonth::new(262142, 12).is_err());
        assert!(YearMonth::new(1969, 12).is_err());
        assert!(YearMonth::new(10000, 1).is_err());
        assert_eq!(
            YearMonth::new(9999, 12)?.last_day().to_string(),
            "9999-12-31"
        );
        assert_eq!(
            YearMonth::new(1970, 1)?.first_day().to_string(),
            "1970-01-01"
        );
        Ok(())
    }

    #[test]
    fn calendar_never_panics_at_the_ends_of_time() {
        for minutes in [-840, 0, 840] {
            let off = BillingOffset::from_minutes(minutes).unwrap_or(BillingOffset::UTC);
            for at in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
                let m = off.month_of(at);
                let _ = (m.previous().first_day(), m.next().last_day(), m.days());
                let _ = off.start_of_day(off.day_of(at));
                assert!(check_instant("now", at).is_err());
                assert_eq!(
                    add_days(at, MAX_DAYS).is_none(),
                    at == DateTime::<Utc>::MAX_UTC
                );
            }
        }
        let last = Utc
            .with_ymd_and_hms(MAX_YEAR, 12, 31, 23, 59, 59)
            .single()
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        assert!(check_instant("now", last).is_ok());
        assert!(add_days(last, MAX_DAYS).is_some());
        assert_eq!(
            check_days("days", u64::from(MAX_DAYS) + 1).map_err(|e| e.code()),
            Err("INVALID_ARGUMENT")
        );
    }
}
