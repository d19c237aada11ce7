"""The public search's statements: built once per *shape* of search (which criteria it has),
with parameters for its values, and cached (building and compiling them for every search was
a third of an uncached search's time).

Names and numbers are matched by prefix through the case-insensitive indexes of
``models.folding``; a search by name or number ranks exact matches first. A ``modality``
filter ("may perform") reads the verdict store's current rows (``read.stored``), and a
search by filters alone counts those from the authorized rows' own indexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    or_,
    select,
)

from ..models import Practitioner, StoredVerdict
from ..models.folding import fold_text, folded
from .params import SearchQuery
from .stored import authorized_rows, may_today

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


@dataclass(frozen=True)
class Shape:
    """Which criteria a search has: its statements depend on nothing else."""

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
