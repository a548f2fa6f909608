"""Search latency from other threads while an export streams (issue #17, item 4).

Not a test and not run in CI. Run it against a release build of the wheel (run.sh next to it
builds one into a scratch venv; `maturin develop --release` into a venv of your own works too):

    python bindings/python/bench/export_concurrency.py [--customers 1000000] [--samples 400]

It builds the demo portfolio, then measures one page (20 rows, by month-to-date spend,
descending) of a four-criteria search, `assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)
and expires<=30d`, from 2 threads searching back to back:

1. idle: nothing else runs;
2. during an export: a third thread runs CSV exports of every customer (the administrator,
   no query: every associated customer, every default column) to a file in a scratch folder,
   one after another, until the searching threads have their samples. Only searches that
   start while an export runs count.

It prints p50 / p99 / max of both, their ratio, the export's time and rows, and the load
average. The goal (issue #17) is p99 during an export at most twice the idle p99; the exit
status is 1 when it is missed, so the script can be used to check it by hand.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import partnerdesk

QUERY = "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold) and expires<=30d"
LIMIT = 20
THREADS = 2


def percentile(samples: list[float], p: float) -> float:
    """The `p` quantile (0..1) of `samples`, nearest rank."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(p * len(ordered) + 0.5) - 1))
    return ordered[rank]


def describe(name: str, samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (
        f"{name:<15} n={len(ms):>5}  p50 {percentile(ms, 0.50):7.2f} ms  "
        f"p99 {percentile(ms, 0.99):7.2f} ms  max {max(ms):7.2f} ms  "
        f"mean {statistics.fmean(ms):7.2f} ms  over 1 s: {sum(1 for m in ms if m > 1000)}"
    )


def searcher(
    desk: partnerdesk.Desk,
    now: object,
    samples: int,
    out: list[float],
    counting: threading.Event | None,
    start: threading.Barrier,
) -> None:
    """Searches back to back; keeps `samples` latencies (only while `counting` is set, if given)."""
    start.wait()
    while len(out) < samples:
        live = counting is None or counting.is_set()
        t = time.perf_counter()
        page = desk.search(QUERY, sort="mtd", descending=True, limit=LIMIT, now=now)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - t
        if not page.rows:
            raise SystemExit("the search returned no rows: nothing would be measured")
        if live and (counting is None or counting.is_set()):
            out.append(elapsed)


def run(desk: partnerdesk.Desk, now: object, samples: int, counting: threading.Event | None,
        before_start: threading.Barrier | None = None) -> list[float]:
    """Latencies of `samples` searches from each of the searching threads."""
    outs: list[list[float]] = [[] for _ in range(THREADS)]
    start = before_start or threading.Barrier(THREADS + 1)
    threads = [
        threading.Thread(target=searcher, args=(desk, now, samples, outs[i], counting, start))
        for i in range(THREADS)
    ]
    for t in threads:
        t.start()
    if before_start is None:
        start.wait()
    for t in threads:
        t.join()
    return [s for o in outs for s in o]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--samples", type=int, default=400, help="searches per thread and phase")
    args = ap.parse_args()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"{os.cpu_count()} cores, partnerdesk {partnerdesk.version()}")
    t = time.perf_counter()
    desk, now = partnerdesk.demo_portfolio(args.customers, seed=args.seed)
    print(f"demo portfolio: {len(desk)} customers in {time.perf_counter() - t:.1f} s")
    first = desk.search(QUERY, sort="mtd", descending=True, limit=LIMIT, now=now)
    print(f"query: {QUERY!r}: {first.total} match, pages of {len(first.rows)} rows")

    # Warm-up, then idle.
    run(desk, now, 20, None)
    idle = run(desk, now, args.samples, None)

    # During exports.
    counting = threading.Event()
    stop = threading.Event()
    exports: list[tuple[float, int]] = []
    failure: list[BaseException] = []
    start = threading.Barrier(THREADS + 1)

    with tempfile.TemporaryDirectory(prefix="pd-export-bench-") as scratch:
        target = Path(scratch) / "customers.csv"

        def exporter() -> None:
            start.wait()
            try:
                while not stop.is_set():
                    t = time.perf_counter()
                    counting.set()
                    job = desk.export("admin", target, now=now)
                    counting.clear()
                    exports.append((time.perf_counter() - t, job.rows))
            except BaseException as e:  # reported below
                counting.clear()
                failure.append(e)
                stop.set()

        ex = threading.Thread(target=exporter)
        ex.start()
        busy = run(desk, now, args.samples, counting, before_start=start)
        stop.set()
        ex.join()
        size = target.stat().st_size if target.exists() else 0
    if failure:
        raise failure[0]

    print(describe("idle", idle))
    print(describe("during export", busy))
    secs = [e[0] for e in exports]
    print(f"exports: {len(exports)} of {exports[0][1]} rows each, {size / 1e6:.0f} MB CSV, "
          f"{min(secs):.1f}-{max(secs):.1f} s each")
    ratio = percentile(busy, 0.99) / percentile(idle, 0.99)
    print(f"p99 during export / idle p99: {ratio:.2f} (goal: at most 2)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ratio <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
