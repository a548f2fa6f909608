//! Integration tests of the partnerdesk core (one binary; one module per concern).
#![allow(unreachable_pub)]

mod checkpoints;
mod common;
mod complete_log;
mod criteria;
mod detail;
mod event_log;
mod export;
mod export_cells;
mod export_phases;
mod filter_doc;
mod fixtures;
mod hardening_data;
mod hardening_query;
mod layering;
mod ops_attack;
mod ops_fixture;
mod ops_pii;
mod ops_props;
mod ops_rules;
mod privacy;
mod props;
mod rules_association;
mod rules_authorization;
mod rules_budget;
mod rules_command;
mod rules_governed;
mod rules_privacy;
mod rules_retry;
mod search;
mod snapshots;
mod undo;
