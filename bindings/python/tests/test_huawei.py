"""Huawei BSS interop through the binding, and the official SDK check (issue 5): every request
body we build loads into the official SDK's request model (``huaweicloudsdkbssintl`` /
``huaweicloudsdkbss``) and serializes back to the same JSON; responses serialized by the SDK's
own models load into a desk exactly like the original responses."""

from __future__ import annotations

import datetime
import importlib
import json
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization

import partnerdesk

NOW = datetime.datetime(2025, 3, 20, 9, 0, tzinfo=datetime.timezone.utc)
INTL = importlib.import_module("huaweicloudsdkbssintl.v2.model")
CN = importlib.import_module("huaweicloudsdkbss.v2.model")
FIXTURES = partnerdesk.huawei_fixtures()
INTL_ID = "06ffbcd46880d3f30f62c001a49be460"
CN_ID = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"

def parse(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def load(models: ModuleType, type_name: str, data: Any, path: str, extras: set[str], coerce: bool = False) -> Any:
    """Builds the SDK model `type_name` from JSON data.

    Request bodies (we write them) are checked strictly: every member must exist in the SDK
    model with the declared JSON type. Responses (`coerce=True`) are read the way the SDK's own
    deserializer reads them: members the model does not declare are dropped (collected in
    `extras`: the fixtures carry a few on purpose, e.g. `measure_id` from the API reference and
    unknown members the importer must tolerate), and primitives are converted with
    `klass(data)` (a `0` declared `str` becomes `"0"`)."""
    t = type_name
    if t.startswith("list["):
        assert isinstance(data, list), f"{path}: expected a list for {t}"
        return [load(models, t[5:-1], x, f"{path}[{i}]", extras, coerce) for i, x in enumerate(data)]
    if t.startswith("dict("):
        inner = t[t.index(",") + 1 : -1].strip()
        assert isinstance(data, dict), f"{path}: expected an object for {t}"
        return {k: load(models, inner, v, f"{path}.{k}", extras, coerce) for k, v in data.items()}
    checks: dict[str, tuple[type, ...]] = {
        "str": (str,),
        "int": (int,),
        "float": (int, float, Decimal),
        "decimal.Decimal": (int, Decimal),
        "bool": (bool,),
    }
    if t in checks and coerce and not isinstance(data, checks[t]):
        return {"str": str, "int": int, "float": Decimal, "decimal.Decimal": Decimal, "bool": bool}[t](data)
    if t in checks:
        ok = isinstance(data, checks[t]) and not (t in ("int", "float", "decimal.Decimal") and isinstance(data, bool))
        assert ok, f"{path}: {data!r} is not a JSON {t}"
        return data
    if t == "object":
        return data
    cls = getattr(models, t)
    assert isinstance(data, dict), f"{path}: expected an object for {t}"
    attr_of = {json_key: attr for attr, json_key in cls.attribute_map.items()}
    kwargs = {}
    for key, value in data.items():
        if key not in attr_of:
            assert coerce, f"{path}.{key} is not a member of the SDK model {t}"
            extras.add(key)
            continue
        attr = attr_of[key]
        kwargs[attr] = None if value is None else load(models, cls.openapi_types[attr], value, f"{path}.{key}", extras, coerce)
    return cls(**kwargs)


def sdk_round_trip(models: ModuleType, model: str, body: dict[str, Any]) -> None:
    extras: set[str] = set()
    obj = load(models, model, body, "$", extras)
    assert not extras, f"request body members unknown to the SDK: {extras}"
    assert sanitize_for_serialization(obj) == body


# ---- request bodies against the SDK ----------------------------------------------------------


@pytest.mark.parametrize("scope", ["account", "account_and_resources"])
def test_freeze_and_unfreeze_bodies_match_the_sdk(scope: str) -> None:
    ids = [INTL_ID, CN_ID]
    body = partnerdesk.huawei_freeze_body(ids, scope=scope, reason="Budget overrun pending review")
    assert body["customer_ids"] == ids
    sdk_round_trip(INTL, "FreezeSubCustomersReq", body)
    body = partnerdesk.huawei_freeze_body(ids, scope=scope, reason="r", reseller="reseller-01")
    sdk_round_trip(INTL, "FreezeSubCustomersReq", body)
    body = partnerdesk.huawei_unfreeze_body(ids, scope=scope, reason="Paid")
    sdk_round_trip(INTL, "UnfreezeSubCustomersReq", body)
    # The fixture request bodies too.
    sdk_round_trip(INTL, "FreezeSubCustomersReq", parse(FIXTURES["freeze.request.json"]))
    sdk_round_trip(INTL, "UnfreezeSubCustomersReq", parse(FIXTURES["unfreeze.request.json"]))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "monthly"},
        {"kind": "one_off", "auto_freeze": True},
        {"kind": "monthly", "auto_freeze": True, "unfreeze": True, "reseller": "reseller-01"},
    ],
)
def test_budget_bodies_match_the_sdk(kwargs: dict[str, Any]) -> None:
    body = partnerdesk.huawei_budget_body(INTL_ID, Decimal("1500.50"), "USD", **kwargs)
    assert isinstance(body["budget_amount"], Decimal) and body["budget_amount"] == Decimal("1500.5")
    sdk_round_trip(INTL, "ModSubCustomerBudgetReq", body)
    sdk_round_trip(INTL, "ModSubCustomerBudgetReq", parse(FIXTURES["budget.request.json"]))


