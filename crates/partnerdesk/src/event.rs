//! Events: every successful change, typed, in order, with enough data to apply it again.
//!
//! Why event-sourced: a partner must be able to say exactly what changed, when, by whom, and
//! rebuild the desk from a snapshot and the log. Every command validates first, then builds
//! events and applies them through the one function [`Desk::apply_events`] uses, so replaying
//! the log onto the snapshot the desk started from gives exactly the live state (see
//! [`Desk::replay`]).
//!
//! Scope of replay: events record what *commands* change. Data the host loads (customers
//! inserted or refreshed, spend records added) is not a command; take a snapshot after loading
//! and replay the events emitted since.
//!
//! `Display` of an event prints ids, codes, scopes and amounts, never a name, mobile, e-mail or
//! free-text reason.

use crate::access::{Actor, Permission};
use crate::association::{
    AssociationChange, AssociationRecord, DisassociationRequest, Initiator, RequestId,
    RequestStatus,
};
use crate::authorization::{Authorization, AuthorizationState};
use crate::budget::{Budget, BudgetOperation, BudgetRecord};
use crate::customer::Customer;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::freeze::{Freeze, FreezeScope, FreezeState};
use crate::ids::{AuthorizationId, CustomerId, IdempotencyKey, OperatorId};
use crate::money::Money;
use crate::order::Order;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::fmt;

/// One successful change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Event {
    /// Sequence number, from 1, without gaps.
    pub seq: u64,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// The customer changed, if one.
    #[cfg_attr(feature = "serde", serde(default))]
    pub customer: Option<CustomerId>,
    /// What changed.
    pub kind: EventKind,
    /// The event's link in the log's hash chain: 64 lower-case hexadecimal digits committing to
    /// the link before it and to this event's canonical bytes (see [`crate::chain`]). Set by
    /// the desk when it emits the event; checked by [`Desk::apply_events`]. Empty without the
    /// `serde` feature.
    #[cfg_attr(feature = "serde", serde(default))]
    pub link: String,
}

