"""Snapshots round-trip through the binding; bad snapshots raise typed errors."""

from __future__ import annotations

import datetime
import json

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
