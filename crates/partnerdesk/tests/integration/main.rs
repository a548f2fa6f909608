//! Integration tests of the partnerdesk core (one binary; one module per concern).
#![allow(unreachable_pub)]

mod common;
mod criteria;
mod export;
mod export_cells;
mod fixtures;
mod hardening_data;
mod ops_fixture;
mod ops_pii;
mod ops_props;
mod ops_rules;
mod privacy;
mod props;
mod search;
mod snapshots;
