//! Loading a durable desk from its store (the newest checkpoint, then the log's tail) and
//! catching up with what other instances committed: the reads of [`super::DurableDesk`],
//! apart from its commands.

use super::{Policy, corrupt_history};
use crate::error::{Result, StoreError};
use crate::store::Store;
use partnerdesk::{Desk, PartnerId};

/// Loads a partner's desk: latest checkpoint plus the tail; also the number of events after
/// the checkpoint.
pub(super) fn load<S: Store>(
    store: &mut S,
    partner: &PartnerId,
    policy: &Policy,
) -> Result<(Desk, u64)> {
    let head = store
        .head(partner)?
        .ok_or_else(|| StoreError::Unavailable {
            reason: format!("no desk is stored for partner {partner}"),
        })?;
    let cp = store
        .latest_checkpoint(partner)?
        .ok_or_else(|| StoreError::Corrupt {
            what: format!("partner {partner}: a desk without a checkpoint"),
        })?;
    let mut desk =
        Desk::from_checkpoint(&cp.bytes).map_err(|e| corrupt_history("checkpoint", e))?;
    if desk.mark() != cp.mark || &desk.partner().id != partner {
        return Err(StoreError::Corrupt {
            what: format!(
                "checkpoint at {:?} holds another desk or another mark",
                cp.mark
            ),
        });
    }
    desk.set_event_key(policy.event_key.clone());
    if desk.loaded_seal_is(policy.event_key.as_ref()) == Some(false) {
        return Err(corrupt_history(
            "checkpoint",
            partnerdesk::Error::EventChainBroken {
                sequence: desk.mark().events,
                reason: "the checkpoint was written by a desk that sealed its events with \
                         another event key (or without one)"
                    .to_owned(),
            },
        ));
    }
    if desk.loaded_seal_is(policy.event_key.as_ref()).is_none() {
        // A checkpoint written before it recorded its key: its last stored event is checked.
        check_key_at_checkpoint(store, partner, &desk, policy)?;
    }
    let added = catch_up(store, partner, &mut desk, policy.page)?;
    let mark = desk.mark();
    if mark.events < head.events || mark.audit < head.audit {
        return Err(StoreError::Corrupt {
            what: format!("the log ends at {mark:?} before the head {head:?}"),
        });
    }
    Ok((desk, added))
}

/// Checks the policy's event key against the last event the checkpoint holds, when the log
/// still has it and the one before it: that event's link, recomputed under the key, must be
/// the checkpoint's chain head. So a missing or other key is refused at open even when no
/// event has been stored since the checkpoint (the events after it are checked as they are
/// applied), instead of sealing the next events with the wrong key. A checkpoint whose last
/// events are not in the log (the first checkpoint of a desk that had events before it was
/// stored) cannot be checked this way; its first later event is.
pub(super) fn check_key_at_checkpoint<S: Store>(
    store: &mut S,
    partner: &PartnerId,
    desk: &Desk,
    policy: &Policy,
) -> Result<()> {
    let events = desk.mark().events;
    if events < 2 {
        return Ok(());
    }
    // The log may not hold them: a desk stored with `create` has its earlier events in its
    // first checkpoint only, and the log starts after it (a read from before its start finds
    // a gap, `STORE_CORRUPT`). Then there is nothing to check here; the events after the
    // checkpoint, which the desk is built from, are read and checked by the catch-up.
    let pair = match store.events_after(partner, events - 2, 2) {
        Ok(pair) => pair,
        Err(StoreError::Corrupt { .. }) => return Ok(()),
        Err(e) => return Err(e),
    };
    let [previous, last] = pair.as_slice() else {
        return Ok(());
    };
    if last.seq != events || last.link != desk.chain_head() {
        return Ok(());
    }
    let expected = last
        .expected_link(&previous.link, policy.event_key.as_ref())
        .map_err(|e| corrupt_history("event", e))?;
    if expected != last.link {
        return Err(corrupt_history(
            "event",
            partnerdesk::Error::EventChainBroken {
                sequence: last.seq,
                reason: "the checkpoint's last event was not sealed with this event key \
                         (or without one)"
                    .to_owned(),
            },
        ));
    }
    Ok(())
}

/// Applies the events and audit records after the desk's mark, page by page, up to the
/// store's head as it stood when the catch-up began; returns how many events were applied.
///
/// Why the head first: a command's events and its audit records are committed together, but
/// they are read in two runs of queries. Read up to whatever was there, a command committed
/// between the two could leave its audit records applied and its events not (a `follow` then
/// said something new was applied, and the grant it waited for was not there). Up to a head
/// read first, both runs stop at the same commit, wherever others have got to since.
pub(super) fn catch_up<S: Store>(
    store: &mut S,
    partner: &PartnerId,
    desk: &mut Desk,
    page: usize,
) -> Result<u64> {
    let page = page.max(1);
    let Some(head) = store.head(partner)? else {
        return Err(StoreError::Unavailable {
            reason: format!("no desk is stored for partner {partner}"),
        });
    };
    let mut added = 0u64;
    while desk.mark().events < head.events {
        let left = usize::try_from(head.events - desk.mark().events).unwrap_or(usize::MAX);
        let mut events = store.events_after(partner, desk.mark().events, page.min(left))?;
        events.truncate(left);
        let n = events.len();
        desk.apply_events(events)
            .map_err(|e| corrupt_history("event", e))?;
        added += n as u64;
        if n == 0 {
            return Err(StoreError::Corrupt {
                what: format!("partner {partner}: the log ends before its head"),
            });
        }
    }
    while desk.mark().audit < head.audit {
        let left = usize::try_from(head.audit - desk.mark().audit).unwrap_or(usize::MAX);
        let mut audit = store.audit_after(partner, desk.mark().audit, page.min(left))?;
        audit.truncate(left);
        let n = audit.len();
        desk.append_audit(audit)
            .map_err(|e| corrupt_history("audit record", e))?;
        if n == 0 {
            return Err(StoreError::Corrupt {
                what: format!("partner {partner}: the audit trail ends before its head"),
            });
        }
    }
    Ok(added)
}
