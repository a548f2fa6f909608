//! Snapshots: the whole desk as versioned JSON.
//!
//! Why versioned and checked: a snapshot is how a host persists the desk between runs and moves
//! it between services, so it outlives the code that wrote it. Loading reads the version first
//! and refuses one newer than this library knows; then it checks every invariant (unique ids,
//! every amount in the partner's currency, valid ranges, known account managers) and names the
//! offending field. Enum values this version does not know are kept verbatim (every enumeration
//! that travels in data has an `Other(String)` variant, e.g. [`crate::CustomerLevel::Other`]),
//! and unknown fields are ignored, so data from a newer writer survives a load and save by an
//! older reader as far as it can.
//!
//! A snapshot holds the desk's mask policies (of rows and of exports), checked on load as
//! their setters check them; a snapshot written before they were saved loads with the
//! console's. It never holds the pseudonym key ([`crate::privacy::PseudonymKey`]): that is the
//! host's secret, set again after loading.
//!
//! A snapshot also holds the desk's cursor key ([`crate::search::CursorKey`]), so search cursors
//! handed out before a save stay valid after the reload: like the raw customer data beside it,
//! it must be stored and moved as a secret.

use crate::calendar::YearMonth;
use crate::customer::Customer;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::partner::{Operator, Partner};
use crate::privacy::{MaskPolicy, MaskedList};

/// The snapshot format version this library writes (and the newest it reads).
///
/// - 1: the first format.
/// - 2: events carry a `link` and the ledger its `chain_head` (see [`crate::chain`]). A
///   version 1 snapshot still loads: its head is empty, so the next event starts a new chain.
pub const SNAPSHOT_VERSION: u32 = 2;

/// The `format` tag of a snapshot.
pub const SNAPSHOT_FORMAT: &str = "partnerdesk.snapshot";

#[derive(serde::Deserialize)]
struct Header {
    format: String,
    version: u32,
}

#[derive(serde::Serialize)]
pub(crate) struct SnapshotOut<'a> {
    format: &'static str,
    version: u32,
    indexed_month: String,
    partner: &'a Partner,
    operators: Vec<&'a Operator>,
    pub(crate) customers: Vec<&'a Customer>,
    ledger: &'a crate::ledger::Ledger,
    exports: &'a crate::export::ExportHistory,
    /// The key that signs search cursors, so cursors survive a save and reload.
    cursor_key: String,
    /// The mask policy of rows ([`Desk::row_policy`]).
    row_policy: &'a MaskPolicy,
    /// The default anonymisation policy of exports ([`Desk::export_policy`]).
    export_policy: &'a MaskPolicy,
    /// Which key the desk sealed its events with, as a MAC of a fixed message under it (or
    /// `none`; see [`Desk::loaded_seal_is`]).
    event_seal: String,
}

#[derive(serde::Deserialize)]
pub(crate) struct SnapshotIn {
    indexed_month: String,
    partner: Partner,
    #[serde(default)]
    operators: Vec<Operator>,
    #[serde(default)]
    pub(crate) customers: Vec<Customer>,
    #[serde(default)]
    ledger: crate::ledger::Ledger,
    #[serde(default)]
    exports: crate::export::ExportHistory,
    /// Absent in snapshots written before cursors were signed: a fresh key is drawn.
    #[serde(default)]
    cursor_key: Option<String>,
    /// Absent in snapshots written before the policies were saved: the console's.
    #[serde(default)]
    row_policy: MaskPolicy,
    /// Absent in snapshots written before the policies were saved: the console's.
    #[serde(default)]
    export_policy: MaskPolicy,
    /// Absent in snapshots written before it was recorded: unknown.
    #[serde(default)]
    event_seal: Option<String>,
}

