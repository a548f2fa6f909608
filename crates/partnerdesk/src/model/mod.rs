//! The model: the values a desk holds, and nothing that changes them.
//!
//! Why a folder of its own: every other part reads these types (search, the governed
//! operations, privacy, export, the log), so they must not depend on any of those parts. The
//! state a governed operation leaves on a customer (its freeze, budget, association,
//! authorizations, orders) lives here as plain values; the operations that change it live in
//! [`crate::ops`], and the event log that records the changes in [`crate::event`]. Imports run
//! one way only: from here to [`crate::error`], [`crate::validate`] and other model modules.

pub mod access;
pub mod association;
pub mod authorization;
pub mod budget;
pub mod calendar;
pub mod customer;
pub mod freeze;
pub(crate) mod heap;
pub mod ids;
pub mod manager;
pub mod money;
pub(crate) mod open_enum;
pub mod order;
pub mod outcome;
pub mod packed;
pub mod partner;
pub mod personal;
pub mod resource;
#[cfg(feature = "serde")]
pub(crate) mod serde_fast;
pub mod spend;
pub mod tags;
pub mod text;
