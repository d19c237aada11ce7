"""The regulator console's audits: computed once, kept up to date, read with SQL.

``audit_run`` returns the stored run (``models.AuditRun``) of a scope, day, window and rule-set
version. The first time, the engine runs over the scope (snapshots streamed, gaps written
CHUNK at a time, so memory stays flat). Afterwards, when the registry has changed (its data
version, the newest audit event id, moved on), only the practitioners that the newer audit
events name are evaluated again and their rows replaced; an event that could touch anyone (a
code renamed, an unknown kind of change) or more than FULL_AFTER changes computes the run
afresh. Every click on the same question (a page, a filter, a download) is then a few indexed
queries: the run keeps its gaps counted by kind, modality, profession and severity, and its
verdicts by profession, modality and verdict, so no click counts a million gaps. A run is a
cache of the engine's answer, not registry data: keeping one leaves no audit event (which
would move the data version on).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import (
    AuditEvent,
    AuditRun,
    AuditRunGap,
    AuditRunVerdict,
    Credential,
    Practitioner,
    Role,
    RuleSet,
    User,
    UserJurisdiction,
)
from ..models.base import utcnow
from ..rules import RuleBook, assess
from ..rules.engine import performed
from ..services.bulk import insert_rows, refresh_statistics
from .audit import GAP_FIELDS, csv_document, json_document
from .audit_run_counts import GC, add_counts, counted_rows, gap_key, totals
from .cache import data_version
from .params import AuditQuery
from .snapshots import iter_snapshots

CHUNK = 5000
FULL_AFTER = 20_000  # changes since a run beyond which it is computed afresh
KEEP = timedelta(days=1)  # runs not brought up to date for this long are deleted
REGISTRATION = "registration"  # the modality filter's value for registration gaps
# Audit events about these touch no practitioner's gaps; any other kind but practitioner and
# credential events makes a run be computed afresh.
UNRELATED = {"clinic", "user", "api_token", "import", "reminders", "verdict_store", "link"}
G = AuditRunGap.__table__
RV = AuditRunVerdict.__table__


def scope_key(codes: Sequence[str] | None) -> str:
    return "*" if codes is None else ",".join(sorted(codes))


def audit_run(
    session: Session, book: RuleBook, query: AuditQuery, codes: Sequence[str] | None
) -> AuditRun:
    """The run of ``query`` over ``codes`` (None: every jurisdiction), up to date with the
    registry; stored and committed when anything had to be computed."""
    version = session.scalar(select(RuleSet.version).where(RuleSet.active.is_(True))) or 0
    key = {
        "scope": scope_key(codes),
        "as_of": query.as_of,
        "window_days": query.window,
        "rule_set_version": version,
    }
    now = data_version(session)
    run = session.scalar(select(AuditRun).filter_by(**key))
    if run is not None and run.data_version == now:
        return run
    try:
        changed = None if run is None else _changed_since(session, run.data_version, now)
        if changed is None:
            if run is not None:
                session.delete(run)
                session.flush()
            run = _compute(session, book, query, codes, key | {"data_version": now})
        else:
            _update(session, book, query, codes, run, changed, now)
        session.commit()
    except IntegrityError:  # another request stored the same run meanwhile
        session.rollback()
        run = session.scalar(select(AuditRun).filter_by(**key))
        if run is None:
            raise
    return run


def console_scopes(session: Session) -> list[list[str] | None]:
    """The scopes whose runs the console asks for first each day: every active regulator's
    jurisdictions together, and everything when an admin account is active."""
    rows = session.execute(
        select(User.id, User.role, UserJurisdiction.jurisdiction_code)
        .outerjoin(UserJurisdiction, UserJurisdiction.user_id == User.id)
        .where(User.active.is_(True), User.role.in_([Role.ADMIN, Role.REGULATOR]))
    )
    admins, regulators = False, {}
    for uid, role, code in rows:
        if role == Role.ADMIN:
            admins = True
        elif code:
            regulators.setdefault(uid, set()).add(code)
    scopes: list[list[str] | None] = [None] if admins else []
    return scopes + [list(c) for c in sorted({tuple(sorted(v)) for v in regulators.values()})]


def _changed_since(session: Session, since: int, now: int) -> set[int] | None:
    """The practitioners that audit events after ``since`` name; None when the run must be
    computed afresh (too many changes, or a change that could touch anyone)."""
    events = (AuditEvent.id > since, AuditEvent.id <= now)
    if (session.scalar(select(func.count()).where(*events)) or 0) > FULL_AFTER:
        return None
    practitioners: set[int] = set()
    credentials: set[int] = set()
    for kind, target in session.execute(
        select(AuditEvent.target_type, AuditEvent.target_id).where(*events)
    ):
        if kind == "practitioner" and target and target.isdigit():
            practitioners.add(int(target))
        elif kind == "credential" and target and target.isdigit():
            credentials.add(int(target))
        elif kind not in UNRELATED:
            return None
    ids = sorted(credentials)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        practitioners.update(
            session.scalars(select(Credential.practitioner_id).where(Credential.id.in_(chunk)))
        )
    return practitioners


def _compute(session, book, query, codes, key) -> AuditRun:
    session.execute(delete(AuditRun).where(AuditRun.created_at < utcnow() - KEEP))
    run = AuditRun(**key, practitioners_checked=0, created_at=utcnow())
    session.add(run)
    session.flush()
    for jurisdiction in sorted(codes) if codes is not None else [None]:
        run.practitioners_checked += _write(
            session, run, book, query, iter_snapshots(session, jurisdiction)
        )
    session.flush()
    # a large run's pages are read off the order index only once the planner knows how many
    # rows the run has (else it sorts them all for a page beyond the first few)
    refresh_statistics(session, run.practitioners_checked, G, RV)
    return run


def _update(session, book, query, codes, run: AuditRun, changed: set[int], now: int) -> None:
    """Replace the rows of the ``changed`` practitioners (those still in scope get new ones)."""
    ids = sorted(changed)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        add_counts(session, run.id, *counted_rows(session, run.id, chunk), sign=-1)
        for table in (G, RV):
            session.execute(
                delete(table).where(table.c.run_id == run.id, table.c.practitioner_id.in_(chunk))
            )
        snaps = (
            s
            for s in iter_snapshots(session, ids=chunk)
            if codes is None or s.jurisdiction in codes
        )
        _write(session, run, book, query, snaps)
    scope = select(func.count()).select_from(Practitioner)
    if codes is not None:
        scope = scope.where(Practitioner.jurisdiction_code.in_(sorted(codes)))
    run.practitioners_checked = session.scalar(scope) or 0
    run.data_version, run.created_at = now, utcnow()
    session.flush()


def _write(session, run: AuditRun, book: RuleBook, query: AuditQuery, snaps) -> int:
    """Evaluate ``snaps`` into the run's rows, CHUNK gaps at a time, and add them to the
    run's counts; returns how many practitioners."""
    gaps: list[dict[str, Any]] = []
    verdicts: list[dict[str, Any]] = []
    gap_counts: Counter[tuple] = Counter()
    verdicts_counted: Counter[tuple] = Counter()
    count = 0
    places = _places(run)
    for snap in snaps:
        count += 1
        found, auths = assess(snap, book, query.as_of, query.window)
        for i, g in enumerate(found):
            row = g.to_dict() | {"run_id": run.id, "practitioner_id": snap.id, "ordinal": i}
            row["position"] = position(places.get(row["jurisdiction"], 0), snap.id, i)
            gaps.append(row)
            gap_counts[gap_key(row)] += 1
        for m in performed(snap):
            verdict = auths[m].verdict
            verdicts.append(
                {
                    "run_id": run.id,
                    "practitioner_id": snap.id,
                    "modality": m,
                    "profession": snap.profession,
                    "verdict": verdict,
                }
            )
            verdicts_counted[(snap.profession, m, verdict)] += 1
        if len(gaps) >= CHUNK or len(verdicts) >= CHUNK:
            _flush_rows(session, gaps, verdicts)
            gaps, verdicts = [], []
    _flush_rows(session, gaps, verdicts)
    add_counts(session, run.id, gap_counts, verdicts_counted)
    return count


