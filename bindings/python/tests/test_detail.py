"""A customer's detail pages (issue #19): orders, resources, spend details and the portfolio's
renewals, each paged like search, and their exports (CSV and XLSX, job history, download,
durable desks), on the records every host shares."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import pathlib
import threading
from collections.abc import Callable

import pytest

import partnerdesk
from partnerdesk import Desk

VIEW_CUSTOMERS = "BPC_ITEM_SUBCUSTSERV_010100"
VIEW_RESELLER_CUSTOMERS = "BPC_ITEM_SUBCUSTSERV_010500"


def demo() -> tuple[Desk, datetime.datetime]:
    return partnerdesk.demo_portfolio(300, seed=7)


def busiest(desk: Desk, now: datetime.datetime, key: Callable[[str], int]) -> str:
    """The customer id with the most of something (ties: the smallest id)."""
    ids = desk.select_ids(now=now)
    return max(ids, key=lambda c: (key(c), [-ord(ch) for ch in c]))


def orders_of(desk: Desk, now: datetime.datetime) -> str:
    return busiest(desk, now, lambda c: desk.order_overview("admin", customer=c).all)


def resources_of(desk: Desk, now: datetime.datetime) -> str:
    return busiest(desk, now, lambda c: desk.customer_resources("admin", c, limit=1, now=now).total)


def month(now: datetime.datetime) -> str:
    return now.strftime("%Y-%m")


def spender(desk: Desk, now: datetime.datetime) -> str:
    return busiest(desk, now, lambda c: desk.spend_details("admin", c, month(now), limit=1).total)


def test_orders_are_the_overview_counted_newest_first() -> None:
    desk, now = demo()
    checked = 0
    for c in desk.select_ids(now=now)[:40]:
        o = desk.order_overview("admin", customer=c)
        unpaid, every = o.unpaid, o.all
        page = desk.customer_orders("admin", c, limit=1000)
        assert page.total == every == len(page.items)
        assert page.next_cursor is None
        assert desk.customer_orders("admin", c, scope="unpaid").total == unpaid
        created = [o.created_at for o in page.items]
        assert created == sorted(created, reverse=True)
        checked += every
    assert checked > 0
    line = desk.customer_orders("admin", orders_of(desk, now)).items[0]
    assert isinstance(line, partnerdesk.OrderLine)
    assert isinstance(line.amount, partnerdesk.Money)
    assert isinstance(line.amount.amount, decimal.Decimal) and line.amount.currency == "CNY"
    assert line.created_at.tzinfo is not None
    assert line.paid_at is None or line.paid_at >= line.created_at
    assert line.kind and line.status and line.id


def test_renewals_are_resources_to_renew_paged() -> None:
    desk, now = demo()
    for days in (7, 30, 90):
        expected = [(i.customer_id, i.resource_id, i.expires_at) for i in desk.resources_to_renew("admin", days, now=now)]
        seen: list[tuple[str, str, datetime.datetime | None]] = []
        cursor: str | None = None
        while True:
            page = desk.renewals_page("admin", days, limit=3, cursor=cursor, now=now)
            assert page.total == len(expected)
            seen += [(r.customer_id, r.id, r.expires_at) for r in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == expected
    assert len(expected) > 3


def test_resources_filter_sort_and_page_by_cursor_once_each() -> None:
    desk, now = demo()
    c = resources_of(desk, now)
    every = desk.customer_resources("admin", c, limit=1000, now=now)
    assert every.total == len(every.items) >= 3
    assert all(r.customer_id == c for r in every.items)
    # By cursor, one line a page: every line once, in order.
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = desk.customer_resources("admin", c, limit=1, cursor=cursor, now=now)
        pages += 1
        seen += [r.id for r in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [r.id for r in every.items] and len(set(seen)) == len(seen) == pages
    # By offset, the same lines.
    tail = desk.customer_resources("admin", c, limit=2, offset=1, now=now)
    assert [r.id for r in tail.items] == seen[1:3]
    # Filters keep what they say; sorts order as they say.
    for kind in ("yearly_monthly", "pay_per_use", "reserved_instance", "savings_plan"):
        some = desk.customer_resources("admin", c, kinds=[kind], limit=1000, now=now)
        assert all(r.kind == kind for r in some.items)
        assert some.total == sum(r.kind == kind for r in every.items)
    soon = desk.customer_resources("admin", c, expiring_within_days=30, limit=1000, now=now)
    horizon = now + datetime.timedelta(days=30)
    assert all(r.expires_at is not None and r.expires_at <= horizon for r in soon.items)
    newest = desk.customer_resources("admin", c, sort="newest_first", limit=1000, now=now)
    starts = [r.starts_at for r in newest.items]
    assert starts == sorted(starts, reverse=True)
    # Records compare and hash by value.
    again = desk.customer_resources("admin", c, limit=1000, now=now)
    assert again == every and hash(again) == hash(every)
    assert again.items[0] == every.items[0] and hash(again.items[0]) == hash(every.items[0])


def test_spend_details_sum_to_the_month_in_every_grouping() -> None:
    desk, now = demo()
    c = spender(desk, now)
    mtd = desk.spend_summary("admin", customer=c, now=now).month_to_date
    records = desk.spend_details("admin", c, month(now), limit=1000)
    assert records.total == len(records.items) > 0
    for group in ("record", "product", "day", "charging_mode"):
        page = desk.spend_details("admin", c, month(now), group=group, limit=1000)
        assert sum((l.amount.amount for l in page.items), decimal.Decimal(0)) == mtd.amount
        assert sum(l.records for l in page.items) == records.total
        for line in page.items:
            assert (line.day is not None) == (group in ("record", "day"))
            assert (line.product is not None) == (group in ("record", "product"))
            assert (line.mode is not None) == (group in ("record", "charging_mode"))
    by_product = desk.spend_details("admin", c, month(now), group="product", limit=1000).items
    assert [l.amount.amount for l in by_product] == sorted((l.amount.amount for l in by_product), reverse=True)


def test_a_bad_option_is_a_typed_error_naming_it() -> None:
    desk, now = demo()
    c = orders_of(desk, now)
    cases: list[tuple[Callable[[], object], type[partnerdesk.PartnerDeskError], str]] = [
        (lambda: desk.customer_orders("admin", c, scope="Unpaid"), partnerdesk.InvalidArgumentError, "scope"),  # type: ignore[arg-type]
        (lambda: desk.customer_resources("admin", c, kinds=["monthly"], now=now), partnerdesk.InvalidArgumentError, "kinds"),
        (lambda: desk.customer_resources("admin", c, statuses=["asleep"], now=now), partnerdesk.InvalidArgumentError, "statuses"),
        (lambda: desk.customer_resources("admin", c, sort="cheapest", now=now), partnerdesk.InvalidArgumentError, "sort"),  # type: ignore[arg-type]
        (lambda: desk.spend_details("admin", c, "2026-13"), partnerdesk.InvalidDateError, "month"),
        (lambda: desk.spend_details("admin", c, month(now), group="weekly"), partnerdesk.InvalidArgumentError, "group"),  # type: ignore[arg-type]
        (lambda: desk.customer_orders("admin", c, offset=1, cursor="x"), partnerdesk.InvalidArgumentError, "offset"),
        (lambda: desk.export_detail_to_buffer("admin", "bills", c, now=now), partnerdesk.InvalidArgumentError, "list"),  # type: ignore[arg-type]
        (lambda: desk.export_detail_to_buffer("admin", "orders", c, format="pdf", now=now), partnerdesk.InvalidArgumentError, "format"),  # type: ignore[arg-type]
        (lambda: desk.export_detail_to_buffer("admin", "orders", c, format="xlsx", bom=True, now=now), partnerdesk.InvalidArgumentError, "bom"),
        (lambda: desk.export_detail_to_buffer("admin", "spend", c, now=now), partnerdesk.InvalidArgumentError, "month"),
        (lambda: desk.export_detail_to_buffer("admin", "resources", c, kinds=["monthly"], now=now), partnerdesk.InvalidArgumentError, "kinds"),
        (lambda: desk.renewals_page("admin", -1, now=now), partnerdesk.InvalidArgumentError, "days"),
        (lambda: desk.renewals_page("admin", 10**12, now=now), partnerdesk.InvalidArgumentError, "days"),
        (lambda: desk.customer_resources("admin", c, expiring_within_days=-7, now=now), partnerdesk.InvalidArgumentError, "expiring_within_days"),
        (lambda: desk.export_detail_to_buffer("admin", "resources", c, expiring_within_days=40000, now=now), partnerdesk.InvalidArgumentError, "expiring_within_days"),
    ]
    jobs = len(desk.exports)
    for call, error, field in cases:
        with pytest.raises(error) as e:
            call()
        assert getattr(e.value, "field") == field, (field, e.value)
    assert len(desk.exports) == jobs
    with pytest.raises(partnerdesk.InvalidPageError):
        desk.customer_orders("admin", c, limit=0)
    with pytest.raises(partnerdesk.InvalidCursorError):
        desk.customer_orders("admin", c, cursor="not-a-cursor")
    with pytest.raises(partnerdesk.CustomerNotFoundError):
        desk.customer_orders("admin", "c" * 20)


def test_an_operator_without_view_spend_sees_orders_but_not_spend() -> None:
    desk, now = demo()
    desk.add_operator("viewer", "Viewer", permissions=[VIEW_CUSTOMERS, VIEW_RESELLER_CUSTOMERS])
    c = spender(desk, now)
    assert desk.customer_orders("viewer", c).total == desk.order_overview("admin", customer=c).all
    assert desk.customer_resources("viewer", c, now=now).total >= 0
    with pytest.raises(partnerdesk.PermissionDeniedError) as e:
        desk.spend_details("viewer", c, month(now))
    assert e.value.code == "PERMISSION_DENIED" and e.value.item == "PD_VIEW_SPEND"
    jobs = len(desk.exports)
    with pytest.raises(partnerdesk.PermissionDeniedError):
        desk.export_detail_to_buffer("viewer", "spend", c, month=month(now), now=now)
    assert len(desk.exports) == jobs
    denied = [r for r in desk.audit_log(kind="export_detail") if not r.allowed]
    assert [r.denied_code for r in denied] == ["PERMISSION_DENIED"]
    # The detail export is not administrator-only: the viewer exports the orders it sees.
    job = desk.export_detail_to_buffer("viewer", "orders", c, now=now)
    assert job.count(b"\r\n") == desk.customer_orders("viewer", c).total + 1
    intern = Desk.from_snapshot_json(desk.to_snapshot_json())
    intern.add_operator("intern", "Intern")
    with pytest.raises(partnerdesk.PermissionDeniedError):
        intern.customer_orders("intern", c)
    with pytest.raises(partnerdesk.PermissionDeniedError):
        intern.renewals_page("intern", 30, now=now)


def test_csv_and_xlsx_exports_read_back_and_are_jobs(tmp_path: pathlib.Path) -> None:
    desk, now = demo()
    c = resources_of(desk, now)
    page = desk.customer_resources("admin", c, limit=1000, now=now)
    calls: list[tuple[int, int]] = []
    path = tmp_path / "resources.csv"
    job = desk.export_detail_to_file(
        "admin", path, "resources", c, progress=lambda d, t: calls.append((d, t)), now=now
    )
    assert job.status == "completed" and job.selection == "detail" and job.format == "csv"
    assert job.rows == job.total == page.total
    assert calls[0] == (0, page.total) and calls[-1] == (page.total, page.total)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["Resource ID", "Name", "Kind"]
    assert [r[0] for r in rows[1:]] == [r.id for r in page.items]
    assert [r[2] for r in rows[1:]] == [r.kind for r in page.items]
    # Spend with a byte-order mark, orders unpaid; a named XLSX.
    spend = desk.export_detail_to_buffer("admin", "spend", c, month=month(now), group="day", bom=True, now=now)
    assert spend.startswith(b"\xef\xbb\xbf")
    days = desk.spend_details("admin", c, month(now), group="day", limit=1000)
    assert spend.count(b"\r\n") == days.total + 1
    xlsx = desk.export_detail_to_buffer(
        "admin", "orders", c, format="xlsx", scope="unpaid", file_name="unpaid.xlsx", now=now
    )
    assert xlsx[:2] == b"PK"
    jobs = desk.exports[-3:]
    assert [j.selection for j in jobs] == ["detail"] * 3
    assert [j.format for j in jobs] == ["csv", "csv", "xlsx"]
    assert jobs[2].file_name == "unpaid.xlsx" and jobs[2].total == desk.customer_orders("admin", c, scope="unpaid").total
    assert jobs[0].file_name.startswith("resources-") and jobs[0].file_name.endswith(".csv")
    # A customer-list job says so.
    desk.export_to_buffer("admin", ids=[c], now=now)
    assert desk.exports[-1].selection == "ids"
    desk.export_to_buffer("admin", query="assoc=reseller", now=now)
    assert desk.exports[-1].selection == "query"
    # A detail job downloads again, to a path or a file object.
    out = io.BytesIO()
    assert desk.download_export("admin", job.id, out, now=now) == page.total
    assert out.getvalue() == path.read_bytes()
    again = tmp_path / "again.csv"
    assert desk.download_export("admin", job.id, again, now=now) == page.total
    assert again.read_bytes() == path.read_bytes()
    assert len(desk.exports) == 5  # a download is no new job


def test_a_cancelled_or_refused_detail_export_leaves_the_file_and_the_desk(tmp_path: pathlib.Path) -> None:
    desk, now = demo()
    c = resources_of(desk, now)
    path = tmp_path / "keep.csv"
    path.write_bytes(b"precious")
    with pytest.raises(partnerdesk.ExportCancelledError):
        desk.export_detail_to_file("admin", path, "resources", c, progress=lambda d, t: False, now=now)
    assert path.read_bytes() == b"precious"
    assert desk.exports[-1].status == "cancelled" and desk.exports[-1].selection == "detail"
    with pytest.raises(partnerdesk.CustomerNotFoundError):
        desk.export_detail_to_file("admin", path, "orders", "c" * 20, now=now)
    assert path.read_bytes() == b"precious"
    assert len(desk.exports) == 1


def test_a_detail_export_callback_may_not_use_the_desk() -> None:
    """The core writes a detail list in one change: the desk stays locked for writing until it
    ends, so the callback's read is refused (RuntimeError) instead of waiting forever."""
    desk, now = demo()
    c = orders_of(desk, now)

    def reads(done: int, total: int) -> bool:
        desk.count(now=now)
        return True

    with pytest.raises(partnerdesk.ExportCancelledError) as e:
        desk.export_detail_to_buffer("admin", "orders", c, progress=reads, now=now)
    assert isinstance(e.value.__cause__, RuntimeError)
    assert desk.exports[-1].status == "cancelled"

    def changes(done: int, total: int) -> bool:
        desk.roll_to(now=now)
        return True

    with pytest.raises(partnerdesk.ExportCancelledError) as e:
        desk.export_detail_to_buffer("admin", "orders", c, progress=changes, now=now)
    assert isinstance(e.value.__cause__, RuntimeError)
    # Afterwards the desk reads and changes as before.
    assert desk.count(now=now) > 0
    desk.roll_to(now=now)


