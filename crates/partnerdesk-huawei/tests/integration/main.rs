//! Integration tests of the Huawei adapter (one binary; one module per concern).

mod bills;
mod budgets;
mod common;
mod complete_log;
mod customers;
mod listing;
mod orders_resources;
mod requests;
mod responses;
mod robustness;
mod wire;
