//! Data changes: what the host loads into the desk (customers, spend, operators, month rolls,
//! export jobs) and the desk's settings it changes (the mask policies of rows and exports),
//! each as an event.
//!
//! Why events too: the log is the desk's whole story. A durable store keeps the log (and the
//! audit trail beside it) and rebuilds the desk from it, so a change that skipped the log would
//! be lost at the next open. Each public data method here checks its input with the same
//! function that checks the event on replay (a replayed event comes from outside: a refusal is
//! `INVALID_EVENT` naming its sequence number), then emits the event with actor
//! [`Actor::System`] (an export job: the exporting actor) and applies it through the one
//! dispatch of the log, like every command.
//!
//! Time: the core reads no clock. A data method without a `now` stamps its event with the
//! newest instant the desk knows ([`Desk::newest_instant`]): its last event's, else the instant
//! the desk was created at (for a desk loaded from a snapshot written before desks recorded
//! it, the start of its indexed billing month).
//!
//! Batches: [`Desk::upsert_customers`] and [`Desk::upsert_batch`] write one event for the whole
//! batch (a Huawei import writes one per import), all or nothing. The event holds a copy of
//! every record it adds, as `associated` does: replay needs the data.

use crate::customer::Customer;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::event::{Event, EventKind};
use crate::export::ExportJob;
use crate::ids::CustomerId;
use crate::log::replay::Applying;
use crate::model::access::Actor;
use crate::partner::Operator;
use crate::privacy::{MaskPolicy, MaskedList};
use crate::spend::SpendRecord;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The text form (`YYYY-MM`) of a billing month in an event.
#[cfg(feature = "serde")]
pub(crate) mod month_text {
    use crate::calendar::YearMonth;

    pub(crate) fn serialize<S: serde::Serializer>(m: &YearMonth, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(m)
    }

    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<YearMonth, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom("expected a month as YYYY-MM"))
    }
}

