"""Long calls release the GIL: another Python thread makes progress during a long search, a
load and a demo build; the desk can be searched from several threads at once; iterators keep
their desk alive."""

from __future__ import annotations

import datetime
import gc
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import partnerdesk


@pytest.fixture(scope="module")
def big() -> tuple[partnerdesk.Desk, datetime.datetime]:
    return partnerdesk.demo_portfolio(20_000, seed=3)


def ticks_during(call: Callable[[], Any]) -> tuple[float, int]:
    """Runs `call` on this thread while another thread records timestamps as fast as it can.
    Returns the call's duration and how many timestamps fall well inside it. If the call held
    the GIL, the other thread could not run a single bytecode meanwhile: zero."""
    stop = threading.Event()
    ticks: list[float] = []

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())

    th = threading.Thread(target=ticker)
    th.start()
    try:
        while not ticks:  # the ticker runs
            time.sleep(0.001)
        start = time.perf_counter()
        call()
        end = time.perf_counter()
    finally:
        stop.set()
        th.join()
    margin = 0.005
    return end - start, sum(1 for t in ticks if start + margin < t < end - margin)


def test_another_thread_progresses_during_a_long_search(big: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = big
    later = now + datetime.timedelta(days=40)  # another billing month: no index, a full scan
    took, inside = ticks_during(lambda: desk.search("mtd>=0", sort="-mtd", limit=10, offset=10_000, now=later))
    assert took > 0.02, f"the search was too short to tell ({took:.3f}s)"
    assert inside > 100, f"only {inside} ticks of the other thread during a {took:.3f}s search"


def test_another_thread_progresses_during_load_and_demo() -> None:
    desk, _ = partnerdesk.demo_portfolio(1500, seed=9)
    text = desk.to_snapshot_json()
    took, inside = ticks_during(lambda: partnerdesk.Desk.from_snapshot_json(text))
    assert took > 0.02 and inside > 100
    took, inside = ticks_during(lambda: partnerdesk.demo_portfolio(1500, seed=9))
    assert took > 0.02 and inside > 100


def test_another_thread_progresses_during_an_export(big: tuple[partnerdesk.Desk, datetime.datetime], tmp_path: Any) -> None:
    desk, now = big
    took, inside = ticks_during(lambda: desk.export("admin", tmp_path / "all.csv", now=now))
    assert took > 0.02 and inside > 100


def test_parallel_searches_agree(big: tuple[partnerdesk.Desk, datetime.datetime]) -> None:
    desk, now = big
    queries = ["tag:vip", "mtd>=500", "assoc=referral", "frozen=true", "expires<=30d"] * 4
    expected = [desk.search(q, sort="-mtd", limit=20, now=now) for q in queries]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda q: desk.search(q, sort="-mtd", limit=20, now=now), queries))
    assert got == expected


def test_iterator_keeps_its_desk_alive() -> None:
    desk, now = partnerdesk.demo_portfolio(300, seed=5)
    expected = desk.count(now=now)
    it = desk.iter_search(now=now, page_size=10)
    del desk
    gc.collect()
    assert sum(1 for _ in it) == expected
