"""Benchmark: the full audit against merely fetching the rows it needs.

    .venv/bin/python bench/audit.py [--practitioners 100000] [--sqlite | --postgres URL]

Per database: a separate process loads the default rules and the generated dataset; then,
in one process, the baseline runs the audit's four queries and fetches every row into
Python, and the audit runs in full (default rules, as of 2026-11-21, window 60); the pair
runs REPEAT times (BENCH_REPEAT, default 3) and the median of each is reported, since one
run on a shared 2-core machine varies by a third.
Targets: audit <= 3x baseline, < 10 s, peak RSS < 500 MB.
"""

from __future__ import annotations

import os
import statistics
from collections import Counter
from datetime import date

from common import (
    app_for,
    arguments,
    fresh_database,
    label,
    load_in_subprocess,
    peak_rss_mb,
    run_each,
    timed,
)

from registry import db
from registry.read.audit import run_audit
from registry.read.params import AuditQuery
from registry.read.rulebook import rule_book
from registry.read.snapshots import queries

AS_OF = date(2026, 11, 21)
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def run_target(target: str, folder) -> dict:
    url = fresh_database(target)
    load_in_subprocess(url, folder)
    app = app_for(url)
    results: dict = {"database": label(target)}
    with app.app_context():
        session = db.session()
        book = rule_book(session)
        runs: dict[str, list[float]] = {"baseline": [], "audit": []}
        for _ in range(REPEAT):
            with timed(results, "baseline"):
                conn = session.connection()
                rows = [len(conn.execute(q).all()) for q in queries()]
            session.rollback()
            with timed(results, "audit"):
                report = run_audit(session, book, AuditQuery(AS_OF, 60))
            session.rollback()
            for name in runs:
                runs[name].append(results[name])
        results.update({name: statistics.median(times) for name, times in runs.items()})
        results["runs"] = runs
        results["rows"] = rows
        results["practitioners"] = report["practitioners_checked"]
        results["gaps"] = len(report["gaps"])
        results["kinds"] = Counter(g["kind"] for g in report["gaps"]).most_common()
    results["peak_rss_mb"] = round(peak_rss_mb())
    return results


def report(r: dict) -> str:
    return (
        f"{r['database']}: {r['practitioners']} practitioners ({r['rows'][1]} modality rows, "
        f"{r['rows'][2]} credentials, {r['rows'][3]} decisions), {r['gaps']} gaps\n"
        f"  baseline fetch {r['baseline']:5.2f} s   audit {r['audit']:5.2f} s   "
        f"ratio {r['audit'] / r['baseline']:4.2f}x (medians of {len(r['runs']['audit'])})   "
        f"peak RSS {r['peak_rss_mb']} MB\n"
        f"  runs: baseline {', '.join(f'{t:.2f}' for t in r['runs']['baseline'])}; "
        f"audit {', '.join(f'{t:.2f}' for t in r['runs']['audit'])}\n"
        f"  gaps by kind: {', '.join(f'{k} {n}' for k, n in r['kinds'])}"
    )


def main() -> None:
    run_each(__file__, arguments(__doc__.splitlines()[0]), run_target, report)


if __name__ == "__main__":
    main()
