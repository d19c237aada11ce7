"""Writing the audit log. Every service calls ``record`` for each change it makes."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from ..models import AuditEvent
from ..models.base import utcnow
from .bulk import insert_rows

_SIMPLE = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if type(value) in _SIMPLE:
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def plain_dict(values: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(v) for k, v in values.items()}


def record(
    session: Session,
    actor: str,
    action: str,
    target_type: str,
    target_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=plain_dict(before) if before is not None else None,
        after=plain_dict(after) if after is not None else None,
    )
    session.add(event)
    return event


def record_many(
    session: Session, actor: str, events: Iterable[dict[str, Any]], plain_values: bool = False
) -> None:
    """Bulk form of ``record`` for imports: each event has action, target_type, target_id,
    before and after. One executemany (COPY on PostgreSQL), however many events.
    ``plain_values``: the callers already made before/after JSON-ready, so they are stored as
    they are."""
    now = utcnow()
    made_plain = (lambda d: d) if plain_values else plain_dict
    rows = [
        {
            "occurred_at": now,
            "actor": actor,
            "action": e["action"],
            "target_type": e["target_type"],
            "target_id": str(e["target_id"]),
            "before": made_plain(e["before"]) if e.get("before") is not None else None,
            "after": made_plain(e["after"]) if e.get("after") is not None else None,
        }
        for e in events
    ]
    insert_rows(session, AuditEvent.__table__, rows)  # COPY on PostgreSQL


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changed keys only, as (before, after)."""
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}
