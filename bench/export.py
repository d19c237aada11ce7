"""Benchmark: the streamed registry export against merely iterating the rows it reads.

    .venv/bin/python bench/export.py [--practitioners 100000] [--sqlite | --postgres URL]

Per database: a separate process loads the default rules and the generated dataset and adds an
admin account; then three processes of their own each measure one run, so that each peak RSS is
that run's own: the baseline executes the export's three statements (streamed, ``yield_per``)
and iterates every row, keeping none; the CSV and the JSON exports are downloaded as the admin
through GET /api/v1/export.csv and .json (the Flask test client, unbuffered: the real view,
``stream_with_context`` and the export's own session) and written to /dev/null.
Target: peak RSS under 200 MB for each export, whatever the number of practitioners.

Two memory figures per run: the process's peak RSS (including the app's imports and the
Argon2 hash computed at import and at login, about 64 MB at once) and the peak while the run
streams (VmHWM reset just before it), which is what grows with the registry if anything does.

PostgreSQL defaults to its own scratch database, registry_bench_export (dropped and created
again), so that it never clobbers another benchmark's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from common import (
    PG_BASE,
    ROOT,
    app_for,
    arguments,
    fresh_database,
    label,
    load_in_subprocess,
    run_each,
)

from registry import db
from registry.read.export import BATCH, statements

DEFAULT_EXPORT_PG = PG_BASE + "/registry_bench_export"
ADMIN = "bench-export@example.org"
PASSWORD = "a long benchmark password"  # noqa: S105 (a scratch database)
RUNS = (("baseline", "raw rows"), ("csv", "CSV export"), ("json", "JSON export"))
MEASURE = """
import sys
sys.path.insert(0, {bench!r})
from export import measure
measure(sys.argv[1], sys.argv[2])
"""


def add_admin(url: str) -> None:
    from registry.services.users import create_user

    app = app_for(url)
    with app.app_context():
        session = db.session()
        create_user(session, "bench", ADMIN, PASSWORD, "admin", [], [])
        session.commit()


def _baseline() -> tuple[int, int]:
    conn = db.session().connection()
    rows = 0
    for statement in statements(()):
        for _ in conn.execute(statement.execution_options(yield_per=BATCH)):
            rows += 1
    return rows, 0


def _download(app, fmt: str):
    """Log in as the admin, then return the download to time: (chunks, bytes)."""
    client = app.test_client()
    login = client.post("/login", data={"email": ADMIN, "password": PASSWORD})
    assert login.status_code == 302, login.status_code

    def run() -> tuple[int, int]:
        response = client.get(f"/api/v1/export.{fmt}", buffered=False)
        assert response.status_code == 200, response.status_code
        size = chunks = 0
        with open(os.devnull, "wb") as sink:
            for chunk in response.iter_encoded():
                sink.write(chunk)
                size += len(chunk)
                chunks += 1
        response.close()
        return chunks, size

    return run


def _status_mb(field: str) -> float:
    """A figure of this process's own memory from /proc/self/status (Linux), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def _reset_peak() -> None:
    """Start VmHWM again from the current RSS (Linux: clear_refs 5)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")


def measure(url: str, what: str) -> None:
    """One run in this process; prints its figures as JSON: ``peak`` the process's peak RSS
    (the app, its imports and, for downloads, the login's Argon2 hash included), ``run`` the
    peak RSS while the run streams. Peaks are VmHWM rather than ru_maxrss, which on Linux
    starts from the parent's peak at exec and so would report the launching process's."""
    app = app_for(url)
    app.config["WTF_CSRF_ENABLED"] = False  # the benchmark logs in with a plain form post
    with app.app_context():
        run = _baseline if what == "baseline" else _download(app, what)
        before = _status_mb("VmHWM")
        _reset_peak()
        start = time.perf_counter()
        count, size = run()
        seconds = time.perf_counter() - start
        during = _status_mb("VmHWM")
    figures = {"seconds": seconds, "count": count, "bytes": size}
    print(json.dumps({**figures, "peak": max(before, during), "run": during}))


def run_target(target: str, folder, args=None) -> dict:
    url = fresh_database(target)
    load_in_subprocess(url, folder)
    add_admin(url)
    results: dict = {"database": label(target), "runs": {}}
    code = MEASURE.format(bench=str(ROOT / "bench"))
    for what, _ in RUNS:
        out = subprocess.run(
            [sys.executable, "-c", code, url, what], check=True, capture_output=True, text=True
        )
        results["runs"][what] = json.loads(out.stdout.strip().splitlines()[-1])
    return results


def report(r: dict) -> str:
    runs = r["runs"]
    lines = [
        f"{r['database']}: {runs['baseline']['count']:,} rows read by the export's three "
        "statements",
        f"  {'run':<12} {'time':>8} {'peak RSS':>9} {'while streaming':>16} {'output':>10}",
    ]
    for what, words in RUNS:
        run = runs[what]
        output = f"{run['bytes'] / 1e6:7.1f} MB" if run["bytes"] else "         -"
        lines.append(
            f"  {words:<12} {run['seconds']:6.2f} s {run['peak']:6.0f} MB "
            f"{run['run']:13.0f} MB {output}"
        )
    worst = max(runs[w]["peak"] for w in ("csv", "json"))
    lines.append(f"  target: export peak RSS < 200 MB: {'met' if worst < 200 else 'NOT met'}")
    return "\n".join(lines)


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    if not args.postgres:  # its own scratch database, not the one the others keep loaded
        args.targets = [t if t == "sqlite" else DEFAULT_EXPORT_PG for t in args.targets]
    run_each(__file__, args, run_target, report)


if __name__ == "__main__":
    main()
