"""Building engine snapshots from the database, set-based.

Four queries whatever the number of practitioners: practitioners, their modalities, their
credentials and the credentials' verification decisions, each streamed in practitioner order
and merged in Python, so memory stays flat on large registries.

Rows are read by column name through ``reader``: an ``itemgetter`` built once from the names,
so a snapshot of a million credentials does not pay for a million attribute lookups.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from itertools import groupby, islice
from operator import itemgetter

from sqlalchemy import Date, Select, String, func, select, type_coerce
from sqlalchemy.orm import Session

from ..models import Credential, CredentialDecision, Practitioner, PractitionerModality
from ..rules import CredentialSnap, Decision, PractitionerSnap
from ..rules.model import make_credential, make_decision, make_practitioner

P = Practitioner.__table__
C = Credential.__table__
M = PractitionerModality.__table__
D = CredentialDecision.__table__
BATCH = 5000  # rows per round trip of a streamed statement
GROUP = 250  # rows copied at a time per statement while merging (5000: +20 MB of peak)

PRACTITIONER_COLUMNS = (
    P.c.id,
    P.c.jurisdiction_code,
    P.c.profession_code,
    P.c.registration_number,
    P.c.given_name,
    P.c.family_name,
    type_coerce(P.c.registration_status, String).label("registration_status"),  # plain text
    P.c.status_since,
    P.c.registered_since,
    P.c.practising_since,
    P.c.registration_class,
    P.c.registration_expires_on,
    P.c.city,
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
    func.date(C.c.created_at, type_=Date).label("entered_on"),  # the day is all it needs
    C.c.entered_by,
)
DECISION_COLUMNS = (
    D.c.practitioner_id,
    D.c.credential_id,
    type_coerce(D.c.status, String).label("status"),  # plain text: no enum per row
    D.c.effective_on,
)


def reader(columns, *names: str):
    """A function giving the values of ``names`` (in that order) of a row of ``columns``."""
    keys = [c.key for c in columns]
    return itemgetter(*(keys.index(n) for n in names))


_PRACTITIONER = reader(
    PRACTITIONER_COLUMNS,
    "id",
    "jurisdiction_code",
    "profession_code",
    "registration_number",
    "given_name",
    "family_name",
    "registration_status",
    "status_since",
    "registered_since",
    "practising_since",
    "registration_class",
    "registration_expires_on",
    "city",
)
_CREDENTIAL = reader(
    CREDENTIAL_COLUMNS,
    "id",
    "credential_type_code",
    "issued_on",
    "issuer",
    "expires_on",
    "hours",
    "in_person_hours",
    "sessions",
    "credential_number",
    "entered_on",
    "entered_by",
)
_DECISION = reader(DECISION_COLUMNS, "credential_id", "status", "effective_on")
_MODALITY = reader((M.c.practitioner_id, M.c.modality_code), "modality_code")
_PRACTITIONER_ID = reader(PRACTITIONER_COLUMNS, "id")


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
    """One child stream (rows led by their ``practitioner_id``, in that order), taken one
    practitioner at a time. Rows of a practitioner missing from the practitioner stream
    (written between the statements) are skipped rather than stalling the merge."""

    def __init__(self, rows: Iterable) -> None:
        self._groups = groupby(rows, key=itemgetter(0))  # every child statement leads with it
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


_PID = itemgetter(0)  # every child statement leads with the practitioner id
_FIRST = itemgetter(0)


class Batches:
    """One child stream (rows led by their ``practitioner_id``, in that order), handed out a
    batch of practitioners at a time: ``upto(last)`` gives the rows of every practitioner id
    up to ``last``. Grouped per batch (``_grouped``) instead of taken per practitioner and
    stream, the merge's cost stays in C (``bisect``, ``groupby``); rows of a practitioner the
    practitioner stream did not see are simply never asked for."""

    def __init__(self, result) -> None:
        self._parts = plain_partitions(result)
        self._rows: list = []
        self._done = False

    def upto(self, last: int) -> list:
        """Every remaining row of a practitioner id up to ``last``, in stream order."""
        rows = self._rows
        while not self._done and (not rows or _PID(rows[-1]) <= last):
            part = next(self._parts, None)
            if part is None:
                self._done = True
            else:
                rows += part
        cut = bisect_right(rows, last, key=_PID)
        self._rows = rows[cut:]
        return rows[:cut]


def plain_partitions(result) -> Iterator[list[tuple]]:
    """The result's rows, GROUP at a time, as plain tuples. The garbage collector watches
    every SQLAlchemy row, and rows made a round trip's worth at a time (``partitions``) live
    through its young collections into the old generation, whose full collections then come
    often (17 of them, 1.7 of 2.5 s, in a load of 100k snapshots). Rows read one by one die
    as they are copied, and a tuple of plain values leaves the collector's watch at once.
    (``fetchmany(GROUP)`` would read as cheaply, but bypasses ``yield_per``'s buffer: a round
    trip to the server per GROUP rows.)"""
    rows = iter(result)
    while part := list(map(tuple, islice(rows, GROUP))):
        yield part


def iter_snapshots(
    session: Session,
    jurisdiction: str | None = None,
    ids: Iterable[int] | None = None,
    *,
    for_evaluate: bool = False,
) -> Iterator[PractitionerSnap]:
    """Every practitioner in scope, with modalities, credentials and decisions, in id order.
    ``for_evaluate``: only as complete as ``rules.evaluate`` needs them, which reads the
    credentials of those who perform a modality alone (an audit; not ``assess``, which
    judges every modality): the others come without their credentials."""
    conn = session.connection()
    statements = queries(jurisdiction, ids)
    if ids is None:  # stream whole registries; a known set of ids is small enough to fetch
        statements = tuple(q.execution_options(yield_per=BATCH) for q in statements)
    q_p, q_m, q_c, q_d = statements
    modalities = Batches(conn.execute(q_m))
    credentials = Batches(conn.execute(q_c))
    decisions = Batches(conn.execute(q_d))
    for rows in plain_partitions(conn.execute(q_p)):
        last = _PRACTITIONER_ID(rows[-1])
        declared = _modalities(modalities.upto(last))
        held, made = _grouped(credentials.upto(last)), _grouped(decisions.upto(last))
        for row in rows:
            (
                pid,
                j,
                prof,
                number,
                given,
                family,
                status,
                since,
                begun,
                practising,
                cls,
                ends,
                city,
            ) = _PRACTITIONER(row)
            performs = declared.get(pid, ())
            creds = (
                _credentials(held.get(pid, ()), made.get(pid))
                if performs or not for_evaluate
                else ()
            )
            yield make_practitioner(  # millions of frozen snapshots: see ``builder``
                j,
                prof,
                number,
                f"{given} {family}",
                status,
                since,
                begun,
                cls,
                ends,
                performs,
                creds,
                pid,
                practising,
                city,
            )


def _grouped(rows: list) -> dict[int, tuple]:
    """Rows per practitioner id, as tuples (which the garbage collector stops watching, see
    ``plain_partitions``). The snapshots are made one practitioner at a time from these, so
    that their objects die young too."""
    return {pid: tuple(group) for pid, group in groupby(rows, _PID)}


def _modalities(rows: list) -> dict[int, tuple[str, ...]]:
    """Modality codes per practitioner id."""
    return {pid: tuple(map(_MODALITY, group)) for pid, group in groupby(rows, _PID)}


def _credentials(rows: Iterable, decisions: tuple | None) -> tuple[CredentialSnap, ...]:
    """One practitioner's credential snapshots, each with its decisions."""
    made = (
        {
            cid: tuple([make_decision(status, on) for _, status, on in group])
            for cid, group in groupby(map(_DECISION, decisions), _FIRST)  # adjacent: see queries
        }
        if decisions
        else _NO_DECISIONS
    )
    get = made.get
    return tuple(
        [
            make_credential(
                kind,
                issued,
                issuer,
                ends,
                hours,
                in_person,
                sessions,
                number,
                cid,
                get(cid, ()),
                on,
                by,
            )
            for cid, kind, issued, issuer, ends, hours, in_person, sessions, number, on, by in (
                map(_CREDENTIAL, rows)
            )
        ]
    )


_NO_DECISIONS: dict[int, tuple[Decision, ...]] = {}


def decisions_by_credential(rows: list) -> dict[int, tuple[Decision, ...]]:
    """Decision rows (in effect order) grouped per credential id."""
    if not rows:
        return _NO_DECISIONS
    out: dict[int, list[Decision]] = {}
    for r in rows:
        cid, status, on = _DECISION(r)
        out.setdefault(cid, []).append(Decision(getattr(status, "value", status), on))
    return {cid: tuple(ds) for cid, ds in out.items()}


def snapshot_of(session: Session, practitioner_id: int) -> PractitionerSnap | None:
    return next(iter_snapshots(session, ids=[practitioner_id]), None)
