"""What every import shares: reading the header, chunking rows, the report."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, insert, select
from sqlalchemy.orm import Session

from .. import ServiceError
from ..bulk import insert_columns, one_of

CHUNK_SIZE = 2000
# Unicode's control characters (category Cc). No column is multi-line, NUL cannot be stored
# in PostgreSQL text (and made an SQLite record unreachable), and escape codes would reach
# terminals and pages.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
Progress = Callable[[int], None]


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{self.kind}: {self.rows} rows, {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


class ImportRefused(ServiceError):
    """The file had bad rows; nothing was written. ``report.errors`` names each one."""

    def __init__(self, report: ImportReport):
        report.errors.sort(key=lambda e: e.line)  # stable: a line's problems keep their order
        self.report = report
        n = len(report.errors)
        super().__init__(f"import refused: {n} problem{'s' * (n != 1)}; nothing was written")


@dataclass
class Row:
    line: int
    values: dict[str, Any]


def open_reader(
    stream: TextIO, allowed: set[str], required: set[str], report: ImportReport
) -> csv.DictReader | None:
    """A DictReader after checking the header; None (with errors reported) if it is unusable."""
    reader = csv.DictReader(stream)
    try:
        header = reader.fieldnames
    except (UnicodeDecodeError, csv.Error) as exc:
        report.errors.append(RowError(1, f"unreadable header ({_reason(exc)})"))
        return None
    if not header:
        report.errors.append(RowError(1, "the file is empty (expected a header row)"))
        return None
    names = [h.strip() for h in header]
    reader.fieldnames = names
    for name in names:
        if name not in allowed:
            report.errors.append(RowError(1, f"unknown column '{name}'"))
    seen: set[str] = set()
    for name in names:
        if name in seen:
            report.errors.append(RowError(1, f"column '{name}' appears twice"))
        seen.add(name)
    for name in sorted(required - set(names)):
        report.errors.append(RowError(1, f"missing required column '{name}'"))
    return None if report.errors else reader


def raw_rows(reader: csv.DictReader, report: ImportReport) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) pairs with values stripped; rows with extra values are reported.

    Reads the rows from the DictReader's own csv reader as the DictReader would (blank lines
    skipped, a short row's missing cells empty, the line number its ``line_num`` gives) but
    builds one dict per row instead of two: a tenth of a large import's reading."""
    names, lines = reader.fieldnames or [], reader.reader
    width, line = len(names), reader.line_num
    while True:
        try:
            row = next(lines)
            line = lines.line_num  # DictReader's line_num, should a blank line's next read fail
            while not row:
                row = next(lines)
        except StopIteration:
            return
        except (UnicodeDecodeError, csv.Error) as exc:
            report.errors.append(RowError(line + 1, f"unreadable row ({_reason(exc)})"))
            return
        line = lines.line_num
        report.rows += 1
        if len(row) > width:
            report.errors.append(RowError(line, "more values than columns"))
            continue
        values = dict(zip(names, map(str.strip, row), strict=False))  # short: cells missing
        if len(row) < width:
            values |= dict.fromkeys(names[len(row) :], "")
        # one search of the whole row first: control characters are rare, cells many
        if _CONTROL.search("".join(values.values())) and (problems := _control_characters(values)):
            report.errors += [RowError(line, p) for p in problems]
            continue
        yield line, values


def _control_characters(values: dict[str, str]) -> list[str]:
    """A problem per cell that holds a control character (surrounding whitespace, tabs
    included, is trimmed before)."""
    return [
        f"{name} has a control character (U+{ord(found.group()):04X})"
        for name, value in values.items()
        if (found := _CONTROL.search(value))
    ]


def chunks(rows: Iterator[Row], size: int | None = None) -> Iterator[list[Row]]:
    size = size or CHUNK_SIZE  # read when called, so a test can make chunks small
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "the file is not UTF-8 text"
    return str(exc)


def check_length(values: dict[str, Any], limits: dict[str, int], errors: list[str]) -> None:
    for name, limit in limits.items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            errors.append(f"{name} is longer than {limit} characters")


_ROWID = BigInteger().with_variant(Integer, "sqlite")  # SQLite: the rowid itself


class SeenRows:
    """The line on which each row identity of a file first appeared, for reporting repeats.

    Kept in a temporary table (one lookup and one insert per chunk), not in memory, so that
    a file of millions of rows costs no more memory than a file of one chunk. An identity
    is a hash of the row's key (a collision, one in billions of billions, would report a
    repeat that is not one, and refuse the file: never write a wrong row). The table is
    created in the import's transaction: a refused import's rollback removes it, and
    ``drop`` removes it after a successful one.
    """

    def __init__(self, session: Session, name: str) -> None:
        self.session = session
        self.table = Table(
            name,
            MetaData(),
            Column("identity", _ROWID, primary_key=True, autoincrement=False),
            Column("line", Integer, nullable=False),
            prefixes=["TEMPORARY"],
            postgresql_on_commit="DROP",
        )
        self.table.create(session.connection())

    def repeats(self, rows: list[tuple[int, int]]) -> dict[int, int]:
        """For (identity, line) pairs in file order: {line: first line} of each row whose
        identity appeared before (earlier in ``rows`` or in an earlier call); records the
        others as first appearances."""
        first = dict(reversed(rows))  # each identity's first line: the last one set
        earlier = self._record(first)
        if not earlier and len(first) == len(rows):
            return {}
        return {
            line: earlier.get(identity, first[identity])
            for identity, line in rows
            if identity in earlier or first[identity] != line
        }

    def _record(self, first: dict[int, int]) -> dict[int, int]:
        """Record each {identity: line} of ``first`` not recorded before; returns those that
        were, with the line recorded."""
        if not first:
            return {}
        t = self.table
        stored = select(t.c.identity, t.c.line).where(one_of(self.session, t.c.identity, first))
        if self.session.get_bind().dialect.name == "sqlite":
            # One statement when nothing repeats (nearly always): insert what is new, and
            # read the table only when something was not. (COPY, on PostgreSQL, cannot skip.)
            conn = self.session.connection()
            ignoring = insert(t).prefix_with("OR IGNORE").compile(dialect=conn.dialect)
            added = conn.exec_driver_sql(ignoring.string, list(first.items()))
            if added.rowcount == len(first):
                return {}
            return {i: n for i, n in self.session.execute(stored) if n != first[i]}
        earlier = dict(self.session.execute(stored).all())
        new = [i for i in first if i not in earlier]
        insert_columns(self.session, t, {"identity": new, "line": [first[i] for i in new]})
        return earlier

    def drop(self) -> None:
        self.table.drop(self.session.connection())
