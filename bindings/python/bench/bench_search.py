"""One search on the 100k demo portfolio: the binding vs pure Python vs pandas / polars.

Not a test and not timed in CI. Run it against a release build (see run.sh next to it):

    bindings/python/bench/run.sh            # builds a release wheel into target/bench-venv
    python bindings/python/bench/bench_search.py [--customers 100000] [--repeat 30]

The query is the quick start's: resellers' customers with month-to-date spend >= 1000 tagged
vip or gold, sorted by month-to-date spend descending, the first page of 5 rows plus the total.
Every contender answers the same question from the same data and must return the same ids and
total (checked before timing). The baselines get the data already in their own shape (a list of
dicts, a DataFrame); building it is not timed. pandas and polars run only if installed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import partnerdesk

QUERY = "assoc=reseller and mtd>=1000 and (tag:vip or tag:gold)"
LIMIT = 5


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    """Best wall time of `repeat` runs, in seconds (after one warm-up run)."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()

    t = time.perf_counter()
    desk, now = partnerdesk.demo_portfolio(args.customers, seed=args.seed)
    print(f"demo portfolio: {len(desk)} customers in {time.perf_counter() - t:.2f}s")

    # The same data for the baselines: one dict per (associated) customer.
    records = [
        {
            "id": r.id,
            "assoc": r.association_type,
            "mtd": r.month_to_date.amount,
            "tags": set(r.tags),
        }
        for r in desk.iter_search(now=now, page_size=1000)
    ]
    vip_gold = {"vip", "gold"}
    threshold = Decimal(1000)

    def binding() -> tuple[list[str], int]:
        page = desk.search(QUERY, sort="mtd", descending=True, limit=LIMIT, now=now)
        return [r.id for r in page], page.total

    def pure_python() -> tuple[list[str], int]:
        hits = [
            r
            for r in records
            if r["assoc"] == "reseller" and r["mtd"] >= threshold and r["tags"] & vip_gold
        ]
        hits.sort(key=lambda r: (-r["mtd"], r["id"]))
        return [r["id"] for r in hits[:LIMIT]], len(hits)

    contenders: dict[str, Callable[[], tuple[list[str], int]]] = {
        "partnerdesk (binding)": binding,
        "pure Python (list of dicts)": pure_python,
    }

    try:
        import polars as pl

        pdf = pl.DataFrame(
            {
                "id": [r["id"] for r in records],
                "assoc": [r["assoc"] for r in records],
                "mtd": [r["mtd"] for r in records],  # polars Decimal column: exact, like ours
                "tags": [sorted(r["tags"]) for r in records],
            }
        )

        def polars_query() -> tuple[list[str], int]:
            hits = pdf.filter(
                (pl.col("assoc") == "reseller")
                & (pl.col("mtd") >= threshold)
                & (pl.col("tags").list.contains("vip") | pl.col("tags").list.contains("gold"))
            )
            top = hits.sort(["mtd", "id"], descending=[True, False]).head(LIMIT)
            return top["id"].to_list(), hits.height

        contenders[f"polars {pl.__version__}"] = polars_query
    except ImportError:
        print("polars not installed: skipped")

    try:
        import pandas as pd

        df = pd.DataFrame(
            {
                "id": [r["id"] for r in records],
                "assoc": [r["assoc"] for r in records],
                "mtd": [float(r["mtd"]) for r in records],  # pandas has no fast exact decimal
                "vip_or_gold": [bool(r["tags"] & vip_gold) for r in records],
            }
        )

        def pandas_query() -> tuple[list[str], int]:
            hits = df[(df["assoc"] == "reseller") & (df["mtd"] >= 1000.0) & df["vip_or_gold"]]
            top = hits.sort_values(["mtd", "id"], ascending=[False, True]).head(LIMIT)
            return top["id"].tolist(), len(hits)

        contenders[f"pandas {pd.__version__} (float64, tags pre-flattened)"] = pandas_query
    except ImportError:
        print("pandas not installed: skipped")

    expected = binding()
    for name, fn in contenders.items():
        got = fn()
        if got != expected:
            print(f"{name} disagrees: {got} != {expected}", file=sys.stderr)
            return 1
    print(f"query: {QUERY!r}, sorted by mtd desc, first {LIMIT} rows; total {expected[1]}")

    times = {name: best_of(fn, args.repeat) for name, fn in contenders.items()}
    ours = times["partnerdesk (binding)"]
    print(f"{'contender':<52} {'best of ' + str(args.repeat):>12} {'vs binding':>11}")
    for name, secs in times.items():
        print(f"{name:<52} {secs * 1e3:>10.3f}ms {secs / ours:>10.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
