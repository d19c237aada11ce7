"""Engine and session handling: one session per request or command, committed once.

Services only flush; the request handler or CLI command that called them commits.

On SQLite (WAL, one writer at a time) a request that may write takes the write lock when its
transaction begins and waits up to the busy timeout for it; ``registry.errors`` answers one
that waited in vain with a 503 and Retry-After.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

EXTENSION_KEY = "registry_db"
SQLITE_MMAP_BYTES = 1 << 30  # address space for reading SQLite files (not memory)
DEFAULT_BUSY_TIMEOUT = 10.0  # seconds a writer waits for SQLite's lock (SQLITE_BUSY_TIMEOUT)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READ_ONLY = "db_read_only"  # set on ``g`` once a request's database work has failed


def database_url(app: Flask) -> str:
    """The configured SQLAlchemy URL, or an SQLite file in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        return url
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(app.instance_path) / 'registry.sqlite3'}"


def make_engine(url: str, echo: bool = False, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Engine:
    """An engine with the per-dialect settings the registry relies on."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, echo=echo, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_ms=int(busy_timeout * 1000)))
        event.listen(engine, "begin", _sqlite_begin)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_settings)
    return engine


def _postgres_settings(dbapi_connection, _record) -> None:
    # Every plan made for its parameters. The driver prepares a statement once it has run five
    # times, and PostgreSQL may then plan it once for any parameters (a "generic plan"): for a
    # search's name prefix (LIKE $1) that plan cannot use the prefix's index range and reads
    # the whole table (a million practitioners: 200-570 ms instead of 1).
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_connection.commit()


def _sqlite_pragmas(dbapi_connection, _record, busy_ms: int) -> None:
    # pysqlite's own transaction handling does not nest SAVEPOINTs correctly; let
    # SQLAlchemy emit BEGIN itself (the documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms:d}")
    # Reads map the file instead of copying each page through a 2 MB cache: searches and
    # audits over a large registry touch pages all over it (memory is the OS's page cache,
    # shared by every connection and process).
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES:d}")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # Begun as a reader, a transaction that then writes fails at once ("database is locked",
    # without waiting) whenever another writer committed meanwhile: SQLite cannot move a
    # reader's snapshot on. So a request that may write (not GET, HEAD or OPTIONS) begins as
    # the writer (IMMEDIATE), waiting its turn for up to the busy timeout; reads never wait.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


def _may_write() -> bool:
    return has_request_context() and request.method not in SAFE_METHODS and not g.get(_READ_ONLY)


def init_app(app: Flask) -> None:
    engine = make_engine(
        database_url(app),
        echo=app.config.get("SQL_ECHO", False),
        busy_timeout=float(app.config.get("SQLITE_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT)),
    )
    app.extensions[EXTENSION_KEY] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions[EXTENSION_KEY].kw["bind"]


def session() -> Session:
    """The session of the current request or command (created on first use)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[EXTENSION_KEY]()
    return g.db_session


def recover() -> None:
    """After a database error: roll the request's session back, so that the error page can
    still read (as a reader, which never waits for SQLite's write lock)."""
    g.setdefault(_READ_ONLY, True)
    s = g.get("db_session")
    if s is None:
        return
    try:
        s.rollback()
    except Exception:  # the connection itself is gone: start afresh
        g.pop("db_session").close()


def _close_session(_exc: BaseException | None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
