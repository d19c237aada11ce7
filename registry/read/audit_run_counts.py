"""The counts a stored audit run keeps with its rows (``read.audit_runs``): its gaps by kind,
modality (``""`` for registration gaps), profession and severity, and its verdicts by
profession, modality and verdict. The console's totals for any filter and the dashboard's
counts read these few rows; writing or replacing a practitioner's rows adds to them or takes
away from them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.orm import Session

from ..models import (
    AuditRun,
    AuditRunGap,
    AuditRunGapCount,
    AuditRunVerdict,
    AuditRunVerdictCount,
)

G = AuditRunGap.__table__
RV = AuditRunVerdict.__table__
GC = AuditRunGapCount.__table__
VC = AuditRunVerdictCount.__table__
GAP_COUNT_KEY = ("kind", "modality", "profession", "severity")
VERDICT_COUNT_KEY = ("profession", "modality", "verdict")


def gap_key(row: dict[str, Any]) -> tuple:
    return (row["kind"], row["modality"] or "", row["profession"], row["severity"])


def counted_rows(session: Session, run_id: int, ids: list[int]) -> tuple[Counter, Counter]:
    """The counts of the run's rows of practitioners ``ids`` (about to be replaced)."""
    chunk = (G.c.run_id == run_id, G.c.practitioner_id.in_(ids))
    gaps: Counter[tuple] = Counter()
    for kind, modality, profession, severity, n in session.execute(
        select(G.c.kind, G.c.modality, G.c.profession, G.c.severity, func.count())
        .where(*chunk)
        .group_by(G.c.kind, G.c.modality, G.c.profession, G.c.severity)
    ):
        gaps[(kind, modality or "", profession, severity)] += n
    verdicts: Counter[tuple] = Counter()
    for profession, modality, verdict, n in session.execute(
        select(RV.c.profession, RV.c.modality, RV.c.verdict, func.count())
        .where(RV.c.run_id == run_id, RV.c.practitioner_id.in_(ids))
        .group_by(RV.c.profession, RV.c.modality, RV.c.verdict)
    ):
        verdicts[(profession, modality, verdict)] += n
    return gaps, verdicts


def add_counts(
    session: Session, run_id: int, gaps: Counter, verdicts: Counter, sign: int = 1
) -> None:
    """Add (``sign`` -1: take away) counts to the run's: its few count rows rewritten."""
    for table, delta, key in ((GC, gaps, GAP_COUNT_KEY), (VC, verdicts, VERDICT_COUNT_KEY)):
        if not delta:
            continue
        mine = table.c.run_id == run_id
        counts: dict[tuple, int] = {
            tuple(r[:-1]): r[-1]
            for r in session.execute(select(*(table.c[k] for k in key), table.c.count).where(mine))
        }
        for k, n in delta.items():
            counts[k] = counts.get(k, 0) + sign * n
        session.execute(delete(table).where(mine))
        rows = [
            dict(zip(key, k, strict=True)) | {"run_id": run_id, "count": n}
            for k, n in counts.items()
            if n > 0
        ]
        if rows:
            session.execute(insert(table), rows)


def totals(session: Session, where: list[ColumnElement[bool]]) -> tuple[int, int]:
    """(gaps, of which errors) of the count rows ``where`` selects."""
    total, errors = session.execute(
        select(
            func.coalesce(func.sum(GC.c.count), 0),
            func.coalesce(func.sum(GC.c.count).filter(GC.c.severity == "error"), 0),
        ).where(*where)
    ).one()
    return int(total), int(errors)


def kind_counts(session: Session, run: AuditRun) -> dict[str, int]:
    rows = session.execute(
        select(GC.c.kind, func.sum(GC.c.count)).where(GC.c.run_id == run.id).group_by(GC.c.kind)
    )
    return {kind: int(count) for kind, count in rows}


def verdict_counts(session: Session, run: AuditRun) -> dict[tuple[str, str], dict[str, int]]:
    """{(profession, modality): {verdict: count}} of the declared modalities on the run's day."""
    found: dict[tuple[str, str], dict[str, int]] = {}
    for p, m, v, n in session.execute(
        select(VC.c.profession, VC.c.modality, VC.c.verdict, VC.c.count).where(
            VC.c.run_id == run.id
        )
    ):
        found.setdefault((p, m), {})[v] = n
    return found