impl Desk {
    /// Saves the desk as versioned JSON.
    ///
    /// ```
    /// use partnerdesk::{demo, Desk};
    /// let (desk, _now) = demo::portfolio(50, 1)?;
    /// let json = desk.to_snapshot_json()?;
    /// let again = Desk::from_snapshot_json(&json)?;
    /// assert_eq!(again, desk);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn to_snapshot_json(&self) -> Result<String> {
        Ok(serde_json::to_string(&self.snapshot_out())?)
    }

    /// Writes the desk as versioned JSON to `out`, as [`Desk::to_snapshot_json`] makes it but
    /// without holding it whole in memory (a million customers is about 1.7 GB of JSON, more
    /// than some hosts' strings can hold). A write that fails is `EXPORT_WRITE_FAILED`
    /// (the snapshot is an export of the whole desk); what was written before it is the
    /// caller's to discard.
    ///
    /// ```
    /// use partnerdesk::{demo, Desk};
    /// let (desk, _now) = demo::portfolio(50, 1)?;
    /// let mut bytes = Vec::new();
    /// desk.write_snapshot_json(&mut bytes)?;
    /// assert_eq!(bytes, desk.to_snapshot_json()?.into_bytes());
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn write_snapshot_json(&self, out: impl std::io::Write) -> Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer(&mut out, &self.snapshot_out()).map_err(|e| {
            if e.is_io() {
                snapshot_write_failed()
            } else {
                Error::from(e)
            }
        })?;
        std::io::Write::flush(&mut out).map_err(|_| snapshot_write_failed())
    }

    /// The desk in the snapshot's shape, for the JSON snapshot and the binary checkpoint
    /// ([`crate::checkpoint`]) alike.
    pub(crate) fn snapshot_out(&self) -> SnapshotOut<'_> {
        SnapshotOut {
            format: SNAPSHOT_FORMAT,
            version: SNAPSHOT_VERSION,
            indexed_month: self.index.month.to_string(),
            partner: &self.partner,
            operators: self.operators.values().collect(),
            customers: self.customers().collect(),
            ledger: &self.ledger,
            exports: &self.exports,
            cursor_key: self.cursor_key.to_hex(),
            row_policy: &self.row_policy,
            export_policy: &self.export_policy,
            event_seal: crate::chain::seal_record(self.event_key.as_ref()),
        }
    }

    /// Loads a desk from a snapshot, checking every invariant. Nothing is loaded on error.
    pub fn from_snapshot_json(json: &str) -> Result<Desk> {
        let header: Header = serde_json::from_str(json)?;
        if header.format != SNAPSHOT_FORMAT {
            return Err(Error::snapshot(
                "format",
                format!("expected \"{SNAPSHOT_FORMAT}\""),
            ));
        }
        if header.version == 0 || header.version > SNAPSHOT_VERSION {
            return Err(Error::UnsupportedSnapshotVersion {
                found: header.version,
                supported: SNAPSHOT_VERSION,
            });
        }
        let snap: SnapshotIn = serde_json::from_str(json)?;
        Desk::from_snapshot_in(snap)
    }

    /// Builds a desk from a decoded snapshot, checking every invariant: the one path the JSON
    /// snapshot and the binary checkpoint ([`crate::checkpoint`]) both load through.
    pub(crate) fn from_snapshot_in(mut snap: SnapshotIn) -> Result<Desk> {
        let customers = std::mem::take(&mut snap.customers);
        let (mut desk, rest) = Desk::load_head(snap)?;
        if let Some(i) = crate::validate::first_repeat(customers.iter().map(|c| &c.id)) {
            return Err(Error::snapshot(
                format!("customers[{i}].id"),
                "duplicate customer id",
            ));
        }
        // Every customer is checked, in order, before any is placed (placing cannot fail and
        // the checks read only the partner and the operators, so the first refusal is the
        // one a customer-by-customer load would meet); then all are placed at once, the
        // indexes built in bulk.
        let mut customers = customers;
        for (i, c) in customers.iter_mut().enumerate() {
            desk.check_loaded(i, c)?;
        }
        // The ids were found unique above: no repeat to stop at.
        desk.place_all_validated(customers.into_iter().map(Some).collect())
            .map_err(|i| Error::snapshot(format!("customers[{i}].id"), "duplicate customer id"))?;
        desk.load_tail(rest)
    }

    /// The first part of a load: the desk with its partner, cursor key and operators, and no
    /// customers yet; the ledger and export history are handed back for
    /// [`Desk::load_tail`]. The snapshot's customers are not read.
    pub(crate) fn load_head(snap: SnapshotIn) -> Result<(Desk, SnapshotTail)> {
        let month: YearMonth = snap
            .indexed_month
            .parse()
            .map_err(|_| Error::snapshot("indexed_month", "expected YYYY-MM"))?;
        let now = snap.partner.billing_offset.start_of_day(month.first_day());
        let mut desk = Desk::new(snap.partner, now);
        if let Some(key) = &snap.cursor_key {
            desk.cursor_key = crate::search::CursorKey::from_hex(key)
                .ok_or_else(|| Error::snapshot("cursor_key", "expected 64 hex digits"))?;
        }
        // The policies, checked as their setters check them.
        for (list, name, policy) in [
            (MaskedList::Rows, "row_policy", &snap.row_policy),
            (MaskedList::Exports, "export_policy", &snap.export_policy),
        ] {
            list.check(policy).map_err(|e| match e {
                Error::InvalidArgument { field, reason } => {
                    Error::snapshot(format!("{name}.{field}"), reason)
                }
                other => Error::snapshot(name, other.to_string()),
            })?;
        }
        if let Some(seal) = &snap.event_seal
            && seal != crate::chain::SEAL_NONE
            && !(seal.len() == 64 && seal.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(Error::snapshot(
                "event_seal",
                "expected none or 64 hexadecimal digits",
            ));
        }
        desk.loaded_seal = snap.event_seal;
        desk.row_policy = snap.row_policy;
        desk.export_policy = snap.export_policy;
        for (i, op) in snap.operators.into_iter().enumerate() {
            desk.load_operator(op)
                .map_err(|_| Error::snapshot(format!("operators[{i}].id"), "duplicate operator"))?;
        }
        let tail = SnapshotTail {
            ledger: snap.ledger,
            exports: snap.exports,
            now,
        };
        Ok((desk, tail))
    }

    /// Checks the `i`th customer of a snapshot as a load does (its spend sorted first),
    /// naming the field as `customers[i]....`, and points its operator logins at the desk's
    /// own copies ([`Desk::place_all_validated`] expects both). Reads only the partner and the
    /// operators, so several threads may check customers of one load at once.
    pub(crate) fn check_loaded(&self, i: usize, c: &mut Customer) -> Result<()> {
        c.sort_spend();
        crate::validate::customer(c, &self.partner, &self.operators)
            .map_err(|r| r.into_snapshot_error(&format!("customers[{i}]")))?;
        self.share_operator_ids(c);
        Ok(())
    }

    /// The last part of a load: the ledger and the export history checked against the desk
    /// and its customers, then kept.
    pub(crate) fn load_tail(mut self, tail: SnapshotTail) -> Result<Desk> {
        let mut ledger = tail.ledger;
        ledger.check(&self)?;
        if ledger
            .events
            .last()
            .is_some_and(|e| e.link != ledger.chain_head)
        {
            return Err(Error::snapshot(
                "ledger.chain_head",
                "differs from the last event's link",
            ));
        }
        ledger.reindex();
        // Snapshots written before desks recorded their creation instant: the start of the
        // indexed month stands in for it.
        ledger.origin = ledger.origin.or(Some(tail.now));
        self.ledger = ledger;
        tail.exports.check()?;
        self.exports = tail.exports;
        Ok(self)
    }
}

/// `EXPORT_WRITE_FAILED` for a snapshot that could not be written (the reason names no path).
fn snapshot_write_failed() -> Error {
    Error::ExportWriteFailed {
        id: String::new(),
        reason: "writing the snapshot failed".to_owned(),
    }
}

/// What a load keeps for its end ([`Desk::load_tail`]): the ledger, the export history and
/// the start of the indexed month.
pub(crate) struct SnapshotTail {
    ledger: crate::ledger::Ledger,
    exports: crate::export::ExportHistory,
    now: chrono::DateTime<chrono::Utc>,
}

impl PartialEq for Desk {
    /// Two desks are equal when they hold the same partner, operators, customers, ledger,
    /// export history, indexed month and mask policies, whatever the slot layout.
    fn eq(&self, other: &Self) -> bool {
        self.partner == other.partner
            && self.operators == other.operators
            && self.len() == other.len()
            && self.ledger == other.ledger
            && self.exports == other.exports
            && self.index.month == other.index.month
            && self.row_policy == other.row_policy
            && self.export_policy == other.export_policy
            && self
                .customers()
                .all(|c| other.customer(&c.id).is_ok_and(|o| o == c))
    }
}
