"""The public search: set-based candidate queries, and verdicts for one page.

Contract: SQL narrows, counts and pages the results (name prefix, registration number, city,
jurisdiction, profession), using the case-insensitive indexes of ``models.folding``. A
``modality`` filter ("may perform") means *declares the modality and is authorized for it
today*, read from the verdict store's current rows (``read.stored.may_today``); the page's
verdicts come from the store too, with the engine only for rows the store does not hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date

from sqlalchemy import Connection, Select, exists, select
from sqlalchemy.orm import Session

from ..models import Jurisdiction, Practitioner, Profession
from .cache import cached
from .params import SearchQuery, known_codes, parse_search
from .search_sql import ROW_COLUMNS, parameters, shape_of, statement
from .snapshots import reader
from .stored import verdicts_today

P = Practitioner


@dataclass
class Hit:
    """One result row: public columns only, and today's verdict of each declared modality
    when it was asked for."""

    id: int
    jurisdiction: str
    profession: str
    registration_number: str
    given_name: str
    family_name: str
    registration_status: str
    registration_class: str | None
    city: str | None
    verdicts: dict[str, str] = field(default_factory=dict)  # declared modality -> verdict

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def declared(self) -> list[str]:
        return list(self.verdicts)


@dataclass
class Results:
    search: SearchQuery
    total: int
    page_size: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def page_exists(self) -> bool:
        return self.search.page <= self.pages


# A row's values in the order of Hit's fields, taken by name.
_HIT = reader(ROW_COLUMNS, *(f.name for f in fields(Hit) if f.name != "verdicts"))


def _hits(connection: Connection, query: Select, values: dict) -> tuple[list[Hit], int | None]:
    """The rows of a page and, for a windowed query, the number of all matching rows with
    them (the rows are found and sorted once, not once to count and again to page)."""
    hits, total = [], None
    for row in connection.execute(query, values):
        hit = Hit(*_HIT(row))
        hit.registration_status = getattr(hit.registration_status, "value", hit.registration_status)
        hits.append(hit)
        total = row._mapping.get("total")
    return hits, total


def run_search(
    session: Session, search: SearchQuery, page_size: int, today: date, with_status: bool = True
) -> Results:
    """The requested page of results and the total, counted and paged in SQL (a modality
    filter reads the verdict store); verdicts only for that page's rows.

    A search by name or number sorts its matches by rank, so it counts them as it goes: one
    statement (two for a page past the end). A search by filters alone lists people in name
    order, which the browse indexes hold: it counts (from an index; with "may perform", from
    the authorized stored rows' own) and reads the page off one, so neither sorts thousands
    of rows. The statements run on the session's connection: what they read is what the
    session has flushed (these are read-only pages)."""
    shape = shape_of(search)
    offset = (search.page - 1) * page_size
    values = parameters(search, today, page_size, offset)
    connection = session.connection()

    def count() -> int:
        return connection.execute(statement(shape, "count"), values).scalar() or 0

    if search.q:
        hits, total = _hits(connection, statement(shape, "counted page"), values)
        total = count() if total is None else total
    else:
        total = count()
        hits = _hits(connection, statement(shape, "page"), values)[0] if offset < total else []
    results = Results(search, total, page_size, hits)
    if with_status and hits:
        found = verdicts_today(session, [h.id for h in hits], today)
        for hit in hits:
            hit.verdicts = found.get(hit.id, {})
    return results


def choices(session: Session) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The search form's jurisdiction and profession options."""
    return jurisdiction_choices(session), profession_choices(session)


def jurisdiction_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the jurisdictions with at least one practitioner, by name."""
    has_people = exists().where(P.jurisdiction_code == Jurisdiction.code)
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.name).where(has_people).order_by(Jurisdiction.name)
    )
    return [tuple(r) for r in rows]


def profession_choices(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(select(Profession.code, Profession.name).order_by(Profession.name))
    return [tuple(r) for r in rows]


def read_search(session: Session, args: Mapping[str, str]) -> SearchQuery:
    """Search parameters from a query string (QueryError when bad), checked against the
    cached lists of codes."""
    codes = cached(session, "codes", lambda: known_codes(session))
    return parse_search(args, *codes)
