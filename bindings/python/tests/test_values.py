"""Marshalling of the value classes: Decimal money, aware UTC datetimes, string enums,
frozen classes with value equality and hashing, reprs without personal data."""

from __future__ import annotations

import datetime
import decimal
from decimal import Decimal

import pytest

import partnerdesk
from partnerdesk import Money


def test_money_accepts_decimal_int_and_str_and_keeps_exact_digits() -> None:
    assert Money(Decimal("10.50"), "CNY").amount == Decimal("10.50")
    assert str(Money(Decimal("10.50"), "CNY").amount) == "10.50"
    assert Money(3, "USD").amount == Decimal(3)
    assert Money("0.1", "EUR").amount + Money("0.2", "EUR").amount == Decimal("0.3")
    assert isinstance(Money("1", "CNY").amount, decimal.Decimal)
    assert Money("1", "CNY").currency == "CNY"


def test_money_refuses_floats_bools_nan_and_garbage() -> None:
    with pytest.raises(TypeError):
        Money(0.1, "CNY")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, "CNY")
    with pytest.raises(TypeError):
        Money([1], "CNY")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money("ten", "CNY")
    with pytest.raises(ValueError):
        Money(Decimal("NaN"), "CNY")
    with pytest.raises(partnerdesk.InvalidCurrencyError) as e:
        Money("1", "cny")
    assert e.value.code == "INVALID_CURRENCY"


def test_money_is_a_frozen_value() -> None:
    a, b = Money("1.50", "CNY"), Money(Decimal("1.50"), "CNY")
    assert a == b and hash(a) == hash(b)
    assert a != Money("1.50", "USD")
    assert len({a, b}) == 1
    assert repr(a) == "Money('1.50', 'CNY')"
    assert str(a) == "1.50 CNY"
    with pytest.raises(AttributeError):
        a.amount = Decimal(2)  # type: ignore[misc]


