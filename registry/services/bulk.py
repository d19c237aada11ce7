"""Set-based helpers for bulk writes that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Select,
    String,
    Table,
    and_,
    any_,
    bindparam,
    func,
    insert,
    select,
    text,
    true,
)
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
    """``column IN values`` for integer ids, in one parameter instead of one per value: an
    array on PostgreSQL, a JSON list read by ``json_each`` on SQLite (expanding a chunk's
    2,000 parameters cost SQLAlchemy more than SQLite took to run the statement)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    each = func.json_each(bindparam(None, json.dumps(list(values)), type_=String))
    return column.in_(select(each.table_valued("value").c.value))


ANALYZE_AFTER = 10_000  # rows written by one import before the planner's statistics are renewed


def refresh_statistics(session: Session, written: int, *tables: Table) -> None:
    """After a large import on PostgreSQL, renew the planner's statistics of ``tables`` in the
    same transaction: until autovacuum gets to it, a freshly filled table has none, and the
    planner then scans a whole table for a twenty-row page. (SQLite plans from its indexes.)"""
    if written < ANALYZE_AFTER or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("ANALYZE " + ", ".join(t.name for t in tables)))


def select_by_keys(
    session: Session, key_columns: Sequence[Column], keys: Collection[tuple], *columns
) -> Select:
    """The rows of the table of ``key_columns`` whose key is one of ``keys`` (a chunk's
    composite keys of strings and numbers, as tuples in the order of ``key_columns``), their
    ``columns`` (default: all) selected: one index lookup per key, however large the table,
    and one parameter per key column (PostgreSQL: an array each, unnested) or one in all
    (SQLite: a JSON list, read by ``json_each``), so the statement compiles once and
    psycopg does not parse thousands of parameters per chunk. On PostgreSQL each key looks
    its row up in a LATERAL subquery: joined plainly, the planner hashes the whole table for
    every chunk (80 ms a chunk at 100,000 practitioners, growing with the table)."""
    keys = list(keys)
    names = [f"k{i}" for i in range(len(key_columns))]
    columns = columns or tuple(key_columns[0].table.c)
    if session.get_bind().dialect.name == "postgresql":
        arrays = [
            bindparam(None, [k[i] for k in keys], type_=ARRAY(column.type))
            for i, column in enumerate(key_columns)
        ]
        given = func.unnest(*arrays).table_valued(*names).render_derived(name="keys")
        on = [c == given.c[n] for c, n in zip(key_columns, names, strict=True)]
        found = select(*columns).where(*on).limit(1).lateral("found")
        return select(*found.c).select_from(given.join(found, true()))
    each = func.json_each(bindparam(None, json.dumps(keys), type_=String))
    value = each.table_valued("value").c.value
    given = select(*(value.op("->>")(i).label(n) for i, n in enumerate(names))).cte("keys")
    on = [c == given.c[n] for c, n in zip(key_columns, names, strict=True)]
    return select(*columns).select_from(given.join(key_columns[0].table, and_(*on)))