def _flush_rows(session: Session, gaps: list, verdicts: list) -> None:
    insert_rows(session, G, gaps)  # COPY on PostgreSQL
    insert_rows(session, RV, verdicts)


def _places(run: AuditRun) -> dict[str, int]:
    """Each jurisdiction's place in the audit of the run's scope: the audit walks a scope of
    named jurisdictions one by one, in code order, and everything (``*``) by practitioner."""
    return {} if run.scope == "*" else {c: n for n, c in enumerate(sorted(run.scope.split(",")))}


def position(place: int, practitioner_id: int, ordinal: int) -> int:
    """A gap's place in the audit's order, as one number: by jurisdiction (its ``place``),
    then practitioner, then the practitioner's own order of gaps."""
    return (place * 10**11 + practitioner_id) * 10**4 + ordinal


@dataclass(frozen=True)
class GapFilter:
    """The console's filters of a run's gaps; modality ``registration`` means registration
    gaps."""

    run_id: int
    kind: str | None = None
    modality: str | None = None
    profession: str | None = None

    def conditions(self, table: Table, registration: Any) -> list[ColumnElement[bool]]:
        where = [table.c.run_id == self.run_id]
        if self.kind:
            where.append(table.c.kind == self.kind)
        if self.modality == REGISTRATION:
            where.append(registration)
        elif self.modality:
            where.append(table.c.modality == self.modality)
        if self.profession:
            where.append(table.c.profession == self.profession)
        return where

    @property
    def where(self) -> list[ColumnElement[bool]]:
        """The filters on the run's gaps."""
        return self.conditions(G, G.c.modality.is_(None))

    @property
    def counted(self) -> list[ColumnElement[bool]]:
        """The filters on the run's gap counts."""
        return self.conditions(GC, GC.c.modality == "")


