//! Durable desks for partnerdesk: every change a desk makes, committed before the call that
//! made it returns.
//!
//! Why a crate beside the core: the core (`partnerdesk`) does no I/O and reads no clock; a
//! service still must never lose what it acknowledged. This crate keeps a desk's complete
//! event log and audit trail, with checkpoints, in an embedded SQLite file (the default) or a
//! PostgreSQL database shared by several instances, behind one [`Store`] trait.

pub mod durable;
pub mod error;
pub mod postgres;
pub mod sqlite;
pub mod store;

pub use durable::{DurableDesk, Policy};
pub use error::{Result, StoreError};
pub use store::{Batch, Checkpoint, Store};
