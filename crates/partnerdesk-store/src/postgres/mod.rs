//! The PostgreSQL backend: many processes (and machines) sharing desks in one database.
//!
//! Why it is shaped so: every instance of a service holds its desk in memory and appends what
//! each command added at the position it believes the log is at. One row per desk (its head:
//! the last event and audit sequence numbers) is the arbiter: an append is **one statement**
//! (so one implicit transaction and one round trip) that moves the head only if it is still at
//! the expected mark, inserts the events and audit records only if it did, and notifies the
//! other instances. The row lock PostgreSQL takes on the head serialises writers to one desk;
//! the primary keys `(partner_id, seq)` make a doubled record impossible even if the head were
//! wrong. A writer that finds the head moved gets `CONCURRENT_CHANGE` with where it is.
//!
//! Tables (schema version 1; migrations are in [`MIGRATIONS`], applied under an advisory lock
//! when a store connects; a database migrated by a newer library is refused with
//! `STORE_VERSION_UNSUPPORTED`), all in the connection's current schema (set `search_path`, e.g.
//! `?options=-csearch_path%3Dmine` in the URL, to keep several sets apart):
//!
//! - `partnerdesk_schema(id, version)`: one row, the schema version;
//! - `partnerdesk_desks(partner_id, event_seq, audit_seq)`: one desk per partner, its head;
//! - `partnerdesk_events(partner_id, seq, body)` and `partnerdesk_audit(partner_id, seq, body)`:
//!   the log, each record as the core's JSON, kept as text so that it reads back byte for byte
//!   (the event chain hashes its canonical form);
//! - `partnerdesk_checkpoints(partner_id, event_seq, audit_seq, chunks, bytes)` and
//!   `partnerdesk_checkpoint_chunks(partner_id, event_seq, audit_seq, n, data)`: the newest two
//!   checkpoints, each in pieces of [`CHUNK_BYTES`] (a `bytea` holds at most 1 GB; a 1M desk's
//!   checkpoint is larger).
//!
//! Following other instances: an append runs `pg_notify('partnerdesk', partner_id)` inside its
//! statement (so it is delivered only if the append commits); [`Store::wait_for_change`]
//! listens on that channel and also re-reads the head every [`PgStore::POLL`] (settable), so a lost
//! notification (a reconnect, a proxy that drops them) delays a follower, never stalls it.
//!
//! Failures: a server that cannot be reached, goes away, or refuses to write (disk full, too
//! many connections, shutting down) is `STORE_UNAVAILABLE`; the connection is dropped and the
//! next call connects again. An append whose connection broke after it was sent may or may not
//! have committed (no client can know): the caller treats it as not acknowledged, and catching
//! up from the log tells. Reasons carry SQLSTATE codes and operation names, never a value.

use crate::error::{Result, StoreError};
use crate::store::{Batch, Checkpoint, Store};
use fallible_iterator::FallibleIterator;
use partnerdesk::audit::AuditRecord;
use partnerdesk::event::Event;
use partnerdesk::{Mark, PartnerId};
use postgres::{Client, Config, NoTls};
use std::time::{Duration, Instant};

mod schema;
pub use schema::{MIGRATIONS, SCHEMA_VERSION};

/// The notification channel every append notifies (payload: the partner id).
const CHANNEL: &str = "partnerdesk";

/// The size of one stored piece of a checkpoint.
pub const CHUNK_BYTES: usize = 8 * 1024 * 1024;

/// How many checkpoints a desk keeps (the newest).
const CHECKPOINTS_KEPT: i64 = 2;

/// A desk store in a PostgreSQL database.
///
/// One connection per `PgStore` (open one per thread or instance); it is made by
/// [`PgStore::connect`] and made again by the next call after the server went away.
///
/// ```no_run
/// use partnerdesk_store::postgres::PgStore;
/// use partnerdesk_store::Store;
/// let mut store = PgStore::connect("postgresql://desk@127.0.0.1:5432/partnerdesk")?;
/// let head = store.head(&partnerdesk::PartnerId::new("p-1")?)?;
/// assert!(head.is_none());
/// # Ok::<(), partnerdesk_store::StoreError>(())
/// ```
pub struct PgStore {
    config: Config,
    client: Option<Client>,
    listening: bool,
    poll: Duration,
}

