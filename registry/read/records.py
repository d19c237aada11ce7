"""One practitioner's public record: what the public page and the JSON API may show.

Contract: only public columns are ever read here. A practitioner's email, phone and notes, a
verification decision's note, decider and evidence, and a credential's evidence reference
never leave the database through this module. Verdicts are computed by
``read.verdicts.statuses`` (five queries) as of the given day; clinics take one more query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Annotated

from pydantic import BeforeValidator, Field
from pydantic.dataclasses import dataclass as query_object
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Clinic, ClinicStaff, Jurisdiction, LinkStatus, Practitioner, Profession
from ..rules import CredentialSnap, Decision
from ..rules.engine import label
from ..rules.model import MODALITY_ORDER
from .cache import cached
from .credentials import CredentialState, state_of
from .params import JURISDICTION, QueryError, clean_text, parse_query
from .rulebook import current_rule_book
from .verdicts import ModalityStatus, PractitionerStatus, statuses

P = Practitioner
KEY_LENGTH = 64
# A registration number may hold '/' (the route takes the rest of the path), but the
# document keeps each generated part to one path segment.
PATH_SEGMENT = "^[^/\\u0000-\\u001f\\u007f-\\u009f]+$"
KeyPart = Annotated[
    str,
    Field(min_length=1, max_length=KEY_LENGTH, json_schema_extra={"pattern": PATH_SEGMENT}),
    BeforeValidator(partial(clean_text, limit=KEY_LENGTH)),
]


@query_object(frozen=True)
class RecordKey:
    """Which practitioner: the key of CONTRACT §3, as the path names it."""

    jurisdiction: KeyPart = Field(description=JURISDICTION)
    profession: KeyPart = Field(description="Profession code, e.g. physiotherapist.")
    registration_number: KeyPart = Field(description="The regulator's registration number.")


RECORD_COLUMNS = (
    P.id,
    P.jurisdiction_code.label("jurisdiction"),
    Jurisdiction.name.label("jurisdiction_name"),
    P.profession_code.label("profession"),
    Profession.name.label("profession_name"),
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
    """A credential as the public sees it on a day: currency and verification, and the dated
    decisions (without their notes); no private details."""

    type: str
    issuer: str
    number: str
    issued_on: date
    expires_on: date | None
    hours: float | None
    sessions: int | None
    state: CredentialState
    history: tuple[Decision, ...]

    @property
    def type_label(self) -> str:
        """'CPR certification', 'Dry needling course'."""
        words = label(self.type)
        return words[:1].upper() + words[1:]


def public_credential(c: CredentialSnap, today: date) -> PublicCredential:
    return PublicCredential(
        type=c.credential_type,
        issuer=c.issuer,
        number=c.credential_number,
        issued_on=c.issued_on,
        expires_on=c.expires_on,
        hours=c.hours,
        sessions=c.sessions,
        state=state_of(c, today),
        history=tuple(d for d in c.decisions if d.on <= today),
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
        key = parse_query(
            RecordKey,
            {"jurisdiction": jurisdiction, "profession": profession, "registration_number": number},
        )
    except QueryError:
        return None
    row = session.execute(
        select(*RECORD_COLUMNS)
        .join(Jurisdiction, Jurisdiction.code == P.jurisdiction_code)
        .join(Profession, Profession.code == P.profession_code)
        .where(
            P.jurisdiction_code == key.jurisdiction.upper(),
            P.profession_code == key.profession.lower(),
            P.registration_number == key.registration_number,
        )
    ).first()
    if row is None:
        return None
    status = statuses(session, [row.id], today, book=current_rule_book(session))[row.id]
    clinics = session.scalars(
        select(Clinic.name)
        .join(ClinicStaff, ClinicStaff.clinic_id == Clinic.id)
        .where(ClinicStaff.practitioner_id == row.id, ClinicStaff.status == LinkStatus.ACCEPTED)
        .order_by(Clinic.name)
    ).all()
    values = dict(row._mapping)
    values["registration_status"] = getattr(
        values["registration_status"], "value", values["registration_status"]
    )
    return PublicRecord(**values, clinics=list(clinics), status=status, as_of=today)


def public_record(
    session: Session, jurisdiction: str, profession: str, number: str
) -> PublicRecord | None:
    """The public record as of today (cached like every public answer), or None."""
    key = ("record", jurisdiction, profession, number)
    return cached(
        session, key, lambda: find_record(session, jurisdiction, profession, number, date.today())
    )
