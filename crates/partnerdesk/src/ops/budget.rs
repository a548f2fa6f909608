//! Budgets as operations: the validated setting, usage and evaluation (thresholds, forecast,
//! auto-freeze), and how the budget events change the desk (the budget and its records are
//! values of [`crate::model::budget`]).

use crate::error::{Error, Result};
use crate::ids::CustomerId;
pub use crate::model::budget::{
    Budget, BudgetKind, BudgetOperation, BudgetRecord, MAX_BUDGET, default_thresholds, percent,
};
use crate::money::Money;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// A validated budget setting: amount in (0, 2147483647] with at most 2 decimals, monthly or
/// one-off, whether reaching 100% freezes the account, whether to unfreeze in the same call,
/// and the usage thresholds (default 80% and 100%).
///
/// Why a value type: the Huawei adapter builds `UpdateSubCustomerBudget` from exactly this
/// value (`budget_amount`, `budget_type`, `frozen_operate_type`, `cancel_partner_frozen`), so
/// a setting the domain refuses never becomes a request. The currency is checked against the
/// partner's when the setting is applied.
///
/// ```
/// use partnerdesk::{BudgetKind, Currency, Money, Decimal, budget::BudgetSetting};
/// let s = BudgetSetting::new(Money::new(Decimal::new(500000, 2), Currency::CNY), BudgetKind::Monthly, true, false)?;
/// assert!(s.auto_freeze());
/// let zero = BudgetSetting::new(Money::zero(Currency::CNY), BudgetKind::Monthly, false, false);
/// assert_eq!(zero.err().map(|e| e.code()), Some("INVALID_MONEY"));
/// # Ok::<(), partnerdesk::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BudgetSetting {
    amount: Money,
    kind: BudgetKind,
    auto_freeze: bool,
    unfreeze: bool,
    thresholds: Vec<Decimal>,
}

impl BudgetSetting {
    /// Validates a setting. Refuses an amount out of (0, 2147483647] or with more than 2
    /// decimals (`INVALID_MONEY`) and a kind other than monthly or one-off (`INVALID_ARGUMENT`).
    pub fn new(amount: Money, kind: BudgetKind, auto_freeze: bool, unfreeze: bool) -> Result<Self> {
        crate::validate::budget_amount("budget_amount", amount.amount)
            .map_err(|(field, reason)| Error::invalid_money(field, reason))?;
        if !matches!(kind, BudgetKind::Monthly | BudgetKind::OneOff) {
            return Err(Error::invalid_arg(
                "budget_type",
                "must be monthly or one_off",
            ));
        }
        Ok(BudgetSetting {
            amount,
            kind,
            auto_freeze,
            unfreeze,
            thresholds: default_thresholds(),
        })
    }

    /// The same setting with other usage thresholds (percent, each in (0, 1000], at least one;
    /// sorted and de-duplicated).
    pub fn with_thresholds(
        mut self,
        thresholds: impl IntoIterator<Item = Decimal>,
    ) -> Result<Self> {
        let mut t: Vec<Decimal> = thresholds.into_iter().map(|d| d.normalize()).collect();
        crate::validate::thresholds("thresholds", &t)
            .map_err(|(field, reason)| Error::invalid_arg(field, reason))?;
        t.sort();
        t.dedup();
        self.thresholds = t;
        Ok(self)
    }

    /// The amount (a target, not a delta).
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// Monthly or one-off.
    pub fn kind(&self) -> &BudgetKind {
        &self.kind
    }

    /// Whether reaching 100% freezes the account (Huawei `frozen_operate_type` 1).
    pub fn auto_freeze(&self) -> bool {
        self.auto_freeze
    }

    /// Whether to unfreeze the account in the same call (Huawei `cancel_partner_frozen` "1").
    pub fn unfreeze(&self) -> bool {
        self.unfreeze
    }

    /// The usage thresholds in percent.
    pub fn thresholds(&self) -> &[Decimal] {
        &self.thresholds
    }

    /// The budget this setting puts in force.
    pub(crate) fn to_budget(&self, set_at: DateTime<Utc>, set_by: String) -> Budget {
        Budget {
            kind: self.kind.clone(),
            amount: self.amount,
            set_at,
            set_by,
            auto_freeze: self.auto_freeze,
            thresholds: self.thresholds.clone(),
        }
    }
}

/// A customer's budget usage at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BudgetUsage {
    /// The budget in force.
    pub budget: Budget,
    /// Spend counted against it.
    pub used: Money,
    /// Unpaid orders placed on the customer's behalf in the budget period (committed, not yet
    /// billed).
    pub committed: Money,
    /// `budget - used - committed` (may be negative).
    pub remaining: Money,
    /// `used / budget * 100`, 2 decimals.
    pub percent: Decimal,
}

