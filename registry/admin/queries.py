"""Read side of the admin face: accounts with their scopes, in a fixed number of queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import AuditEvent, Clinic, User

RECENT_EVENTS = 20


def users_with_scopes(session: Session) -> list[User]:
    """Every account by email, scopes loaded alongside (three queries, however many)."""
    return list(
        session.scalars(
            select(User)
            .options(selectinload(User.jurisdiction_scopes), selectinload(User.clinic_scopes))
            .order_by(User.email)
        )
    )


def clinic_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Clinic.id, Clinic.name)).all())


def user_events(session: Session, user: User, limit: int = RECENT_EVENTS) -> list[AuditEvent]:
    """The latest audit events about ``user``'s account, newest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target_type == "user", AuditEvent.target_id == str(user.id))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )
