//! The durable part of the tour: the desk lives in an embedded SQLite file; a governed command
//! and a data change are committed before they return; the file is closed and opened again,
//! and everything is there.

use chrono::{DateTime, Utc};
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::{Actor, Desk, FreezeScope, Invocation, OperatorId};
use partnerdesk_store::DurableDesk;
use partnerdesk_store::sqlite::SqliteStore;
use std::io::Write;
use std::path::Path;

/// Puts `desk` in a new SQLite store at `path` (its first checkpoint) and returns the durable
/// desk, printing what it wrote.
pub fn create(
    desk: Desk,
    path: &Path,
    out: &mut dyn Write,
) -> Result<DurableDesk<SqliteStore>, Box<dyn std::error::Error>> {
    let started = std::time::Instant::now();
    let durable = DurableDesk::create(SqliteStore::open(path)?, desk)?;
    writeln!(
        out,
        "The desk lives in {} (SQLite, WAL, synchronous=FULL): its first checkpoint is {} bytes \
         ({:.1?}).\n",
        path.display(),
        std::fs::metadata(path)?.len(),
        started.elapsed()
    )?;
    Ok(durable)
}

/// Commits a freeze and a data change, closes the store, opens it again and shows that both
/// are there.
pub fn store_tour(
    mut durable: DurableDesk<SqliteStore>,
    path: &Path,
    now: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<(), Box<dyn std::error::Error>> {
    writeln!(out, "== Every change committed before it returns ==")?;
    let partner = durable.partner().clone();
    let target = durable
        .desk()
        .customers()
        .find(|c| {
            c.is_associated()
                && c.association.is_reseller_model()
                && c.association.reseller.is_none()
                && !c.freeze.is_frozen()
        })
        .map(|c| c.id.clone())
        .ok_or("no customer to freeze")?;
    let ops = Invocation::new(Actor::Operator(OperatorId::new("ops_billing")?), now);
    let request = FreezeRequest::new(vec![target.clone()], FreezeScope::Account, "overdue")?;
    let outcome = durable.execute(|d| d.freeze(&ops, &request))?;
    writeln!(
        out,
        "ops_billing freezes {target}: {} of 1 frozen, committed",
        outcome.succeeded()
    )?;
    durable.execute(|d| d.update_customer(&target, |c| c.tags.clear()))?;
    writeln!(
        out,
        "a data change (the customer's tags cleared) is an event too: committed"
    )?;
    let refused = durable.execute(|d| {
        d.freeze(
            &Invocation::new(Actor::Operator(OperatorId::new("am_000")?), now),
            &request,
        )
    });
    writeln!(
        out,
        "am_000 tries the same freeze: refused {}; the refusal's audit record is committed too",
        refused.err().map_or("-", |e| e.code())
    )?;
    let mark = durable.desk().mark();
    drop(durable);
    writeln!(
        out,
        "\nThe store is closed (as by a crash: nothing was saved on the way out) and opened again:"
    )?;
    let started = std::time::Instant::now();
    let again = DurableDesk::open(SqliteStore::open(path)?, &partner)?;
    let c = again.desk().customer(&target)?;
    writeln!(
        out,
        "reopened in {:.1?}: events {} and audit records {} as before ({} and {}); {} is frozen: \
         {}, tags: {}",
        started.elapsed(),
        again.desk().mark().events,
        again.desk().mark().audit,
        mark.events,
        mark.audit,
        target,
        c.freeze.is_frozen(),
        c.tags.len()
    )?;
    Ok(())
}
