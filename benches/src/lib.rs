//! Benchmarks of partnerdesk: `cargo bench -p partnerdesk-benches`. Figures in README.md.

pub mod hand_zip;
pub mod ops_workload;
pub mod process;
pub mod queries;
pub mod rng;

/// The demo desk of `PD_BENCH_SIZE` customers (100,000 by default), built with seed 42, with
/// its size and its `now`: the benchmarks that measure one desk size share it.
///
/// # Panics
/// If the demo portfolio cannot be built (a bug of the demo generator).
#[allow(clippy::unwrap_used)]
pub fn bench_desk() -> (usize, partnerdesk::Desk, chrono::DateTime<chrono::Utc>) {
    let n: usize = std::env::var("PD_BENCH_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let (desk, now) = partnerdesk::demo::portfolio(n, 42).unwrap();
    (n, desk, now)
}
