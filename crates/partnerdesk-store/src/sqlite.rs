//! The embedded default backend: one SQLite file (rusqlite, SQLite bundled), in WAL mode.
//!
//! Why SQLite: a service that runs one instance (or a desktop tool) wants its desk to survive
//! a crash with nothing to install or run beside it. One file holds many partners' desks,
//! keyed by partner id. Several connections (in one process or several) may share the file:
//! appends are serialised by SQLite's write lock and checked against the expected mark inside
//! one `BEGIN IMMEDIATE` transaction, so a writer that lost the race gets `CONCURRENT_CHANGE`
//! and nothing is written.
//!
//! ## What an acknowledged append survives
//!
//! The connection runs with `journal_mode=WAL` and `synchronous=FULL`: a commit returns only
//! after its WAL frames are written and `fsync`ed. So an append that returned `Ok`
//!
//! - survives the process being killed (even by `SIGKILL`): the WAL is on disk, and the next
//!   open replays it (the kill test, `tests/kill.rs`, checks this 200 times);
//! - survives a power loss or an operating system crash as far as the disk honours `fsync`
//!   (a drive or virtual disk that acknowledges writes it only cached can still lose them;
//!   that is outside what any database can promise). `synchronous=NORMAL` would keep the first
//!   promise but not this one, which is why it is not used.
//!
//! An append that did not return `Ok` is either wholly there or wholly absent after a crash,
//! never half there: the events, the audit records and the new head are one transaction.
//!
//! ## Schema
//!
//! Versioned migrations ([`SCHEMA_VERSION`]) run when a store is opened, in one transaction;
//! a file whose `schema_version` is newer than this library's is refused with
//! `STORE_VERSION_UNSUPPORTED` and left untouched. Tables (version 1):
//!
//! - `desks (partner_id PRIMARY KEY, event_seq, audit_seq)`: each desk's head;
//! - `events (partner_id, seq, body)` and `audit (partner_id, seq, body)`, primary key
//!   `(partner_id, seq)`: each event and audit record as its JSON (the core's serde form, the
//!   one a JSON snapshot holds);
//! - `checkpoints (partner_id, event_seq, audit_seq, chunks, bytes)` and `checkpoint_chunks`:
//!   checkpoints in the core's binary form ([`partnerdesk::checkpoint`]), split into chunks of
//!   [`CHUNK_BYTES`] (an SQLite value holds at most 1 GB, and a 1M-customer checkpoint is
//!   larger). The first checkpoint of a desk (the one it was created with, from which the
//!   whole log replays) and the two newest are kept; older ones are deleted when a new one is
//!   stored. An open reads the newest one's pieces by incremental blob I/O straight into one
//!   buffer; from 32 MB on, a second read-only connection reads the second half of the pieces
//!   at the same time (the read is the kernel's copies and the buffer's first touch, on one
//!   core about half a second for a million customers). That connection reads a piece only
//!   after finding its row to be the one listed (partner, checkpoint, length); anything else
//!   is read by the first connection, in the transaction the pieces were listed in.
//!
//! Rows that do not read back (JSON that does not parse, a sequence number that differs from
//! its row's or leaves a gap, a checkpoint with a missing chunk) are `STORE_CORRUPT`. Every
//! other database failure (file not writable, disk full, locked beyond the busy timeout) is
//! `STORE_UNAVAILABLE` with SQLite's own condition as the reason; SQLite's messages name
//! tables, columns and conditions, never the values in them.

use crate::error::{Result, StoreError};
use crate::store::{Batch, Checkpoint, Store};
use partnerdesk::audit::AuditRecord;
use partnerdesk::event::Event;
use partnerdesk::{Mark, PartnerId};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;
use std::time::{Duration, Instant};

mod pieces;

/// The schema version this library writes (and the newest it opens).
pub const SCHEMA_VERSION: u32 = 1;

/// The size of one stored piece of a checkpoint.
pub const CHUNK_BYTES: usize = 8 * 1024 * 1024;

/// How long a writer waits for another connection's write lock before `STORE_UNAVAILABLE`.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How often [`Store::wait_for_change`] looks at the head (SQLite has no notifications).
const POLL: Duration = Duration::from_millis(20);

