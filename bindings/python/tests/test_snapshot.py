"""Snapshots round-trip through the binding; bad snapshots raise typed errors."""

from __future__ import annotations

import datetime
import json
import pathlib

import pytest

import partnerdesk


def test_round_trip_str_and_bytes(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    text = desk.to_snapshot_json()
    again = partnerdesk.Desk.from_snapshot_json(text)
    assert len(again) == len(desk)
    assert again.partner == desk.partner
    q = "mtd>=100 and tag:vip"
    assert again.search(q, sort="-mtd", limit=20, now=now) == desk.search(q, sort="-mtd", limit=20, now=now)
    assert partnerdesk.Desk.from_snapshot_json(text.encode()).to_snapshot_json() == text
    assert repr(again).startswith("Desk(partner=")


def test_bad_snapshots(desk: partnerdesk.Desk) -> None:
    with pytest.raises(partnerdesk.MalformedJsonError) as e:
        partnerdesk.Desk.from_snapshot_json("{not json")
    assert e.value.code == "MALFORMED_JSON" and e.value.category == "syntax" and e.value.line == 1
    snap = json.loads(desk.to_snapshot_json())
    snap["version"] = 99
    with pytest.raises(partnerdesk.UnsupportedSnapshotVersionError) as e2:
        partnerdesk.Desk.from_snapshot_json(json.dumps(snap))
    assert e2.value.found == 99 and e2.value.supported >= 1
    snap = json.loads(desk.to_snapshot_json())
    snap["customers"].append(snap["customers"][0])
    with pytest.raises(partnerdesk.InvalidSnapshotError) as e3:
        partnerdesk.Desk.from_snapshot_json(json.dumps(snap))
    assert e3.value.field.startswith("customers[") and e3.value.field.endswith("].id")
    with pytest.raises(TypeError):
        partnerdesk.Desk.from_snapshot_json(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        partnerdesk.Desk.from_snapshot_json(b"\xff\xfe")


def test_hostile_amounts_and_mobiles_are_refused_at_load(desk: partnerdesk.Desk) -> None:
    """Issue #13 rows 3 and 7 through the binding: three unpaid orders of 7.9e28, or a mobile
    holding `*` or digits in its country code, are refused with typed errors that hold no value,
    whether they come in a snapshot or an inserted customer; nothing is added."""
    snap = json.loads(desk.to_snapshot_json())
    customer = snap["customers"][0]
    order = {
        "status": "pending_payment",
        "kind": "new",
        "amount": {"amount": "79000000000000000000000000000", "currency": snap["partner"]["currency"]},
        "created_at": customer["association"]["since"],
        "placed_by": "admin",
    }
    poisoned = json.loads(json.dumps(snap))
    poisoned["customers"][0]["orders"] = [dict(order, id=f"PD{n:010}") for n in range(1, 4)]
    with pytest.raises(partnerdesk.InvalidSnapshotError) as e:
        partnerdesk.Desk.from_snapshot_json(json.dumps(poisoned))
    assert "orders[0].amount" in str(e.value)
    fresh = dict(poisoned["customers"][0], id="0" * 31 + "f")
    with pytest.raises(partnerdesk.InvalidMoneyError):
        desk.insert_customer(json.dumps(fresh))
    before = len(desk)
    for mobile in (
        {"country_code": "", "number": "13912345678*"},
        {"country_code": "+86", "number": "139*12345678"},
        {"country_code": "13912345678", "number": "1"},
    ):
        poisoned = json.loads(json.dumps(snap))
        poisoned["customers"][0]["mobile"] = mobile
        with pytest.raises(partnerdesk.InvalidSnapshotError) as e:
            partnerdesk.Desk.from_snapshot_json(json.dumps(poisoned))
        assert "13912345678" not in str(e.value) and "13912345678" not in repr(e.value)
        fresh = dict(poisoned["customers"][0], id="0" * 31 + "e")
        with pytest.raises(partnerdesk.InvalidArgumentError) as e2:
            desk.insert_customer(json.dumps(fresh))
        assert "13912345678" not in str(e2.value)
    assert len(desk) == before


def test_a_snapshot_file_round_trips_and_a_failed_save_keeps_the_old_file(
    desk: partnerdesk.Desk, tmp_path: pathlib.Path
) -> None:
    path = tmp_path / "desk.json"
    desk.save_snapshot_file(path)
    assert path.read_text() == desk.to_snapshot_json()
    again = partnerdesk.Desk.from_snapshot_file(str(path))
    assert again.to_snapshot_json() == desk.to_snapshot_json()
    with pytest.raises(partnerdesk.InvalidArgumentError) as e:
        partnerdesk.Desk.from_snapshot_file(tmp_path / "missing.json")
    assert e.value.field == "path" and "missing" not in str(e.value)
    with pytest.raises(partnerdesk.ExportWriteFailedError):
        desk.save_snapshot_file(tmp_path / "no-such-folder" / "desk.json")
    with pytest.raises(TypeError):
        desk.save_snapshot_file(42)  # type: ignore[arg-type]
