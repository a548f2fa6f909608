//! The ledger: everything the governed operations add to the desk, in one place.
//!
//! Why one struct: the desk's customers and indexes are the "current state" every search reads;
//! the ledger holds the rest of the story (events, audit trail, association history and
//! disassociation requests, account-manager periods, budget records and watch marks,
//! authorizations, idempotency results, sequence counters). Keeping it in one field makes
//! snapshots, equality and replay treat it as a unit.

use crate::audit::AuditRecord;
use crate::event::Event;
use crate::ids::{AuthorizationId, CustomerId, IdempotencyKey, OperatorId};
use crate::log::journaled::{UMap, UVec};
use crate::model::access::Actor;
use crate::model::association::{AssociationRecord, DisassociationRequest};
use crate::model::authorization::Authorization;
use crate::model::budget::BudgetRecord;
use crate::model::manager::ManagerPeriod;
use crate::model::outcome::CommandOutcome;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a budget's evaluation has already reported in one period, so that each crossing fires
/// once per period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct BudgetWatch {
    /// The period the marks belong to.
    pub(crate) period: String,
    /// Thresholds crossed.
    pub(crate) thresholds: BTreeSet<Decimal>,
    /// Whether the forecast crossing was reported.
    pub(crate) forecast: bool,
}

/// The recorded outcome of a command with an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Recorded {
    pub(crate) fingerprint: u64,
    pub(crate) outcome: CommandOutcome,
}

/// The largest sequence number or counter a snapshot may hold (2^53 - 1, the largest integer
/// every host reads exactly): the desk adds one to them, and a loaded `u64::MAX` overflowed
/// (a panic in checked builds, a repeated id otherwise).
#[cfg(feature = "serde")]
pub(crate) const MAX_SEQ: u64 = (1 << 53) - 1;

/// Everything the governed operations keep besides the customers.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub(crate) struct Ledger {
    pub(crate) events: UVec<Event>,
    pub(crate) event_seq: u64,
    pub(crate) audit: UVec<AuditRecord>,
    pub(crate) audit_seq: u64,
    pub(crate) associations: UVec<AssociationRecord>,
    /// Request `n` is at index `n - 1`.
    pub(crate) requests: UVec<DisassociationRequest>,
    pub(crate) manager_periods: UVec<ManagerPeriod>,
    /// Derived: the periods of each customer (indexes into `manager_periods`), oldest first.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub(crate) periods_by_customer: UMap<crate::ids::IdMap<CustomerId, Vec<usize>>>,
    pub(crate) budget_records: UVec<BudgetRecord>,
    pub(crate) budget_watch: UMap<crate::ids::IdMap<CustomerId, BudgetWatch>>,
    pub(crate) authorizations: UMap<BTreeMap<AuthorizationId, Authorization>>,
    /// Derived: the authorizations of each customer.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub(crate) auths_by_customer: UMap<crate::ids::IdMap<CustomerId, Vec<AuthorizationId>>>,
    pub(crate) auth_seq: u64,
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant_opt")
    )]
    pub(crate) commitment_letter: Option<DateTime<Utc>>,
    pub(crate) order_seq: u64,
    pub(crate) idempotency: UMap<HashMap<IdempotencyKey, Recorded>>,
    /// The link of the last event (empty: a new chain starts; so in snapshots written before
    /// chains existed). See [`crate::chain`].
    pub(crate) chain_head: String,
    /// When the desk was created ([`crate::Desk::new`]); `None` in snapshots written before
    /// desks recorded it. See [`crate::Desk::newest_instant`].
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::serde_fast::put_instant_opt")
    )]
    pub(crate) origin: Option<DateTime<Utc>>,
}

impl PartialEq for Ledger {
    /// Equal when the state is equal; the audit trail (attempts, not state) is left out, so a
    /// replayed desk equals the live one.
    fn eq(&self, o: &Self) -> bool {
        self.events == o.events
            && self.event_seq == o.event_seq
            && self.associations == o.associations
            && self.requests == o.requests
            && self.manager_periods == o.manager_periods
            && self.budget_records == o.budget_records
            && self.budget_watch == o.budget_watch
            && self.authorizations == o.authorizations
            && self.auth_seq == o.auth_seq
            && self.commitment_letter == o.commitment_letter
            && self.order_seq == o.order_seq
            && self.idempotency == o.idempotency
            && self.chain_head == o.chain_head
            && self.origin == o.origin
    }
}

