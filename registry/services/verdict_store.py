"""Keeping the verdict store (``models.StoredVerdict``) equal to a full evaluation.

Every write that can change a verdict refreshes the rows of the practitioners it touched, in
the same transaction:

- ORM writes are noticed by themselves: at each flush, the practitioners of every new,
  changed or deleted practitioner, modality, credential and verification decision have their
  rows recomputed (so a read later in the same transaction sees them too).
- Bulk writes that bypass the ORM (the CSV imports) say which practitioners they wrote with
  ``touch``.
- Activating rules refreshes the jurisdictions whose rules changed (``refresh_jurisdictions``).
- Time passing is ``refresh_due`` (``registry refresh-verdicts``, daily): only the rows whose
  ``holds_until`` has passed, or that were computed for another day.

``services.verdict_check`` compares the store with a full evaluation (``registry
check-verdicts``).
Set-based throughout: CHUNK practitioners at a time, four snapshot queries, one delete and
one executemany per chunk, so memory stays flat in the registry's size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, event, func, or_, select, update
from sqlalchemy.orm import Session

from ..models import (
    Credential,
    CredentialDecision,
    Practitioner,
    PractitionerModality,
    RuleSet,
    StoredVerdict,
)
from ..read.rulebook import current_rule_book
from ..read.snapshots import iter_snapshots
from ..rules import PractitionerSnap, RuleBook
from ..rules.engine import authorization, performed
from ..rules.horizon import holds_until
from .bulk import IdSet, insert_rows, one_of

CHUNK = 2000
TOUCHED = "verdicts_touched"  # session.info key: practitioner ids whose rows are stale
V = StoredVerdict.__table__


def touch(session: Session, ids: Iterable[int]) -> None:
    """Note practitioners whose verdicts a write may have changed; refreshed at the next
    flush or at commit."""
    session.info.setdefault(TOUCHED, set()).update(ids)


def rows_for(
    snap: PractitionerSnap, book: RuleBook, day: date, version: int | None
) -> Iterator[dict[str, Any]]:
    """The store's rows for one practitioner: one per modality they declare."""
    for modality in performed(snap):
        auth = authorization(snap, book, day, modality)
        yield {
            "practitioner_id": snap.id,
            "modality": modality,
            "verdict": auth.verdict,
            "rule_id": auth.rule.id if auth.rule else None,
            "rule_set_version": version,
            "computed_on": day,
            "holds_until": holds_until(snap, book, day, modality),
            "jurisdiction_code": snap.jurisdiction,
            "profession_code": snap.profession,
            "city": snap.city,
        }


def active_version(session: Session) -> int | None:
    return session.scalar(select(RuleSet.version).where(RuleSet.active.is_(True)))


def refresh(session: Session, ids: Iterable[int], day: date | None = None) -> int:
    """Recompute the rows of practitioners ``ids`` for ``day`` (default today); returns how
    many practitioners were refreshed. Ids that no longer exist just lose their rows. An
    ``IdSet`` (what an import touched) is read a chunk at a time, never copied whole, and
    when it holds a quarter of the registry or more, every snapshot is streamed once
    (four ordered scans) instead of being fetched by id, CHUNK ids per query."""
    if not isinstance(ids, IdSet):
        ids = sorted(set(ids))
    if not ids:
        return 0
    day = day or date.today()
    book, version = current_rule_book(session), active_version(session)
    if isinstance(ids, IdSet) and len(ids) * STREAM_FROM >= _registry_size(session):
        return _refresh_streamed(session, ids, book, day, version)
    count = 0
    for chunk in _batched(ids, CHUNK):
        _write(session, chunk, book, day, version)
        count += len(chunk)
    return count


STREAM_FROM = 4  # stream the whole registry when 1 in STREAM_FROM practitioners is refreshed


def _registry_size(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Practitioner)) or 0


def _refresh_streamed(session: Session, ids: IdSet, book, day: date, version) -> int:
    """``refresh`` of ``ids`` from one pass over every snapshot, in id order, merged with
    ``ids`` (also in order); written CHUNK practitioners at a time."""
    wanted = iter(ids)
    pending = next(wanted, None)
    batch: list[int] = []
    rows: list[dict[str, Any]] = []
    for snap in iter_snapshots(session, for_evaluate=True):
        while pending is not None and pending < snap.id:  # gone: only loses its rows
            batch.append(pending)
            pending = next(wanted, None)
        if pending != snap.id:
            continue
        batch.append(pending)
        pending = next(wanted, None)
        rows += rows_for(snap, book, day, version)
        if len(batch) >= CHUNK:
            _replace(session, batch, rows)
            batch, rows = [], []
    if pending is not None:
        batch += [pending, *wanted]
    _replace(session, batch, rows)
    return len(ids)


