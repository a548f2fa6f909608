//! Benchmarks of partnerdesk: `cargo bench -p partnerdesk-benches`. Figures in README.md.

pub mod hand_zip;
pub mod ops_workload;
pub mod rng;