/// What changed, with the data to apply it again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "snake_case"))]
pub enum EventKind {
    /// Permission items were granted to an operator.
    PermissionsGranted {
        /// The operator.
        operator: OperatorId,
        /// The items.
        items: Vec<Permission>,
    },
    /// Permission items were withdrawn from an operator.
    PermissionsRevoked {
        /// The operator.
        operator: OperatorId,
        /// The items.
        items: Vec<Permission>,
    },
    /// The partner accepted the commitment letter for operating on customers' behalf.
    CommitmentLetterAccepted,
    /// A customer was associated (new, or associated again); the record is the customer as it
    /// stands after association (reseller model: frozen by default; invitation: its manager).
    Associated {
        /// The customer record.
        customer: Box<Customer>,
    },
    /// A disassociation was requested.
    DisassociationRequested {
        /// The request.
        request: Box<DisassociationRequest>,
    },
    /// A disassociation request was rejected.
    DisassociationRejected {
        /// The request.
        request: RequestId,
        /// The reason given.
        reason: String,
    },
    /// The customer was disassociated: its budget is deleted (record by `system`), its account
    /// manager period ends and every open authorization ends.
    Disassociated {
        /// The approved request, if it came from one.
        request: Option<RequestId>,
        /// Who started it.
        initiator: Initiator,
        /// The reason given.
        reason: String,
    },
    /// An account manager was assigned (or changed to this one).
    ManagerAssigned {
        /// The manager.
        manager: OperatorId,
    },
    /// The account manager was unassigned.
    ManagerUnassigned,
    /// The customer was frozen.
    Frozen {
        /// The freeze.
        freeze: Box<Freeze>,
    },
    /// The customer was unfrozen.
    Unfrozen {
        /// The scope the freeze had.
        scope: FreezeScope,
    },
    /// A budget was set.
    BudgetSet {
        /// The budget in force.
        budget: Box<Budget>,
    },
    /// Budget usage crossed a threshold in a budget period.
    BudgetThresholdCrossed {
        /// The threshold, in percent.
        threshold: Decimal,
        /// The usage when it was seen, in percent.
        percent: Decimal,
        /// The period (`YYYY-MM` for monthly budgets, the setting time for one-off ones).
        period: String,
    },
    /// The month's spend so far, projected to month end, crosses 100% of the budget.
    BudgetForecastCrossed {
        /// The projected spend.
        projected: Money,
        /// The period.
        period: String,
    },
    /// An authorization was requested.
    AuthorizationRequested {
        /// The request.
        authorization: Box<Authorization>,
    },
    /// The distributor approved (or rejected) a reseller's request.
    AuthorizationDistributorDecided {
        /// The authorization.
        id: AuthorizationId,
        /// Whether approved.
        approved: bool,
    },
    /// The customer approved an authorization; active until `expires_at`.
    AuthorizationApproved {
        /// The authorization.
        id: AuthorizationId,
        /// When it expires.
        expires_at: DateTime<Utc>,
    },
    /// The customer rejected an authorization request.
    AuthorizationRejected {
        /// The authorization.
        id: AuthorizationId,
    },
    /// A pending request lapsed after 90 days.
    AuthorizationLapsed {
        /// The authorization.
        id: AuthorizationId,
    },
    /// An active authorization reached its end.
    AuthorizationExpired {
        /// The authorization.
        id: AuthorizationId,
    },
    /// The customer revoked an authorization.
    AuthorizationRevoked {
        /// The authorization.
        id: AuthorizationId,
        /// The customer's reason.
        reason: String,
    },
    /// The partner terminated an authorization.
    AuthorizationTerminated {
        /// The authorization.
        id: AuthorizationId,
    },
    /// An order was placed on the customer's behalf (it starts unpaid).
    OrderPlaced {
        /// The order.
        order: Box<Order>,
    },
    /// The outcome of a command that carried an idempotency key (a repeat returns it).
    CommandRecorded {
        /// The key.
        key: IdempotencyKey,
        /// A fingerprint of the command, to refuse the key's reuse by another command.
        fingerprint: u64,
        /// The outcome.
        outcome: crate::command::CommandOutcome,
    },
}

impl EventKind {
    /// A stable code for the kind, e.g. `frozen`, `budget_set`.
    pub fn code(&self) -> &'static str {
        match self {
            EventKind::PermissionsGranted { .. } => "permissions_granted",
            EventKind::PermissionsRevoked { .. } => "permissions_revoked",
            EventKind::CommitmentLetterAccepted => "commitment_letter_accepted",
            EventKind::Associated { .. } => "associated",
            EventKind::DisassociationRequested { .. } => "disassociation_requested",
            EventKind::DisassociationRejected { .. } => "disassociation_rejected",
            EventKind::Disassociated { .. } => "disassociated",
            EventKind::ManagerAssigned { .. } => "manager_assigned",
            EventKind::ManagerUnassigned => "manager_unassigned",
            EventKind::Frozen { .. } => "frozen",
            EventKind::Unfrozen { .. } => "unfrozen",
            EventKind::BudgetSet { .. } => "budget_set",
            EventKind::BudgetThresholdCrossed { .. } => "budget_threshold_crossed",
            EventKind::BudgetForecastCrossed { .. } => "budget_forecast_crossed",
            EventKind::AuthorizationRequested { .. } => "authorization_requested",
            EventKind::AuthorizationDistributorDecided { .. } => {
                "authorization_distributor_decided"
            }
            EventKind::AuthorizationApproved { .. } => "authorization_approved",
            EventKind::AuthorizationRejected { .. } => "authorization_rejected",
            EventKind::AuthorizationLapsed { .. } => "authorization_lapsed",
            EventKind::AuthorizationExpired { .. } => "authorization_expired",
            EventKind::AuthorizationRevoked { .. } => "authorization_revoked",
            EventKind::AuthorizationTerminated { .. } => "authorization_terminated",
            EventKind::OrderPlaced { .. } => "order_placed",
            EventKind::CommandRecorded { .. } => "command_recorded",
        }
    }
}

