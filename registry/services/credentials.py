"""Adding and renewing single credentials; they wait for verification (decisions about them
are ``services.verification``'s)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ..models import Clinic, Credential, Practitioner
from ..models.base import utcnow
from . import InvalidInput, StaleEdit, audit
from .codes import load_codes

SNAPSHOT = (
    "credential_type_code",
    "issuer",
    "credential_number",
    "issued_on",
    "expires_on",
    "hours",
    "in_person_hours",
    "sessions",
    "verification_status",
    "entered_by",
    "evidence_ref",
)


def snapshot(c: Credential) -> dict[str, Any]:
    return audit.plain_dict({k: getattr(c, k) for k in SNAPSHOT})


def _check_version(c: Credential, expected_version: int | None) -> None:
    if expected_version is not None and c.version != expected_version:
        raise StaleEdit(
            f"this credential was changed by someone else (version {c.version}, you edited "
            f"version {expected_version}); reload and apply your change again"
        )


def _check_values(c: Credential) -> None:
    errors = {}
    if c.expires_on is not None and c.expires_on < c.issued_on:
        errors["expires_on"] = "is before the issue date"
    for name in ("hours", "in_person_hours", "sessions"):
        if (getattr(c, name) or 0) < 0:
            errors[name] = "must not be negative"
    if c.hours is not None and c.in_person_hours is not None and c.in_person_hours > c.hours:
        errors["in_person_hours"] = "exceed the total hours"
    if errors:
        raise InvalidInput(errors)


def add_credential(
    session: Session,
    actor: str,
    practitioner: Practitioner,
    *,
    credential_type: str,
    issued_on: date,
    issuer: str = "",
    credential_number: str = "",
    expires_on: date | None = None,
    hours: float | None = None,
    in_person_hours: float | None = None,
    sessions: int | None = None,
    evidence_ref: str | None = None,
    entered_by: str | None = None,
    entered_by_clinic: Clinic | None = None,
) -> Credential:
    """Record a new credential, put on file by ``entered_by`` (in words: a clinic's name,
    "the practitioner") or ``entered_by_clinic``, whose evidence it then is; it waits for
    verification as pending."""
    if credential_type not in load_codes(session).credential_types:
        raise InvalidInput({"credential_type": f"unknown credential type '{credential_type}'"})
    c = Credential(
        practitioner=practitioner,
        credential_type_code=credential_type,
        issuer=issuer.strip(),
        credential_number=credential_number.strip(),
        issued_on=issued_on,
        expires_on=expires_on,
        hours=hours,
        in_person_hours=in_person_hours,
        sessions=sessions,
        evidence_ref=evidence_ref,
        entered_by=entered_by or (entered_by_clinic.name if entered_by_clinic else None),
        entered_by_clinic_id=entered_by_clinic.id if entered_by_clinic else None,
    )
    _check_values(c)
    session.add(c)
    session.flush()
    audit.record(session, actor, "credential.add", "credential", c.id, after=snapshot(c))
    return c


def renew_credential(
    session: Session,
    actor: str,
    c: Credential,
    *,
    issued_on: date,
    expires_on: date | None,
    credential_number: str | None = None,
    evidence_ref: str | None = None,
    expected_version: int | None = None,
    entered_by: str | None = None,
    entered_by_clinic: Clinic | None = None,
) -> Credential:
    """Renewal is a new credential of the same type and issuer, pending verification; the
    old one stays on file and its version moves on, so a second renewal of the version the
    first one saw is refused as stale."""
    _check_version(c, expected_version)
    c.updated_at = utcnow()
    session.flush()  # checks the version against the database, and moves it
    renewed = add_credential(
        session,
        actor,
        c.practitioner,
        credential_type=c.credential_type_code,
        issued_on=issued_on,
        issuer=c.issuer,
        credential_number=c.credential_number if credential_number is None else credential_number,
        expires_on=expires_on,
        hours=c.hours,
        in_person_hours=c.in_person_hours,
        sessions=c.sessions,
        evidence_ref=evidence_ref,
        entered_by=entered_by,
        entered_by_clinic=entered_by_clinic,
    )
    audit.record(
        session, actor, "credential.renew", "credential", c.id, after={"renewed_by": renewed.id}
    )
    return renewed
