//! Integration tests of the partnerdesk core (one binary; one module per concern).
#![allow(unreachable_pub)]

mod common;
mod criteria;
mod export;
mod fixtures;
mod hardening_query;
mod ops_fixture;
mod ops_pii;
mod ops_props;
mod ops_rules;
mod privacy;
mod props;
mod search;
mod snapshots;
