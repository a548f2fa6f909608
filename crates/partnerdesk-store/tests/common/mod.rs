//! Helpers shared by the store's integration tests.
#![allow(dead_code, unreachable_pub)]

use chrono::{DateTime, Utc};
use partnerdesk::freeze::FreezeRequest;
use partnerdesk::{
    Actor, CustomerId, Desk, FreezeScope, Invocation, Mark, OperatorId, PartnerId, Permission, demo,
};
use partnerdesk_store::Store;
use partnerdesk_store::sqlite::SqliteStore;

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// What most tests start from: a new temporary folder (removed when the guard drops), the
/// path of a store file in it, a small demo desk, its clock and its partner id.
pub fn fixture() -> TestResult<(
    tempfile::TempDir,
    std::path::PathBuf,
    Desk,
    DateTime<Utc>,
    PartnerId,
)> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("desk.db");
    let (desk, now) = small_desk()?;
    let partner = desk.partner().id.clone();
    Ok((dir, path, desk, now, partner))
}

/// A small demo desk and its clock.
pub fn small_desk() -> partnerdesk::Result<(Desk, DateTime<Utc>)> {
    demo::portfolio(30, 7)
}

pub fn admin(now: DateTime<Utc>) -> partnerdesk::Result<Invocation> {
    Ok(Invocation::new(
        Actor::Operator(OperatorId::new("admin")?),
        now,
    ))
}

pub fn account_manager(now: DateTime<Utc>) -> partnerdesk::Result<Invocation> {
    Ok(Invocation::new(
        Actor::Operator(OperatorId::new("am_000")?),
        now,
    ))
}

pub fn ops() -> partnerdesk::Result<OperatorId> {
    OperatorId::new("ops_billing")
}

/// The reseller-model, associated customers (the ones a freeze applies to).
pub fn resellers(desk: &Desk) -> Vec<CustomerId> {
    desk.customers()
        .filter(|c| c.association.is_reseller_model() && c.is_associated())
        .map(|c| c.id.clone())
        .collect()
}

/// The reseller-model, associated customers not frozen now.
pub fn unfrozen_resellers(desk: &Desk) -> Vec<CustomerId> {
    resellers(desk)
        .into_iter()
        .filter(|id| desk.customer(id).is_ok_and(|c| !c.freeze.is_frozen()))
        .collect()
}

pub fn freeze_request(id: &CustomerId) -> partnerdesk::Result<FreezeRequest> {
    FreezeRequest::new(vec![id.clone()], FreezeScope::Account, "overdue")
}

/// Grants `ViewSpend` to the billing operator as the administrator.
pub fn grant(desk: &mut Desk, now: DateTime<Utc>) -> partnerdesk::Result<()> {
    desk.grant_permissions(&admin(now)?, &ops()?, &[Permission::ViewSpend])
}

/// The same grant as an account manager: refused (`ADMINISTRATOR_ONLY`), audited.
pub fn refused_grant(desk: &mut Desk, now: DateTime<Utc>) -> partnerdesk::Result<()> {
    desk.grant_permissions(&account_manager(now)?, &ops()?, &[Permission::ViewSpend])
}

/// The desk replayed from the partner's first stored checkpoint with every stored event and
/// audit record: what the log says the desk is.
pub fn replay_from_first(store: &mut SqliteStore, partner: &PartnerId) -> TestResult<Desk> {
    let conn = store.connection();
    let (e, a): (i64, i64) = conn.query_row(
        "SELECT event_seq, audit_seq FROM checkpoints WHERE partner_id = ?1
         ORDER BY event_seq, audit_seq LIMIT 1",
        [partner.as_str()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut bytes = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT data FROM checkpoint_chunks WHERE partner_id = ?1 AND event_seq = ?2
             AND audit_seq = ?3 ORDER BY n",
        )?;
        let mut rows = stmt.query(rusqlite::params![partner.as_str(), e, a])?;
        while let Some(row) = rows.next()? {
            bytes.extend_from_slice(row.get_ref(0)?.as_blob()?);
        }
    }
    let mut desk = Desk::from_checkpoint(&bytes)?;
    let start = desk.mark();
    assert_eq!((start.events as i64, start.audit as i64), (e, a));
    desk.apply_events(store.events_after(partner, start.events, usize::MAX)?)?;
    desk.append_audit(store.audit_after(partner, start.audit, usize::MAX)?)?;
    Ok(desk)
}

pub fn head(store: &mut SqliteStore, partner: &PartnerId) -> TestResult<Mark> {
    Ok(store.head(partner)?.ok_or("no desk")?)
}

/// A checkpoint at `mark` of two and a half stored pieces of `piece` bytes (a store's
/// `CHUNK_BYTES`), each byte depending on its position: a piece read back out of place or
/// twice shows.
pub fn in_pieces(mark: Mark, piece: usize) -> partnerdesk_store::Checkpoint {
    let bytes: Vec<u8> = (0..piece * 5 / 2)
        .map(|i| (i % 251) as u8 ^ (i / piece) as u8)
        .collect();
    partnerdesk_store::Checkpoint { mark, bytes }
}
