"""What the benchmarks share: the dataset, fresh databases, an app bound to one, and memory.

Databases: ``--sqlite`` (a new file) and ``--postgres URL`` (the named database is dropped and
created again, so point it at a scratch database); by default both, PostgreSQL at
postgresql+psycopg://postgres@127.0.0.1:5432/registry_bench_<size> (``_100k``, ``_1m``...).

``--reuse`` keeps a database that already holds the dataset (the same practitioner count and
a filled verdict store) instead of loading it again: loading 1M practitioners takes longer
than most measurements. SQLite databases are then kept as ``bench/data/<size>.sqlite3``.

Peak memory is always VmHWM from ``/proc/self/status`` of a process started for the one
measurement: ``ru_maxrss`` would report the launching process's peak if it were higher.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from registry import create_app, migrate  # noqa: E402
from registry.db import make_engine  # noqa: E402

DATA = ROOT / "bench" / "data"
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432"


def size_tag(practitioners: int) -> str:
    """100000 -> '100k', 1000000 -> '1m' (names of databases kept between runs)."""
    if practitioners % 1_000_000 == 0:
        return f"{practitioners // 1_000_000}m"
    if practitioners % 1000 == 0:
        return f"{practitioners // 1000}k"
    return str(practitioners)


def count(text_value: str) -> int:
    """argparse type: '100000', '100k', '1M'."""
    factor = {"k": 1000, "m": 1_000_000}.get(text_value[-1:].lower(), 1)
    return int(text_value[:-1] if factor > 1 else text_value) * factor


def dataset(practitioners: int = 100_000, seed: int = 20261121) -> Path:
    """The generated CSVs for ``practitioners`` (made once, then reused)."""
    folder = DATA / f"p{practitioners}-s{seed}"
    if not (folder / "credentials.csv").exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "generate.py"),
                str(folder),
                "--practitioners",
                str(practitioners),
                "--seed",
                str(seed),
            ],
            check=True,
        )
    return folder


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--practitioners", type=count, default=100_000, help="100000, 100k, 1M")
    parser.add_argument("--sqlite", action="store_true", help="only SQLite")
    parser.add_argument("--postgres", metavar="URL", help="only this PostgreSQL database")
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    parser.add_argument("--one", metavar="TARGET", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.targets = []
    if args.sqlite or not args.postgres:
        args.targets.append("sqlite")
    if args.postgres or not args.sqlite:
        default = f"{PG_BASE}/registry_bench_{size_tag(args.practitioners)}"
        args.targets.append(args.postgres or default)
    return args


def sqlite_url(practitioners: int) -> str:
    return f"sqlite:///{DATA / size_tag(practitioners)}.sqlite3"


def fresh_database(target: str) -> str:
    """An empty, migrated database for ``target`` ('sqlite', a SQLite URL or a PostgreSQL URL)."""
    if target == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp(prefix='registry-bench-')}/bench.sqlite3"
    elif target.startswith("sqlite:///"):
        url = target
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        url = target
        base, name = url.rsplit("/", 1)
        admin = make_engine(base + "/postgres").execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    migrate.upgrade(url)
    return url


LOADER = """
import sys
sys.path.insert(0, {bench!r})
from common import load
load(sys.argv[1], sys.argv[2])
"""


def load(url: str, folder: str) -> None:
    """The default rules and the dataset into ``url``, through the registry's own services."""
    from registry import db
    from registry.demo import DEFAULT_RULES, default_rules_bytes
    from registry.services.imports import import_credentials, import_practitioners
    from registry.services.rulesets import load_rules

    app = app_for(url)
    with app.app_context():
        session = db.session()
        load_rules(session, "bench", default_rules_bytes(), DEFAULT_RULES)
        for name, importer in (
            ("practitioners", import_practitioners),
            ("credentials", import_credentials),
        ):
            with open(f"{folder}/{name}.csv", encoding="utf-8", newline="") as f:
                importer(session, "bench", f)
        session.commit()
        if session.get_bind().dialect.name == "postgresql":
            # What autovacuum would do soon after a load this size: the planner's statistics
            # for every table (imports analyze their own tables, not the verdict store's).
            session.connection().exec_driver_sql("ANALYZE")
            session.commit()


def loaded(url: str, practitioners: int) -> bool:
    """Whether ``url`` already holds the dataset: its practitioners and a verdict store."""
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            people = conn.execute(text("SELECT count(*) FROM practitioners")).scalar()
            stored = conn.execute(text("SELECT count(*) FROM stored_verdicts")).scalar()
        engine.dispose()
    except Exception:  # noqa: BLE001 (missing database or tables: not loaded)
        return False
    return people == practitioners and stored > 0


def prepared(target: str, folder, practitioners: int, reuse: bool) -> str:
    """A database holding the default rules and the dataset: kept from an earlier run when
    ``reuse`` and it is complete, else created and loaded (in a process of its own)."""
    if reuse:
        target = sqlite_url(practitioners) if target == "sqlite" else target
        if loaded(target, practitioners):
            migrate.upgrade(target)  # a database kept from an older checkout
            return target
    url = fresh_database(target)
    load_in_subprocess(url, folder)
    return url


def load_in_subprocess(url: str, folder) -> None:
    """``load`` in a process of its own, so its memory does not count against the caller."""
    code = LOADER.format(bench=str(ROOT / "bench"))
    subprocess.run([sys.executable, "-c", code, url, str(folder)], check=True)


def app_for(url: str):
    from config import DevelopmentConfig

    return create_app(DevelopmentConfig, {"DATABASE_URL": url})


def status_mb(field: str = "VmHWM") -> float:
    """A memory figure of this process from /proc/self/status (VmHWM: peak RSS), in MB."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (VmHWM), in MB."""
    return status_mb("VmHWM")


def reset_peak() -> None:
    """Start VmHWM again from the current RSS (Linux: clear_refs 5)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")


def child(args: list[str], env: dict | None = None, cwd=ROOT) -> dict:
    """Run a Python program in a fresh process and return the JSON object on the last line
    of its standard output."""
    out = subprocess.run(
        [sys.executable, *args], check=True, stdout=subprocess.PIPE, text=True, env=env, cwd=cwd
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextmanager
def timed(results: dict, name: str):
    start = time.perf_counter()
    yield
    results[name] = time.perf_counter() - start


def run_each(script: str, args: argparse.Namespace, run_target, report) -> None:
    """Run ``run_target`` for each database, each in a process of its own so that each peak
    memory figure is that run's own; print each report."""
    folder = dataset(args.practitioners)
    if args.one:
        print(json.dumps(run_target(args.one, folder, args)))
        return
    for target in args.targets:
        command = [script, "--one", target, "--practitioners", str(args.practitioners)]
        result = child(command + (["--reuse"] if args.reuse else []))
        result["date"] = time.strftime("%Y-%m-%d %H:%M")
        result["load"] = os.getloadavg()[0]
        print(json.dumps(result), file=sys.stderr, flush=True)  # the raw figures, for the record
        print(report(result), flush=True)


def label(target: str) -> str:
    return "SQLite" if target == "sqlite" else "PostgreSQL"