impl std::fmt::Debug for PgStore {
    /// The connection state only: the URL may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("connected", &self.client.is_some())
            .field("listening", &self.listening)
            .field("poll", &self.poll)
            .finish()
    }
}

impl PgStore {
    /// How often [`Store::wait_for_change`] re-reads the head when no notification arrives,
    /// unless [`PgStore::set_poll_interval`] says otherwise.
    pub const POLL: Duration = Duration::from_millis(200);

    /// Sets how often [`Store::wait_for_change`] re-reads the head when no notification
    /// arrives (the fallback for lost notifications; at least a millisecond).
    pub fn set_poll_interval(&mut self, every: Duration) {
        self.poll = every.max(Duration::from_millis(1));
    }

    /// Connects to the database at `url` (a `postgresql://` URL or `key=value` string, as
    /// libpq reads them) and brings its schema to [`SCHEMA_VERSION`].
    ///
    /// Errors: `INVALID_ARGUMENT` (the URL does not parse), `STORE_UNAVAILABLE` (the server
    /// cannot be reached or refuses), `STORE_VERSION_UNSUPPORTED` (a newer library migrated
    /// the database).
    pub fn connect(url: &str) -> Result<Self> {
        let mut config: Config = url.parse().map_err(|_| {
            StoreError::Desk(partnerdesk::Error::InvalidArgument {
                field: "url".to_owned(),
                reason: "not a PostgreSQL connection string".to_owned(),
            })
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        config.keepalives(true);
        config.application_name("partnerdesk");
        let mut store = PgStore {
            config,
            client: None,
            listening: false,
            poll: Self::POLL,
        };
        store.client()?;
        Ok(store)
    }

    /// The connection, made (and the schema migrated) if there is none.
    fn client(&mut self) -> Result<&mut Client> {
        match &mut self.client {
            Some(c) => Ok(c),
            slot @ None => {
                let mut client =
                    self.config
                        .connect(NoTls)
                        .map_err(|e| StoreError::Unavailable {
                            reason: format!("cannot connect: {}", describe(&e)),
                        })?;
                schema::migrate(&mut client)?;
                self.listening = false;
                Ok(slot.insert(client))
            }
        }
    }

    /// Runs `f` on the connection; a failure that means the connection is gone drops it, so the
    /// next call connects again.
    fn with<T>(
        &mut self,
        operation: &str,
        f: impl FnOnce(&mut Client) -> std::result::Result<T, Failure>,
    ) -> Result<T> {
        let client = self.client()?;
        match f(client) {
            Ok(v) => Ok(v),
            Err(Failure::Store(e)) => Err(e),
            Err(Failure::Db(e)) => {
                if client.is_closed() || connection_gone(&e) {
                    self.client = None;
                    self.listening = false;
                }
                Err(unavailable(operation, &e))
            }
        }
    }
}

/// One of the two logs a desk keeps (its events, its audit trail): how it is read.
struct Log {
    /// Its table.
    table: &'static str,
    /// A record of it, as an error names one.
    what: &'static str,
    /// The read, as an unavailable store's error names it.
    operation: &'static str,
}

/// The events' log.
const EVENTS: Log = Log {
    table: "partnerdesk_events",
    what: "event",
    operation: "events after",
};

/// The audit trail.
const AUDIT: Log = Log {
    table: "partnerdesk_audit",
    what: "audit record",
    operation: "audit after",
};

impl PgStore {
    /// The records of a log after a sequence number, at most `limit`, checked in order.
    fn log_after<T: serde::de::DeserializeOwned>(
        &mut self,
        log: &Log,
        partner: &PartnerId,
        after: u64,
        limit: usize,
        seq: impl Fn(&T) -> u64,
    ) -> Result<Vec<T>> {
        let after = sql_seq("after", after)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT seq, body FROM {} WHERE partner_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            log.table
        );
        self.with(log.operation, |c| {
            let rows = c.query(&sql, &[&partner.as_str(), &after, &limit])?;
            decode_rows(&rows, log.what, seq)
        })
    }
}

/// What a step inside [`PgStore::with`] can give: the database's error, or a store error of
/// its own making.
enum Failure {
    Db(postgres::Error),
    Store(StoreError),
}

impl From<postgres::Error> for Failure {
    fn from(e: postgres::Error) -> Self {
        Failure::Db(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

/// Whether the error means the session is over: a client-side failure (I/O, closed), or the
/// server's connection exception (class 08) or shutdown (57P01 to 57P03).
fn connection_gone(e: &postgres::Error) -> bool {
    match e.as_db_error() {
        None => true,
        Some(db) => {
            let code = db.code().code();
            code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
        }
    }
}

/// A database error as a reason without values: the SQLSTATE code for a server error, the
/// client's description (connection refused, closed, timed out) otherwise.
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("SQLSTATE {}", db.code().code()),
        None => e.to_string(),
    }
}

fn unavailable(operation: &str, e: &postgres::Error) -> StoreError {
    StoreError::Unavailable {
        reason: format!("{operation}: {}", describe(e)),
    }
}

/// A sequence number as PostgreSQL's `bigint`.
fn sql_seq(field: &str, seq: u64) -> Result<i64> {
    i64::try_from(seq).map_err(|_| {
        StoreError::Desk(partnerdesk::Error::InvalidArgument {
            field: field.to_owned(),
            reason: "sequence number beyond 2^63".to_owned(),
        })
    })
}

/// A stored sequence number back (never negative: the tables check it).
fn seq_of(what: &str, v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt {
        what: format!("{what}: negative sequence number"),
    })
}

fn no_desk() -> StoreError {
    StoreError::Desk(partnerdesk::Error::InvalidArgument {
        field: "partner".to_owned(),
        reason: "no desk for this partner in the store".to_owned(),
    })
}

fn mark_of(row: &postgres::Row) -> std::result::Result<Mark, Failure> {
    let events: i64 = row.try_get(0)?;
    let audit: i64 = row.try_get(1)?;
    Ok(Mark {
        events: seq_of("desk head", events)?,
        audit: seq_of("desk head", audit)?,
    })
}

/// A batch as the append statement's array parameters.
struct Encoded {
    event_seqs: Vec<i64>,
    event_bodies: Vec<String>,
    audit_seqs: Vec<i64>,
    audit_bodies: Vec<String>,
}

/// Checks that records follow on from `last` without gaps and encodes them as the core's JSON.
fn encode_records<T: serde::Serialize>(
    records: &[T],
    last: u64,
    what: &str,
    seq: impl Fn(&T) -> u64,
) -> Result<(Vec<i64>, Vec<String>)> {
    let mut next = last;
    let mut seqs = Vec::with_capacity(records.len());
    let mut bodies = Vec::with_capacity(records.len());
    for r in records {
        next = next.saturating_add(1);
        let n = seq(r);
        let refuse = |reason: String| {
            StoreError::Desk(partnerdesk::Error::InvalidEvent {
                sequence: n,
                reason,
            })
        };
        if n != next {
            return Err(refuse(format!(
                "{what} does not follow on from the expected mark: expected seq {next}"
            )));
        }
        seqs.push(sql_seq(what, n)?);
        bodies
            .push(serde_json::to_string(r).map_err(|_| refuse(format!("{what} does not encode")))?);
    }
    Ok((seqs, bodies))
}

fn encode_batch(expected: Mark, batch: Batch<'_>) -> Result<Encoded> {
    let (event_seqs, event_bodies) =
        encode_records(batch.events, expected.events, "event", |e: &Event| e.seq)?;
    let (audit_seqs, audit_bodies) = encode_records(
        batch.audit,
        expected.audit,
        "audit record",
        |r: &AuditRecord| r.seq,
    )?;
    Ok(Encoded {
        event_seqs,
        event_bodies,
        audit_seqs,
        audit_bodies,
    })
}

/// Decodes rows `(seq, body)` after `after`, checking numbering and continuity.
fn decode_rows<T: serde::de::DeserializeOwned>(
    rows: &[postgres::Row],
    what: &str,
    seq: impl Fn(&T) -> u64,
) -> std::result::Result<Vec<T>, Failure> {
    let mut out: Vec<T> = Vec::with_capacity(rows.len());
    let mut previous: Option<u64> = None;
    for row in rows {
        let n = seq_of(what, row.try_get(0)?)?;
        let body: &str = row.try_get(1)?;
        let record: T = serde_json::from_str(body).map_err(|_| StoreError::Corrupt {
            what: format!("{what} {n} does not decode"),
        })?;
        if seq(&record) != n {
            return Err(StoreError::Corrupt {
                what: format!("{what} stored as {n} carries another sequence number"),
            }
            .into());
        }
        if let Some(p) = previous
            && n != p.saturating_add(1)
        {
            return Err(StoreError::Corrupt {
                what: format!("gap in the {what}s after {p}"),
            }
            .into());
        }
        previous = Some(n);
        out.push(record);
    }
    Ok(out)
}

/// Stores a checkpoint in pieces unless one is stored at that mark already.
fn write_checkpoint(
    tx: &mut postgres::Transaction<'_>,
    partner: &PartnerId,
    events: i64,
    audit: i64,
    bytes: &[u8],
) -> std::result::Result<(), Failure> {
    let pieces: Vec<&[u8]> = bytes.chunks(CHUNK_BYTES).collect();
    let count = i32::try_from(pieces.len()).map_err(|_| too_large())?;
    let size = i64::try_from(bytes.len()).map_err(|_| too_large())?;
    let new = tx.execute(
        "INSERT INTO partnerdesk_checkpoints (partner_id, event_seq, audit_seq, chunks, bytes)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (partner_id, event_seq, audit_seq) DO NOTHING",
        &[&partner.as_str(), &events, &audit, &count, &size],
    )? == 1;
    if new {
        for (n, piece) in (0..count).zip(pieces) {
            tx.execute(
                "INSERT INTO partnerdesk_checkpoint_chunks
                     (partner_id, event_seq, audit_seq, n, data)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&partner.as_str(), &events, &audit, &n, &piece],
            )?;
        }
    }
    Ok(())
}