impl Desk {
    /// The newest instant the desk knows: the time of its last event, else the instant it was
    /// created at ([`Desk::new`]'s `now`; for a desk loaded from a snapshot that does not
    /// record it, the start of its indexed billing month). Data changes without a `now` are
    /// stamped with it.
    ///
    /// ```
    /// use partnerdesk::{Desk, Partner, PartnerId, Site, Tier};
    /// use chrono::{TimeZone, Utc};
    /// let now = Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).single().ok_or(partnerdesk::Error::InvalidCursor)?;
    /// let partner = Partner::new(PartnerId::new("p-1")?, "Example Partner", Site::International, Tier::SolutionProvider);
    /// let desk = Desk::new(partner, now);
    /// assert_eq!(desk.newest_instant(), now);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn newest_instant(&self) -> DateTime<Utc> {
        match self.ledger.events.last() {
            Some(e) => e.at,
            None => self.ledger.origin.unwrap_or_else(|| {
                self.partner
                    .billing_offset
                    .start_of_day(self.index.month.first_day())
            }),
        }
    }

    /// Emits a data event by the system, at the newest instant the desk knows or `floor` if
    /// that is later.
    fn emit_data(
        &mut self,
        customer: Option<&CustomerId>,
        kind: EventKind,
        floor: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let at = self
            .newest_instant()
            .max(floor.unwrap_or(DateTime::<Utc>::MIN_UTC));
        self.emit(&Actor::System, customer, kind, at)
    }

    // ---- the public data methods (documented in `desk.rs`) --------------------------------

    pub(crate) fn data_add_operator(&mut self, operator: Operator) -> Result<()> {
        self.check_operator_added(&operator)?;
        // A misspelled item, refused as `grant_permissions` refuses it. Checked at this door
        // only, not when an `operator_added` event is replayed: a log written before this
        // check still opens.
        operator.check_known_items()?;
        let kind = EventKind::OperatorAdded {
            operator: Box::new(operator),
        };
        self.emit_data(None, kind, None)
    }

    pub(crate) fn data_insert(&mut self, mut customer: Customer) -> Result<()> {
        customer.sort_spend();
        let customers = vec![customer];
        self.check_customers(&[], &customers, true)?;
        self.emit_data(None, EventKind::CustomersInserted { customers }, None)
    }

    pub(crate) fn data_upsert(
        &mut self,
        operators: Vec<Operator>,
        mut customers: Vec<Customer>,
    ) -> Result<()> {
        customers.iter_mut().for_each(Customer::sort_spend);
        self.check_customers(&operators, &customers, false)?;
        if operators.is_empty() && customers.is_empty() {
            return Ok(());
        }
        let kind = EventKind::CustomersUpserted {
            operators,
            customers,
        };
        self.emit_data(None, kind, None)
    }

    pub(crate) fn data_remove(&mut self, id: &CustomerId) -> Result<Customer> {
        let slot = self.slot_of(id)?;
        let removed = self.at(slot).clone();
        self.emit_data(Some(id), EventKind::CustomerRemoved, None)?;
        Ok(removed)
    }

    pub(crate) fn data_update<R>(
        &mut self,
        id: &CustomerId,
        change: impl FnOnce(&mut Customer) -> R,
    ) -> Result<R> {
        let slot = self.slot_of(id)?;
        let mut next = self.at(slot).clone();
        let out = change(&mut next);
        next.sort_spend();
        self.check_customer_updated(id, &next)?;
        let kind = EventKind::CustomerUpdated {
            customer: Box::new(next),
        };
        self.emit_data(Some(id), kind, None)?;
        Ok(out)
    }

    pub(crate) fn data_add_spend(&mut self, id: &CustomerId, record: SpendRecord) -> Result<()> {
        self.check_spend(id, &record)?;
        let kind = EventKind::SpendAdded {
            record: Box::new(record),
        };
        self.emit_data(Some(id), kind, None)
    }

    pub(crate) fn data_roll_to(&mut self, now: DateTime<Utc>) -> Result<()> {
        crate::validate::instant("now", now)?;
        let month = self.partner.billing_offset.month_of(now);
        if month == self.index.month {
            return Ok(());
        }
        self.emit_data(None, EventKind::MonthRolled { month }, Some(now))
    }

    /// Records an export job (the last phase of an export) as an event by its actor.
    pub(crate) fn data_record_export(&mut self, number: u64, job: ExportJob) -> Result<()> {
        self.check_export_recorded(number, &job)?;
        let at = self.newest_instant().max(job.at);
        let actor = job.actor.clone();
        let kind = EventKind::ExportRecorded {
            number,
            job: Box::new(job),
        };
        self.emit(&actor, None, kind, at)
    }

    /// Sets the mask policy of `list` (the public setters: [`Desk::set_row_policy`],
    /// [`Desk::set_export_policy`]): checked as a replayed `mask_policy_set` is; the policy in
    /// force already writes no event.
    pub(crate) fn data_set_mask_policy(
        &mut self,
        list: MaskedList,
        policy: MaskPolicy,
    ) -> Result<()> {
        list.check(&policy)?;
        if *self.mask_policy(list) == policy {
            return Ok(());
        }
        self.emit_data(None, EventKind::MaskPolicySet { list, policy }, None)
    }

    /// The mask policy of `list`.
    fn mask_policy(&self, list: MaskedList) -> &MaskPolicy {
        match list {
            MaskedList::Rows => &self.row_policy,
            MaskedList::Exports => &self.export_policy,
        }
    }

    // ---- checks: the same on input and on replay ------------------------------------------

    /// An operator new to the desk.
    fn check_operator_added(&self, operator: &Operator) -> Result<()> {
        if self.operators.contains_key(&operator.id) {
            return Err(Error::DuplicateOperator {
                id: operator.id.to_string(),
            });
        }
        Ok(())
    }

    /// A batch of customers (`insert`: each new to the desk) with the operators added before
    /// them: no operator or customer id twice, every record valid against the desk's operators
    /// and the new ones.
    fn check_customers(
        &self,
        operators: &[Operator],
        customers: &[Customer],
        insert: bool,
    ) -> Result<()> {
        for o in operators {
            self.check_operator_added(o)?;
        }
        if let Some(i) = crate::validate::first_repeat(operators.iter().map(|o| &o.id)) {
            return Err(Error::DuplicateOperator {
                id: operators[i].id.to_string(),
            });
        }
        if let Some(i) = crate::validate::first_repeat(customers.iter().map(|c| &c.id)) {
            return Err(Error::DuplicateCustomer {
                id: customers[i].id.to_string(),
            });
        }
        let mut with_new: BTreeMap<_, _>;
        let known = if operators.is_empty() {
            &*self.operators
        } else {
            with_new = (*self.operators).clone();
            for o in operators {
                with_new.insert(o.id.clone(), o.clone());
            }
            &with_new
        };
        for c in customers {
            if insert && self.by_id.contains(&c.id) {
                return Err(Error::DuplicateCustomer {
                    id: c.id.to_string(),
                });
            }
            crate::validate::customer(c, &self.partner, known)
                .map_err(crate::validate::Refusal::into_error)?;
        }
        Ok(())
    }

    /// A changed record of the customer `id`: on the desk, same id, valid.
    fn check_customer_updated(&self, id: &CustomerId, next: &Customer) -> Result<()> {
        self.slot_of(id)?;
        if &next.id != id {
            return Err(Error::invalid_arg(
                "id",
                "the id of a customer cannot change",
            ));
        }
        crate::validate::customer(next, &self.partner, &self.operators)
            .map_err(crate::validate::Refusal::into_error)
    }

    /// A spend record for the customer `id`: on the desk, the partner's currency, in bounds.
    fn check_spend(&self, id: &CustomerId, record: &SpendRecord) -> Result<()> {
        record.amount.require_currency(self.partner.currency)?;
        crate::validate::spend_amount("amount", &record.amount, self.partner.currency)
            .map_err(|(field, reason)| Error::invalid_money(field, reason))?;
        self.slot_of(id).map(|_| ())
    }

    /// An export job: a new id, no more rows written than selected, a number.
    fn check_export_recorded(&self, number: u64, job: &ExportJob) -> Result<()> {
        if number == 0 {
            return Err(Error::invalid_arg(
                "number",
                "export jobs are numbered from 1",
            ));
        }
        if self.exports.jobs.iter().any(|j| j.id == job.id) {
            return Err(Error::invalid_arg(
                "job.id",
                "an export job with this id exists",
            ));
        }
        if job.rows > job.total {
            return Err(Error::invalid_arg(
                "job.rows",
                "more rows written than selected",
            ));
        }
        crate::validate::instant("job.at", job.at)
    }

    /// The checks of a data event from outside, as its public method checks its input (see
    /// `check_event`); `None` for an event that is not a data change.
    pub(crate) fn check_data_event(&self, e: &Event) -> Option<Result<()>> {
        let system = || {
            if e.actor == Actor::System {
                Ok(())
            } else {
                Err(Error::invalid_arg(
                    "actor",
                    "data changes are by the system",
                ))
            }
        };
        let id = || {
            e.customer
                .as_ref()
                .ok_or_else(|| Error::invalid_arg("customer", "the event names no customer"))
        };
        let batch = || match e.customer {
            None => Ok(()),
            Some(_) => Err(Error::invalid_arg(
                "customer",
                "a batch event names no single customer",
            )),
        };
        let checked = match &e.kind {
            EventKind::OperatorAdded { operator } => system()
                .and_then(|()| batch())
                .and_then(|()| self.check_operator_added(operator)),
            EventKind::CustomersInserted { customers } => system()
                .and_then(|()| batch())
                .and_then(|()| self.check_customers(&[], customers, true)),
            EventKind::CustomersUpserted {
                operators,
                customers,
            } => system()
                .and_then(|()| batch())
                .and_then(|()| self.check_customers(operators, customers, false)),
            EventKind::CustomerUpdated { customer } => system()
                .and_then(|()| id())
                .and_then(|id| self.check_customer_updated(id, customer)),
            EventKind::CustomerRemoved => system().and_then(|()| id()).map(|_| ()),
            EventKind::SpendAdded { record } => system()
                .and_then(|()| id())
                .and_then(|id| self.check_spend(id, record)),
            EventKind::MonthRolled { month } => system().and_then(|()| batch()).and_then(|()| {
                if *month == self.index.month {
                    Err(Error::invalid_arg("month", "already the indexed month"))
                } else {
                    Ok(())
                }
            }),
            EventKind::ExportRecorded { number, job } => batch().and_then(|()| {
                if job.actor != e.actor {
                    return Err(Error::invalid_arg("actor", "not the job's actor"));
                }
                if job.at > e.at {
                    return Err(Error::invalid_arg("job.at", "later than the event"));
                }
                self.check_export_recorded(*number, job)
            }),
            EventKind::MaskPolicySet { list, policy } => system()
                .and_then(|()| batch())
                .and_then(|()| list.check(policy))
                .and_then(|()| {
                    // The setter writes no event for the policy in force: a log that holds
                    // one was not written by a desk.
                    if self.mask_policy(*list) == policy {
                        Err(Error::invalid_arg("policy", "already in force"))
                    } else {
                        Ok(())
                    }
                }),
            _ => return None,
        };
        Some(checked)
    }

    // ---- applying the events ---------------------------------------------------------------

    /// `OperatorAdded`.
    pub(crate) fn apply_operator_added(
        &mut self,
        ev: &Applying<'_>,
        operator: &Operator,
    ) -> Result<()> {
        if self.operators.contains_key(&operator.id) {
            return Err(ev.refuse("the operator is on the desk already"));
        }
        self.insert_operator(operator.clone());
        Ok(())
    }

    /// `CustomersInserted` and `CustomersUpserted`: the operators, then each customer placed
    /// (or, upserting, replacing the one with its id).
    pub(crate) fn apply_customers(
        &mut self,
        ev: &Applying<'_>,
        operators: &[Operator],
        customers: &[Customer],
        insert: bool,
    ) -> Result<()> {
        for o in operators {
            self.apply_operator_added(ev, o)?;
        }
        for c in customers {
            let mut c = c.clone();
            c.sort_spend();
            match self.by_id.get(&c.id) {
                Some(_) if insert => return Err(ev.refuse("the customer is on the desk already")),
                Some(slot) => self.replace(slot, c),
                None => self.place_validated(c),
            }
        }
        Ok(())
    }

    /// `CustomerUpdated`: the record replaces the customer's.
    pub(crate) fn apply_customer_updated(
        &mut self,
        ev: &Applying<'_>,
        customer: &Customer,
    ) -> Result<()> {
        if ev.customer != Some(&customer.id) {
            return Err(ev.refuse("customer id differs from the record"));
        }
        let slot = ev.slot()?;
        let mut c = customer.clone();
        c.sort_spend();
        self.replace(slot, c);
        Ok(())
    }

    /// `CustomerRemoved`.
    pub(crate) fn apply_customer_removed(&mut self, ev: &Applying<'_>) -> Result<()> {
        let id = ev.id()?.clone();
        self.take_customer(ev.slot()?, &id);
        Ok(())
    }

    /// `SpendAdded`.
    pub(crate) fn apply_spend_added(
        &mut self,
        ev: &Applying<'_>,
        record: &SpendRecord,
    ) -> Result<()> {
        self.push_spend(ev.slot()?, record.clone());
        Ok(())
    }

    /// `MonthRolled`.
    pub(crate) fn apply_month_rolled(&mut self, month: crate::calendar::YearMonth) {
        self.set_indexed_month(month);
    }

    /// `ExportRecorded`: the job joins the history; its number is given.
    pub(crate) fn apply_export_recorded(&mut self, number: u64, job: &ExportJob) {
        self.exports.jobs.push(job.clone());
        self.exports.seq = self.exports.seq.max(number);
    }

    /// `MaskPolicySet`: the policy replaces the list's.
    pub(crate) fn apply_mask_policy_set(&mut self, list: MaskedList, policy: &MaskPolicy) {
        let slot = match list {
            MaskedList::Rows => &mut self.row_policy,
            MaskedList::Exports => &mut self.export_policy,
        };
        slot.clone_from(policy);
    }
}
