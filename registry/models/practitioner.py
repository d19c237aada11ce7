"""Practitioners, the modalities they perform, clinics and clinic staff."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TimestampMixin, str_enum
from .folding import fold_text, folded, pattern_ops

if TYPE_CHECKING:
    from .credential import Credential


class RegistrationStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LAPSED = "lapsed"
    RETIRED = "retired"
    REVOKED = "revoked"


class Practitioner(TimestampMixin, Base):
    """A registrant of one profession in one jurisdiction.

    ``email``, ``phone`` and ``notes`` are private: never shown to the public or another clinic.
    ``version`` increases on every change so a stale edit is detected, not applied.
    """

    __tablename__ = "practitioners"
    __table_args__ = (
        UniqueConstraint(
            "jurisdiction_code",
            "profession_code",
            "registration_number",
            name="uq_practitioners_key",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    profession_code: Mapped[str] = mapped_column(ForeignKey("professions.code"))
    registration_number: Mapped[str] = mapped_column(String(64))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100), index=True)
    # The names folded for search (``folding.fold_text``); kept in step by the mapper events
    # below and by the imports, which write rows without the ORM.
    given_key: Mapped[str | None] = mapped_column(String(100))
    family_key: Mapped[str | None] = mapped_column(String(100))
    registration_status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "registration_status")
    )
    status_since: Mapped[date] = mapped_column(Date)
    registration_class: Mapped[str | None] = mapped_column(String(50))
    registered_since: Mapped[date] = mapped_column(Date)
    # First licensed in this profession anywhere; None: the same as ``registered_since``.
    practising_since: Mapped[date | None] = mapped_column(Date)
    registration_expires_on: Mapped[date | None] = mapped_column(Date)
    city: Mapped[str | None] = mapped_column(String(100), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    modalities: Mapped[list[PractitionerModality]] = relationship(
        back_populates="practitioner", cascade="all, delete-orphan"
    )
    credentials: Mapped[list[Credential]] = relationship(
        back_populates="practitioner", cascade="all, delete-orphan"
    )
    clinic_links: Mapped[list[ClinicStaff]] = relationship(
        back_populates="practitioner", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.jurisdiction_code, self.profession_code, self.registration_number)


# The public lookup's search indexes: case-insensitive name prefixes, registration number and
# city (see ``folding``). Declared after the class because they name its columns.
Index(
    "ix_practitioners_family_key_folded",
    folded(Practitioner.family_key),
    postgresql_ops=pattern_ops(Practitioner.family_key),
)
Index(
    "ix_practitioners_registration_number_folded",
    folded(Practitioner.registration_number),
    postgresql_ops=pattern_ops(Practitioner.registration_number),
)


@event.listens_for(Practitioner, "before_insert")
@event.listens_for(Practitioner, "before_update")
def _fold_names(_mapper, _connection, target: Practitioner) -> None:
    target.given_key = fold_text(target.given_name)
    target.family_key = fold_text(target.family_name)


# The lookup's browse order (family, given name, id) within a jurisdiction and a city: a page of
# a search without a name is read off one of these (see migration 0014 for why there is no
# jurisdiction-and-profession one).
_NAME_ORDER = (folded(Practitioner.family_key), folded(Practitioner.given_key), Practitioner.id)
Index("ix_practitioners_browse_jurisdiction", Practitioner.jurisdiction_code, *_NAME_ORDER)
Index("ix_practitioners_browse_city", folded(Practitioner.city), *_NAME_ORDER)
# Given-name prefixes, and "given family" searches ("chloe smi"): the given-name prefix's range
# is read in the index with the family-name prefix checked there, not row by row in the table
# (a given name is shared by 1% of a million practitioners).
Index(
    "ix_practitioners_given_family_folded",
    folded(Practitioner.given_key),
    folded(Practitioner.family_key),
    postgresql_ops=pattern_ops(Practitioner.given_key, Practitioner.family_key),
)


class PractitionerModality(Base):
    """A modality the practitioner performs (declared by them or their clinic)."""

    __tablename__ = "practitioner_modalities"
    practitioner_id: Mapped[int] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE"), primary_key=True
    )
    modality_code: Mapped[str] = mapped_column(ForeignKey("modalities.code"), primary_key=True)

    practitioner: Mapped[Practitioner] = relationship(back_populates="modalities")


class Clinic(TimestampMixin, Base):
    __tablename__ = "clinics"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    city: Mapped[str | None] = mapped_column(String(100))

    staff: Mapped[list[ClinicStaff]] = relationship(
        back_populates="clinic", cascade="all, delete-orphan"
    )


class LinkStatus(enum.StrEnum):
    """Where a clinic's link to a practitioner stands: a clinic asks, the practitioner
    decides; a regulator's import is authoritative (accepted)."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ClinicStaff(Base):
    """A practitioner's link to a clinic. Only an accepted link puts them on the clinic's
    staff (their private details, uploads, the public page's clinics)."""

    __tablename__ = "clinic_staff"
    clinic_id: Mapped[int] = mapped_column(
        ForeignKey("clinics.id", ondelete="CASCADE"), primary_key=True
    )
    practitioner_id: Mapped[int] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[LinkStatus] = mapped_column(
        str_enum(LinkStatus, "link_status"), default=LinkStatus.ACCEPTED
    )
    requested_by: Mapped[str | None] = mapped_column(String(254))
    requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str | None] = mapped_column(Text)  # this clinic's own, seen by it alone

    clinic: Mapped[Clinic] = relationship(back_populates="staff")
    practitioner: Mapped[Practitioner] = relationship(back_populates="clinic_links")