fn too_large() -> StoreError {
    StoreError::Desk(partnerdesk::Error::InvalidArgument {
        field: "checkpoint".to_owned(),
        reason: "too large to store".to_owned(),
    })
}

impl Store for PgStore {
    fn create_desk(&mut self, partner: &PartnerId, first: &Checkpoint) -> Result<bool> {
        let events = sql_seq("checkpoint.mark.events", first.mark.events)?;
        let audit = sql_seq("checkpoint.mark.audit", first.mark.audit)?;
        self.with("create desk", |c| {
            let mut tx = c.transaction()?;
            let created = tx.execute(
                "INSERT INTO partnerdesk_desks (partner_id, event_seq, audit_seq)
                 VALUES ($1, $2, $3) ON CONFLICT (partner_id) DO NOTHING",
                &[&partner.as_str(), &events, &audit],
            )? == 1;
            if created {
                write_checkpoint(&mut tx, partner, events, audit, &first.bytes)?;
            }
            tx.commit()?;
            Ok(created)
        })
    }

    fn head(&mut self, partner: &PartnerId) -> Result<Option<Mark>> {
        self.with("head", |c| {
            let row = c.query_opt(
                "SELECT event_seq, audit_seq FROM partnerdesk_desks WHERE partner_id = $1",
                &[&partner.as_str()],
            )?;
            row.as_ref().map(mark_of).transpose()
        })
    }