impl fmt::Display for EventKind {
    /// Ids, codes, scopes and amounts only: no names, contact data or reasons.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())?;
        match self {
            EventKind::PermissionsGranted { operator, items }
            | EventKind::PermissionsRevoked { operator, items } => {
                write!(f, " operator:{operator}")?;
                for i in items {
                    write!(f, " {i}")?;
                }
                Ok(())
            }
            EventKind::CommitmentLetterAccepted | EventKind::ManagerUnassigned => Ok(()),
            EventKind::Associated { customer } => write!(
                f,
                " {}{}",
                customer.association.kind,
                if customer.freeze.is_frozen() {
                    " frozen"
                } else {
                    ""
                }
            ),
            EventKind::DisassociationRequested { request } => {
                write!(f, " request:{} by {}", request.id, request.initiator)
            }
            EventKind::DisassociationRejected { request, .. } => write!(f, " request:{request}"),
            EventKind::Disassociated {
                request, initiator, ..
            } => {
                write!(f, " initiated by {initiator}")?;
                if let Some(r) = request {
                    write!(f, " request:{r}")?;
                }
                Ok(())
            }
            EventKind::ManagerAssigned { manager } => write!(f, " manager:{manager}"),
            EventKind::Frozen { freeze } => write!(f, " {} origin {}", freeze.scope, freeze.origin),
            EventKind::Unfrozen { scope } => write!(f, " {scope}"),
            EventKind::BudgetSet { budget } => write!(
                f,
                " {} {}{}",
                budget.kind,
                budget.amount,
                if budget.auto_freeze {
                    " auto_freeze"
                } else {
                    ""
                }
            ),
            EventKind::BudgetThresholdCrossed {
                threshold,
                percent,
                period,
            } => write!(f, " {threshold}% (at {percent}%) period {period}"),
            EventKind::BudgetForecastCrossed { projected, period } => {
                write!(f, " projected {projected} period {period}")
            }
            EventKind::AuthorizationRequested { authorization: a } => {
                write!(f, " {} {} days", a.id, a.duration_days)?;
                for s in &a.scopes {
                    write!(f, " {s}")?;
                }
                Ok(())
            }
            EventKind::AuthorizationDistributorDecided { id, approved } => write!(
                f,
                " {id} {}",
                if *approved { "approved" } else { "rejected" }
            ),
            EventKind::AuthorizationApproved { id, expires_at } => {
                write!(f, " {id} until {}", expires_at.format("%Y-%m-%dT%H:%M:%SZ"))
            }
            EventKind::AuthorizationRejected { id }
            | EventKind::AuthorizationLapsed { id }
            | EventKind::AuthorizationExpired { id }
            | EventKind::AuthorizationRevoked { id, .. }
            | EventKind::AuthorizationTerminated { id } => write!(f, " {id}"),
            EventKind::OrderPlaced { order } => {
                write!(f, " {} {} {}", order.id, order.kind, order.amount)
            }
            EventKind::CommandRecorded { key, outcome, .. } => {
                write!(f, " key:{key} {}", outcome.summary())
            }
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} {} {}",
            self.seq,
            self.at.format("%Y-%m-%dT%H:%M:%SZ"),
            self.actor
        )?;
        if let Some(c) = &self.customer {
            write!(f, " customer:{c}")?;
        }
        write!(f, " {}", self.kind)
    }
}

/// How many events [`Desk::apply_events`] looks up ahead of applying them.
const READ_AHEAD: usize = 16;

fn bad_event(seq: u64, reason: impl Into<String>) -> Error {
    Error::InvalidEvent {
        sequence: seq,
        reason: reason.into(),
    }
}

fn broken(seq: u64, reason: impl Into<String>) -> Error {
    Error::EventChainBroken {
        sequence: seq,
        reason: reason.into(),
    }
}

