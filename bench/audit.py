"""Benchmark: the streamed CLI audit against merely fetching the rows it reads.

    .venv/bin/python bench/audit.py [--practitioners 100k|1M] [--sqlite|--postgres URL] [--reuse]

Per database: the default rules and the generated dataset are loaded (or, with ``--reuse``,
an already loaded database is kept). Then each measurement runs in a fresh process of its
own, REPEAT times (BENCH_REPEAT, default 3), alternating, and the medians are reported:

- the baseline executes the audit's four statements (practitioners, modalities, credentials,
  verification decisions), each streamed with the same ``yield_per`` as the audit, and iterates
  every row, keeping none;
- the audit is the real command, ``flask registry audit --as-of 2026-11-21 --window 60
  --format json --output FILE`` (BENCH_AUDIT_FORMAT for csv), timed from the start of the
  process to its exit, so it includes starting the app (measured apart: ``--version``-like
  start-up, reported as "start").

Each process reports its own peak memory, VmHWM from /proc/self/status (not ru_maxrss, which
on Linux starts from the parent's peak). Targets (issue 12): audit <= 2x baseline, peak under
250 MB at 1M practitioners.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, arguments, child, label, prepared, run_each

AS_OF = "2026-11-21"
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
FORMAT = os.environ.get("BENCH_AUDIT_FORMAT", "json")

BASELINE = """
import json, sys, time
sys.path.insert(0, {bench!r})
start = time.perf_counter()
from common import app_for, peak_rss_mb
from registry import db
from registry.read.snapshots import BATCH, queries
app = app_for(sys.argv[1])
with app.app_context():
    conn = db.session().connection()
    ready = time.perf_counter()
    rows = []
    for q in queries():
        n = 0
        for _ in conn.execute(q.execution_options(yield_per=BATCH)):
            n += 1
        rows.append(n)
    done = time.perf_counter()
print(json.dumps({{"seconds": done - start, "fetch": done - ready, "rows": rows,
                  "peak_mb": peak_rss_mb()}}))
"""

# The CLI as `flask --app wsgi registry audit ...` runs it, with the process's peak memory
# read at exit (after click's sys.exit).
CLI = """
import atexit, json, sys, time
start = time.perf_counter()
sys.path.insert(0, {bench!r})
from common import peak_rss_mb
def report():
    print(json.dumps({{"seconds": time.perf_counter() - start, "peak_mb": peak_rss_mb()}}))
atexit.register(report)
from flask.cli import main
sys.argv = ["flask", "--app", "wsgi", *sys.argv[1:]]
main()
"""


def cli(url: str, *command: str) -> dict:
    env = os.environ | {"DATABASE_URL": url, "REGISTRY_CONFIG": "development"}
    code = CLI.format(bench=str(ROOT / "bench"))
    return child(["-c", code, *command], env=env)


def gaps_in(path: Path) -> int:
    """Gaps in the written document: one per line between the JSON brackets (or CSV rows)."""
    with open(path, encoding="utf-8") as f:
        lines = sum(1 for _ in f)
    return lines - (3 if FORMAT == "json" else 1)


def run_target(target: str, folder, args) -> dict:
    url = prepared(target, folder, args.practitioners, args.reuse)
    results: dict = {"database": label(target), "format": FORMAT, "runs": []}
    out = Path(tempfile.mkdtemp(prefix="registry-audit-")) / f"audit.{FORMAT}"
    code = BASELINE.format(bench=str(ROOT / "bench"))
    start = cli(url, "registry", "--help")
    for _ in range(REPEAT):
        base = child(["-c", code, url])
        started = time.perf_counter()
        audit = cli(url, "registry", "audit", "--as-of", AS_OF, "--window", "60",
                    "--format", FORMAT, "--output", str(out))  # fmt: skip
        audit["wall"] = time.perf_counter() - started
        results["runs"].append({"baseline": base, "audit": audit})
    results["start_seconds"] = start["seconds"]
    results["start_peak_mb"] = start["peak_mb"]
    results["rows"] = base["rows"]
    results["gaps"] = gaps_in(out)
    results["output_mb"] = out.stat().st_size / 1e6
    out.unlink()
    for name in ("baseline", "audit"):
        results[name] = statistics.median(r[name]["seconds"] for r in results["runs"])
        results[f"{name}_peak_mb"] = max(r[name]["peak_mb"] for r in results["runs"])
    return results


def seconds(r: dict, name: str) -> str:
    return ", ".join(f"{run[name]['seconds']:.2f}" for run in r["runs"])


def report(r: dict) -> str:
    rows = r["rows"]
    return (
        f"{r['database']}: {rows[0]} practitioners, {rows[1]} modality rows, {rows[2]} "
        f"credentials, {rows[3]} decisions; {r['gaps']} gaps ({r['output_mb']:.0f} MB of "
        f"{r['format'].upper()})\n"
        f"  baseline fetch {r['baseline']:6.2f} s (peak {r['baseline_peak_mb']:.0f} MB)   "
        f"audit {r['audit']:6.2f} s (peak {r['audit_peak_mb']:.0f} MB)   "
        f"ratio {r['audit'] / r['baseline']:4.2f}x (medians of {len(r['runs'])}; load "
        f"{r.get('load', 0):.1f})\n"
        f"  each a whole process; app start-up alone {r['start_seconds']:.2f} s, "
        f"{r['start_peak_mb']:.0f} MB\n"
        f"  runs: baseline {seconds(r, 'baseline')}; audit {seconds(r, 'audit')}"
    )


def main() -> None:
    run_each(__file__, arguments(__doc__.splitlines()[0]), run_target, report)


if __name__ == "__main__":
    sys.exit(main())
