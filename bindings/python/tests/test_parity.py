"""Parity: every operation of bindings/host/operations.toml exists in Python, and the
operations Python gained for parity behave."""

from __future__ import annotations

import datetime
import json
import pathlib
import re

import pytest

import partnerdesk

OPERATIONS = pathlib.Path(__file__).resolve().parents[2] / "host" / "operations.toml"


def operations() -> dict[str, list[str]]:
    """The `[desk]` and `[module]` keys and the `[naming]` rules of the list, in file order."""
    found: dict[str, list[str]] = {}
    section = ""
    for line in OPERATIONS.read_text(encoding="utf-8").splitlines():
        header = re.fullmatch(r"\[(\w+)\]", line.strip())
        if header:
            section = header.group(1)
            found.setdefault(section, [])
            continue
        entry = re.match(r'^(\w+) = "', line)
        if entry:
            found[section].append(entry.group(1))
    return found


def host_name(key: str, rule: str) -> str:
    if rule == "snake_case":
        return key
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)


def test_the_list_is_read_and_has_no_duplicates() -> None:
    ops = operations()
    assert len(ops["desk"]) >= 60 and len(ops["module"]) >= 10
    for section in ("desk", "module"):
        assert len(set(ops[section])) == len(ops[section]), section
    assert "python" in ops["naming"]


def test_python_has_every_operation() -> None:
    text = OPERATIONS.read_text(encoding="utf-8")
    rule = re.search(r'^python = "(\w+)"', text, re.M)
    assert rule is not None
    ops = operations()
    missing = [
        f"Desk.{host_name(k, rule.group(1))}"
        for k in ops["desk"]
        if not hasattr(partnerdesk.Desk, host_name(k, rule.group(1)))
    ] + [
        host_name(k, rule.group(1))
        for k in ops["module"]
        if not hasattr(partnerdesk, host_name(k, rule.group(1)))
    ]
    assert missing == [], f"Python lacks: {', '.join(missing)}"


def test_select_ids_lists_every_match_in_sort_order(
    desk: partnerdesk.Desk, now: datetime.datetime
) -> None:
    ids = desk.select_ids("assoc=reseller", sort="mtd", descending=True, now=now)
    assert len(ids) == desk.count("assoc=reseller", now=now) > 100
    first = desk.search_ids("assoc=reseller", sort="mtd", descending=True, limit=100, now=now)
    assert ids[:100] == first.ids


def test_a_shared_cursor_key_makes_cursors_portable(now: datetime.datetime) -> None:
    a, _ = partnerdesk.demo_portfolio(200, seed=3)
    b = partnerdesk.Desk.from_snapshot_json(a.to_snapshot_json())
    cursor = a.search(limit=10, now=now).next_cursor
    assert cursor is not None
    # Loaded from a's snapshot, b shares its key; a new secret on b refuses a's cursors until
    # both hold it.
    b.set_cursor_key(b"a shared secret of 32 bytes.....")
    with pytest.raises(partnerdesk.InvalidCursorError):
        b.search(limit=10, cursor=cursor, now=now)
    a.set_cursor_key(b"a shared secret of 32 bytes.....")
    cursor = a.search(limit=10, now=now).next_cursor
    assert [r.id for r in b.search(limit=10, cursor=cursor, now=now).rows] == [
        r.id for r in a.search(limit=10, cursor=cursor, now=now).rows
    ]
    with pytest.raises(partnerdesk.InvalidArgumentError):
        a.set_cursor_key(b"short")


def test_exports_to_a_buffer_and_a_file(tmp_path: pathlib.Path, now: datetime.datetime) -> None:
    desk, _ = partnerdesk.demo_portfolio(50, seed=5)
    one = desk.select_ids(now=now)[:1]
    data = desk.export_to_buffer("admin", ids=one, columns=["customer_id"], now=now)
    assert isinstance(data, bytes) and one[0].encode() in data
    path = tmp_path / "out.csv"
    job = desk.export_to_file("admin", path, ids=one, columns=["customer_id"], now=now)
    assert job.rows == 1 and path.read_bytes() == data
    with pytest.raises(partnerdesk.AdministratorOnlyError):
        desk.export_to_buffer("am_001", now=now)


def test_module_catalogues() -> None:
    assert partnerdesk.version() == partnerdesk.__version__
    assert partnerdesk.error_codes() + partnerdesk.huawei_error_codes() == list(partnerdesk.ERROR_CLASSES)
    assert "customer_id" in partnerdesk.export_columns()
    assert "HUAWEI_API_ERROR" in partnerdesk.huawei_error_codes()
    assert partnerdesk.demo_now() == partnerdesk.demo_portfolio(1, seed=1)[1]
    assert partnerdesk.huawei_batch_outcome is partnerdesk.huawei_outcome


def test_events_json_replays_and_policies_read(now: datetime.datetime) -> None:
    desk, _ = partnerdesk.demo_portfolio(20, seed=9)
    snapshot = desk.to_snapshot_json()
    desk.grant_permissions("admin", "am_001", ["PD_VIEW_SPEND"], now=now)
    assert json.loads(desk.events_json()) == json.loads(desk.events_json(since=0))
    assert isinstance(desk.row_policy(), partnerdesk.MaskPolicy) and isinstance(desk.export_policy(), partnerdesk.MaskPolicy)
    assert desk.expire_authorizations(now=now) >= 0 and desk.evaluate_budgets(now=now) >= 0
    assert partnerdesk.Desk.replay(snapshot, desk.events_json()).chain_head() == desk.chain_head()
    assert not desk.may_act_on_behalf(desk.select_ids(now=now)[0], "place_orders", now=now)
