"""Governed operations through the binding: arguments, outcomes, records and events marshal;
refusals come back as the right exception classes or per-customer outcomes. (The domain rules
themselves are tested in Rust.)"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

import partnerdesk
from partnerdesk import Actor


@pytest.fixture()
def fresh() -> tuple[partnerdesk.Desk, datetime.datetime]:
    return partnerdesk.demo_portfolio(300, seed=42)


def ids(desk: partnerdesk.Desk, now: datetime.datetime, query: str, n: int) -> list[str]:
    got = [r.id for r in desk.search(query, limit=n, now=now)]
    assert len(got) == n
    return got


def test_actor_values() -> None:
    a = Actor.operator("am_001")
    assert a == Actor.operator("am_001") and hash(a) == hash(Actor.operator("am_001"))
    assert (a.kind, a.id, str(a), repr(a)) == ("operator", "am_001", "operator:am_001", "Actor.operator('am_001')")
    s = Actor.system()
    assert (s.kind, s.id, repr(s)) == ("system", None, "Actor.system()")
    c = Actor.customer("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
    assert c.kind == "customer" and c != a
    with pytest.raises(partnerdesk.InvalidIdError):
        Actor.operator("")
    with pytest.raises(TypeError):
        partnerdesk.demo_portfolio(10)[0].freeze(42, ["x"], reason="r")  # type: ignore[arg-type]


def test_operators(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, _ = fresh
    ops = {o.id: o for o in desk.operators}
    assert ops["admin"].role == "administrator"
    assert ops["am_001"].account_manager and "PD_ASSIGN_ACCOUNT_MANAGER" in ops["am_001"].permissions
    assert isinstance(ops["am_001"].permissions, frozenset)
    assert ops["am_001"].name not in repr(ops["am_001"])  # a person's name stays out of reprs
    assert ops["am_001"] == desk.operators[[o.id for o in desk.operators].index("am_001")]
    desk.add_operator("am_new", "New Manager", account_manager=True, permissions=["PD_VIEW_SPEND"])
    assert {o.id for o in desk.operators} >= {"am_new"}


def test_freeze_batch_outcomes(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    rs = ids(desk, now, "assoc=reseller and frozen=false", 2)
    ref = ids(desk, now, "assoc=referral", 1)
    out = desk.freeze("admin", rs + ref, scope="account", reason="overdue invoices", now=now)
    assert (out.succeeded, out.failed, len(out)) == (2, 1, 3)
    assert [i.customer for i in out.items] == rs + ref
    assert [i.ok for i in out.items] == [True, True, False]
    bad = out.items[2]
    assert bad.code == "WRONG_ASSOCIATION_TYPE"
    assert isinstance(bad.error, partnerdesk.WrongAssociationTypeError) and bad.error.code == bad.code
    assert bad.customer_id == bad.customer == ref[0] and bad.details["id"] == bad.error.id == ref[0]
    assert bad.message == str(bad.error) and out.items[0].error is None and out.items[0].details == {}
    assert "ok=False" in repr(bad) and repr(out) == "BatchOutcome(succeeded=2, failed=1)"
    assert all(desk.customer_row(i, now=now).freeze_scope == "account" for i in rs)
    assert desk.count(Query_frozen := "frozen=account", now=now) >= 2, Query_frozen
    again = desk.freeze(Actor.operator("admin"), rs, reason="again", now=now)
    assert [i.code for i in again.items] == ["ALREADY_FROZEN"] * 2
    wrong = desk.unfreeze("admin", rs, scope="account_and_resources", reason="paid", now=now)
    assert [i.code for i in wrong.items] == ["FREEZE_SCOPE_MISMATCH"] * 2
    assert desk.unfreeze("admin", rs, reason="paid", now=now).succeeded == 2
    assert [i.code for i in desk.unfreeze("admin", rs, reason="paid", now=now).items] == ["NOT_FROZEN"] * 2
    assert not desk.customer_row(rs[0], now=now).frozen


def test_batch_level_refusals_raise(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    rs = ids(desk, now, "assoc=reseller", 1)
    with pytest.raises(partnerdesk.PermissionDeniedError) as e:
        desk.freeze("am_001", rs, reason="x", now=now)
    assert e.value.code == "PERMISSION_DENIED" and e.value.actor == "operator:am_001"
    with pytest.raises(partnerdesk.InvalidReasonError):
        desk.freeze("admin", rs, reason="  ", now=now)
    with pytest.raises(partnerdesk.TooManyIdsError) as e2:
        desk.freeze("admin", [f"{i:032x}" for i in range(11)], reason="x", now=now)
    assert (e2.value.given, e2.value.max) == (11, 10)
    with pytest.raises(partnerdesk.InvalidArgumentError):
        desk.freeze("admin", rs, scope="unknown", reason="x", now=now)
    # Refusals are audited with their code.
    denied = [r for r in desk.audit_log(kind="freeze") if not r.allowed]
    assert denied and denied[0].denied_code == "PERMISSION_DENIED"
    assert denied[0].actor == Actor.operator("am_001")


def test_budget(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    (cid,) = ids(desk, now, "assoc=reseller and frozen=false", 1)
    desk.set_budget("ops_billing", cid, Decimal("1500.50"), kind="monthly", auto_freeze=True, thresholds=[50, "80"], now=now)
    b = desk.customer_row(cid, now=now).budget
    assert b is not None
    assert b.amount == partnerdesk.Money("1500.50", desk.partner.currency)
    assert b.kind == "monthly" and b.auto_freeze and isinstance(b.percent, Decimal)
    with pytest.raises(TypeError):
        desk.set_budget("ops_billing", cid, 1500.5, now=now)  # type: ignore[arg-type]
    with pytest.raises(partnerdesk.InvalidMoneyError):
        desk.set_budget("ops_billing", cid, "-1", now=now)
    with pytest.raises(partnerdesk.PermissionDeniedError):
        desk.set_budget("am_001", cid, "10", now=now)
    assert [e.kind for e in desk.events()][-1] == "budget_set"


def test_managers(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    cs = ids(desk, now, "has_manager=false", 2)
    out = desk.assign_manager("admin", cs, "am_001", now=now)
    assert out.succeeded == 2
    assert {desk.customer_row(c, now=now).account_manager for c in cs} == {"am_001"}
    assert desk.count("manager=am_001", now=now) >= 2
    with pytest.raises(partnerdesk.NotAccountManagerError):
        desk.assign_manager("admin", cs, "ops_billing", now=now)
    with pytest.raises(partnerdesk.OperatorNotFoundError):
        desk.assign_manager("admin", cs, "nobody", now=now)
    assert desk.unassign_manager("admin", cs, now=now).succeeded == 2
    assert desk.customer_row(cs[0], now=now).account_manager is None


def test_permissions(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    rs = ids(desk, now, "assoc=reseller and frozen=false", 1)
    with pytest.raises(partnerdesk.PermissionDeniedError):
        desk.freeze("am_002", rs, reason="x", now=now)
    desk.grant_permissions("admin", "am_002", ["BPC_ITEM_SUBCUSTSERV_010115"], now=now)
    assert desk.freeze("am_002", rs, reason="x", now=now).succeeded == 1
    desk.revoke_permissions("admin", "am_002", ["BPC_ITEM_SUBCUSTSERV_010115"], now=now)
    with pytest.raises(partnerdesk.PermissionDeniedError):
        desk.unfreeze("am_002", rs, reason="x", now=now)
    with pytest.raises(partnerdesk.AdministratorOnlyError):
        desk.grant_permissions("am_001", "am_002", ["PD_VIEW_SPEND"], now=now)


def test_idempotency(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    rs = ids(desk, now, "assoc=reseller and frozen=false", 1)
    first = desk.freeze("admin", rs, reason="x", now=now, idempotency_key="op-1")
    n = len(desk.events())
    second = desk.freeze("admin", rs, reason="x", now=now, idempotency_key="op-1")
    assert [i.ok for i in second.items] == [i.ok for i in first.items] == [True]
    assert len(desk.events()) == n
    with pytest.raises(partnerdesk.IdempotencyConflictError) as e:
        desk.unfreeze("admin", rs, reason="x", now=now, idempotency_key="op-1")
    assert e.value.key == "op-1"


def test_associations(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    new = "f" * 31 + "1"
    desk.associate("admin", new, account_name="newco_cloud", name="NewCo Ltd.", association_type="reseller", tags=["vip"], now=now)
    assert new in desk and desk.customer_row(new, now=now).tags == {"vip"}
    with pytest.raises(partnerdesk.AlreadyAssociatedError):
        desk.associate("admin", new, account_name="x", name="y", now=now)
    with pytest.raises(partnerdesk.NotAccountManagerError):
        desk.associate("admin", "e" * 32, account_name="x", name="y", invited_by="ops_billing", now=now)
    req = desk.request_partner_disassociation("admin", new, reason="contract ended", now=now)
    assert isinstance(req, str)
    (r,) = [r for r in desk.disassociation_requests() if r.id == req]
    assert (r.customer_id, r.status, r.initiator) == (new, "pending", "partner")
    assert r.requested_by == Actor.operator("admin") and r.requested_at == now
    desk.decide_disassociation(Actor.customer(new), req, approve=True, reason="ok", now=now)
    (r,) = [r for r in desk.disassociation_requests() if r.id == req]
    assert r.status == "approved" and r.decided_at is not None
    assert new not in {x.id for x in desk.iter_search(now=now, page_size=1000)}
    gone = desk.customer_row(new, now=now)
    assert gone.disassociated_at is not None
    assert desk.count(partnerdesk.Query.customer_id(new).including_disassociated(), now=now) == 1
    with pytest.raises(partnerdesk.NotAssociatedError):
        desk.request_partner_disassociation("admin", new, reason="again", now=now)


def test_authorizations_and_orders(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    (cid,) = ids(desk, now, "frozen=false and assoc=reseller", 1)
    with pytest.raises(partnerdesk.CommitmentLetterRequiredError):
        desk.request_authorization("admin", cid, scopes=["place_orders"], duration_days=30, now=now)
    aid = desk.request_authorization("admin", cid, scopes=["place_orders"], duration_days=30, accept_commitment_letter=True, now=now)
    a = desk.authorization(aid, now=now)
    assert (a.id, a.customer_id, a.state, a.duration_days, a.requested_by) == (aid, cid, "pending", 30, "admin")
    assert a.scopes == ["place_orders"] and a.requested_at == now and a.expires_at is None
    assert desk.authorizations_of(cid, now=now) == [a]
    with pytest.raises(partnerdesk.AuthorizationRequiredError) as e:
        desk.require_authorization(cid, "place_orders", now=now)
    assert e.value.scope == "place_orders"
    desk.decide_authorization(Actor.customer(cid), aid, "approve", now=now)
    a = desk.authorization(aid, now=now)
    assert a.state == "active" and a.expires_at is not None and a.expires_at.tzinfo is not None
    assert desk.authorization(aid, now=a.expires_at + datetime.timedelta(days=1)).state in {"expired", "ended"}
    desk.require_authorization(cid, "place_orders", now=now)
    order = desk.place_order_on_behalf("admin", cid, Decimal("99.90"), now=now)
    assert isinstance(order, str) and order
    with pytest.raises(partnerdesk.InvalidTransitionError):
        desk.decide_authorization(Actor.customer(cid), aid, "approve", now=now)
    with pytest.raises(partnerdesk.InvalidArgumentError):
        desk.decide_authorization(Actor.customer(cid), aid, "maybe", now=now)  # type: ignore[arg-type]
    desk.decide_authorization(Actor.customer(cid), aid, "revoke", reason="no longer needed", now=now)
    assert desk.authorization(aid, now=now).state == "revoked"


def test_reveal_is_audited_and_records_keep_personal_data_out(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    row = desk.search("mobile~1", limit=1, now=now)[0]
    raw = desk.reveal("admin", row.id, "name", now=now)
    assert raw and raw != row.name and row.name.startswith(raw[0])
    mobile = desk.reveal("admin", row.id, "mobile", now=now)
    assert "*" not in mobile
    with pytest.raises(partnerdesk.PermissionDeniedError):
        desk.reveal("am_001", row.id, "name", now=now)
    with pytest.raises(partnerdesk.InvalidArgumentError):
        desk.reveal("admin", row.id, "password", now=now)
    log = desk.audit_log(customer=row.id, kind="reveal")
    assert [r.allowed for r in log] == [True, True, False]
    assert log[-1].denied_code == "PERMISSION_DENIED" and log[-1].customer_id == row.id
    assert all(r.at == now and r.at.tzinfo is not None for r in log)
    assert desk.audit_log(actor="am_001", kind="reveal") == [log[-1]]
    assert desk.audit_log(since=now + datetime.timedelta(seconds=1)) == []
    for r in log:
        assert raw not in repr(r) and raw not in r.detail and mobile not in r.detail


def test_events_round_trip_and_replay(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    before = desk.to_snapshot_json()
    start = len(desk.events())
    rs = ids(desk, now, "assoc=reseller and frozen=false and has_manager=false", 2)
    desk.freeze("admin", rs, reason="x", now=now)
    desk.assign_manager("admin", rs, "am_002", now=now)
    events = desk.events(since=start)
    assert [e.kind for e in events] == ["frozen", "frozen", "manager_assigned", "manager_assigned"]
    e = events[0]
    assert e.customer_id == rs[0] and e.actor == Actor.operator("admin") and e.at == now and e.seq > 0
    assert isinstance(e, partnerdesk.Event) and e.summary and str(e) == e.summary
    assert e.kind in repr(e) and e.link == json.loads(desk.events_json(since=start))[0]["link"]
    replayed = partnerdesk.Desk.replay(before, desk.events_json())
    assert replayed.search("frozen=true", limit=50, now=now) == desk.search("frozen=true", limit=50, now=now)
    copy = partnerdesk.Desk.from_snapshot_json(before)
    copy.apply_events(desk.events_json())
    # Events carry the state changes (the audit trail is not replayed).
    a, b = json.loads(copy.to_snapshot_json()), json.loads(desk.to_snapshot_json())
    assert a["customers"] == b["customers"] and copy.events() == desk.events()
    with pytest.raises(partnerdesk.PartnerDeskError):
        copy.apply_events(desk.events_json(since=start))  # already applied: out of sequence
    with pytest.raises(partnerdesk.MalformedJsonError):
        copy.apply_events("{}")


def test_daily_spend_and_money_arithmetic(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    day = now.date()
    days = desk.daily_spend("admin", day - datetime.timedelta(days=6), day)
    assert [d.label for d in days] == [(day - datetime.timedelta(days=6 - i)).isoformat() for i in range(7)]
    total = sum((d.amount for d in days[1:]), days[0].amount)
    assert isinstance(total, partnerdesk.Money) and total.currency == desk.partner.currency
    assert total - days[0].amount == sum((d.amount for d in days[2:]), days[1].amount)
    with pytest.raises(partnerdesk.InvalidDateError):
        desk.daily_spend("admin", day, day - datetime.timedelta(days=1))
    with pytest.raises(partnerdesk.CurrencyMismatchError) as e:
        partnerdesk.Money("1", "CNY") + partnerdesk.Money("1", "USD")
    assert (e.value.expected, e.value.found) == ("CNY", "USD")


def test_snapshot_keeps_governed_state(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    rs = ids(desk, now, "assoc=reseller and frozen=false", 1)
    desk.freeze("admin", rs, reason="x", now=now)
    again = partnerdesk.Desk.from_snapshot_json(desk.to_snapshot_json())
    assert again.audit_log() == desk.audit_log() and again.events() == desk.events()
    assert json.loads(again.to_snapshot_json()) == json.loads(desk.to_snapshot_json())
