"""Search through the binding: pages, cursors, offsets, the row iterator, counts, errors."""

from __future__ import annotations

import datetime

import pytest

import partnerdesk
from partnerdesk import Query

QUICKSTART = "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)"


def test_quickstart_scenario(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    page = desk.search(QUICKSTART, sort="mtd", descending=True, limit=5, now=now)
    assert len(page) == 5 and page.total > 5
    spends = [r.month_to_date.amount for r in page]
    assert spends == sorted(spends, reverse=True)
    assert all(r.association_type == "reseller" and r.month_to_date.amount >= 1000 for r in page)
    assert all(r.tags & {"vip", "gold"} for r in page)
    nxt = desk.search(QUICKSTART, sort="-mtd", limit=5, cursor=page.next_cursor, now=now)
    assert nxt.total == page.total
    assert not {r.id for r in nxt} & {r.id for r in page}
    assert nxt[0].month_to_date.amount <= page[4].month_to_date.amount
    # The same query as builder gives the same page.
    built = Query.association("reseller") & Query.mtd(min=1000) & Query.tag("vip", "gold")
    assert desk.search(built, sort="-mtd", limit=5, now=now).rows == page.rows


def test_iterator_walks_every_page(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    it = desk.iter_search("mtd>=100", sort="-mtd", page_size=7, now=now)
    assert iter(it) is it
    assert it.total == desk.count("mtd>=100", now=now)
    rows = list(it)
    assert len(rows) == it.total
    assert it.pages_fetched == -(-it.total // 7)
    assert len({r.id for r in rows}) == len(rows)
    spends = [r.month_to_date.amount for r in rows]
    assert spends == sorted(spends, reverse=True)
    # Equal to walking the cursors by hand.
    by_hand, cursor = [], None
    while True:
        p = desk.search("mtd>=100", sort="-mtd", limit=50, cursor=cursor, now=now)
        by_hand += p.rows
        cursor = p.next_cursor
        if cursor is None:
            break
    assert by_hand == rows
    with pytest.raises(StopIteration):
        next(it)


def test_iterator_of_nothing(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    it = desk.iter_search("tag:no-such-tag", now=now)
    assert list(it) == [] and it.total == 0


def test_offset_paging_matches_cursor_paging(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    first = desk.search("tag:vip", sort="name", limit=10, now=now)
    second = desk.search("tag:vip", sort="name", limit=10, offset=10, now=now)
    by_cursor = desk.search("tag:vip", sort="name", limit=10, cursor=first.next_cursor, now=now)
    assert second.rows == by_cursor.rows
    with pytest.raises(ValueError):
        desk.search("tag:vip", offset=1, cursor=first.next_cursor, now=now)


def test_search_ids_and_count(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    ids = desk.search_ids("tag:vip", sort="-mtd", limit=5, now=now)
    page = desk.search("tag:vip", sort="-mtd", limit=5, now=now)
    assert isinstance(ids, partnerdesk.IdPage) and len(ids) == 5
    assert ids.ids == page.ids == [r.id for r in page]
    assert ids.total == page.total and ids.next_cursor == page.next_cursor
    assert desk.count(now=now) == desk.search(now=now, limit=1).total
    assert page[0].id in desk and "nope" not in desk and "" not in desk


def test_sort_keys(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    for key in ["name", "account", "mtd", "associated", "expires", "id"]:
        asc = desk.search(sort=key, limit=5, now=now)
        desc = desk.search(sort="-" + key, limit=5, now=now)
        assert desc == desk.search(sort=key, descending=True, limit=5, now=now)
        assert asc.total == desc.total
    with pytest.raises(partnerdesk.InvalidArgumentError) as e:
        desk.search(sort="spend", now=now)
    assert e.value.field == "sort"


def test_paging_errors(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    with pytest.raises(partnerdesk.InvalidPageError):
        desk.search(limit=0, now=now)
    with pytest.raises(partnerdesk.InvalidPageError):
        desk.search(limit=5000, now=now)
    with pytest.raises(partnerdesk.InvalidPageError):
        desk.iter_search(page_size=0, now=now)
    with pytest.raises(partnerdesk.InvalidCursorError):
        desk.search(cursor="garbage", now=now)
    cursor = desk.search("tag:vip", limit=2, now=now).next_cursor
    with pytest.raises(partnerdesk.CursorMismatchError) as e:
        desk.search("tag:gold", limit=2, cursor=cursor, now=now)
    assert e.value.code == "CURSOR_MISMATCH"
    with pytest.raises(OverflowError):
        desk.search(limit=-1, now=now)
    with pytest.raises(TypeError):
        desk.search(5, now=now)  # type: ignore[arg-type]


def test_customer_row_errors(desk: partnerdesk.Desk, now: datetime.datetime) -> None:
    with pytest.raises(partnerdesk.CustomerNotFoundError) as e:
        desk.customer_row("ffffffffffffffffffffffffffffffff", now=now)
    assert e.value.id == "ffffffffffffffffffffffffffffffff"
    with pytest.raises(partnerdesk.InvalidIdError):
        desk.customer_row("", now=now)


def test_default_now_is_the_host_clock(desk: partnerdesk.Desk) -> None:
    # Without `now`, the binding reads datetime.now(timezone.utc): a valid search either way.
    assert desk.count("tag:vip") >= 0
