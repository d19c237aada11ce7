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

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from ..models import Jurisdiction, Practitioner, Profession, StoredVerdict
from ..models.folding import fold_text, folded
from .cache import cached
from .params import SearchQuery, known_codes, parse_search
from .stored import authorized_rows, may_today, verdicts_today

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


def _like(column, pattern) -> ColumnElement[bool]:
    return folded(column).like(folded(pattern), escape="\\")


def starts_with(column, text: str) -> ColumnElement[bool]:
    return _like(column, literal(_prefix(text)))


def equals(column, text: str) -> ColumnElement[bool]:
    return folded(column) == folded(literal(text))


def _name_terms(name, first, rest) -> list[ColumnElement[bool]]:
    """Family or given name starting with ``name``, or given name starting with ``first``
    and family name with ``rest`` (patterns, as literals or parameters; ``rest`` None for a
    one-word search)."""
    terms = [_like(P.family_key, name), _like(P.given_key, name)]
    if rest is not None:
        terms.append(and_(_like(P.given_key, first), _like(P.family_key, rest)))
    return terms


def name_matches(text: str) -> ColumnElement[bool]:
    """Family or given name starting with ``text``, or "given family" prefixes; accents and
    case ignored ("levesque" finds "Lévesque", "CHLOE" finds "Chloé"), each served by an
    index on the stored folded names."""
    key = fold_text(text).strip()
    first, _, rest = key.partition(" ")
    rest = literal(_prefix(rest.strip())) if rest.strip() else None
    return or_(*_name_terms(literal(_prefix(key)), literal(_prefix(first)), rest))


# A search's statements are built once per *shape* (which criteria it has) with parameters,
# and run on the session's connection: building and compiling them for every search was a
# third of an uncached search's time.
@dataclass(frozen=True)
class Shape:
    q: bool
    words: bool  # "given family": the query has a second word
    jurisdiction: bool
    profession: bool
    city: bool
    modality: bool


def _words(q: str) -> tuple[str, str, str]:
    key = fold_text(q).strip()
    first, _, rest = key.partition(" ")
    return key, first, rest.strip()


def shape_of(search: SearchQuery) -> Shape:
    return Shape(
        q=bool(search.q),
        words=bool(search.q and _words(search.q)[2]),
        jurisdiction=bool(search.jurisdiction),
        profession=bool(search.profession),
        city=bool(search.city),
        modality=bool(search.modality),
    )


def parameters(search: SearchQuery, today: date, limit: int, offset: int) -> dict:
    """The values of a search's statement parameters (those its shape does not use are
    ignored)."""
    key, first, rest = _words(search.q)
    number = search.q.strip()
    return {
        "name": _prefix(key),
        "first": _prefix(first),
        "rest": _prefix(rest),
        "number": _prefix(number),
        "exact_number": number,
        "exact_name": key,
        "exact_first": first,
        "exact_rest": rest,
        "jurisdiction": search.jurisdiction,
        "profession": search.profession,
        "city": search.city,
        "modality": search.modality,
        "today": today,
        "limit": limit,
        "offset": offset,
    }


def _where(shape: Shape) -> list:
    conds: list = []
    if shape.q:
        rest = bindparam("rest", type_=String) if shape.words else None
        names = _name_terms(bindparam("name", type_=String), bindparam("first", type_=String), rest)
        conds.append(or_(*names, _like(P.registration_number, bindparam("number", type_=String))))
    if shape.jurisdiction:
        # With a name or number, its own indexes narrow best; written so, the jurisdiction
        # cannot pull SQLite onto the registration key's index (13,000 rows for a province).
        column = P.jurisdiction_code.concat("") if shape.q else P.jurisdiction_code
        conds.append(column == bindparam("jurisdiction", type_=String))
    if shape.profession:
        conds.append(P.profession_code == bindparam("profession", type_=String))
    if shape.city:
        conds.append(folded(P.city) == folded(bindparam("city", type_=String)))
    if shape.modality:
        conds.append(may_today(bindparam("modality", type_=String), bindparam("today", type_=Date)))
    return conds


def _order(shape: Shape) -> tuple:
    """The result order: for a search by name or number, exact matches first (the number
    itself, the family name, "given family"), then by family and given name."""
    if not shape.q:
        return ORDER
    exact = or_(
        folded(P.registration_number) == folded(bindparam("exact_number", type_=String)),
        P.family_key == bindparam("exact_name", type_=String),
        and_(
            P.given_key == bindparam("exact_first", type_=String),
            P.family_key == bindparam("exact_rest", type_=String),
        )
        if shape.words
        else false(),
    )
    return (case((exact, 0), else_=1), *ORDER)


def _authorized_count(shape: Shape) -> Select:
    """How many may perform the modality, within the other filters, counted from the
    authorized stored rows (which carry their practitioner's jurisdiction, profession and
    city): the same number as counting practitioners with ``may_today``, read off an index
    of authorized rows instead of one look-up per practitioner of a province or city."""
    V = StoredVerdict
    modality, today = bindparam("modality", type_=String), bindparam("today", type_=Date)
    where = authorized_rows(modality, today)
    if shape.jurisdiction:
        where.append(V.jurisdiction_code == bindparam("jurisdiction", type_=String))
    if shape.profession:
        where.append(V.profession_code == bindparam("profession", type_=String))
    if shape.city:
        where.append(folded(V.city) == folded(bindparam("city", type_=String)))
    return select(func.count()).select_from(V).where(*where)


_STATEMENTS: dict[tuple[Shape, str], Select] = {}


def statement(shape: Shape, kind: str) -> Select:
    """``kind``: "count" (matches), "page" (a page's rows) or "counted page" (with the
    number of all matches on each row: a window count)."""
    found = _STATEMENTS.get((shape, kind))
    if found is None:
        where = _where(shape)
        if kind == "count" and shape.modality and not shape.q:
            found = _authorized_count(shape)
        elif kind == "count":
            found = select(func.count()).select_from(P).where(*where)
        else:
            windowed = (func.count().over().label("total"),) if kind == "counted page" else ()
            found = (
                select(*ROW_COLUMNS, *windowed)
                .where(*where)
                .order_by(*_order(shape))
                .limit(bindparam("limit", type_=Integer))
                .offset(bindparam("offset", type_=Integer))
            )
        _STATEMENTS[(shape, kind)] = found
    return found


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


def _hits(connection: Connection, query: Select, values: dict) -> tuple[list[Hit], int | None]:
    """The rows of a page and, for a windowed query, the number of all matching rows with
    them (the rows are found and sorted once, not once to count and again to page)."""
    hits, total = [], None
    for row in connection.execute(query, values):
        *columns, status, cls, city = row[: len(ROW_COLUMNS)]
        hits.append(Hit(*columns, getattr(status, "value", status), cls, city))
        total = row[len(ROW_COLUMNS)] if len(row) > len(ROW_COLUMNS) else None
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