#[cfg(feature = "serde")]
impl Event {
    /// The event's canonical bytes: its JSON without the `link` field (fields in declaration
    /// order; nothing in an event has an unspecified order). What its link commits to.
    pub fn canonical_bytes(&self) -> Result<Vec<u8>> {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            seq: u64,
            at: &'a DateTime<Utc>,
            actor: &'a Actor,
            customer: &'a Option<CustomerId>,
            kind: &'a EventKind,
        }
        serde_json::to_vec(&Body {
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            customer: &self.customer,
            kind: &self.kind,
        })
        .map_err(|_| Error::Internal {
            operation: "event canonical bytes".to_owned(),
        })
    }

    /// The link this event must carry when it follows the link `previous` (the empty text
    /// starts a chain), with the desk's key if it has one (see [`crate::chain`]).
    ///
    /// ```
    /// use partnerdesk::{demo, Desk, Actor, Invocation, OperatorId, Permission};
    /// let (mut desk, now) = demo::portfolio(20, 1)?;
    /// let admin = Invocation::new(Actor::Operator(OperatorId::new("admin")?), now);
    /// desk.grant_permissions(&admin, &OperatorId::new("ops_billing")?, &[Permission::ViewSpend])?;
    /// let e = &desk.events()[0];
    /// assert_eq!(e.expected_link("", None)?, e.link);
    /// assert_eq!(desk.chain_head(), e.link);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn expected_link(
        &self,
        previous: &str,
        key: Option<&crate::chain::EventKey>,
    ) -> Result<String> {
        Ok(crate::chain::link(previous, &self.canonical_bytes()?, key))
    }

    /// Sets the link for a log that continues after `previous`, and returns it (for hosts and
    /// tools that write logs themselves; the desk seals what it emits).
    pub fn seal(&mut self, previous: &str, key: Option<&crate::chain::EventKey>) -> Result<&str> {
        self.link = self.expected_link(previous, key)?;
        Ok(&self.link)
    }
}

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
    /// emitted since the snapshot gives exactly that desk (audit records aside, which record
    /// attempts, not state). The events are checked as [`Desk::apply_events`] checks them; for
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
            if matches!(e.kind, EventKind::Associated { .. }) {
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
        let need_slot = || slot.ok_or_else(|| bad_event(seq, "needs a customer"));
        // The event's own id (the customer's, as found by it): borrowed, and already in cache.
        let event_id = event.customer.as_ref();
        let need_id = || event_id.ok_or_else(|| bad_event(seq, "needs a customer"));
        match &event.kind {
            EventKind::PermissionsGranted { operator, items } => {
                let op = self
                    .operators
                    .get_mut(operator)
                    .ok_or_else(|| bad_event(seq, "unknown operator"))?;
                op.permissions.extend(items.iter().cloned());
            }
            EventKind::PermissionsRevoked { operator, items } => {
                let op = self
                    .operators
                    .get_mut(operator)
                    .ok_or_else(|| bad_event(seq, "unknown operator"))?;
                for i in items {
                    op.permissions.remove(i);
                }
            }
            EventKind::CommitmentLetterAccepted => {
                self.ledger.commitment_letter = Some(at);
            }
            EventKind::Associated { customer } => {
                let c: Customer = (**customer).clone();
                if event.customer.as_ref() != Some(&c.id) {
                    return Err(bad_event(seq, "customer id differs from the record"));
                }
                // The record enters the desk here: the same checks as an insert.
                crate::validate::customer(&c, &self.partner, &self.operators)
                    .map_err(|r| r.under(&format!("events[seq={seq}].customer")).into_error())?;
                self.ledger.associations.push(AssociationRecord {
                    customer: c.id.clone(),
                    change: AssociationChange::Associated,
                    kind: c.association.kind.clone(),
                    at,
                    initiator: match &event.actor {
                        Actor::Customer(_) => Initiator::Customer,
                        Actor::Operator(_) => Initiator::Partner,
                        Actor::System => Initiator::System,
                    },
                    by: event.actor.clone(),
                    reason: None,
                });
                if let Some(m) = &c.account_manager {
                    self.ledger.open_period(&c.id, m, at, event.actor.clone());
                }
                match slot {
                    Some(s) => self.replace(s, c),
                    None => self.place_validated(c),
                }
            }
            EventKind::DisassociationRequested { request } => {
                if request.id != self.ledger.requests.len() as u64 + 1 {
                    return Err(bad_event(seq, "request id out of sequence"));
                }
                self.ledger.requests.push((**request).clone());
            }
            EventKind::DisassociationRejected { request, reason } => {
                let r = self
                    .ledger
                    .request_mut(*request)
                    .ok_or_else(|| bad_event(seq, "unknown request"))?;
                r.status = RequestStatus::Rejected;
                r.decided_by = Some(event.actor.clone());
                r.decided_at = Some(at);
                r.decision_reason = Some(reason.clone());
            }
            EventKind::Disassociated {
                request,
                initiator,
                reason,
            } => {
                let s = need_slot()?;
                let id = self.at(s).id.clone();
                let kind = self.at(s).association.kind.clone();
                self.adopt_imported(s, at);
                let removed = self.modify(s, |c| {
                    c.association.ended = Some(at);
                    c.account_manager = None;
                    c.budget.take()
                });
                if let Some(b) = removed {
                    self.ledger.budget_records.push(BudgetRecord {
                        customer: id.clone(),
                        operation: BudgetOperation::Delete,
                        amount: b.amount,
                        kind: b.kind,
                        at,
                        operator: "system".to_owned(),
                    });
                }
                self.ledger.close_period(&id, at);
                self.ledger.budget_watch.remove(&id);
                let ids: Vec<AuthorizationId> = self
                    .ledger
                    .auths_by_customer
                    .get(&id)
                    .cloned()
                    .unwrap_or_default();
                for aid in ids {
                    if let Some(a) = self.ledger.authorizations.get_mut(&aid)
                        && matches!(
                            a.state,
                            AuthorizationState::Pending
                                | AuthorizationState::AwaitingDistributor
                                | AuthorizationState::Active
                        )
                    {
                        a.state = AuthorizationState::Ended;
                        a.closed_at = Some(at);
                    }
                }
                for r in self.ledger.requests.iter_mut() {
                    if r.customer == id && r.status == RequestStatus::Pending {
                        if Some(r.id) == *request {
                            r.status = RequestStatus::Approved;
                        } else {
                            r.status = RequestStatus::Closed;
                        }
                        r.decided_by = Some(event.actor.clone());
                        r.decided_at = Some(at);
                    }
                }
                self.ledger.associations.push(AssociationRecord {
                    customer: id,
                    change: AssociationChange::Disassociated,
                    kind,
                    at,
                    initiator: initiator.clone(),
                    by: event.actor.clone(),
                    reason: Some(reason.clone()),
                });
            }
            EventKind::ManagerAssigned { manager } => {
                let s = need_slot()?;
                // The desk's own copy of the login: shared by every customer it manages.
                let manager = match self.operators.get_key_value(manager) {
                    Some((m, _)) => m.clone(),
                    None => return Err(bad_event(seq, "unknown operator")),
                };
                let id = need_id()?;
                self.adopt_imported(s, at);
                let by = self.shared_actor(&event.actor);
                self.ledger.open_period(id, &manager, at, by);
                self.replace_manager(s, Some(manager))
                    .ok_or_else(|| bad_event(seq, "customer slot is not live"))?;
            }
            EventKind::ManagerUnassigned => {
                let s = need_slot()?;
                let id = need_id()?;
                self.adopt_imported(s, at);
                self.ledger.close_period(id, at);
                self.replace_manager(s, None)
                    .ok_or_else(|| bad_event(seq, "customer slot is not live"))?;
            }
            EventKind::Frozen { freeze } => {
                let s = need_slot()?;
                self.governed(seq, s, |g| {
                    *g.freeze = FreezeState::Frozen((**freeze).clone())
                })?;
            }
            EventKind::Unfrozen { .. } => {
                let s = need_slot()?;
                self.governed(seq, s, |g| *g.freeze = FreezeState::NotFrozen)?;
            }
            EventKind::BudgetSet { budget } => {
                let s = need_slot()?;
                let id = need_id()?;
                self.ledger.budget_records.push(BudgetRecord {
                    customer: id.clone(),
                    operation: BudgetOperation::Setting,
                    amount: budget.amount,
                    kind: budget.kind.clone(),
                    at,
                    operator: budget.set_by.clone(),
                });
                self.ledger.budget_watch.remove(id);
                self.governed(seq, s, |g| *g.budget = Some((**budget).clone()))?;
            }
            EventKind::BudgetThresholdCrossed {
                threshold, period, ..
            } => {
                need_slot()?;
                let id = need_id()?;
                self.ledger.watch(id, period).thresholds.insert(*threshold);
            }
            EventKind::BudgetForecastCrossed { period, .. } => {
                need_slot()?;
                let id = need_id()?;
                self.ledger.watch(id, period).forecast = true;
            }
            EventKind::AuthorizationRequested { authorization } => {
                self.ledger.auth_seq += 1;
                self.ledger
                    .auths_by_customer
                    .entry(authorization.customer.clone())
                    .or_default()
                    .push(authorization.id.clone());
                self.ledger
                    .authorizations
                    .insert(authorization.id.clone(), (**authorization).clone());
            }
            EventKind::AuthorizationDistributorDecided { id, approved } => {
                let a = self
                    .ledger
                    .authorization_mut(id)
                    .ok_or_else(|| bad_event(seq, "unknown authorization"))?;
                if *approved {
                    a.state = AuthorizationState::Pending;
                } else {
                    a.state = AuthorizationState::Rejected;
                    a.closed_at = Some(at);
                }
            }
            EventKind::AuthorizationApproved { id, expires_at } => {
                let a = self
                    .ledger
                    .authorization_mut(id)
                    .ok_or_else(|| bad_event(seq, "unknown authorization"))?;
                a.state = AuthorizationState::Active;
                a.approved_at = Some(at);
                a.expires_at = Some(*expires_at);
            }
            EventKind::AuthorizationRejected { id }
            | EventKind::AuthorizationLapsed { id }
            | EventKind::AuthorizationExpired { id }
            | EventKind::AuthorizationRevoked { id, .. }
            | EventKind::AuthorizationTerminated { id } => {
                let state = match &event.kind {
                    EventKind::AuthorizationRejected { .. } => AuthorizationState::Rejected,
                    EventKind::AuthorizationLapsed { .. } => AuthorizationState::Lapsed,
                    EventKind::AuthorizationExpired { .. } => AuthorizationState::Expired,
                    EventKind::AuthorizationRevoked { .. } => AuthorizationState::Revoked,
                    _ => AuthorizationState::Terminated,
                };
                let a = self
                    .ledger
                    .authorization_mut(id)
                    .ok_or_else(|| bad_event(seq, "unknown authorization"))?;
                if let EventKind::AuthorizationRevoked { reason, .. } = &event.kind {
                    a.revoke_reason = Some(reason.clone());
                }
                a.state = state;
                a.closed_at = Some(at);
            }
            EventKind::OrderPlaced { order } => {
                let s = need_slot()?;
                crate::validate::order_amount(
                    &format!("events[seq={seq}].order.amount"),
                    &order.amount,
                    self.partner.currency,
                )
                .map_err(|(field, reason)| Error::invalid_money(field, reason))?;
                self.ledger.order_seq += 1;
                let mut order = (**order).clone();
                if let Some(by) = &order.placed_by
                    && let Some((shared, _)) = self.operators.get_key_value(by)
                {
                    order.placed_by = Some(shared.clone());
                }
                self.governed(seq, s, |g| g.orders.push(order))?;
            }
            EventKind::CommandRecorded {
                key,
                fingerprint,
                outcome,
            } => {
                self.ledger.idempotency.insert(
                    key.clone(),
                    crate::ledger::Recorded {
                        fingerprint: *fingerprint,
                        outcome: outcome.clone(),
                    },
                );
            }
        }
        self.ledger.event_seq = seq;
        self.ledger.chain_head.clone_from(&event.link);
        self.ledger.events.push(event);
        Ok(())
    }
}