impl crate::desk::Desk {
    /// Sets (not adds) a reseller-model customer's budget; with [`BudgetSetting::unfreeze`] it
    /// also unfreezes the account in the same call.
    ///
    /// Needs `BPC_ITEM_SUBCUSTSERV_010111` (a reseller's customer: `…010503`), and the
    /// freeze item too when unfreezing. Refuses a customer not associated (`NOT_ASSOCIATED`),
    /// a referral customer (`WRONG_ASSOCIATION_TYPE`) and an amount in another currency than
    /// the partner's (`CURRENCY_MISMATCH`). Each setting is a budget record; the threshold marks
    /// of the previous budget are cleared.
    pub fn set_budget(
        &mut self,
        inv: &crate::invocation::Invocation,
        customer: &CustomerId,
        setting: &BudgetSetting,
    ) -> Result<()> {
        use crate::event::EventKind;
        use crate::model::access::Permission;
        let (actor, now) = (inv.actor(), inv.now());
        let gate = |d: &crate::desk::Desk| {
            d.authorize(actor, Permission::SetBudget, Some(customer))?;
            if setting.unfreeze {
                d.authorize(actor, Permission::FreezeUnfreeze, Some(customer))?;
            }
            Ok(())
        };
        let cmd = crate::command::Command::single(inv, "set_budget", Some(customer), &gate);
        let describe = || {
            format!(
                "{} {} auto_freeze {} unfreeze {}",
                setting.kind, setting.amount, setting.auto_freeze, setting.unfreeze
            )
        };
        self.run(cmd, describe, |desk| {
            let c = desk.customer(customer)?;
            desk.authorize(actor, Permission::SetBudget, Some(customer))?;
            if setting.unfreeze {
                desk.authorize(actor, Permission::FreezeUnfreeze, Some(customer))?;
            }
            if !c.is_associated() {
                return Err(Error::NotAssociated {
                    id: customer.to_string(),
                });
            }
            if !c.association.is_reseller_model() {
                return Err(Error::WrongAssociationType {
                    id: customer.to_string(),
                });
            }
            setting.amount.require_currency(desk.partner.currency)?;
            let unfreeze = if setting.unfreeze {
                c.freeze.scope().cloned()
            } else {
                None
            };
            let budget = setting.to_budget(now, actor.login());
            desk.emit(
                actor,
                Some(customer),
                EventKind::BudgetSet {
                    budget: Box::new(budget),
                },
                now,
            )?;
            if let Some(scope) = unfreeze {
                desk.emit(actor, Some(customer), EventKind::Unfrozen { scope }, now)?;
            }
            Ok(())
        })
    }

    /// The budget records (settings and deletions) of a customer, oldest first.
    pub fn budget_records(&self, customer: &CustomerId) -> Vec<&BudgetRecord> {
        self.ledger
            .budget_records
            .iter()
            .filter(|r| &r.customer == customer)
            .collect()
    }

    /// A customer's budget usage at `now` (`None` without a budget).
    pub fn budget_usage(
        &self,
        customer: &CustomerId,
        now: DateTime<Utc>,
    ) -> Result<Option<BudgetUsage>> {
        let c = self.customer(customer)?;
        let Some(b) = &c.budget else {
            return Ok(None);
        };
        let off = self.partner.billing_offset;
        let used = b.used(c, now, off);
        let period_start = match b.kind {
            BudgetKind::OneOff => off.start_of_day(off.day_of(b.set_at)),
            _ => off.start_of_day(off.month_of(now).first_day()),
        };
        // Every amount on the desk passed `validate` (orders and spend records at most 10^15
        // each), so these sums stay far inside the decimal range for any number of records a
        // desk can hold; they are checked all the same, and an overflow is a typed error.
        let overflow = || Error::invalid_money("budget_usage", "the sum overflows");
        let committed = c
            .orders
            .facts()
            .filter(|o| o.unpaid && o.placed && o.created_at >= period_start)
            .try_fold(Decimal::ZERO, |sum, o| sum.checked_add(o.amount.amount))
            .ok_or_else(overflow)?;
        let remaining = b
            .amount
            .amount
            .checked_sub(used)
            .and_then(|r| r.checked_sub(committed))
            .ok_or_else(overflow)?;
        let cur = self.partner.currency;
        Ok(Some(BudgetUsage {
            budget: Budget::clone(b),
            used: Money::new(used, cur),
            committed: Money::new(committed, cur),
            remaining: Money::new(remaining, cur),
            percent: percent(used, b.amount.amount),
        }))
    }

    /// Evaluates one customer's budget at `now` (the host calls it after loading new spend)
    /// and emits, as the system: a threshold-crossing event for each threshold reached and not
    /// yet reported in the budget period; a forecast event when the month's spend so far,
    /// projected to month end, reaches 100% (monthly budgets); and, with auto-freeze on, a
    /// freeze (scope account, origin budget) when 100% is reached. Each fires once per period
    /// (monthly: the billing month; one-off: the budget's life; a new setting starts afresh).
    /// Returns the events emitted.
    pub fn evaluate_budget(
        &mut self,
        customer: &CustomerId,
        now: DateTime<Utc>,
    ) -> Result<Vec<crate::event::Event>> {
        let slot = self.slot_of(customer)?;
        let first = self.ledger.events.len();
        self.evaluate_slot(slot, now)?;
        Ok(self.ledger.events[first..].to_vec())
    }

