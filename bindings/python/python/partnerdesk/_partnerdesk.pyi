"""Type stubs for the native module ``partnerdesk._partnerdesk`` (hand-written; checked by
``python -m mypy.stubtest partnerdesk._partnerdesk`` in ``bindings/python/test.sh``)."""

import datetime
import decimal
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar, Literal, Protocol, TypedDict, Union, final

from ._permission import Permission
from ._records import DemoPortfolio, FixtureDesk

class _BinaryWriter(Protocol):
    def write(self, data: bytes, /) -> object: ...

__version__: str
__all__ = [
    "Actor",
    "AssociationRecord",
    "BudgetRecord",
    "BudgetUsage",
    "ManagerPeriod",
    "SpendSummary",
    "LabeledAmount",
    "OrderCounts",
    "RenewalItem",
    "AuditRecord",
    "Authorization",
    "BatchOutcome",
    "BudgetSummary",
    "CustomerRow",
    "IdPage",
    "NewCustomer",
    "Desk",
    "DisassociationRequest",
    "Event",
    "ItemOutcome",
    "MaskPolicy",
    "MaskRule",
    "Operator",
    "ERROR_CLASSES",
    "ExportJob",
    "Money",
    "OrderLine",
    "OrderPage",
    "ResourceLine",
    "ResourcePage",
    "SpendDetail",
    "SpendPage",
    "Page",
    "Partner",
    "PartnerDeskError",
    "Query",
    "SearchIterator",
    "__version__",
    "demo_now",
    "demo_portfolio",
    "empty_desk",
    "error_codes",
    "export_columns",
    "huawei_batch_outcome",
    "huawei_error_codes",
    "huawei_split_query",
    "version",
    "huawei_budget_body",
    "huawei_fixture_desk",
    "huawei_fixtures",
    "huawei_freeze_body",
    "huawei_api_kinds",
    "ImportReport",
    "ImportWarning",
    "ImportedBudgetRecord",
    "HuaweiBudgetUsed",
    "RemoteItem",
    "RemoteOutcome",
    "ApiPage",
    "QuerySplit",
    "huawei_list_body",
    "huawei_outcome",
    "huawei_page_plan",
    "huawei_unfreeze_body",
    "HuaweiApiError",
    "HuaweiInvalidDataError",
    "HuaweiPagingOutOfBoundsError",
]

_AmountLike = Union[decimal.Decimal, int, str]
_SortKey = Literal[
    "name", "account", "mtd", "associated", "expires", "id",
    "-name", "-account", "-mtd", "-associated", "-expires", "-id",
]
_QueryLike = Union["Query", str, None]
_ActorLike = Union["Actor", str]
_Now = Union[datetime.datetime, None]
_ResourceKind = Literal["yearly_monthly", "pay_per_use", "reserved_instance", "savings_plan"]
_DetailList = Literal["orders", "resources", "spend"]

# ---- values ------------------------------------------------------------------------------

