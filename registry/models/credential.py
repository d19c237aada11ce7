"""Credentials a practitioner holds: courses, certifications, authorizations, CPR, ..."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TimestampMixin

if TYPE_CHECKING:
    from .practitioner import Practitioner
    from .user import User


class Credential(TimestampMixin, Base):
    """One credential. Its identity is (practitioner, type, issuer, number, issue date).

    ``issuer`` and ``credential_number`` are '' when unknown so that identity is a plain
    unique constraint on every database.
    """

    __tablename__ = "credentials"
    __table_args__ = (
        UniqueConstraint(
            "practitioner_id",
            "credential_type_code",
            "issuer",
            "credential_number",
            "issued_on",
            name="uq_credentials_identity",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE"), index=True
    )
    credential_type_code: Mapped[str] = mapped_column(ForeignKey("credential_types.code"))
    issuer: Mapped[str] = mapped_column(String(200), default="")
    credential_number: Mapped[str] = mapped_column(String(100), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    hours: Mapped[float | None] = mapped_column(Float)
    in_person_hours: Mapped[float | None] = mapped_column(Float)
    sessions: Mapped[int | None] = mapped_column(Integer)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_by_name: Mapped[str | None] = mapped_column(String(254))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verification_note: Mapped[str | None] = mapped_column(Text)
    evidence_ref: Mapped[str | None] = mapped_column(String(300))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    practitioner: Mapped[Practitioner] = relationship(back_populates="credentials")
    verified_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
