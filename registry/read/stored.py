"""Reading the verdict store (``models.StoredVerdict``): today's verdicts without the engine.

Only *current* rows are trusted (computed on or before the day and holding on it); a row that
is missing or stale is never read as a verdict: ``may_today`` leaves that practitioner out
(a face says less, not more) and ``verdicts_today`` evaluates them with the engine instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    bindparam,
    exists,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from ..models import Practitioner, PractitionerModality, StoredVerdict
from ..rules import AUTHORIZED
from ..rules.model import MODALITY_ORDER
from .verdicts import statuses

V = StoredVerdict


def current(day: date) -> ColumnElement[bool]:
    """Rows that say the verdict of ``day``."""
    return and_(V.computed_on <= day, or_(V.holds_until.is_(None), V.holds_until >= day))


def may_today(modality: str, day: date) -> ColumnElement[bool]:
    """The practitioner declares ``modality`` and is authorized for it on ``day`` (CONTRACT
    §5: never for no rule or a pending claim), by a current stored row."""
    return exists().where(
        V.practitioner_id == Practitioner.id,
        V.modality == modality,
        V.verdict == AUTHORIZED,
        current(day),
    )


def _page_verdicts() -> Select:
    """Declared modalities of some practitioners and their current stored rows, built once."""
    M = PractitionerModality
    day = bindparam("day", type_=Date)
    stored = and_(
        V.practitioner_id == M.practitioner_id, V.modality == M.modality_code, current(day)
    )
    rows = select(M.practitioner_id, M.modality_code, V.verdict).outerjoin(V, stored)
    return rows.where(M.practitioner_id.in_(bindparam("ids", expanding=True)))


_PAGE_VERDICTS = _page_verdicts()


def authorized_rows(modality, day) -> list[ColumnElement[bool]]:
    """The current stored rows saying "authorized" for ``modality`` on ``day``: one per
    practitioner who may perform it (``may_today``). Written so that the partial indexes of
    authorized rows serve them, where the row's jurisdiction, profession or city narrow
    further (``models.verdict``)."""
    return [V.modality == modality, V.verdict == literal_column(f"'{AUTHORIZED}'"), current(day)]


def verdicts_today(session: Session, ids: Iterable[int], day: date) -> dict[int, dict[str, str]]:
    """{practitioner id: {declared modality: verdict code}} for ``ids`` on ``day``: one
    query (declared modalities and their current stored rows), plus the engine for anyone
    whose stored rows are missing or stale."""
    ids = list(ids)
    if not ids:
        return {}
    declared: dict[int, list[str]] = defaultdict(list)
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for pid, m, verdict in session.connection().execute(_PAGE_VERDICTS, {"ids": ids, "day": day}):
        declared[pid].append(m)
        if verdict is not None:
            found[pid][m] = verdict
    stale = [pid for pid in ids if any(m not in found[pid] for m in declared[pid])]
    for pid, status in statuses(session, stale, day).items():
        found[pid] = {m: status.modalities[m].verdict for m in declared[pid]}
    order = {m: i for i, m in enumerate(MODALITY_ORDER)}
    return {
        pid: {
            m: found[pid][m]
            for m in sorted(declared[pid], key=lambda m: (order.get(m, len(order)), m))
        }
        for pid in ids
    }
