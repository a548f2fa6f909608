//! Integration tests of the partnerdesk core (one binary; one module per concern).

mod common;
mod search;
