//! Integration tests of the partnerdesk core (one binary; one module per concern).
#![allow(unreachable_pub)]

mod common;
mod criteria;
mod fixtures;
mod ops_fixture;
mod ops_props;
mod ops_rules;
mod props;
mod search;
mod snapshots;
