"""Python as a Python user expects it (issue 17, item 2): rows and pages as data, iterable
batch outcomes, named results instead of bare tuples, customers and operators without JSON,
permission items by name, and amounts always ``Decimal``."""

from __future__ import annotations

import datetime
import decimal
import importlib
import json
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest

import partnerdesk
from partnerdesk import NewCustomer, Permission

NEW_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
SINCE = datetime.datetime(2026, 1, 5, 8, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture()
def fresh() -> partnerdesk.DemoPortfolio:
    return partnerdesk.demo_portfolio(300, seed=42)


# ---- rows and pages as data --------------------------------------------------------------


def test_a_row_becomes_a_dict_of_plain_values(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    page = desk.search("assoc=reseller and budget>=*", sort="-mtd", limit=20, now=now)
    row = page[0]
    d = row.to_dict()
    from partnerdesk import _frames

    assert list(d) == [name for name, _ in _frames.COLUMNS]
    assert d["id"] == row.id and d["name"] == row.name and d["name"].endswith("***")  # masked
    assert d["account_name"] == row.account_name and d["level"] == row.level
    assert d["tags"] == sorted(row.tags) and isinstance(d["tags"], list)
    assert isinstance(d["month_to_date"], Decimal) and d["month_to_date"] == row.month_to_date.amount
    assert d["month_to_date_currency"] == row.month_to_date.currency == "CNY"
    assert isinstance(d["last_month"], Decimal)
    budget = row.budget
    assert budget is not None
    assert (d["budget_amount"], d["budget_used"], d["budget_percent"]) == (budget.amount.amount, budget.used.amount, budget.percent)
    assert isinstance(d["budget_amount"], Decimal) and d["budget_currency"] == budget.amount.currency
    assert d["associated_at"] == row.associated_at and d["associated_at"].tzinfo is not None
    assert d["frozen"] is row.frozen and isinstance(d["unpaid_orders"], int)
    for value in d.values():
        assert not isinstance(value, float)
    # Every row of the page, in order; a row's dict is plain data json can write (with str).
    dicts = page.to_dicts()
    assert [x["id"] for x in dicts] == page.ids == [r.id for r in page]
    assert json.loads(json.dumps(dicts, default=str))[0]["id"] == row.id


@pytest.mark.parametrize(
    "method, package",
    [("to_pandas", "pandas"), ("to_polars", "polars"), ("to_arrow", "pyarrow")],
)
def test_frames_name_the_missing_package(method: str, package: str) -> None:
    # Run with the package's import blocked, as if it were not installed.
    code = f"""
import sys
sys.modules[{package!r}] = None
import partnerdesk
desk, now = partnerdesk.demo_portfolio(50, seed=1)
page = desk.search(limit=3, now=now)
try:
    page.{method}()
except ImportError as e:
    print("ImportError:", e)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert f"ImportError: Page.{method}() needs the {package} package" in out
    assert f"pip install {package}" in out


def _frame_package(name: str) -> Any:
    """A frame package, pinned in the test venv (requirements-test.txt): a missing one fails
    the test rather than skipping it."""
    return importlib.import_module(name)


def _frame_rows(desk: partnerdesk.Desk, now: datetime.datetime) -> partnerdesk.Page:
    page = desk.search("budget>=*", sort="-mtd", limit=10, now=now)
    assert len(page) == 10
    return page


def test_to_pandas_keeps_amounts_exact(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    pd = _frame_package("pandas")
    page = _frame_rows(desk, now)
    df = page.to_pandas()
    assert list(df["id"]) == page.ids
    assert all(isinstance(v, Decimal) for v in df["month_to_date"])
    assert list(df["month_to_date"]) == [r.month_to_date.amount for r in page]
    assert str(df["associated_at"].dt.tz) == "UTC"
    assert isinstance(pd.DataFrame(page.to_dicts()), pd.DataFrame)


def test_to_polars_keeps_amounts_exact(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    pl = _frame_package("polars")
    page = _frame_rows(desk, now)
    df = page.to_polars()
    assert isinstance(df.schema["month_to_date"], pl.Decimal)
    assert df["month_to_date"].to_list() == [r.month_to_date.amount for r in page]
    assert df["id"].to_list() == page.ids


def test_to_arrow_keeps_amounts_exact(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    pa = _frame_package("pyarrow")
    page = _frame_rows(desk, now)
    table = page.to_arrow()
    assert pa.types.is_decimal128(table.schema.field("month_to_date").type)
    assert table.column("month_to_date").to_pylist() == [r.month_to_date.amount for r in page]
    assert table.num_rows == len(page)


# ---- iterable batch outcomes --------------------------------------------------------------


def test_batch_outcomes_iterate(fresh: partnerdesk.DemoPortfolio) -> None:
    desk, now = fresh
    rs = desk.search("assoc=reseller and frozen=false", limit=2, now=now).ids
    ref = desk.search("assoc=referral", limit=1, now=now).ids
    out = desk.freeze("admin", rs + ref, reason="overdue invoices", now=now)
    assert len(out) == 3 and [i.customer for i in out] == rs + ref
    view = lambda items: [(i.customer, i.ok, i.code) for i in items]  # noqa: E731
    assert view(list(out)) == view(out.items)
    assert out[0].customer == rs[0] and out[-1].customer == ref[0]
    with pytest.raises(IndexError):
        out[3]
    assert [i.customer for i in out.done] == rs and [i.customer for i in out.refused] == ref
    assert out.refused[0].code == "WRONG_ASSOCIATION_TYPE"
    assert isinstance(out.refused[0].error, partnerdesk.WrongAssociationTypeError)


# ---- named results, never bare tuples ------------------------------------------------------


def test_search_ids_is_an_id_page_and_never_an_id_list(fresh: partnerdesk.DemoPortfolio) -> None:
    desk, now = fresh
    page = desk.search_ids("assoc=reseller and frozen=false", limit=3, now=now)
    assert isinstance(page, partnerdesk.IdPage) and len(page) == 3 and page.total >= 3
    assert page.ids == desk.search("assoc=reseller and frozen=false", limit=3, now=now).ids
    assert repr(page).startswith("IdPage(ids=3, total=")
    with pytest.raises(TypeError):
        iter(page)  # type: ignore[call-overload]
    # Given whole where ids are wanted: a typed refusal naming the argument, nothing changed.
    with pytest.raises(partnerdesk.InvalidArgumentError) as e:
        desk.freeze("admin", page, reason="overdue")  # type: ignore[arg-type]
    assert (e.value.code, e.value.field) == ("INVALID_ARGUMENT", "customers")
    assert "page.ids" in e.value.reason
    assert desk.count("frozen=true", now=now) == desk.count("frozen=true", now=now)
    rows = desk.search("assoc=reseller", limit=2, now=now)
    for call in (
        lambda: desk.assign_manager("admin", rows, "am_001"),  # type: ignore[arg-type]
        lambda: desk.export_to_buffer("admin", ids=page),
        lambda: partnerdesk.huawei_freeze_body(page, reason="r"),  # type: ignore[arg-type]
    ):
        with pytest.raises(partnerdesk.InvalidArgumentError):
            call()
    assert desk.freeze("admin", page.ids, reason="overdue", now=now).succeeded == 3


def test_results_in_several_parts_are_named_tuples() -> None:
    portfolio = partnerdesk.demo_portfolio(20, seed=1)
    assert isinstance(portfolio, partnerdesk.DemoPortfolio)
    desk, now = portfolio  # unpacks as before
    assert (portfolio.desk, portfolio.now) == (desk, now) and now == partnerdesk.demo_now()
    fixture = partnerdesk.huawei_fixture_desk("international")
    assert isinstance(fixture, partnerdesk.FixtureDesk) and fixture.reports and len(fixture.desk) > 0
    split = partnerdesk.huawei_split_query("assoc=reseller and mtd>=100", "international")
    assert isinstance(split, partnerdesk.QuerySplit) and split.local_filter == "mtd>=100"
    assert isinstance(split.api_body, dict) and split.api_body["limit"] == 100
    plan = partnerdesk.huawei_page_plan(250, limit=100)
    assert isinstance(plan[2], partnerdesk.ApiPage) and (plan[2].offset, plan[2].limit) == (200, 50)


# ---- customers and operators without JSON ---------------------------------------------------


def new_customer(**changes: Any) -> NewCustomer:
    fields: dict[str, Any] = dict(
        association="reseller", associated_at=SINCE, customer_type="enterprise", level="V2",
        mobile="138 0013 8000", country_code="+86", email="ops@acme.example", tags=["vip", "gold"],
        account_manager="am_001",
    )
    fields.update(changes)
    return NewCustomer(NEW_ID, "acme_cloud", "Acme Ltd.", **fields)


def test_a_customer_from_keyword_arguments(fresh: partnerdesk.DemoPortfolio) -> None:
    desk, now = fresh
    c = new_customer()
    assert "Acme" not in repr(c) and "138" not in repr(c) and NEW_ID in repr(c)
    desk.insert_customer(c)
    row = desk.customer_row(NEW_ID, now=now)
    assert (row.association_type, row.customer_type, row.level) == ("reseller", "enterprise", "V2")
    assert row.tags == {"vip", "gold"} and row.account_manager == "am_001" and row.name == "A***"
    assert row.associated_at == SINCE
    assert desk.count("tag:vip and tag:gold and level=V2", now=now) >= 1
    with pytest.raises(partnerdesk.DuplicateCustomerError):
        desk.insert_customer(c)
    desk.upsert_customer(new_customer(level="V4", tags=["vip"]))
    assert desk.customer_row(NEW_ID, now=now).level == "V4"


def test_a_new_customer_is_refused_as_its_json_is(fresh: partnerdesk.DemoPortfolio) -> None:
    desk, now = fresh
    n = len(desk)
    # Checked when built, with the core's rules: the typed error naming the field.
    with pytest.raises(partnerdesk.InvalidArgumentError) as e:
        new_customer(level="V9")
    assert e.value.field == "level"
    with pytest.raises(partnerdesk.InvalidArgumentError) as e:
        new_customer(mobile="call me")
    assert e.value.field == "mobile"
    with pytest.raises(partnerdesk.InvalidIdError):
        new_customer(tags=[" vip"])
    with pytest.raises(TypeError):
        new_customer(associated_at=datetime.datetime(2026, 1, 5))  # naive
    # Checked at the desk's door like the same customer in JSON: an account manager who is not
    # an operator of the partner.
    snapshot = json.loads(desk.to_snapshot_json())
    as_json = dict(snapshot["customers"][0], id=NEW_ID, account_manager="ghost")
    with pytest.raises(partnerdesk.PartnerDeskError) as from_json:
        desk.insert_customer(json.dumps(as_json))
    with pytest.raises(partnerdesk.PartnerDeskError) as from_record:
        desk.insert_customer(new_customer(account_manager="ghost"))
    assert type(from_record.value) is type(from_json.value)
    assert (from_record.value.code, vars(from_record.value)) == (from_json.value.code, vars(from_json.value))
    assert len(desk) == n
    with pytest.raises(TypeError):
        desk.insert_customer(42)  # type: ignore[arg-type]


def test_operators_and_items_by_name(fresh: partnerdesk.DemoPortfolio) -> None:
    desk, now = fresh
    desk.add_operator(
        "ops_new", "Billing team", account_manager=True,
        permissions=[Permission.FREEZE_UNFREEZE, "SET_BUDGET", "PD_VIEW_SPEND"],
    )
    ops = {o.id: o for o in desk.operators}
    assert ops["ops_new"].permissions == {
        "BPC_ITEM_SUBCUSTSERV_010115", "BPC_ITEM_SUBCUSTSERV_010111", "PD_VIEW_SPEND",
    }
    desk.grant_permissions("admin", "ops_new", [Permission.VIEW_CUSTOMERS, "reveal_sensitive"], now=now)
    desk.revoke_permissions("admin", "ops_new", ["VIEW_SPEND"], now=now)
    ops = {o.id: o for o in desk.operators}
    assert {Permission.VIEW_CUSTOMERS.code, "PD_REVEAL_SENSITIVE"} <= ops["ops_new"].permissions
    assert "PD_VIEW_SPEND" not in ops["ops_new"].permissions
    with pytest.raises(partnerdesk.AdministratorOnlyError):
        desk.add_operator("exporter", "Exporter", permissions=[Permission.EXPORT])


def test_a_misspelled_item_is_refused_everywhere(fresh: partnerdesk.DemoPortfolio) -> None:
    desk, now = fresh
    events = len(desk.events())
    misspelled = "BPC_ITEM_SUBCUSTSERV_01O115"
    for call in (
        lambda: desk.add_operator("ops_typo", "Typo", permissions=[Permission.VIEW_SPEND, misspelled]),
        lambda: desk.grant_permissions("admin", "am_001", [misspelled], now=now),
        lambda: desk.revoke_permissions("admin", "am_001", ["FREEZE"], now=now),
    ):
        with pytest.raises(partnerdesk.InvalidArgumentError) as e:
            call()
        assert e.value.field == "items"
    assert "ops_typo" not in {o.id for o in desk.operators} and len(desk.events()) == events


def test_the_permission_names_are_the_librarys() -> None:
    items = partnerdesk._partnerdesk._permission_items()
    assert [(p.name, p.value, p.administrator_only) for p in Permission] == items
    assert str(Permission.FREEZE_UNFREEZE) == "BPC_ITEM_SUBCUSTSERV_010115" == Permission.FREEZE_UNFREEZE


# ---- amounts are always Decimal --------------------------------------------------------------


def amounts(value: Any, path: str = "$") -> list[tuple[str, Any]]:
    """Every amount in a result (a Money, or a member named like one), and a failure for any
    float anywhere."""
    assert not isinstance(value, float), f"{path} is a float"
    found: list[tuple[str, Any]] = []
    if isinstance(value, partnerdesk.Money):
        found.append((path, value.amount))
    elif isinstance(value, dict):
        for k, v in value.items():
            if any(w in k for w in ("amount", "used", "remaining", "price", "fee")) and not isinstance(v, (dict, list, partnerdesk.Money)):
                found.append((f"{path}.{k}", v))
            found += amounts(v, f"{path}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found += amounts(v, f"{path}[{i}]")
    return found


def records(value: Any) -> Any:
    """A result with every partnerdesk record (a class with read-only properties) as a dict of
    its properties, recursively, so that `amounts` walks into them; Money stays Money."""
    if isinstance(value, (list, tuple)):
        return [records(v) for v in value]
    if isinstance(value, dict):
        return {k: records(v) for k, v in value.items()}
    cls = type(value)
    if cls.__module__ == "partnerdesk" and cls is not partnerdesk.Money:
        props = [n for n, v in vars(cls).items() if not n.startswith("_") and hasattr(v, "__get__") and not callable(v)]
        return {n: records(getattr(value, n)) for n in props}
    return value


def test_every_huawei_helper_gives_amounts_as_decimal() -> None:
    fixtures = partnerdesk.huawei_fixtures()
    at = datetime.datetime(2025, 3, 20, 9, 0, tzinfo=datetime.timezone.utc)
    intl_id = "06ffbcd46880d3f30f62c001a49be460"
    results: dict[str, Any] = {}
    for site in ("china", "international"):
        results[f"fixture_desk.{site}"] = records(partnerdesk.huawei_fixture_desk(site, now=at).reports)
    desk = partnerdesk.huawei_fixture_desk("international", now=at).desk
    results["import.budgets"] = records(partnerdesk.huawei_import(desk, "budgets", fixtures["budget.list.json"], now=at))
    results["import.budget"] = records(desk.import_huawei("budget", fixtures["budget.show.json"], customer=intl_id, now=at))
    results["import.budget_records"] = records(
        desk.import_huawei("budget_records", fixtures["budget.records.json"], customer=intl_id, now=at)
    )
    results["budget_body"] = partnerdesk.huawei_budget_body(intl_id, 1500, "USD")
    results["freeze_body"] = partnerdesk.huawei_freeze_body([intl_id], reason="r")
    results["unfreeze_body"] = partnerdesk.huawei_unfreeze_body([intl_id], reason="r")
    results["outcome"] = records(partnerdesk.huawei_outcome([intl_id], fixtures["error.throttled.json"], http_status=429))
    results["list_body"] = records(partnerdesk.huawei_split_query("mtd>=100", "international"))
    results["page_plan"] = records(partnerdesk.huawei_page_plan(250))
    found = amounts(results)
    assert found, "the walk found no amount at all"
    for path, amount in found:
        assert amount is None or isinstance(amount, decimal.Decimal), f"{path} = {amount!r}"
    # The case: Huawei's own budget use, beside the desk's.
    used = results["import.budgets"]["huawei_budget_used"]
    assert used and all(isinstance(u["used"], partnerdesk.Money) and isinstance(u["used"].amount, Decimal) for u in used)
    assert results["import.budget_records"]["budget_records"], "the walk saw no imported budget record"
    assert isinstance(results["budget_body"]["budget_amount"], Decimal)