@final
class Money:
    """An exact amount with its ISO 4217 currency (never a float)."""

    def __new__(cls, amount: _AmountLike, currency: str) -> Money: ...
    @property
    def amount(self) -> decimal.Decimal: ...
    @property
    def currency(self) -> str: ...
    def __add__(self, other: Money, /) -> Money: ...
    def __radd__(self, other: Money, /) -> Money: ...
    def __sub__(self, other: Money, /) -> Money: ...
    def __rsub__(self, other: Money, /) -> Money: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class BudgetSummary:
    """Budget columns of a row."""

    @property
    def kind(self) -> str: ...
    @property
    def amount(self) -> Money: ...
    @property
    def used(self) -> Money: ...
    @property
    def percent(self) -> decimal.Decimal: ...
    @property
    def auto_freeze(self) -> bool: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class CustomerRow:
    """One customer as a list shows it; name, mobile and e-mail are masked."""

    @property
    def id(self) -> str: ...
    @property
    def account_name(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def mobile(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def customer_type(self) -> str: ...
    @property
    def verification(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def tags(self) -> frozenset[str]: ...
    @property
    def association_type(self) -> str: ...
    @property
    def associated_at(self) -> datetime.datetime: ...
    @property
    def disassociated_at(self) -> datetime.datetime | None: ...
    @property
    def reseller(self) -> str | None: ...
    @property
    def account_manager(self) -> str | None: ...
    @property
    def account_manager_name(self) -> str | None: ...
    @property
    def freeze_scope(self) -> str | None: ...
    @property
    def freeze_origin(self) -> str | None: ...
    @property
    def frozen(self) -> bool: ...
    @property
    def budget(self) -> BudgetSummary | None: ...
    @property
    def month_to_date(self) -> Money: ...
    @property
    def last_month(self) -> Money: ...
    @property
    def next_expiry(self) -> datetime.datetime | None: ...
    @property
    def unpaid_orders(self) -> int: ...
    def to_dict(self) -> dict[str, Any]:
        """The row as plain Python values (``Decimal`` amounts with their currency beside them,
        aware UTC datetimes, tags as a sorted list; masked fields masked)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Page:
    """One page of a search: masked rows, the total and the next cursor."""

    @property
    def rows(self) -> list[CustomerRow]: ...
    @property
    def total(self) -> int: ...
    @property
    def next_cursor(self) -> str | None: ...
    @property
    def ids(self) -> list[str]: ...
    def to_dicts(self) -> list[dict[str, Any]]: ...
    def to_pandas(self) -> Any:
        """A pandas ``DataFrame`` (``Decimal`` amounts); ``ImportError`` without pandas."""
    def to_polars(self) -> Any:
        """A polars ``DataFrame`` (``pl.Decimal`` amounts); ``ImportError`` without polars."""
    def to_arrow(self) -> Any:
        """A pyarrow ``Table`` (``decimal128`` amounts); ``ImportError`` without pyarrow."""
    def __len__(self) -> int: ...
    def __getitem__(self, index: int, /) -> CustomerRow: ...
    def __iter__(self) -> Iterator[CustomerRow]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class IdPage:
    """One page of customer ids (no rows built). Not a list of ids: pass ``page.ids`` to a
    batch command (the page itself is ``InvalidArgumentError`` there)."""

    @property
    def ids(self) -> list[str]: ...
    @property
    def total(self) -> int: ...
    @property
    def next_cursor(self) -> str | None: ...
    def __len__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class NewCustomer:
    """A customer described by keyword arguments, for ``insert_customer`` / ``upsert_customer``
    (no JSON); checked with the core's rules when built and when inserted."""

    def __new__(
        cls, id: str, account_name: str, name: str, *,
        association: Literal["referral", "reseller"] | str,
        associated_at: datetime.datetime,
        customer_type: Literal["unset", "individual", "enterprise"] | str | None = None,
        verification: Literal["not_verified", "under_review", "rejected", "verified", "failed"] | str | None = None,
        level: Literal["V0", "V1", "V2", "V3", "V4", "V5"] | str | None = None,
        mobile: str | None = None, country_code: str | None = None, email: str | None = None,
        tags: list[str] = ..., reseller: str | None = None, account_manager: str | None = None,
    ) -> NewCustomer: ...
    @property
    def id(self) -> str: ...
    @property
    def account_name(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def association(self) -> str: ...
    @property
    def associated_at(self) -> datetime.datetime: ...
    @property
    def customer_type(self) -> str | None: ...
    @property
    def verification(self) -> str | None: ...
    @property
    def level(self) -> str | None: ...
    @property
    def mobile(self) -> str | None: ...
    @property
    def country_code(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def reseller(self) -> str | None: ...
    @property
    def account_manager(self) -> str | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...

@final
class Partner:
    """The partner that owns a desk."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def site(self) -> str: ...
    @property
    def tier(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def billing_offset_minutes(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

# ---- queries -----------------------------------------------------------------------------

@final
class Query:
    """A search query: build it with the class methods and ``&``, ``|``, ``~``, or parse a
    text filter. ``str(query)`` is the canonical text filter."""

    def __new__(cls, filter: str = "") -> Query: ...
    @staticmethod
    def parse(filter: str) -> Query: ...
    @staticmethod
    def all() -> Query: ...
    @staticmethod
    def name(text: str, *, exact: bool = False) -> Query: ...
    @staticmethod
    def account(text: str, *, exact: bool = False) -> Query: ...
    @staticmethod
    def customer_id(id: str) -> Query: ...
    @staticmethod
    def manager(login: str) -> Query: ...
    @staticmethod
    def manager_name(text: str) -> Query: ...
    @staticmethod
    def has_manager(yes: bool = True) -> Query: ...
    @staticmethod
    def mtd(*, min: _AmountLike | None = None, max: _AmountLike | None = None) -> Query: ...
    @staticmethod
    def budget_usage(
        *, min: _AmountLike | None = None, max: _AmountLike | None = None
    ) -> Query: ...
    @staticmethod
    def expires_within(days: int) -> Query: ...
    @staticmethod
    def expires_between(
        *, after: datetime.datetime | None = None, before: datetime.datetime | None = None
    ) -> Query: ...
    @staticmethod
    def no_expiry() -> Query: ...
    @staticmethod
    def mobile(digits: str, *, ends_with: bool = False) -> Query: ...
    @staticmethod
    def tag(*names: str) -> Query: ...
    @staticmethod
    def all_tags(*names: str) -> Query: ...
    @staticmethod
    def association(kind: Literal["referral", "reseller"]) -> Query: ...
    @staticmethod
    def associated(
        *, after: datetime.datetime | None = None, before: datetime.datetime | None = None
    ) -> Query: ...
    @staticmethod
    def frozen(yes: bool = True) -> Query: ...
    @staticmethod
    def freeze_scope(scope: Literal["account", "account_and_resources", "unknown"]) -> Query: ...
    @staticmethod
    def freeze_origin(origin: Literal["manual", "default", "budget", "imported"]) -> Query: ...
    @staticmethod
    def reseller(id: str) -> Query: ...
    @staticmethod
    def level(level: Literal["V0", "V1", "V2", "V3", "V4", "V5"]) -> Query: ...
    @property
    def include_disassociated(self) -> bool: ...
    def including_disassociated(self, yes: bool = True) -> Query: ...
    @property
    def filter(self) -> str: ...
    def __and__(self, other: Query | str, /) -> Query: ...
    def __rand__(self, other: Query | str, /) -> Query: ...
    def __or__(self, other: Query | str, /) -> Query: ...
    def __ror__(self, other: Query | str, /) -> Query: ...
    def __invert__(self) -> Query: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

# ---- the desk ----------------------------------------------------------------------------

@final
class Desk:
    """A partner's customer portfolio. Long calls release the GIL; the desk may be shared
    between threads."""

    @staticmethod
    def demo(customers: int = 1000, seed: int = 42) -> Desk: ...
    @staticmethod
    def from_snapshot_json(json: str | bytes) -> Desk: ...
    @staticmethod
    def from_snapshot_file(path: str | os.PathLike[str]) -> Desk: ...
    def save_snapshot_file(self, path: str | os.PathLike[str]) -> None: ...
    @staticmethod
    def open(
        location: str | os.PathLike[str],
        *,
        partner: str | None = None,
        max_attempts: int | None = None,
        checkpoint_every: int | None = None,
        event_key: bytes | None = None,
    ) -> Desk: ...
    def save_to(
        self,
        location: str | os.PathLike[str],
        *,
        max_attempts: int | None = None,
        checkpoint_every: int | None = None,
        event_key: bytes | None = None,
    ) -> None: ...
    @property
    def store_kind(self) -> Literal["sqlite", "postgresql"] | None: ...
    def refresh(self) -> int: ...
    def follow(self, timeout: datetime.timedelta | float) -> bool: ...
    def checkpoint(self) -> int: ...
    def to_snapshot_json(self) -> str: ...
    @property
    def partner(self) -> Partner: ...
    def __len__(self) -> int: ...
    def __contains__(self, id: str, /) -> bool: ...
    def search(
        self,
        query: _QueryLike = None,
        *,
        sort: _SortKey | str = "id",
        descending: bool = False,
        limit: int = 50,
        offset: int | None = None,
        cursor: str | None = None,
        now: datetime.datetime | None = None,
    ) -> Page: ...
    def search_ids(
        self,
        query: _QueryLike = None,
        *,
        sort: _SortKey | str = "id",
        descending: bool = False,
        limit: int = 50,
        offset: int | None = None,
        cursor: str | None = None,
        now: datetime.datetime | None = None,
    ) -> IdPage: ...
    def iter_search(
        self,
        query: _QueryLike = None,
        *,
        sort: _SortKey | str = "id",
        descending: bool = False,
        page_size: int = 100,
        now: datetime.datetime | None = None,
    ) -> SearchIterator: ...
    def count(self, query: _QueryLike = None, *, now: datetime.datetime | None = None) -> int: ...
    def customer_row(self, id: str, *, now: datetime.datetime | None = None) -> CustomerRow: ...
    def insert_customer(self, customer: NewCustomer | str | bytes) -> None: ...
    def upsert_customer(self, customer: NewCustomer | str | bytes) -> None: ...
    def remove_customer(self, customer: str) -> None: ...
    @property
    def operators(self) -> list[Operator]: ...
    def grant_permissions(
        self, actor: _ActorLike, operator: str, items: list[Permission | str], *, now: _Now = None,
        idempotency_key: str | None = None,
    ) -> None: ...
    def revoke_permissions(
        self, actor: _ActorLike, operator: str, items: list[Permission | str], *, now: _Now = None,
        idempotency_key: str | None = None,
    ) -> None: ...
    def freeze(
        self, actor: _ActorLike, customers: list[str], reason: str, *,
        scope: Literal["account", "account_and_resources"] | str | None = None,
        now: _Now = None, idempotency_key: str | None = None,
    ) -> BatchOutcome: ...
    def unfreeze(
        self, actor: _ActorLike, customers: list[str], reason: str, *,
        scope: Literal["account", "account_and_resources"] | str | None = None,
        now: _Now = None, idempotency_key: str | None = None,
    ) -> BatchOutcome: ...
    def set_budget(
        self, actor: _ActorLike, customer: str, amount: _AmountLike, *,
        kind: Literal["monthly", "one_off"] | str | None = None, auto_freeze: bool | None = None,
        unfreeze: bool | None = None, thresholds: list[_AmountLike] | None = None,
        currency: str | None = None, now: _Now = None, idempotency_key: str | None = None,
    ) -> None: ...
    def assign_manager(
        self, actor: _ActorLike, customers: list[str], manager: str, *, now: _Now = None,
        idempotency_key: str | None = None,
    ) -> BatchOutcome: ...
    def unassign_manager(
        self, actor: _ActorLike, customers: list[str], *, now: _Now = None,
        idempotency_key: str | None = None,
    ) -> BatchOutcome: ...
    def request_disassociation(
        self, actor: _ActorLike, customer: str, reason: str, *, now: _Now = None,
        idempotency_key: str | None = None,
    ) -> str: ...
    def request_partner_disassociation(
        self, actor: _ActorLike, customer: str, reason: str, *, now: _Now = None,
        idempotency_key: str | None = None,
    ) -> str: ...
    def decide_disassociation(
        self, actor: _ActorLike, request: str, approve: bool, reason: str, *, now: _Now = None,
        idempotency_key: str | None = None,
    ) -> None: ...
    def disassociation_requests(self) -> list[DisassociationRequest]: ...
    def request_authorization(
        self, actor: _ActorLike, customer: str,
        scopes: list[Literal["place_orders", "operate_resources"]], duration_days: int, *,
        accept_commitment_letter: bool | None = None, now: _Now = None,
        idempotency_key: str | None = None,
    ) -> str: ...
    def decide_authorization(
        self, actor: _ActorLike, authorization: str,
        action: Literal["approve", "reject", "revoke", "terminate"],
        *, reason: str | None = None, now: _Now = None, idempotency_key: str | None = None,
    ) -> None: ...
    def authorization(self, authorization: str, *, now: _Now = None) -> Authorization: ...
    def authorizations_of(self, customer: str, *, now: _Now = None) -> list[Authorization]: ...
    def tick(self, *, now: _Now = None) -> int: ...
    def add_operator(
        self, login: str, name: str, *, role: Literal["administrator", "operator"] | str | None = None,
        account_manager: bool | None = None, permissions: Sequence[Permission | str] | None = None,
    ) -> None: ...
    def associate(
        self, actor: _ActorLike, customer: str, account_name: str, name: str, *,
        association_type: Literal["referral", "reseller"] | None = None,
        reseller: str | None = None,
        customer_type: Literal["unset", "individual", "enterprise"] | None = None,
        level: Literal["V0", "V1", "V2", "V3", "V4", "V5"] | None = None,
        mobile: str | None = None, mobile_country_code: str | None = None,
        email: str | None = None, tags: list[str] | None = None, invited_by: str | None = None,
        now: _Now = None, idempotency_key: str | None = None,
    ) -> None: ...
    def place_order_on_behalf(
        self, actor: _ActorLike, customer: str, amount: _AmountLike, *,
        kind: Literal["new", "renewal", "change"] | None = None,
        now: _Now = None, idempotency_key: str | None = None,
    ) -> str: ...
    def require_authorization(
        self, customer: str, scope: Literal["place_orders", "operate_resources"] | str, *,
        now: _Now = None,
    ) -> None: ...
    def daily_spend(
        self, actor: _ActorLike, start: datetime.date | str, end: datetime.date | str, *,
        customer: str | None = None,
    ) -> list[LabeledAmount]: ...
    def export(
        self, actor: _ActorLike, dest: str | os.PathLike[str] | _BinaryWriter, *,
        format: Literal["csv", "xlsx"] = "csv", query: _QueryLike = None,
        ids: list[str] | None = None, sort: _SortKey | str = "id", descending: bool = False,
        columns: list[str] | None = None, bom: bool = False, file_name: str | None = None,
        progress: Callable[[int, int], object] | None = None, now: _Now = None,
    ) -> ExportJob: ...
    def download_export(
        self, actor: _ActorLike, export_id: str, dest: str | os.PathLike[str] | _BinaryWriter, *,
        progress: Callable[[int, int], object] | None = None, now: _Now = None,
    ) -> int: ...
    @property
    def exports(self) -> list[ExportJob]: ...
    def customer_orders(
        self, actor: _ActorLike, customer: str, *, scope: Literal["all", "unpaid"] | None = None,
        limit: int | None = None, offset: int | None = None, cursor: str | None = None,
    ) -> OrderPage: ...
    def customer_resources(
        self, actor: _ActorLike, customer: str, *,
        kinds: list[_ResourceKind | str] | None = None, statuses: list[str] | None = None,
        expiring_within_days: int | None = None,
        sort: Literal["expiry", "newest_first", "kind"] | None = None,
        limit: int | None = None, offset: int | None = None, cursor: str | None = None, now: _Now = None,
    ) -> ResourcePage: ...
    def spend_details(
        self, actor: _ActorLike, customer: str, month: str, *,
        group: Literal["record", "product", "day", "charging_mode"] | None = None,
        limit: int | None = None, offset: int | None = None, cursor: str | None = None,
    ) -> SpendPage: ...
    def renewals_page(
        self, actor: _ActorLike, days: int, *, limit: int | None = None, offset: int | None = None,
        cursor: str | None = None, now: _Now = None,
    ) -> ResourcePage: ...
    def export_detail_to_file(
        self, actor: _ActorLike, path: str | os.PathLike[str], list: _DetailList,
        customer: str, *, format: Literal["csv", "xlsx"] = "csv", bom: bool = False,
        file_name: str | None = None, scope: Literal["all", "unpaid"] | None = None,
        kinds: list[_ResourceKind | str] | None = None, statuses: list[str] | None = None,
        expiring_within_days: int | None = None,
        sort: Literal["expiry", "newest_first", "kind"] | None = None, month: str | None = None,
        group: Literal["record", "product", "day", "charging_mode"] | None = None,
        progress: Callable[[int, int], object] | None = None, now: _Now = None,
    ) -> ExportJob: ...
    def export_detail_to_buffer(
        self, actor: _ActorLike, list: _DetailList, customer: str, *,
        format: Literal["csv", "xlsx"] = "csv", bom: bool = False, file_name: str | None = None,
        scope: Literal["all", "unpaid"] | None = None,
        kinds: list[_ResourceKind | str] | None = None, statuses: list[str] | None = None,
        expiring_within_days: int | None = None,
        sort: Literal["expiry", "newest_first", "kind"] | None = None, month: str | None = None,
        group: Literal["record", "product", "day", "charging_mode"] | None = None,
        progress: Callable[[int, int], object] | None = None, now: _Now = None,
    ) -> bytes: ...
    def manager_history(self, customer: str) -> list[ManagerPeriod]: ...
    def manager_at(self, customer: str, at: datetime.datetime) -> str | None: ...
    def manager_spend(
        self, actor: _ActorLike, manager: str, start: datetime.date | str, end: datetime.date | str
    ) -> Money: ...
    def association_history(self, *, customer: str | None = None) -> list[AssociationRecord]: ...
    def budget_records(self, customer: str) -> list[BudgetRecord]: ...
    def budget_usage(self, customer: str, *, now: _Now = None) -> BudgetUsage | None: ...
    def spend_summary(
        self, actor: _ActorLike, *, customer: str | None = None, now: _Now = None
    ) -> SpendSummary: ...
    def product_ranking(
        self, actor: _ActorLike, start: datetime.date | str, end: datetime.date | str, *,
        n: int | None = None, customer: str | None = None,
    ) -> list[LabeledAmount]: ...
    def order_overview(self, actor: _ActorLike, *, customer: str | None = None) -> OrderCounts: ...
    def resources_to_renew(
        self, actor: _ActorLike, days: int, *, customer: str | None = None, now: _Now = None
    ) -> list[RenewalItem]: ...
    def roll_to(self, *, now: _Now = None) -> None: ...
    def set_row_policy(self, policy: MaskPolicy) -> None: ...
    def set_export_policy(self, policy: MaskPolicy) -> None: ...
    def set_pseudonym_key(self, secret: bytes | None) -> None: ...
    def reveal(
        self, actor: _ActorLike, customer: str,
        field: Literal["name", "mobile", "email", "account_name", "manager_name"] | str, *,
        now: _Now = None,
    ) -> str: ...
    def audit_log(
        self, *, customer: str | None = None, actor: _ActorLike | None = None,
        kind: str | None = None, since: _Now = None, until: _Now = None,
    ) -> list[AuditRecord]: ...
    def events(self, *, since: int | None = None) -> list[Event]: ...
    def apply_events(self, events_json: str) -> None: ...
    @staticmethod
    def replay(
        snapshot_json: str | bytes, events_json: str | bytes, key: bytes | None = None
    ) -> Desk: ...
    def set_event_key(self, key: bytes | None) -> None: ...
    def chain_head(self) -> str: ...
    def events_json(self, *, since: int | None = None) -> str: ...
    def select_ids(
        self, query: _QueryLike = None, *, sort: _SortKey | str = "id", descending: bool = False,
        now: datetime.datetime | None = None,
    ) -> list[str]: ...
    def set_cursor_key(self, secret: bytes) -> None: ...
    def record_distributor_decision(
        self, actor: _ActorLike, authorization: str, approved: bool, *, now: _Now = None,
        idempotency_key: str | None = None,
    ) -> None: ...
    def expire_authorizations(self, *, now: _Now = None) -> int: ...
    def evaluate_budgets(self, *, now: _Now = None) -> int: ...
    def may_act_on_behalf(self, customer: str, scope: str, *, now: _Now = None) -> bool: ...
    def row_policy(self) -> MaskPolicy: ...
    def export_policy(self) -> MaskPolicy: ...
    def export_to_file(
        self, actor: _ActorLike, path: str | os.PathLike[str], **kwargs: Any
    ) -> ExportJob: ...
    def export_to_buffer(self, actor: _ActorLike, **kwargs: Any) -> bytes: ...
    @staticmethod
    def empty(
        partner_id: str, name: str, *, site: _Site | str,
        tier: _Tier | str | None = None, now: _Now = None,
    ) -> Desk: ...
    @staticmethod
    def from_huawei_fixtures(site: _Site | str, *, now: _Now = None) -> Desk: ...
    def import_huawei(
        self, kind: _ImportKind | str, pages: _Pages, *, customer: str | None = None,
        cycle: str | None = None, reseller: str | None = None, now: _Now = None,
    ) -> ImportReport: ...

@final
class SearchIterator(Iterator[CustomerRow]):
    """Every row of a search, fetched page by page with cursors."""

    def __iter__(self) -> SearchIterator: ...
    def __next__(self) -> CustomerRow: ...
    @property
    def total(self) -> int: ...
    @property
    def pages_fetched(self) -> int: ...

# ---- governed operations -----------------------------------------------------------------

@final
class Actor:
    """Who acts: an operator (by login), a customer (by id) or the system. Where an actor is
    expected, a plain ``str`` is taken as an operator login."""

    @staticmethod
    def operator(login: str) -> Actor: ...
    @staticmethod
    def customer(id: str) -> Actor: ...
    @staticmethod
    def system() -> Actor: ...
    @property
    def kind(self) -> Literal["operator", "customer", "system"]: ...
    @property
    def id(self) -> str | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ItemOutcome:
    """The outcome of a batch command for one customer."""

    @property
    def customer_id(self) -> str: ...
    @property
    def customer(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def code(self) -> str | None: ...
    @property
    def message(self) -> str | None: ...
    @property
    def details(self) -> dict[str, str]: ...
    @property
    def error(self) -> PartnerDeskError | None: ...

@final
class BatchOutcome:
    """One outcome per customer, in the order given; a refusal does not stop the others."""

    @property
    def items(self) -> list[ItemOutcome]: ...
    @property
    def succeeded(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def done(self) -> list[ItemOutcome]: ...
    @property
    def refused(self) -> list[ItemOutcome]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[ItemOutcome]: ...
    def __getitem__(self, index: int, /) -> ItemOutcome: ...

@final
class Operator:
    """An operator of the partner."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def permissions(self) -> frozenset[str]: ...
    @property
    def account_manager(self) -> bool: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Authorization:
    """An authorization to act on a customer's behalf, with its state at the moment asked for."""

    @property
    def id(self) -> str: ...
    @property
    def customer_id(self) -> str: ...
    @property
    def scopes(self) -> list[str]: ...
    @property
    def duration_days(self) -> int: ...
    @property
    def requested_by(self) -> str: ...
    @property
    def requested_at(self) -> datetime.datetime: ...
    @property
    def state(self) -> str: ...
    @property
    def approved_at(self) -> datetime.datetime | None: ...
    @property
    def expires_at(self) -> datetime.datetime | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class DisassociationRequest:
    """A request to end a customer's association, by the customer or the partner."""

    @property
    def id(self) -> str: ...
    @property
    def customer_id(self) -> str: ...
    @property
    def initiator(self) -> str: ...
    @property
    def requested_by(self) -> Actor: ...
    @property
    def requested_at(self) -> datetime.datetime: ...
    @property
    def reason(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def decided_by(self) -> Actor | None: ...
    @property
    def decided_at(self) -> datetime.datetime | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class AuditRecord:
    """Who did (or tried) what, when, and whether it was allowed."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime.datetime: ...
    @property
    def actor(self) -> Actor: ...
    @property
    def customer_id(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def allowed(self) -> bool: ...
    @property
    def denied_code(self) -> str | None: ...
    @property
    def detail(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Event:
    """One change on the desk, in words (``Desk.events_json`` gives the events to apply)."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime.datetime: ...
    @property
    def actor(self) -> Actor: ...
    @property
    def customer_id(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def link(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

_MaskKind = Literal["default", "keep", "fixed", "hidden", "pseudonym", "clear"]

@final
class MaskRule:
    """How one personal field is masked."""

    def __new__(
        cls, kind: _MaskKind | str, *, first: int | None = None, last: int | None = None,
        text: str | None = None,
    ) -> MaskRule: ...
    @property
    def kind(self) -> str: ...
    @property
    def first(self) -> int | None: ...
    @property
    def last(self) -> int | None: ...
    @property
    def text(self) -> str | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class MaskPolicy:
    """How each personal field is masked; a field left out keeps the console's rule."""

    def __new__(
        cls, *, name: MaskRule | None = None, mobile: MaskRule | None = None,
        email: MaskRule | None = None, account_name: MaskRule | None = None,
        manager_name: MaskRule | None = None,
    ) -> MaskPolicy: ...
    @property
    def name(self) -> MaskRule: ...
    @property
    def mobile(self) -> MaskRule: ...
    @property
    def email(self) -> MaskRule: ...
    @property
    def account_name(self) -> MaskRule: ...
    @property
    def manager_name(self) -> MaskRule: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ManagerPeriod:
    """A period during which an operator was a customer's account manager."""

    @property
    def customer_id(self) -> str: ...
    @property
    def customer(self) -> str: ...
    @property
    def manager(self) -> str: ...
    @property
    def start(self) -> datetime.datetime: ...
    @property
    def end(self) -> datetime.datetime | None: ...
    @property
    def assigned_by(self) -> Actor: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class AssociationRecord:
    """One change of the association history: a customer associated or disassociated."""

    @property
    def customer_id(self) -> str: ...
    @property
    def change(self) -> str: ...
    @property
    def association_type(self) -> str: ...
    @property
    def at(self) -> datetime.datetime: ...
    @property
    def initiator(self) -> str: ...
    @property
    def by(self) -> Actor: ...
    @property
    def reason(self) -> str | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class BudgetRecord:
    """A budget setting or deletion."""

    @property
    def customer_id(self) -> str: ...
    @property
    def customer(self) -> str: ...
    @property
    def operation(self) -> str: ...
    @property
    def amount(self) -> Money: ...
    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> datetime.datetime: ...
    @property
    def operator(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class BudgetUsage:
    """A customer's budget usage at a moment."""

    @property
    def amount(self) -> Money: ...
    @property
    def used(self) -> Money: ...
    @property
    def committed(self) -> Money: ...
    @property
    def remaining(self) -> Money: ...
    @property
    def percent(self) -> decimal.Decimal: ...
    @property
    def kind(self) -> str: ...
    @property
    def auto_freeze(self) -> bool: ...
    @property
    def set_at(self) -> datetime.datetime: ...
    @property
    def set_by(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class OrderCounts:
    """Orders of one customer or of everyone the actor may see."""

    @property
    def unpaid(self) -> int: ...
    @property
    def all(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class RenewalItem:
    """A resource to renew: it expires soon and does not renew by itself."""

    @property
    def customer_id(self) -> str: ...
    @property
    def resource_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def expires_at(self) -> datetime.datetime | None: ...
    @property
    def expiry_policy(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class LabeledAmount:
    """An amount with a label: a cloud service (product ranking) or a billing day (daily spend)."""

    @property
    def label(self) -> str: ...
    @property
    def amount(self) -> Money: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class SpendSummary:
    """Spend figures of one customer, or of every customer, at an instant."""

    @property
    def month_to_date(self) -> Money: ...
    @property
    def last_month(self) -> Money: ...
    @property
    def last_month_same_days(self) -> Money: ...
    @property
    def change(self) -> Money: ...
    @property
    def change_percent(self) -> decimal.Decimal | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ExportJob:
    """A recorded export: completed, cancelled or failed."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> Literal["completed", "cancelled", "failed"]: ...
    @property
    def failure_code(self) -> str | None: ...
    @property
    def selection(self) -> Literal["ids", "query", "detail"] | str: ...
    @property
    def rows(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def file_name(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def columns(self) -> list[str]: ...
    @property
    def at(self) -> datetime.datetime: ...
    @property
    def actor(self) -> Actor: ...
    @property
    def ids(self) -> list[str] | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

# ---- a customer's detail pages (records shared by every host) ---------------------------

@final
class OrderLine:
    """One order of a customer."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def amount(self) -> Money: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def paid_at(self) -> datetime.datetime | None: ...
    @property
    def placed_by(self) -> str | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ResourceLine:
    """One resource of a customer (also a line of the portfolio's renewal page)."""

    @property
    def customer_id(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> _ResourceKind | str: ...
    @property
    def service(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def starts_at(self) -> datetime.datetime: ...
    @property
    def expires_at(self) -> datetime.datetime | None: ...
    @property
    def expiry_policy(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class SpendDetail:
    """One line of a customer's spend details; what the grouping does not keep is None."""

    @property
    def day(self) -> str | None: ...
    @property
    def product(self) -> str | None: ...
    @property
    def mode(self) -> str | None: ...
    @property
    def amount(self) -> Money: ...
    @property
    def records(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class OrderPage:
    """One page of a customer's orders: the lines, the total and the next cursor."""

    @property
    def items(self) -> list[OrderLine]: ...
    @property
    def total(self) -> int: ...
    @property
    def next_cursor(self) -> str | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ResourcePage:
    """One page of resources (a customer's, or the portfolio's to renew)."""

    @property
    def items(self) -> list[ResourceLine]: ...
    @property
    def total(self) -> int: ...
    @property
    def next_cursor(self) -> str | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class SpendPage:
    """One page of a customer's spend details."""

    @property
    def items(self) -> list[SpendDetail]: ...
    @property
    def total(self) -> int: ...
    @property
    def next_cursor(self) -> str | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

def demo_portfolio(customers: int = 1000, seed: int = 42) -> DemoPortfolio:
    """The deterministic demo portfolio and the moment it was generated for (``desk, now``).

    At most 20,000,000 customers: a larger ``customers`` is ``InvalidArgumentError``."""

# ---- Huawei BSS interop ------------------------------------------------------------------

_ImportKind = Literal[
    "list_sub_customers", "budget", "budgets", "budget_records", "on_demand_resources",
    "subscription_resources", "orders", "fee_records", "monthly_bills",
]
_Pages = Union[str, bytes, Sequence[Union[str, bytes]]]
_Site = Literal["china", "international"]

_Tier = Literal["solution_provider", "distributor", "reseller"]
_Scope = Literal["account", "account_and_resources"]

@final
class ImportWarning:
    """Something an import kept as well as it could (never a value, never personal data)."""

    @property
    def customer_id(self) -> str | None: ...
    @property
    def field(self) -> str: ...
    @property
    def reason(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...

@final
class ImportedBudgetRecord:
    """One budget setting or deletion read from ``ListSubCustomerBudgetRecords``."""

    @property
    def customer_id(self) -> str: ...
    @property
    def operation(self) -> str: ...
    @property
    def amount(self) -> Money: ...
    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> datetime.datetime: ...
    @property
    def operator(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...

@final
class HuaweiBudgetUsed:
    """Budget use as Huawei reports it (delayed and approximate)."""

    @property
    def customer_id(self) -> str: ...
    @property
    def used(self) -> Money: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...

@final
class ImportReport:
    """What an import did."""

    @property
    def added(self) -> list[str]: ...
    @property
    def updated(self) -> list[str]: ...
    @property
    def operators_added(self) -> list[str]: ...
    @property
    def reported_total(self) -> int | None: ...
    @property
    def items(self) -> int: ...
    @property
    def budgets_set(self) -> int: ...
    @property
    def budgets_removed(self) -> int: ...
    @property
    def resources(self) -> int: ...
    @property
    def orders(self) -> int: ...
    @property
    def spend_records(self) -> int: ...
    @property
    def budget_records(self) -> list[ImportedBudgetRecord]: ...
    @property
    def huawei_budget_used(self) -> list[HuaweiBudgetUsed]: ...
    @property
    def warnings(self) -> list[ImportWarning]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...

@final
class RemoteItem:
    """One customer's outcome of a remote operation, as Huawei answered it."""

    @property
    def customer_id(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def huawei_code(self) -> str | None: ...
    @property
    def code(self) -> str | None: ...
    @property
    def huawei_message(self) -> str | None: ...
    @property
    def retry_after_ms(self) -> int | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...

@final
class RemoteOutcome:
    """The outcome of a remote batch operation: one item per requested customer, in order."""

    @property
    def items(self) -> list[RemoteItem]: ...
    @property
    def unexpected(self) -> list[RemoteItem]: ...
    @property
    def succeeded(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def retryable(self) -> bool: ...
    @property
    def as_batch(self) -> BatchOutcome: ...

@final
class ApiPage:
    """One page to request: ``offset`` and ``limit`` as ``ListSubCustomers`` takes them."""

    @property
    def offset(self) -> int: ...
    @property
    def limit(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class QuerySplit:
    """A query split into the ``ListSubCustomers`` body of a page and the part applied locally."""

    @property
    def api_body(self) -> dict[str, Any]: ...
    @property
    def local_filter(self) -> str: ...

def empty_desk(
    partner_id: str, name: str, *, site: _Site | str,
    tier: _Tier | str | None = None, now: _Now = None,
) -> Desk:
    """An empty desk for a partner, to import Huawei responses into (``Desk.empty``)."""

def huawei_fixture_desk(site: _Site | str, *, now: _Now = None) -> FixtureDesk:
    """A desk loaded from the embedded fixture responses of a site, and the import reports."""

def huawei_fixtures() -> dict[str, str]:
    """Every embedded fixture: file name -> JSON text."""

def huawei_freeze_body(
    customers: Sequence[str], reason: str, *, scope: _Scope | str | None = None,
    reseller: str | None = None,
) -> dict[str, Any]:
    """The ``FreezeSubCustomers`` request body of a freeze command, validated by the domain first."""

def huawei_unfreeze_body(
    customers: Sequence[str], reason: str, *, scope: _Scope | str | None = None,
    reseller: str | None = None,
) -> dict[str, Any]:
    """The ``UnfreezeSubCustomers`` request body of an unfreeze command."""

def huawei_budget_body(
    customer: str, amount: _AmountLike, currency: str, *,
    kind: Literal["monthly", "one_off"] | str | None = None, auto_freeze: bool | None = None,
    unfreeze: bool | None = None, thresholds: Sequence[_AmountLike] | None = None,
    reseller: str | None = None,
) -> dict[str, Any]:
    """The ``UpdateSubCustomerBudget`` request body (amounts as ``decimal.Decimal``)."""

def huawei_batch_outcome(customers: Sequence[str], body: str, *, http_status: int | None = None) -> RemoteOutcome:
    """Huawei's answer to a freeze, unfreeze or budget request, one outcome per customer."""

def huawei_outcome(customers: Sequence[str], body: str, *, http_status: int | None = None) -> RemoteOutcome:
    """``huawei_batch_outcome`` under Python's earlier name."""

def huawei_page_plan(total: int, *, limit: int | None = None) -> list[ApiPage]:
    """The pages covering ``total`` records, ``limit`` (default 100) at a time."""

def huawei_split_query(
    query: Query | str, site: _Site | str, *, offset: int | None = None, limit: int | None = None
) -> QuerySplit:
    """The ``ListSubCustomers`` body of a query's API part for one page, and the local filter."""

def huawei_list_body(
    query: Query | str, site: _Site | str, *, offset: int | None = None, limit: int | None = None
) -> QuerySplit:
    """``huawei_split_query`` under Python's earlier name."""

def huawei_api_kinds() -> list[str]:
    """The stable codes a Huawei answer can mean (``RemoteItem.code``, ``HuaweiApiError.kind``)."""

def huawei_error_codes() -> list[str]:
    """Every stable error code of the Huawei adapter."""

def version() -> str:
    """The library's version (as ``__version__``)."""

def demo_now() -> datetime.datetime:
    """The instant the demo portfolio is built for."""

def error_codes() -> list[str]:
    """Every stable error code of the core, in its order."""

def export_columns() -> list[str]:
    """Every export column key, in the default order."""

def _permission_items() -> list[tuple[str, str, bool]]:
    """Internal: every permission item as ``(name, code, administrator_only)``."""

def _panic_for_tests() -> None:
    """Internal diagnostic, not part of the API: panics on purpose inside the native module,
    to test that a panic reaches Python as ``InternalError``."""

# ---- errors ------------------------------------------------------------------------------

ERROR_CLASSES: dict[str, type[PartnerDeskError]]

class PartnerDeskError(Exception):
    """Base class of every partnerdesk error; ``code`` is the core's stable machine code."""

    code: ClassVar[str]

class HuaweiApiError(PartnerDeskError):
    """Huawei answered with an error. Code `HUAWEI_API_ERROR`."""
    huawei_code: str
    kind: str
    http_status: int | None
    retryable: bool

class HuaweiInvalidDataError(PartnerDeskError):
    """A Huawei response breaks the API's rules. Code `HUAWEI_INVALID_DATA`."""
    field: str
    reason: str

class HuaweiPagingOutOfBoundsError(PartnerDeskError):
    """Paging beyond the API's bounds. Code `HUAWEI_PAGING_OUT_OF_BOUNDS`."""
    reason: str

# BEGIN GENERATED ERRORS (from Error::TABLE; checked by bindings/host/tests/error_tables.rs)
class InvalidIdError(PartnerDeskError):
    """An identifier is empty, too long or has characters it may not have. Code `INVALID_ID`."""
    kind: str
    reason: str

class InvalidMoneyError(PartnerDeskError):
    """A money amount is out of range or has more decimals than allowed. Code `INVALID_MONEY`."""
    field: str
    reason: str

class CurrencyMismatchError(PartnerDeskError):
    """Two amounts, or an amount and the partner, have different currencies. Code `CURRENCY_MISMATCH`."""
    expected: str
    found: str

class InvalidCurrencyError(PartnerDeskError):
    """A currency code is not three upper-case ASCII letters. Code `INVALID_CURRENCY`."""
    ...

class InvalidDateError(PartnerDeskError):
    """A date, time, duration or time-zone offset is malformed or out of range. Code `INVALID_DATE`."""
    field: str
    reason: str

class InvalidArgumentError(PartnerDeskError):
    """An argument is outside what the operation accepts. Code `INVALID_ARGUMENT`."""
    field: str
    reason: str

class CustomerNotFoundError(PartnerDeskError):
    """No customer with this id is on the desk. Code `CUSTOMER_NOT_FOUND`."""
    id: str

class DuplicateCustomerError(PartnerDeskError):
    """A customer with this id is already on the desk. Code `DUPLICATE_CUSTOMER`."""
    id: str

class OperatorNotFoundError(PartnerDeskError):
    """No operator with this login belongs to the partner. Code `OPERATOR_NOT_FOUND`."""
    id: str

class DuplicateOperatorError(PartnerDeskError):
    """An operator with this login already belongs to the partner. Code `DUPLICATE_OPERATOR`."""
    id: str

class FilterSyntaxError(PartnerDeskError):
    """A text filter could not be parsed. Code `FILTER_SYNTAX`."""
    position: int
    expected: str
    found: str

class InvalidPageError(PartnerDeskError):
    """A page request is out of bounds (limit 0, or over the maximum). Code `INVALID_PAGE`."""
    reason: str

class InvalidCursorError(PartnerDeskError):
    """A cursor is malformed or was tampered with. Code `INVALID_CURSOR`."""
    ...

class CursorMismatchError(PartnerDeskError):
    """A cursor was produced by another query or another sort order. Code `CURSOR_MISMATCH`."""
    ...

class InvalidSnapshotError(PartnerDeskError):
    """A snapshot is structurally valid JSON but breaks an invariant. Code `INVALID_SNAPSHOT`."""
    field: str
    reason: str

class UnsupportedSnapshotVersionError(PartnerDeskError):
    """A snapshot was written by a format version this library cannot read. Code `UNSUPPORTED_SNAPSHOT_VERSION`."""
    found: int
    supported: int

class MalformedJsonError(PartnerDeskError):
    """JSON could not be parsed (malformed, truncated or of the wrong types). Code `MALFORMED_JSON`."""
    category: str
    line: int
    column: int

class PermissionDeniedError(PartnerDeskError):
    """The actor does not hold the permission item the operation needs (Huawei `CBC.0151`). Code `PERMISSION_DENIED`."""
    item: str
    actor: str

class AdministratorOnlyError(PartnerDeskError):
    """The operation or item is reserved to the partner administrator and cannot be granted. Code `ADMINISTRATOR_ONLY`."""
    item: str

class WrongAssociationTypeError(PartnerDeskError):
    """The customer's association type does not allow the operation, e.g. freezing or budgeting a referral customer (Huawei `CBC.5024`). Code `WRONG_ASSOCIATION_TYPE`."""
    id: str

class FreezeScopeMismatchError(PartnerDeskError):
    """An unfreeze named another scope than the one the customer was frozen with. Code `FREEZE_SCOPE_MISMATCH`."""
    id: str
    frozen: str
    requested: str

class NotFrozenError(PartnerDeskError):
    """The customer is not frozen. Code `NOT_FROZEN`."""
    id: str

class AlreadyFrozenError(PartnerDeskError):
    """The customer is already frozen. Code `ALREADY_FROZEN`."""
    id: str

class TooManyIdsError(PartnerDeskError):
    """A batch named more ids than the operation accepts (freeze/unfreeze: 10). Code `TOO_MANY_IDS`."""
    given: int
    max: int

class InvalidReasonError(PartnerDeskError):
    """A reason is missing, too long or has control characters. Code `INVALID_REASON`."""
    reason: str

class DisassociationQuotaExceededError(PartnerDeskError):
    """A fourth partner-initiated disassociation request within a rolling 3 months. Code `DISASSOCIATION_QUOTA_EXCEEDED`."""
    id: str
    limit: int

class DisassociationBlockedError(PartnerDeskError):
    """Disassociation is blocked: the account is manually frozen, or holds a valid reserved instance or support plan. Code `DISASSOCIATION_BLOCKED`."""
    id: str
    blocked_by: str

class NotAssociatedError(PartnerDeskError):
    """The customer is not (or no longer) associated with the partner. Code `NOT_ASSOCIATED`."""
    id: str

class AlreadyAssociatedError(PartnerDeskError):
    """The customer is already associated with the partner. Code `ALREADY_ASSOCIATED`."""
    id: str

class NotAccountManagerError(PartnerDeskError):
    """The operator is not an account manager (or the customer has no account manager to unassign). Code `NOT_ACCOUNT_MANAGER`."""
    id: str

class AuthorizationRequiredError(PartnerDeskError):
    """Acting on the customer's behalf needs an active authorization covering the scope. Code `AUTHORIZATION_REQUIRED`."""
    id: str
    scope: str

class AuthorizationNotFoundError(PartnerDeskError):
    """No authorization (or disassociation request) with this id exists. Code `AUTHORIZATION_NOT_FOUND`."""
    what: str
    id: str

class InvalidTransitionError(PartnerDeskError):
    """The action is not allowed in the current state of the record. Code `INVALID_TRANSITION`."""
    what: str
    state: str
    action: str

class CommitmentLetterRequiredError(PartnerDeskError):
    """The partner's first authorization request needs the commitment letter accepted. Code `COMMITMENT_LETTER_REQUIRED`."""
    ...

class DistributorApprovalRequiredError(PartnerDeskError):
    """A reseller's authorization request needs its distributor's approval first. Code `DISTRIBUTOR_APPROVAL_REQUIRED`."""
    id: str

class CustomerFrozenError(PartnerDeskError):
    """The customer is frozen, so the operation (e.g. an order on its behalf) is refused. Code `CUSTOMER_FROZEN`."""
    id: str

class OverBudgetError(PartnerDeskError):
    """The amount does not fit the customer's remaining budget. Code `OVER_BUDGET`."""
    id: str
    remaining: str

class IdempotencyConflictError(PartnerDeskError):
    """The idempotency key was already used by a different command. Code `IDEMPOTENCY_CONFLICT`."""
    key: str

class ExportNotFoundError(PartnerDeskError):
    """No export job with this id is in the desk's history. Code `EXPORT_NOT_FOUND`."""
    id: str

class ExportCancelledError(PartnerDeskError):
    """The export's progress callback cancelled it; the job is recorded as cancelled and whatever reached the sink is incomplete. Code `EXPORT_CANCELLED`."""
    id: str

class ExportWriteFailedError(PartnerDeskError):
    """Writing an export failed (the sink, or an XLSX cell longer than Excel allows); the job is recorded as failed. Code `EXPORT_WRITE_FAILED`."""
    id: str
    reason: str

class QueryTooComplexError(PartnerDeskError):
    """A query is nested deeper, or holds more criteria, than the library accepts (the same limits for builders and the text filter), so no walk over it can exhaust the stack. Code `QUERY_TOO_COMPLEX`."""
    what: str
    max: int

class InvalidEventError(PartnerDeskError):
    """An event was refused on replay: it fails the checks the command that produced it had to pass (a value out of bounds, another currency, an unknown operator or customer, time going backwards, an actor without the item). Nothing from this event on is applied. Code `INVALID_EVENT`."""
    sequence: int
    reason: str

class EventChainBrokenError(PartnerDeskError):
    """The event log's chain is broken at this event: an event was reordered, renumbered, edited, inserted or removed. Nothing from this event on is applied. Code `EVENT_CHAIN_BROKEN`."""
    sequence: int
    reason: str

class StoreUnavailableError(PartnerDeskError):
    """The durable store could not be reached or could not write (server gone, disk full, file locked or not a database). Nothing of the command was committed and the desk is as it was before it. Raised by `partnerdesk-store`, never by the core itself. Code `STORE_UNAVAILABLE`."""
    reason: str

class ConcurrentChangeError(PartnerDeskError):
    """Another instance appended to the desk's log first, and the command was still in conflict after the retries the store's policy allows. Nothing of it was committed; the desk has caught up and the command may be tried again. Code `CONCURRENT_CHANGE`."""
    expected_events: int
    found_events: int

class StoreCorruptError(PartnerDeskError):
    """A checkpoint, event or audit record in the store does not read back (bad checksum, unknown format, a gap in the sequence): refused rather than open a wrong desk. Code `STORE_CORRUPT`."""
    what: str

class StoreVersionUnsupportedError(PartnerDeskError):
    """The store was written by a newer version of this library: its schema version is `found`, this library reads up to `supported`. Code `STORE_VERSION_UNSUPPORTED`."""
    found: int
    supported: int

class InternalError(PartnerDeskError):
    """A bug in partnerdesk, caught before it could reach the host (a binding turns a panic into this error). The operation may not have completed; please report it. Code `INTERNAL`."""
    operation: str

__all__ += [
    "InvalidIdError",
    "InvalidMoneyError",
    "CurrencyMismatchError",
    "InvalidCurrencyError",
    "InvalidDateError",
    "InvalidArgumentError",
    "CustomerNotFoundError",
    "DuplicateCustomerError",
    "OperatorNotFoundError",
    "DuplicateOperatorError",
    "FilterSyntaxError",
    "InvalidPageError",
    "InvalidCursorError",
    "CursorMismatchError",
    "InvalidSnapshotError",
    "UnsupportedSnapshotVersionError",
    "MalformedJsonError",
    "PermissionDeniedError",
    "AdministratorOnlyError",
    "WrongAssociationTypeError",
    "FreezeScopeMismatchError",
    "NotFrozenError",
    "AlreadyFrozenError",
    "TooManyIdsError",
    "InvalidReasonError",
    "DisassociationQuotaExceededError",
    "DisassociationBlockedError",
    "NotAssociatedError",
    "AlreadyAssociatedError",
    "NotAccountManagerError",
    "AuthorizationRequiredError",
    "AuthorizationNotFoundError",
    "InvalidTransitionError",
    "CommitmentLetterRequiredError",
    "DistributorApprovalRequiredError",
    "CustomerFrozenError",
    "OverBudgetError",
    "IdempotencyConflictError",
    "ExportNotFoundError",
    "ExportCancelledError",
    "ExportWriteFailedError",
    "QueryTooComplexError",
    "InvalidEventError",
    "EventChainBrokenError",
    "StoreUnavailableError",
    "ConcurrentChangeError",
    "StoreCorruptError",
    "StoreVersionUnsupportedError",
    "InternalError",
]
# END GENERATED ERRORS
