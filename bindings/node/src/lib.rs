//! # partnerdesk for Node.js
//!
//! The npm package `partnerdesk`: a napi-rs v3 addon over the `partnerdesk` core. This crate
//! owns the JS shapes (plain objects for records, classes for handles, decimal strings for
//! money, `Date` for times, string unions for enumerations) and the conversions; the core
//! knows nothing about Node.
//!
//! Why thin: domain rules are tested once, in Rust. The JS tests (`__test__/`) check what this
//! crate adds: marshalling, names, error codes, iteration, and that long work leaves the event
//! loop free.

pub mod args;
pub mod declared;
pub mod desk;
pub mod detail;
pub mod durable;
mod error;
pub mod export;
mod handover;
pub mod huawei;
pub mod iterate;
pub mod lifecycle;
pub mod ops;
pub mod panic_guard;
pub mod privacy;
pub mod query;
mod rows;
pub mod types;
pub mod upkeep;

pub use error::PartnerDeskError;
use napi::bindgen_prelude::{Env, Object};
use napi_derive::napi;

/// Finishes the module when a JS environment loads it: `PartnerDeskError` becomes a subclass
/// of `Error`, pages become iterable and `AsyncRowIterator` async-iterable, and large results
/// get their pump (`handover`); the functions this needs are made once per environment.
#[napi(module_exports)]
pub fn init(exports: Object<'_>, env: Env) -> napi::Result<()> {
    error::install(&env, &exports)?;
    handover::install(&env)?;
    rows::install(&env)?;
    iterate::install(&env, &exports)
}
