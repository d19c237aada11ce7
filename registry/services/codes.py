"""The known codes, read once per operation to check input against."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import CredentialType, Jurisdiction, Modality, Profession, RegistrationStatus


@dataclass(frozen=True)
class Codes:
    jurisdictions: frozenset[str]
    professions: frozenset[str]
    modalities: frozenset[str]
    credential_types: frozenset[str]
    statuses: frozenset[str] = frozenset(s.value for s in RegistrationStatus)


def load_codes(session: Session) -> Codes:
    def all_of(column) -> frozenset[str]:
        return frozenset(session.scalars(select(column)))

    return Codes(
        jurisdictions=all_of(Jurisdiction.code),
        professions=all_of(Profession.code),
        modalities=all_of(Modality.code),
        credential_types=all_of(CredentialType.code),
    )
