//! Durable desks for Kotlin and Swift: `Desk.open`, `saveTo`, `storeKind`, `refresh`, `follow`
//! and `checkpoint` (issue #15 item 3; the rules are `partnerdesk_host::durable`'s).
//!
//! Why here and so: a phone keeps its desk in a SQLite file (a JVM server may share one on
//! PostgreSQL), and every change on such a desk is committed (an `fsync`) before the call that
//! made it returns, so an app killed right after a call loses nothing it was told was done.
//! The calls block the calling thread for that I/O (as JDBC or Room do): call them off the UI
//! thread. No call waits while holding the desk: `follow` polls with short `refresh`es and
//! waits between them without the lock, so reads from other threads go on meanwhile.

use crate::desk::Desk;
use crate::error::Result;
use partnerdesk_host::HostDesk;
use partnerdesk_host::ops::privacy::Secret;
use partnerdesk_host::{StoreKind, StoreOptions};
use rust_decimal::Decimal;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A timeout as each mobile host writes one: Kotlin `java.time.Duration`, Swift
/// `TimeInterval` (seconds).
///
/// Why not uniffi's own `Duration`: its generated converters refuse a negative value on the
/// foreign side, before this library sees it (Kotlin with an `IllegalArgumentException`, Swift
/// with `fatalError`, which ends the app). This one crosses as the host's text (`PT1.5S` from
/// Kotlin's `Duration.toString()`, `1.5` from Swift's `String(_:)`) and is read here, so a
/// negative, not-a-number or huge timeout is `INVALID_ARGUMENT` on `timeout` like any bad
/// argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTimeout(String);

uniffi::custom_type!(HostTimeout, String, {
    lower: |t| t.0,
    try_lift: |s| Ok(HostTimeout(s)),
});

/// How often `follow` looks for another instance's commit: SQLite's own poll (a read of the
/// file's head), and for PostgreSQL a round trip a server can afford several times a second.
fn poll_every(kind: StoreKind) -> Duration {
    match kind {
        StoreKind::Sqlite => Duration::from_millis(20),
        StoreKind::Postgresql => Duration::from_millis(100),
    }
}

/// `INVALID_ARGUMENT` on `timeout`.
fn bad_timeout() -> partnerdesk::Error {
    partnerdesk_host::invalid("timeout", "expected 0 to 3600 seconds")
}

/// Seconds as a decimal: plain (`1.5`, `1e-05`, what Swift writes) or an ISO-8601 duration
/// (`PT1H30M0.5S`, `PT-1S`, what Kotlin's `java.time.Duration` writes; days allowed).
fn seconds_of(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let Some(rest) = text.strip_prefix(['P', 'p']) else {
        return text
            .parse::<Decimal>()
            .ok()
            .or_else(|| Decimal::from_scientific(text).ok());
    };
    let mut total = Decimal::ZERO;
    let mut number = String::new();
    let mut in_time = false;
    let mut any = false;
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            'T' if !in_time && number.is_empty() => in_time = true,
            '0'..='9' | '.' | ',' | '-' | '+' => number.push(if c == ',' { '.' } else { c }),
            unit => {
                let scale = match (unit, in_time) {
                    ('D', false) => 86_400,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                let n: Decimal = number.parse().ok()?;
                total = total.checked_add(n.checked_mul(Decimal::from(scale))?)?;
                number.clear();
                any = true;
            }
        }
    }
    (any && number.is_empty()).then_some(total)
}

/// A host's timeout as a `Duration`: 0 to [`HostDesk::MAX_FOLLOW`], `INVALID_ARGUMENT` otherwise.
pub(crate) fn timeout(t: &HostTimeout) -> partnerdesk::Result<Duration> {
    let seconds = seconds_of(&t.0).ok_or_else(bad_timeout)?;
    if seconds.is_sign_negative() && !seconds.is_zero() {
        return Err(bad_timeout());
    }
    let whole = u64::try_from(seconds.trunc()).map_err(|_| bad_timeout())?;
    let nanos = (seconds.fract() * Decimal::from(1_000_000_000u32)).trunc();
    let nanos = u32::try_from(nanos).map_err(|_| bad_timeout())?;
    let timeout = Duration::new(whole, nanos);
    if timeout > HostDesk::MAX_FOLLOW {
        return Err(bad_timeout());
    }
    Ok(timeout)
}

/// The options of `open` and `saveTo`.
fn options(
    max_attempts: Option<u32>,
    checkpoint_every: Option<u64>,
    event_key: Option<Secret>,
) -> StoreOptions {
    StoreOptions {
        max_attempts,
        checkpoint_every,
        event_key,
    }
}

