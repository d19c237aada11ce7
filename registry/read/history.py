"""A practitioner's change history, as both the regulator's and the practitioner's pages
show it: the audit events about them and their credentials, newest first, paged in SQL, each
change in words."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ..models import AuditEvent, Practitioner, User
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


def changes(event: AuditEvent) -> list[tuple[str, str, str]]:
    """(field, before, after) as text for every field an event names, in its order."""
    before, after = event.before or {}, event.after or {}
    keys = list(dict.fromkeys([*after, *before]))
    return [(k, shown(before.get(k)), shown(after.get(k))) for k in keys]


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
