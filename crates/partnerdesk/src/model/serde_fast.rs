//! Faster readers for the values a snapshot holds by the million: instants, days and short
//! texts (currencies, open enumerations), accepting and refusing exactly what the plain
//! readers do.
//!
//! Why: a snapshot or checkpoint of a million customers holds millions of instants and
//! amounts' currencies. chrono's reader parses every instant with its general RFC 3339
//! parser, and `Cow<str>` copies every text it reads into a new `String`. Here the one form
//! the desk writes (`2026-11-29T09:00:00Z`, with an optional fraction of one to nine digits;
//! `2026-11-29` for a day) is read directly, and anything else (other offsets, leap seconds,
//! lower-case separators, years beyond four digits, bad values) goes to chrono's own parser,
//! so the value or the error is chrono's. Texts are lent to the check without a copy.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use serde::Deserializer;
use serde::de::{Error, Visitor};
use std::fmt;

/// The number written in `b`, all ASCII digits (at most nine).
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    b.iter().try_fold(0u32, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD`, or `None` for anything else (left to chrono).
fn fast_day(b: &[u8]) -> Option<NaiveDate> {
    match b {
        [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] => NaiveDate::from_ymd_opt(
            i32::try_from(digits(&[*y0, *y1, *y2, *y3])?).ok()?,
            digits(&[*m0, *m1])?,
            digits(&[*d0, *d1])?,
        ),
        _ => None,
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f]Z` with one to nine fraction digits, or `None` for anything else
/// (left to chrono: a second of 60, another offset, ...).
fn fast_instant(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let (date, rest) = (b.get(..10)?, b.get(10..)?);
    let [b'T', h0, h1, b':', m0, m1, b':', s0, s1, tail @ ..] = rest else {
        return None;
    };
    let [frac @ .., b'Z'] = tail else {
        return None;
    };
    let nano = match frac {
        [] => 0,
        [b'.', f @ ..] => {
            let scale = 10u32.checked_pow(9u32.checked_sub(u32::try_from(f.len()).ok()?)?)?;
            digits(f)?.checked_mul(scale)?
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(
        digits(&[*h0, *h1])?,
        digits(&[*m0, *m1])?,
        digits(&[*s0, *s1])?,
        nano,
    )?;
    Some(fast_day(date)?.and_time(time).and_utc())
}

struct InstantVisitor;

impl Visitor<'_> for InstantVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // chrono's words, so that a refusal reads the same.
        f.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
        match fast_instant(v) {
            Some(at) => Ok(at),
            None => v
                .parse::<DateTime<FixedOffset>>()
                .map(|at| at.with_timezone(&Utc))
                .map_err(E::custom),
        }
    }
}

/// Reads an instant as chrono's `DateTime<Utc>` reader does (`deserialize_with`).
pub(crate) fn instant<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    d.deserialize_str(InstantVisitor)
}

struct OptionalInstant;

impl<'de> Visitor<'de> for OptionalInstant {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // serde's words for an `Option`.
        f.write_str("option")
    }

    fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        instant(d).map(Some)
    }
}

/// Reads an optional instant as `Option<DateTime<Utc>>`'s reader does (`deserialize_with`;
/// the field keeps `serde(default)` for when it is absent).
pub(crate) fn instant_opt<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    d.deserialize_option(OptionalInstant)
}

struct DayVisitor;

impl Visitor<'_> for DayVisitor {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // chrono's words.
        f.write_str("a formatted date string")
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
        match fast_day(v.as_bytes()) {
            Some(day) => Ok(day),
            None => v.parse::<NaiveDate>().map_err(E::custom),
        }
    }
}

/// Reads a day as chrono's `NaiveDate` reader does (`deserialize_with`).
pub(crate) fn day<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    d.deserialize_str(DayVisitor)
}

