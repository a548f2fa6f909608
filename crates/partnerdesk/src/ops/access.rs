//! Permission checks and grants: everything is denied unless a permission item grants it.
//!
//! The roles, items and actors are values of [`crate::model::access`]; this module decides,
//! grants and revokes, and applies the permission events.

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::ids::{CustomerId, OperatorId};
pub use crate::model::access::{Actor, Permission, Role};

impl Desk {
    /// Checks that `actor` may use `item`, on `customer` when given. Everything is denied unless
    /// an item grants it:
    ///
    /// - an administrator holds every item;
    /// - an operator holds the items granted to it; an administrator-only item
    ///   ([`Permission::is_administrator_only`]) is refused with `ADMINISTRATOR_ONLY`;
    /// - acting on a customer held through a reseller (`association.reseller` set) needs the
    ///   reseller-scoped twin of the item ([`Permission::for_reseller_customers`]);
    /// - customers and the system hold no permission items (their own actions are checked by
    ///   the commands that allow them), so they are refused;
    /// - an unknown operator is refused.
    ///
    /// Refusals are `PERMISSION_DENIED` (or `ADMINISTRATOR_ONLY`); an unknown customer is
    /// `CUSTOMER_NOT_FOUND`. Nothing is recorded here: the commands audit their refusals.
    ///
    /// ```
    /// use partnerdesk::{demo, access::Actor, OperatorId, Permission};
    /// let (desk, _now) = demo::portfolio(20, 1)?;
    /// let billing = Actor::Operator(OperatorId::new("ops_billing")?);
    /// assert!(desk.authorize(&billing, Permission::SetBudget, None).is_ok());
    /// let err = desk.authorize(&billing, Permission::Export, None).err().map(|e| e.code());
    /// assert_eq!(err, Some("ADMINISTRATOR_ONLY"));
    /// # Ok::<(), partnerdesk::Error>(())
    /// ```
    pub fn authorize(
        &self,
        actor: &Actor,
        item: Permission,
        customer: Option<&CustomerId>,
    ) -> Result<()> {
        let item = match customer {
            Some(id) => {
                let c = self.customer(id)?;
                if c.association.reseller.is_some() {
                    item.for_reseller_customers()
                } else {
                    item
                }
            }
            None => item,
        };
        let denied = |item: &Permission| Error::PermissionDenied {
            item: item.as_str().to_owned(),
            actor: actor.to_string(),
        };
        let Actor::Operator(login) = actor else {
            return Err(denied(&item));
        };
        let Some(op) = self.operators.get(login) else {
            return Err(denied(&item));
        };
        if op.holds(&item) {
            return Ok(());
        }
        if item.is_administrator_only() {
            return Err(Error::AdministratorOnly {
                item: item.as_str().to_owned(),
            });
        }
        Err(denied(&item))
    }

    /// Checks that `actor` is the partner administrator (for administrator-only operations
    /// that are not a single permission item). Refusal: `ADMINISTRATOR_ONLY`.
    pub fn require_administrator(&self, actor: &Actor, operation: &str) -> Result<()> {
        let admin = actor
            .operator()
            .and_then(|o| self.operators.get(o))
            .is_some_and(|o| o.role == Role::Administrator);
        if admin {
            Ok(())
        } else {
            Err(Error::AdministratorOnly {
                item: operation.to_owned(),
            })
        }
    }
}

impl Desk {
    /// Grants permission items to an operator (administrator only: `ADMINISTRATOR_ONLY`).
    /// Administrator-only items cannot be granted (`ADMINISTRATOR_ONLY`); an unknown operator
    /// is `OPERATOR_NOT_FOUND`; no items is `INVALID_ARGUMENT`.
    pub fn grant_permissions(
        &mut self,
        inv: &crate::invocation::Invocation,
        operator: &OperatorId,
        items: &[Permission],
    ) -> Result<()> {
        self.change_permissions(inv, operator, items, true)
    }

    /// Withdraws permission items from an operator (administrator only).
    pub fn revoke_permissions(
        &mut self,
        inv: &crate::invocation::Invocation,
        operator: &OperatorId,
        items: &[Permission],
    ) -> Result<()> {
        self.change_permissions(inv, operator, items, false)
    }

    fn change_permissions(
        &mut self,
        inv: &crate::invocation::Invocation,
        operator: &OperatorId,
        items: &[Permission],
        grant: bool,
    ) -> Result<()> {
        use crate::event::EventKind;
        let (actor, now) = (inv.actor(), inv.now());
        let kind = if grant {
            "grant_permissions"
        } else {
            "revoke_permissions"
        };
        let gate = |d: &crate::desk::Desk| d.require_administrator(actor, "grant_permissions");
        let cmd = crate::command::Command::single(inv, kind, None, &gate);
        let describe = || {
            let names: Vec<&str> = items.iter().map(|i| i.as_str()).collect();
            format!("operator {operator} items {}", names.join(","))
        };
        self.run(cmd, describe, |desk| {
            desk.require_administrator(actor, "grant_permissions")?;
            desk.operator(operator)?;
            if items.is_empty() {
                return Err(Error::invalid_arg("items", "at least one item is needed"));
            }
            items.iter().try_for_each(Permission::check_known)?;
            if let Some(i) = items.iter().find(|i| grant && i.is_administrator_only()) {
                return Err(Error::AdministratorOnly {
                    item: i.as_str().to_owned(),
                });
            }
            let items = items.to_vec();
            let kind = if grant {
                EventKind::PermissionsGranted {
                    operator: operator.clone(),
                    items,
                }
            } else {
                EventKind::PermissionsRevoked {
                    operator: operator.clone(),
                    items,
                }
            };
            desk.emit(actor, None, kind, now)
        })
    }
}

/// Applying permission events (the only place their state changes).
impl Desk {
    /// `PermissionsGranted` (`grant`) or `PermissionsRevoked`.
    pub(crate) fn apply_permissions(
        &mut self,
        ev: &crate::log::replay::Applying<'_>,
        operator: &OperatorId,
        items: &[Permission],
        grant: bool,
    ) -> Result<()> {
        let op = self
            .operators
            .get_mut(operator)
            .ok_or_else(|| ev.refuse("unknown operator"))?;
        if grant {
            op.permissions.extend(items.iter().cloned());
        } else {
            for i in items {
                op.permissions.remove(i);
            }
        }
        Ok(())
    }
}
