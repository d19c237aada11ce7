"""The change feed: which practitioners changed since a moment, read from the audit log.

A client polls ``GET /api/v1/changes?since=...``, re-reads the records listed, and keeps the
response's ``until`` as its next ``since``. Changes to a practitioner's credentials count as
changes to the practitioner. Pages follow ``next`` (a cursor on the audit log); rule-set loads
since ``since`` are listed too, because a new rule set can change every verdict at once.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from flask import abort, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import Integer, Select, cast, func, select, union_all
from sqlalchemy.orm import Session

from .. import db
from ..models import AuditEvent, Credential, Practitioner, RuleSet
from ..models.base import MAX_ID, as_utc, utcnow
from ..permissions import Permission, requires
from ..scopes import practitioner_filter
from . import bp

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_since(text: str | None) -> datetime:
    """An ISO 8601 date (midnight UTC) or date-time (UTC when it names no offset)."""
    text = (text or "").strip()
    if not text:
        raise ValueError("since: required, an ISO 8601 date or date-time (2026-11-01T08:00:00Z)")
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError(
            f"since: {text[:40]!r} is not an ISO 8601 date or date-time (2026-11-01T08:00:00Z)"
        ) from None
    moment = as_utc(moment)  # UTC unless it names an offset
    if moment < EARLIEST or moment.year > 2999:
        raise ValueError("since: must be between 1900 and 2999")
    return moment


def _count(text: str | None, name: str, default: int, low: int, high: int) -> int:
    text = (text or "").strip()
    if not text:
        return default
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise ValueError(f"{name}: a whole number from {low} to {high}")
    return int(text)


def _touches(since: datetime) -> Select:
    """(practitioner id, event id, action) for every audit event about a practitioner or one
    of their credentials since ``since``. Targets of those two types are always ids."""
    event = AuditEvent
    on_practitioner = select(
        cast(event.target_id, Integer).label("practitioner_id"),
        event.id.label("event_id"),
        event.action.label("action"),
    ).where(event.target_type == "practitioner", event.occurred_at > since)
    on_credential = (
        select(
            Credential.practitioner_id.label("practitioner_id"),
            event.id.label("event_id"),
            event.action.label("action"),
        )
        .join(Credential, Credential.id == cast(event.target_id, Integer))
        .where(event.target_type == "credential", event.occurred_at > since)
    )
    return union_all(on_practitioner, on_credential).subquery("touches")


def changed_practitioners(
    session: Session, user, since: datetime, after: int, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of practitioners in ``user``'s scope changed since ``since``, ordered by their
    latest audit event; and the cursor for the next page (None on the last)."""
    touches = _touches(since)
    latest = (
        select(
            touches.c.practitioner_id,
            func.max(touches.c.event_id).label("last_event"),
        )
        .group_by(touches.c.practitioner_id)
        .subquery("latest")
    )
    rows = session.execute(
        select(
            Practitioner.id,
            Practitioner.jurisdiction_code,
            Practitioner.profession_code,
            Practitioner.registration_number,
            Practitioner.given_name,
            Practitioner.family_name,
            latest.c.last_event,
            AuditEvent.occurred_at,
        )
        .join(latest, latest.c.practitioner_id == Practitioner.id)
        .join(AuditEvent, AuditEvent.id == latest.c.last_event)
        .where(latest.c.last_event > after, practitioner_filter(user))
        .order_by(latest.c.last_event)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    actions: dict[int, set[str]] = {}
    if rows:
        ids = [r.id for r in rows]
        for pid, action in session.execute(
            select(touches.c.practitioner_id, touches.c.action)
            .where(touches.c.practitioner_id.in_(ids))
            .distinct()
        ):
            actions.setdefault(pid, set()).add(action)
    changes = [
        {
            "jurisdiction": r.jurisdiction_code,
            "profession": r.profession_code,
            "registration_number": r.registration_number,
            "name": f"{r.given_name} {r.family_name}",
            "changed_at": _iso(r.occurred_at),
            "actions": sorted(actions.get(r.id, ())),
            "url": url_for(
                "api.practitioner",
                jurisdiction=r.jurisdiction_code,
                profession=r.profession_code,
                registration_number=r.registration_number,
            ),
        }
        for r in rows
    ]
    return changes, rows[-1].last_event if more else None


def _iso(moment: datetime) -> str:
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def rule_sets_loaded(session: Session, since: datetime) -> list[dict[str, Any]]:
    return [
        {"version": r.version, "loaded_at": _iso(r.loaded_at), "filename": r.filename}
        for r in session.scalars(
            select(RuleSet).where(RuleSet.loaded_at > since).order_by(RuleSet.version)
        )
    ]


@bp.get("/api/v1/changes")
@requires(Permission.CHANGES_READ)
def changes():
    """Practitioners in the caller's scope changed since ``since``, from the audit log."""
    try:
        since = parse_since(request.args.get("since"))
        limit = _count(request.args.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        after = _count(request.args.get("after"), "after", 0, 0, MAX_ID)
    except ValueError as exc:
        abort(400, str(exc))
    until = utcnow()  # read before the query: nothing committed later is lost to the client
    session = db.session()
    found, cursor = changed_practitioners(session, current_user, since, after, limit)
    next_url = None
    if cursor is not None:
        next_url = url_for(".changes", since=request.args.get("since"), after=cursor, limit=limit)
    return jsonify(
        since=_iso(since),
        until=_iso(until),
        changes=found,
        next=next_url,
        rule_sets_loaded=rule_sets_loaded(session, since),
    )
