"""Case-folded text for indexed, case-insensitive search on both SQLite and PostgreSQL.

``folded(column)`` is one SQL expression that each database can index and search by prefix:

- SQLite: ``column COLLATE NOCASE``. An index on it is a plain column index (SQLite reflects it,
  so autogenerate and batch migrations keep it), and ``LIKE 'smi%'`` uses it because SQLite's
  LIKE is case-insensitive.
- PostgreSQL: ``lower(column)``. Indexed with ``text_pattern_ops`` (``pattern_ops``) so
  ``LIKE 'smi%'`` uses the index whatever the database's collation.

Callers fold both sides: ``folded(c).like(folded(literal('Smi%')))``, ``folded(c) ==
folded(literal(value))``; an index still serves them (PostgreSQL folds ``lower('Smi%')`` when it
plans; SQLite looks through the COLLATE). SQLite folds ASCII letters only, so names are
searched through stored keys folded in Python (``fold_text``: accents dropped, case folded),
which both databases then index the same way.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

# Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"})


def fold_text(text: str | None) -> str:
    """A name as people type it: without accents, case-folded ('Lévesque' -> 'levesque',
    'Chloé' -> 'chloe', 'Øster' -> 'oster'). Stored beside each name (``family_key``,
    ``given_key``) and applied to what is searched, so both databases match alike."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.translate(_LETTERS)


def name_keys(given_name: str | None, family_name: str | None) -> dict[str, str]:
    """The folded search keys of a name, as column values."""
    return {"given_key": fold_text(given_name), "family_key": fold_text(family_name)}


class folded(ColumnElement[str]):  # noqa: N801 (reads like the SQL function it stands for)
    """A text column folded to lower case, in the form each database indexes."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]
    type = String()

    def __init__(self, column: Any) -> None:
        self.column = column
        # postgresql_ops on an Index is keyed by its expressions' ``key``.
        self.key = f"folded_{getattr(column, 'key', 'value')}"


def pattern_ops(*columns: Any) -> dict[str, str]:
    """``postgresql_ops`` for an index on ``folded`` columns searched with LIKE prefixes."""
    return {f"folded_{c.key}": "text_pattern_ops" for c in columns}


@compiles(folded)
def _fold_default(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.column, **kw)})"


@compiles(folded, "sqlite")
def _fold_sqlite(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} COLLATE NOCASE"
