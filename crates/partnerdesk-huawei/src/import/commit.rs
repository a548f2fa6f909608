//! Writing an import to the desk, all or nothing, and the customers an import changes.

use super::ImportReport;
use crate::error::{HuaweiError, Result};
use partnerdesk::{Customer, CustomerId, Desk, Operator, OperatorId};
use std::collections::BTreeMap;

/// Writes changed customers (and new operators) to the desk, all or nothing: one
/// `customers_upserted` event holding them all (none when nothing changed).
pub(super) fn commit(
    desk: &mut Desk,
    customers: Vec<Customer>,
    operators: Vec<Operator>,
    report: &mut ImportReport,
) -> Result<()> {
    let operators: Vec<Operator> = operators
        .into_iter()
        .filter(|o| desk.operator(&o.id).is_err())
        .collect();
    let logins: Vec<OperatorId> = operators.iter().map(|o| o.id.clone()).collect();
    let (updated, added): (Vec<CustomerId>, Vec<CustomerId>) = customers
        .iter()
        .map(|c| c.id.clone())
        .partition(|id| desk.customer(id).is_ok());
    desk.upsert_batch(operators, customers)
        .map_err(HuaweiError::Core)?;
    report.added.extend(added);
    report.updated.extend(updated);
    report.operators_added.extend(logins);
    Ok(())
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
