//! Examples of partnerdesk. Run the tour with `cargo run -p partnerdesk-examples --example tour`.
//!
//! The tour's parts live here as functions so that tests can run them too.

pub mod detail_tour;
pub mod privacy_tour;
pub mod search_tour;
pub mod store_tour;
pub mod table;
pub mod walkthrough;
