"""The exception classes: one per core code, all under PartnerDeskError, each raised for real
by an operation through the binding, with `code` on the class and the instance."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import pathlib
import shutil
import tempfile
from collections.abc import Callable

import pytest

import partnerdesk
from partnerdesk import Actor, Desk, Query


def demo() -> tuple[Desk, datetime.datetime]:
    return partnerdesk.demo_portfolio(200, seed=42)


def on_demo(f: Callable[[Desk, datetime.datetime], object]) -> Callable[[], object]:
    """A trigger that runs `f` on a fresh demo desk at its clock."""
    return lambda: f(*demo())


def one(desk: Desk, now: datetime.datetime, query: str) -> str:
    return desk.search(query, limit=1, now=now)[0].id


def distributor_approval() -> None:
    desk, now = demo()
    snap = json.loads(desk.to_snapshot_json())
    snap["partner"]["tier"] = "reseller"
    desk = Desk.from_snapshot_json(json.dumps(snap))
    cid = one(desk, now, "assoc=reseller")
    aid = desk.request_authorization("admin", cid, scopes=["place_orders"], duration_days=30, accept_commitment_letter=True, now=now)
    assert desk.authorization(aid, now=now).state == "awaiting_distributor"
    desk.decide_authorization(Actor.customer(cid), aid, "approve", now=now)


def approve_twice() -> None:
    desk, now = demo()
    cid = one(desk, now, "assoc=reseller")
    authorized(desk, now, cid)
    desk.decide_authorization(Actor.customer(cid), desk.authorizations_of(cid)[0].id, "approve", now=now)


def quota() -> None:
    desk, now = demo()
    cid = one(desk, now, "frozen=false")
    for _ in range(3):
        req = desk.request_partner_disassociation("admin", cid, reason="tidy up", now=now)
        desk.decide_disassociation(Actor.customer(cid), req, approve=False, reason="staying", now=now)
    desk.request_partner_disassociation("admin", cid, reason="tidy up", now=now)


def blocked() -> None:
    desk, now = demo()
    cid = one(desk, now, "assoc=reseller and frozen=false")
    desk.freeze("admin", [cid], reason="manual", now=now)
    desk.request_partner_disassociation("admin", cid, reason="leave", now=now)


def authorized(desk: Desk, now: datetime.datetime, cid: str) -> None:
    aid = desk.request_authorization("admin", cid, scopes=["place_orders"], duration_days=30, accept_commitment_letter=True, now=now)
    desk.decide_authorization(Actor.customer(cid), aid, "approve", now=now)


def frozen_order() -> None:
    desk, now = demo()
    cid = one(desk, now, "assoc=reseller and frozen=false")
    authorized(desk, now, cid)
    desk.freeze("admin", [cid], reason="overdue", now=now)
    desk.place_order_on_behalf("admin", cid, "10", now=now)


def over_budget() -> None:
    desk, now = demo()
    cid = one(desk, now, "assoc=reseller and frozen=false and mtd>=10")
    authorized(desk, now, cid)
    desk.set_budget("admin", cid, "1", now=now)
    desk.place_order_on_behalf("admin", cid, "1000", now=now)


def duplicate_customer() -> None:
    desk, now = demo()
    snap = json.loads(desk.to_snapshot_json())
    desk.insert_customer(json.dumps(snap["customers"][0]))


def not_associated() -> None:
    desk, now = demo()
    cid = one(desk, now, "frozen=false")
    req = desk.request_partner_disassociation("admin", cid, reason="ended", now=now)
    desk.decide_disassociation(Actor.customer(cid), req, approve=True, reason="ok", now=now)
    desk.freeze("admin", [cid], reason="x", now=now).items[0].error and None
    desk.request_partner_disassociation("admin", cid, reason="again", now=now)


def freeze_item(code_query: str, scope: str, times: int, unfreeze: bool) -> Callable[[], None]:
    def run() -> None:
        desk, now = demo()
        cid = one(desk, now, code_query)
        for _ in range(times):
            out = desk.freeze("admin", [cid], reason="x", now=now)
        if unfreeze:
            out = desk.unfreeze("admin", [cid], scope=scope, reason="x", now=now)
        err = out.items[0].error
        assert err is not None
        raise err

    return run


def export_with(progress: Callable[[int, int], object] | None, dest: object) -> Callable[[], None]:
    def run() -> None:
        desk, now = demo()
        desk.export("admin", dest, progress=progress, now=now)  # type: ignore[arg-type]

    return run


class BrokenFile:
    def write(self, data: bytes) -> int:
        raise OSError("broken pipe")


def snapshot_with(change: Callable[[dict], None]) -> Callable[[], None]:
    def run() -> None:
        snap = json.loads(demo()[0].to_snapshot_json())
        change(snap)
        Desk.from_snapshot_json(json.dumps(snap))

    return run


def forged_grant() -> None:
    """An operator without the right grants itself an item: a well-sealed, invalid event."""
    desk, now = demo()
    start = desk.to_snapshot_json()
    head = desk.chain_head()
    desk.grant_permissions("admin", "ops_billing", ["PD_VIEW_SPEND"], now=now)
    event = json.loads(desk.events_json())[-1]
    event.pop("link")
    event["actor"] = {"operator": "am_001"}
    body = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    event["link"] = hashlib.sha256(head.encode() + b"\n" + body.encode()).hexdigest()
    Desk.from_snapshot_json(start).apply_events(json.dumps([event]))


def out_of_order() -> None:
    desk, now = demo()
    start = desk.to_snapshot_json()
    desk.grant_permissions("admin", "ops_billing", ["PD_VIEW_SPEND"], now=now)
    desk.grant_permissions("admin", "am_001", ["PD_VIEW_SPEND"], now=now)
    Desk.replay(start, json.dumps(json.loads(desk.events_json())[::-1]))


FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "host" / "fixtures"


def open_copy_of(fixture: str) -> Callable[[], object]:
    """A trigger that opens a copy of a store fixture (never the committed file itself)."""

    def trigger() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = pathlib.Path(tmp) / fixture
            shutil.copyfile(FIXTURES / fixture, path)
            Desk.open(path)

    return trigger


def store_unavailable() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        Desk.open(pathlib.Path(tmp) / "no" / "such" / "folder" / "desk.db")


def concurrent_change() -> None:
    """Two desks on one SQLite file, one attempt each: the second change comes too late."""
    with tempfile.TemporaryDirectory() as tmp:
        location = pathlib.Path(tmp) / "desk.db"
        a, now = demo()
        a.save_to(location, max_attempts=1)
        b = Desk.open(location, max_attempts=1)
        a.grant_permissions("admin", "ops_billing", ["PD_VIEW_SPEND"], now=now)
        b.grant_permissions("admin", "am_001", ["PD_VIEW_SPEND"], now=now)


TRIGGERS: dict[str, Callable[[], object]] = {
    "INVALID_ID": lambda: Query.customer_id(""),
    "INVALID_MONEY": lambda: demo()[0].set_budget("admin", one(*demo(), "assoc=reseller"), "-5"),
    "CURRENCY_MISMATCH": lambda: partnerdesk.Money("1", "CNY") + partnerdesk.Money("1", "EUR"),
    "INVALID_CURRENCY": lambda: partnerdesk.Money("1", "yuan"),
    "INVALID_DATE": lambda: demo()[0].daily_spend("admin", datetime.date(2026, 11, 2), datetime.date(2026, 11, 1)),
    "INVALID_ARGUMENT": lambda: demo()[0].search(sort="spend"),
    "CUSTOMER_NOT_FOUND": lambda: demo()[0].customer_row("0" * 32),
    "DUPLICATE_CUSTOMER": duplicate_customer,
    "OPERATOR_NOT_FOUND": lambda: demo()[0].grant_permissions("admin", "ghost", ["PD_VIEW_SPEND"]),
    "DUPLICATE_OPERATOR": lambda: demo()[0].add_operator("admin", "Another Admin"),
    "FILTER_SYNTAX": lambda: Query.parse("mtd>="),
    "INVALID_PAGE": lambda: demo()[0].search(limit=0),
    "INVALID_CURSOR": lambda: demo()[0].search(cursor="not-a-cursor"),
    "CURSOR_MISMATCH": lambda: (lambda d: d.search("tag:gold", cursor=d.search("tag:vip", limit=1).next_cursor))(demo()[0]),
    "INVALID_SNAPSHOT": snapshot_with(lambda s: s.update(indexed_month="2026-13")),
    "UNSUPPORTED_SNAPSHOT_VERSION": snapshot_with(lambda s: s.update(version=2**31)),
    "MALFORMED_JSON": lambda: Desk.from_snapshot_json('{"format": '),
    "PERMISSION_DENIED": on_demo(lambda d, n: d.freeze("am_001", [one(d, n, "assoc=reseller")], reason="x", now=n)),
    "ADMINISTRATOR_ONLY": lambda: demo()[0].grant_permissions("ops_billing", "am_001", ["PD_VIEW_SPEND"]),
    "WRONG_ASSOCIATION_TYPE": freeze_item("assoc=referral", "account", 1, False),
    "FREEZE_SCOPE_MISMATCH": freeze_item("assoc=reseller and frozen=false", "account_and_resources", 1, True),
    "NOT_FROZEN": freeze_item("assoc=reseller and frozen=false", "account", 0, True),
    "ALREADY_FROZEN": freeze_item("assoc=reseller and frozen=false", "account", 2, False),
    "TOO_MANY_IDS": lambda: demo()[0].freeze("admin", [f"{i:032x}" for i in range(11)], reason="x"),
    "INVALID_REASON": on_demo(lambda d, n: d.freeze("admin", [one(d, n, "assoc=reseller")], reason="", now=n)),
    "DISASSOCIATION_QUOTA_EXCEEDED": quota,
    "DISASSOCIATION_BLOCKED": blocked,
    "NOT_ASSOCIATED": not_associated,
    "ALREADY_ASSOCIATED": on_demo(lambda d, n: d.associate("admin", one(d, n, "*"), account_name="a", name="b", now=n)),
    "NOT_ACCOUNT_MANAGER": on_demo(lambda d, n: d.assign_manager("admin", [one(d, n, "*")], "ops_billing", now=n)),
    "AUTHORIZATION_REQUIRED": on_demo(lambda d, n: d.require_authorization(one(d, n, "*"), "place_orders", now=n)),
    "AUTHORIZATION_NOT_FOUND": lambda: demo()[0].authorization("auth-999999"),
    "INVALID_TRANSITION": approve_twice,
    "COMMITMENT_LETTER_REQUIRED": on_demo(lambda d, n: d.request_authorization("admin", one(d, n, "*"), scopes=["place_orders"], duration_days=7, now=n)),
    "DISTRIBUTOR_APPROVAL_REQUIRED": distributor_approval,
    "CUSTOMER_FROZEN": frozen_order,
    "OVER_BUDGET": over_budget,
    "IDEMPOTENCY_CONFLICT": on_demo(lambda d, n: (d.freeze("admin", [c := one(d, n, "assoc=reseller and frozen=false")], reason="x", now=n, idempotency_key="k"), d.unfreeze("admin", [c], reason="x", now=n, idempotency_key="k"))),
    "EXPORT_NOT_FOUND": lambda: demo()[0].download_export("admin", "exp_000042", io.BytesIO()),
    "EXPORT_CANCELLED": export_with(lambda done, total: False, io.BytesIO()),
    "EXPORT_WRITE_FAILED": export_with(None, BrokenFile()),
    "INVALID_EVENT": forged_grant,
    "EVENT_CHAIN_BROKEN": out_of_order,
    "QUERY_TOO_COMPLEX": lambda: Query.parse("not " * 65 + "tag:vip"),
    "STORE_UNAVAILABLE": store_unavailable,
    "CONCURRENT_CHANGE": concurrent_change,
    "STORE_CORRUPT": open_copy_of("not-a-database.db"),
    "STORE_VERSION_UNSUPPORTED": open_copy_of("newer-schema.db"),
}


def test_hierarchy_and_codes() -> None:
    classes = partnerdesk.ERROR_CLASSES
    assert len(classes) == len(set(classes)) >= 41
    assert issubclass(partnerdesk.PartnerDeskError, Exception)
    for code, cls in classes.items():
        assert issubclass(cls, partnerdesk.PartnerDeskError) and cls is not partnerdesk.PartnerDeskError
        assert cls.code == code
        assert getattr(partnerdesk, cls.__name__) is cls
        assert cls.__name__.endswith("Error")
        assert cls.__module__ == "partnerdesk"
        assert code in (cls.__doc__ or "")


@pytest.mark.parametrize("code", sorted(partnerdesk.ERROR_CLASSES))
def test_every_class_is_raised_for_real(code: str) -> None:
    assert code in TRIGGERS, f"no trigger for {code}: expose the operation that raises it and add one"
    cls = partnerdesk.ERROR_CLASSES[code]
    with pytest.raises(cls) as e:
        TRIGGERS[code]()
    err = e.value
    assert type(err) is cls and err.code == code
    assert isinstance(err, partnerdesk.PartnerDeskError)
    assert str(err)  # the core's message (ids and codes only)


def test_error_details_are_attributes() -> None:
    with pytest.raises(partnerdesk.UnsupportedSnapshotVersionError) as e:
        snapshot_with(lambda s: s.update(version=7))()
    assert (e.value.found, e.value.supported) == (7, 2)
    with pytest.raises(partnerdesk.MalformedJsonError) as e2:
        Desk.from_snapshot_json('{"a": 1,\n  oops}')
    assert (e2.value.category, e2.value.line) == ("syntax", 2)


def test_store_errors_carry_their_details() -> None:
    with pytest.raises(partnerdesk.StoreUnavailableError) as e:
        store_unavailable()
    assert e.value.reason and "no/such" not in str(e.value)  # a location is never in an error
    with pytest.raises(partnerdesk.ConcurrentChangeError) as e2:
        concurrent_change()
    assert e2.value.found_events > e2.value.expected_events
    with pytest.raises(partnerdesk.StoreCorruptError) as e3:
        open_copy_of("not-a-database.db")()
    assert e3.value.what
    with pytest.raises(partnerdesk.StoreVersionUnsupportedError) as e4:
        open_copy_of("newer-schema.db")()
    assert e4.value.found > e4.value.supported


def test_argument_conversion_errors_are_type_and_value_errors() -> None:
    desk, now = demo()
    with pytest.raises(TypeError):
        desk.search(now=now, limit="5")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        desk.set_budget("admin", "0" * 32, 1.5, now=now)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        partnerdesk.Money("1.2.3", "CNY")
    with pytest.raises(OverflowError):
        desk.search(now=now, limit=2**40)


def test_an_oversized_demo_portfolio_is_an_error_not_an_abort() -> None:
    """A size no memory can hold is INVALID_ARGUMENT before anything is reserved (it used to
    abort the interpreter), from both ways of building the demo."""
    for build in (lambda: Desk.demo(10**12), lambda: partnerdesk.demo_portfolio(10**12)):
        with pytest.raises(partnerdesk.PartnerDeskError) as e:
            build()
        assert e.value.code == "INVALID_ARGUMENT"
        assert "at most 20000000 customers" in str(e.value)
    assert len(Desk.demo(3)) == 3


def huawei_denied() -> None:
    desk = partnerdesk.empty_desk("p-1", "Example", site="international")
    partnerdesk.huawei_import(desk, "list_sub_customers", partnerdesk.huawei_fixtures()["error.denied.json"])


def huawei_bad_data() -> None:
    desk = partnerdesk.empty_desk("p-1", "Example", site="international")
    partnerdesk.huawei_import(desk, "list_sub_customers", partnerdesk.huawei_fixtures()["list_sub_customers.missing_id.json"])


TRIGGERS.update(
    {
        "HUAWEI_API_ERROR": huawei_denied,
        "HUAWEI_INVALID_DATA": huawei_bad_data,
        "HUAWEI_PAGING_OUT_OF_BOUNDS": lambda: partnerdesk.huawei_page_plan(10**9, limit=10),
        # The hidden diagnostic that panics on purpose: the last line against panics.
        "INTERNAL": lambda: partnerdesk._partnerdesk._panic_for_tests(),
    }
)


def test_a_panic_is_an_ordinary_exception_and_the_module_works_on() -> None:
    """A panic in the native module is `InternalError`, which `except Exception` catches (not
    pyo3's `PanicException`, a `BaseException`), names no more than the operation, and leaves
    the module usable."""
    caught: Exception | None = None
    try:
        partnerdesk._partnerdesk._panic_for_tests()
    except Exception as e:  # noqa: BLE001 - the point of the test
        caught = e
    assert isinstance(caught, partnerdesk.InternalError)
    assert caught.code == "INTERNAL"
    assert caught.operation == "_panic_for_tests"
    assert "deliberate" not in str(caught)
    desk, now = partnerdesk.demo_portfolio(20, seed=1)
    assert desk.count("*", now=now) >= 0
