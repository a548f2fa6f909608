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