@pytest.mark.parametrize("site, models", [("international", INTL), ("china", CN)])
def test_list_bodies_match_the_sdk(site: str, models: ModuleType) -> None:
    q = "assoc=reseller and name~Acme and account~acme and tag:vip and mtd>=100"
    split = partnerdesk.huawei_split_query(q, site, offset=200, limit=100)
    body = split.api_body
    assert (body["offset"], body["limit"]) == (200, 100) and "mtd>=100" in split.local_filter
    sdk_round_trip(models, "QuerySubCustomerListReq", body)
    split = partnerdesk.huawei_list_body(partnerdesk.Query.all(), site=site)
    assert split.local_filter == "*" and split.api_body["limit"] == 100
    sdk_round_trip(models, "QuerySubCustomerListReq", split.api_body)


# ---- responses serialized by the SDK load into a desk ---------------------------------------

RESPONSES = [
    # fixture, SDK models, response model, import kind, extra import arguments, site
    ("list_sub_customers.intl.json", INTL, "ListSubCustomersResponse", "list_sub_customers", {}, "international"),
    ("list_sub_customers.intl.all_codes.json", INTL, "ListSubCustomersResponse", "list_sub_customers", {}, "international"),
    ("list_sub_customers.intl.page1.json", INTL, "ListSubCustomersResponse", "list_sub_customers", {}, "international"),
    ("list_sub_customers.cn.json", CN, "ListSubCustomersResponse", "list_sub_customers", {}, "china"),
    ("list_sub_customers.cn.all_codes.json", CN, "ListSubCustomersResponse", "list_sub_customers", {}, "china"),
    ("budget.list.json", INTL, "ListSubCustomerBudgetResponse", "budgets", {}, "international"),
    ("budget.show.json", INTL, "ShowSubCustomerBudgetResponse", "budget", {"customer": INTL_ID}, "international"),
    ("budget.records.json", INTL, "ListSubCustomerBudgetRecordsResponse", "budget_records", {"customer": INTL_ID}, "international"),
    ("resources.on_demand.json", CN, "ListCustomerOnDemandResourcesResponse", "on_demand_resources", {}, "china"),
    ("resources.subscription.json", CN, "ListPayPerUseCustomerResourcesResponse", "subscription_resources", {"customer": CN_ID}, "china"),
    ("orders.json", CN, "ListCustomerOrdersResponse", "orders", {}, "china"),
    ("bills.fee_records.page1.json", CN, "ListSubCustomerBillDetailResponse", "fee_records", {"cycle": "2025-03"}, "china"),
    ("bills.monthly.json", CN, "ListSubcustomerMonthlyBillsResponse", "monthly_bills", {"cycle": "2025-03"}, "china"),
]


@pytest.mark.parametrize("fixture, models, model, kind, kwargs, site", RESPONSES, ids=[r[0] for r in RESPONSES])
def test_sdk_serialized_responses_load_into_a_desk(
    fixture: str, models: ModuleType, model: str, kind: str, kwargs: dict[str, Any], site: str
) -> None:
    original = FIXTURES[fixture]
    extras: set[str] = set()
    sdk_obj = load(models, model, parse(original), "$", extras, coerce=True)
    sdk_text = json.dumps(sanitize_for_serialization(sdk_obj), default=str)
    # Import the original and the SDK's serialization into two copies of the same desk.
    base, _ = partnerdesk.huawei_fixture_desk(site, now=NOW)
    snapshot = base.to_snapshot_json()
    a, b = partnerdesk.Desk.from_snapshot_json(snapshot), partnerdesk.Desk.from_snapshot_json(snapshot)
    report_a = partnerdesk.huawei_import(a, kind, [original], now=NOW, **kwargs)
    report_b = partnerdesk.huawei_import(b, kind, [sdk_text], now=NOW, **kwargs)
    if extras:
        # Members the SDK does not model may change what is imported (e.g. `measure_id`
        # scales amounts); the SDK's serialization must still load, item for item.
        assert report_b.items == report_a.items, extras
        assert report_b.added == report_a.added and report_b.updated == report_a.updated
    else:
        assert report_b == report_a
        assert json.loads(b.to_snapshot_json())["customers"] == json.loads(a.to_snapshot_json())["customers"]


# ---- the binding's Huawei surface -----------------------------------------------------------


