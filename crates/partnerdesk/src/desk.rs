//! The desk: a partner's whole customer portfolio in memory, with its indexes.
//!
//! Why a single owner: every change to a customer must also reach the search indexes, the event
//! log and the audit trail. The desk owns the customers and is the only way to change them, so
//! no change can skip the indexes. It does no I/O and reads no clock; the host loads data in
//! (snapshots, Huawei responses) and passes `now` to every call that depends on time.

use crate::calendar::YearMonth;
use crate::change::Change;
use crate::customer::Customer;
use crate::error::{Error, Result};
use crate::ids::{CustomerId, OperatorId};
use crate::index::Index;
use crate::log::journaled::{UMap, UVec};
use crate::packed::Packed;
use crate::partner::{Operator, Partner};
use crate::spend::SpendRecord;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A partner's customer portfolio: customers, operators and the indexes that make search fast.
///
/// ```
/// use partnerdesk::{Desk, Partner, PartnerId, Site, Tier};
/// use chrono::{TimeZone, Utc};
/// let now = Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).single().ok_or(partnerdesk::Error::InvalidCursor)?;
/// let partner = Partner::new(PartnerId::new("p-1")?, "Example Partner", Site::International, Tier::SolutionProvider);
/// let desk = Desk::new(partner, now);
/// assert!(desk.is_empty());
/// # Ok::<(), partnerdesk::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Desk {
    pub(crate) partner: Partner,
    pub(crate) operators: UMap<BTreeMap<OperatorId, Operator>>,
    pub(crate) slots: UVec<Option<Customer>>,
    pub(crate) free: UVec<u32>,
    pub(crate) by_id: crate::ids::SlotTable,
    /// Live slots by id, for exports in id order (refreshed lazily; see `id_order`).
    pub(crate) id_order: crate::export::id_order::IdOrder,
    pub(crate) index: Index,
    pub(crate) row_policy: crate::row::RowPolicy,
    pub(crate) ledger: crate::ledger::Ledger,
    pub(crate) exports: crate::export::ExportHistory,
    pub(crate) export_policy: crate::privacy::MaskPolicy,
    pub(crate) pseudonym_key: Option<crate::privacy::PseudonymKey>,
    /// The key events are sealed and checked with (never saved).
    pub(crate) event_key: Option<crate::chain::EventKey>,
    /// What the snapshot or checkpoint this desk was loaded from recorded of the key its
    /// writer sealed with (`crate::chain::seal_record`); `None` when it recorded nothing (an
    /// older writer) or the desk was not loaded.
    pub(crate) loaded_seal: Option<String>,
    /// Signs search cursors (see [`crate::search::CursorKey`]).
    pub(crate) cursor_key: crate::search::CursorKey,
    /// What an open savepoint saved (see [`crate::log::undo`]); `None` when none is open.
    pub(crate) undo: Option<Box<crate::log::undo::Frame>>,
}

impl Desk {
    /// An empty desk; `now` fixes the billing month of the month-to-date index, and is the
    /// desk's creation instant (see [`Desk::newest_instant`]).
    pub fn new(partner: Partner, now: DateTime<Utc>) -> Self {
        let month = partner.billing_offset.month_of(now);
        Desk {
            partner,
            operators: UMap::default(),
            slots: UVec::default(),
            free: UVec::default(),
            by_id: crate::ids::SlotTable::default(),
            id_order: crate::export::id_order::IdOrder::default(),
            index: Index::new(month),
            row_policy: crate::row::RowPolicy::default(),
            ledger: crate::ledger::Ledger {
                origin: Some(now),
                ..crate::ledger::Ledger::default()
            },
            exports: crate::export::ExportHistory::default(),
            export_policy: crate::privacy::MaskPolicy::console(),
            pseudonym_key: None,
            event_key: None,
            loaded_seal: None,
            cursor_key: crate::search::CursorKey::random(),
            undo: None,
        }
    }

    /// The partner.
    pub fn partner(&self) -> &Partner {
        &self.partner
    }

    /// The billing month for which month-to-date spend is indexed.
    pub fn indexed_month(&self) -> YearMonth {
        self.index.month
    }

    /// Re-indexes month-to-date spend for the billing month of `now` (call when a new month
    /// begins; searches in another month stay correct without it, only slower). A new month is
    /// a `month_rolled` event (by the system, at `now` or the desk's newest instant if that is
    /// later); the same month changes nothing. `INVALID_DATE` for a `now` outside the
    /// calendar's range, nothing changed.
    pub fn roll_to(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.data_roll_to(now)
    }

