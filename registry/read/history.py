"""A practitioner's change history, as both the regulator's and the practitioner's pages
show it: the audit events about them and their credentials, newest first, paged in SQL, each
change in words."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ..models import (
    AuditEvent,
    CredentialType,
    Jurisdiction,
    Modality,
    Practitioner,
    Profession,
    User,
)
from ..rules.engine import label

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    pages: int
    total: int


def paginate(session: Session, stmt: Select, page: int, per_page: int) -> Page:
    """One page of a single-entity ORM select (a page past the end shows the last one)."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, math.ceil((total or 0) / per_page))
    page = min(max(page, 1), pages)
    items = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items, page, pages, total or 0)


def history(session: Session, p: Practitioner, page: int, per_page: int) -> Page[AuditEvent]:
    """Audit events about ``p`` or any of their credentials, newest first."""
    about = and_(AuditEvent.target_type == "practitioner", AuditEvent.target_id == str(p.id))
    credential_ids = [str(c.id) for c in p.credentials]
    if credential_ids:
        about = or_(
            about,
            and_(AuditEvent.target_type == "credential", AuditEvent.target_id.in_(credential_ids)),
        )
    stmt = select(AuditEvent).where(about)
    stmt = stmt.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    return paginate(session, stmt, page, per_page)


def shown(value: Any) -> str:
    """A logged value as a reader expects it: lists joined, yes/no, 45 rather than 45.0."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value) or "none"
    if isinstance(value, dict):  # a requirement item of a rule
        return "(" + "; ".join(f"{label(k)} {shown(v)}" for k, v in value.items()) + ")"
    return str(value)


ACTION_WORDS = {
    "practitioner.create": "Record created",
    "practitioner.update": "Record changed",
    "practitioner.set_modalities": "Services declared",
    "credential.add": "Credential added",
    "credential.renew": "Credential renewed",
    "credential.update": "Credential changed",
    "credential.verified": "Credential verified",
    "credential.rejected": "Credential rejected",
    "credential.revoked": "Credential revoked",
    "credential.pending": "Credential back to pending",
    "clinic.assign_staff": "Added to a clinic's staff",
    "clinic.remove_staff": "Taken off a clinic's staff",
    "clinic_link.request": "A clinic asked to add you to its staff",
    "clinic_link.accept": "Clinic request accepted",
    "clinic_link.decline": "Clinic request declined",
    "clinic_link.end": "Clinic link ended",
    "clinic_link.withdraw": "A clinic withdrew its request",
    "link.invitation": "Invitation to open an account sent",
    "link.clinic_request": "A clinic's request emailed to you",
    "link.claim": "Link to claim the record sent",
    "user.create": "Account opened",
    "user.set_scopes": "Scopes changed",
    "user.set_role": "Role changed",
    "user.activate": "Account reactivated",
    "user.deactivate": "Account deactivated",
    "user.change_password": "Password changed",
    "user.end_access": "Access ended",
    "token.create": "API token created",
    "token.revoke": "API token revoked",
}

FIELD_WORDS = {
    "registration_status": "registration status",
    "registration_class": "class",
    "registration_expires_on": "registration expires",
    "registered_since": "registered since",
    "status_since": "status since",
    "practising_since": "practising since",
    "given_name": "given name",
    "family_name": "family name",
    "credential_type": "credential",
    "credential_type_code": "credential",
    "credential_number": "number",
    "issued_on": "issued",
    "expires_on": "expires",
    "in_person_hours": "hours in person",
    "evidence_ref": "evidence file",
    "entered_by": "entered by",
    "effective_on": "from",
    "sent_to": "sent to",
    "renewed_by": "replaced by",
    "jurisdiction_code": "jurisdiction",
    "profession_code": "profession",
    "registration_number": "registration number",
    "verification_status": "verification",
    "verification": "verification",
    "via": "recorded through",
    "modality_code": "modality",
    "active": "may log in",
}


def action_words(action: str) -> str:
    """An audit action in words ('credential.renew' → 'Credential renewed')."""
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    return action.replace("_", " ").replace(".", ": ").capitalize()


def field_words(name: str) -> str:
    return FIELD_WORDS.get(name, name.replace("_", " "))


ROLE_WORDS = {
    "admin": "a registry administrator",
    "regulator": "your regulator",
    "clinic_manager": "a clinic manager",
    "practitioner": "you",
}


def actors_for(session: Session, events: list[AuditEvent], me: str) -> dict[str, str]:
    """Who made each event, as the practitioner reads it: "you" for their own account or
    their email links, the role of anyone else (their email stays with the registry), the
    registry itself for the command line and imports (one query)."""
    names = {e.actor for e in events}
    roles = dict(
        session.execute(select(User.email, User.role).where(User.email.in_(sorted(names)))).all()
    )
    out = {}
    for name in names:
        if name == me or name.startswith("link:"):
            out[name] = "you"
        elif name == "public claim":
            out[name] = "someone using the public claim form"
        elif name in roles:
            role = roles[name]
            out[name] = ROLE_WORDS.get(getattr(role, "value", role), "a registry user")
        else:
            out[name] = "the registry (an import or the command line)"
    return out


# The gap kinds of the rules engine in words, for every page that lists gaps.
GAP_KIND_WORDS = {
    "registration_inactive": "Registration not active",
    "outside_scope": "Outside the profession's scope",
    "wrong_registration_class": "Registration class does not allow it",
    "insufficient_experience": "Not enough years of experience",
    "missing_credential": "Credential missing",
    "unapproved_issuer": "Issuer not approved",
    "expired": "Credential expired",
    "insufficient_hours": "Not enough training hours",
    "insufficient_sessions": "Not enough supervised sessions",
    "unverified": "Waiting for verification",
    "expiring_soon": "Expiring soon",
    "no_rule": "No rule on file",
}

# Account roles in words, as staff pages name them.
ROLE_LABELS = {
    "admin": "Administrator",
    "regulator": "Regulator",
    "clinic_manager": "Clinic manager",
    "practitioner": "Practitioner",
}


def gap_kind_words(kind: str | None) -> str:
    """A gap kind in words ('registration_inactive' → 'Registration not active')."""
    if not kind:
        return ""
    return GAP_KIND_WORDS.get(kind, label(kind).capitalize())


def staff_actor(actor: str) -> str:
    """Who made an event, as staff read it: the account's email, or in words for the
    command line, imports, emailed links and the public claim form."""
    if actor.startswith("cli:"):
        return "the command line"
    if actor.startswith("import"):
        return "an import"
    if actor.startswith("link:"):
        return "the practitioner (emailed link)"
    if actor == "public claim":
        return "someone using the public claim form"
    if actor in ("test", "system", ""):
        return "the registry"
    return actor


_HIDDEN_FIELDS = {"id", "practitioner_id", "user_id", "clinic_id", "credential_id", "version",
                  "given_key", "family_key"}  # fmt: skip
_CODED_FIELDS = {"credential_type", "credential_type_code", "profession", "profession_code",
                 "modality", "modality_code", "modalities", "counted_for"}  # fmt: skip
_STATE_WORDS = {"pending": "Pending verification", "verified": "Verified",
                "rejected": "Rejected", "revoked": "Revoked"}  # fmt: skip


def _value_words(name: str, value: Any, names: dict[str, str]) -> str:
    """One logged value in words: codes as names, roles and states in words, no snake_case."""
    if value is None or value == "" or value == []:
        return "—" if name != "jurisdictions" and name != "clinics" else "none"
    if isinstance(value, list):
        return ", ".join(_value_words(name, v, names) for v in value)
    if name == "role":
        return ROLE_LABELS.get(str(value), label(str(value)))
    if name in ("verification", "verification_status", "status"):
        return _STATE_WORDS.get(str(value), label(str(value)))
    if name in _CODED_FIELDS:
        return names.get(str(value)) or label(str(value)).capitalize()
    if name in ("jurisdiction", "jurisdiction_code", "jurisdictions"):
        return names.get(str(value), str(value))
    if name == "via":
        return {"import": "an import", "web": "the web page"}.get(str(value), str(value))
    if name == "registration_status":
        return str(value).capitalize()
    if name == "practitioner" and isinstance(value, str) and "/" in value:
        j, profession, number = (value.split("/", 2) + ["", ""])[:3]
        return f"{names.get(profession) or label(profession)}, {names.get(j, j)}, {number}"
    return shown(value)


def code_names(session: Session) -> dict[str, str]:
    """Every reference code (jurisdictions, professions, modalities, credential types) with its
    name, in four small queries."""
    names: dict[str, str] = {}
    for model in (CredentialType, Modality, Profession, Jurisdiction):
        names.update(dict(session.execute(select(model.code, model.name)).all()))
    return names


def change_lines(
    event: AuditEvent, names: dict[str, str] | None = None, notes_words: str = "notes: changed"
) -> list[str]:
    """Each field an event changed, in words ('role: Regulator → Clinic manager'); ids and
    private notes are left out (``notes_words`` says they changed). ``names`` maps codes
    (jurisdictions, professions, credential types) to their names."""
    names = names or {}
    before, after = event.before or {}, event.after or {}
    lines = []
    for key in dict.fromkeys([*after, *before]):
        if key in _HIDDEN_FIELDS:
            continue
        if key == "notes":
            lines.append(notes_words)
            continue
        if key == "evidence_ref":
            lines.append("evidence file: " + ("attached" if after.get(key) else "removed"))
            continue
        if key == "renewed_by":
            lines.append("replaced by its renewal")
            continue
        old, new = (
            _value_words(key, before.get(key), names),
            _value_words(key, after.get(key), names),
        )
        if event.before is not None and key in before and old != new:
            lines.append(f"{field_words(key)}: {old} → {new}")
        elif new not in ("—",):
            lines.append(f"{field_words(key)}: {new}")
    return lines
