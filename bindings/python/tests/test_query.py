"""Queries: the builder and operators give the same core query as the text filter."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

import partnerdesk
from partnerdesk import Query


QUICKSTART = "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)"


def test_builder_equals_parsed_text() -> None:
    built = Query.association("reseller") & Query.mtd(min=Decimal(1000)) & (Query.tag("vip") | Query.tag("gold"))
    parsed = Query.parse(QUICKSTART)
    assert built == parsed
    assert hash(built) == hash(parsed)
    assert str(built) == QUICKSTART == built.filter
    assert Query(QUICKSTART) == parsed


def test_text_and_query_objects_combine_both_ways() -> None:
    assert (Query.tag("vip") & "mtd>=5") == Query.parse("tag:vip and mtd>=5")
    assert ("mtd>=5" & Query.tag("vip")) == Query.parse("mtd>=5 and tag:vip")
    assert ("mtd>=5" | Query.tag("vip")) == Query.parse("mtd>=5 or tag:vip")
    assert str(~Query.frozen()) == "not frozen=true"
    with pytest.raises(TypeError):
        Query.tag("vip") & 5  # type: ignore[operator]


def test_every_builder(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    day = datetime.timedelta(days=1)
    cases = {
        Query.name("acme"): "name~acme",
        Query.name("Acme Ltd.", exact=True): 'name="Acme Ltd."',
        Query.account("acme"): "account~acme",
        Query.customer_id("0a1b2c3d4e5f60718293a4b5c6d7e8f9"): "id=0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        Query.manager("am_001"): "manager=am_001",
        Query.manager_name("li"): "managername~li",
        Query.has_manager(False): "has_manager=false",
        Query.budget_usage(min=80): "budget>=80",
        Query.expires_within(7): "expires<=7d",
        Query.no_expiry(): "expires=none",
        Query.mobile("5678", ends_with=True): "mobile~5678",
        Query.tag("a", "b"): "tag in (a, b)",
        Query.all_tags("a", "b"): "tag all (a, b)",
        Query.frozen(): "frozen=true",
        Query.freeze_scope("account"): "frozen=account",
        Query.freeze_origin("budget"): "freeze_origin=budget",
        Query.reseller("r-1"): "reseller=r-1",
        Query.level("V3"): "level=V3",
        Query.all(): "*",
    }
    for q, text in cases.items():
        assert str(q) == text
        assert Query.parse(text) == q
    r = Query.mtd(min="10.5", max=20)
    assert "mtd>=10.5" in str(r) and "mtd<=20" in str(r)
    # Ranges print as two bounds; the parsed form is equivalent, not identical.
    assert desk.count(Query.parse(str(r)), now=now) == desk.count(r, now=now)
    t = Query.associated(after=now - day, before=now)
    assert "associated>=" in str(t)
    assert desk.count(Query.parse(str(t)), now=now) == desk.count(t, now=now)
    e = Query.expires_between(after=now, before=now + day)
    assert desk.count(Query.parse(str(e)), now=now) == desk.count(e, now=now) > 0


def test_builder_argument_errors() -> None:
    with pytest.raises(TypeError):
        Query.mtd(min=1.5)  # type: ignore[arg-type]
    with pytest.raises(partnerdesk.InvalidArgumentError) as e:
        Query.association("friends")  # type: ignore[arg-type]
    assert e.value.code == "INVALID_ARGUMENT" and e.value.field == "association"
    with pytest.raises(partnerdesk.InvalidArgumentError):
        Query.level("V9")  # type: ignore[arg-type]
    with pytest.raises(partnerdesk.InvalidArgumentError):
        Query.mobile("12ab")
    with pytest.raises(partnerdesk.InvalidIdError) as e2:
        Query.tag("")
    assert e2.value.code == "INVALID_ID" and e2.value.kind == "tag"
    with pytest.raises(TypeError):
        Query.name("x", True)  # type: ignore[misc]  # keyword-only


def test_filter_syntax_error_carries_position() -> None:
    with pytest.raises(partnerdesk.FilterSyntaxError) as e:
        Query.parse("mtd>=")
    err = e.value
    assert err.code == "FILTER_SYNTAX"
    assert err.position == 5
    assert isinstance(err.expected, str) and err.found == "the end of the filter"
    assert isinstance(err, partnerdesk.PartnerDeskError)


def test_disassociated_flag() -> None:
    q = Query.tag("vip").including_disassociated()
    assert q.include_disassociated and not Query.tag("vip").include_disassociated
    assert q != Query.tag("vip")


def test_repr_keeps_personal_search_terms_out() -> None:
    assert repr(Query.parse("tag:vip")) == "Query('tag:vip')"
    r = repr(Query.name("Zhang Wei") & Query.tag("vip"))
    assert "Zhang" not in r
    assert "Zhang" not in repr(Query.parse("mobile~13812345678"))
    assert "1381234" not in repr(Query.parse("mobile~13812345678"))


# ---- issue #13: hostile queries give typed errors and change nothing -----------------------


def test_deep_invert_is_refused_with_query_too_complex() -> None:
    q = Query.frozen()
    built = 0
    refused = 0
    for _ in range(10_000):
        try:
            q = ~q
            built += 1
        except partnerdesk.QueryTooComplexError as e:
            refused += 1
            assert e.code == "QUERY_TOO_COMPLEX"
    assert built == 64 and refused == 10_000 - 64
    # The deepest query still displays, parses back and searches.
    assert Query.parse(str(q)) == q
    desk, now = partnerdesk.demo_portfolio(50, seed=3)
    assert desk.count(q, now=now) == desk.count(Query.frozen(), now=now)
    with pytest.raises(partnerdesk.QueryTooComplexError):
        q & Query.frozen()
    with pytest.raises(partnerdesk.QueryTooComplexError):
        Query.frozen() | q


def test_wide_queries_are_refused_like_the_text() -> None:
    q = Query.frozen()
    with pytest.raises(partnerdesk.QueryTooComplexError):
        for _ in range(10_000):
            q = q | Query.frozen()
    with pytest.raises(partnerdesk.QueryTooComplexError):
        Query.parse(" or ".join(["*"] * 600))


def test_day_counts_out_of_bounds_are_invalid_arguments() -> None:
    for days in (10**8, 36_501, -1, 10**30):
        with pytest.raises(partnerdesk.InvalidArgumentError) as e:
            Query.expires_within(days)
        assert "expires_within" in str(e.value)
    assert str(Query.expires_within(36_500)) == "expires<=36500d"
    desk, now = partnerdesk.demo_portfolio(50, seed=3)
    before = desk.to_snapshot_json()
    for days in (10**8, -1):
        with pytest.raises(partnerdesk.InvalidArgumentError) as e:
            desk.resources_to_renew("admin", days, now=now)
        assert "days" in str(e.value)
    assert desk.to_snapshot_json() == before
    far_past = datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc)
    with pytest.raises(partnerdesk.InvalidDateError):
        desk.resources_to_renew("admin", 30, now=far_past)
    with pytest.raises(partnerdesk.InvalidDateError):
        desk.search("*", now=far_past)
    with pytest.raises(partnerdesk.InvalidDateError):
        Query.associated(after=far_past)
    assert desk.to_snapshot_json() == before


def test_blank_text_criteria_are_refused() -> None:
    for build in (
        lambda: Query.name("  "),
        lambda: Query.name("", exact=True),
        lambda: Query.account("\t"),
        lambda: Query.manager_name(" "),
        lambda: Query.parse('name~"  "'),
    ):
        with pytest.raises(partnerdesk.InvalidArgumentError) as e:
            build()
        assert e.value.code == "INVALID_ARGUMENT"
    assert str(Query.name(" acme ")) == 'name~" acme "'


def test_over_precise_amounts_are_refused_never_rounded() -> None:
    tiny = "0.0000000000000000000000000000001"
    for value in (tiny, Decimal(tiny), Decimal("1E-31"), "0.000000001"):
        with pytest.raises(partnerdesk.InvalidMoneyError):
            Query.mtd(min=value)
        with pytest.raises(partnerdesk.InvalidMoneyError):
            Query.budget_usage(max=value)
    with pytest.raises(partnerdesk.FilterSyntaxError):
        Query.parse("mtd>=" + tiny)
    for bad in ("NaN", Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(partnerdesk.InvalidMoneyError):
            Query.mtd(min=bad)
    assert str(Query.mtd(min=Decimal("1000.50"))) == "mtd>=1000.50"
    assert str(Query.mtd(min="1E+3")) == "mtd>=1000"
