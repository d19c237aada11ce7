"""What the FHIR face reads: public columns only, set-based.

A search page costs three queries whatever its size (the count, the page, the page's
credentials); a read costs two. Names and registration numbers are matched through the
case-insensitive indexes of ``models.folding``, as the public search does. Email, phone and
notes, and a credential's verification note, verifier, evidence and revocation details, are
never selected.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from ..models import (
    WITHDRAWN_STATUSES,
    Credential,
    CredentialType,
    Jurisdiction,
    Practitioner,
    Profession,
    VerificationStatus,
)
from ..read.search_sql import ORDER, equals, name_matches
from .params import PractitionerSearch, alternatives

P, C = Practitioner, Credential
ROW_COLUMNS = (
    P.id,
    P.jurisdiction_code,
    Jurisdiction.name.label("jurisdiction_name"),
    P.profession_code,
    Profession.name.label("profession_name"),
    P.registration_number,
    P.given_name,
    P.family_name,
    P.registration_status,
    P.status_since,
    P.registration_class,
    P.registered_since,
    P.registration_expires_on,
    P.city,
)
CREDENTIAL_COLUMNS = (
    C.practitioner_id,
    C.credential_type_code,
    CredentialType.name.label("type_name"),
    C.issuer,
    C.credential_number,
    C.issued_on,
    C.expires_on,
    C.verification_status,
)


@dataclass(frozen=True)
class PublicCredentialRow:
    type_code: str
    type_name: str
    issuer: str
    number: str
    issued_on: date
    expires_on: date | None
    verification: str  # pending or verified: rejected and revoked ones are left out

    @property
    def verified(self) -> bool:
        return self.verification == VerificationStatus.VERIFIED


@dataclass(frozen=True)
class PractitionerRow:
    id: int
    jurisdiction: str
    jurisdiction_name: str
    profession: str
    profession_name: str
    registration_number: str
    given_name: str
    family_name: str
    registration_status: str
    status_since: date
    registration_class: str | None
    registered_since: date
    registration_expires_on: date | None
    city: str | None
    credentials: tuple[PublicCredentialRow, ...] = ()


@dataclass(frozen=True)
class Page:
    total: int
    rows: list[PractitionerRow]


def registration_system_prefix(base: str) -> str:
    return f"{base}/fhir/sid/registration/"


def identifier_matches(token: str, base: str) -> ColumnElement[bool]:
    """FHIR token search on the registration number: ``value``, ``system|value`` or
    ``system|``; a system that is not one of ours (or ``|value``, no system) matches nothing."""
    if "|" not in token:
        return equals(P.registration_number, token)
    system, _, value = token.partition("|")
    prefix = registration_system_prefix(base)
    parts = system.removeprefix(prefix).split("/") if system.startswith(prefix) else []
    if len(parts) != 2 or not all(parts):
        return false()
    conds = [P.jurisdiction_code == parts[0], P.profession_code == parts[1]]
    if value:
        conds.append(equals(P.registration_number, value))
    return and_(*conds)


def conditions(search: PractitionerSearch, base: str) -> list[ColumnElement[bool]]:
    conds = [or_(*[name_matches(v) for v in alternatives(n)]) for n in search.names]
    conds += [
        or_(*[identifier_matches(v, base) for v in alternatives(i)]) for i in search.identifiers
    ]
    return conds


def _rows(session: Session, query) -> list[PractitionerRow]:
    query = query.join(Jurisdiction, Jurisdiction.code == P.jurisdiction_code).join(
        Profession, Profession.code == P.profession_code
    )
    rows = []
    for r in session.execute(query):
        values = list(r)
        values[8] = getattr(values[8], "value", values[8])
        rows.append(PractitionerRow(*values))
    return rows


def _with_credentials(session: Session, rows: list[PractitionerRow]) -> list[PractitionerRow]:
    """The rows with their credentials that count (one query), by type then newest first: a
    rejected or revoked credential is no qualification, current or past."""
    if not rows:
        return rows
    found: dict[int, list[PublicCredentialRow]] = defaultdict(list)
    query = (
        select(*CREDENTIAL_COLUMNS)
        .join(CredentialType, CredentialType.code == C.credential_type_code)
        .where(
            C.practitioner_id.in_([r.id for r in rows]),
            C.verification_status.notin_(WITHDRAWN_STATUSES),
        )
        .order_by(C.practitioner_id, C.credential_type_code, C.issued_on.desc(), C.id)
    )
    for c in session.execute(query):
        found[c.practitioner_id].append(
            PublicCredentialRow(
                type_code=c.credential_type_code,
                type_name=c.type_name,
                issuer=c.issuer,
                number=c.credential_number,
                issued_on=c.issued_on,
                expires_on=c.expires_on,
                verification=getattr(c.verification_status, "value", c.verification_status),
            )
        )
    return [replace(r, credentials=tuple(found[r.id])) for r in rows]


def search_page(session: Session, search: PractitionerSearch, base: str) -> Page:
    """The total and the requested page (none when ``_count`` is 0 or past the end)."""
    where = conditions(search, base)
    total = session.scalar(select(func.count()).select_from(P).where(*where)) or 0
    if search.count == 0 or search.offset >= total:
        return Page(total, [])
    query = select(*ROW_COLUMNS).where(*where).order_by(*ORDER)
    rows = _rows(session, query.limit(search.count).offset(search.offset))
    return Page(total, _with_credentials(session, rows))


def practitioner_row(session: Session, practitioner_id: int) -> PractitionerRow | None:
    rows = _rows(session, select(*ROW_COLUMNS).where(P.id == practitioner_id))
    return _with_credentials(session, rows)[0] if rows else None


def code_rows(session: Session, model) -> list[tuple[str, str]]:
    """(code, name) of a code table (``CredentialType``, ``Profession``), by code (sorted
    here, so the order is the same whatever the database's collation)."""
    return sorted((r[0], r[1]) for r in session.execute(select(model.code, model.name)))
