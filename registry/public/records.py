"""One practitioner's public record: what the public page and the JSON API may show.

Contract: only public columns are ever read here. A practitioner's email, phone and notes, a
credential's verification note, verifier, evidence reference and revocation reason never leave
the database through this module. Authorization is computed by ``reports.status.statuses``
(five queries) as of the given day; clinics take one more query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Clinic, ClinicStaff, Jurisdiction, Practitioner, Profession
from ..reports.status import ModalityStatus, PractitionerStatus, statuses
from ..rules import CredentialSnap
from ..rules.engine import label
from ..rules.model import MODALITY_ORDER
from ..templating import credential_badge
from .cache import current_rule_book
from .params import clean_text

P = Practitioner
RECORD_COLUMNS = (
    P.id,
    P.jurisdiction_code,
    Jurisdiction.name,
    P.profession_code,
    Profession.name,
    P.registration_number,
    P.given_name,
    P.family_name,
    P.registration_status,
    P.status_since,
    P.registration_class,
    P.registered_since,
    P.registration_expires_on,
    P.city,
)


@dataclass(frozen=True)
class PublicCredential:
    """A credential as the public sees it: currency and verification, no private details."""

    type: str
    issuer: str
    number: str
    issued_on: date
    expires_on: date | None
    hours: float | None
    sessions: int | None
    state: str  # current | expiring | expired | revoked
    state_words: str
    verified: bool
    verified_on: date | None

    @property
    def type_label(self) -> str:
        """'CPR certification', 'Dry needling course'."""
        words = label(self.type)
        return words[:1].upper() + words[1:]

    @property
    def verification(self) -> str:
        if not self.verified:
            return "not verified"
        return f"verified {self.verified_on}" if self.verified_on else "verified"


def public_credential(c: CredentialSnap, today: date) -> PublicCredential:
    state, words = credential_badge(c.expires_on, today)
    if c.revoked:
        state, words = "revoked", "Revoked: does not count"
    verified = c.verified and not c.revoked
    return PublicCredential(
        type=c.credential_type,
        issuer=c.issuer,
        number=c.credential_number,
        issued_on=c.issued_on,
        expires_on=c.expires_on,
        hours=c.hours,
        sessions=c.sessions,
        state=state,
        state_words=words,
        verified=verified,
        verified_on=c.verified_at if verified else None,
    )


@dataclass
class PublicRecord:
    id: int
    jurisdiction: str
    jurisdiction_name: str
    profession: str
    profession_name: str
    registration_number: str
    given_name: str
    family_name: str
    registration_status: str
    status_since: date
    registration_class: str | None
    registered_since: date
    registration_expires_on: date | None
    city: str | None
    clinics: list[str]
    status: PractitionerStatus
    as_of: date

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def modalities(self) -> list[ModalityStatus]:
        return [self.status.modalities[m] for m in MODALITY_ORDER]

    @property
    def credentials(self) -> list[PublicCredential]:
        """Newest first within each type, types in alphabetical order."""
        creds = sorted(self.status.snap.credentials, key=lambda c: c.issued_on, reverse=True)
        creds.sort(key=lambda c: c.credential_type)
        return [public_credential(c, self.as_of) for c in creds]


def find_record(
    session: Session, jurisdiction: str, profession: str, number: str, today: date
) -> PublicRecord | None:
    """The public record for this key as of ``today``, or None (also for malformed keys)."""
    try:
        key = [clean_text(v, 64) for v in (jurisdiction, profession, number)]
    except ValueError:
        return None
    row = session.execute(
        select(*RECORD_COLUMNS)
        .join(Jurisdiction, Jurisdiction.code == P.jurisdiction_code)
        .join(Profession, Profession.code == P.profession_code)
        .where(
            P.jurisdiction_code == key[0].upper(),
            P.profession_code == key[1].lower(),
            P.registration_number == key[2],
        )
    ).first()
    if row is None:
        return None
    status = statuses(session, [row.id], today, book=current_rule_book(session))[row.id]
    clinics = session.scalars(
        select(Clinic.name)
        .join(ClinicStaff, ClinicStaff.clinic_id == Clinic.id)
        .where(ClinicStaff.practitioner_id == row.id)
        .order_by(Clinic.name)
    ).all()
    values = list(row)
    values[8] = getattr(values[8], "value", values[8])
    return PublicRecord(*values, clinics=list(clinics), status=status, as_of=today)
