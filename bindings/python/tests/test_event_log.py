"""Issue #13, rows 9 and 10 through Python: idempotency keys answered only to their actor while it
holds the item (every attempt audited), and a forged or tampered event log refused at its
sequence number with nothing applied from there on."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest

import partnerdesk
from partnerdesk import Actor, Desk


def demo() -> tuple[Desk, datetime.datetime]:
    return partnerdesk.demo_portfolio(200, seed=42)


def reseller(desk: Desk, now: datetime.datetime) -> str:
    return desk.search("assoc=reseller and frozen=false", limit=1, now=now)[0].id


def state(desk: Desk) -> tuple[object, object]:
    """What a command changes (the audit trail aside)."""
    snap = json.loads(desk.to_snapshot_json())
    ledger = dict(snap["ledger"])
    ledger.pop("audit", None)
    ledger.pop("audit_seq", None)
    return snap["customers"], ledger


def attempts(desk: Desk, actor: str, kind: str) -> list[str | None]:
    """The denied code of each attempt (None when allowed), oldest first."""
    return [r.denied_code for r in desk.audit_log(actor=actor, kind=kind)]


def seal(event: dict, previous: str) -> dict:
    """Seals an event as anyone can without a key: SHA-256 over the previous link, a newline and
    the event's canonical JSON (its fields in order, without the link)."""
    body = {k: v for k, v in event.items() if k != "link"}
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return {**body, "link": hashlib.sha256(previous.encode() + b"\n" + text.encode()).hexdigest()}


def test_another_operator_reusing_an_admins_key_is_refused_and_audited() -> None:
    desk, now = demo()
    cid = reseller(desk, now)
    desk.set_budget("admin", cid, "100", now=now, idempotency_key="pay-run-7")
    before = state(desk)
    with pytest.raises(partnerdesk.IdempotencyConflictError):
        desk.set_budget("ops_billing", cid, "100", now=now, idempotency_key="pay-run-7")
    assert state(desk) == before
    assert attempts(desk, "ops_billing", "set_budget") == ["IDEMPOTENCY_CONFLICT"]
    # The admin's own replay is answered and audited.
    desk.set_budget("admin", cid, "100", now=now, idempotency_key="pay-run-7")
    assert state(desk) == before
    assert attempts(desk, "admin", "set_budget") == [None, None]


def test_a_revoked_operator_replaying_its_key_is_refused_and_audited() -> None:
    desk, now = demo()
    cid = reseller(desk, now)
    desk.set_budget("ops_billing", cid, "100", now=now, idempotency_key="b-1")
    desk.revoke_permissions("admin", "ops_billing", ["BPC_ITEM_SUBCUSTSERV_010111"], now=now)
    before = state(desk)
    with pytest.raises(partnerdesk.PermissionDeniedError):
        desk.set_budget("ops_billing", cid, "100", now=now, idempotency_key="b-1")
    assert state(desk) == before
    assert attempts(desk, "ops_billing", "set_budget") == [None, "PERMISSION_DENIED"]


def test_a_forged_grant_by_an_intern_is_refused_and_reveals_nothing() -> None:
    desk, now = demo()
    desk.add_operator("intern", "Intern")
    start = desk.to_snapshot_json()
    head = desk.chain_head()
    # A real grant by the administrator, turned into the intern granting itself the reveal item.
    desk.grant_permissions("admin", "ops_billing", ["PD_VIEW_SPEND"], now=now)
    real = json.loads(desk.events_json())[-1]
    forged = dict(real, actor={"operator": "intern"},
                  kind={"type": "permissions_granted", "operator": "intern", "items": ["PD_REVEAL_SENSITIVE"]})
    copy = Desk.from_snapshot_json(start)
    event = json.dumps([seal(forged, copy.chain_head())])
    with pytest.raises(partnerdesk.InvalidEventError) as e:
        copy.apply_events(event)
    assert e.value.sequence == real["seq"]
    assert state(copy) == state(Desk.from_snapshot_json(start))
    cid = reseller(copy, now)
    with pytest.raises(partnerdesk.PermissionDeniedError):
        copy.reveal(Actor.operator("intern"), cid, "mobile", now=now)
    # Sealing is exactly what the desk does: the real event, re-sealed, is accepted.
    assert seal(real, head)["link"] == real["link"] == desk.events()[-1].link
    with pytest.raises(partnerdesk.InvalidEventError):
        Desk.replay(start, event)


def test_a_tampered_log_is_refused_where_it_breaks() -> None:
    desk, now = demo()
    start = desk.to_snapshot_json()
    cid = reseller(desk, now)
    for amount in ("100", "200", "300"):
        desk.set_budget("admin", cid, amount, now=now)
    events, log = desk.events(), json.loads(desk.events_json())
    # An edited budget (link kept): refused at its sequence number, the events before applied.
    edited = dict(log[1])
    edited["kind"]["budget"]["amount"]["amount"] = 10**20
    tampered = json.dumps([log[0], edited, log[2]])
    copy = Desk.from_snapshot_json(start)
    with pytest.raises(partnerdesk.EventChainBrokenError) as e:
        copy.apply_events(tampered)
    assert e.value.sequence == events[1].seq == log[1]["seq"]
    assert copy.events()[-1] == events[0]
    # Reordered.
    with pytest.raises(partnerdesk.EventChainBrokenError) as e:
        Desk.replay(start, json.dumps([log[1], log[0], log[2]]))
    assert e.value.sequence == events[0].seq
    # With a key, the log verifies only with that key.
    keyed, now = demo()
    keyed.set_event_key(b"host secret, at least 16 bytes")
    start = keyed.to_snapshot_json()
    keyed.set_budget("admin", reseller(keyed, now), "100", now=now)
    again = Desk.replay(start, keyed.events_json(), key=b"host secret, at least 16 bytes")
    assert again.chain_head() == keyed.chain_head() == keyed.events()[-1].link
    with pytest.raises(partnerdesk.EventChainBrokenError):
        Desk.replay(start, keyed.events_json())
    with pytest.raises(partnerdesk.InvalidArgumentError):
        keyed.set_event_key(b"short")