impl Desk {
    /// The actor with the desk's own copy of an operator's login (shared, and warm in cache)
    /// instead of the event's, for records the desk keeps.
    fn shared_actor(&self, actor: &Actor) -> Actor {
        match actor {
            Actor::Operator(o) => match self.operators.get_key_value(o) {
                Some((shared, _)) => Actor::Operator(shared.clone()),
                None => actor.clone(),
            },
            _ => actor.clone(),
        }
    }

    /// See [`crate::ledger::Ledger::adopt_imported`].
    fn adopt_imported(&mut self, slot: u32, at: DateTime<Utc>) {
        if let Some(Some(c)) = self.slots.get(slot as usize) {
            self.ledger.adopt_imported(c, at);
        }
    }
}

/// Helpers the apply function uses on the ledger.
impl crate::ledger::Ledger {
    fn request_mut(&mut self, id: RequestId) -> Option<&mut DisassociationRequest> {
        self.requests
            .get_mut(usize::try_from(id).ok()?.checked_sub(1)?)
    }

    fn authorization_mut(&mut self, id: &AuthorizationId) -> Option<&mut Authorization> {
        self.authorizations.get_mut(id)
    }
}

/// The fields the governed operations change most often, lent out without the rest of the
/// customer so that nothing else can change: the index upkeep then touches only these. (The
/// account manager changes through [`Desk::replace_manager`], which moves the old one out
/// instead of copying it to compare.)
pub(crate) struct Governed<'a> {
    pub(crate) freeze: &'a mut FreezeState,
    pub(crate) budget: &'a mut Option<Budget>,
    pub(crate) orders: &'a mut Vec<Order>,
}

