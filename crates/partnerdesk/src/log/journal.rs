//! Journal marks: where a desk's history stands, so that a store can take exactly what a
//! command added (its events and its audit records) and commit them together.
//!
//! Why here: a durable store (the `partnerdesk-store` crate) needs three things of the core
//! and no more: a position ([`Mark`]: the last event sequence number and the last audit
//! sequence number), what was added after a position ([`Desk::events_since`] and
//! [`Desk::audit_since`]), and a way to apply what another writer (or a past run) committed
//! ([`Desk::apply_events`] and [`Desk::append_audit`]). The core stays free of I/O: it never
//! calls the store; the store reads these and writes its files or rows.

use crate::audit::AuditRecord;
use crate::desk::Desk;
use crate::error::{Error, Result};

/// A position in a desk's history: the sequence number of its last event and of its last
/// audit record (0 when there is none yet).
///
/// Two marks of one desk compare by both numbers: a command that was refused adds audit
/// records and no event, so it moves only `audit`.
///
/// ```
/// use partnerdesk::demo;
/// let (desk, _now) = demo::portfolio(20, 1)?;
/// let mark = desk.mark();
/// assert_eq!(mark.events, desk.events().last().map_or(0, |e| e.seq));
/// assert!(desk.audit_since(mark.audit).is_empty());
/// # Ok::<(), partnerdesk::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mark {
    /// The sequence number of the last event (0: none).
    pub events: u64,
    /// The sequence number of the last audit record (0: none).
    pub audit: u64,
}

impl Desk {
    /// Where the desk's history stands now: take it before a command, and
    /// [`Desk::events_since`]`(mark.events)` and [`Desk::audit_since`]`(mark.audit)` after it
    /// are what the command added.
    pub fn mark(&self) -> Mark {
        Mark {
            events: self.ledger.event_seq,
            audit: self.ledger.audit_seq,
        }
    }

    /// The audit records after sequence number `seq`, oldest first.
    ///
    /// ```
    /// use partnerdesk::{demo, Actor, Invocation, OperatorId, Permission};
    /// let (mut desk, now) = demo::portfolio(20, 1)?;
    /// let before = desk.mark();
    /// // Only an administrator grants items: refused, no event, one audit record.
    /// let am = Invocation::new(Actor::Operator(OperatorId::new("am_000")?), now);
    /// let refused = desk.grant_permissions(&am, &OperatorId::new("ops_billing")?, &[Permission::ViewSpend]);
    /// assert_eq!(refused.err().map(|e| e.code()), Some("ADMINISTRATOR_ONLY"));
    /// assert!(desk.events_since(before.events).is_empty());
    /// assert_eq!(desk.audit_since(before.audit).len(), 1);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn audit_since(&self, seq: u64) -> &[AuditRecord] {
        let start = self.ledger.audit.partition_point(|r| r.seq <= seq);
        &self.ledger.audit[start..]
    }

    /// Appends audit records committed elsewhere (by another instance, or before a restart),
    /// in order. Each must carry the next sequence number (`INVALID_EVENT` naming the field
    /// otherwise) and an instant in the calendar's range; nothing is appended on error.
    ///
    /// ```
    /// use partnerdesk::{demo, Actor, Invocation, OperatorId, Permission};
    /// let (mut desk, now) = demo::portfolio(20, 1)?;
    /// let mut other = desk.clone();
    /// let before = desk.mark();
    /// let am = Invocation::new(Actor::Operator(OperatorId::new("am_000")?), now);
    /// let _ = desk.grant_permissions(&am, &OperatorId::new("ops_billing")?, &[Permission::ViewSpend]);
    /// other.append_audit(desk.audit_since(before.audit).iter().cloned())?;
    /// assert_eq!(other.mark(), desk.mark());
    /// // The same records again do not follow on: refused, nothing appended.
    /// let again = other.append_audit(desk.audit_since(before.audit).iter().cloned());
    /// assert_eq!(again.err().map(|e| e.code()), Some("INVALID_EVENT"));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn append_audit(&mut self, records: impl IntoIterator<Item = AuditRecord>) -> Result<()> {
        let records: Vec<AuditRecord> = records.into_iter().collect();
        let mut expected = self.ledger.audit_seq;
        for r in &records {
            expected = expected.saturating_add(1);
            if r.seq != expected {
                return Err(Error::InvalidEvent {
                    sequence: r.seq,
                    reason: format!("audit record out of order: expected seq {expected}"),
                });
            }
            crate::validate::instant("audit.at", r.at).map_err(|_| Error::InvalidEvent {
                sequence: r.seq,
                reason: "audit record instant out of range".to_owned(),
            })?;
        }
        self.ledger.audit_seq = expected;
        self.ledger.audit.extend(records);
        Ok(())
    }
}
