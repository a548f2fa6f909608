//! Secondary indexes of the desk, kept right on every insert, change and removal.
//!
//! Why: the console's search must stay instant on millions of customers. Equality criteria
//! (account manager, tag, association type, freeze state, reseller, level) are answered from
//! roaring bitmaps; ranges (month-to-date spend, resource expiry, association time) from sorted
//! blocks (see `sorted`); mobile suffixes from sorted blocks of reversed numbers packed in
//! fixed keys (see `keys`); names and account names from a trigram index over one fixed-width
//! record a slot (see `text_index`). Slots are `u32` positions in the desk's customer slab.

use super::expiry::{Expiry, NextCount};
use super::keys::{MOBILE_DIGITS, mobile_key};
pub(crate) use super::keys::{MobileKey, SpendKey};
pub(crate) use super::text_index::TextColumn;
use crate::calendar::YearMonth;
use crate::customer::{Customer, CustomerLevel};
use crate::ids::IdMap as HashMap;
use crate::ids::{OperatorId, ResellerId, Tag};
use crate::model::association::AssociationType;
use crate::model::freeze::{FreezeOrigin, FreezeScope, FreezeState};
use crate::model::packed::ResourceFacts;
use crate::sorted::{Bits, BlockSummary, SortedBlocks};
use chrono::{DateTime, Utc};
use roaring::RoaringBitmap;
use rust_decimal::Decimal;
use std::hash::Hash;

use super::keys::mtd_of_key;
pub(crate) use super::keys::{KEY_SCALE, money_key};

/// The scale of a month-to-date value kept in `Index::mtd_exact` instead (no `Decimal` has
/// it: their scale is at most 28).
const MTD_ELSEWHERE: u8 = u8::MAX;

fn bm_insert<K: Eq + Hash + Clone>(map: &mut HashMap<K, RoaringBitmap>, k: &K, slot: u32) {
    // The key is copied only the first time it is seen.
    match map.get_mut(k) {
        Some(b) => {
            b.insert(slot);
        }
        None => {
            map.insert(k.clone(), RoaringBitmap::from_iter([slot]));
        }
    }
}

fn bm_remove<K: Eq + Hash>(map: &mut HashMap<K, RoaringBitmap>, k: &K, slot: u32) {
    if let Some(b) = map.get_mut(k) {
        b.remove(slot);
        if b.is_empty() {
            map.remove(k);
        }
    }
}

/// Puts `slot` in (`on`) or takes it out of the bitmap of `k`.
fn bm_set<K: Eq + Hash + Clone>(map: &mut HashMap<K, RoaringBitmap>, k: &K, slot: u32, on: bool) {
    if on {
        bm_insert(map, k, slot);
    } else {
        bm_remove(map, k, slot);
    }
}

/// Puts `slot` in (`on`) or takes it out of a set kept both as a bitmap and as bits.
fn set_both(bitmap: &mut RoaringBitmap, bits: &mut Bits, slot: u32, on: bool) {
    if on {
        bitmap.insert(slot);
        bits.insert(slot);
    } else {
        bitmap.remove(slot);
        bits.remove(slot);
    }
}

/// The freeze bucket of a customer: `None` when not frozen.
pub(crate) fn freeze_key(f: &FreezeState) -> Option<(FreezeScope, FreezeOrigin)> {
    f.freeze().map(|f| (f.scope.clone(), f.origin.clone()))
}

/// The key of a customer's mobile number. A stored number has 1 to 20 digits (validation);
/// anything else is indexed under the key of its last 20 digits, so as never to panic.
fn mobile_of(c: &Customer) -> Option<MobileKey> {
    c.mobile.as_ref().map(|m| {
        let number = &m.expose().number;
        mobile_key(number).unwrap_or_else(|| {
            let mut digits: Vec<char> = number
                .chars()
                .rev()
                .filter(char::is_ascii_digit)
                .take(MOBILE_DIGITS)
                .collect();
            digits.reverse();
            mobile_key(&digits.into_iter().collect::<String>()).unwrap_or_default()
        })
    })
}