impl Desk {
    fn governed(&mut self, seq: u64, slot: u32, change: impl FnOnce(Governed<'_>)) -> Result<()> {
        self.modify_governed(slot, change)
            .ok_or_else(|| bad_event(seq, "customer slot is not live"))
    }

    /// Like [`Desk::modify`], for changes of the freeze state, budget or orders only (the
    /// type lends nothing else), re-indexing just what those feed: the freeze buckets and the
    /// budgeted set. No clone of the customer.
    pub(crate) fn modify_governed<R>(
        &mut self,
        slot: u32,
        change: impl FnOnce(Governed<'_>) -> R,
    ) -> Option<R> {
        self.id_order.changed(slot);
        let c = self.slots.get_mut(slot as usize)?.as_mut()?;
        let old_freeze = crate::index::freeze_key(&c.freeze);
        let had_budget = c.budget.is_some();
        let out = change(Governed {
            freeze: &mut c.freeze,
            budget: &mut c.budget,
            orders: &mut c.orders,
        });
        let new_freeze = crate::index::freeze_key(&c.freeze);
        if old_freeze != new_freeze {
            self.index.set_freeze(slot, old_freeze, false);
            self.index.set_freeze(slot, new_freeze, true);
        }
        match (had_budget, c.budget.is_some()) {
            (false, true) => {
                self.index.budgeted.insert(slot);
            }
            (true, false) => {
                self.index.budgeted.remove(slot);
            }
            _ => {}
        }
        Some(out)
    }

    /// Sets a live customer's account manager (or none), re-indexing the manager bitmaps and
    /// spend sets when it changes. `None` when the slot is not live.
    pub(crate) fn replace_manager(&mut self, slot: u32, manager: Option<OperatorId>) -> Option<()> {
        let c = self.slots.get_mut(slot as usize)?.as_mut()?;
        if c.account_manager == manager {
            return Some(());
        }
        self.id_order.changed(slot);
        let old = std::mem::replace(&mut c.account_manager, manager);
        self.index.set_manager(slot, old.as_ref(), false);
        self.index
            .set_manager(slot, c.account_manager.as_ref(), true);
        Some(())
    }
}
