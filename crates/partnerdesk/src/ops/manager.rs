//! Assigning and unassigning account managers: the batch command, its rules, and how its
//! events open and close manager periods ([`crate::model::manager::ManagerPeriod`]).

use crate::ids::{CustomerId, OperatorId};
use crate::model::access::Actor;
pub use crate::model::manager::ManagerPeriod;
use chrono::{DateTime, NaiveDate, Utc};

/// The most customers one assignment call accepts.
pub const MAX_ASSIGN_IDS: usize = 100;

impl crate::desk::Desk {
    /// Assigns (or changes to) an account manager for up to 100 customers, with an outcome per
    /// customer. Needs `PD_ASSIGN_ACCOUNT_MANAGER` (refused as a whole otherwise); the manager
    /// must be an operator of the partner (`OPERATOR_NOT_FOUND`) marked as account manager
    /// (`NOT_ACCOUNT_MANAGER`). Per customer: on the desk, associated (`NOT_ASSOCIATED`), and
    /// not already held by this manager (`INVALID_TRANSITION`). The previous period ends and a
    /// new one begins at `now`.
    pub fn assign_manager(
        &mut self,
        inv: &crate::invocation::Invocation,
        customers: &[CustomerId],
        manager: &OperatorId,
    ) -> crate::error::Result<crate::command::BatchOutcome> {
        self.manager_batch(inv, customers, Some(manager))
    }

    /// Unassigns the account manager of up to 100 customers, with an outcome per customer (a
    /// customer without a manager is `INVALID_TRANSITION`). Same permission as assigning.
    pub fn unassign_manager(
        &mut self,
        inv: &crate::invocation::Invocation,
        customers: &[CustomerId],
    ) -> crate::error::Result<crate::command::BatchOutcome> {
        self.manager_batch(inv, customers, None)
    }

    fn manager_batch(
        &mut self,
        inv: &crate::invocation::Invocation,
        customers: &[CustomerId],
        manager: Option<&OperatorId>,
    ) -> crate::error::Result<crate::command::BatchOutcome> {
        use crate::command::{BatchOutcome, Command};
        use crate::error::Error;
        use crate::event::EventKind;
        use crate::model::access::Permission;
        let (actor, _now) = (inv.actor(), inv.now());
        let kind = if manager.is_some() {
            "assign_manager"
        } else {
            "unassign_manager"
        };
        let gate =
            |d: &crate::desk::Desk| d.authorize(actor, Permission::AssignAccountManager, None);
        let cmd = Command::batch(inv, kind, customers, &gate);
        let describe = || {
            let ids: Vec<&str> = customers.iter().map(|i| i.as_str()).collect();
            format!(
                "manager {} ids {}",
                manager.map_or("-", |m| m.as_str()),
                ids.join(",")
            )
        };
        self.run(cmd, describe, |desk| {
            desk.authorize(actor, Permission::AssignAccountManager, None)?;
            crate::validate::id_count(customers.len(), MAX_ASSIGN_IDS)?;
            if let Some(m) = manager
                && !desk.operator(m)?.account_manager
            {
                return Err(Error::NotAccountManager { id: m.to_string() });
            }
            let mut out = BatchOutcome::default();
            for id in customers {
                let checked = desk.customer(id).and_then(|c| {
                    desk.authorize(actor, Permission::AssignAccountManager, Some(id))?;
                    if !c.is_associated() {
                        return Err(Error::NotAssociated { id: id.to_string() });
                    }
                    match manager {
                        Some(m) if c.account_manager.as_ref() == Some(m) => {
                            Err(Error::InvalidTransition {
                                what: "account manager".to_owned(),
                                state: "assigned to this manager".to_owned(),
                                action: "assign again".to_owned(),
                            })
                        }
                        Some(m) => Ok(EventKind::ManagerAssigned { manager: m.clone() }),
                        None if c.account_manager.is_none() => Err(Error::InvalidTransition {
                            what: "account manager".to_owned(),
                            state: "unassigned".to_owned(),
                            action: "unassign".to_owned(),
                        }),
                        None => Ok(EventKind::ManagerUnassigned),
                    }
                });
                let item = desk.batch_item(
                    inv,
                    kind,
                    id,
                    checked,
                    format!("manager {}", manager.map_or("-", |m| m.as_str())),
                );
                out.items.push(item);
            }
            Ok(out)
        })
    }