/// A customer's resource facts, read once for its expiries and its renewals (on the stack for
/// the few resources most customers hold).
type Facts<'a> = smallvec::SmallVec<[ResourceFacts<'a>; 8]>;

/// The resources to renew of a customer (its resources' `facts`), for [`Index::renewals`]:
/// `(expiry, position in its resources)` of each resource that counts for expiry and does not
/// renew itself, when the customer is associated (views cover associated customers only); none
/// otherwise.
fn renewals(c: &Customer, facts: &[ResourceFacts<'_>]) -> Vec<(DateTime<Utc>, u32)> {
    if !c.is_associated() {
        return Vec::new();
    }
    facts
        .iter()
        .zip(0u32..)
        .filter(|(r, _)| r.counts && !r.auto_renew)
        .filter_map(|(r, i)| r.expires_at.map(|e| (e, i)))
        .collect()
}

/// A customer's expiries that count ([`Customer::next_expiry`]), from its resources' facts,
/// ascending, each once.
fn expiries(facts: &[ResourceFacts<'_>]) -> Box<[DateTime<Utc>]> {
    let mut ex: smallvec::SmallVec<[DateTime<Utc>; 8]> = facts
        .iter()
        .filter(|r| r.counts)
        .filter_map(|r| r.expires_at)
        .collect();
    ex.sort_unstable();
    ex.dedup();
    Box::from(&ex[..])
}

/// Every index of the desk.
#[derive(Debug, Clone)]
pub(crate) struct Index {
    /// The billing month of the `mtd` column.
    pub(crate) month: YearMonth,
    pub(crate) live: RoaringBitmap,
    pub(crate) associated: RoaringBitmap,
    /// `live` and `associated` again as dense bits, for checking candidates one by one.
    pub(crate) live_bits: Bits,
    pub(crate) associated_bits: Bits,
    pub(crate) by_manager: HashMap<OperatorId, RoaringBitmap>,
    pub(crate) no_manager: RoaringBitmap,
    pub(crate) by_tag: HashMap<Tag, RoaringBitmap>,
    pub(crate) by_assoc: HashMap<AssociationType, RoaringBitmap>,
    pub(crate) not_frozen: RoaringBitmap,
    pub(crate) by_scope: HashMap<FreezeScope, RoaringBitmap>,
    pub(crate) by_origin: HashMap<FreezeOrigin, RoaringBitmap>,
    pub(crate) by_reseller: HashMap<ResellerId, RoaringBitmap>,
    pub(crate) by_level: HashMap<CustomerLevel, RoaringBitmap>,
    pub(crate) budgeted: RoaringBitmap,
    /// `(mobile key, slot)` of every customer with a mobile number (see [`MobileKey`]).
    pub(crate) mobile_rev: SortedBlocks<(MobileKey, u32)>,
    /// Month-to-date spend of each slot for `month`, as exact fixed-point keys (see
    /// [`money_key`]), for fast comparisons and sorts; with `mtd_scale`, the value itself
    /// (see [`Index::mtd`]).
    pub(crate) mtd_key: Vec<i128>,
    /// The scale of each slot's month-to-date value (its key and scale give it back exactly:
    /// 17 bytes a slot instead of 32 with the `Decimal` beside its key), or [`MTD_ELSEWHERE`].
    mtd_scale: Vec<u8>,
    /// The values their key and scale do not give back bit for bit (more than 8 decimals, or
    /// a negative zero: validated spend gives none), by slot.
    mtd_exact: HashMap<u32, Decimal>,
    pub(crate) mtd_sorted: SortedBlocks<(Decimal, u32)>,
    /// Month-to-date keys of each account manager's associated customers, ordered: "a
    /// manager's customers in a spend range, by spend" is one range scan that yields the sort
    /// key too, and its size is counted from the block lengths without visiting the entries.
    pub(crate) by_manager_mtd: HashMap<OperatorId, SortedBlocks<(SpendKey, u32)>>,
    /// Every expiry that counts of the live customers, `(expiry, slot)` ascending, each entry
    /// with the day of its customer's previous expiry and its association (see
    /// [`super::expiry`]).
    pub(crate) expiries: SortedBlocks<(Expiry, u32), NextCount>,
    /// The same expiries per slot, ascending: the next expiry at any `now` is one binary search
    /// away, without touching the customer.
    pub(crate) slot_expiries: Vec<Box<[DateTime<Utc>]>>,
    /// Every resource to renew of the associated customers, `(expiry, slot, position in the
    /// customer's resources)`, ascending: "what the portfolio must renew in the next N days"
    /// is one range, counted from the block lengths and read only as far as the page.
    pub(crate) renewals: SortedBlocks<(DateTime<Utc>, u32, u32)>,
    pub(crate) associated_at: SortedBlocks<(DateTime<Utc>, u32)>,
    pub(crate) names: TextColumn,
    pub(crate) accounts: TextColumn,
    /// Set while [`Index::add_many`] runs: entries of the ordered sets are staged, and sorted
    /// in once at its end.
    staging: bool,
}

/// Adds an entry to an ordered set, or stages it during a bulk load (see `Index::staging`).
fn put<T: Ord + Copy, S: BlockSummary<T>>(staging: bool, set: &mut SortedBlocks<T, S>, x: T) {
    if staging {
        set.stage(x);
    } else {
        set.insert(x);
    }
}

impl Index {
    pub(crate) fn new(month: YearMonth) -> Self {
        Index {
            month,
            live: RoaringBitmap::new(),
            associated: RoaringBitmap::new(),
            live_bits: Bits::default(),
            associated_bits: Bits::default(),
            by_manager: HashMap::default(),
            no_manager: RoaringBitmap::new(),
            by_tag: HashMap::default(),
            by_assoc: HashMap::default(),
            not_frozen: RoaringBitmap::new(),
            by_scope: HashMap::default(),
            by_origin: HashMap::default(),
            by_reseller: HashMap::default(),
            by_level: HashMap::default(),
            budgeted: RoaringBitmap::new(),
            mobile_rev: SortedBlocks::default(),
            mtd_scale: Vec::new(),
            mtd_exact: HashMap::default(),
            mtd_key: Vec::new(),
            mtd_sorted: SortedBlocks::default(),
            by_manager_mtd: HashMap::default(),
            expiries: SortedBlocks::default(),
            slot_expiries: Vec::new(),
            renewals: SortedBlocks::default(),
            associated_at: SortedBlocks::default(),
            names: TextColumn::with_words(),
            accounts: TextColumn::default(),
            staging: false,
        }
    }

    /// The estimated heap bytes of each index, by name (see [`crate::memory`]).
    pub(crate) fn memory(&self) -> Vec<(&'static str, usize)> {
        let mut r = Vec::new();
        let mut add = |name, bytes| r.push((name, bytes));
        use crate::model::heap::{bitmap_bytes, bitmaps_bytes, map_bytes, vec_bytes};
        add(
            "index.sets",
            [
                &self.live,
                &self.associated,
                &self.no_manager,
                &self.not_frozen,
                &self.budgeted,
            ]
            .into_iter()
            .map(bitmap_bytes)
            .sum::<usize>()
                + self.live_bits.heap_bytes()
                + self.associated_bits.heap_bytes(),
        );
        add("index.by_manager", bitmaps_bytes(&self.by_manager));
        add("index.by_tag", bitmaps_bytes(&self.by_tag));
        add(
            "index.by_other",
            bitmaps_bytes(&self.by_assoc)
                + bitmaps_bytes(&self.by_scope)
                + bitmaps_bytes(&self.by_origin)
                + bitmaps_bytes(&self.by_reseller)
                + bitmaps_bytes(&self.by_level),
        );
        add("index.mobile_rev", self.mobile_rev.heap_bytes());
        add(
            "index.mtd",
            vec_bytes(&self.mtd_key) + vec_bytes(&self.mtd_scale) + map_bytes(&self.mtd_exact),
        );
        add("index.mtd_sorted", self.mtd_sorted.heap_bytes());
        add(
            "index.by_manager_mtd",
            map_bytes(&self.by_manager_mtd)
                + self
                    .by_manager_mtd
                    .values()
                    .map(SortedBlocks::heap_bytes)
                    .sum::<usize>(),
        );
        add("index.expiries", self.expiries.heap_bytes());
        add(
            "index.slot_expiries",
            vec_bytes(&self.slot_expiries)
                + self
                    .slot_expiries
                    .iter()
                    .map(|b| std::mem::size_of_val::<[DateTime<Utc>]>(b))
                    .sum::<usize>(),
        );
        add("index.renewals", self.renewals.heap_bytes());
        add("index.associated_at", self.associated_at.heap_bytes());
        let (names, name_grams, name_words) = self.names.heap_bytes();
        add("index.names", names);
        add("index.names.trigrams", name_grams);
        add("index.names.words", name_words);
        let (accounts, account_grams, _) = self.accounts.heap_bytes();
        add("index.accounts", accounts);
        add("index.accounts.trigrams", account_grams);
        r
    }

    /// Makes room in the per-slot columns for slots below `slots`.
    pub(crate) fn reserve(&mut self, slots: usize) {
        let more = |len: usize| slots.saturating_sub(len);
        self.mtd_scale.reserve(more(self.mtd_scale.len()));
        self.mtd_key.reserve(more(self.mtd_key.len()));
        self.slot_expiries.reserve(more(self.slot_expiries.len()));
        self.names.reserve(slots);
        self.accounts.reserve(slots);
    }

    /// Indexes a customer in a free slot.
    pub(crate) fn add(&mut self, slot: u32, c: &Customer) {
        self.add_but_text(slot, c);
        self.names.set(slot, c.name.expose());
        self.accounts.set(slot, c.account_name.expose());
    }

    /// Indexes the customers of free slots (a snapshot load): [`Index::add`] for each, the
    /// ordered sets sorted once at the end, the text columns filled in bulk
    /// ([`TextColumn::set_many`]). `placed` yields each customer with its slot, in ascending
    /// slot order; it may be called more than once.
    ///
    /// The work is shared by two threads ([`crate::par::both`]): a second thread fills the
    /// names' and the accounts' columns while this one runs `first` (the caller's own bulk
    /// work: the desk records the ids there) and then the rest of the indexes; the sorts at the
    /// end are left to [`Index::settle_staged`], which the caller runs next. When `first`
    /// returns false nothing is indexed but the text columns: the caller drops the desk.
    pub(crate) fn add_many<'a, I: Iterator<Item = (u32, &'a Customer)>>(
        &mut self,
        placed: impl Fn() -> I + Sync,
        first: impl FnOnce() -> bool,
    ) {
        let mut names = std::mem::take(&mut self.names);
        let mut accounts = std::mem::take(&mut self.accounts);
        crate::par::both(
            || {
                names.set_many(placed().map(|(slot, c)| (slot, c.name.expose().as_str())));
                accounts
                    .set_many(placed().map(|(slot, c)| (slot, c.account_name.expose().as_str())));
            },
            || {
                if first() {
                    self.staging = true;
                    for (slot, c) in placed() {
                        self.add_but_text(slot, c);
                    }
                    self.staging = false;
                }
            },
        );
        self.names = names;
        self.accounts = accounts;
    }

    /// Sorts the ordered sets [`Index::add_many`] staged, and runs `also` (the caller's own
    /// sort: the desk's id order), as jobs that two threads take in turn, the longest first, so
    /// that both stay busy to the end: at a million customers the expiries (about 1.4 entries
    /// a customer), the month-to-date set, `also`, the association instants, the mobile
    /// numbers, the renewals, then the managers' sets. (Shared as two fixed halves, one thread
    /// waited for the other, and the id order was sorted after both, on one thread: 0.12 s at
    /// 1M.)
    pub(crate) fn settle_staged(&mut self, also: impl FnOnce() + Send) {
        let Index {
            expiries,
            mtd_sorted,
            associated_at,
            mobile_rev,
            renewals,
            by_manager_mtd,
            ..
        } = self;
        let jobs: Vec<crate::par::Job<'_>> = vec![
            Box::new(|| expiries.settle()),
            Box::new(|| mtd_sorted.settle()),
            Box::new(also),
            Box::new(|| associated_at.settle()),
            Box::new(|| mobile_rev.settle()),
            Box::new(|| renewals.settle()),
            Box::new(|| by_manager_mtd.values_mut().for_each(SortedBlocks::settle)),
        ];
        crate::par::each(jobs);
    }

    /// [`Index::add`] but for the text columns.
    fn add_but_text(&mut self, slot: u32, c: &Customer) {
        // The month-to-date spend first, while the slot is not live yet: its manager's
        // spend-ordered set then takes the slot with its final key.
        self.set_mtd(slot, c.month_spend(self.month), c.account_manager.as_ref());
        self.set_memberships(slot, c, true);
        // The resources read once for the expiries and the renewals.
        let facts: Facts<'_> = c.resources.facts().collect();
        self.set_slot_expiries(slot, expiries(&facts));
        self.put_expiry_entries(slot, c.is_associated());
        for (at, i) in renewals(c, &facts) {
            put(self.staging, &mut self.renewals, (at, slot, i));
        }
    }

    /// Drops a customer from every index.
    pub(crate) fn remove(&mut self, slot: u32, c: &Customer) {
        self.set_memberships(slot, c, false);
        if (slot as usize) < self.mtd_key.len() {
            self.mtd_sorted.remove(&(self.mtd(slot), slot));
        }
        self.remove_expiry_entries(slot);
        self.set_slot_expiries(slot, Box::default());
        self.set_renewals(slot, c, false);
        self.names.remove(slot);
        self.accounts.remove(slot);
    }

    /// Puts a customer's slot in (`on`) or takes it out of the sets that hold it: live, its
    /// association, manager, tags, freeze bucket, level, budgeted and reversed mobile digits.
    fn set_memberships(&mut self, slot: u32, c: &Customer, on: bool) {
        set_both(&mut self.live, &mut self.live_bits, slot, on);
        self.set_association(slot, c, on);
        self.set_manager(slot, c.account_manager.as_ref(), on);
        for t in &c.tags {
            bm_set(&mut self.by_tag, t, slot, on);
        }
        self.set_freeze(slot, freeze_key(&c.freeze), on);
        bm_set(&mut self.by_level, &c.level, slot, on);
        if !on {
            self.budgeted.remove(slot);
        } else if c.budget.is_some() {
            self.budgeted.insert(slot);
        }
        if let Some(k) = mobile_of(c) {
            if on {
                put(self.staging, &mut self.mobile_rev, (k, slot));
            } else {
                self.mobile_rev.remove(&(k, slot));
            }
        }
    }

    /// Re-indexes a changed customer, touching only what changed.
    pub(crate) fn update(&mut self, slot: u32, old: &Customer, new: &Customer) {
        if old.association != new.association {
            self.set_association(slot, old, false);
            self.set_association(slot, new, true);
        }
        if old.account_manager != new.account_manager {
            self.set_manager(slot, old.account_manager.as_ref(), false);
            self.set_manager(slot, new.account_manager.as_ref(), true);
        }
        if old.tags != new.tags {
            for t in old.tags.difference(&new.tags) {
                bm_remove(&mut self.by_tag, t, slot);
            }
            for t in new.tags.difference(&old.tags) {
                bm_insert(&mut self.by_tag, t, slot);
            }
        }
        let (f_old, f_new) = (freeze_key(&old.freeze), freeze_key(&new.freeze));
        if f_old != f_new {
            self.set_freeze(slot, f_old, false);
            self.set_freeze(slot, f_new, true);
        }
        if old.level != new.level {
            bm_remove(&mut self.by_level, &old.level, slot);
            bm_insert(&mut self.by_level, &new.level, slot);
        }
        if new.budget.is_some() {
            self.budgeted.insert(slot);
        } else {
            self.budgeted.remove(slot);
        }
        let (mo, mn) = (mobile_of(old), mobile_of(new));
        if mo != mn {
            if let Some(k) = mo {
                self.mobile_rev.remove(&(k, slot));
            }
            if let Some(k) = mn {
                self.mobile_rev.insert((k, slot));
            }
        }
        let mtd = new.month_spend(self.month);
        if (slot as usize) >= self.mtd_key.len() || self.mtd(slot) != mtd {
            self.set_mtd(slot, mtd, new.account_manager.as_ref());
        }
        if old.resources != new.resources || old.is_associated() != new.is_associated() {
            // Every expiry entry of the customer carries its previous expiry and its
            // association: they are made again, as are its resources to renew.
            self.remove_expiry_entries(slot);
            self.set_slot_expiries(
                slot,
                expiries(&new.resources.facts().collect::<Facts<'_>>()),
            );
            self.put_expiry_entries(slot, new.is_associated());
            self.set_renewals(slot, old, false);
            self.set_renewals(slot, new, true);
        }
        if old.name != new.name {
            self.names.set(slot, new.name.expose());
        }
        if old.account_name != new.account_name {
            self.accounts.set(slot, new.account_name.expose());
        }
    }

    /// Puts a customer's resources to renew in (`on`) or takes them out of [`Index::renewals`].
    fn set_renewals(&mut self, slot: u32, c: &Customer, on: bool) {
        for (at, i) in renewals(c, &c.resources.facts().collect::<Facts<'_>>()) {
            if on {
                put(self.staging, &mut self.renewals, (at, slot, i));
            } else {
                self.renewals.remove(&(at, slot, i));
            }
        }
    }

    /// Sets a slot's expiries (ascending, each once: [`expiries`]).
    fn set_slot_expiries(&mut self, slot: u32, ex: Box<[DateTime<Utc>]>) {
        let s = slot as usize;
        if self.slot_expiries.len() <= s {
            self.slot_expiries.resize(s + 1, Box::default());
        }
        self.slot_expiries[s] = ex;
    }

    /// Puts a slot's entries in the expiry index, from its expiries in
    /// [`Index::slot_expiries`].
    fn put_expiry_entries(&mut self, slot: u32, associated: bool) {
        let ex = self.slot_expiries.get(slot as usize).map_or(&[][..], |e| e);
        for e in super::expiry::entries(ex, associated) {
            put(self.staging, &mut self.expiries, (e, slot));
        }
    }

    /// Takes a slot's entries out of the expiry index (found by instant and slot).
    fn remove_expiry_entries(&mut self, slot: u32) {
        let ex = self.slot_expiries.get(slot as usize).map_or(&[][..], |e| e);
        for &e in ex {
            self.expiries.remove(&(Expiry::bound(e), slot));
        }
    }

    /// The earliest expiry at or after `now` of a slot (the same as
    /// [`Customer::next_expiry`], from the index).
    /// The slot's first expiry's day number, or zero: read to bring its expiries into the
    /// cache ahead of [`Index::next_expiry`] (see [`crate::Desk`]'s rows).
    pub(crate) fn first_expiry_day(&self, slot: u32) -> i32 {
        use chrono::Datelike;
        self.slot_expiries
            .get(slot as usize)
            .and_then(|ex| ex.first())
            .map_or(0, |e| e.num_days_from_ce())
    }

    pub(crate) fn next_expiry(&self, slot: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let ex = self.slot_expiries.get(slot as usize)?;
        ex.get(ex.partition_point(|e| *e < now)).copied()
    }

    /// The month-to-date spend of a slot, exactly as it was set (zero for a slot never set).
    pub(crate) fn mtd(&self, slot: u32) -> Decimal {
        let s = slot as usize;
        match (self.mtd_key.get(s), self.mtd_scale.get(s)) {
            (Some(_), Some(&MTD_ELSEWHERE)) => {
                self.mtd_exact.get(&slot).copied().unwrap_or_default()
            }
            (Some(&key), Some(&scale)) => mtd_of_key(key, scale),
            _ => Decimal::ZERO,
        }
    }

    /// Sets the month-to-date spend of a slot whose current account manager is `manager`.
    pub(crate) fn set_mtd(&mut self, slot: u32, value: Decimal, manager: Option<&OperatorId>) {
        let s = slot as usize;
        if self.mtd_key.len() <= s {
            self.mtd_scale.resize(s + 1, 0);
            self.mtd_key.resize(s + 1, 0);
        }
        // A slot that is not live has no entry in the spend sets (taking a customer out takes
        // its entries out), so there is nothing to take out.
        let live = self.live_bits.contains(slot);
        if live {
            self.mtd_sorted.remove(&(self.mtd(slot), slot));
        }
        let key = money_key(value).floor;
        if live
            && let Some(set) = manager.and_then(|m| self.by_manager_mtd.get_mut(m))
            && set.remove(&(SpendKey::from(self.mtd_key[s]), slot))
        {
            set.insert((SpendKey::from(key), slot));
        }
        self.mtd_key[s] = key;
        let scale = value.scale();
        let exact = u8::try_from(scale)
            .ok()
            .filter(|s| *s != MTD_ELSEWHERE)
            .filter(|s| mtd_of_key(key, *s).serialize() == value.serialize());
        if self.mtd_scale[s] == MTD_ELSEWHERE {
            self.mtd_exact.remove(&slot);
        }
        match exact {
            Some(scale) => self.mtd_scale[s] = scale,
            None => {
                self.mtd_scale[s] = MTD_ELSEWHERE;
                self.mtd_exact.insert(slot, value);
            }
        }
        put(self.staging, &mut self.mtd_sorted, (value, slot));
    }

    fn set_association(&mut self, slot: u32, c: &Customer, on: bool) {
        let a = &c.association;
        // An ended association is indexed as not associated; taking it out is always safe.
        if !on || a.ended.is_none() {
            set_both(&mut self.associated, &mut self.associated_bits, slot, on);
            if let Some(m) = &c.account_manager {
                self.manager_mtd(m, slot, on);
            }
        }
        bm_set(&mut self.by_assoc, &a.kind, slot, on);
        if let Some(r) = &a.reseller {
            bm_set(&mut self.by_reseller, r, slot, on);
        }
        if on {
            put(self.staging, &mut self.associated_at, (a.since, slot));
        } else {
            self.associated_at.remove(&(a.since, slot));
        }
    }

    pub(crate) fn set_manager(&mut self, slot: u32, m: Option<&OperatorId>, on: bool) {
        match (m, on) {
            (Some(m), true) => {
                bm_insert(&mut self.by_manager, m, slot);
                if self.associated_bits.contains(slot) {
                    self.manager_mtd(m, slot, true);
                }
            }
            (Some(m), false) => {
                bm_remove(&mut self.by_manager, m, slot);
                self.manager_mtd(m, slot, false);
            }
            (None, true) => {
                self.no_manager.insert(slot);
            }
            (None, false) => {
                self.no_manager.remove(slot);
            }
        }
    }

    /// Enters or drops a slot in its manager's spend-ordered set (associated customers only).
    fn manager_mtd(&mut self, m: &OperatorId, slot: u32, on: bool) {
        let key = (
            SpendKey::from(self.mtd_key.get(slot as usize).copied().unwrap_or(0)),
            slot,
        );
        if on {
            match self.by_manager_mtd.get_mut(m) {
                Some(set) => put(self.staging, set, key),
                None => {
                    let mut set = SortedBlocks::default();
                    put(self.staging, &mut set, key);
                    self.by_manager_mtd.insert(m.clone(), set);
                }
            }
        } else if let Some(set) = self.by_manager_mtd.get_mut(m) {
            set.remove(&key);
            if set.is_empty() {
                self.by_manager_mtd.remove(m);
            }
        }
    }

    pub(crate) fn set_freeze(
        &mut self,
        slot: u32,
        key: Option<(FreezeScope, FreezeOrigin)>,
        on: bool,
    ) {
        match (key, on) {
            (None, true) => {
                self.not_frozen.insert(slot);
            }
            (None, false) => {
                self.not_frozen.remove(slot);
            }
            (Some((s, o)), true) => {
                bm_insert(&mut self.by_scope, &s, slot);
                bm_insert(&mut self.by_origin, &o, slot);
            }
            (Some((s, o)), false) => {
                bm_remove(&mut self.by_scope, &s, slot);
                bm_remove(&mut self.by_origin, &o, slot);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The month-to-date column gives back every value bit for bit, scale and sign included.
        #[test]
        fn mtd_values_come_back_exactly(mantissas in prop::collection::vec((any::<i64>(), 0u32..=28), 1..30)) {
            let mut ix = Index::new(YearMonth::new(2026, 11).unwrap_or_else(|_| unreachable!()));
            let mut want = Vec::new();
            for (slot, (m, scale)) in mantissas.iter().enumerate() {
                let d = Decimal::new(*m, *scale);
                ix.set_mtd(slot as u32, d, None);
                want.push(d);
            }
            // Set again over the first values (an exact value replacing a kept one and back).
            let d = Decimal::new(150, 2);
            ix.set_mtd(0, d, None);
            want[0] = d;
            for (slot, d) in want.iter().enumerate() {
                prop_assert_eq!(ix.mtd(slot as u32).serialize(), d.serialize());
            }
            prop_assert_eq!(ix.mtd(want.len() as u32), Decimal::ZERO);
        }
    }

    #[test]
    fn mtd_values_a_key_cannot_give_back_are_kept_apart() {
        let mut ix = Index::new(YearMonth::new(2026, 11).unwrap_or_else(|_| unreachable!()));
        let mut negative_zero = Decimal::new(0, 3);
        negative_zero.set_sign_negative(true);
        let tiny = Decimal::new(-1, 12);
        ix.set_mtd(3, negative_zero, None);
        ix.set_mtd(4, tiny, None);
        ix.set_mtd(5, Decimal::new(12_345, 8), None);
        assert_eq!(ix.mtd(3).serialize(), negative_zero.serialize());
        assert_eq!(ix.mtd(4).serialize(), tiny.serialize());
        assert_eq!(ix.mtd(5).serialize(), Decimal::new(12_345, 8).serialize());
        // The two values a key and scale cannot give back are kept apart, and only they.
        assert_eq!(
            ix.mtd_exact.len(),
            1 + usize::from(negative_zero.is_sign_negative())
        );
        ix.set_mtd(3, Decimal::ONE, None);
        ix.set_mtd(4, Decimal::ONE, None);
        assert!(ix.mtd_exact.is_empty());
        assert_eq!(ix.mtd(4), Decimal::ONE);
    }
}