class IdSet:
    """A set of positive integer ids held as a bitmap: one bit per id up to the largest
    (125 KB for ids up to a million), where a Python set costs some 60 bytes per member, so
    what an import touched can be remembered to its end without growing with the file.
    Iterates in ascending order."""

    def __init__(self, ids: Iterable[int] = ()) -> None:
        self._bits = bytearray()
        self._count = 0
        self.update(ids)

    def update(self, ids: Iterable[int]) -> None:
        bits = self._bits
        for i in ids:
            byte, mask = i >> 3, 1 << (i & 7)
            if byte >= len(bits):
                bits.extend(bytes(max(byte + 1 - len(bits), len(bits) // 2)))
            if not bits[byte] & mask:
                bits[byte] |= mask
                self._count += 1

    def __len__(self) -> int:
        return self._count

    def __contains__(self, i: int) -> bool:
        byte = i >> 3
        return byte < len(self._bits) and bool(self._bits[byte] & (1 << (i & 7)))

    def __iter__(self) -> Iterator[int]:
        for byte, value in enumerate(self._bits):
            if value:
                base = byte << 3
                yield from (base + bit for bit in range(8) if value & (1 << bit))


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """``session.execute(insert(table), rows)`` for many rows with the same keys, without
    SQLAlchemy's per-row parameter handling (a fifth of a large import's time): the
    statement is compiled once, each column's own bind processor (dates on SQLite, enums,
    JSON) is applied to its values, and the driver's executemany receives the result, so
    the same values are stored. Columns left out take their scalar defaults; leaving out
    one with a computed default (a timestamp) is an error."""
    if not rows:
        return
    given = list(rows[0])
    insert_columns(session, table, dict(zip(given, _columns(rows, given), strict=True)))


def insert_columns(session: Session, table: Table, columns: dict[str, Sequence]) -> None:
    """``insert_rows`` for rows given a column at a time ({column key: its values, one per
    row}), for callers that have them so: no dictionary per row to build and take apart."""
    count = len(next(iter(columns.values()), ()))
    if not count:
        return
    conn = session.connection()
    defaults = {}
    for c in table.c:
        if c.key in columns or c.default is None:
            continue
        if not c.default.is_scalar:
            raise ValueError(f"insert_rows: give {table.name}.{c.key} (its default is computed)")
        defaults[c.key] = c.default.arg
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=[*columns, *defaults])
    names = list(compiled.positiontup or compiled.binds)
    process = compiled._bind_processors  # the processors SQLAlchemy itself would apply
    by_name = columns | {k: [v] * count for k, v in defaults.items()}
    params = list(zip(*(_processed(process.get(n), by_name[n]) for n in names), strict=True))
    if conn.dialect.name == "postgresql":
        _copy(conn, table, names, params)
    elif compiled.positional:
        conn.exec_driver_sql(compiled.string, params)
    else:
        conn.exec_driver_sql(compiled.string, [dict(zip(names, p, strict=True)) for p in params])


def _columns(rows: list[dict[str, Any]], keys: list[str]) -> list[Sequence]:
    """The values of ``keys`` in ``rows``, one list per key (C-speed: map, itemgetter), with
    no tuple per row on the way: a row's tuple holding a dict (an audit event's values)
    stays in the garbage collector's watch, and a chunk's worth of them lived long enough to
    reach its old generation and bring on its full collections."""
    return [list(map(itemgetter(key), rows)) for key in keys]


def _processed(process, values: Sequence) -> Sequence:
    """``values`` through a bind processor, called once per distinct value while it is among
    the last few thousand seen (the rows of a file share their timestamps and repeat their
    dates from chunk to chunk)."""
    if process is None:
        return values
    try:
        return list(map(_remembering(process), values))
    except TypeError:  # unhashable values (JSON documents)
        return [process(v) for v in values]


@lru_cache(maxsize=64)
def _remembering(process):
    """``process`` remembering its results: a bind processor gives the same value for the
    same value (and type)."""
    return lru_cache(maxsize=1 << 14, typed=True)(process)


def _copy(conn, table: Table, names: list[str], rows: list[tuple]) -> None:
    """PostgreSQL's COPY, in the connection's transaction: several times faster than an
    executemany of the same rows."""
    quote = conn.dialect.identifier_preparer
    columns = ", ".join(quote.quote(table.c[n].name) for n in names)
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {quote.format_table(table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


class GrowingStatistics:
    """Keeps PostgreSQL's statistics of the tables an import fills in step with them: ANALYZE
    each time the rows read double (from ANALYZE_AFTER), a dozen times for millions of rows.
    psycopg prepares a statement run five times, and PostgreSQL may then keep one generic
    plan for it, made while the tables were nearly empty: a scan of the whole table per key
    looked up, which a 300k import does not outlive. ANALYZE renews the statistics and, with
    them, the plans. Nothing to do on SQLite, which plans from its indexes."""

    def __init__(self, session: Session, *tables: Table) -> None:
        self.session, self.tables = session, tables
        self.active = session.get_bind().dialect.name == "postgresql"
        self.next_at = ANALYZE_AFTER

    def grown_to(self, rows: int) -> None:
        if self.active and rows >= self.next_at:
            self.session.execute(text("ANALYZE " + ", ".join(t.name for t in self.tables)))
            self.next_at = 2 * rows
