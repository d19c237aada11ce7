"""Building engine snapshots from the database, set-based.

Three queries whatever the number of practitioners: practitioners, their modalities and
their credentials, each streamed in practitioner order and merged in Python, so memory
stays flat on large registries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..models import Credential, Practitioner, PractitionerModality
from ..rules import CredentialSnap, PractitionerSnap

P = Practitioner.__table__
C = Credential.__table__
M = PractitionerModality.__table__
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
    P.c.registration_class,
    P.c.registration_expires_on,
    P.c.practising_since,
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
    C.c.verified,
    C.c.revoked,
    C.c.credential_number,
    C.c.verified_at,
)


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
    """The three statements a snapshot load runs (also used by the benchmark baseline)."""
    ids = list(ids) if ids is not None else None
    practitioners = _scoped(select(*PRACTITIONER_COLUMNS), jurisdiction, ids, False)
    modalities = _scoped(select(M.c.practitioner_id, M.c.modality_code), jurisdiction, ids, True)
    credentials = _scoped(select(*CREDENTIAL_COLUMNS), jurisdiction, ids, True)
    return (
        practitioners.order_by(P.c.id),
        modalities.order_by(M.c.practitioner_id, M.c.modality_code),
        credentials.order_by(C.c.practitioner_id, C.c.id),
    )


def iter_snapshots(
    session: Session, jurisdiction: str | None = None, ids: Iterable[int] | None = None
) -> Iterator[PractitionerSnap]:
    """Every practitioner in scope, with modalities and credentials, in id order."""
    conn = session.connection()
    q_p, q_m, q_c = queries(jurisdiction, ids)
    if ids is None:  # stream whole registries; a known set of ids is small enough to fetch
        q_p, q_m, q_c = (q.execution_options(yield_per=BATCH) for q in (q_p, q_m, q_c))
    mods = groupby(conn.execute(q_m), key=lambda r: r[0])
    creds = groupby(conn.execute(q_c), key=lambda r: r[0])
    mod_key, mod_rows = next(mods, (None, ()))
    cred_key, cred_rows = next(creds, (None, ()))
    for row in conn.execute(q_p):
        pid = row[0]
        modalities: tuple[str, ...] = ()
        credentials: tuple[CredentialSnap, ...] = ()
        # Child rows of a practitioner the first statement did not see (written between the
        # statements) are skipped, so they cannot stall the merge for everyone after them.
        while mod_key is not None and mod_key < pid:
            mod_key, mod_rows = next(mods, (None, ()))
        while cred_key is not None and cred_key < pid:
            cred_key, cred_rows = next(creds, (None, ()))
        if mod_key == pid:
            modalities = tuple(r[1] for r in mod_rows)
            mod_key, mod_rows = next(mods, (None, ()))
        if cred_key == pid:
            credentials = tuple(_credential(r) for r in cred_rows)
            cred_key, cred_rows = next(creds, (None, ()))
        yield _practitioner(row, modalities, credentials)


def _credential(r) -> CredentialSnap:
    return CredentialSnap(
        id=r[1],
        credential_type=r[2],
        issued_on=r[3],
        issuer=r[4],
        expires_on=r[5],
        hours=r[6],
        in_person_hours=r[7],
        sessions=r[8],
        verified=bool(r[9]),
        revoked=bool(r[10]),
        credential_number=r[11],
        verified_at=r[12].date() if r[12] is not None else None,
    )


def _practitioner(row, modalities, credentials) -> PractitionerSnap:
    status = row[6]
    return PractitionerSnap(
        id=row[0],
        jurisdiction=row[1],
        profession=row[2],
        registration_number=row[3],
        name=f"{row[4]} {row[5]}",
        registration_status=getattr(status, "value", status),
        status_since=row[7],
        registered_since=row[8],
        registration_class=row[9],
        registration_expires_on=row[10],
        practising_since=row[11],
        modalities=modalities,
        credentials=credentials,
    )


def snapshot_of(session: Session, practitioner_id: int) -> PractitionerSnap | None:
    return next(iter_snapshots(session, ids=[practitioner_id]), None)
