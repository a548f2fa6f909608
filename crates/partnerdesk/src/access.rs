//! Roles and permission items.
//!
//! Why: the console lets an administrator grant operators fine-grained Partner Center
//! "permission items"; an operator without the item for an operation is refused (`CBC.0151`).
//! The items keep Huawei's names where Huawei has one (`BPC_ITEM_SUBCUSTSERV_010115`), so a
//! partner can map its console grants one to one; items for console-only operations get a
//! `PD_` name. Everything is denied unless an item grants it; export and association management
//! are administrator-only and cannot be granted.

use crate::open_enum::open_enum;

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