/// The migrations, in order: migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &["
    CREATE TABLE desks (
        partner_id TEXT PRIMARY KEY NOT NULL,
        event_seq INTEGER NOT NULL,
        audit_seq INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE events (
        partner_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (partner_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE audit (
        partner_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (partner_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE checkpoints (
        partner_id TEXT NOT NULL,
        event_seq INTEGER NOT NULL,
        audit_seq INTEGER NOT NULL,
        chunks INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        PRIMARY KEY (partner_id, event_seq, audit_seq)
    ) WITHOUT ROWID;
    CREATE TABLE checkpoint_chunks (
        partner_id TEXT NOT NULL,
        event_seq INTEGER NOT NULL,
        audit_seq INTEGER NOT NULL,
        n INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (partner_id, event_seq, audit_seq, n)
    );
"];

/// A store in one SQLite file (see the [module documentation](self)).
///
/// ```
/// use partnerdesk::demo;
/// use partnerdesk_store::{DurableDesk, sqlite::SqliteStore};
/// let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
/// let path = dir.path().join("desk.db");
/// let (desk, _now) = demo::portfolio(20, 1)?;
/// let partner = desk.partner().id.clone();
/// let durable = DurableDesk::create(SqliteStore::open(&path)?, desk)?;
/// drop(durable);
/// let again = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
/// assert_eq!(again.desk().len(), 20);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SqliteStore {
    conn: Connection,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.conn.path())
            .finish()
    }
}

/// `STORE_UNAVAILABLE` (or `STORE_CORRUPT` for a damaged file) from a database error.
/// A failed open: rusqlite's message quotes the path, which may name a person (a home
/// folder), so only SQLite's code is kept.
fn open_failed(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _) => db(rusqlite::Error::SqliteFailure(f, None)),
        e => db(e),
    }
}

fn db(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match &e {
        rusqlite::Error::SqliteFailure(f, msg) => {
            let what = msg.clone().unwrap_or_else(|| format!("{:?}", f.code));
            match f.code {
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => {
                    StoreError::Corrupt { what }
                }
                _ => StoreError::Unavailable {
                    reason: format!("{:?}: {what}", f.code),
                },
            }
        }
        // The other variants describe a misuse or a type mismatch; their text can quote a
        // value, so only the kind is kept.
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::InvalidColumnType(..) => StoreError::Corrupt {
            what: "a column holds a value of the wrong type".to_owned(),
        },
        _ => StoreError::Unavailable {
            reason: "the database call failed".to_owned(),
        },
    }
}

fn corrupt(what: impl Into<String>) -> StoreError {
    StoreError::Corrupt { what: what.into() }
}

fn seq_of(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| StoreError::Unavailable {
        reason: "sequence number out of SQLite's range".to_owned(),
    })
}

fn seq_from(v: i64, what: &str) -> Result<u64> {
    u64::try_from(v).map_err(|_| corrupt(format!("{what}: negative sequence number")))
}

impl SqliteStore {
    /// Opens (or creates) the store in the file at `path`: WAL, `synchronous=FULL`, a busy
    /// timeout of [`DEFAULT_BUSY_TIMEOUT`], and the schema migrated to [`SCHEMA_VERSION`].
    /// `STORE_VERSION_UNSUPPORTED` when the file's schema is newer; `STORE_UNAVAILABLE` when
    /// it cannot be opened or written.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
        SqliteStore::open_with(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// [`SqliteStore::open`] with another busy timeout.
    pub fn open_with(path: impl AsRef<Path>, busy_timeout: Duration) -> Result<SqliteStore> {
        let mut conn = Connection::open(path).map_err(open_failed)?;
        conn.busy_timeout(busy_timeout).map_err(db)?;
        // Before anything writes (WAL mode rewrites the header): a file that is not a
        // database, or one of a newer library, is refused and left as it was.
        refuse_newer(&conn)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(db)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Unavailable {
                reason: format!("the file cannot be put in WAL mode (it is in {mode} mode)"),
            });
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        migrate(&mut conn)?;
        Ok(SqliteStore { conn })
    }

    /// The schema version of the file (after [`SqliteStore::open`]: [`SCHEMA_VERSION`]).
    pub fn schema_version(&self) -> Result<u32> {
        read_version(&self.conn)
    }

