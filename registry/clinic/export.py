"""The clinic's staff as CSV: one row per credential (one row for a practitioner with none),
each carrying the practitioner's details, private contacts and today's verdict per modality."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import chain

from sqlalchemy.orm import Session

from ..models import Credential
from ..rules.model import MODALITY_ORDER
from ..scopes import private_visible_ids
from . import queries
from .context import Workspace

PRACTITIONER_COLUMNS = [
    "jurisdiction",
    "profession",
    "registration_number",
    "given_name",
    "family_name",
    "registration_status",
    "registration_class",
    "registration_expires_on",
    "city",
    "email",
    "phone",
    "modalities",
]
VERDICT_COLUMNS = [c for m in MODALITY_ORDER for c in (m, f"{m}_basis")]
CREDENTIAL_COLUMNS = [
    "credential_type",
    "issuer",
    "credential_number",
    "issued_on",
    "expires_on",
    "hours",
    "in_person_hours",
    "sessions",
    "verification",
    "verification_on",
    "evidence_on_file",
]
COLUMNS = PRACTITIONER_COLUMNS + VERDICT_COLUMNS + CREDENTIAL_COLUMNS
NOT_DECLARED = "not declared"
_FORMULA = re.compile(r"^[=+\-@\t\r]")
_PHONE = re.compile(r"^\+?[\d\s().-]+$")


def safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (phone numbers are left as they are)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = value.isoformat() if isinstance(value, date) else str(value)
    if _FORMULA.match(text) and not _PHONE.match(text):
        return "'" + text
    return text


def staff_csv(session: Session, clinic_id: int, user) -> Iterator[str]:
    """Load the staff, their status and credentials now (nine queries), then yield the CSV
    line by line, so the response streams without touching the database again. Contact
    details appear only for staff who accepted their link to one of the user's clinics
    (scopes.private_visible_ids).
    """
    rows = queries.staff_rows(session, clinic_id)
    credentials: dict[int, list[Credential]] = defaultdict(list)
    for c in queries.staff_credentials(session, clinic_id):
        credentials[c.practitioner_id].append(c)
    visible = private_visible_ids(session, user, [r.practitioner.id for r in rows])
    return _lines(_records(rows, credentials, visible))


def _records(rows: list[queries.StaffRow], credentials, visible: set[int]) -> Iterator[list]:
    for row in rows:
        p, status = row.practitioner, row.status
        private = p.id in visible
        person = [
            *p.key,
            p.given_name,
            p.family_name,
            p.registration_status.value,
            p.registration_class,
            p.registration_expires_on,
            p.city,
            p.email if private else "",
            p.phone if private else "",
            ";".join(m for m in MODALITY_ORDER if status.modalities[m].declared),
        ]
        for m in MODALITY_ORDER:
            ms = status.modalities[m]
            person += [ms.verdict, ms.basis] if ms.declared else [NOT_DECLARED, ""]
        for c in credentials.get(p.id) or [None]:
            yield person + _credential(c)


def _credential(c: Credential | None) -> list:
    if c is None:
        return [""] * len(CREDENTIAL_COLUMNS)
    return [
        c.credential_type_code,
        c.issuer,
        c.credential_number,
        c.issued_on,
        c.expires_on,
        "" if c.hours is None else f"{c.hours:g}",
        "" if c.in_person_hours is None else f"{c.in_person_hours:g}",
        c.sessions,
        c.verification_status.value,
        c.verification_on,
        c.evidence_ref is not None,
    ]


def _lines(records: Iterable[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for record in chain([COLUMNS], records):
        writer.writerow([safe(v) for v in record])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def export_filename(ws: Workspace) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", ws.clinic.name.lower()).strip("-") or "clinic"
    return f"{slug}-staff-{date.today().isoformat()}.csv"
