#!/usr/bin/env python3
"""Prints the search benchmark table (medians and ratios) from criterion's saved estimates.

Run after `cargo bench -p partnerdesk-benches --bench search`:
    python3 benches/report.py [target/criterion]
"""
import json
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "target", "criterion")


def median_ns(group, contender, size):
    path = os.path.join(root, group, contender, str(size), "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except OSError:
        return None


def fmt(ns):
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


rows = []
for group in sorted(os.listdir(root)):
    m = re.fullmatch(r"(Q\d)_(.+)_(\d+)", group)
    if not m:
        continue
    q, name, size = m.group(1), m.group(2), int(m.group(3))
    ours, sqlite, naive = (median_ns(group, c, size) for c in ("partnerdesk", "sqlite", "naive"))
    rows.append((q, size, name, ours, sqlite, naive))

print("| query | customers | partnerdesk | SQLite (indexed) | naive scan | vs SQLite | vs naive |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for q, size, name, ours, sqlite, naive in sorted(rows, key=lambda r: (r[0], r[1])):
    ratio = lambda other: f"{other / ours:.1f}x" if ours and other else "-"
    print(f"| {q} {name.replace('_', ' ')} | {size:,} | {fmt(ours)} | {fmt(sqlite)} | {fmt(naive)} | {ratio(sqlite)} | {ratio(naive)} |")