    /// The SQLite connection, for tests and tools that inspect the file (reading; a write
    /// here bypasses every check of the store).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn head_in(conn: &Connection, partner: &PartnerId) -> Result<Option<Mark>> {
        let row: Option<(i64, i64)> = conn
            .prepare_cached("SELECT event_seq, audit_seq FROM desks WHERE partner_id = ?1")
            .and_then(|mut s| {
                s.query_row(params![partner.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(db)?;
        row.map(|(e, a)| {
            Ok(Mark {
                events: seq_from(e, "desks.event_seq")?,
                audit: seq_from(a, "desks.audit_seq")?,
            })
        })
        .transpose()
    }
}

fn read_version(conn: &Connection) -> Result<u32> {
    let v: Option<i64> = conn
        .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))
        .map_err(db)?;
    let v = v.unwrap_or(0);
    u32::try_from(v).map_err(|_| corrupt("schema_version: out of range"))
}

/// The file's schema version without writing anything (`None`: no schema yet);
/// `STORE_VERSION_UNSUPPORTED` when it is newer than this library's.
fn refuse_newer(conn: &Connection) -> Result<Option<u32>> {
    let has_table: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version')",
            [],
            |r| r.get(0),
        )
        .map_err(db)?;
    if !has_table {
        return Ok(None);
    }
    let found = read_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::VersionUnsupported {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(Some(found))
}

/// Brings the schema to [`SCHEMA_VERSION`] in one transaction, or refuses a newer one. A file
/// already at this version is only read (no write lock taken).
fn migrate(conn: &mut Connection) -> Result<()> {
    if refuse_newer(conn)? == Some(SCHEMA_VERSION) {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        .map_err(db)?;
    let found = read_version(&tx)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::VersionUnsupported {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(sql).map_err(db)?;
        tx.execute("DELETE FROM schema_version", []).map_err(db)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            params![i as i64 + 1],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)
}

/// Checks that `batch` follows on from `expected`, and gives the mark after it.
fn mark_after(expected: Mark, batch: &Batch<'_>) -> Result<Mark> {
    let mut next = expected;
    for e in batch.events {
        next.events += 1;
        if e.seq != next.events {
            return Err(StoreError::Desk(partnerdesk::Error::InvalidEvent {
                sequence: e.seq,
                reason: format!("the batch does not follow on: expected seq {}", next.events),
            }));
        }
    }
    for r in batch.audit {
        next.audit += 1;
        if r.seq != next.audit {
            return Err(StoreError::Desk(partnerdesk::Error::InvalidEvent {
                sequence: r.seq,
                reason: format!(
                    "the batch's audit records do not follow on: expected seq {}",
                    next.audit
                ),
            }));
        }
    }
    Ok(next)
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|_| StoreError::Unavailable {
        reason: "a record could not be encoded as JSON".to_owned(),
    })
}

impl Store for SqliteStore {
    fn create_desk(&mut self, partner: &PartnerId, first: &Checkpoint) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        if SqliteStore::head_in(&tx, partner)?.is_some() {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO desks (partner_id, event_seq, audit_seq) VALUES (?1, ?2, ?3)",
            params![
                partner.as_str(),
                seq_of(first.mark.events)?,
                seq_of(first.mark.audit)?
            ],
        )
        .map_err(db)?;
        insert_checkpoint(&tx, partner, first)?;
        tx.commit().map_err(db)?;
        Ok(true)
    }

    fn head(&mut self, partner: &PartnerId) -> Result<Option<Mark>> {
        SqliteStore::head_in(&self.conn, partner)
    }