def test_import_into_an_empty_desk_and_search() -> None:
    desk = partnerdesk.empty_desk("p-1", "Example Partner", site="international", tier="distributor", now=NOW)
    assert len(desk) == 0 and desk.partner.currency == "USD"
    report = partnerdesk.huawei_import(
        desk, "list_sub_customers", [FIXTURES["list_sub_customers.intl.page1.json"], FIXTURES["list_sub_customers.intl.page2.json"].encode()], now=NOW
    )
    assert isinstance(report, partnerdesk.ImportReport) and report.items > 0 and report.reported_total
    assert all(isinstance(w, partnerdesk.ImportWarning) for w in report.warnings)
    assert len(desk) == len(report.added) > 0
    assert desk.count(now=NOW) == len(report.added)
    again = desk.import_huawei("list_sub_customers", FIXTURES["list_sub_customers.intl.page1.json"], now=NOW)
    assert again.added == [] and again.updated


def test_fixture_desks() -> None:
    for site in ("china", "international"):
        desk, reports = partnerdesk.huawei_fixture_desk(site, now=NOW)
        assert len(desk) > 0 and reports and all(isinstance(r, partnerdesk.ImportReport) for r in reports)
        assert desk.partner.site == site
    desk, _ = partnerdesk.huawei_fixture_desk("international", now=NOW)
    page = desk.search("assoc=reseller and frozen=true", now=NOW)
    assert INTL_ID in {r.id for r in page}


def test_outcomes_and_paging() -> None:
    out = partnerdesk.huawei_outcome([INTL_ID], FIXTURES["freeze.success.json"], http_status=200)
    assert [(i.customer_id, i.ok, i.code) for i in out.items] == [(INTL_ID, True, None)]
    assert (out.succeeded, out.failed, out.retryable, out.unexpected) == (1, 0, False, [])
    throttled = partnerdesk.huawei_batch_outcome([INTL_ID], FIXTURES["error.throttled.json"], http_status=429)
    item = throttled.items[0]
    assert item.ok is False and item.code == "THROTTLED" and item.retry_after_ms and item.retry_after_ms > 0
    assert item.huawei_code == "CBC.0250" and item.huawei_message
    assert throttled.retryable and throttled.as_batch.failed == 1
    assert "THROTTLED" in partnerdesk.huawei_api_kinds() and "HUAWEI_UNKNOWN_ERROR" in partnerdesk.huawei_api_kinds()
    plan = partnerdesk.huawei_page_plan(250, limit=100)
    assert [(p.offset, p.limit) for p in plan] == [(0, 100), (100, 100), (200, 50)]
    assert plan[0] == partnerdesk.huawei_page_plan(250)[0]
    assert partnerdesk.huawei_page_plan(0) == []
    with pytest.raises(partnerdesk.InvalidArgumentError):
        partnerdesk.huawei_page_plan(-1)
    with pytest.raises(partnerdesk.InvalidArgumentError):
        partnerdesk.huawei_batch_outcome([INTL_ID], "", http_status=70000)


def test_huawei_errors() -> None:
    desk = partnerdesk.empty_desk("p-1", "Example Partner", site="international", now=NOW)
    with pytest.raises(partnerdesk.HuaweiApiError) as e:
        partnerdesk.huawei_import(desk, "list_sub_customers", FIXTURES["error.denied.json"], now=NOW)
    err = e.value
    assert (err.code, err.huawei_code, err.kind, err.retryable) == ("HUAWEI_API_ERROR", "CBC.0151", "PERMISSION_DENIED", False)
    assert isinstance(err, partnerdesk.PartnerDeskError)
    with pytest.raises(partnerdesk.HuaweiPagingOutOfBoundsError):
        partnerdesk.huawei_page_plan(10**9, limit=10)
    # Within the offsets but over a million pages: refused before any page is made (it built
    # forty million).
    with pytest.raises(partnerdesk.HuaweiPagingOutOfBoundsError) as too_many:
        partnerdesk.huawei_page_plan(40_000_001, limit=1)
    assert "over 1000000" in str(too_many.value)
    with pytest.raises(partnerdesk.HuaweiInvalidDataError) as e2:
        partnerdesk.huawei_import(desk, "list_sub_customers", FIXTURES["list_sub_customers.missing_id.json"], now=NOW)
    assert e2.value.field
    assert len(desk) == 0  # a refused import changes nothing
    with pytest.raises(partnerdesk.MalformedJsonError):
        partnerdesk.huawei_import(desk, "orders", "{", now=NOW)
    with pytest.raises(partnerdesk.InvalidArgumentError):
        partnerdesk.huawei_import(desk, "invoices", "{}", now=NOW)
    with pytest.raises(partnerdesk.InvalidArgumentError) as e3:
        partnerdesk.huawei_import(desk, "budget", "{}", now=NOW)  # needs customer=
    assert e3.value.field == "customer"
    with pytest.raises(partnerdesk.InvalidArgumentError) as e4:
        desk.import_huawei("budget", ["{}", "{}"], customer=INTL_ID, now=NOW)  # one page only
    assert e4.value.field == "pages"
    with pytest.raises(partnerdesk.InvalidDateError):
        partnerdesk.huawei_import(desk, "fee_records", "{}", cycle="2025-13", now=NOW)
    with pytest.raises(partnerdesk.TooManyIdsError):
        partnerdesk.huawei_freeze_body([f"{i:032x}" for i in range(11)], reason="x")