def test_a_detail_export_is_committed_on_a_durable_desk(tmp_path: pathlib.Path) -> None:
    desk, now = demo()
    c = orders_of(desk, now)
    location = tmp_path / "desk.db"
    desk.save_to(location)
    job = desk.export_detail_to_file("admin", tmp_path / "orders.csv", "orders", c, now=now)
    desk.export_detail_to_buffer("admin", "resources", c, format="xlsx", now=now)
    reopened = partnerdesk.open(location)
    assert [(j.id, j.selection, j.rows) for j in reopened.exports] == [
        (j.id, j.selection, j.rows) for j in desk.exports
    ]
    assert reopened.exports[0] == job and reopened.exports[0].selection == "detail"
    out = io.BytesIO()
    assert reopened.download_export("admin", job.id, out, now=now) == job.rows
    assert out.getvalue() == (tmp_path / "orders.csv").read_bytes()
    kinds = [r.kind for r in reopened.audit_log(kind="export_detail")]
    assert len(kinds) == 2


def test_other_threads_read_beside_detail_exports_without_deadlock() -> None:
    """Reads wait for the lock with the GIL released: an export holding the write lock and
    calling back into Python (progress) never waits for a reader holding the GIL."""
    desk, now = demo()
    c = resources_of(desk, now)
    expected = desk.customer_resources("admin", c, limit=1000, now=now)
    stop = threading.Event()
    seen: list[int] = []
    failures: list[BaseException] = []

    def reader() -> None:
        try:
            while not stop.is_set():
                seen.append(desk.customer_resources("admin", c, limit=1000, now=now).total)
                desk.renewals_page("admin", 30, now=now)
        except BaseException as e:  # reported below
            failures.append(e)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for _ in range(20):
            desk.export_detail_to_buffer("admin", "resources", c, progress=lambda d, t: True, now=now)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not failures and not any(t.is_alive() for t in threads)
    assert seen and set(seen) == {expected.total}
    assert [j.status for j in desk.exports] == ["completed"] * 20
