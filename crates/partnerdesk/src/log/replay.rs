//! Applying events: replay of a log, the checks every event from outside passes, and the
//! dispatch of each event to the concept that owns its change.
//!
//! Why apart from the event types: the types and their text are what hosts read and store;
//! this is the one path through which commands and replay change the desk. It checks the
//! chain and the content of each event from outside, then hands the event to its concept
//! (`apply_*` in [`crate::ops`]); it changes no concept's state itself.

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::ids::CustomerId;
use crate::log::event::{Event, EventKind, bad_event, broken};
use crate::model::access::Actor;
use crate::model::authorization::AuthorizationState;
use chrono::{DateTime, Utc};

/// How many events [`Desk::apply_events`] looks up ahead of applying them.
const READ_AHEAD: usize = 16;

impl Desk {
    /// Every event emitted (and replayed) so far, oldest first.
    pub fn events(&self) -> &[Event] {
        &self.ledger.events
    }

    /// Events after a sequence number (for a host that ships the log incrementally).
    pub fn events_since(&self, seq: u64) -> &[Event] {
        let start = self.ledger.events.partition_point(|e| e.seq <= seq);
        &self.ledger.events[start..]
    }

    /// Builds the desk of a snapshot and applies events on top: replaying the events a desk
    /// emitted since the snapshot gives exactly that desk, data changes and export history
    /// included (every change is an event). The audit trail records attempts, not state: it is
    /// kept beside the log and appended with [`Desk::append_audit`]. To rebuild a desk from
    /// its complete log, start from the snapshot of the empty desk it was made as. The events are checked as [`Desk::apply_events`] checks them; for
    /// a log sealed with a key, see [`Desk::replay_with_key`].
    ///
    /// ```
    /// use partnerdesk::{demo, Desk, access::Actor, Invocation, OperatorId, FreezeScope, freeze::FreezeRequest};
    /// let (mut desk, now) = demo::portfolio(200, 5)?;
    /// let start = desk.to_snapshot_json()?;
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// let ids: Vec<_> = desk.customers().filter(|c| c.association.is_reseller_model() && c.is_associated() && !c.freeze.is_frozen())
    ///     .take(3).map(|c| c.id.clone()).collect();
    /// desk.freeze(&admin, &FreezeRequest::new(ids, FreezeScope::Account, "overdue")?)?;
    /// let again = Desk::replay(&start, desk.events().iter().cloned())?;
    /// assert_eq!(again, desk);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    #[cfg(feature = "serde")]
    pub fn replay(
        initial_snapshot_json: &str,
        events: impl IntoIterator<Item = Event>,
    ) -> Result<Desk> {
        Desk::replay_with_key(initial_snapshot_json, events, None)
    }

    /// [`Desk::replay`] for a log whose links are HMACs under `key` (the desk that emitted it
    /// had [`Desk::set_event_key`]); the returned desk keeps the key, so it seals what it emits
    /// next the same way. A log sealed with another key, or without one, is refused with
    /// `EVENT_CHAIN_BROKEN` at its first event.
    ///
    /// ```
    /// use partnerdesk::{demo, Desk, Actor, Invocation, OperatorId, Permission, chain::EventKey};
    /// let (mut desk, now) = demo::portfolio(20, 1)?;
    /// let start = desk.to_snapshot_json()?;
    /// let key = EventKey::new(b"the host keeps this secret safe")?;
    /// desk.set_event_key(Some(key.clone()));
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// desk.grant_permissions(&admin, &OperatorId::new("ops_billing")?, &[Permission::ViewSpend])?;
    /// assert_eq!(Desk::replay_with_key(&start, desk.events().iter().cloned(), Some(&key))?, desk);
    /// let err = Desk::replay(&start, desk.events().iter().cloned()).err().map(|e| e.code());
    /// assert_eq!(err, Some("EVENT_CHAIN_BROKEN"));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    #[cfg(feature = "serde")]
    pub fn replay_with_key(
        initial_snapshot_json: &str,
        events: impl IntoIterator<Item = Event>,
        key: Option<&crate::chain::EventKey>,
    ) -> Result<Desk> {
        let mut desk = Desk::from_snapshot_json(initial_snapshot_json)?;
        desk.event_key = key.cloned();
        desk.apply_events(events)?;
        Ok(desk)
    }

    /// Sets (or, with `None`, removes) the key the desk seals its events with and checks the
    /// events it applies against: with a key, links are HMAC-SHA256 under it; without, plain
    /// SHA-256 (see [`crate::chain`]). The key is never saved in a snapshot; set it again after
    /// loading one. Changing it mid-log means a verifier needs each key for its part of the
    /// log: set it once, before the first event.
    pub fn set_event_key(&mut self, key: Option<crate::chain::EventKey>) {
        self.event_key = key;
    }

