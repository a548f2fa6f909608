//! The log: what happened, in order, tamper-evident, and who tried what.
//!
//! Why a folder: the event log ([`event`], applied through `replay` and checked by `check`),
//! its hash chain ([`chain`]), the ledger of records the events build (manager periods,
//! association and budget records, authorizations, idempotency records) and the audit trail
//! ([`audit`]) are one story: every change is an event, every attempt an audit record. The
//! log reads the model and hands each event to the operation that owns its change; it never
//! changes a concept's state itself.

pub mod audit;
pub mod chain;
pub(crate) mod check;
pub mod event;
pub mod journal;
pub(crate) mod ledger;
pub(crate) mod replay;
pub mod undo;
