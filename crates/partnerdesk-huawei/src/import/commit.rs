//! Writing an import to the desk, all or nothing, and the customers an import changes.

use super::ImportReport;
use crate::error::{HuaweiError, Result};
use partnerdesk::{Customer, CustomerId, Desk, Operator, OperatorId};
use std::collections::{BTreeMap, BTreeSet};

/// Writes changed customers (and new operators) to the desk, all or nothing.
pub(super) fn commit(
    desk: &mut Desk,
    customers: Vec<Customer>,
    operators: Vec<Operator>,
    report: &mut ImportReport,
) -> Result<()> {
    let new_logins: BTreeSet<OperatorId> = operators.iter().map(|o| o.id.clone()).collect();
    let mut deferred: Vec<(CustomerId, OperatorId)> = Vec::new();
    let mut undo: Vec<(CustomerId, Option<Customer>)> = Vec::new();
    for mut c in customers {
        if let Some(m) = c.account_manager.clone()
            && new_logins.contains(&m)
        {
            c.account_manager = None;
            deferred.push((c.id.clone(), m));
        }
        let previous = desk.customer(&c.id).ok().cloned();
        let id = c.id.clone();
        if let Err(e) = desk.upsert_customer(c) {
            rollback(desk, undo);
            return Err(HuaweiError::Core(e));
        }
        if previous.is_some() {
            report.updated.push(id.clone());
        } else {
            report.added.push(id.clone());
        }
        undo.push((id, previous));
    }
    for o in operators {
        let id = o.id.clone();
        if desk.operator(&id).is_err() {
            if let Err(e) = desk.add_operator(o) {
                rollback(desk, undo);
                return Err(HuaweiError::Core(e));
            }
            report.operators_added.push(id);
        }
    }
    for (id, manager) in deferred {
        // The operator exists now, so the desk accepts the assignment.
        desk.update_customer(&id, |c| c.account_manager = Some(manager))?;
    }
    Ok(())
}

fn rollback(desk: &mut Desk, undo: Vec<(CustomerId, Option<Customer>)>) {
    for (id, previous) in undo.into_iter().rev() {
        // Restoring values the desk held a moment ago cannot be refused; a failure here would
        // only leave the newer (also valid) value in place.
        let _ = match previous {
            Some(c) => desk.upsert_customer(c),
            None => desk.remove_customer(&id).map(|_| ()),
        };
    }
}

/// The customers of `ids` as they are on the desk, cloned for change; unknown ids are warned
/// about and left out.
pub(super) struct Working {
    customers: BTreeMap<CustomerId, Customer>,
}

impl Working {
    pub(super) fn new() -> Self {
        Working {
            customers: BTreeMap::new(),
        }
    }

    pub(super) fn get<'a>(
        &'a mut self,
        desk: &Desk,
        id: &CustomerId,
        path: &str,
        report: &mut ImportReport,
    ) -> Option<&'a mut Customer> {
        if !self.customers.contains_key(id) {
            match desk.customer(id) {
                Ok(c) => {
                    self.customers.insert(id.clone(), c.clone());
                }
                Err(_) => {
                    report.warn(
                        id,
                        path.to_owned(),
                        "customer is not on the desk; import the customer list first",
                    );
                    return None;
                }
            }
        }
        self.customers.get_mut(id)
    }

    pub(super) fn commit(self, desk: &mut Desk, report: &mut ImportReport) -> Result<()> {
        let customers: Vec<Customer> = self.customers.into_values().collect();
        let before = (report.added.len(), report.updated.len());
        commit(desk, customers, Vec::new(), report)?;
        // Only customer-list imports report added/updated customers.
        report.added.truncate(before.0);
        report.updated.truncate(before.1);
        Ok(())
    }
}