    /// Evaluates every budget at `now` (see [`crate::Desk::evaluate_budget`]); returns how many
    /// events were emitted.
    pub fn evaluate_budgets(&mut self, now: DateTime<Utc>) -> Result<usize> {
        crate::validate::instant("now", now)?;
        let first = self.ledger.events.len();
        for slot in 0..self.slots.len() as u32 {
            if matches!(self.slots.get(slot as usize), Some(Some(c)) if c.budget.is_some()) {
                self.evaluate_slot(slot, now)?;
            }
        }
        Ok(self.ledger.events.len() - first)
    }

    fn evaluate_slot(&mut self, slot: u32, now: DateTime<Utc>) -> Result<()> {
        use crate::event::EventKind;
        use crate::freeze::{Freeze, FreezeOrigin, FreezeScope};
        let off = self.partner.billing_offset;
        let c = self.at(slot);
        let Some(b) = &c.budget else {
            return Ok(());
        };
        if !c.is_associated() {
            return Ok(());
        }
        let month = off.month_of(now);
        let period = match b.kind {
            BudgetKind::OneOff => format!("one_off:{}", b.set_at.format("%Y-%m-%dT%H:%M:%SZ")),
            _ => month.to_string(),
        };
        let used = b.used(c, now, off);
        let pct = percent(used, b.amount.amount);
        let watch = self
            .ledger
            .budget_watch
            .get(&c.id)
            .filter(|w| w.period == period);
        let hundred = Decimal::ONE_HUNDRED;
        let mut marks: Vec<Decimal> = b.thresholds.clone();
        if b.auto_freeze && !marks.contains(&hundred) {
            marks.push(hundred);
        }
        let mut events = Vec::new();
        let mut freeze = false;
        for t in marks {
            if pct >= t && !watch.is_some_and(|w| w.thresholds.contains(&t)) {
                if t == hundred && b.auto_freeze && !c.freeze.is_frozen() {
                    freeze = true;
                }
                events.push(EventKind::BudgetThresholdCrossed {
                    threshold: t,
                    percent: pct,
                    period: period.clone(),
                });
            }
        }
        if b.kind == BudgetKind::Monthly && !watch.is_some_and(|w| w.forecast) {
            let today = off.day_of(now);
            let elapsed =
                Decimal::from(today.signed_duration_since(month.first_day()).num_days() + 1);
            let projected = used
                .checked_mul(Decimal::from(month.days()))
                .and_then(|x| x.checked_div(elapsed))
                .map(|p| p.round_dp(2));
            if let Some(p) = projected.filter(|p| *p >= b.amount.amount) {
                events.push(EventKind::BudgetForecastCrossed {
                    projected: Money::new(p, self.partner.currency),
                    period: period.clone(),
                });
            }
        }
        if freeze && c.association.is_reseller_model() {
            events.push(EventKind::Frozen {
                freeze: Box::new(Freeze {
                    scope: FreezeScope::Account,
                    origin: FreezeOrigin::Budget,
                    reason: "budget used up".to_owned(),
                    by: "system".to_owned(),
                    at: now,
                }),
            });
        }
        if events.is_empty() {
            return Ok(());
        }
        let id = c.id.clone();
        for e in events {
            self.emit(&crate::model::access::Actor::System, Some(&id), e, now)?;
        }
        Ok(())
    }
}

/// Applying budget events (the only place a budget, its records and its alerts change).
impl crate::desk::Desk {
    /// `BudgetSet`: the setting record, the alerts of the period start over, the budget.
    pub(crate) fn apply_budget_set(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        budget: &Budget,
    ) -> Result<()> {
        let id = ev.id()?;
        ev.slot()?;
        self.ledger.budget_records.push(BudgetRecord {
            customer: id.clone(),
            operation: BudgetOperation::Setting,
            amount: budget.amount,
            kind: budget.kind.clone(),
            at: ev.at,
            operator: budget.set_by.clone(),
        });
        self.ledger.budget_watch.remove(id);
        let budget = Box::new(budget.clone());
        ev.governed(self, |g| *g.budget = Some(budget))
    }

    /// `BudgetThresholdCrossed` (with its threshold) or `BudgetForecastCrossed` (`None`): the
    /// alert is not raised again in that period.
    pub(crate) fn apply_budget_crossed(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        period: &str,
        threshold: Option<Decimal>,
    ) -> Result<()> {
        ev.slot()?;
        let watch = self.ledger.watch(ev.id()?, period);
        match threshold {
            Some(t) => {
                watch.thresholds.insert(t);
            }
            None => watch.forecast = true,
        }
        Ok(())
    }
}
