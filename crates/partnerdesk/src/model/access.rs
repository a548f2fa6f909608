//! Roles and permission items.
//!
//! Why: the console lets an administrator grant operators fine-grained Partner Center
//! "permission items"; an operator without the item for an operation is refused (`CBC.0151`).
//! The items keep Huawei's names where Huawei has one (`BPC_ITEM_SUBCUSTSERV_010115`), so a
//! partner can map its console grants one to one; items for console-only operations get a
//! `PD_` name. Everything is denied unless an item grants it; export and association management
//! are administrator-only and cannot be granted.

use crate::model::ids::{CustomerId, OperatorId};
use crate::model::open_enum::open_enum;
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
    /// `INVALID_ARGUMENT` on `items` for an item this version does not know (a misspelled
    /// code, [`Permission::Other`]): the one refusal of such an item, whether it is granted,
    /// revoked or given to a new operator.
    ///
    /// ```
    /// use partnerdesk::Permission;
    /// assert!(Permission::FreezeUnfreeze.check_known().is_ok());
    /// let e = Permission::parse("BPC_ITEM_SUBCUSTSERV_01O115").check_known().err();
    /// assert_eq!(e.map(|e| e.code()), Some("INVALID_ARGUMENT"));
    /// ```
    pub fn check_known(&self) -> crate::error::Result<()> {
        if self.is_other() {
            return Err(crate::error::Error::invalid_arg(
                "items",
                format!("unknown permission item {}", self.as_str()),
            ));
        }
        Ok(())
    }

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
