//! Faster readers for the values a snapshot holds by the million: instants, days and short
//! texts (currencies, open enumerations), accepting and refusing exactly what the plain
//! readers do; and a faster writer of instants, writing exactly what chrono's writer does.
//!
//! Why: a snapshot or checkpoint of a million customers holds millions of instants and
//! amounts' currencies. chrono's reader parses every instant with its general RFC 3339
//! parser, and `Cow<str>` copies every text it reads into a new `String`. Here the one form
//! the desk writes (`2026-11-29T09:00:00Z`, with an optional fraction of one to nine digits;
//! `2026-11-29` for a day) is read directly, and anything else (other offsets, leap seconds,
//! lower-case separators, years beyond four digits, bad values) goes to chrono's own parser,
//! so the value or the error is chrono's. Texts are lent to the check without a copy.
//!
//! The writer: an event's link hashes its canonical JSON, and every event holds one to three
//! instants, which chrono writes through the formatting machinery a character at a time (a
//! fifth of the instructions of a replay's links, without the hash). Here the text is made in
//! a small buffer, in chrono's form: `Z`, and the fraction in 0, 3, 6 or 9 digits as chrono's
//! `AutoSi` writes it; years outside 0 to 9999 and leap seconds go to chrono's writer.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use serde::de::{Error, Visitor};
use serde::{Deserializer, Serializer};
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

/// Writes `value` in `width` decimal digits, with leading zeros, from `out[at]` on.
fn write_digits(out: &mut [u8], at: usize, mut value: u32, width: usize) {
    for i in (0..width).rev() {
        if let Some(b) = out.get_mut(at + i) {
            *b = b'0' + u8::try_from(value % 10).unwrap_or(0);
        }
        value /= 10;
    }
}

/// `at` as chrono's serialiser writes it, in `out`, and its length; `None` for a year outside
/// 0 to 9999 or a leap second (left to chrono).
fn fast_text(at: &DateTime<Utc>, out: &mut [u8; 30]) -> Option<usize> {
    use chrono::{Datelike, Timelike};
    let n = at.naive_utc();
    let year = u32::try_from(n.year()).ok().filter(|y| *y <= 9999)?;
    let nano = n.nanosecond();
    if nano >= 1_000_000_000 {
        return None;
    }
    *out = *b"0000-00-00T00:00:00.000000000Z";
    write_digits(out, 0, year, 4);
    write_digits(out, 5, n.month(), 2);
    write_digits(out, 8, n.day(), 2);
    write_digits(out, 11, n.hour(), 2);
    write_digits(out, 14, n.minute(), 2);
    write_digits(out, 17, n.second(), 2);
    // chrono's `SecondsFormat::AutoSi`: no fraction, or milli-, micro- or nanoseconds.
    let (fraction, width) = if nano == 0 {
        (0, 0)
    } else if nano.is_multiple_of(1_000_000) {
        (nano / 1_000_000, 3)
    } else if nano.is_multiple_of(1_000) {
        (nano / 1_000, 6)
    } else {
        (nano, 9)
    };
    let end = if width == 0 {
        19
    } else {
        write_digits(out, 20, fraction, width);
        20 + width
    };
    *out.get_mut(end)? = b'Z';
    Some(end + 1)
}

/// Writes an instant as chrono's `DateTime<Utc>` writer does (`serialize_with`).
pub(crate) fn put_instant<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 30];
    match fast_text(at, &mut buf)
        .and_then(|len| buf.get(..len))
        .and_then(|b| std::str::from_utf8(b).ok())
    {
        Some(text) => s.serialize_str(text),
        None => serde::Serialize::serialize(at, s),
    }
}

/// Writes an optional instant as `Option<DateTime<Utc>>`'s writer does (`serialize_with`).
pub(crate) fn put_instant_opt<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    struct Fast<'a>(&'a DateTime<Utc>);
    impl serde::Serialize for Fast<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            put_instant(self.0, s)
        }
    }
    match at {
        Some(at) => s.serialize_some(&Fast(at)),
        None => s.serialize_none(),
    }
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
    use proptest::prelude::*;

    /// An instant's JSON by chrono's writer and by ours.
    fn both(at: &DateTime<Utc>) -> (String, String) {
        #[derive(serde::Serialize)]
        struct Ours<'a>(#[serde(serialize_with = "put_instant")] &'a DateTime<Utc>);
        #[derive(serde::Serialize)]
        struct OursOpt(#[serde(serialize_with = "put_instant_opt")] Option<DateTime<Utc>>);
        let chrono = serde_json::to_string(at).unwrap_or_default();
        let ours = serde_json::to_string(&Ours(at)).unwrap_or_default();
        assert_eq!(
            serde_json::to_string(&OursOpt(Some(*at))).unwrap_or_default(),
            ours
        );
        (chrono, ours)
    }

    #[test]
    fn the_fast_instant_writer_agrees_with_chrono_at_the_edges() {
        assert_eq!(
            serde_json::to_string(&{
                #[derive(serde::Serialize)]
                struct OursOpt(#[serde(serialize_with = "put_instant_opt")] Option<DateTime<Utc>>);
                OursOpt(None)
            })
            .unwrap_or_default(),
            "null"
        );
        let edges = [
            (0, 0),
            (-62_167_219_200, 0),           // 0000-01-01
            (-62_167_219_201, 0),           // the year before 0
            (253_402_300_799, 999_999_999), // 9999-12-31T23:59:59.999999999
            (253_402_300_800, 0),           // 10000-01-01
            (1_796_000_000, 1_500_000_000), // a leap second
            (1_796_000_000, 1_000_000),
            (1_796_000_000, 1_000),
            (1_796_000_000, 1),
            (1_796_000_000, 100_000_000),
            (1_796_000_000, 120_000),
        ];
        for (secs, nanos) in edges {
            if let Some(at) = DateTime::from_timestamp(secs, nanos) {
                let (chrono, ours) = both(&at);
                assert_eq!(ours, chrono, "{secs} {nanos}");
            }
        }
    }

    proptest! {
        #[test]
        fn the_fast_instant_writer_agrees_with_chrono(
            secs in -70_000_000_000i64..260_000_000_000,
            nanos in prop_oneof![
                Just(0u32),
                (0u32..1000).prop_map(|m| m * 1_000_000),
                (0u32..1_000_000).prop_map(|u| u * 1_000),
                0u32..1_000_000_000,
                1_000_000_000u32..2_000_000_000,
            ],
        ) {
            if let Some(at) = DateTime::from_timestamp(secs, nanos) {
                let (chrono, ours) = both(&at);
                prop_assert_eq!(ours, chrono);
            }
        }
    }

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
