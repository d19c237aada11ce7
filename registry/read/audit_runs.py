"""The regulator console's audits: computed once, then paged, filtered and counted in SQL.

``audit_run`` returns the stored run (``models.AuditRun``) for a scope, day, window, rule-set
version and data version, computing and storing it first when there is none: the engine runs
over the scope once (snapshots streamed, gaps written CHUNK at a time, so memory stays flat),
and every later click on the same question (another page, a filter, a download) is a few
indexed queries. A run is a cache of the engine's answer, not registry data: storing one
leaves no audit event (which would move the data version on and make every run stale).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import AuditRun, AuditRunCount, AuditRunGap, RuleSet
from ..rules import RuleBook, assess
from ..rules.engine import performed
from .audit import GAP_FIELDS, csv_document, json_document
from .cache import data_version
from .params import AuditQuery
from .snapshots import iter_snapshots

CHUNK = 5000
REGISTRATION = "registration"  # the modality filter's value for registration gaps
G = AuditRunGap.__table__


def scope_key(codes: Sequence[str] | None) -> str:
    return "*" if codes is None else ",".join(sorted(codes))


def audit_run(
    session: Session, book: RuleBook, query: AuditQuery, codes: Sequence[str] | None
) -> AuditRun:
    """The run of ``query`` over ``codes`` (None: every jurisdiction), stored and committed
    when it was not stored yet."""
    version = session.scalar(select(RuleSet.version).where(RuleSet.active.is_(True))) or 0
    key = {
        "scope": scope_key(codes),
        "as_of": query.as_of,
        "window_days": query.window,
        "rule_set_version": version,
        "data_version": data_version(session),
    }
    run = session.scalar(select(AuditRun).filter_by(**key))
    if run is not None:
        return run
    try:
        run = _compute(session, book, query, codes, key)
        session.commit()
    except IntegrityError:  # another request stored the same run meanwhile
        session.rollback()
        run = session.scalar(select(AuditRun).filter_by(**key))
        if run is None:
            raise
    return run


def _compute(session, book, query, codes, key) -> AuditRun:
    session.execute(delete(AuditRun).where(AuditRun.data_version < key["data_version"]))
    run = AuditRun(**key, practitioners_checked=0)
    session.add(run)
    session.flush()
    batch: list[dict[str, Any]] = []
    counts: dict[tuple[str, str, str], int] = {}
    seq = 0
    for jurisdiction in sorted(codes) if codes is not None else [None]:
        for snap in iter_snapshots(session, jurisdiction):
            run.practitioners_checked += 1
            gaps, auths = assess(snap, book, query.as_of, query.window)
            for gap in gaps:
                batch.append(gap.to_dict() | {"run_id": run.id, "seq": seq})
                seq += 1
            for m in performed(snap):
                k = (snap.profession, m, auths[m].verdict)
                counts[k] = counts.get(k, 0) + 1
            if len(batch) >= CHUNK:
                session.execute(insert(G), batch)
                batch = []
    if batch:
        session.execute(insert(G), batch)
    if counts:
        session.execute(
            insert(AuditRunCount.__table__),
            [
                {"run_id": run.id, "profession": p, "modality": m, "verdict": v, "count": n}
                for (p, m, v), n in counts.items()
            ],
        )
    session.flush()
    return run


def gap_filters(
    run: AuditRun, kind: str | None, modality: str | None, profession: str | None
) -> list[ColumnElement[bool]]:
    """The console's filters as SQL; modality ``registration`` means registration gaps."""
    where = [G.c.run_id == run.id]
    if kind:
        where.append(G.c.kind == kind)
    if modality == REGISTRATION:
        where.append(G.c.modality.is_(None))
    elif modality:
        where.append(G.c.modality == modality)
    if profession:
        where.append(G.c.profession == profession)
    return where


@dataclass
class GapPage:
    gaps: list[dict[str, Any]]
    total: int  # gaps matching the filters
    errors: int  # of which errors
    page: int
    pages: int


def gap_page(session: Session, where: list, page: int, size: int) -> GapPage:
    """One page of the filtered gaps, in the audit's order, with the filtered totals."""
    total, errors = session.execute(
        select(func.count(), func.count().filter(G.c.severity == "error")).where(*where)
    ).one()
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    rows = session.execute(
        select(*(G.c[f] for f in GAP_FIELDS))
        .where(*where)
        .order_by(G.c.seq)
        .limit(size)
        .offset((page - 1) * size)
    )
    return GapPage([dict(r._mapping) for r in rows], total, errors, page, pages)


def kind_counts(session: Session, run: AuditRun) -> dict[str, int]:
    rows = session.execute(
        select(G.c.kind, func.count()).where(G.c.run_id == run.id).group_by(G.c.kind)
    )
    return {kind: count for kind, count in rows}


def verdict_counts(session: Session, run: AuditRun) -> dict[tuple[str, str], dict[str, int]]:
    """{(profession, modality): {verdict: count}} of the declared modalities on the run's day."""
    found: dict[tuple[str, str], dict[str, int]] = {}
    C = AuditRunCount
    for p, m, v, n in session.execute(
        select(C.profession, C.modality, C.verdict, C.count).where(C.run_id == run.id)
    ):
        found.setdefault((p, m), {})[v] = n
    return found


def iter_gaps(session: Session, where: list) -> Iterator[dict[str, Any]]:
    """Every filtered gap in order, CHUNK rows per query (keyset on ``seq``)."""
    last = -1
    while True:
        rows = session.execute(
            select(G.c.seq, *(G.c[f] for f in GAP_FIELDS))
            .where(*where, G.c.seq > last)
            .order_by(G.c.seq)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        for r in rows:
            yield {f: getattr(r, f) for f in GAP_FIELDS}
        last = rows[-1].seq


def json_chunks(session: Session, run: AuditRun, jurisdiction: str | None, where: list):
    """The audit JSON document (CONTRACT §5) of the filtered gaps, piece by piece."""
    head = {
        "as_of": run.as_of.isoformat(),
        "window_days": run.window_days,
        "jurisdiction": jurisdiction,
        "practitioners_checked": run.practitioners_checked,
    }
    return json_document(head, iter_gaps(session, where), dict)


def csv_chunks(session: Session, where: list) -> Iterator[str]:
    return csv_document(iter_gaps(session, where))