    /// Sets the indexed month and recomputes month-to-date spend.
    pub(crate) fn set_indexed_month(&mut self, month: YearMonth) {
        if month == self.index.month {
            return;
        }
        self.index.month = month;
        self.changed(Change::Month);
    }

    // ---- operators ---------------------------------------------------------------------

    /// Adds an operator of the partner: an `operator_added` event by the system, at the
    /// desk's newest instant ([`Desk::newest_instant`]). `DUPLICATE_OPERATOR` for a login on
    /// the desk already, `INVALID_ARGUMENT` on `items` for a permission item this version does
    /// not know (a misspelled code, as `grant_permissions` refuses it); nothing changed.
    pub fn add_operator(&mut self, operator: Operator) -> Result<()> {
        self.data_add_operator(operator)
    }

    /// Adds an operator without an event (loading a snapshot, building a demo desk).
    #[cfg_attr(not(any(feature = "serde", feature = "demo")), allow(dead_code))]
    pub(crate) fn load_operator(&mut self, operator: Operator) -> Result<()> {
        if self.operators.contains_key(&operator.id) {
            return Err(Error::DuplicateOperator {
                id: operator.id.to_string(),
            });
        }
        self.insert_operator(operator);
        Ok(())
    }

    /// Puts an operator (whose login is new) on the desk.
    pub(crate) fn insert_operator(&mut self, operator: Operator) {
        self.operators.insert(operator.id.clone(), operator);
        // Manager names in a prepared export's rows come from the operators.
        self.id_order.touch();
    }

    /// An operator by login.
    pub fn operator(&self, id: &OperatorId) -> Result<&Operator> {
        self.operators
            .get(id)
            .ok_or_else(|| Error::OperatorNotFound { id: id.to_string() })
    }

    /// Every operator, by login.
    pub fn operators(&self) -> impl Iterator<Item = &Operator> {
        self.operators.values()
    }

    // ---- customers ---------------------------------------------------------------------

    /// Number of customers on the desk (including disassociated ones kept for history).
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the desk has no customers.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// A customer by id.
    pub fn customer(&self, id: &CustomerId) -> Result<&Customer> {
        self.slot_of(id).map(|s| self.at(s))
    }

    /// Every customer, in slot order.
    pub fn customers(&self) -> impl Iterator<Item = &Customer> {
        self.slots.iter().flatten()
    }

    pub(crate) fn slot_of(&self, id: &CustomerId) -> Result<u32> {
        self.by_id
            .get(id)
            .ok_or_else(|| Error::CustomerNotFound { id: id.to_string() })
    }

    /// The customer in a live slot. Slots come from `by_id` or the indexes, which hold live
    /// slots only.
    pub(crate) fn at(&self, slot: u32) -> &Customer {
        match self.slots.get(slot as usize) {
            Some(Some(c)) => c,
            _ => unreachable_slot(slot),
        }
    }

    /// Adds a customer. Refuses a duplicate id, amounts in another currency than the
    /// partner's, an unknown account manager or invalid values, and changes nothing then.
    /// A `customers_inserted` event by the system, at the desk's newest instant
    /// ([`Desk::newest_instant`]).
    pub fn insert_customer(&mut self, customer: Customer) -> Result<()> {
        self.data_insert(customer)
    }

    /// Adds a customer, or replaces the one with the same id (for imports that refresh data):
    /// [`Desk::upsert_customers`] with one customer.
    pub fn upsert_customer(&mut self, customer: Customer) -> Result<()> {
        self.data_upsert(Vec::new(), vec![customer])
    }

    /// Adds customers, or replaces those with the same ids, all or nothing: one
    /// `customers_upserted` event by the system for the whole batch, at the desk's newest
    /// instant ([`Desk::newest_instant`]). Refuses (nothing changed) an id twice in the batch
    /// (`DUPLICATE_CUSTOMER`) and what [`Desk::upsert_customer`] refuses. An empty batch
    /// changes nothing and emits no event.
    ///
    /// ```
    /// use partnerdesk::{demo, CustomerId};
    /// let (mut desk, _now) = demo::portfolio(20, 1)?;
    /// let before = desk.mark();
    /// let mut batch: Vec<_> = desk.customers().take(3).cloned().collect();
    /// for c in &mut batch { c.tags.clear(); }
    /// desk.upsert_customers(batch)?;
    /// let added = desk.events_since(before.events);
    /// assert_eq!(added.len(), 1);
    /// assert_eq!(added[0].kind.code(), "customers_upserted");
    /// assert_eq!(added[0].to_string().contains("customers:3"), true);
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn upsert_customers(&mut self, customers: Vec<Customer>) -> Result<()> {
        self.data_upsert(Vec::new(), customers)
    }