    /// Whether the desk has an event key.
    pub fn has_event_key(&self) -> bool {
        self.event_key.is_some()
    }

    /// Whether the desk seals its events with `key` (`None`: with no key, plain SHA-256
    /// links). Keys are compared as [`crate::chain::EventKey`]'s `PartialEq` does, without
    /// reading either out: a host that keeps a desk's log elsewhere checks with this that it
    /// reads the log back with the key the desk seals with.
    ///
    /// ```
    /// use partnerdesk::{demo, chain::EventKey};
    /// let (mut desk, _) = demo::portfolio(20, 1)?;
    /// let key = EventKey::new(b"the host keeps this secret safe")?;
    /// assert!(desk.seals_with(None));
    /// desk.set_event_key(Some(key.clone()));
    /// assert!(desk.seals_with(Some(&key)));
    /// assert!(!desk.seals_with(None));
    /// assert!(!desk.seals_with(Some(&EventKey::new(b"some other secret, 16+ bytes")?)));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn seals_with(&self, key: Option<&crate::chain::EventKey>) -> bool {
        self.event_key.as_ref() == key
    }

    /// Whether the snapshot or checkpoint this desk was loaded from was written by a desk
    /// that sealed its events with `key` (`None`: with no key). Snapshots and checkpoints
    /// record that (a MAC of a fixed message under the key, never the key), so a store opening
    /// a desk with the wrong key, or none, refuses it before its next event is sealed, even
    /// when no stored event can be checked yet. `None` when the snapshot or checkpoint does
    /// not say (written before this was recorded), or the desk was not loaded.
    ///
    /// ```
    /// use partnerdesk::{demo, chain::EventKey, Desk};
    /// let (mut desk, _) = demo::portfolio(20, 1)?;
    /// let key = EventKey::new(b"the host keeps this secret safe")?;
    /// desk.set_event_key(Some(key.clone()));
    /// let loaded = Desk::from_checkpoint(&desk.to_checkpoint()?)?;
    /// assert_eq!(loaded.loaded_seal_is(Some(&key)), Some(true));
    /// assert_eq!(loaded.loaded_seal_is(None), Some(false));
    /// assert_eq!(desk.loaded_seal_is(Some(&key)), None); // not loaded
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn loaded_seal_is(&self, key: Option<&crate::chain::EventKey>) -> Option<bool> {
        self.loaded_seal
            .as_deref()
            .map(|record| crate::chain::seal_matches(record, key))
    }

    /// The link of the last event applied or emitted: the head of the event chain (empty at
    /// the start of a chain). A snapshot records it, so a log continues from the snapshot.
    pub fn chain_head(&self) -> &str {
        &self.ledger.chain_head
    }

    /// Applies events on top of this desk, in order, checking each first:
    ///
    /// 1. it carries the next sequence number and its link follows from the chain head and
    ///    its content (a reordered, renumbered, edited, inserted or removed event does not):
    ///    else `EVENT_CHAIN_BROKEN` naming the sequence number where the log breaks;
    /// 2. it passes the checks its command passed, against the desk at that point of the log
    ///    (values, currency, known operators and customers, time not going backwards, the
    ///    actor holding the permission item): else `INVALID_EVENT` naming its sequence number.
    ///
    /// On the first refused event, nothing from it on is applied: the desk stays as after the
    /// last good event (the events before it stay applied; the error names where to resume).
    pub fn apply_events(&mut self, events: impl IntoIterator<Item = Event>) -> Result<()> {
        let mut events = events.into_iter();
        self.ledger.events.reserve(events.size_hint().0);
        // Read ahead: the events of a batch name customers scattered over memory; finding
        // them all first, in one tight loop, lets their cache misses overlap instead of
        // paying them one after the other inside `apply`.
        let mut batch: Vec<Event> = Vec::with_capacity(READ_AHEAD);
        let mut found = [None; READ_AHEAD];
        loop {
            batch.extend(events.by_ref().take(READ_AHEAD));
            if batch.is_empty() {
                return Ok(());
            }
            self.touch_ahead(&batch, &mut found);
            for (e, slot) in batch.drain(..).zip(found) {
                self.admit(&e)?;
                self.apply_found(e, slot)?;
            }
        }
    }

    /// Applies events that this desk's twin made and sealed (`crate::shared`, the two copies of
    /// a shared desk, in one process): in order, through [`Desk::apply`] as the commands that
    /// made them did, without the chain-link and content checks of [`Desk::apply_events`]
    /// (a log from outside). A sequence number out of place is still refused.
    pub(crate) fn apply_twin_events(&mut self, events: Vec<Event>) -> Result<()> {
        events.into_iter().try_for_each(|e| self.apply(e))
    }

    /// Checks an event from outside before it is applied: chain, then content.
    fn admit(&self, e: &Event) -> Result<()> {
        let expected =
            self.ledger.event_seq.checked_add(1).ok_or_else(|| {
                broken(self.ledger.event_seq, "the sequence numbers are exhausted")
            })?;
        if e.seq != expected {
            return Err(broken(
                expected,
                format!("found sequence number {} where {expected} belongs", e.seq),
            ));
        }
        #[cfg(feature = "serde")]
        {
            let want = e.expected_link(&self.ledger.chain_head, self.event_key.as_ref())?;
            if e.link != want {
                return Err(broken(
                    expected,
                    if e.link.is_empty() {
                        "the event carries no link"
                    } else {
                        "the link does not follow from the previous link and the event's content"
                    },
                ));
            }
        }
        self.check_event(e)
            .map_err(|reason| bad_event(e.seq, reason))
    }

    /// Finds the customers of `events` (into `found`, by position) and brings into cache what
    /// applying them will read first: the customer's governed fields, what the event
    /// replaces, the ledger's entries for it and its month-to-date key. Reads only. Slots are
    /// found up to the first `Associated` event (which may add a customer, and so change what
    /// later ids find); from there on `found` holds `None` and `apply` looks the customers up
    /// itself.
    ///
    /// Three short loops rather than one long one: the loads of one loop do not depend on
    /// each other, so the processor has many of them in flight at once (first the id table's
    /// buckets, then the customers' records, then what those records point to).
    fn touch_ahead(&self, events: &[Event], found: &mut [Option<u32>; READ_AHEAD]) {
        *found = [None; READ_AHEAD];
        let first = |s: &str| s.as_bytes().first().map_or(0, |b| usize::from(*b));
        let mut sum = 0usize;
        for (e, found) in events.iter().zip(found.iter_mut()) {
            if e.kind.moves_customers() {
                break;
            }
            *found = e.customer.as_ref().and_then(|id| self.by_id.get(id));
            // The event's own data, copied into the desk when applied.
            if let Actor::Operator(o) = &e.actor {
                sum = sum.wrapping_add(first(o.as_str()));
            }
            sum = sum.wrapping_add(match &e.kind {
                EventKind::OrderPlaced { order } => first(order.id.as_str()),
                EventKind::Frozen { freeze } => first(&freeze.reason) + first(&freeze.by),
                EventKind::BudgetSet { budget } => first(&budget.set_by),
                EventKind::ManagerAssigned { manager } => first(manager.as_str()),
                _ => 0,
            });
        }
        let customer = |slot: Option<u32>| match self.slots.get(slot? as usize) {
            Some(Some(c)) => Some(c),
            _ => None,
        };
        for &slot in found.iter() {
            if let Some(c) = customer(slot) {
                sum = sum
                    .wrapping_add(usize::from(c.freeze.is_frozen()))
                    .wrapping_add(usize::from(c.account_manager.is_some()))
                    .wrapping_add(usize::from(c.budget.is_some()))
                    .wrapping_add(c.orders.len());
            }
            if let Some(k) = slot.and_then(|s| self.index.mtd_key.get(s as usize)) {
                sum = sum.wrapping_add(*k as usize);
            }
        }
        // What the event replaces is freed (its allocations' headers are read then), and the
        // ledger's entries for the customer are found by id.
        for (e, &slot) in events.iter().zip(found.iter()) {
            let (Some(c), Some(id)) = (customer(slot), &e.customer) else {
                continue;
            };
            sum = sum.wrapping_add(c.account_manager.as_ref().map_or(0, |m| first(m.as_str())));
            match &e.kind {
                EventKind::Frozen { .. } | EventKind::Unfrozen { .. } => {
                    if let Some(f) = c.freeze.freeze() {
                        sum = sum.wrapping_add(first(&f.reason) + first(&f.by));
                    }
                }
                EventKind::ManagerAssigned { .. } | EventKind::ManagerUnassigned => {
                    let periods = self.ledger.periods_by_customer.get(id);
                    sum = sum.wrapping_add(periods.map_or(0, Vec::len));
                }
                EventKind::BudgetThresholdCrossed { .. }
                | EventKind::BudgetForecastCrossed { .. } => {
                    let watch = self.ledger.budget_watch.get(id);
                    sum = sum.wrapping_add(watch.map_or(0, |w| w.period.len()));
                }
                EventKind::BudgetSet { .. } => {
                    let watch = self.ledger.budget_watch.get(id);
                    sum = sum.wrapping_add(watch.map_or(0, |w| w.period.len()));
                    if let Some(b) = &c.budget {
                        sum = sum.wrapping_add(
                            first(&b.set_by)
                                + b.thresholds.first().map_or(0, |t| t.scale() as usize),
                        );
                    }
                }
                _ => {}
            }
        }
        std::hint::black_box(sum);
    }

    /// Builds the next event, applies it and logs it. For commands, after validation.
    pub(crate) fn emit(
        &mut self,
        actor: &Actor,
        customer: Option<&CustomerId>,
        kind: EventKind,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if let Some(last) = self.ledger.events.last()
            && now < last.at
        {
            return Err(Error::invalid_arg(
                "now",
                "earlier than the last event of the log (time never goes backwards in it)",
            ));
        }
        let seq =
            self.ledger.event_seq.checked_add(1).ok_or_else(|| {
                Error::invalid_arg("now", "the event sequence numbers are exhausted")
            })?;
        #[cfg_attr(not(feature = "serde"), allow(unused_mut))]
        let mut event = Event {
            seq,
            at: now,
            actor: actor.clone(),
            customer: customer.cloned(),
            kind,
            link: String::new(),
        };
        #[cfg(feature = "serde")]
        event.seal(&self.ledger.chain_head, self.event_key.as_ref())?;
        self.apply(event)
    }

    /// Applies one event: the single place where commands and replay change state.
    pub(crate) fn apply(&mut self, event: Event) -> Result<()> {
        self.apply_found(event, None)
    }

    /// [`Desk::apply`], given the slot of the event's customer when the caller found it
    /// already (`touch_ahead`).
    fn apply_found(&mut self, event: Event, found: Option<u32>) -> Result<()> {
        let seq = event.seq;
        if Some(seq) != self.ledger.event_seq.checked_add(1) {
            return Err(broken(
                seq,
                format!(
                    "expected sequence number {}",
                    self.ledger.event_seq.saturating_add(1)
                ),
            ));
        }
        let at = event.at;
        let slot = match &event.customer {
            Some(id) => match &event.kind {
                EventKind::Associated { .. } => self.by_id.get(id),
                _ if found.is_some() => found,
                _ => Some(
                    self.slot_of(id)
                        .map_err(|_| bad_event(seq, "unknown customer"))?,
                ),
            },
            None => None,
        };
        let ev = Applying {
            seq,
            at,
            actor: &event.actor,
            customer: event.customer.as_ref(),
            slot,
        };
        // Each concept applies its own events; this only dispatches.
        match &event.kind {
            EventKind::PermissionsGranted { operator, items } => {
                self.apply_permissions(&ev, operator, items, true)?;
            }
            EventKind::PermissionsRevoked { operator, items } => {
                self.apply_permissions(&ev, operator, items, false)?;
            }
            EventKind::CommitmentLetterAccepted => self.apply_commitment_letter(&ev),
            EventKind::Associated { customer } => self.apply_associated(&ev, customer)?,
            EventKind::DisassociationRequested { request } => {
                self.apply_disassociation_requested(&ev, request)?;
            }
            EventKind::DisassociationRejected { request, reason } => {
                self.apply_disassociation_rejected(&ev, *request, reason)?;
            }
            EventKind::Disassociated {
                request,
                initiator,
                reason,
            } => self.apply_disassociated(&ev, *request, initiator, reason)?,
            EventKind::ManagerAssigned { manager } => self.apply_manager(&ev, Some(manager))?,
            EventKind::ManagerUnassigned => self.apply_manager(&ev, None)?,
            EventKind::Frozen { freeze } => self.apply_freeze(&ev, Some(freeze))?,
            EventKind::Unfrozen { .. } => self.apply_freeze(&ev, None)?,
            EventKind::BudgetSet { budget } => self.apply_budget_set(&ev, budget)?,
            EventKind::BudgetThresholdCrossed {
                threshold, period, ..
            } => self.apply_budget_crossed(&ev, period, Some(*threshold))?,
            EventKind::BudgetForecastCrossed { period, .. } => {
                self.apply_budget_crossed(&ev, period, None)?;
            }
            EventKind::AuthorizationRequested { authorization } => {
                self.apply_authorization_requested(authorization);
            }
            EventKind::AuthorizationDistributorDecided { id, approved } => {
                self.apply_distributor_decision(&ev, id, *approved)?;
            }
            EventKind::AuthorizationApproved { id, expires_at } => {
                self.apply_authorization_approved(&ev, id, *expires_at)?;
            }
            EventKind::AuthorizationRejected { id } => {
                self.apply_authorization_closed(&ev, id, AuthorizationState::Rejected, None)?;
            }
            EventKind::AuthorizationLapsed { id } => {
                self.apply_authorization_closed(&ev, id, AuthorizationState::Lapsed, None)?;
            }
            EventKind::AuthorizationExpired { id } => {
                self.apply_authorization_closed(&ev, id, AuthorizationState::Expired, None)?;
            }
            EventKind::AuthorizationRevoked { id, reason } => {
                let state = AuthorizationState::Revoked;
                self.apply_authorization_closed(&ev, id, state, Some(reason))?;
            }
            EventKind::AuthorizationTerminated { id } => {
                let state = AuthorizationState::Terminated;
                self.apply_authorization_closed(&ev, id, state, None)?;
            }
            EventKind::OrderPlaced { order } => self.apply_order_placed(&ev, order)?,
            EventKind::CommandRecorded {
                key,
                fingerprint,
                outcome,
            } => self.apply_command_recorded(key, *fingerprint, outcome),
            EventKind::OperatorAdded { operator } => self.apply_operator_added(&ev, operator)?,
            EventKind::CustomersInserted { customers } => {
                self.apply_customers(&ev, &[], customers, true)?;
            }
            EventKind::CustomersUpserted {
                operators,
                customers,
            } => self.apply_customers(&ev, operators, customers, false)?,
            EventKind::CustomerUpdated { customer } => {
                self.apply_customer_updated(&ev, customer)?;
            }
            EventKind::CustomerRemoved => self.apply_customer_removed(&ev)?,
            EventKind::SpendAdded { record } => self.apply_spend_added(&ev, record)?,
            EventKind::MonthRolled { month } => self.apply_month_rolled(*month),
            EventKind::ExportRecorded { number, job } => {
                self.apply_export_recorded(*number, job);
            }
            EventKind::MaskPolicySet { list, policy } => {
                self.apply_mask_policy_set(*list, policy);
            }
        }
        self.ledger.event_seq = seq;
        self.ledger.chain_head.clone_from(&event.link);
        self.ledger.events.push(event);
        Ok(())
    }
}

