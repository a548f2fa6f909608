//! The one interface every backend implements: a desk's checkpoints, its event log and its
//! audit trail, keyed by partner id, appended atomically at an expected position.
//!
//! Why this shape: the desk is event-sourced, so a backend needs no knowledge of customers,
//! budgets or freezes. It keeps, per partner, an append-only log of events and audit records
//! and a few checkpoints (the desk's state at a mark, in the core's versioned binary form).
//! Opening is the latest checkpoint plus the tail after it. An append names the position it
//! expects ([`Mark`]): the backend commits it in one transaction only if the log is still
//! there, else [`StoreError::ConcurrentChange`](crate::StoreError::ConcurrentChange); that one
//! rule is what lets several processes share a desk without losing or doubling a command.

use crate::error::Result;
use partnerdesk::audit::AuditRecord;
use partnerdesk::event::Event;
use partnerdesk::{Mark, PartnerId};
use std::time::Duration;

/// What one command (or one data change) added to a desk: its events and its audit records,
/// committed together or not at all.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    /// The events, in sequence order, following on from the expected mark.
    pub events: &'a [Event],
    /// The audit records, in sequence order, following on from the expected mark.
    pub audit: &'a [AuditRecord],
}

/// A desk's state at a mark, in the core's versioned binary checkpoint form.
#[derive(Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The history the state includes.
    pub mark: Mark,
    /// The encoded desk.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Checkpoint {
    /// The mark and the size: the bytes hold customers' personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkpoint")
            .field("mark", &self.mark)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// A durable home for desks, one per partner id.
///
/// Every method is one short transaction; a backend that cannot reach its database answers
/// `STORE_UNAVAILABLE` and has written nothing.
pub trait Store: Send {
    /// Creates the partner's desk with its first checkpoint, unless it exists. `true` when
    /// this call created it (two processes racing to create: one gets `true`, both end with
    /// the same desk).
    fn create_desk(&mut self, partner: &PartnerId, first: &Checkpoint) -> Result<bool>;

    /// Where the partner's stored history stands (`None`: no such desk).
    fn head(&mut self, partner: &PartnerId) -> Result<Option<Mark>>;

    /// The partners whose desks the store holds, in id order (a stored partner id that no
    /// longer reads as one is `STORE_CORRUPT`).
    fn partners(&mut self) -> Result<Vec<PartnerId>>;

    /// Appends a batch in one transaction if the stored history is exactly at `expected`;
    /// else `CONCURRENT_CHANGE` naming where it is, and nothing is written.
    fn append(&mut self, partner: &PartnerId, expected: Mark, batch: Batch<'_>) -> Result<()>;

    /// The newest checkpoint (`None`: no such desk).
    fn latest_checkpoint(&mut self, partner: &PartnerId) -> Result<Option<Checkpoint>>;

    /// Stores a checkpoint taken at a mark the log has reached.
    fn put_checkpoint(&mut self, partner: &PartnerId, checkpoint: &Checkpoint) -> Result<()>;

    /// Up to `limit` events after sequence number `after`, oldest first.
    fn events_after(&mut self, partner: &PartnerId, after: u64, limit: usize)
    -> Result<Vec<Event>>;

    /// Up to `limit` audit records after sequence number `after`, oldest first.
    fn audit_after(
        &mut self,
        partner: &PartnerId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<AuditRecord>>;

    /// Waits up to `timeout` for the partner's history to move past `known` (another
    /// instance committed); `true` when it has. A backend without notifications polls.
    fn wait_for_change(
        &mut self,
        partner: &PartnerId,
        known: Mark,
        timeout: Duration,
    ) -> Result<bool>;
}

/// Stored partner ids read back as [`PartnerId`]s (`STORE_CORRUPT` for one that does not).
pub(crate) fn partner_ids(ids: Vec<String>) -> Result<Vec<PartnerId>> {
    ids.into_iter()
        .map(|id| {
            PartnerId::new(id).map_err(|e| crate::StoreError::Corrupt {
                what: format!("desks.partner_id: {}", e.code()),
            })
        })
        .collect()
}
