"""Engine and session handling: one session per request or command, committed once.

Services only flush; the request handler or CLI command that called them commits.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

EXTENSION_KEY = "registry_db"


def database_url(app: Flask) -> str:
    """The configured SQLAlchemy URL, or an SQLite file in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        return url
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(app.instance_path) / 'registry.sqlite3'}"


def make_engine(url: str, echo: bool = False) -> Engine:
    """An engine with the per-dialect settings the registry relies on."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, echo=echo, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling does not nest SAVEPOINTs correctly; let
    # SQLAlchemy emit BEGIN itself (the documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app: Flask) -> None:
    engine = make_engine(database_url(app), echo=app.config.get("SQL_ECHO", False))
    app.extensions[EXTENSION_KEY] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions[EXTENSION_KEY].kw["bind"]


def session() -> Session:
    """The session of the current request or command (created on first use)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[EXTENSION_KEY]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
