"""The change feed: which practitioners changed since a moment, read from the audit log.

A client polls ``GET /api/v1/changes?since=...``, re-reads the records listed, and keeps the
response's ``until`` as its next ``since``. Changes to a practitioner's credentials count as
changes to the practitioner. Pages follow ``next`` (a cursor on the audit log); rule-set loads
since ``since`` are listed too, because a new rule set can change every verdict at once.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from functools import partial
from typing import Annotated

from flask import abort, request, url_for
from flask_login import current_user
from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic.dataclasses import dataclass
from sqlalchemy import Integer, Select, cast, func, select, union_all
from sqlalchemy.orm import Session

from .. import db
from ..models import AuditEvent, Credential, Practitioner, RuleSet
from ..models.base import as_utc, utcnow
from ..permissions import Permission, requires
from ..read.params import QueryError, parse_query
from ..schema.changes import Change, Changes, RuleSetLoad
from ..scopes import practitioner_filter
from .openapi import operation
from .serialize import record_url, shape_response

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
MAX_CURSOR = 2**31 - 1
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_since(text: str | None) -> datetime:
    """An ISO 8601 date (midnight UTC) or date-time (UTC when it names no offset)."""
    text = (text or "").strip()
    if not text:
        raise ValueError("required, an ISO 8601 date or date-time (2026-11-01T08:00:00Z)")
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError(
            f"{text[:40]!r} is not an ISO 8601 date or date-time (2026-11-01T08:00:00Z)"
        ) from None
    moment = as_utc(moment)  # UTC unless it names an offset
    if moment < EARLIEST or moment.year > 2999:
        raise ValueError("must be between 1900 and 2999")
    return moment


def _count(text: str | None, default: int, low: int, high: int) -> int:
    text = (text or "").strip()
    if not text:
        return default
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise ValueError(f"a whole number from {low} to {high}")
    return int(text)


def _whole(default: int, low: int, high: int):
    return Annotated[
        int,
        Field(ge=low, le=high),
        BeforeValidator(partial(_count, default=default, low=low, high=high)),
    ]


Limit = _whole(DEFAULT_LIMIT, 1, MAX_LIMIT)
Cursor = _whole(0, 0, MAX_CURSOR)


@dataclass(frozen=True)
class ChangesQuery:
    """What the change feed is asked: changes since a moment, a page at a time."""

    since: Annotated[
        datetime,
        WithJsonSchema({"anyOf": [{"type": "string", "format": f} for f in ("date", "date-time")]}),
        BeforeValidator(parse_since),
    ] = Field(
        description="ISO 8601 date (midnight UTC) or date-time; UTC unless an offset is "
        "given. E.g. 2026-11-01 or 2026-11-21T08:00:00Z."
    )
    limit: Limit = Field(DEFAULT_LIMIT, description="Default 100.")
    after: Cursor = Field(0, description="Cursor from the previous page's `next`.")


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
) -> tuple[list[Change], int | None]:
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
        Change(
            jurisdiction=r.jurisdiction_code,
            profession=r.profession_code,
            registration_number=r.registration_number,
            name=f"{r.given_name} {r.family_name}",
            changed_at=_iso(r.occurred_at),
            actions=sorted(actions.get(r.id, ())),
            url=record_url(r.jurisdiction_code, r.profession_code, r.registration_number),
        )
        for r in rows
    ]
    return changes, rows[-1].last_event if more else None


def _iso(moment: datetime) -> str:
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def rule_sets_loaded(session: Session, since: datetime) -> list[RuleSetLoad]:
    return [
        RuleSetLoad(version=r.version, loaded_at=_iso(r.loaded_at), filename=r.filename)
        for r in session.scalars(
            select(RuleSet).where(RuleSet.loaded_at > since).order_by(RuleSet.version)
        )
    ]


@operation(
    "/api/v1/changes",
    "changes",
    "Practitioners changed since a moment, from the audit log",
    Changes,
    query=ChangesQuery,
    errors={400: None, 404: "No access."},
)
@requires(Permission.CHANGES_READ)
def changes():
    """Within the caller's scope (a clinic manager's staff, a regulator's jurisdictions,
    everything for admins). A change to a credential is a change to its practitioner.
    Ordered by each practitioner's latest change; follow `next` for more. Poll with the
    previous answer's `until` as `since`."""
    try:
        query = parse_query(ChangesQuery, request.args)
    except QueryError as exc:
        abort(400, str(exc))
    until = utcnow()  # read before the query: nothing committed later is lost to the client
    session = db.session()
    found, cursor = changed_practitioners(
        session, current_user, query.since, query.after, query.limit
    )
    next_url = None
    if cursor is not None:
        next_url = url_for(
            ".changes", since=request.args.get("since"), after=cursor, limit=query.limit
        )
    return shape_response(
        Changes(
            since=_iso(query.since),
            until=_iso(until),
            changes=found,
            next=next_url,
            rule_sets_loaded=rule_sets_loaded(session, query.since),
        )
    )