/// Reads a text and hands it to `check` without copying it when the format lends it, as
/// `Cow<str>` followed by the check would (the same type error: "expected a string").
pub(crate) fn with_str<'de, D: Deserializer<'de>, T>(
    d: D,
    check: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error> {
    struct Lend<F>(F);
    impl<T, F: FnOnce(&str) -> Result<T, String>> Visitor<'_> for Lend<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<T, E> {
            (self.0)(v).map_err(E::custom)
        }
        fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<T, E> {
            match std::str::from_utf8(v) {
                Ok(s) => (self.0)(s).map_err(E::custom),
                Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(v), &self)),
            }
        }
    }
    d.deserialize_str(Lend(check))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_instant(s: &str) -> Option<DateTime<Utc>> {
        s.parse::<DateTime<FixedOffset>>()
            .ok()
            .map(|at| at.with_timezone(&Utc))
    }

    #[test]
    fn the_fast_instant_reader_agrees_with_chrono() {
        let cases = [
            "2026-11-29T09:00:00Z",
            "2026-11-29T09:00:00.5Z",
            "2026-11-29T09:00:00.123456789Z",
            "2026-11-29T09:00:00.1234567891Z",
            "2026-11-29T09:00:00.Z",
            "2026-11-29T23:59:60Z",
            "2026-02-29T09:00:00Z",
            "2028-02-29T09:00:00Z",
            "2026-13-01T09:00:00Z",
            "2026-11-31T09:00:00Z",
            "2026-11-29T24:00:00Z",
            "2026-11-29T09:60:00Z",
            "2026-11-29t09:00:00z",
            "2026-11-29 09:00:00Z",
            "2026-11-29T09:00:00+08:00",
            "2026-11-29T09:00:00",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "+2026-11-29T09:00:00Z",
            "2026-1-29T09:00:00Z",
            "2026-11-29T09:00:0aZ",
            "２026-11-29T09:00:00Z",
            "",
        ];
        for s in cases {
            let fast = fast_instant(s);
            if let Some(at) = fast {
                assert_eq!(Some(at), chrono_instant(s), "{s}");
            }
            let ours: Result<DateTime<Utc>, serde_json::Error> =
                instant(&mut serde_json::Deserializer::from_str(&format!("{s:?}")));
            let theirs: Result<DateTime<Utc>, serde_json::Error> =
                serde_json::from_str(&format!("{s:?}"));
            assert_eq!(
                ours.as_ref().map_err(ToString::to_string),
                theirs.as_ref().map_err(ToString::to_string),
                "{s}"
            );
        }
        assert!(fast_instant("2026-11-29T09:00:00Z").is_some());
        assert!(fast_instant("2026-11-29T09:00:00.123456789Z").is_some());
    }

    #[test]
    fn the_fast_day_reader_agrees_with_chrono() {
        for s in [
            "2026-11-29",
            "2026-02-29",
            "2028-02-29",
            "2026-00-10",
            "2026-11-00",
            "2026-11-2",
            "20261129",
            "+2026-11-29",
            "2026-11-29 ",
            "0000-01-01",
        ] {
            if let Some(d) = fast_day(s.as_bytes()) {
                assert_eq!(Some(d), s.parse::<NaiveDate>().ok(), "{s}");
            }
            let ours: Result<NaiveDate, serde_json::Error> =
                day(&mut serde_json::Deserializer::from_str(&format!("{s:?}")));
            let theirs: Result<NaiveDate, serde_json::Error> =
                serde_json::from_str(&format!("{s:?}"));
            assert_eq!(
                ours.map_err(|e| e.to_string()),
                theirs.map_err(|e| e.to_string()),
                "{s}"
            );
        }
        assert!(fast_day(b"2026-11-29").is_some());
    }

    #[test]
    fn wrong_types_read_as_the_plain_readers_say() {
        let ours: Result<DateTime<Utc>, serde_json::Error> =
            instant(&mut serde_json::Deserializer::from_str("5"));
        let theirs: Result<DateTime<Utc>, serde_json::Error> = serde_json::from_str("5");
        assert_eq!(
            ours.map_err(|e| e.to_string()),
            theirs.map_err(|e| e.to_string())
        );
        let ours: Result<Option<DateTime<Utc>>, serde_json::Error> =
            instant_opt(&mut serde_json::Deserializer::from_str("null"));
        assert!(matches!(ours, Ok(None)));
        let ours: Result<Option<DateTime<Utc>>, serde_json::Error> =
            instant_opt(&mut serde_json::Deserializer::from_str("5"));
        let theirs: Result<Option<DateTime<Utc>>, serde_json::Error> = serde_json::from_str("5");
        assert_eq!(
            ours.map_err(|e| e.to_string()),
            theirs.map_err(|e| e.to_string())
        );
    }
}
