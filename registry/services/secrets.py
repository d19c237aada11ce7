"""Bearer secrets: API tokens for machine clients and secret calendar-feed URLs.

A secret is shown once, when it is made, and stored only as its SHA-256 digest. It is 256
random bits, so a fast digest cannot be brute-forced and a lookup is one indexed equality.
A token acts as its owner: the owner's role and scopes, and nothing once the owner is
deactivated or the token revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import ApiToken, CalendarFeed, Clinic, User
from ..models.base import as_utc, utcnow
from . import InvalidInput, NotFound, audit

TOKEN_PREFIX = "nr_"  # noqa: S105 - a marker, not a secret: recognizable in logs and scanners
FEED_PREFIX = "cal_"
PREFIX_LENGTH = 10
MAX_NAME = 100
LAST_USED_GRANULARITY = timedelta(minutes=5)  # write last_used_at at most this often


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def create_token(session: Session, actor: str, owner: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``owner``; returns the row and the secret (shown once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput({"name": "name the token after the system that will use it"})
    if len(name) > MAX_NAME:
        raise InvalidInput({"name": f"at most {MAX_NAME} characters"})
    if not owner.active:
        raise InvalidInput({"owner": f"{owner.email} is deactivated"})
    secret = _new_secret(TOKEN_PREFIX)
    token = ApiToken(
        user_id=owner.id,
        name=name,
        token_hash=digest(secret),
        prefix=secret[:PREFIX_LENGTH],
        created_by=actor,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "token.create",
        "api_token",
        token.id,
        after={"owner": owner.email, "name": name, "prefix": token.prefix},
    )
    return token, secret


def revoke_token(session: Session, actor: str, token: ApiToken) -> None:
    if token.revoked_at is not None:
        raise NotFound(f"token {token.prefix}… is already revoked")
    token.revoked_at, token.revoked_by = utcnow(), actor
    session.flush()
    audit.record(
        session,
        actor,
        "token.revoke",
        "api_token",
        token.id,
        after={"owner": token.user.email, "name": token.name, "prefix": token.prefix},
    )


def tokens_of(session: Session, owner: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == owner.id).order_by(ApiToken.id.desc())
        )
    )


def user_for_token(session: Session, secret: str) -> User | None:
    """The active owner of a live token, or None. Notes when the token was last used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.is_active:  # deactivated, or registration revoked
        return None
    now = utcnow()
    last = token.last_used_at
    if last is None or now - as_utc(last) > LAST_USED_GRANULARITY:
        # bookkeeping, not registry data: no audit event, committed on its own
        session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        session.commit()
    return token.user


def create_feed(session: Session, actor: str, clinic: Clinic) -> tuple[CalendarFeed, str]:
    """A new secret calendar URL for ``clinic``; any earlier one stops working."""
    revoke_feeds(session, actor, clinic, audit_if_none=False)
    secret = _new_secret(FEED_PREFIX)
    feed = CalendarFeed(
        clinic_id=clinic.id,
        token_hash=digest(secret),
        prefix=secret[:PREFIX_LENGTH],
        created_by=actor,
    )
    session.add(feed)
    session.flush()
    audit.record(
        session,
        actor,
        "calendar_feed.create",
        "clinic",
        clinic.id,
        after={"clinic": clinic.name, "prefix": feed.prefix},
    )
    return feed, secret


def revoke_feeds(session: Session, actor: str, clinic: Clinic, audit_if_none: bool = True) -> int:
    live = list(
        session.scalars(
            select(CalendarFeed).where(
                CalendarFeed.clinic_id == clinic.id, CalendarFeed.revoked_at.is_(None)
            )
        )
    )
    if not live and audit_if_none:
        raise NotFound(f"{clinic.name} has no calendar feed to revoke")
    now = utcnow()
    for feed in live:
        feed.revoked_at, feed.revoked_by = now, actor
        audit.record(
            session,
            actor,
            "calendar_feed.revoke",
            "clinic",
            clinic.id,
            after={"clinic": clinic.name, "prefix": feed.prefix},
        )
    session.flush()
    return len(live)


def live_feed(session: Session, clinic: Clinic) -> CalendarFeed | None:
    return session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.clinic_id == clinic.id, CalendarFeed.revoked_at.is_(None)
        )
    )


def clinic_for_feed(session: Session, secret: str) -> Clinic | None:
    if not secret.startswith(FEED_PREFIX) or len(secret) > 200:
        return None
    feed = session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == digest(secret), CalendarFeed.revoked_at.is_(None)
        )
    )
    return None if feed is None else feed.clinic
