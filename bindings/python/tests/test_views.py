"""Histories, views and mask policies through the binding."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest

import partnerdesk
from partnerdesk import Actor


@pytest.fixture()
def fresh() -> tuple[partnerdesk.Desk, datetime.datetime]:
    return partnerdesk.demo_portfolio(300, seed=42)


def test_manager_history_and_attribution(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    (cid,) = [r.id for r in desk.search("has_manager=false", limit=1, now=now)]
    later = now + datetime.timedelta(days=2)
    desk.assign_manager("admin", [cid], "am_001", now=now)
    desk.assign_manager("admin", [cid], "am_002", now=later)
    periods = desk.manager_history(cid)
    assert [(p.manager, p.start, p.end) for p in periods] == [("am_001", now, later), ("am_002", later, None)]
    assert periods[0].assigned_by == Actor.operator("admin") and periods[0].customer == cid
    assert "am_001" in repr(periods[0])
    assert desk.manager_at(cid, now + datetime.timedelta(hours=1)) == "am_001"
    assert desk.manager_at(cid, now - datetime.timedelta(days=1)) is None
    spend = desk.manager_spend("admin", "am_001", now.date() - datetime.timedelta(days=30), now.date())
    assert isinstance(spend, partnerdesk.Money) and spend.currency == desk.partner.currency
    with pytest.raises(partnerdesk.PermissionDeniedError):
        desk.manager_spend(Actor.customer(cid), "am_001", now.date(), now.date())


def test_association_history_and_budget_views(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    new = "c" * 32
    desk.associate("admin", new, account_name="acct", name="Co", now=now)
    (rec,) = desk.association_history(customer=new)
    assert (rec.customer_id, rec.change, rec.association_type, rec.at, rec.initiator) == (new, "associated", "reseller", now, "partner")
    assert rec.by == Actor.operator("admin") and len(desk.association_history()) >= 1
    desk.set_budget("admin", new, "200", now=now)
    desk.set_budget("admin", new, "300", kind="one_off", now=now)
    records = desk.budget_records(new)
    assert [(r.operation, r.amount.amount, r.kind) for r in records] == [("setting", Decimal(200), "monthly"), ("setting", Decimal(300), "one_off")]
    assert records[0].operator == "admin" and records[0].at == now
    usage = desk.budget_usage(new, now=now)
    assert usage is not None and usage.amount.amount == Decimal(300)
    assert usage.used + usage.remaining == usage.amount or usage.remaining.amount >= 0
    assert isinstance(usage.percent, Decimal) and "BudgetUsage(" in repr(usage)
    assert (usage.kind, usage.set_at, usage.set_by) == ("one_off", now, "admin")
    assert desk.budget_usage(desk.search("assoc=referral", limit=1, now=now)[0].id, now=now) is None


def test_spend_views(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    s = desk.spend_summary("admin", now=now)
    assert s.month_to_date - s.last_month_same_days == s.change
    assert s.change_percent is None or isinstance(s.change_percent, Decimal)
    day = now.date()
    ranking = desk.product_ranking("admin", day.replace(day=1), day, n=3)
    assert 0 < len(ranking) <= 3
    amounts = [r.amount.amount for r in ranking]
    assert amounts == sorted(amounts, reverse=True) and all(isinstance(r.label, str) for r in ranking)
    orders = desk.order_overview("admin")
    assert 0 <= orders.unpaid <= orders.all
    renew = desk.resources_to_renew("admin", 30, now=now)
    assert all(e is None or now <= e <= now + datetime.timedelta(days=30) for e in (r.expires_at for r in renew))
    with pytest.raises(partnerdesk.InvalidDateError):
        desk.product_ranking("admin", day, day - datetime.timedelta(days=1))
    desk.roll_to(now=now + datetime.timedelta(days=40))
    assert desk.count("mtd>=0", now=now + datetime.timedelta(days=40)) == desk.count(now=now)


def test_mask_policies(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    row = desk.search("has_manager=true", limit=1, now=now)[0]
    assert row.account_name and "*" not in row.account_name
    MaskPolicy, MaskRule = partnerdesk.MaskPolicy, partnerdesk.MaskRule
    policy = MaskPolicy(account_name=MaskRule("hidden"), name=MaskRule("keep", first=1, last=0))
    desk.set_row_policy(policy)
    assert desk.row_policy() == policy and policy.name.first == 1 and policy.mobile.kind == "default"
    masked = desk.customer_row(row.id, now=now)
    assert masked.account_name != row.account_name
    desk.set_row_policy(MaskPolicy(account_name=MaskRule("default"), manager_name=MaskRule("default")))
    assert desk.customer_row(row.id, now=now).account_manager_name != row.account_manager_name
    with pytest.raises(partnerdesk.InvalidArgumentError):
        desk.set_row_policy(MaskPolicy(name=MaskRule("clear")))  # a name is never shown in clear
    with pytest.raises(partnerdesk.InvalidArgumentError):
        MaskRule("lenient")
    with pytest.raises(partnerdesk.InvalidArgumentError):
        desk.set_row_policy(MaskPolicy(name=MaskRule("keep", first=256)))
    with pytest.raises(partnerdesk.InvalidArgumentError):
        desk.set_row_policy(MaskPolicy(name=MaskRule("fixed")))  # a fixed mask needs its text
    with pytest.raises(TypeError):
        desk.set_row_policy({"name": 5})  # type: ignore[arg-type]
    assert desk.row_policy().account_name == MaskRule("default")
    desk.set_pseudonym_key(b"0123456789abcdef0123456789abcdef")
    desk.set_export_policy(MaskPolicy(name=MaskRule("pseudonym")))
    assert desk.export_policy().name.kind == "pseudonym"
    a, b = io.BytesIO(), io.BytesIO()
    desk.export("admin", a, ids=[row.id], columns=["customer_id", "name"], now=now)
    desk.export("admin", b, ids=[row.id], columns=["customer_id", "name"], now=now)
    line = a.getvalue().decode().splitlines()[1]
    assert a.getvalue() == b.getvalue() and row.id in line
    raw = desk.reveal("admin", row.id, "name", now=now)
    assert raw not in line
    desk.set_pseudonym_key(None)