    fn partners(&mut self) -> Result<Vec<PartnerId>> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached("SELECT partner_id FROM desks ORDER BY partner_id")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(db)?;
        crate::store::partner_ids(ids)
    }

    fn append(&mut self, partner: &PartnerId, expected: Mark, batch: Batch<'_>) -> Result<()> {
        let next = mark_after(expected, &batch)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let found = SqliteStore::head_in(&tx, partner)?.ok_or_else(|| StoreError::Unavailable {
            reason: format!("no desk is stored for partner {partner}"),
        })?;
        if found != expected {
            return Err(StoreError::ConcurrentChange { expected, found });
        }
        {
            let mut ins = tx
                .prepare_cached("INSERT INTO events (partner_id, seq, body) VALUES (?1, ?2, ?3)")
                .map_err(db)?;
            for e in batch.events {
                ins.execute(params![partner.as_str(), seq_of(e.seq)?, json(e)?])
                    .map_err(db)?;
            }
            let mut ins = tx
                .prepare_cached("INSERT INTO audit (partner_id, seq, body) VALUES (?1, ?2, ?3)")
                .map_err(db)?;
            for r in batch.audit {
                ins.execute(params![partner.as_str(), seq_of(r.seq)?, json(r)?])
                    .map_err(db)?;
            }
            let (e, a) = (seq_of(next.events)?, seq_of(next.audit)?);
            tx.prepare_cached(
                "UPDATE desks SET event_seq = ?2, audit_seq = ?3 WHERE partner_id = ?1",
            )
            .and_then(|mut s| s.execute(params![partner.as_str(), e, a]))
            .map_err(db)?;
        }
        tx.commit().map_err(db)
    }

    fn latest_checkpoint(&mut self, partner: &PartnerId) -> Result<Option<Checkpoint>> {
        let tx = self.conn.transaction().map_err(db)?;
        let row: Option<(i64, i64, i64, i64)> = tx
            .query_row(
                "SELECT event_seq, audit_seq, chunks, bytes FROM checkpoints
                 WHERE partner_id = ?1 ORDER BY event_seq DESC, audit_seq DESC LIMIT 1",
                params![partner.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(db)?;
        let Some((e, a, chunks, len)) = row else {
            return Ok(None);
        };
        let len = usize::try_from(len).map_err(|_| corrupt("checkpoint: negative length"))?;
        // The pieces first, by their lengths (which SQLite reads without their bytes); then
        // each piece's bytes straight into their place in one buffer, as an incremental blob
        // read. (Read as a column value, each 8 MB piece was assembled in a buffer of
        // SQLite's own and copied again.) The buffer is no larger than the pieces stored.
        let mut pieces: Vec<(i64, usize)> = Vec::new();
        let mut total = 0usize;
        {
            let mut stmt = tx
                .prepare(
                    "SELECT n, rowid, length(data), typeof(data) = 'blob' FROM checkpoint_chunks
                     WHERE partner_id = ?1 AND event_seq = ?2 AND audit_seq = ?3 ORDER BY n",
                )
                .map_err(db)?;
            let mut rows = stmt.query(params![partner.as_str(), e, a]).map_err(db)?;
            while let Some(row) = rows.next().map_err(db)? {
                let n: i64 = row.get(0).map_err(db)?;
                if n != pieces.len() as i64 {
                    return Err(corrupt(format!(
                        "checkpoint at ({e}, {a}): chunk {} missing",
                        pieces.len()
                    )));
                }
                if !row.get::<_, bool>(3).map_err(db)? {
                    return Err(corrupt("checkpoint chunk: not a blob"));
                }
                let piece = usize::try_from(row.get::<_, i64>(2).map_err(db)?)
                    .map_err(|_| corrupt("checkpoint chunk: negative length"))?;
                total = total
                    .checked_add(piece)
                    .ok_or_else(|| corrupt("checkpoint: chunks too large"))?;
                pieces.push((row.get(1).map_err(db)?, piece));
            }
        }
        let count = pieces.len() as i64;
        if count != chunks || total != len {
            return Err(corrupt(format!(
                "checkpoint at ({e}, {a}): {count} of {chunks} chunks, {total} of {len} bytes"
            )));
        }
        let mut bytes = vec![0u8; total];
        pieces::read_all(&tx, (partner.as_str(), e, a), &pieces, &mut bytes)?;
        tx.finish().map_err(db)?;
        Ok(Some(Checkpoint {
            mark: Mark {
                events: seq_from(e, "checkpoints.event_seq")?,
                audit: seq_from(a, "checkpoints.audit_seq")?,
            },
            bytes,
        }))
    }

    fn put_checkpoint(&mut self, partner: &PartnerId, checkpoint: &Checkpoint) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let head = SqliteStore::head_in(&tx, partner)?.ok_or_else(|| StoreError::Unavailable {
            reason: format!("no desk is stored for partner {partner}"),
        })?;
        if checkpoint.mark.events > head.events || checkpoint.mark.audit > head.audit {
            return Err(StoreError::ConcurrentChange {
                expected: checkpoint.mark,
                found: head,
            });
        }
        let exists: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM checkpoints
                 WHERE partner_id = ?1 AND event_seq = ?2 AND audit_seq = ?3)",
                params![
                    partner.as_str(),
                    seq_of(checkpoint.mark.events)?,
                    seq_of(checkpoint.mark.audit)?
                ],
                |r| r.get(0),
            )
            .map_err(db)?;
        if !exists {
            insert_checkpoint(&tx, partner, checkpoint)?;
            prune_checkpoints(&tx, partner)?;
        }
        tx.commit().map_err(db)
    }

    fn events_after(
        &mut self,
        partner: &PartnerId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Event>> {
        read_log(&self.conn, "events", partner, after, limit, |e: &Event| {
            e.seq
        })
    }

    fn audit_after(
        &mut self,
        partner: &PartnerId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<AuditRecord>> {
        read_log(
            &self.conn,
            "audit",
            partner,
            after,
            limit,
            |r: &AuditRecord| r.seq,
        )
    }

    fn wait_for_change(
        &mut self,
        partner: &PartnerId,
        known: Mark,
        timeout: Duration,
    ) -> Result<bool> {
        let start = Instant::now();
        loop {
            if self.head(partner)?.is_some_and(|h| h != known) {
                return Ok(true);
            }
            let left = timeout.saturating_sub(start.elapsed());
            if left.is_zero() {
                return Ok(false);
            }
            std::thread::sleep(left.min(POLL));
        }
    }
}

fn insert_checkpoint(
    tx: &rusqlite::Transaction<'_>,
    partner: &PartnerId,
    cp: &Checkpoint,
) -> Result<()> {
    let (e, a) = (seq_of(cp.mark.events)?, seq_of(cp.mark.audit)?);
    let chunks = cp.bytes.chunks(CHUNK_BYTES);
    let count = chunks.len() as i64;
    tx.execute(
        "INSERT INTO checkpoints (partner_id, event_seq, audit_seq, chunks, bytes)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![partner.as_str(), e, a, count, cp.bytes.len() as i64],
    )
    .map_err(db)?;
    let mut ins = tx
        .prepare(
            "INSERT INTO checkpoint_chunks (partner_id, event_seq, audit_seq, n, data)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(db)?;
    for (n, chunk) in chunks.enumerate() {
        ins.execute(params![partner.as_str(), e, a, n as i64, chunk])
            .map_err(db)?;
    }
    Ok(())
}

/// Keeps the desk's first checkpoint and its two newest.
fn prune_checkpoints(tx: &rusqlite::Transaction<'_>, partner: &PartnerId) -> Result<()> {
    let doomed: Vec<(i64, i64)> = {
        let mut stmt = tx
            .prepare(
                "SELECT event_seq, audit_seq FROM checkpoints WHERE partner_id = ?1
                 ORDER BY event_seq DESC, audit_seq DESC",
            )
            .map_err(db)?;
        let all = stmt
            .query_map(params![partner.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<(i64, i64)>>>()
            .map_err(db)?;
        let keep_newest = 2;
        let n = all.len();
        all.into_iter()
            .enumerate()
            .filter(|(i, _)| *i >= keep_newest && *i + 1 < n)
            .map(|(_, m)| m)
            .collect()
    };
    for (e, a) in doomed {
        for table in ["checkpoint_chunks", "checkpoints"] {
            tx.execute(
                &format!(
                    "DELETE FROM {table} WHERE partner_id = ?1 AND event_seq = ?2 AND audit_seq = ?3"
                ),
                params![partner.as_str(), e, a],
            )
            .map_err(db)?;
        }
    }
    Ok(())
}

/// Up to `limit` rows of `table` after `after`, parsed and checked: each row's sequence
/// number follows on without a gap and equals the one in its JSON.
fn read_log<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    table: &str,
    partner: &PartnerId,
    after: u64,
    limit: usize,
    seq: impl Fn(&T) -> u64,
) -> Result<Vec<T>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT seq, body FROM {table} WHERE partner_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
        ))
        .map_err(db)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut rows = stmt
        .query(params![partner.as_str(), seq_of(after)?, limit])
        .map_err(db)?;
    let mut out = Vec::new();
    let mut expected = after;
    while let Some(row) = rows.next().map_err(db)? {
        expected += 1;
        let row_seq = seq_from(row.get(0).map_err(db)?, table)?;
        if row_seq != expected {
            return Err(corrupt(format!(
                "{table}: seq {expected} missing (the next row is {row_seq})"
            )));
        }
        let body = row.get_ref(1).map_err(db)?;
        let text = body
            .as_str()
            .map_err(|_| corrupt(format!("{table} row {row_seq}: the body is not text")))?;
        let item: T = serde_json::from_str(text)
            .map_err(|_| corrupt(format!("{table} row {row_seq}: the body is not its JSON")))?;
        if seq(&item) != row_seq {
            return Err(corrupt(format!(
                "{table} row {row_seq}: the body holds seq {}",
                seq(&item)
            )));
        }
        out.push(item);
    }
    Ok(out)
}