    fn partners(&mut self) -> Result<Vec<PartnerId>> {
        let ids = self.with("partners", |c| {
            let rows = c.query(
                "SELECT partner_id FROM partnerdesk_desks ORDER BY partner_id",
                &[],
            )?;
            rows.iter()
                .map(|r| r.try_get::<_, String>(0).map_err(Failure::from))
                .collect::<std::result::Result<Vec<_>, _>>()
        })?;
        crate::store::partner_ids(ids)
    }

    fn append(&mut self, partner: &PartnerId, expected: Mark, batch: Batch<'_>) -> Result<()> {
        let enc = encode_batch(expected, batch)?;
        let from_events = sql_seq("expected.events", expected.events)?;
        let from_audit = sql_seq("expected.audit", expected.audit)?;
        let to_events =
            from_events.saturating_add(i64::try_from(enc.event_seqs.len()).unwrap_or(i64::MAX));
        let to_audit =
            from_audit.saturating_add(i64::try_from(enc.audit_seqs.len()).unwrap_or(i64::MAX));
        self.with("append", |c| {
            // One statement: the head moves only if it is at the expected mark (the row lock
            // makes a second writer wait, then see the moved head and match nothing), the
            // records are inserted only for a moved head, and the notification is sent only
            // if it all commits.
            let row = c.query_one(
                "WITH head AS (
                     UPDATE partnerdesk_desks SET event_seq = $4, audit_seq = $5
                     WHERE partner_id = $1 AND event_seq = $2 AND audit_seq = $3
                     RETURNING partner_id
                 ), events AS (
                     INSERT INTO partnerdesk_events (partner_id, seq, body)
                     SELECT head.partner_id, r.seq, r.body
                     FROM head, unnest($6::bigint[], $7::text[]) AS r(seq, body)
                 ), audit AS (
                     INSERT INTO partnerdesk_audit (partner_id, seq, body)
                     SELECT head.partner_id, r.seq, r.body
                     FROM head, unnest($8::bigint[], $9::text[]) AS r(seq, body)
                 ), notified AS (
                     SELECT pg_notify($10, head.partner_id) FROM head
                 )
                 SELECT (SELECT count(*) FROM head), (SELECT count(*) FROM notified)",
                &[
                    &partner.as_str(),
                    &from_events,
                    &from_audit,
                    &to_events,
                    &to_audit,
                    &enc.event_seqs,
                    &enc.event_bodies,
                    &enc.audit_seqs,
                    &enc.audit_bodies,
                    &CHANNEL,
                ],
            )?;
            let moved: i64 = row.try_get(0)?;
            if moved == 1 {
                return Ok(());
            }
            let found = c.query_opt(
                "SELECT event_seq, audit_seq FROM partnerdesk_desks WHERE partner_id = $1",
                &[&partner.as_str()],
            )?;
            match found {
                None => Err(no_desk().into()),
                Some(row) => Err(StoreError::ConcurrentChange {
                    expected,
                    found: mark_of(&row)?,
                }
                .into()),
            }
        })
    }

    fn latest_checkpoint(&mut self, partner: &PartnerId) -> Result<Option<Checkpoint>> {
        self.with("latest checkpoint", |c| {
            // One snapshot for the checkpoint and its pieces (a writer may prune it meanwhile).
            let mut tx = c
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let row = tx.query_opt(
                "SELECT event_seq, audit_seq, chunks, bytes FROM partnerdesk_checkpoints
                 WHERE partner_id = $1 ORDER BY event_seq DESC, audit_seq DESC LIMIT 1",
                &[&partner.as_str()],
            )?;
            let Some(row) = row else {
                return Ok(None);
            };
            let mark = mark_of(&row)?;
            let chunks: i32 = row.try_get(2)?;
            let size: i64 = row.try_get(3)?;
            let pieces = tx.query(
                "SELECT n, data FROM partnerdesk_checkpoint_chunks
                 WHERE partner_id = $1 AND event_seq = $2 AND audit_seq = $3 ORDER BY n",
                &[
                    &partner.as_str(),
                    &row.try_get::<_, i64>(0)?,
                    &row.try_get::<_, i64>(1)?,
                ],
            )?;
            // The pieces are checked and counted before the buffer is made: its size is
            // theirs, never the stored length alone (a corrupt one must not be allocated).
            let mut data = Vec::with_capacity(pieces.len());
            let mut total = 0usize;
            for (i, piece) in pieces.iter().enumerate() {
                let n: i32 = piece.try_get(0)?;
                if usize::try_from(n).ok() != Some(i) {
                    return Err(StoreError::Corrupt {
                        what: format!("checkpoint at {mark:?}: piece {i} missing"),
                    }
                    .into());
                }
                let d = piece.try_get::<_, &[u8]>(1)?;
                total = total.saturating_add(d.len());
                data.push(d);
            }
            if usize::try_from(chunks).ok() != Some(pieces.len())
                || i64::try_from(total).ok() != Some(size)
            {
                return Err(StoreError::Corrupt {
                    what: format!("checkpoint at {mark:?}: pieces or length do not match"),
                }
                .into());
            }
            let bytes = data.concat();
            tx.commit()?;
            Ok(Some(Checkpoint { mark, bytes }))
        })
    }

    fn put_checkpoint(&mut self, partner: &PartnerId, checkpoint: &Checkpoint) -> Result<()> {
        let events = sql_seq("checkpoint.mark.events", checkpoint.mark.events)?;
        let audit = sql_seq("checkpoint.mark.audit", checkpoint.mark.audit)?;
        self.with("put checkpoint", |c| {
            let mut tx = c.transaction()?;
            let head = tx.query_opt(
                "SELECT event_seq, audit_seq FROM partnerdesk_desks WHERE partner_id = $1
                 FOR SHARE",
                &[&partner.as_str()],
            )?;
            let head = match head {
                None => return Err(no_desk().into()),
                Some(row) => mark_of(&row)?,
            };
            if checkpoint.mark.events > head.events || checkpoint.mark.audit > head.audit {
                return Err(StoreError::Desk(partnerdesk::Error::InvalidArgument {
                    field: "checkpoint.mark".to_owned(),
                    reason: "beyond the stored log".to_owned(),
                })
                .into());
            }
            write_checkpoint(&mut tx, partner, events, audit, &checkpoint.bytes)?;
            tx.execute(
                "DELETE FROM partnerdesk_checkpoints WHERE partner_id = $1
                 AND (event_seq, audit_seq) NOT IN (
                     SELECT event_seq, audit_seq FROM partnerdesk_checkpoints
                     WHERE partner_id = $1
                     ORDER BY event_seq DESC, audit_seq DESC LIMIT $2)",
                &[&partner.as_str(), &CHECKPOINTS_KEPT],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    fn events_after(
        &mut self,
        partner: &PartnerId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Event>> {
        self.log_after(&EVENTS, partner, after, limit, |e: &Event| e.seq)
    }

    fn audit_after(
        &mut self,
        partner: &PartnerId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<AuditRecord>> {
        self.log_after(&AUDIT, partner, after, limit, |r: &AuditRecord| r.seq)
    }

    fn wait_for_change(
        &mut self,
        partner: &PartnerId,
        known: Mark,
        timeout: Duration,
    ) -> Result<bool> {
        let deadline = Instant::now() + timeout;
        if !self.listening {
            self.with("listen", |c| {
                c.batch_execute(&format!("LISTEN {CHANNEL}"))?;
                Ok(())
            })?;
            self.listening = true;
        }
        loop {
            // Notifications already received are stale for this check: the head read next
            // includes what they announced.
            self.with("notifications", |c| {
                let mut n = c.notifications();
                let mut pending = n.iter();
                while pending.next()?.is_some() {}
                Ok(())
            })?;
            let moved = self
                .head(partner)?
                .is_some_and(|h| h.events > known.events || h.audit > known.audit);
            if moved {
                return Ok(true);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            let slice = (deadline - now).min(self.poll);
            let slice_end = now + slice;
            let partner_id = partner.as_str();
            // Blocks until a notification for this partner or the slice ends; then the head is
            // read again either way (the poll that covers a lost notification).
            self.with("wait", |c| {
                let mut n = c.notifications();
                let mut it = n.timeout_iter(slice);
                // Each notification restarts the iterator's timer: other partners' traffic
                // must not stretch the slice.
                while let Some(note) = it.next()? {
                    if note.payload() == partner_id || Instant::now() >= slice_end {
                        break;
                    }
                }
                Ok(())
            })?;
        }
    }
}
