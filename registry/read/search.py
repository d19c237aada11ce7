"""The public search: set-based candidate queries, and verdicts for one page.

Contract: SQL narrows, counts and pages the results (name prefix, registration number, city,
jurisdiction, profession), using the case-insensitive indexes of ``models.folding``. A
``modality`` filter ("may perform") means *declares the modality and is authorized for it
today*, read from the verdict store's current rows (``read.stored.may_today``); the page's
verdicts come from the store too, with the engine only for rows the store does not hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, case, exists, false, func, literal, or_, select
from sqlalchemy.orm import Session

from ..models import Jurisdiction, Practitioner, Profession
from ..models.folding import fold_text, folded
from .cache import cached
from .params import SearchQuery, known_codes, parse_search
from .stored import may_today, verdicts_today

P = Practitioner
ORDER = (folded(P.family_key), folded(P.given_key), P.id)
ROW_COLUMNS = (
    P.id,
    P.jurisdiction_code.label("jurisdiction"),
    P.profession_code.label("profession"),
    P.registration_number,
    P.given_name,
    P.family_name,
    P.registration_status,
    P.registration_class,
    P.city,
)


def _prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def starts_with(column, text: str) -> ColumnElement[bool]:
    return folded(column).like(folded(literal(_prefix(text))), escape="\\")


def equals(column, text: str) -> ColumnElement[bool]:
    return folded(column) == folded(literal(text))


def name_matches(text: str) -> ColumnElement[bool]:
    """Family or given name starting with ``text``, or "given family" prefixes; accents and
    case ignored ("levesque" finds "Lévesque", "CHLOE" finds "Chloé"), each served by an
    index on the stored folded names."""
    key = fold_text(text).strip()
    terms = [starts_with(P.family_key, key), starts_with(P.given_key, key)]
    first, _, rest = key.partition(" ")
    if rest.strip():
        terms.append(and_(starts_with(P.given_key, first), starts_with(P.family_key, rest.strip())))
    return or_(*terms)


def name_or_number(q: str) -> ColumnElement[bool]:
    """``name_matches(q)``, or a registration number starting with ``q`` (case-insensitive:
    "1015" finds nothing unless a number starts so, "ab-10" finds AB-1001...)."""
    return or_(name_matches(q), starts_with(P.registration_number, q.strip()))


def ranked(q: str | None) -> tuple:
    """The result order: for a search by name or number, exact matches first (the number
    itself, the family name, "given family"), then by family and given name."""
    if not q:
        return ORDER
    key = fold_text(q).strip()
    first, _, rest = key.partition(" ")
    exact = or_(
        equals(P.registration_number, q.strip()),
        P.family_key == key,
        and_(P.given_key == first, P.family_key == rest.strip()) if rest.strip() else false(),
    )
    return (case((exact, 0), else_=1), *ORDER)


def conditions(search: SearchQuery, today: date) -> list:
    conds: list = []
    if search.q:
        conds.append(name_or_number(search.q))
    if search.jurisdiction:
        # With a name or number, its own indexes narrow best; written so, the jurisdiction
        # cannot pull SQLite onto the registration key's index (13,000 rows for a province).
        column = P.jurisdiction_code.concat("") if search.q else P.jurisdiction_code
        conds.append(column == search.jurisdiction)
    if search.profession:
        conds.append(P.profession_code == search.profession)
    if search.city:
        conds.append(equals(P.city, search.city))
    if search.modality:
        conds.append(may_today(search.modality, today))
    return conds


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


def _hits(
    session: Session, where: list, limit: int, offset: int, order, windowed: bool
) -> tuple[list[Hit], int | None]:
    """The rows of a page and, ``windowed``, the number of all matching rows with them (a
    window count: the rows are found and sorted once, not once to count and again to page);
    else the total is None."""
    columns = (*ROW_COLUMNS, func.count().over().label("total")) if windowed else ROW_COLUMNS
    query = select(*columns).where(*where).order_by(*order).limit(limit).offset(offset)
    hits, total = [], None
    for r in session.execute(query):
        values = dict(r._mapping)
        total = values.pop("total", None)
        status = values["registration_status"]
        values["registration_status"] = getattr(status, "value", status)
        hits.append(Hit(**values))
    return hits, total


def run_search(
    session: Session, search: SearchQuery, page_size: int, today: date, with_status: bool = True
) -> Results:
    """The requested page of results and the total, counted and paged in SQL (a modality
    filter reads the verdict store); verdicts only for that page's rows.

    A search by name or number sorts its matches by rank, so it counts them as it goes: one
    statement (two for a page past the end). A search by filters alone lists people in name
    order, which the browse indexes hold: it counts (from an index) and reads the page off
    one, so neither sorts thousands of rows."""
    where = conditions(search, today)
    offset = (search.page - 1) * page_size
    order = ranked(search.q)

    def count() -> int:
        return session.scalar(select(func.count()).select_from(P).where(*where)) or 0

    if search.q:
        hits, total = _hits(session, where, page_size, offset, order, windowed=True)
        total = count() if total is None else total
    else:
        total = count()
        hits = _hits(session, where, page_size, offset, order, False)[0] if offset < total else []
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
