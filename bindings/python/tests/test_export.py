"""Export through the binding: to a path or a binary file object, progress (also with a real
tqdm bar), cancellation from the callback, write failures, download again, the job history."""

from __future__ import annotations

import csv
import datetime
import io
import pathlib

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


def test_callbacks_may_not_reenter_the_exported_desk(fresh: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = fresh
    other, _ = partnerdesk.demo_portfolio(50, seed=1)
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(other.count(now=now))  # another desk: fine
        desk.count(now=now)  # the desk being exported: refused, not a hang

    with pytest.raises(partnerdesk.ExportCancelledError) as e:
        desk.export("admin", io.BytesIO(), progress=progress, now=now)
    assert isinstance(e.value.__cause__, RuntimeError) and seen

    class Peeking(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            len(desk)
            return 0

    with pytest.raises(partnerdesk.ExportWriteFailedError) as e2:
        desk.export("admin", Peeking(), now=now)
    assert isinstance(e2.value.__cause__, RuntimeError)
    assert desk.count(now=now) > 0  # usable again afterwards


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