def _batched(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for i in ids:
        batch.append(i)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(session: Session, ids: list[int], book: RuleBook, day: date, version) -> None:
    # for_evaluate: the store's rows are those of declared modalities only, so the credentials
    # of a practitioner who declares none are never read
    rows = [
        row
        for snap in iter_snapshots(session, ids=ids, for_evaluate=True)
        for row in rows_for(snap, book, day, version)
    ]
    _replace(session, ids, rows)


def _replace(session: Session, ids: list[int], rows: list[dict[str, Any]]) -> None:
    """The stored rows of practitioners ``ids`` become ``rows``."""
    if ids:
        session.execute(delete(V).where(one_of(session, V.c.practitioner_id, ids)))
    insert_rows(session, V, rows)


def _ids(session: Session, query) -> Iterator[list[int]]:
    """Practitioner ids from ``query``, CHUNK at a time (the ids are read first, so the
    writes that follow never run under an open cursor)."""
    ids = list(session.scalars(query))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def refresh_jurisdictions(
    session: Session, jurisdictions: Iterable[str] | None, day: date | None = None
) -> int:
    """Refresh every practitioner of ``jurisdictions`` (None: every practitioner)."""
    query = select(Practitioner.id).order_by(Practitioner.id)
    if jurisdictions is not None:
        codes = sorted(set(jurisdictions))
        if not codes:
            return 0
        query = query.where(Practitioner.jurisdiction_code.in_(codes))
    return sum(refresh(session, chunk, day) for chunk in _ids(session, query))


def refresh_or_expire(
    session: Session, jurisdictions: Iterable[str] | None, limit: int | None = None
) -> int:
    """After a rules change: refresh every practitioner of ``jurisdictions`` (None: all), or,
    when there are more than ``limit`` of them (a web request has seconds, not minutes),
    expire their stored rows in one statement so that nothing reads them as current until
    ``refresh_due`` (``registry refresh-verdicts``) recomputes them. Returns how many were
    left expired (0 when all were refreshed)."""
    codes = None if jurisdictions is None else sorted(set(jurisdictions))
    if codes == []:
        return 0
    scope = select(Practitioner.id)
    if codes is not None:
        scope = scope.where(Practitioner.jurisdiction_code.in_(codes))
    if limit is not None:
        count = session.scalar(select(func.count()).select_from(scope.subquery())) or 0
        if count > limit:
            expired = date.today() - timedelta(days=1)
            session.execute(
                update(V).where(V.c.practitioner_id.in_(scope)).values(holds_until=expired)
            )
            return count
    refresh_jurisdictions(session, codes)
    return 0


def expired_in(session: Session, jurisdictions: Iterable[str] | None, day: date | None = None):
    """How many practitioners of ``jurisdictions`` have stored rows that no longer hold."""
    day = day or date.today()
    query = select(func.count(func.distinct(V.c.practitioner_id))).where(V.c.holds_until < day)
    if jurisdictions is not None:
        query = query.join(Practitioner, Practitioner.id == V.c.practitioner_id).where(
            Practitioner.jurisdiction_code.in_(sorted(set(jurisdictions)))
        )
    return session.scalar(query) or 0


def due(day: date):
    """Practitioners with a row that no longer holds on ``day`` (or was computed for a later
    day), or with a declared modality that has no row."""
    stale = select(V.c.practitioner_id).where(or_(V.c.holds_until < day, V.c.computed_on > day))
    M = PractitionerModality.__table__
    missing = select(M.c.practitioner_id).where(
        ~select(V.c.practitioner_id)
        .where(V.c.practitioner_id == M.c.practitioner_id, V.c.modality == M.c.modality_code)
        .exists()
    )
    return stale.union(missing)


def refresh_due(session: Session, day: date | None = None) -> int:
    """Refresh the practitioners whose stored verdicts no longer hold (the daily job)."""
    day = day or date.today()
    stale = due(day).subquery()
    query = select(stale.c.practitioner_id).order_by(stale.c.practitioner_id)
    return sum(refresh(session, chunk, day) for chunk in _ids(session, query))


# --- noticing ORM writes ------------------------------------------------------------------

_WATCHED = (Practitioner, PractitionerModality, Credential, CredentialDecision)


def _practitioner_id(obj: Any) -> int | None:
    if isinstance(obj, Practitioner):
        return obj.id
    return getattr(obj, "practitioner_id", None) or getattr(
        getattr(obj, "credential", None), "practitioner_id", None
    )


@event.listens_for(Session, "after_flush")
def _note_writes(session: Session, _context) -> None:
    ids = {
        _practitioner_id(obj)
        for obj in (*session.new, *session.dirty, *session.deleted)
        if isinstance(obj, _WATCHED)
    }
    ids.discard(None)
    if ids:
        touch(session, ids)


@event.listens_for(Session, "after_flush_postexec")
def _refresh_after_flush(session: Session, _context) -> None:
    # Right after the flush, so that anything read later in the same transaction (a page
    # rendered after a change, a test) already sees the new verdicts.
    _refresh_touched(session)


@event.listens_for(Session, "before_commit")
def _refresh_before_commit(session: Session) -> None:
    session.flush()
    _refresh_touched(session)  # what ``touch`` noted outside the ORM


def _refresh_touched(session: Session) -> None:
    ids = session.info.pop(TOUCHED, None)
    if ids:
        refresh(session, ids)


@event.listens_for(Session, "after_rollback")
def _forget_touched(session: Session) -> None:
    session.info.pop(TOUCHED, None)
