"""Credentials a practitioner holds (courses, certifications, authorizations, CPR, ...) and the
dated verification decisions about each one."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .audit import AppendOnlyError
from .base import Base, TimestampMixin, str_enum, utcnow

if TYPE_CHECKING:
    from .practitioner import Practitioner
    from .user import User


class VerificationStatus(enum.StrEnum):
    """A credential's verification state (CONTRACT §1)."""

    PENDING = "pending"  # claimed, not yet checked
    VERIFIED = "verified"  # checked against its primary source
    REJECTED = "rejected"  # checked and found false or unsupported
    REVOKED = "revoked"  # withdrawn by its issuer or the regulator


# Rejected or revoked: the credential counts for nothing from the decision's date on.
WITHDRAWN_STATUSES = (VerificationStatus.REJECTED, VerificationStatus.REVOKED)


class Credential(TimestampMixin, Base):
    """One credential. Its identity is (practitioner, type, issuer, number, issue date).

    ``issuer`` and ``credential_number`` are '' when unknown so that identity is a plain
    unique constraint on every database. ``verification_status`` and ``verification_on`` are
    the latest of its ``decisions`` (the state today), kept by ``services.verification`` so
    that lists can filter on it; the decisions are the record. ``entered_by`` says who put the
    credential on file, in words ("Bow River Physio", "an import"), for explanations, and
    ``entered_by_clinic_id`` which clinic, if one did.
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
    verification_status: Mapped[VerificationStatus] = mapped_column(
        str_enum(VerificationStatus, "verification_status"),
        default=VerificationStatus.PENDING,
        index=True,
    )
    verification_on: Mapped[date | None] = mapped_column(Date)
    entered_by: Mapped[str | None] = mapped_column(String(254))
    # The clinic that put it on file: its evidence is that clinic's to download (with the
    # practitioner and their regulator), no other clinic's.
    entered_by_clinic_id: Mapped[int | None] = mapped_column(
        ForeignKey("clinics.id", ondelete="SET NULL")
    )
    evidence_ref: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, default=1)

    practitioner: Mapped[Practitioner] = relationship(back_populates="credentials")
    decisions: Mapped[list[CredentialDecision]] = relationship(
        back_populates="credential",
        order_by="(CredentialDecision.effective_on, CredentialDecision.id)",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def withdrawn(self) -> bool:
        """Rejected or revoked today: it counts for nothing."""
        return self.verification_status in WITHDRAWN_STATUSES

    @property
    def current_decision(self) -> CredentialDecision | None:
        """The decision in force today (the latest by date, then by when it was recorded)."""
        return self.decisions[-1] if self.decisions else None


class CredentialDecision(Base):
    """One verification decision about a credential, taking effect on ``effective_on``.

    Append-only: a later decision supersedes an earlier one from its own date on, and the
    earlier one stays on record (an audit of a past date reads the decisions of that date).
    ``note`` and ``evidence_ref`` are private, like the credential's evidence.
    """

    __tablename__ = "credential_decisions"
    __table_args__ = (
        Index(
            "ix_credential_decisions_practitioner_id_credential_id",
            "practitioner_id",
            "credential_id",
            "effective_on",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), index=True
    )
    # The credential's practitioner, so snapshots stream decisions in practitioner order.
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioners.id", ondelete="CASCADE"))
    status: Mapped[VerificationStatus] = mapped_column(
        str_enum(VerificationStatus, "decision_status")
    )
    effective_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(254))  # who, in words (an email, an import)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    via: Mapped[str] = mapped_column(String(20))  # review | import
    note: Mapped[str | None] = mapped_column(Text)
    evidence_ref: Mapped[str | None] = mapped_column(String(300))

    credential: Mapped[Credential] = relationship(back_populates="decisions")
    decider: Mapped[User | None] = relationship()


@event.listens_for(CredentialDecision, "before_update")
def _refuse_change(_mapper, _connection, target: CredentialDecision) -> None:
    raise AppendOnlyError(f"verification decision {target.id} is append-only")
