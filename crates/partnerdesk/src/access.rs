//! Roles and permission items.
//!
//! Why: the console lets an administrator grant operators fine-grained Partner Center
//! "permission items"; an operator without the item for an operation is refused (`CBC.0151`).
//! The items keep Huawei's names where Huawei has one (`BPC_ITEM_SUBCUSTSERV_010115`), so a
//! partner can map its console grants one to one; items for console-only operations get a
//! `PD_` name. Everything is denied unless an item grants it; export and association management
//! are administrator-only and cannot be granted.

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::ids::{CustomerId, OperatorId};
use crate::open_enum::open_enum;
use std::fmt;

open_enum! {
    /// An operator's role.
    pub enum Role {
        /// The partner administrator: holds every permission item, including administrator-only ones.
        Administrator => "administrator",
        /// An operator: holds only the items granted.
        Operator => "operator",
    }
}

open_enum! {
    /// A permission item.
    pub enum Permission {
        /// View the customer list (Huawei "Customer List, view").
        ViewCustomers => "BPC_ITEM_SUBCUSTSERV_010100",
        /// View resellers' customers (distributor).
        ViewResellerCustomers => "BPC_ITEM_SUBCUSTSERV_010500",
        /// Freeze and unfreeze own customers.
        FreezeUnfreeze => "BPC_ITEM_SUBCUSTSERV_010115",
        /// Freeze and unfreeze resellers' customers (distributor).
        FreezeUnfreezeResellerCustomers => "BPC_ITEM_SUBCUSTSERV_010501",
        /// Set budgets of own customers ("adjust credit limit").
        SetBudget => "BPC_ITEM_SUBCUSTSERV_010111",
        /// Set budgets of resellers' customers (distributor).
        SetBudgetResellerCustomers => "BPC_ITEM_SUBCUSTSERV_010503",
        /// Assign, change and unassign account managers.
        AssignAccountManager => "PD_ASSIGN_ACCOUNT_MANAGER",
        /// Request authorization to operate on a customer's behalf.
        RequestAuthorization => "PD_REQUEST_AUTHORIZATION",
        /// Place orders on a customer's behalf.
        PlaceOrderOnBehalf => "PD_PLACE_ORDER_ON_BEHALF",
        /// Operate resources on a customer's behalf.
        OperateResourcesOnBehalf => "PD_OPERATE_RESOURCES_ON_BEHALF",
        /// View customers' spend and spend analysis.
        ViewSpend => "PD_VIEW_SPEND",
        /// Reveal a masked sensitive field of a customer (the console's eye icon).
        RevealSensitive => "PD_REVEAL_SENSITIVE",
        /// Export the customer list (administrator-only).
        Export => "PD_EXPORT",
        /// Disassociate and process disassociation requests (administrator-only).
        ManageAssociation => "PD_MANAGE_ASSOCIATION",
    }
}

impl Permission {
    /// Whether only the administrator holds this item (it cannot be granted to an operator).
    pub fn is_administrator_only(&self) -> bool {
        matches!(self, Permission::Export | Permission::ManageAssociation)
    }
}

impl Permission {
    /// The item that governs the same operation on a reseller's customers, for a distributor.
    ///
    /// Items come in pairs, own customers and resellers' customers, exactly as Huawei pairs them:
    ///
    /// | own customers | resellers' customers |
    /// | --- | --- |
    /// | [`Permission::ViewCustomers`] | [`Permission::ViewResellerCustomers`] |
    /// | [`Permission::FreezeUnfreeze`] | [`Permission::FreezeUnfreezeResellerCustomers`] |
    /// | [`Permission::SetBudget`] | [`Permission::SetBudgetResellerCustomers`] |
    ///
    /// Every other item has no reseller-scoped twin and governs both (this returns it
    /// unchanged); a reseller-scoped item is returned unchanged too.
    ///
    /// ```
    /// use partnerdesk::Permission;
    /// assert_eq!(Permission::FreezeUnfreeze.for_reseller_customers(), Permission::FreezeUnfreezeResellerCustomers);
    /// assert_eq!(Permission::ViewSpend.for_reseller_customers(), Permission::ViewSpend);
    /// ```
    pub fn for_reseller_customers(&self) -> Permission {
        match self {
            Permission::ViewCustomers => Permission::ViewResellerCustomers,
            Permission::FreezeUnfreeze => Permission::FreezeUnfreezeResellerCustomers,
            Permission::SetBudget => Permission::SetBudgetResellerCustomers,
            other => other.clone(),
        }
    }
}

/// Who acts: an operator of the partner, a customer (approving, revoking, requesting
/// disassociation) or the system (time-driven transitions such as budget auto-freeze and
/// authorization expiry).
///
/// `Display` prints ids only (`operator:am_001`, `customer:0a1b…`, `system`), never a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Actor {
    /// An operator of the partner, by login.
    Operator(OperatorId),
    /// A customer, by id.
    Customer(CustomerId),
    /// The system (time-driven transitions, imports).
    System,
}

impl Actor {
    /// The operator acting, if an operator acts.
    pub fn operator(&self) -> Option<&OperatorId> {
        match self {
            Actor::Operator(o) => Some(o),
            _ => None,
        }
    }

    /// The text recorded as "who" in freezes and budget records: the operator login, the
    /// customer id or `system`.
    pub fn login(&self) -> String {
        match self {
            Actor::Operator(o) => o.to_string(),
            Actor::Customer(c) => c.to_string(),
            Actor::System => "system".to_owned(),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Operator(o) => write!(f, "operator:{o}"),
            Actor::Customer(c) => write!(f, "customer:{c}"),
            Actor::System => f.write_str("system"),
        }
    }
}

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
        let cmd = crate::command::Command {
            inv,
            kind: if grant {
                "grant_permissions"
            } else {
                "revoke_permissions"
            },
            customer: None,
            batch: false,
            ids: &[],
            gate: &|d: &crate::desk::Desk| d.require_administrator(actor, "grant_permissions"),
        };
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
            if let Some(i) = items.iter().find(|i| i.is_other()) {
                return Err(Error::invalid_arg(
                    "items",
                    format!("unknown permission item {}", i.as_str()),
                ));
            }
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
