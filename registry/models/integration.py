"""What connects the registry to its users' systems: API tokens for machine clients, secret
calendar-feed URLs per clinic, and the log of expiry reminders already sent.

Secrets (tokens, feed URLs) are stored only as SHA-256 digests: they are long random strings,
so a fast digest is enough, and a lookup is one indexed equality.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

if TYPE_CHECKING:
    from .practitioner import Clinic
    from .user import User


class ApiToken(Base):
    """A bearer token acting as its owner, with its owner's role and scopes."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(254))

    user: Mapped[User] = relationship()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class CalendarFeed(Base):
    """A clinic's secret iCalendar URL; revoking it (or issuing a new one) kills the old URL."""

    __tablename__ = "calendar_feeds"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(254))

    clinic: Mapped[Clinic] = relationship()


class ReminderSent(Base):
    """One reminder delivered: an item (a credential or registration with its expiry date, or
    a gap) at a threshold (90/60/30 days; 0 for a gap) to one recipient. The unique key is
    what makes ``send-reminders`` never send the same reminder twice."""

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint("item_key", "threshold", "recipient", name="uq_reminders_sent_item"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    item_key: Mapped[str] = mapped_column(String(200))
    threshold: Mapped[int] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(254))
    practitioner_id: Mapped[int | None] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE"), index=True
    )
    as_of: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OneTimeLink(Base):
    """A link sent by email that works once and expires: an invitation to set up a
    practitioner account, a claim of one's record, or a clinic's request to link. Stored as
    the SHA-256 of its secret, like API tokens."""

    __tablename__ = "one_time_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))  # invitation | claim | clinic_request
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    practitioner_id: Mapped[int] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE"), index=True
    )
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))  # where it was sent
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
