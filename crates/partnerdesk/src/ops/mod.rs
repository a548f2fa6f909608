//! The governed operations: each concept's commands, their rules, and how its events change the
//! desk.
//!
//! Why one module per concept: a freeze, a budget, an account manager, an association, an
//! authorization, an order and a permission grant each have their own rules (who may, on what,
//! when) and their own state change. Each module here holds both: the command that checks and
//! emits events, and the `apply_*` function that the event log calls to change the desk, so a
//! concept's whole behaviour reads in one place. [`command`] is the runner they share
//! (idempotency, audit); [`access`] decides who may act; [`analysis`] holds the governed reads
//! (spend analysis, resources to renew); `data` holds the data changes the host loads
//! (customers, spend, operators, month rolls, export jobs), which are events too.

pub mod access;
pub mod analysis;
pub mod association;
pub mod authorization;
pub mod budget;
pub mod command;
pub(crate) mod data;
pub mod detail;
pub mod freeze;
pub mod invocation;
pub mod manager;
pub mod order;
