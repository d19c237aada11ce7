"""Benchmark: where an uncached public search spends its time, by kind of search.

    .venv/bin/python bench/search_classes.py [--practitioners 100k|1M] [--sqlite|--postgres URL]
        [--reuse]          (BENCH_SEARCHES=3000, BENCH_SEARCH_PATH=/api/v1/practitioners or /)

In one process, through the app's test client (no server, no network): BENCH_SEARCHES of
``lookup.py``'s varied queries (each asked once, so the answer cache serves none), grouped by
kind: "name3" a one-word name prefix of 3 letters (up to "name6" for 6 or more), "two"
"given family" prefixes, "num" a registration-number prefix, then the filters beside it
(":jurisdiction,modality" is a province and "may perform" without a name). For each kind: how
many, the mean, median and slowest time, and its share of all the time; then the mean of all
and ``/healthz`` through the same client (the baseline). Times are wall-clock and include
Flask, the rate limiter and the JSON or HTML; the first 50 queries warm the caches.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import urllib.parse
from collections import defaultdict

os.environ["PUBLIC_RATE_LIMIT"] = "100000000 per minute"  # measure the search, not the limiter

from common import app_for, arguments, label, prepared, run_each  # noqa: E402
from lookup import varied_queries  # noqa: E402

WARM = 50


def kind(query: str) -> str:
    args = dict(urllib.parse.parse_qsl(query))
    filters = ",".join(sorted(k for k in args if k not in ("q", "page")))
    q = args.get("q", "")
    if not q:
        name = ""
    elif any(ch.isdigit() for ch in q):
        name = "num"
    elif " " in q.strip():
        name = "two"
    else:
        name = f"name{min(len(q), 6)}"
    return f"{name}:{filters}"


def run_target(target: str, folder, args) -> dict:
    url = prepared(target, folder, args.practitioners, args.reuse)
    client = app_for(url).test_client()
    path = os.environ.get("BENCH_SEARCH_PATH", "/api/v1/practitioners")
    queries = varied_queries(args.practitioners)
    count = int(os.environ.get("BENCH_SEARCHES", "3000"))
    for q in queries[-WARM:]:
        client.get(f"{path}?{q}")
    times: dict[str, list[float]] = defaultdict(list)
    for q in queries[:count]:
        started = time.perf_counter()
        response = client.get(f"{path}?{q}")
        times[kind(q)].append(time.perf_counter() - started)
        if response.status_code not in (200, 404):
            raise RuntimeError(f"{path}?{q} answered {response.status_code}")
    started = time.perf_counter()
    for _ in range(1000):
        client.get("/healthz")
    healthz = (time.perf_counter() - started) / 1000
    every = [t for ts in times.values() for t in ts]
    return {
        "database": label(target),
        "path": path,
        "searches": len(every),
        "mean_ms": statistics.mean(every) * 1000,
        "healthz_ms": healthz * 1000,
        "kinds": {
            k: {
                "n": len(ts),
                "mean_ms": statistics.mean(ts) * 1000,
                "p50_ms": statistics.median(ts) * 1000,
                "max_ms": max(ts) * 1000,
                "share": sum(ts) / sum(every),
            }
            for k, ts in sorted(times.items(), key=lambda kv: -sum(kv[1]))
        },
    }


def report(r: dict) -> str:
    lines = [
        f"{r['database']}, {r['path']}: {r['searches']} uncached searches, mean "
        f"{r['mean_ms']:.2f} ms (/healthz {r['healthz_ms']:.2f} ms; load {r.get('load', 0):.1f})"
    ]
    for name, m in r["kinds"].items():
        lines.append(
            f"  {name:36} {m['n']:5}  mean {m['mean_ms']:6.2f} ms  p50 {m['p50_ms']:6.2f}  "
            f"max {m['max_ms']:7.2f}  share {m['share']:5.1%}"
        )
    return "\n".join(lines)


def main() -> None:
    run_each(__file__, arguments(__doc__.splitlines()[0]), run_target, report)


if __name__ == "__main__":
    sys.exit(main())