def gap_filters(
    run: AuditRun, kind: str | None, modality: str | None, profession: str | None
) -> GapFilter:
    return GapFilter(run.id, kind or None, modality or None, profession or None)


@dataclass
class GapPage:
    gaps: list[dict[str, Any]]
    total: int  # gaps matching the filters
    errors: int  # of which errors
    page: int
    pages: int


def gap_page(session: Session, run: AuditRun, filters: GapFilter, page: int, size: int) -> GapPage:
    """One page of the filtered gaps, in the audit's order, with the filtered totals (from the
    run's counts). Filters that select nothing (a kind of registration gap with a modality)
    read no gaps: walking the kind's gaps to find none took 160 ms at 1M."""
    total, errors = totals(session, filters.counted)
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    if total == 0:
        return GapPage([], 0, 0, page, pages)
    rows = session.execute(
        select(*(G.c[f] for f in GAP_FIELDS))
        .where(*filters.where)
        .order_by(G.c.position)
        .limit(size)
        .offset((page - 1) * size)
    )
    return GapPage([dict(r._mapping) for r in rows], total, errors, page, pages)


def iter_gaps(session: Session, run: AuditRun, filters: GapFilter) -> Iterator[dict[str, Any]]:
    """Every filtered gap in order, streamed CHUNK rows at a time."""
    query = select(*(G.c[f] for f in GAP_FIELDS)).where(*filters.where).order_by(G.c.position)
    for row in session.execute(query, execution_options={"yield_per": CHUNK}):
        yield dict(row._mapping)


def json_chunks(session: Session, run: AuditRun, jurisdiction: str | None, filters: GapFilter):
    """The audit JSON document (CONTRACT §5) of the filtered gaps, piece by piece."""
    head = {
        "as_of": run.as_of.isoformat(),
        "window_days": run.window_days,
        "jurisdiction": jurisdiction,
        "practitioners_checked": run.practitioners_checked,
    }
    return json_document(head, iter_gaps(session, run, filters), dict)


def csv_chunks(session: Session, run: AuditRun, filters: GapFilter) -> Iterator[str]:
    return csv_document(iter_gaps(session, run, filters))
