//! The fuzz targets: one per door of the library that takes outside input.

mod builders;
mod checkpoint;
mod cursor;
mod events;
mod export;
mod filter;
mod huawei;
mod ops;
mod snapshot;

use chrono::{DateTime, Utc};
use partnerdesk::Desk;
use partnerdesk::query::{PageRequest, Query, Sort, SortKey};

/// One target: builds its inputs and runs them.
pub(crate) trait Fuzz {
    /// A new input: fresh, or mutated from the target's seed corpus.
    fn generate(&self, rng: &mut crate::rng::Rng) -> Vec<u8>;
    /// Runs one input. `Err` names a broken property; a panic is caught by the runner.
    fn run(&self, input: &[u8]) -> Result<(), String>;
}

/// A target as the runner lists it.
pub(crate) struct Target {
    /// The name given on the command line.
    pub(crate) name: &'static str,
    /// What it feeds and what it checks.
    pub(crate) about: &'static str,
    /// Builds the target's fixed context (demo desks, seed corpus) once per run.
    pub(crate) setup: fn() -> Box<dyn Fuzz>,
}

/// Every target, in the order `all` runs them.
pub(crate) static ALL: &[Target] = &[
    filter::TARGET,
    builders::TARGET,
    snapshot::TARGET,
    checkpoint::TARGET,
    events::TARGET,
    huawei::TARGET,
    cursor::TARGET,
    export::TARGET,
    ops::TARGET,
];

/// A demo desk and its moment. The demo generator is deterministic and cannot fail for these
/// sizes; should it, the run stops at setup with a message (not a finding).
fn demo(size: usize, seed: u64) -> (Desk, DateTime<Utc>) {
    match partnerdesk::demo::portfolio(size, seed) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("setup: the demo portfolio failed: {e}");
            std::process::exit(2);
        }
    }
}

/// Exercises the read paths that compute on a desk's values (sums, percentages, masks,
/// sorting) for a query: count, one page of rows per sort key, and the analyses (budget usage
/// of the first customers, orders, renewals, spend). Typed errors are fine; panics are not.
fn exercise(desk: &Desk, query: &Query, now: DateTime<Utc>) -> Result<(), String> {
    if let Ok(admin) = partnerdesk::OperatorId::new("admin") {
        let admin = partnerdesk::Actor::Operator(admin);
        let _overview = desk.order_overview(&admin, None);
        let _renew = desk.resources_to_renew(&admin, None, 30, now);
        let _spend = desk.spend_summary(&admin, None, now);
    }
    if let Ok(page) = desk.search_ids(query, Sort::default(), &PageRequest::first(25), now) {
        for id in &page.ids {
            let _usage = desk.budget_usage(id, now);
        }
    }
    let total = desk.count(query, now);
    for key in [
        SortKey::Name,
        SortKey::MonthToDate,
        SortKey::NextExpiry,
        SortKey::Id,
    ] {
        let sort = Sort {
            key,
            descending: matches!(key, SortKey::MonthToDate),
        };
        match desk.search(query, sort, &PageRequest::first(25), now) {
            Ok(page) => {
                if page.total != total {
                    return Err(format!("search total {} != count {total}", page.total));
                }
                if page.rows.len() > 25 {
                    return Err(format!("{} rows on a page of 25", page.rows.len()));
                }
            }
            Err(e) => {
                return Err(format!(
                    "search of a valid query failed: {} ({e})",
                    e.code()
                ));
            }
        }
    }
    Ok(())
}

/// Saving a desk and loading it back gives the same desk: nothing a door accepted is refused
/// (or changed) by the snapshot.
fn round_trips(desk: &Desk) -> Result<(), String> {
    let json = desk
        .to_snapshot_json()
        .map_err(|e| format!("an accepted desk does not save: {} ({e})", e.code()))?;
    let again = Desk::from_snapshot_json(&json)
        .map_err(|e| format!("an accepted desk does not load back: {} ({e})", e.code()))?;
    if &again != desk {
        return Err("the desk loaded back differs from the one saved".to_owned());
    }
    Ok(())
}
