"""Building engine snapshots from the database, set-based.

Four queries whatever the number of practitioners: practitioners, their modalities, their
credentials and the credentials' verification decisions, each streamed in practitioner order
and merged in Python, so memory stays flat on large registries. Rows are read by column name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import attrgetter

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..models import Credential, CredentialDecision, Practitioner, PractitionerModality
from ..rules import CredentialSnap, Decision, PractitionerSnap

P = Practitioner.__table__
C = Credential.__table__
M = PractitionerModality.__table__
D = CredentialDecision.__table__
BATCH = 5000

PRACTITIONER_COLUMNS = (
    P.c.id,
    P.c.jurisdiction_code,
    P.c.profession_code,
    P.c.registration_number,
    P.c.given_name,
    P.c.family_name,
    P.c.registration_status,
    P.c.status_since,
    P.c.registered_since,
    P.c.practising_since,
    P.c.registration_class,
    P.c.registration_expires_on,
)
CREDENTIAL_COLUMNS = (
    C.c.practitioner_id,
    C.c.id,
    C.c.credential_type_code,
    C.c.issued_on,
    C.c.issuer,
    C.c.expires_on,
    C.c.hours,
    C.c.in_person_hours,
    C.c.sessions,
    C.c.credential_number,
    C.c.created_at,
    C.c.entered_by,
)
DECISION_COLUMNS = (D.c.practitioner_id, D.c.credential_id, D.c.status, D.c.effective_on)


def _scoped(
    query: Select, jurisdiction: str | None, ids: Iterable[int] | None, joined: bool
) -> Select:
    """Limit a snapshot query to a jurisdiction and/or practitioner ids. Child tables are
    filtered on their own practitioner_id (an index lookup) rather than through a join, which
    PostgreSQL would otherwise answer by hashing every credential."""
    practitioner_id = query.selected_columns[0] if joined else P.c.id
    if jurisdiction:
        if joined:
            query = query.join(P, P.c.id == practitioner_id)
        query = query.where(P.c.jurisdiction_code == jurisdiction)
    if ids is not None:
        query = query.where(practitioner_id.in_(list(ids)))
    return query


def queries(jurisdiction: str | None = None, ids: Iterable[int] | None = None):
    """The four statements a snapshot load runs (also used by the benchmark baseline)."""
    ids = list(ids) if ids is not None else None
    practitioners = _scoped(select(*PRACTITIONER_COLUMNS), jurisdiction, ids, False)
    modalities = _scoped(select(M.c.practitioner_id, M.c.modality_code), jurisdiction, ids, True)
    credentials = _scoped(select(*CREDENTIAL_COLUMNS), jurisdiction, ids, True)
    decisions = _scoped(select(*DECISION_COLUMNS), jurisdiction, ids, True)
    return (
        practitioners.order_by(P.c.id),
        modalities.order_by(M.c.practitioner_id, M.c.modality_code),
        credentials.order_by(C.c.practitioner_id, C.c.id),
        decisions.order_by(D.c.practitioner_id, D.c.credential_id, D.c.effective_on, D.c.id),
    )


class Children:
    """One child stream (rows with a ``practitioner_id``, in that order), taken one
    practitioner at a time. Rows of a practitioner missing from the practitioner stream
    (written between the statements) are skipped rather than stalling the merge."""

    def __init__(self, rows: Iterable) -> None:
        self._groups = groupby(rows, key=attrgetter("practitioner_id"))
        self._next()

    def _next(self) -> None:
        self._key, self._rows = next(self._groups, (None, iter(())))

    def take(self, pid: int) -> list:
        while self._key is not None and self._key < pid:
            self._next()
        if self._key != pid:
            return []
        rows = list(self._rows)
        self._next()
        return rows


def iter_snapshots(
    session: Session, jurisdiction: str | None = None, ids: Iterable[int] | None = None
) -> Iterator[PractitionerSnap]:
    """Every practitioner in scope, with modalities, credentials and decisions, in id order."""
    conn = session.connection()
    statements = queries(jurisdiction, ids)
    if ids is None:  # stream whole registries; a known set of ids is small enough to fetch
        statements = tuple(q.execution_options(yield_per=BATCH) for q in statements)
    q_p, q_m, q_c, q_d = statements
    modalities = Children(conn.execute(q_m))
    credentials = Children(conn.execute(q_c))
    decisions = Children(conn.execute(q_d))
    for row in conn.execute(q_p):
        pid = row.id
        made = decisions_by_credential(decisions.take(pid))
        yield _practitioner(
            row,
            tuple(m.modality_code for m in modalities.take(pid)),
            tuple(_credential(c, made.get(c.id, ())) for c in credentials.take(pid)),
        )


def decisions_by_credential(rows: Iterable) -> dict[int, tuple[Decision, ...]]:
    """Decision rows (in effect order) grouped per credential id."""
    out: dict[int, list[Decision]] = {}
    for r in rows:
        status = getattr(r.status, "value", r.status)
        out.setdefault(r.credential_id, []).append(Decision(status, r.effective_on))
    return {cid: tuple(ds) for cid, ds in out.items()}


def _credential(r, decisions: tuple[Decision, ...]) -> CredentialSnap:
    return CredentialSnap(
        id=r.id,
        credential_type=r.credential_type_code,
        issued_on=r.issued_on,
        issuer=r.issuer,
        expires_on=r.expires_on,
        hours=r.hours,
        in_person_hours=r.in_person_hours,
        sessions=r.sessions,
        credential_number=r.credential_number,
        decisions=decisions,
        entered_on=r.created_at.date() if r.created_at is not None else None,
        entered_by=r.entered_by,
    )


def _practitioner(row, modalities, credentials) -> PractitionerSnap:
    status = row.registration_status
    return PractitionerSnap(
        id=row.id,
        jurisdiction=row.jurisdiction_code,
        profession=row.profession_code,
        registration_number=row.registration_number,
        name=f"{row.given_name} {row.family_name}",
        registration_status=getattr(status, "value", status),
        status_since=row.status_since,
        registered_since=row.registered_since,
        practising_since=row.practising_since,
        registration_class=row.registration_class,
        registration_expires_on=row.registration_expires_on,
        modalities=modalities,
        credentials=credentials,
    )


def snapshot_of(session: Session, practitioner_id: int) -> PractitionerSnap | None:
    return next(iter_snapshots(session, ids=[practitioner_id]), None)
