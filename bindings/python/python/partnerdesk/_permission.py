"""``Permission``: the permission items by name, each with its code beside it."""

from __future__ import annotations

import enum


class Permission(str, enum.Enum):
    """A permission item an administrator grants to operators, by name; its value is the
    item's code, Huawei's where Huawei has one (``BPC_ITEM_...``), else the library's own
    (``PD_...``).

    Members are ``str``s, so they go wherever an item does (``add_operator(permissions=...)``,
    ``grant_permissions``, ``revoke_permissions``), as do their names (``"FREEZE_UNFREEZE"``)
    and their codes; a misspelled item is ``InvalidArgumentError`` on ``items`` there, and
    nothing changes. ``EXPORT`` and ``MANAGE_ASSOCIATION`` are the administrator's alone: they
    cannot be granted (``AdministratorOnlyError``).

        >>> Permission.FREEZE_UNFREEZE.value
        'BPC_ITEM_SUBCUSTSERV_010115'
        >>> Permission("BPC_ITEM_SUBCUSTSERV_010115") is Permission.FREEZE_UNFREEZE
        True
    """

    VIEW_CUSTOMERS = "BPC_ITEM_SUBCUSTSERV_010100"
    """View the customer list (Huawei "Customer List, view")."""
    VIEW_RESELLER_CUSTOMERS = "BPC_ITEM_SUBCUSTSERV_010500"
    """View resellers' customers (a distributor)."""
    FREEZE_UNFREEZE = "BPC_ITEM_SUBCUSTSERV_010115"
    """Freeze and unfreeze own customers."""
    FREEZE_UNFREEZE_RESELLER_CUSTOMERS = "BPC_ITEM_SUBCUSTSERV_010501"
    """Freeze and unfreeze resellers' customers (a distributor)."""
    SET_BUDGET = "BPC_ITEM_SUBCUSTSERV_010111"
    """Set budgets of own customers ("adjust credit limit")."""
    SET_BUDGET_RESELLER_CUSTOMERS = "BPC_ITEM_SUBCUSTSERV_010503"
    """Set budgets of resellers' customers (a distributor)."""
    ASSIGN_ACCOUNT_MANAGER = "PD_ASSIGN_ACCOUNT_MANAGER"
    """Assign, change and unassign account managers."""
    REQUEST_AUTHORIZATION = "PD_REQUEST_AUTHORIZATION"
    """Request authorization to operate on a customer's behalf."""
    PLACE_ORDER_ON_BEHALF = "PD_PLACE_ORDER_ON_BEHALF"
    """Place orders on a customer's behalf."""
    OPERATE_RESOURCES_ON_BEHALF = "PD_OPERATE_RESOURCES_ON_BEHALF"
    """Operate resources on a customer's behalf."""
    VIEW_SPEND = "PD_VIEW_SPEND"
    """View customers' spend and spend analysis."""
    REVEAL_SENSITIVE = "PD_REVEAL_SENSITIVE"
    """Reveal a masked field of a customer (audited)."""
    EXPORT = "PD_EXPORT"
    """Export the customer list (the administrator's alone)."""
    MANAGE_ASSOCIATION = "PD_MANAGE_ASSOCIATION"
    """Disassociate and decide disassociation requests (the administrator's alone)."""

    @property
    def code(self) -> str:
        """The item's code (the same as ``value``)."""
        return str(self.value)

    @property
    def administrator_only(self) -> bool:
        """Whether only the administrator holds this item (it cannot be granted)."""
        return self in (Permission.EXPORT, Permission.MANAGE_ASSOCIATION)

    def __str__(self) -> str:
        return str(self.value)
