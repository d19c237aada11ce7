"""A brand-new database of the kind under test: an SQLite file, or (with TEST_DATABASE_URL) a
PostgreSQL database created beside the test one and dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from registry.db import make_engine


@contextmanager
def scratch_database(sqlite_file: Path, prefix: str = "registry_scratch") -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{sqlite_file}"
        return
    server, name = base.rsplit("/", 1)[0], f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server + "/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
