"""The registry export (JSON; the CSV has the same fields, one row per credential).

An export streams every practitioner in scope, so its rows are never built as models:
``read.export`` reads each field's table column, CSV header and writer from the ``Column``
declared here, once at import, and writes rows straight from the database rows. These
classes are the one statement of the export's fields and document them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, create_model

from ..models import Role
from ..rules.model import MODALITY_ORDER
from .base import RegistrationStatusCode, Shape, Timestamp, Verdict, Verification


@dataclass(frozen=True)
class Column:
    """Where an exported field comes from: its table column, its CSV header (the import
    files' name; default the column's) and how its value is written: ``code``, ``text``
    (guarded against spreadsheet formulas in CSV), ``enum``, ``date`` or ``number``."""

    name: str
    csv: str | None = None
    kind: str = "text"


class ExportCredential(Shape):
    """A credential in an export: public fields, and the verification decision in force."""

    type: Annotated[str, Column("credential_type_code", "credential_type", "code")]
    issuer: Annotated[str, Column("issuer")]
    number: Annotated[str, Column("credential_number")]
    issued_on: Annotated[date, Column("issued_on", kind="date")]
    expires_on: Annotated[date | None, Column("expires_on", kind="date")]
    hours: Annotated[float | None, Column("hours", kind="number")]
    in_person_hours: Annotated[float | None, Column("in_person_hours", kind="number")]
    sessions: Annotated[int | None, Column("sessions", kind="number")]
    verification_status: Annotated[
        Verification, Column("verification_status", "verification", "enum")
    ]
    verification_on: Annotated[date | None, Column("verification_on", kind="date")] = Field(
        description="When the decision in force took effect; null before any."
    )


Verdicts = create_model(
    "Verdicts",
    __base__=Shape,
    __doc__="Today's verdict (CONTRACT §5) for each modality.",
    **{m: (Verdict, ...) for m in MODALITY_ORDER},
)


class ExportPractitioner(Shape):
    """A practitioner in an export, with today's verdicts and their credentials."""

    jurisdiction: Annotated[str, Column("jurisdiction_code", "jurisdiction", "code")]
    profession: Annotated[str, Column("profession_code", "profession", "code")]
    registration_number: Annotated[str, Column("registration_number")]
    given_name: Annotated[str, Column("given_name")]
    family_name: Annotated[str, Column("family_name")]
    status: Annotated[RegistrationStatusCode, Column("registration_status", kind="enum")]
    status_since: Annotated[date, Column("status_since", kind="date")]
    class_: Annotated[str | None, Column("registration_class")] = Field(alias="class")
    registered_since: Annotated[date, Column("registered_since", kind="date")]
    practising_since: Annotated[date | None, Column("practising_since", kind="date")]
    registration_expires_on: Annotated[date | None, Column("registration_expires_on", kind="date")]
    city: Annotated[str | None, Column("city")]
    modalities: list[str] = Field(description="The modalities they declare they perform.")
    verdicts: Verdicts
    credentials: list[ExportCredential]


class ExportScope(Shape):
    """Whose practitioners the export holds."""

    role: Literal[tuple(r.value for r in Role)]
    jurisdictions: list[str] | None
    clinics: list[str] | None
    jurisdiction: str | None
    profession: str | None


class Export(Shape):
    """The JSON export: streamed, one practitioner per line."""

    generated_at: Timestamp
    scope: ExportScope
    practitioners: list[ExportPractitioner]


def columns(shape: type[Shape]) -> tuple[tuple[str, str, str, str], ...]:
    """(CSV header, JSON key, table column, kind) of each field of ``shape`` that comes from
    a column, in field order."""
    out = []
    for name, info in shape.model_fields.items():
        column = next((m for m in info.metadata if isinstance(m, Column)), None)
        if column is not None:
            out.append((column.csv or column.name, info.alias or name, column.name, column.kind))
    return tuple(out)
