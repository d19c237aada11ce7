"""Creating and editing single practitioners (the web forms and the API use these)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Practitioner, PractitionerModality
from ..models.base import utcnow
from . import InvalidInput, NotFound, StaleEdit, audit
from .codes import load_codes
from .imports.practitioners import FIELD_COLUMNS, clean_practitioner

EDITABLE = (
    "given_name",
    "family_name",
    "registration_status",
    "status_since",
    "registered_since",
    "registration_class",
    "registration_expires_on",
    "city",
    "email",
    "phone",
    "notes",
)


def snapshot(p: Practitioner) -> dict[str, Any]:
    values = {
        c: getattr(p, c)
        for c in ("jurisdiction_code", "profession_code", "registration_number", *EDITABLE)
    }
    values["modalities"] = sorted(m.modality_code for m in p.modalities)
    return audit.plain_dict(values)


def find(session: Session, jurisdiction: str, profession: str, number: str) -> Practitioner:
    p = session.scalar(
        select(Practitioner).where(
            Practitioner.jurisdiction_code == jurisdiction,
            Practitioner.profession_code == profession,
            Practitioner.registration_number == number,
        )
    )
    if p is None:
        raise NotFound(f"no practitioner {jurisdiction}/{profession}/{number}")
    return p


def _clean(session: Session, raw: dict[str, str]) -> dict[str, Any]:
    values, errors = clean_practitioner(raw, load_codes(session))
    if errors:
        raise InvalidInput({"input": "; ".join(errors)})
    return values


def create_practitioner(session: Session, actor: str, raw: dict[str, str]) -> Practitioner:
    """Create one practitioner from contract-named text fields (as in practitioners.csv)."""
    values = _clean(session, raw)
    key = (values["jurisdiction"], values["profession"], values["registration_number"])
    if session.scalar(
        select(Practitioner.id).where(
            Practitioner.jurisdiction_code == key[0],
            Practitioner.profession_code == key[1],
            Practitioner.registration_number == key[2],
        )
    ):
        raise InvalidInput({"registration_number": "a practitioner with this key exists"})
    p = Practitioner(**{FIELD_COLUMNS[k]: v for k, v in values.items() if k in FIELD_COLUMNS})
    p.modalities = [PractitionerModality(modality_code=m) for m in values.get("modalities", [])]
    session.add(p)
    session.flush()
    audit.record(session, actor, "practitioner.create", "practitioner", p.id, after=snapshot(p))
    return p


def update_practitioner(
    session: Session, actor: str, p: Practitioner, changes: dict[str, Any], expected_version: int
) -> Practitioner:
    """Apply already-typed changes to EDITABLE fields, refusing a stale edit."""
    if p.version != expected_version:
        raise StaleEdit(
            f"{p.name} was changed by someone else (version {p.version}, you edited "
            f"version {expected_version}); reload and apply your change again"
        )
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput({k: "cannot be edited" for k in unknown})
    before = snapshot(p)
    for name, value in changes.items():
        setattr(p, name, value)
    if p.status_since < p.registered_since:
        raise InvalidInput({"status_since": "is before registered_since"})
    session.flush()
    b, a = audit.diff(before, snapshot(p))
    if a:
        audit.record(session, actor, "practitioner.update", "practitioner", p.id, before=b, after=a)
    return p


def set_modalities(session: Session, actor: str, p: Practitioner, modalities: list[str]) -> None:
    """Declare exactly which modalities a practitioner performs."""
    modalities = list(modalities or ())
    known = load_codes(session).modalities
    bad = [m for m in modalities if m not in known]
    if bad:
        raise InvalidInput({"modalities": f"unknown modality '{bad[0]}'"})
    before = sorted(m.modality_code for m in p.modalities)
    if before == sorted(set(modalities)):
        return
    p.modalities = [PractitionerModality(modality_code=m) for m in sorted(set(modalities))]
    p.updated_at = utcnow()  # touches the row, so the version counter moves on too
    session.flush()
    audit.record(
        session,
        actor,
        "practitioner.set_modalities",
        "practitioner",
        p.id,
        before={"modalities": before},
        after={"modalities": sorted(set(modalities))},
    )
