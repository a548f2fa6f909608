//! The one change hook: every change of a customer on the desk passes through
//! [`Desk::changed`], which keeps the search indexes and the export copy in step with it.
//!
//! Why one hook: the indexes (freeze buckets, budgeted set, manager bitmaps, month-to-date
//! columns, names) and the export copy's change bits are derived data. When each operation
//! kept them itself, a new operation could forget one and searches or exports would go
//! quietly wrong. Now the primitives that change a slot (place, replace, modify in place,
//! the governed fields, the manager, spend, a month roll, removal) describe what they changed
//! as a [`Change`], and this module alone turns that into index upkeep and invalidation.

use crate::customer::Customer;
use crate::desk::Desk;
use crate::ids::OperatorId;
use crate::model::budget::Budget;
use crate::model::freeze::{FreezeOrigin, FreezeScope, FreezeState};
use crate::model::order::Order;
use crate::model::packed::Packed;
use rust_decimal::Decimal;

/// What a primitive changed in a slot, with what the indexes need of the state before.
pub(crate) enum Change<'a> {
    /// A customer was placed in the (free) slot.
    Added(u32),
    /// Customers were placed in new slots, all those of the range (a snapshot load), their
    /// index entries already built by the load ([`Desk::place_all_validated`]).
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    Loaded(std::ops::Range<u32>),
    /// The slot's customer was taken out; the record as it was.
    Removed(u32, &'a Customer),
    /// The slot's customer changed; its indexed fields before (a header copy is enough:
    /// spend and orders are read from the customer as it is now).
    Replaced(u32, &'a Customer),
    /// Only the freeze state, budget or orders changed ([`Desk::modify_governed`]); the freeze
    /// bucket and whether a budget was set, before.
    Governed {
        slot: u32,
        freeze: Option<(FreezeScope, FreezeOrigin)>,
        had_budget: bool,
    },
    /// Only the account manager changed; the one before.
    Manager(u32, Option<OperatorId>),
    /// A spend record was added; its amount when it falls in the indexed month.
    Spend(u32, Option<Decimal>),
    /// The indexed month changed: every customer's month-to-date spend is recomputed.
    Month,
}

/// The fields the governed operations change most often, lent out without the rest of the
/// customer so that nothing else can change: the index upkeep then touches only these. (The
/// account manager changes through [`Desk::replace_manager`], which moves the old one out
/// instead of copying it to compare.)
pub(crate) struct Governed<'a> {
    pub(crate) freeze: &'a mut FreezeState,
    pub(crate) budget: &'a mut Option<Box<Budget>>,
    pub(crate) orders: &'a mut Packed<Order>,
}

impl Desk {
    /// The hook: brings the indexes and the export copy in step with a change just made.
    pub(crate) fn changed(&mut self, change: Change<'_>) {
        match change {
            Change::Added(slot) => {
                if let Some(Some(c)) = self.slots.get(slot as usize) {
                    self.index.add(slot, c);
                }
                self.id_order.added(slot);
            }
            Change::Loaded(slots) => {
                // The indexes were built while the customers were placed
                // (`Desk::place_all_validated`, beside the ids on two threads), their ordered
                // sets staged: they are sorted now. Pages by id read the order
                // (`search::page`) once it is up to date; a bulk load sorts its ids now, once,
                // beside those sets, rather than leaving every page to rank them.
                self.id_order.added_range(slots);
                let (id_order, slots) = (&mut self.id_order, &self.slots);
                self.index.settle_staged(|| id_order.refresh_order(slots));
            }
            Change::Removed(slot, old) => {
                self.index.remove(slot, old);
                self.id_order.removed(slot);
            }
            Change::Replaced(slot, old) => {
                if let Some(Some(new)) = self.slots.get(slot as usize) {
                    self.index.update(slot, old, new);
                }
                self.id_order.changed(slot);
            }
            Change::Governed {
                slot,
                freeze,
                had_budget,
            } => {
                let Some(Some(c)) = self.slots.get(slot as usize) else {
                    return;
                };
                let now_frozen = crate::index::freeze_key(&c.freeze);
                if freeze != now_frozen {
                    self.index.set_freeze(slot, freeze, false);
                    self.index.set_freeze(slot, now_frozen, true);
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
                self.id_order.changed(slot);
            }
            Change::Manager(slot, old) => {
                if let Some(Some(c)) = self.slots.get(slot as usize) {
                    self.index.set_manager(slot, old.as_ref(), false);
                    self.index
                        .set_manager(slot, c.account_manager.as_ref(), true);
                }
                self.id_order.changed(slot);
            }
            Change::Spend(slot, in_month) => {
                if let (Some(amount), Some(Some(c))) = (in_month, self.slots.get(slot as usize)) {
                    let mtd = self.index.mtd(slot).saturating_add(amount);
                    self.index.set_mtd(slot, mtd, c.account_manager.as_ref());
                }
                self.id_order.changed(slot);
            }
            Change::Month => {
                let month = self.index.month;
                for (slot, c) in self.slots.iter().enumerate() {
                    if let Some(c) = c {
                        self.index.set_mtd(
                            slot as u32,
                            c.month_spend(month),
                            c.account_manager.as_ref(),
                        );
                    }
                }
                self.id_order.changed_all();
            }
        }
    }

    /// Changes the freeze state, budget or orders of a live customer (the type lends nothing
    /// else) without cloning it; the hook then re-indexes just what those feed, the freeze
    /// buckets and the budgeted set. `None` when the slot is not live.
    pub(crate) fn modify_governed<R>(
        &mut self,
        slot: u32,
        change: impl FnOnce(Governed<'_>) -> R,
    ) -> Option<R> {
        let c = self.slots.get_mut(slot as usize)?.as_mut()?;
        let freeze = crate::index::freeze_key(&c.freeze);
        let had_budget = c.budget.is_some();
        let out = change(Governed {
            freeze: &mut c.freeze,
            budget: &mut c.budget,
            orders: &mut c.orders,
        });
        self.changed(Change::Governed {
            slot,
            freeze,
            had_budget,
        });
        Some(out)
    }

    /// Sets a live customer's account manager (or none); the hook re-indexes the manager
    /// bitmaps and spend sets when it changes. `None` when the slot is not live.
    pub(crate) fn replace_manager(&mut self, slot: u32, manager: Option<OperatorId>) -> Option<()> {
        let c = self.slots.get_mut(slot as usize)?.as_mut()?;
        if c.account_manager == manager {
            return Some(());
        }
        let old = std::mem::replace(&mut c.account_manager, manager);
        self.changed(Change::Manager(slot, old));
        Some(())
    }
}