impl Ledger {
    /// Estimated heap bytes of the ledger: its lists and maps by their inline sizes, and the
    /// derived per-customer lists (see [`crate::memory`]).
    pub(crate) fn heap_bytes(&self) -> usize {
        use crate::model::heap::{map_bytes, vec_bytes};
        vec_bytes(&self.events)
            + vec_bytes(&self.audit)
            + vec_bytes(&self.associations)
            + vec_bytes(&self.requests)
            + vec_bytes(&self.manager_periods)
            + map_bytes(&self.periods_by_customer)
            + self
                .periods_by_customer
                .values()
                .map(vec_bytes)
                .sum::<usize>()
            + vec_bytes(&self.budget_records)
            + map_bytes(&self.budget_watch)
            + crate::model::heap::btree_bytes(
                self.authorizations.len(),
                std::mem::size_of::<(
                    crate::ids::AuthorizationId,
                    crate::model::authorization::Authorization,
                )>(),
            )
            + map_bytes(&self.auths_by_customer)
            + self
                .auths_by_customer
                .values()
                .map(vec_bytes)
                .sum::<usize>()
            + map_bytes(&self.idempotency)
            + self.chain_head.capacity()
    }
    /// Rebuilds the derived maps (after loading).
    #[cfg(feature = "serde")]
    pub(crate) fn reindex(&mut self) {
        self.periods_by_customer.clear();
        for (i, p) in self.manager_periods.iter().enumerate() {
            self.periods_by_customer
                .entry(p.customer.clone())
                .or_default()
                .push(i);
        }
        self.auths_by_customer.clear();
        for (id, a) in &self.authorizations {
            self.auths_by_customer
                .entry(a.customer.clone())
                .or_default()
                .push(id.clone());
        }
    }

    /// The authorizations of a customer.
    pub(crate) fn auths_of<'a>(
        &'a self,
        customer: &CustomerId,
    ) -> impl Iterator<Item = &'a Authorization> + 'a {
        self.auths_by_customer
            .get(customer)
            .into_iter()
            .flatten()
            .filter_map(|id| self.authorizations.get(id))
    }

    /// The current (open) period of a customer.
    pub(crate) fn current_period(&self, id: &CustomerId) -> Option<&ManagerPeriod> {
        let last = *self.periods_by_customer.get(id)?.last()?;
        self.manager_periods.get(last).filter(|p| p.to.is_none())
    }

    /// Opens a period (closing an open one first).
    pub(crate) fn open_period(
        &mut self,
        id: &CustomerId,
        manager: &OperatorId,
        at: DateTime<Utc>,
        by: Actor,
    ) {
        // One lookup: close the customer's open period (its last) and add the new one.
        let i = self.manager_periods.len();
        match self.periods_by_customer.get_mut(id) {
            Some(periods) => {
                if let Some(&last) = periods.last()
                    && let Some(p) = self.manager_periods.get_mut(last)
                    && p.to.is_none()
                {
                    p.to = Some(at);
                }
                periods.push(i);
            }
            None => {
                self.periods_by_customer.insert(id.clone(), vec![i]);
            }
        }
        self.manager_periods.push(ManagerPeriod {
            customer: id.clone(),
            manager: manager.clone(),
            from: at,
            to: None,
            assigned_by: by,
        });
    }

    /// Closes the open period of a customer, if any.
    pub(crate) fn close_period(&mut self, id: &CustomerId, at: DateTime<Utc>) {
        if let Some(&last) = self.periods_by_customer.get(id).and_then(|v| v.last())
            && let Some(p) = self.manager_periods.get_mut(last)
            && p.to.is_none()
        {
            p.to = Some(at);
        }
    }

    /// The watch marks of a customer for a period (reset when the period changes).
    pub(crate) fn watch(&mut self, id: &CustomerId, period: &str) -> &mut BudgetWatch {
        let w = self.budget_watch.entry(id.clone()).or_default();
        if w.period != period {
            *w = BudgetWatch {
                period: period.to_owned(),
                ..BudgetWatch::default()
            };
        }
        w
    }
}

