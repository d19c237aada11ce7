"""Set-based helpers for bulk writes that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, Integer, Table, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def allocate_ids(session: Session, table: Table, count: int) -> list[int]:
    """Reserve ``count`` primary keys for ``table`` so rows can be inserted with a plain
    executemany (no RETURNING) and linked to in the same batch."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": count},
        )
        return [r[0] for r in rows]
    # SQLite allows one writer at a time, so max(id) cannot move under this transaction.
    start = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def one_of(session: Session, column, values: Collection[int]) -> ColumnElement[bool]:
    """``column IN values`` for integer ids; one array parameter on PostgreSQL instead of one
    parameter per value."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(Integer)))
    return column.in_(list(values))


ANALYZE_AFTER = 10_000  # rows written by one import before the planner's statistics are renewed


def refresh_statistics(session: Session, written: int, *tables: Table) -> None:
    """After a large import on PostgreSQL, renew the planner's statistics of ``tables`` in the
    same transaction: until autovacuum gets to it, a freshly filled table has none, and the
    planner then scans a whole table for a twenty-row page. (SQLite plans from its indexes.)"""
    if written < ANALYZE_AFTER or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("ANALYZE " + ", ".join(t.name for t in tables)))
