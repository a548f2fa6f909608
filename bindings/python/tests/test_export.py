"""Export through the binding: to a path or a binary file object, progress (also with a real
tqdm bar), cancellation from the callback, write failures, download again, the job history."""

from __future__ import annotations

import csv
import datetime
import io
import pathlib
import threading
import time

import pytest

import partnerdesk


@pytest.fixture()
def fresh() -> tuple[partnerdesk.Desk, datetime.datetime]:
    return partnerdesk.demo_portfolio(500, seed=42)


def test_export_to_file_object_with_progress(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    calls: list[tuple[int, int]] = []
    buf = io.BytesIO()
    job = desk.export("admin", buf, query="tag:vip", sort="-mtd", progress=lambda d, t: calls.append((d, t)), now=now)
    expected = desk.count("tag:vip", now=now)
    assert (job.status, job.rows, job.total, job.format) == ("completed", expected, expected, "csv")
    assert job.id.startswith("exp_") and job.file_name.endswith(".csv") and job.at == now
    rows = list(csv.reader(io.StringIO(buf.getvalue().decode("utf-8"))))
    assert rows[0][0] == "Customer ID" and len(rows) == expected + 1
    top = desk.search("tag:vip", sort="-mtd", limit=3, now=now)
    assert [r[0] for r in rows[1:4]] == [r.id for r in top]
    assert calls and calls[-1] == (expected, expected)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert desk.exports == [job]
    assert desk.audit_log(kind="export")[-1].allowed


def test_export_to_path_ids_columns_bom(fresh: tuple[partnerdesk.Desk, datetime.datetime], tmp_path: pathlib.Path) -> None:
    desk, now = fresh
    some = [r.id for r in desk.search(limit=4, now=now)]
    out = tmp_path / "four.csv"
    job = desk.export("admin", out, ids=some, columns=["customer_id", "month_to_date"], bom=True, file_name="four.csv", now=now)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == 5 and lines[0].count(",") == 1
    assert job.columns == ["customer_id", "month_to_date"] and job.file_name == "four.csv"
    xlsx = tmp_path / "all.xlsx"
    job = desk.export("admin", str(xlsx), format="xlsx", now=now)
    assert xlsx.read_bytes()[:2] == b"PK" and job.format == "xlsx"
    with pytest.raises(partnerdesk.InvalidArgumentError):
        desk.export("admin", io.BytesIO(), columns=["password"], now=now)
    with pytest.raises(ValueError):
        desk.export("admin", io.BytesIO(), ids=some, query="tag:vip", now=now)
    with pytest.raises(TypeError):
        desk.export("admin", 42, now=now)  # type: ignore[arg-type]


def test_export_with_tqdm(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    from tqdm import tqdm

    desk, now = fresh
    sink = io.StringIO()
    with tqdm(unit="rows", file=sink) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        job = desk.export("admin", io.BytesIO(), progress=progress, now=now)
        assert bar.n == job.rows == bar.total
    assert f"{job.rows}/{job.rows}" in sink.getvalue()


def test_cancel_from_progress(fresh: tuple[partnerdesk.Desk, datetime.datetime], tmp_path: pathlib.Path) -> None:
    desk, now = fresh
    out = tmp_path / "cancelled.csv"
    with pytest.raises(partnerdesk.ExportCancelledError) as e:
        desk.export("admin", out, progress=lambda done, total: False, now=now)
    assert e.value.code == "EXPORT_CANCELLED"
    assert not out.exists()  # no partial file is left behind
    job = desk.exports[-1]
    assert job.status == "cancelled" and job.rows < job.total and e.value.id == job.id

    class Boom(Exception):
        pass

    def explode(done: int, total: int) -> bool:
        raise Boom("stop")

    with pytest.raises(partnerdesk.ExportCancelledError) as e2:
        desk.export("admin", io.BytesIO(), progress=explode, now=now)
    assert isinstance(e2.value.__cause__, Boom)


def test_refused_or_cancelled_export_leaves_an_existing_file_as_it_was(
    fresh: tuple[partnerdesk.Desk, datetime.datetime], tmp_path: pathlib.Path
) -> None:
    """Issue #13 row 12: the file is written aside and renamed over the target only on success."""
    desk, now = fresh
    out = tmp_path / "report.csv"
    old = b"the previous report\r\n\x00\xff"
    out.write_bytes(old)
    # A non-administrator: refused before anything is written.
    with pytest.raises((partnerdesk.AdministratorOnlyError, partnerdesk.PermissionDeniedError)):
        desk.export("ops_billing", out, now=now)
    assert out.read_bytes() == old
    # A refused download (unknown job) and a refused request (unknown column).
    with pytest.raises(partnerdesk.ExportNotFoundError):
        desk.download_export("admin", "exp_999999", out, now=now)
    with pytest.raises(partnerdesk.InvalidArgumentError):
        desk.export("admin", out, columns=["password"], now=now)
    assert out.read_bytes() == old
    # Cancelled half-way, from the progress callback.
    with pytest.raises(partnerdesk.ExportCancelledError):
        desk.export("admin", out, progress=lambda done, total: done < 10, now=now)
    assert out.read_bytes() == old
    job = desk.exports[-1]
    assert job.status == "cancelled"
    with pytest.raises(partnerdesk.ExportCancelledError):
        desk.download_export("admin", job.id, out, progress=lambda done, total: False, now=now)
    assert out.read_bytes() == old
    # Nothing is left beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]
    # A completed export replaces it whole.
    job = desk.export("admin", out, now=now)
    assert job.status == "completed" and out.read_bytes().startswith(b"Customer ID")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_write_failure(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh

    class Full(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            raise OSError("disk full")

    with pytest.raises(partnerdesk.ExportWriteFailedError) as e:
        desk.export("admin", Full(), now=now)
    assert isinstance(e.value.__cause__, OSError) and "disk full" in str(e.value.__cause__)
    assert desk.exports[-1].status == "failed" and desk.exports[-1].failure_code == "EXPORT_WRITE_FAILED"


def test_refusals_and_download(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    with pytest.raises((partnerdesk.AdministratorOnlyError, partnerdesk.PermissionDeniedError)):
        desk.export("ops_billing", io.BytesIO(), now=now)
    assert not desk.audit_log(kind="export")[-1].allowed
    first = io.BytesIO()
    job = desk.export("admin", first, query="tag:gold", now=now)
    again = io.BytesIO()
    assert desk.download_export("admin", job.id, again, now=now) == job.rows
    assert again.getvalue() == first.getvalue()
    with pytest.raises(partnerdesk.ExportNotFoundError):
        desk.download_export("admin", "exp_999999", io.BytesIO(), now=now)


def test_callbacks_may_read_the_exported_desk_but_not_change_it(
    fresh: tuple[partnerdesk.Desk, datetime.datetime],
) -> None:
    desk, now = fresh
    want = desk.count("tag:vip", now=now)
    first = [r.id for r in desk.search(limit=3, now=now).rows]
    seen: list[tuple[int, list[str]]] = []

    def reading(done: int, total: int) -> None:
        # Reads of the desk being exported run beside the export (it holds a read lock).
        seen.append((desk.count("tag:vip", now=now), [r.id for r in desk.search(limit=3, now=now).rows]))

    job = desk.export("admin", io.BytesIO(), progress=reading, now=now)
    assert job.status == "completed"
    assert seen and all(s == (want, first) for s in seen)

    def changing(done: int, total: int) -> None:
        desk.set_pseudonym_key(None)  # a change of the desk being exported: refused, not a hang

    with pytest.raises(partnerdesk.ExportCancelledError) as e:
        desk.export("admin", io.BytesIO(), progress=changing, now=now)
    assert isinstance(e.value.__cause__, RuntimeError)
    assert "may read it but not change it" in str(e.value.__cause__)

    class Peeking(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            assert len(desk) > 0  # a read from the file object: fine
            return len(b)  # type: ignore[arg-type]

    assert desk.export("admin", Peeking(), now=now).status == "completed"

    class Changing(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            desk.set_pseudonym_key(None)
            return len(b)  # type: ignore[arg-type]

    with pytest.raises(partnerdesk.ExportWriteFailedError) as e2:
        desk.export("admin", Changing(), now=now)
    assert isinstance(e2.value.__cause__, RuntimeError)
    desk.set_pseudonym_key(None)  # usable again afterwards, changes included
    assert desk.count(now=now) > 0


def test_other_threads_read_while_an_export_writes() -> None:
    """Threads count and search the desk while another exports it: their reads run during the
    export's write phase (the exporting callback waits for them there), return what they return
    on an idle desk, and the export's bytes equal those of an export with no reader."""
    desk, now = partnerdesk.demo_portfolio(20_000, seed=7)
    want_count = desk.count("mtd>=0", now=now)
    want_page = desk.search("mtd>=0", sort="mtd", descending=True, limit=25, now=now)
    want_ids = [r.id for r in want_page.rows]
    alone = io.BytesIO()
    desk.export("admin", alone, now=now)
    reads: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                assert desk.count("mtd>=0", now=now) == want_count
                page = desk.search("mtd>=0", sort="mtd", descending=True, limit=25, now=now)
                assert [r.id for r in page.rows] == want_ids and page.total == want_page.total
                reads.append(1)
        except BaseException as e:  # reported below
            errors.append(e)

    during: list[int] = []
    changed = threading.Event()

    def change() -> None:
        desk.set_pseudonym_key(None)  # waits for the export's read lock, then runs
        changed.set()

    changer = threading.Thread(target=change)

    def progress(done: int, total: int) -> None:
        if done == 0:
            # Inside the write phase: wait (the GIL released) until the readers have read.
            start, deadline = len(reads), time.monotonic() + 20
            while len(reads) < start + 4 and time.monotonic() < deadline and not errors:
                time.sleep(0.001)
            during.append(len(reads) - start)
            changer.start()
            time.sleep(0.05)
        # A change from another thread waits while the rows stream.
        assert not changed.is_set()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    out = io.BytesIO()
    try:
        job = desk.export("admin", out, progress=progress, now=now)
    finally:
        stop.set()
        for t in threads:
            t.join()
        if changer.is_alive() or changed.is_set():
            changer.join()
    assert changed.is_set(), "the change ran once the export let go of the desk"
    assert not errors, errors
    assert during and during[0] >= 4, "reads ran during the export"
    assert job.status == "completed" and job.rows == desk.count(now=now)
    assert out.getvalue() == alone.getvalue()


def test_short_writes_are_retried(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh

    class Trickle(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            chunk = bytes(b)[:7]  # type: ignore[call-overload]
            self.data += chunk
            return len(chunk)

    whole, trickle = io.BytesIO(), Trickle()
    desk.export("admin", whole, query="tag:vip", now=now)
    desk.export("admin", trickle, query="tag:vip", now=now)
    assert bytes(trickle.data) == whole.getvalue()


def test_a_byte_order_mark_is_for_csv_only(fresh: tuple[partnerdesk.Desk, datetime.datetime], tmp_path: pathlib.Path) -> None:
    desk, now = fresh
    out = tmp_path / "book.xlsx"
    out.write_bytes(b"old")
    with pytest.raises(partnerdesk.InvalidArgumentError) as e:
        desk.export("admin", out, query="tag:vip", format="xlsx", bom=True, now=now)
    assert e.value.field == "bom"
    assert out.read_bytes() == b"old" and desk.exports == []
    job = desk.export("admin", out, query="tag:vip", format="xlsx", now=now)
    assert job.format == "xlsx" and out.read_bytes()[:2] == b"PK"