impl Ledger {
    /// Checks the ledger of a snapshot against the desk it comes with: sequence numbers without
    /// gaps, every customer and operator it names on the desk, at most one open manager period
    /// per customer.
    #[cfg(feature = "serde")]
    pub(crate) fn check(&self, desk: &crate::desk::Desk) -> crate::error::Result<()> {
        use crate::error::Error;
        // The counters the desk adds one to: a snapshot's are at most MAX_SEQ, so no count
        // it continues can run out.
        let counters = [
            ("event_seq", self.event_seq),
            ("audit_seq", self.audit_seq),
            ("auth_seq", self.auth_seq),
            ("order_seq", self.order_seq),
        ];
        for (field, n) in counters {
            if n > MAX_SEQ {
                return Err(Error::snapshot(
                    format!("ledger.{field}"),
                    format!("over {MAX_SEQ}"),
                ));
            }
        }
        for (i, e) in self.events.iter().enumerate() {
            if i > 0 && Some(e.seq) != self.events[i - 1].seq.checked_add(1) {
                return Err(Error::snapshot(
                    format!("ledger.events[{i}].seq"),
                    "not consecutive",
                ));
            }
        }
        if self.events.last().is_some_and(|e| e.seq != self.event_seq) {
            return Err(Error::snapshot(
                "ledger.event_seq",
                "differs from the last event",
            ));
        }
        if self.audit.last().is_some_and(|a| a.seq > self.audit_seq) {
            return Err(Error::snapshot(
                "ledger.audit_seq",
                "behind the last audit record",
            ));
        }
        for (i, r) in self.requests.iter().enumerate() {
            if r.id != i as u64 + 1 {
                return Err(Error::snapshot(
                    format!("ledger.requests[{i}].id"),
                    "out of sequence",
                ));
            }
            // Its customer may no longer be on the desk: a customer removed with
            // `remove_customer` leaves its requests and authorizations as history.
        }
        let mut open = std::collections::HashSet::new();
        for (i, p) in self.manager_periods.iter().enumerate() {
            if !desk.operators.contains_key(&p.manager) {
                return Err(Error::snapshot(
                    format!("ledger.manager_periods[{i}].manager"),
                    "not an operator",
                ));
            }
            if p.to.is_none() && !open.insert(&p.customer) {
                return Err(Error::snapshot(
                    format!("ledger.manager_periods[{i}]"),
                    "a second open period for the customer",
                ));
            }
            if p.to.is_some_and(|t| t < p.from) {
                return Err(Error::snapshot(
                    format!("ledger.manager_periods[{i}].to"),
                    "before from",
                ));
            }
        }
        for (id, a) in &self.authorizations {
            if &a.id != id {
                return Err(Error::snapshot(
                    format!("ledger.authorizations[{id}]"),
                    "inconsistent",
                ));
            }
            // What a request checks of its duration, and every instant in the model's years:
            // the dates computed from them (when it lapses, when it expires) must exist.
            if let Some(reason) = crate::model::authorization::duration_refused(a.duration_days) {
                return Err(Error::snapshot(
                    format!("ledger.authorizations[{id}].duration_days"),
                    reason,
                ));
            }
            let instants = [
                ("requested_at", Some(a.requested_at)),
                ("approved_at", a.approved_at),
                ("expires_at", a.expires_at),
                ("closed_at", a.closed_at),
            ];
            for (field, at) in instants {
                if at.is_some_and(|at| crate::validate::instant(field, at).is_err()) {
                    return Err(Error::snapshot(
                        format!("ledger.authorizations[{id}].{field}"),
                        "outside the years the model holds",
                    ));
                }
            }
        }
        for (i, r) in self.budget_records.iter().enumerate() {
            if r.amount.currency != desk.partner.currency {
                return Err(Error::snapshot(
                    format!("ledger.budget_records[{i}].amount"),
                    "not in the partner's currency",
                ));
            }
            // The same bound as a budget in force.
            crate::validate::budget_amount("amount", r.amount.amount).map_err(|(_, reason)| {
                Error::snapshot(format!("ledger.budget_records[{i}].amount"), reason)
            })?;
        }
        Ok(())
    }
}

impl Ledger {
    /// Before the first recorded change of a customer's manager: records the manager it had
    /// from imported data as a period from the association start, so attribution stays right.
    pub(crate) fn adopt_imported(&mut self, c: &crate::customer::Customer, at: DateTime<Utc>) {
        let Some(m) = &c.account_manager else {
            return;
        };
        if !self.periods_by_customer.contains_key(&c.id) {
            self.open_period(&c.id, m, c.association.since.min(at), Actor::System);
        }
    }
}
