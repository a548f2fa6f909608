//! Customers as the host loads them, and the spend, order and renewal views of the console:
//! their operations (`insertCustomer`, `upsertCustomer`, `removeCustomer`, association,
//! authorizations, the console views) are declared once for every host
//! (`partnerdesk_host::ops`, expanded in `crate::declared`); what is Node's here is the
//! TypeScript name of the customer argument.

use napi::bindgen_prelude::Either;
use napi_derive::napi;
pub use partnerdesk_host::records::{LabeledAmount, SpendSummary};
use partnerdesk_host::setup::NewCustomer;

// The TypeScript name of the host layer's customer argument
// (`partnerdesk_host::ops::customers::CustomerArg`): napi's generator names a type it does not
// know by its Rust name, so it gets its JS shape here, as a type alias in `index.d.ts` (the Rust
// alias itself is not used).

/// A customer to add: a `NewCustomer` described field by field, or JSON text in the snapshot's
/// customer form (as the host stored it).
#[napi]
pub type CustomerArg = Either<NewCustomer, String>;
