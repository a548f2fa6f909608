//! The PostgreSQL schema: its version and the migrations that build it, one entry per
//! version, never edited once released.

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
