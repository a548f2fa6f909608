//! Durable desks for partnerdesk: every change a desk makes, committed before the call that
//! made it returns.
//!
//! Why a crate beside the core: the core (`partnerdesk`) does no I/O and reads no clock; a
//! service still must never lose what it acknowledged. This crate keeps a desk's complete
//! event log and audit trail, with checkpoints, in an embedded SQLite file (the default) or a
//! PostgreSQL database shared by several instances, behind one [`Store`] trait.
//!
//! - [`sqlite::SqliteStore`]: the embedded default, one file (WAL, `synchronous=FULL`: what
//!   that promises on a killed process and on power loss is in its documentation).
//! - [`DurableDesk`]: a desk on a store. [`DurableDesk::execute`] runs a command and commits
//!   what it added (events and audit records, refusals included) before returning;
//!   [`DurableDesk::execute_batch`] commits several in one transaction (group commit);
//!   [`DurableDesk::desk`] reads as fast as an in-memory desk; [`DurableDesk::catch_up`] and
//!   [`DurableDesk::follow`] apply what other instances committed.
//! - Checkpoints are the core's binary form ([`partnerdesk::checkpoint`]), stored every
//!   [`Policy::checkpoint_every`] events and on demand; opening reads the latest one and the
//!   events and audit records after it. By default the command that makes one due stores it;
//!   with [`Policy::checkpoint_in_commands`] off, the owner stores it after the command, under
//!   a read lock ([`DurableDesk::checkpoint_if_due_shared`]), so reads go on meanwhile (what
//!   every binding does).
//!
//! ```
//! use partnerdesk::{demo, Actor, Invocation, OperatorId, Permission};
//! use partnerdesk_store::{DurableDesk, sqlite::SqliteStore};
//!
//! let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
//! let path = dir.path().join("desk.db");
//! let (desk, now) = demo::portfolio(100, 1)?;
//! let partner = desk.partner().id.clone();
//! let mut durable = DurableDesk::create(SqliteStore::open(&path)?, desk)?;
//! let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
//! let ops = OperatorId::new("ops_billing")?;
//! durable.execute(|d| d.grant_permissions(&admin, &ops, &[Permission::ViewSpend]))?;
//! let mark = durable.desk().mark();
//! drop(durable); // or a crash: the grant was committed before `execute` returned
//!
//! let reopened = DurableDesk::open(SqliteStore::open(&path)?, &partner)?;
//! assert_eq!(reopened.desk().mark(), mark);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod durable;
pub mod error;
mod open;
pub mod postgres;
pub mod sqlite;
pub mod store;

pub use durable::{DurableDesk, Policy};
pub use error::{Result, StoreError};
pub use open::{AnyStore, open_store};
pub use store::{Batch, Checkpoint, Store};