/// An event being applied, as the concept modules see it: what it carries besides its kind.
pub(crate) struct Applying<'a> {
    /// Its sequence number, named by the errors.
    pub(crate) seq: u64,
    /// When it happened.
    pub(crate) at: DateTime<Utc>,
    /// Who caused it.
    pub(crate) actor: &'a Actor,
    /// The customer it is about, if any.
    pub(crate) customer: Option<&'a CustomerId>,
    /// That customer's slot, when it is on the desk (not yet for `Associated`).
    pub(crate) slot: Option<u32>,
}

impl Applying<'_> {
    /// `INVALID_EVENT` for this event.
    pub(crate) fn refuse(&self, reason: impl Into<String>) -> Error {
        bad_event(self.seq, reason)
    }

    /// The customer's slot, or `INVALID_EVENT` when the event names none.
    pub(crate) fn slot(&self) -> Result<u32> {
        self.slot.ok_or_else(|| self.refuse("needs a customer"))
    }

    /// The customer's id, or `INVALID_EVENT` when the event names none.
    pub(crate) fn id(&self) -> Result<&CustomerId> {
        self.customer.ok_or_else(|| self.refuse("needs a customer"))
    }

    /// [`Desk::modify_governed`] for this event's customer; `INVALID_EVENT` when its slot is
    /// not live.
    pub(crate) fn governed(
        &self,
        desk: &mut Desk,
        change: impl FnOnce(crate::change::Governed<'_>),
    ) -> Result<()> {
        desk.modify_governed(self.slot()?, change)
            .ok_or_else(|| self.refuse("customer slot is not live"))
    }
}

impl Desk {
    /// The actor with the desk's own copy of an operator's login (shared, and warm in cache)
    /// instead of the event's, for records the desk keeps.
    pub(crate) fn shared_actor(&self, actor: &Actor) -> Actor {
        match actor {
            Actor::Operator(o) => match self.operators.get_key_value(o) {
                Some((shared, _)) => Actor::Operator(shared.clone()),
                None => actor.clone(),
            },
            _ => actor.clone(),
        }
    }

    /// See [`crate::ledger::Ledger::adopt_imported`].
    pub(crate) fn adopt_imported(&mut self, slot: u32, at: DateTime<Utc>) {
        if let Some(Some(c)) = self.slots.get(slot as usize) {
            self.ledger.adopt_imported(c, at);
        }
    }
}
