//! Examples of partnerdesk: run `cargo run -p partnerdesk-examples --example tour`.
