"""What the benchmarks share: the dataset, fresh databases, an app bound to one, and memory.

Databases: ``--sqlite`` (a new file) and ``--postgres URL`` (the named database is dropped and
created again, so point it at a scratch database); by default both, PostgreSQL at
postgresql+psycopg://postgres@127.0.0.1:5432/registry_bench.
"""

from __future__ import annotations

import argparse
import json
import resource
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
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/registry_bench"


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
    parser.add_argument("--practitioners", type=int, default=100_000)
    parser.add_argument("--sqlite", action="store_true", help="only SQLite")
    parser.add_argument("--postgres", metavar="URL", help="only this PostgreSQL database")
    parser.add_argument("--one", metavar="TARGET", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.targets = []
    if args.sqlite or not args.postgres:
        args.targets.append("sqlite")
    if args.postgres or not args.sqlite:
        args.targets.append(args.postgres or DEFAULT_PG)
    return args


def fresh_database(target: str) -> str:
    """An empty, migrated database for ``target`` ('sqlite' or a PostgreSQL URL)."""
    if target == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp(prefix='registry-bench-')}/bench.sqlite3"
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


def load_in_subprocess(url: str, folder) -> None:
    """``load`` in a process of its own, so its memory does not count against the caller."""
    code = LOADER.format(bench=str(ROOT / "bench"))
    subprocess.run([sys.executable, "-c", code, url, str(folder)], check=True)


def app_for(url: str):
    from config import DevelopmentConfig

    return create_app(DevelopmentConfig, {"DATABASE_URL": url})


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
        print(json.dumps(run_target(args.one, folder)))
        return
    for target in args.targets:
        out = subprocess.run(
            [sys.executable, script, "--one", target, "--practitioners", str(args.practitioners)],
            check=True,
            capture_output=True,
            text=True,
        )
        print(report(json.loads(out.stdout.strip().splitlines()[-1])), flush=True)


def label(target: str) -> str:
    return "SQLite" if target == "sqlite" else "PostgreSQL"