    /// The account-manager periods of a customer, oldest first (the current one last, open).
    /// A manager the customer had before the desk recorded any change (imported data) appears
    /// as a period from the association start, once the first change closes it.
    pub fn manager_history(&self, customer: &CustomerId) -> Vec<&ManagerPeriod> {
        self.ledger
            .periods_by_customer
            .get(customer)
            .map(|v| {
                v.iter()
                    .filter_map(|i| self.ledger.manager_periods.get(*i))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The current (open) account-manager period of a customer recorded by the desk, if any.
    pub fn current_manager_period(&self, customer: &CustomerId) -> Option<&ManagerPeriod> {
        self.ledger.current_period(customer)
    }

    /// The manager who held a customer at an instant: from the recorded periods, or, for a
    /// customer whose manager was never changed through the desk, its current manager.
    pub fn manager_at(
        &self,
        customer: &CustomerId,
        at: DateTime<Utc>,
    ) -> crate::error::Result<Option<OperatorId>> {
        let c = self.customer(customer)?;
        Ok(self.holder(c, at))
    }

    fn holder(&self, c: &crate::customer::Customer, at: DateTime<Utc>) -> Option<OperatorId> {
        match self.ledger.periods_by_customer.get(&c.id) {
            Some(v) => v
                .iter()
                .rev()
                .filter_map(|i| self.ledger.manager_periods.get(*i))
                .find(|p| p.covers(at))
                .map(|p| p.manager.clone()),
            None => c.account_manager.clone(),
        }
    }

    /// Spend attributed to a manager between two billing days (both included): each spend
    /// record counts for the manager who held the customer at the end of its billing day.
    /// Needs `PD_VIEW_SPEND`.
    pub fn manager_spend(
        &self,
        actor: &Actor,
        manager: &OperatorId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> crate::error::Result<crate::money::Money> {
        self.authorize(actor, crate::model::access::Permission::ViewSpend, None)?;
        self.operator(manager)?;
        let off = self.partner.billing_offset;
        let mut total = rust_decimal::Decimal::ZERO;
        for c in self.customers() {
            let recorded = self.ledger.periods_by_customer.contains_key(&c.id);
            if !recorded && c.account_manager.as_ref() != Some(manager) {
                continue;
            }
            for r in c.spend_records_between(from, to) {
                let end_of_day = r
                    .day
                    .succ_opt()
                    .map(|d| off.start_of_day(d) - chrono::Duration::nanoseconds(1));
                let holder = match end_of_day {
                    Some(t) => self.holder(c, t),
                    None => c.account_manager.clone(),
                };
                if holder.as_ref() == Some(manager) {
                    total = crate::money::sum(total, r.amount.amount)?;
                }
            }
        }
        Ok(crate::money::Money::new(total, self.partner.currency))
    }
}

/// Applying manager events (the only place an account manager changes by command).
impl crate::desk::Desk {
    /// `ManagerAssigned` (with the manager) or `ManagerUnassigned` (`None`): the period of the
    /// previous manager ends, the new one's begins.
    pub(crate) fn apply_manager(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        manager: Option<&OperatorId>,
    ) -> crate::error::Result<()> {
        let s = ev.slot()?;
        let id = ev.id()?;
        // The desk's own copy of the login: shared by every customer it manages.
        let manager = match manager {
            Some(m) => match self.operators.get_key_value(m) {
                Some((m, _)) => Some(m.clone()),
                None => return Err(ev.refuse("unknown operator")),
            },
            None => None,
        };
        self.adopt_imported(s, ev.at);
        match &manager {
            Some(m) => {
                let by = self.shared_actor(ev.actor);
                self.ledger.open_period(id, m, ev.at, by);
            }
            None => self.ledger.close_period(id, ev.at),
        }
        self.replace_manager(s, manager)
            .ok_or_else(|| ev.refuse("customer slot is not live"))
    }
}
