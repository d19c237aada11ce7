"""Code tables: jurisdictions, professions, modalities and credential types."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Jurisdiction(Base):
    """A province or state, keyed by its ISO 3166-2 code (``CA-AB``)."""

    __tablename__ = "jurisdictions"
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Profession(Base):
    __tablename__ = "professions"
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Modality(Base):
    """A needling service: dry_needling, ims or acupuncture."""

    __tablename__ = "modalities"
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class CredentialType(Base):
    __tablename__ = "credential_types"
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
