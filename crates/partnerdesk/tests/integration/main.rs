//! Integration tests of the partnerdesk core (one binary; one module per concern).
#![allow(unreachable_pub)]

mod common;
mod criteria;
mod fixtures;
mod props;
mod search;
mod snapshots;
