"""Accounts: admins, regulators (scoped to jurisdictions), clinic managers (scoped to clinics)."""

from __future__ import annotations

import enum

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TimestampMixin, str_enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    REGULATOR = "regulator"
    CLINIC_MANAGER = "clinic_manager"


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    jurisdiction_scopes: Mapped[list[UserJurisdiction]] = relationship(cascade="all, delete-orphan")
    clinic_scopes: Mapped[list[UserClinic]] = relationship(cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot log in
        return self.active

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