def test_row_fields_marshal_to_python_types(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    rows = list(desk.iter_search(now=now, page_size=1000))
    assert len(rows) == desk.count(now=now)
    seen_budget = seen_frozen = seen_expiry = seen_manager = False
    for r in rows:
        assert isinstance(r.id, str) and len(r.id) == 32
        assert isinstance(r.name, str)
        assert r.name == "" or "*" in r.name
        assert r.mobile is None or "*" in r.mobile
        assert r.email is None or "***@" in r.email
        assert r.customer_type in {"unset", "individual", "enterprise"}
        assert r.level in {"V0", "V1", "V2", "V3", "V4", "V5"}
        assert r.association_type in {"referral", "reseller"}
        assert isinstance(r.tags, frozenset) and all(isinstance(t, str) for t in r.tags)
        assert r.associated_at.tzinfo is not None
        assert r.associated_at.utcoffset() == datetime.timedelta(0)
        assert r.disassociated_at is None
        assert isinstance(r.month_to_date, Money) and isinstance(r.month_to_date.amount, Decimal)
        assert r.month_to_date.currency == desk.partner.currency
        assert isinstance(r.last_month.amount, Decimal)
        assert isinstance(r.unpaid_orders, int)
        if r.next_expiry is not None:
            seen_expiry = True
            assert r.next_expiry.utcoffset() == datetime.timedelta(0)
            assert r.next_expiry >= now
        if r.budget is not None:
            seen_budget = True
            assert r.budget.kind in {"monthly", "one_off"}
            assert isinstance(r.budget.percent, Decimal)
            assert r.budget.amount.currency == r.budget.used.currency
            assert isinstance(r.budget.auto_freeze, bool)
            assert r.budget == r.budget and hash(r.budget) == hash(r.budget)
            assert "BudgetSummary(kind=" in repr(r.budget)
        if r.frozen:
            seen_frozen = True
            assert r.freeze_scope in {"account", "account_and_resources", "unknown"}
            assert r.freeze_origin in {"manual", "default", "budget", "imported"}
        else:
            assert r.freeze_scope is None and r.freeze_origin is None
        if r.account_manager is not None:
            seen_manager = True
            assert isinstance(r.account_manager_name, str)
    assert seen_budget and seen_frozen and seen_expiry and seen_manager


def test_rows_are_frozen_values_with_safe_reprs(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    page = desk.search(limit=20, now=now)
    again = desk.search(limit=20, now=now)
    assert page == again and hash(page) == hash(again)
    assert page.rows == again.rows
    assert {r for r in page} == set(again.rows)
    r = page[0]
    assert r == desk.customer_row(r.id, now=now)
    with pytest.raises(AttributeError):
        r.name = "x"  # type: ignore[misc]
    for row in page:
        text = repr(row)
        assert row.id in text
        # Even masked personal fields stay out of reprs.
        for personal in (row.name, row.account_name, row.mobile, row.email):
            if personal:
                assert personal not in text
    assert repr(page).startswith("Page(rows=20, total=")


def test_page_sequence_protocol(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    page = desk.search(limit=3, now=now)
    assert len(page) == 3
    assert page[-1] == page[2] == page.rows[2]
    with pytest.raises(IndexError):
        page[3]
    assert [r.id for r in page] == [r.id for r in page.rows]


def test_partner(desk: partnerdesk.Desk) -> None:
    p = desk.partner
    assert p.site in {"china", "international"}
    assert p.currency in {"CNY", "USD"}
    assert isinstance(p.billing_offset_minutes, int)
    assert p == desk.partner and hash(p) == hash(desk.partner)
    assert p.id in repr(p)
    assert isinstance(p.name, str) and p.name


def test_times_convert_from_any_zone_and_refuse_naive(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    tz = datetime.timezone(datetime.timedelta(hours=8))
    assert desk.count(now=now.astimezone(tz)) == desk.count(now=now)
    with pytest.raises(TypeError):
        desk.count(now=now.replace(tzinfo=None))
    with pytest.raises(TypeError):
        desk.count(now="2026-11-29")  # type: ignore[arg-type]


def test_utc_times_are_read_exactly_like_every_other_zone(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    # `timezone.utc` datetimes take a fast reading (issue #18: the binding's overhead); it must
    # give the instant every other reading gives, to the microsecond, and the same refusals.
    utc = datetime.timezone.utc

    class Sub(datetime.datetime):
        pass

    t = datetime.datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=utc)
    q = partnerdesk.Query.expires_between(after=t)
    other_zone = t.astimezone(datetime.timezone(datetime.timedelta(hours=-5, minutes=-30)))
    assert q == partnerdesk.Query.expires_between(after=other_zone)
    assert q == partnerdesk.Query.expires_between(after=t.replace(tzinfo=datetime.timezone(datetime.timedelta(0))))
    assert q == partnerdesk.Query.expires_between(after=Sub(2026, 3, 4, 5, 6, 7, 891234, tzinfo=utc))
    assert q != partnerdesk.Query.expires_between(after=t + datetime.timedelta(microseconds=1))
    assert now.tzinfo is utc
    assert desk.search("*", now=now) == desk.search("*", now=now.astimezone(datetime.timezone(datetime.timedelta(hours=8))))
    epoch = datetime.datetime(1970, 1, 1, tzinfo=utc)
    assert partnerdesk.Query.associated(after=epoch) == partnerdesk.Query.associated(after=epoch.astimezone(other_zone.tzinfo))
    with pytest.raises(partnerdesk.InvalidDateError):
        partnerdesk.Query.associated(after=epoch - datetime.timedelta(microseconds=1))
    with pytest.raises(partnerdesk.InvalidDateError):
        partnerdesk.Query.associated(after=datetime.datetime(1, 1, 1, tzinfo=utc))


def test_version_is_the_workspace_version() -> None:
    assert partnerdesk.__version__.count(".") == 2
    from importlib.metadata import version

    assert version("partnerdesk") == partnerdesk.__version__


def test_desk_demo_matches_demo_portfolio(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    same = partnerdesk.Desk.demo(1000, seed=42)
    assert len(same) == len(desk)
    assert same.search("tag:vip", sort="-mtd", limit=10, now=now) == desk.search("tag:vip", sort="-mtd", limit=10, now=now)
    with pytest.raises(OverflowError):
        partnerdesk.Desk.demo(-1)
