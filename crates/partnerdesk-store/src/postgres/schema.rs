//! The PostgreSQL schema: its version, the migrations that build it (one entry per version,
//! never edited once released) and how a connection applies them.

use super::{Failure, unavailable};
use crate::error::{Result, StoreError};
use postgres::Client;

/// The schema version this library writes and the newest it reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The schema migrations, in order: entry `i` takes a database from version `i` to `i + 1`.
/// A migration is never edited once released; a change is a new entry.
pub const MIGRATIONS: &[&str] = &[
    // 0 -> 1: desks, their log and audit trail, checkpoints.
    "CREATE TABLE partnerdesk_desks (
         partner_id text PRIMARY KEY,
         event_seq bigint NOT NULL CHECK (event_seq >= 0),
         audit_seq bigint NOT NULL CHECK (audit_seq >= 0)
     );
     CREATE TABLE partnerdesk_events (
         partner_id text NOT NULL REFERENCES partnerdesk_desks (partner_id),
         seq bigint NOT NULL,
         body text NOT NULL,
         PRIMARY KEY (partner_id, seq)
     );
     CREATE TABLE partnerdesk_audit (
         partner_id text NOT NULL REFERENCES partnerdesk_desks (partner_id),
         seq bigint NOT NULL,
         body text NOT NULL,
         PRIMARY KEY (partner_id, seq)
     );
     CREATE TABLE partnerdesk_checkpoints (
         partner_id text NOT NULL REFERENCES partnerdesk_desks (partner_id),
         event_seq bigint NOT NULL,
         audit_seq bigint NOT NULL,
         chunks integer NOT NULL,
         bytes bigint NOT NULL,
         PRIMARY KEY (partner_id, event_seq, audit_seq)
     );
     CREATE TABLE partnerdesk_checkpoint_chunks (
         partner_id text NOT NULL,
         event_seq bigint NOT NULL,
         audit_seq bigint NOT NULL,
         n integer NOT NULL,
         data bytea NOT NULL,
         PRIMARY KEY (partner_id, event_seq, audit_seq, n),
         FOREIGN KEY (partner_id, event_seq, audit_seq)
             REFERENCES partnerdesk_checkpoints (partner_id, event_seq, audit_seq)
             ON DELETE CASCADE
     );",
];

/// The advisory lock key (first half) under which a store migrates the schema.
const MIGRATION_LOCK: i32 = 0x7064_6b31;

/// Creates the schema table if needed, refuses a newer schema, applies the missing migrations;
/// one transaction under an advisory lock, so racing processes migrate once.
pub(super) fn migrate(client: &mut Client) -> Result<()> {
    let run = |client: &mut Client| -> std::result::Result<(), Failure> {
        let mut tx = client.transaction()?;
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))",
            &[&MIGRATION_LOCK],
        )?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS partnerdesk_schema (
                 id smallint PRIMARY KEY CHECK (id = 1),
                 version integer NOT NULL
             )",
        )?;
        let found: i32 = tx
            .query_opt("SELECT version FROM partnerdesk_schema WHERE id = 1", &[])?
            .map_or(Ok(0), |row| row.try_get(0))?;
        let found = u32::try_from(found).map_err(|_| StoreError::Corrupt {
            what: "schema version is negative".to_owned(),
        })?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::VersionUnsupported {
                found,
                supported: SCHEMA_VERSION,
            }
            .into());
        }
        for (from, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.batch_execute(sql)?;
            let to = i32::try_from(from + 1).unwrap_or(i32::MAX);
            tx.execute(
                "INSERT INTO partnerdesk_schema (id, version) VALUES (1, $1)
                 ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version",
                &[&to],
            )?;
        }
        tx.commit()?;
        Ok(())
    };
    match run(client) {
        Ok(()) => Ok(()),
        Err(Failure::Store(e)) => Err(e),
        Err(Failure::Db(e)) => Err(unavailable("migrate", &e)),
    }
}