#[partnerdesk_panic_guard::entry_points(fallible_only)]
#[uniffi::export]
impl Desk {
    /// Opens a desk stored at `location`: a SQLite file path (created with its folder's
    /// rights; the folder must exist) or a `postgresql://` URL. `partner` names the desk to
    /// open; without it, the one desk the store holds. Every change on the desk is committed
    /// there before its call returns.
    ///
    /// `maxAttempts` (1 to 64, default 8): how many times a change runs when other instances
    /// commit first, before `CONCURRENT_CHANGE`. `checkpointEvery` (default 10,000; 0: only
    /// on `checkpoint()`): a checkpoint after this many events. `eventKey` (at least 16
    /// bytes; a Kotlin `ByteArray`, a Swift `Data`): the secret the stored events are sealed
    /// with (HMAC-SHA256), which the desk seals its next ones with too; the store never holds
    /// it, so give it to every `open` and `saveTo` of that desk.
    ///
    /// Errors: `STORE_UNAVAILABLE` (unreachable, no such desk there, an empty store),
    /// `STORE_CORRUPT` (also: events sealed with a key opened without `eventKey` or with
    /// another), `STORE_VERSION_UNSUPPORTED` (written by a newer library),
    /// `INVALID_ARGUMENT` (a bad option; no partner named while the store holds several
    /// desks), `INVALID_ID`. The location never appears in an error.
    #[uniffi::constructor(default(
        partner = None,
        max_attempts = None,
        checkpoint_every = None,
        event_key = None
    ))]
    pub fn open(
        location: String,
        partner: Option<String>,
        max_attempts: Option<u32>,
        checkpoint_every: Option<u64>,
        event_key: Option<Secret>,
    ) -> Result<Arc<Self>> {
        let held = HostDesk::open(
            &location,
            partner.as_deref(),
            options(max_attempts, checkpoint_every, event_key),
        )?;
        Ok(Self::hold(held))
    }

    /// Stores a copy of this desk at `location` (as `open` reads it) as a new durable desk
    /// and works there from now on: every later change is committed there. On a desk that is
    /// durable already this copies it to another store; the old one is left as it was.
    /// `INVALID_ARGUMENT` when that store holds a desk of this partner already (open it
    /// instead: nothing is overwritten), and for a desk with an event key (`setEventKey`)
    /// whose `eventKey` is missing or another (on `event_key`); otherwise the errors of
    /// `open`. With `eventKey` (as `open`'s) the stored desk seals its events with it. On any
    /// error this desk stays as and where it was.
    #[uniffi::method(default(max_attempts = None, checkpoint_every = None, event_key = None))]
    pub fn save_to(
        &self,
        location: String,
        max_attempts: Option<u32>,
        checkpoint_every: Option<u64>,
        event_key: Option<Secret>,
    ) -> Result<()> {
        let options = options(max_attempts, checkpoint_every, event_key);
        Ok(self.write().save_to(&location, options)?)
    }

    /// Which store holds the desk: `sqlite`, `postgresql`, or `null` (in memory only).
    pub fn store_kind(&self) -> Option<String> {
        self.read().store_kind().map(|k| k.as_str().to_owned())
    }

    /// Applies what other instances committed to the store since this desk last read it;
    /// returns how many events that was (0 in memory).
    pub fn refresh(&self) -> Result<u64> {
        Ok(self.write().refresh()?)
    }

    /// Waits up to `timeout` (0 to one hour; a `java.time.Duration` in Kotlin, a
    /// `TimeInterval` in Swift) for another instance to commit, then applies it; `true` when
    /// anything was applied (a refusal's audit records included), `false` at the timeout and
    /// at once in memory. Reads and changes from other threads go on while it waits.
    pub fn follow(&self, timeout: HostTimeout) -> Result<bool> {
        let timeout = self::timeout(&timeout)?;
        let Some(kind) = self.read().store_kind() else {
            return Ok(false);
        };
        let deadline = Instant::now() + timeout;
        loop {
            {
                let mut held = self.write();
                let before = held.mark();
                held.refresh()?;
                if held.mark() != before {
                    return Ok(true);
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            std::thread::sleep(left.min(poll_every(kind)));
        }
    }

    /// Stores a checkpoint now, so that the next `open` reads less of the log; returns how many
    /// events the log held at it. `INVALID_ARGUMENT` in memory (there is no store).
    pub fn checkpoint(&self) -> Result<u64> {
        Ok(self.write().checkpoint()?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn secs(text: &str) -> Option<Duration> {
        timeout(&HostTimeout(text.to_owned())).ok()
    }

    #[test]
    fn kotlin_and_swift_timeouts_are_read_exactly() {
        // Kotlin: java.time.Duration.toString().
        assert_eq!(secs("PT0S"), Some(Duration::ZERO));
        assert_eq!(secs("PT0.25S"), Some(Duration::from_millis(250)));
        assert_eq!(secs("PT1M30.000000001S"), Some(Duration::new(90, 1)));
        assert_eq!(secs("PT1H"), Some(Duration::from_secs(3600)));
        assert_eq!(secs("P0DT0.5S"), Some(Duration::from_millis(500)));
        // Swift: String(TimeInterval).
        assert_eq!(secs("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(secs("0.0"), Some(Duration::ZERO));
        assert_eq!(secs("-0.0"), Some(Duration::ZERO));
        assert_eq!(secs("1e-05"), Some(Duration::from_micros(10)));
    }

    #[test]
    fn negative_huge_and_malformed_timeouts_are_invalid_arguments() {
        for bad in [
            "PT-1S",
            "PT-0.5S",
            "PT1H0.000000001S",
            "PT2562047788015215H30M7.999999999S",
            "PT",
            "PT5",
            "P1H",
            "PTS",
            "-1.0",
            "3600.5",
            "1e+20",
            "inf",
            "nan",
            "",
            "soon",
        ] {
            let e = timeout(&HostTimeout(bad.to_owned())).unwrap_err();
            assert_eq!(e.code(), "INVALID_ARGUMENT", "{bad}");
        }
    }
}