    /// [`Desk::upsert_customers`] with operators added first, in the same event (an import
    /// that names account managers new to the desk): the customers may name them. Refuses
    /// (nothing changed) a login on the desk already or twice in `operators`
    /// (`DUPLICATE_OPERATOR`) and what [`Desk::upsert_customers`] refuses.
    pub fn upsert_batch(
        &mut self,
        operators: Vec<Operator>,
        customers: Vec<Customer>,
    ) -> Result<()> {
        self.data_upsert(operators, customers)
    }

    /// Removes a customer from the desk altogether (not a disassociation: no history is kept):
    /// a `customer_removed` event by the system, at the desk's newest instant
    /// ([`Desk::newest_instant`]). Returns the record as it was.
    pub fn remove_customer(&mut self, id: &CustomerId) -> Result<Customer> {
        self.data_remove(id)
    }

    /// Takes the customer of a live slot off the desk.
    pub(crate) fn take_customer(&mut self, slot: u32, id: &CustomerId) -> Customer {
        let Some(c) = self.slots[slot as usize].take() else {
            unreachable_slot(slot)
        };
        self.by_id.remove(id);
        self.free.push(slot);
        self.changed(Change::Removed(slot, &c));
        c
    }

    /// Changes a customer through a closure, then validates and re-indexes it. If the changed
    /// customer is invalid (or its id was changed), nothing changes and the error is returned.
    /// A `customer_updated` event by the system holding the changed record, at the desk's
    /// newest instant ([`Desk::newest_instant`]).
    pub fn update_customer<R>(
        &mut self,
        id: &CustomerId,
        change: impl FnOnce(&mut Customer) -> R,
    ) -> Result<R> {
        self.data_update(id, change)
    }

    /// Adds a spend record to a customer (in the partner's currency): a `spend_added` event
    /// by the system, at the desk's newest instant ([`Desk::newest_instant`]).
    pub fn add_spend(&mut self, id: &CustomerId, record: SpendRecord) -> Result<()> {
        self.data_add_spend(id, record)
    }

    /// Adds a spend record to the customer of a live slot.
    pub(crate) fn push_spend(&mut self, slot: u32, record: SpendRecord) {
        let in_month = self
            .index
            .month
            .contains(record.day)
            .then_some(record.amount.amount);
        if let Some(Some(c)) = self.slots.get_mut(slot as usize) {
            c.add_spend(record);
        }
        self.changed(Change::Spend(slot, in_month));
    }

    /// Adds a customer without an event: checked as [`Desk::insert_customer`] checks it.
    /// (The demo places its customers in bulk, [`Desk::load_customers`]; its tests compare
    /// that with placing them one by one.)
    #[cfg(all(test, feature = "demo"))]
    pub(crate) fn load_customer(&mut self, mut customer: Customer) -> Result<()> {
        if self.by_id.contains(&customer.id) {
            return Err(Error::DuplicateCustomer {
                id: customer.id.to_string(),
            });
        }
        customer.sort_spend();
        crate::validate::customer(&customer, &self.partner, &self.operators)
            .map_err(crate::validate::Refusal::into_error)?;
        self.place(customer);
        Ok(())
    }

    /// Adds customers without events (building a demo desk), each checked as
    /// [`Desk::insert_customer`] checks it, then placed in bulk after the last slot as a
    /// snapshot load places them ([`Desk::place_all_validated`]): the same desk as adding them
    /// one by one. `customers` must all be `Some`. On an error (a customer refused, or an id
    /// repeated) the desk may be half built and must be dropped.
    #[cfg(feature = "demo")]
    pub(crate) fn load_customers(&mut self, mut customers: Vec<Option<Customer>>) -> Result<()> {
        for c in customers.iter_mut().flatten() {
            c.sort_spend();
            crate::validate::customer(c, &self.partner, &self.operators)
                .map_err(crate::validate::Refusal::into_error)?;
            self.share_operator_ids(c);
        }
        let first = self.slots.len();
        self.place_all_validated(customers).map_err(|i| {
            let id = self.slots.get(first + i).and_then(Option::as_ref);
            Error::DuplicateCustomer {
                id: id.map(|c| c.id.to_string()).unwrap_or_default(),
            }
        })?;
        // As a snapshot load does: the customers' id order sorted once, for pages by id.
        self.id_order.refresh_order(&self.slots);
        Ok(())
    }

