"""The public search: set-based candidate queries, and statuses for one page.

Contract: SQL narrows and counts the candidates (name prefix, registration number, city,
jurisdiction, profession), using the case-insensitive indexes of ``models.folding``; the rules
engine runs only for the page's rows. A ``modality`` filter ("may perform") is the exception:
it means *declares the modality and is authorized for it today* (``PractitionerStatus.may``),
which only the engine can say, so the SQL-narrowed candidates are evaluated in chunks to
filter and count them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, false, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from ..models import (
    Jurisdiction,
    Practitioner,
    PractitionerModality,
    Profession,
    RegistrationStatus,
)
from ..models.folding import folded
from ..rules import PractitionerSnap, RuleBook, authorization
from ..rules.model import MODALITY_ORDER
from .cache import cached
from .params import SearchQuery, known_codes, parse_search
from .rulebook import current_rule_book
from .snapshots import iter_snapshots
from .verdicts import PractitionerStatus, statuses

P = Practitioner
CHUNK = 2000  # practitioners loaded and evaluated at a time under a modality filter
ORDER = (folded(P.family_name), folded(P.given_name), P.id)
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
    """Family or given name starting with ``text``, or "given family" prefixes; all
    case-insensitive (for ASCII letters only on SQLite) and each served by an index."""
    terms = [starts_with(P.family_name, text), starts_with(P.given_name, text)]
    first, _, rest = text.partition(" ")
    if rest:
        terms.append(and_(starts_with(P.given_name, first), starts_with(P.family_name, rest)))
    return or_(*terms)


def name_or_number(q: str) -> ColumnElement[bool]:
    """``name_matches(q)``, or exactly the registration number (case-insensitive)."""
    return or_(name_matches(q), equals(P.registration_number, q))


def may_perform_candidates(modality: str, book: RuleBook, today: date) -> list:
    """Necessary conditions for ``may(modality)`` today, in SQL: the practitioner declares it,
    a rule in force permits it for their jurisdiction and profession, and their registration
    is not inactive (CONTRACT §5.1). The engine still decides each candidate."""
    pairs = sorted(
        {
            (r.jurisdiction, r.profession)
            for r in book.rules
            if modality in r.modalities and r.permitted and r.in_force(today)
        }
    )
    if not pairs:
        return [false()]
    M = PractitionerModality
    return [
        exists().where(M.practitioner_id == P.id, M.modality_code == modality),
        tuple_(P.jurisdiction_code, P.profession_code).in_(pairs),
        P.registered_since <= today,
        or_(P.registration_expires_on.is_(None), P.registration_expires_on >= today),
        or_(P.registration_status == RegistrationStatus.ACTIVE, P.status_since > today),
    ]


def conditions(search: SearchQuery, book: RuleBook, today: date) -> list:
    conds: list = []
    if search.q:
        conds.append(name_or_number(search.q))
    if search.jurisdiction:
        conds.append(P.jurisdiction_code == search.jurisdiction)
    if search.profession:
        conds.append(P.profession_code == search.profession)
    if search.city:
        conds.append(equals(P.city, search.city))
    if search.modality:
        conds += may_perform_candidates(search.modality, book, today)
    return conds


@dataclass
class Hit:
    """One result row: public columns only, and the status when it was computed."""

    id: int
    jurisdiction: str
    profession: str
    registration_number: str
    given_name: str
    family_name: str
    registration_status: str
    registration_class: str | None
    city: str | None
    status: PractitionerStatus | None = None

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def declared(self) -> list[str]:
        snap = self.status.snap if self.status else None
        return [m for m in MODALITY_ORDER if snap and m in snap.modalities]


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


def _hits(session: Session, where: list, limit: int | None = None, offset: int = 0) -> list[Hit]:
    query = select(*ROW_COLUMNS).where(*where).order_by(*ORDER)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    hits = []
    for r in session.execute(query):
        values = dict(r._mapping)
        status = values["registration_status"]
        values["registration_status"] = getattr(status, "value", status)
        hits.append(Hit(**values))
    return hits


def run_search(
    session: Session, search: SearchQuery, page_size: int, today: date, with_status: bool = True
) -> Results:
    """The requested page of results and the total; statuses only for that page's rows."""
    book = current_rule_book(session) if search.modality or with_status else RuleBook([])
    where = conditions(search, book, today)
    if search.modality:
        return _authorized_results(session, search, where, book, page_size, today)
    total = session.scalar(select(func.count()).select_from(P).where(*where)) or 0
    results = Results(search, total, page_size)
    if not results.page_exists or total == 0:
        return results
    results.hits = _hits(session, where, page_size, (search.page - 1) * page_size)
    if with_status:
        found = statuses(session, [h.id for h in results.hits], today, book=book)
        for hit in results.hits:
            hit.status = found.get(hit.id)
    return results


def may(snap: PractitionerSnap, book: RuleBook, today: date, modality: str) -> bool:
    """``PractitionerStatus.may(modality)``, evaluating that one modality only (a filter over
    thousands of candidates need not explain the other two)."""
    return authorization(snap, book, today, modality).authorized


def _authorized_ids(
    session: Session, ids: list[int], book: RuleBook, today: date, modality: str
) -> Iterator[int]:
    """The ids that may perform ``modality`` today, in the order of ``ids``, loading and
    evaluating CHUNK practitioners at a time (four queries per chunk)."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        allowed = {
            s.id for s in iter_snapshots(session, ids=chunk) if may(s, book, today, modality)
        }
        yield from (pid for pid in chunk if pid in allowed)


def _authorized_results(
    session: Session, search: SearchQuery, where: list, book: RuleBook, page_size: int, today: date
) -> Results:
    candidates = list(session.scalars(select(P.id).where(*where).order_by(*ORDER)))
    first = (search.page - 1) * page_size
    total, page = 0, []
    for pid in _authorized_ids(session, candidates, book, today, search.modality):
        if first <= total < first + page_size:
            page.append(pid)
        total += 1
    results = Results(search, total, page_size)
    if page:
        found = statuses(session, page, today, book=book)
        results.hits = _hits(session, [P.id.in_(page)])
        for hit in results.hits:
            hit.status = found.get(hit.id)
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
