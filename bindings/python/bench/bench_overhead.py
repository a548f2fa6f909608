"""What a Python call adds over the Rust call for a page of 20 rows (issue #18 item 6).

Not a test and not timed in CI. Run it with benches/binding_overhead.sh, which first times the
same work in Rust (criterion, `benches/benches/binding_overhead.rs`), builds the release wheel,
then runs this script with `--rust` pointing at criterion's results, so that both figures
print side by side:

    benches/binding_overhead.sh python

Each case is one call of the binding, timed over `--calls` calls in a loop with
`time.perf_counter_ns` (the per-call mean of the loop); the loops of every case take turns,
`--runs` times, and the figure is the median of the runs. Criterion's figure is its median per
call. The cases are those of the Rust benchmark, on the same 100k demo desk (seed 42) at the
demo's `now`, first page of 20 rows:

- `q5`: `assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)`, sorted by mtd descending;
- `q1`: `manager=am_001 and mtd>=100 and mtd<=5000`, by mtd descending (86 matches: a cheap
  search, so the overhead stands out);

each as `rows` (`desk.search`, a `Page` of rows) or `ids` (`desk.search_ids`), with the filter
given as `text` (parsed on each call, as in Rust) or as a built `query` (`partnerdesk.Query`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import partnerdesk

Q1 = "manager=am_001 and mtd>=100 and mtd<=5000"
Q5 = "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)"
LIMIT = 20
GOAL_US = 2.0


def rust_median_us(folder: str | None, case: str) -> float | None:
    """Criterion's median for `case` in microseconds, if its results are in `folder`."""
    if not folder:
        return None
    path = os.path.join(folder, "binding_overhead", case, "new", "estimates.json")
    try:
        with open(path, encoding="utf-8") as f:
            return float(json.load(f)["median"]["point_estimate"]) / 1e3
    except (OSError, KeyError, ValueError):
        return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--calls", type=int, default=500, help="calls per timed loop of the cheap (q1) cases")
    ap.add_argument("--rust", help="criterion's output folder (CARGO_TARGET_DIR/criterion)")
    args = ap.parse_args()

    desk, now = partnerdesk.demo_portfolio(args.customers, seed=args.seed)
    q5 = partnerdesk.Query.parse(Q5)
    q1 = partnerdesk.Query.parse(Q1)
    search = desk.search
    search_ids = desk.search_ids

    cases: dict[str, Callable[[], Any]] = {
        "q5_rows_text": lambda: search(Q5, sort="mtd", descending=True, limit=LIMIT, now=now),
        "q5_ids_text": lambda: search_ids(Q5, sort="mtd", descending=True, limit=LIMIT, now=now),
        "q5_rows_query": lambda: search(q5, sort="mtd", descending=True, limit=LIMIT, now=now),
        "q5_ids_query": lambda: search_ids(q5, sort="mtd", descending=True, limit=LIMIT, now=now),
        "q1_rows_text": lambda: search(Q1, sort="mtd", descending=True, limit=LIMIT, now=now),
        "q1_ids_text": lambda: search_ids(Q1, sort="mtd", descending=True, limit=LIMIT, now=now),
        "q1_rows_query": lambda: search(q1, sort="mtd", descending=True, limit=LIMIT, now=now),
        "q1_ids_query": lambda: search_ids(q1, sort="mtd", descending=True, limit=LIMIT, now=now),
    }
    for name, fn in cases.items():
        page = fn()
        ids = page.ids
        if len(ids) != LIMIT:
            print(f"{name}: {len(ids)} rows, expected {LIMIT}", file=sys.stderr)
            return 1
        print(f"{name}: {len(ids)} of {page.total} matches")

    # The q5 searches take ~100 us: fewer calls per loop keep each loop near the same length.
    calls = {name: max(args.calls // 5, 20) if name.startswith("q5") else args.calls for name in cases}
    per_call: dict[str, list[float]] = {name: [] for name in cases}
    for name, fn in cases.items():  # warm-up
        for _ in range(calls[name] // 10):
            fn()
    for _ in range(args.runs):
        for name, fn in cases.items():
            n = calls[name]
            t = time.perf_counter_ns()
            for _ in range(n):
                fn()
            per_call[name].append((time.perf_counter_ns() - t) / n / 1e3)

    print(
        f"\n{args.customers} customers, first page of {LIMIT} rows; Python {sys.version.split()[0]}, "
        f"median of {args.runs} runs; load average {os.getloadavg()[0]:.2f}"
    )
    print(f"{'case':<16} {'Rust':>10} {'Python':>10} {'overhead':>10}  (goal <= {GOAL_US} us)")
    # The verdict reads the q1 cases: q5's search (~0.2-0.4 ms) moves by more than the goal
    # from one run to the next on a shared machine, so its difference is shown, not judged.
    worst = 0.0
    for name in cases:
        py_us = statistics.median(per_call[name])
        rust_us = rust_median_us(args.rust, name)
        if rust_us is None:
            print(f"{name:<16} {'-':>10} {py_us:>8.2f}us {'-':>10}")
            continue
        over = py_us - rust_us
        if name.startswith("q1"):
            worst = max(worst, over)
        print(f"{name:<16} {rust_us:>8.2f}us {py_us:>8.2f}us {over:>8.2f}us")
    if args.rust:
        print(f"largest q1 overhead: {worst:.2f} us ({'met' if worst <= GOAL_US else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