    /// Places a customer that has already been validated.
    pub(crate) fn place_validated(&mut self, customer: Customer) {
        self.place(customer);
    }

    /// Places customers that have already been checked ([`Desk::check_loaded`], which also
    /// shares their operator logins) in new slots after the last one (loading a snapshot or a
    /// checkpoint): the same desk as placing them one by one, with the indexes built in bulk.
    /// `customers` are the new slots, every one `Some`; on a desk without slots they become
    /// its slots as they are, without a copy. The ids are recorded on one thread while the text
    /// columns are built on the other ([`crate::index::Index::add_many`]); repeated ids are
    /// found as they are recorded, which spares a separate pass over a million ids. At the
    /// first id repeated (on the desk or among them) it stops and returns that customer's
    /// position among them; the desk is then half built and must be dropped.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn place_all_validated(
        &mut self,
        customers: Vec<Option<Customer>>,
    ) -> std::result::Result<(), usize> {
        let first = self.slots.len() as u32;
        self.by_id.reserve(customers.len());
        self.index.reserve(self.slots.len() + customers.len());
        self.slots.append_vec(customers);
        let (index, slots, by_id) = (&mut self.index, &self.slots, &mut self.by_id);
        let new = slots.get(first as usize..).unwrap_or_default();
        let placed = || (first..).zip(new.iter().flatten());
        let mut repeated = None;
        index.add_many(placed, || {
            for (i, (slot, c)) in placed().enumerate() {
                if !by_id.insert_new(&c.id, slot) {
                    repeated = Some(i);
                    return false;
                }
            }
            true
        });
        if let Some(i) = repeated {
            return Err(i);
        }
        // Every index is built, its ordered sets staged: the hook sorts them with the id order.
        self.changed(Change::Loaded(first..self.slots.len() as u32));
        Ok(())
    }

    /// Points the customer's operator logins (manager, inviter) at the desk's own copies: a
    /// million customers then share a few texts instead of holding a million, and the commands
    /// that copy a manager touch a line already in cache. (Who placed an order is packed with
    /// the order, see [`crate::packed`].)
    pub(crate) fn share_operator_ids(&self, c: &mut Customer) {
        let share = |id: &mut OperatorId| {
            if let Some((shared, _)) = self.operators.get_key_value(id) {
                *id = shared.clone();
            }
        };
        c.account_manager.iter_mut().for_each(share);
        c.association.invited_by.iter_mut().for_each(share);
    }

    fn place(&mut self, mut customer: Customer) {
        self.share_operator_ids(&mut customer);
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        self.by_id.insert(&customer.id, slot);
        self.slots[slot as usize] = Some(customer);
        self.changed(Change::Added(slot));
    }

    pub(crate) fn replace(&mut self, slot: u32, mut customer: Customer) {
        self.share_operator_ids(&mut customer);
        let Some(old) = self.slots[slot as usize].replace(customer) else {
            unreachable_slot(slot)
        };
        self.changed(Change::Replaced(slot, &old));
    }

    /// Changes a live customer in place without cloning it, then re-indexes what changed.
    /// For operations that have already checked their preconditions; the closure must keep
    /// the customer valid.
    pub(crate) fn modify<R>(&mut self, slot: u32, change: impl FnOnce(&mut Customer) -> R) -> R {
        let Some(current) = self.slots[slot as usize].as_mut() else {
            unreachable_slot(slot)
        };
        // The fields the indexes read, before (spend and orders are left out: the
        // month-to-date column is recomputed from the changed customer).
        let before = Customer {
            resources: current.resources.clone(),
            ..current.clone_header()
        };
        let out = change(current);
        self.changed(Change::Replaced(slot, &before));
        out
    }
}

impl Customer {
    /// A copy without resources, orders and spend.
    pub(crate) fn clone_header(&self) -> Customer {
        Customer {
            id: self.id.clone(),
            account_name: self.account_name.clone(),
            name: self.name.clone(),
            customer_type: self.customer_type.clone(),
            verification: self.verification.clone(),
            level: self.level.clone(),
            mobile: self.mobile.clone(),
            email: self.email.clone(),
            tags: self.tags.clone(),
            external: self.external.clone(),
            association: self.association.clone(),
            account_manager: self.account_manager.clone(),
            freeze: self.freeze.clone(),
            budget: self.budget.clone(),
            resources: Packed::new(),
            orders: Packed::new(),
            spend: Packed::new(),
        }
    }
}

#[cold]
fn unreachable_slot(slot: u32) -> ! {
    // The indexes and `by_id` hold live slots only; reaching this is a bug in the desk.
    unreachable!("slot {slot} is not live")
}
