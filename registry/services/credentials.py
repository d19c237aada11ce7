"""Adding, renewing, verifying and revoking single credentials."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ..models import Credential, Practitioner
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
    "verified",
    "verified_by_name",
    "verified_at",
    "verification_note",
    "evidence_ref",
    "revoked",
    "revoked_reason",
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
) -> Credential:
    """Record a new credential; it waits for verification."""
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
        verified=False,
        revoked=False,
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
) -> Credential:
    """Renewal is a new credential of the same type and issuer; the old one stays on file."""
    _check_version(c, expected_version)
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
    )
    audit.record(
        session, actor, "credential.renew", "credential", c.id, after={"renewed_by": renewed.id}
    )
    return renewed


def verify_credential(
    session: Session,
    actor: str,
    c: Credential,
    *,
    verified_by_id: int | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    accept: bool = True,
) -> Credential:
    """Record a primary-source check: verified (accept) or rejected, by whom, when, why."""
    _check_version(c, expected_version)
    before = snapshot(c)
    c.verified = accept
    c.verified_by_id, c.verified_by_name = verified_by_id, actor
    c.verified_at = utcnow()
    c.verification_note = note
    session.flush()
    b, a = audit.diff(before, snapshot(c))
    action = "credential.verify" if accept else "credential.reject"
    audit.record(session, actor, action, "credential", c.id, before=b, after=a)
    return c


def revoke_credential(
    session: Session,
    actor: str,
    c: Credential,
    reason: str,
    expected_version: int | None = None,
) -> Credential:
    """A revoked credential no longer counts toward any rule."""
    _check_version(c, expected_version)
    if not reason.strip():
        raise InvalidInput({"reason": "say why the credential is revoked"})
    before = snapshot(c)
    c.revoked, c.revoked_at, c.revoked_reason = True, utcnow(), reason.strip()
    session.flush()
    b, a = audit.diff(before, snapshot(c))
    audit.record(session, actor, "credential.revoke", "credential", c.id, before=b, after=a)
    return c
