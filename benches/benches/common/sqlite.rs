//! The search benchmark's SQLite anchor, shared by `benches/search.rs` and
//! `examples/memory.rs` (included by path): one table of the search columns, a tag table and
//! the covering indexes of the five queries, in memory (or in a file, where memory would not
//! hold it).

use chrono::{DateTime, Utc};
use partnerdesk::Desk;
use rusqlite::{Connection, params};
use rust_decimal::Decimal;

/// Exact integer cents (demo amounts have at most 2 decimals; no float).
fn cents(d: Decimal) -> i64 {
    i64::try_from((d * Decimal::ONE_HUNDRED).trunc().mantissa()).unwrap()
}

/// The customers of `desk` in SQLite, with the indexes of the search benchmark; with `docs`,
/// each customer's JSON document too (a `doc` column), as a document store would keep it.
pub(crate) fn load_sqlite(desk: &Desk, now: DateTime<Utc>, docs: bool) -> Connection {
    load_sqlite_into(Connection::open_in_memory().unwrap(), desk, now, docs)
}

/// [`load_sqlite`] into a given database (a file, for sizes whose database does not fit in
/// memory beside the desk).
#[allow(dead_code)] // The search benchmark loads in memory only.
pub(crate) fn load_sqlite_into(
    db: Connection,
    desk: &Desk,
    now: DateTime<Utc>,
    docs: bool,
) -> Connection {
    db.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE TABLE customers (slot INTEGER PRIMARY KEY, id TEXT NOT NULL, name_lower TEXT NOT NULL,
            manager TEXT, mtd_cents INTEGER NOT NULL, next_expiry INTEGER, mobile_rev TEXT,
            assoc TEXT NOT NULL, active INTEGER NOT NULL, doc TEXT);
         CREATE TABLE tags (slot INTEGER NOT NULL, tag TEXT NOT NULL);",
    )
    .unwrap();
    let month = desk.partner().billing_offset.month_of(now);
    let tx = db.unchecked_transaction().unwrap();
    {
        let mut ins = tx
            .prepare("INSERT INTO customers VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
            .unwrap();
        let mut tag = tx.prepare("INSERT INTO tags VALUES (?1, ?2)").unwrap();
        for (slot, c) in desk.customers().enumerate() {
            ins.execute(params![
                slot as i64,
                c.id.as_str(),
                c.name.expose().to_lowercase(),
                c.account_manager.as_ref().map(|m| m.as_str().to_owned()),
                cents(c.month_spend(month)),
                c.next_expiry(now).map(|e| e.timestamp()),
                c.mobile
                    .as_ref()
                    .map(|m| m.expose().number.chars().rev().collect::<String>()),
                c.association.kind.as_str(),
                i64::from(c.is_associated()),
                docs.then(|| serde_json::to_string(c).unwrap()),
            ])
            .unwrap();
            for t in &c.tags {
                tag.execute(params![slot as i64, t.as_str()]).unwrap();
            }
        }
    }
    tx.commit().unwrap();
    db.execute_batch(
        "CREATE INDEX c_manager_mtd ON customers (manager, active, mtd_cents, id);
         CREATE INDEX c_expiry ON customers (active, next_expiry, id);
         CREATE INDEX c_mobile ON customers (active, mobile_rev, id);
         CREATE INDEX c_expiry_assoc_mtd ON customers (active, next_expiry, assoc, mtd_cents, id);
         CREATE INDEX c_name ON customers (active, name_lower, id);
         CREATE INDEX c_id ON customers (id);
         CREATE INDEX t_tag ON tags (tag, slot);
         CREATE INDEX t_slot ON tags (slot, tag);
         ANALYZE;",
    )
    .unwrap();
    db
}
