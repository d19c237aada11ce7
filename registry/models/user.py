"""Accounts: admins, regulators (scoped to jurisdictions), clinic managers (scoped to clinics)
and practitioners (their own record)."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TimestampMixin, str_enum
from .practitioner import RegistrationStatus

if TYPE_CHECKING:
    from .practitioner import Practitioner


class Role(enum.StrEnum):
    ADMIN = "admin"
    REGULATOR = "regulator"
    CLINIC_MANAGER = "clinic_manager"
    PRACTITIONER = "practitioner"


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A practitioner's own record (practitioner accounts only; at most one account each).
    practitioner_id: Mapped[int | None] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE"), unique=True
    )
    # Part of every session's id: raising it ends every session of the account (logout,
    # password change, deactivation, a change of role or scope).
    session_generation: Mapped[int] = mapped_column(Integer, default=1)

    jurisdiction_scopes: Mapped[list[UserJurisdiction]] = relationship(cascade="all, delete-orphan")
    clinic_scopes: Mapped[list[UserClinic]] = relationship(cascade="all, delete-orphan")

    practitioner: Mapped[Practitioner | None] = relationship()

    @property
    def is_active(self) -> bool:
        """Flask-Login: a deactivated account cannot log in, nor one whose practitioner's
        registration is revoked."""
        if not self.active:
            return False
        p = self.practitioner if self.role == Role.PRACTITIONER else None
        return p is None or p.registration_status != RegistrationStatus.REVOKED

    def get_id(self) -> str:
        """Flask-Login's session id: the account and its session generation."""
        return f"{self.id}.{self.session_generation}"

    @property
    def jurisdiction_codes(self) -> set[str]:
        return {s.jurisdiction_code for s in self.jurisdiction_scopes}

    @property
    def clinic_ids(self) -> set[int]:
        return {s.clinic_id for s in self.clinic_scopes}


class UserJurisdiction(Base):
    """A jurisdiction a regulator may see and act on."""

    __tablename__ = "user_jurisdictions"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(
        ForeignKey("jurisdictions.code"), primary_key=True
    )


class UserClinic(Base):
    """A clinic a clinic manager manages."""

    __tablename__ = "user_clinics"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    clinic_id: Mapped[int] = mapped_column(
        ForeignKey("clinics.id", ondelete="CASCADE"), primary_key=True
    )
