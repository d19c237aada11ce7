"""The registry export: every practitioner in a scope with their public fields, their
credentials (with the verification decision in force today) and today's verdict for each
modality (CONTRACT §5), as CSV or JSON text produced chunk by chunk (the API streams it, the
CLI writes it).

Four streamed queries (practitioners, their modalities, their credentials, the credentials'
decisions) in practitioner id order, merged as ``snapshots`` does: memory stays flat whatever
the size of the scope. Only public columns are selected: never email, phone, notes, decision
notes or evidence file names.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic.dataclasses import dataclass as query_object
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_

from ..models import (
    Clinic,
    Credential,
    CredentialDecision,
    Jurisdiction,
    Practitioner,
    PractitionerModality,
    Profession,
    Role,
    User,
)
from ..models.base import as_utc
from ..rules import CredentialSnap, PractitionerSnap, RuleBook, assess
from ..rules.model import MODALITY_ORDER
from ..schema.export import ExportCredential, ExportPractitioner, columns
from ..schema.export import ExportScope as ScopeShape
from ..scopes import practitioner_filter
from .params import JURISDICTION, Code, QueryError, parse_query
from .rulebook import current_rule_book
from .snapshots import DECISION_COLUMNS, Children, decisions_by_credential

P = Practitioner.__table__
C = Credential.__table__
M = PractitionerModality.__table__
D = CredentialDecision.__table__
BATCH = 5000
CHUNK = 64 * 1024  # characters per chunk handed to the server
FORMATS = ("csv", "json")

# (CSV column, JSON key, database column, kind) of every field, in file order, as the export's
# shapes declare them (``schema.export``): JSON keys follow the public API's record (status,
# class, type, number); CSV columns the import files' names.
PRACTITIONER = tuple((c, k, P.c[name], kind) for c, k, name, kind in columns(ExportPractitioner))
CREDENTIAL = tuple((c, k, C.c[name], kind) for c, k, name, kind in columns(ExportCredential))
CREDENTIAL_FIELDS = tuple(f[0] for f in CREDENTIAL)
VERDICT_COLUMNS = tuple(f"verdict_{m}" for m in MODALITY_ORDER)
CSV_COLUMNS = (
    *(f[0] for f in PRACTITIONER),
    "modalities",
    *VERDICT_COLUMNS,
    *CREDENTIAL_FIELDS,
)
# Each statement leads with the columns the merge and the verdicts need, then the fields.
PRACTITIONER_COLUMNS = (P.c.id, *(f[2] for f in PRACTITIONER))
CREDENTIAL_COLUMNS = (C.c.practitioner_id, C.c.id, *(f[2] for f in CREDENTIAL))


class UnknownCode(ValueError):
    """A filter names a jurisdiction or profession the registry does not know."""


@dataclass(frozen=True)
class ExportScope:
    """Which practitioners an export holds, and how its JSON describes that."""

    where: Sequence[ColumnElement[bool]]
    description: dict[str, Any] = field(default_factory=dict)


@query_object(frozen=True)
class ExportFilters:
    """What an export may be narrowed to (empty: no filter)."""

    jurisdiction: Annotated[Code, AfterValidator(str.upper)] = Field(
        "", description="Only this jurisdiction: " + JURISDICTION
    )
    profession: Annotated[Code, AfterValidator(str.lower)] = Field(
        "", description="Only this profession code."
    )


def check_filters(
    session: Session, jurisdiction: str | None, profession: str | None
) -> tuple[str | None, str | None]:
    """The filters as known codes (jurisdiction upper-cased, profession lower-cased; empty
    means none); UnknownCode naming the parameter otherwise."""
    try:
        filters = parse_query(
            ExportFilters, {"jurisdiction": jurisdiction, "profession": profession}
        )
    except QueryError as exc:
        raise UnknownCode(str(exc)) from None
    code, prof = filters.jurisdiction or None, filters.profession or None
    if code and session.get(Jurisdiction, code) is None:
        raise UnknownCode(f"jurisdiction: unknown jurisdiction {code!r}")
    if prof and session.get(Profession, prof) is None:
        raise UnknownCode(f"profession: unknown profession {prof!r}")
    return code, prof


def scope_of(
    session: Session, user: User | None, jurisdiction: str | None, profession: str | None
) -> ExportScope:
    """What ``user`` may export (``registry.scopes``), narrowed by the (checked) filters;
    ``user`` None is the whole registry (the command line)."""
    where: list[ColumnElement[bool]] = []
    role, jurisdictions, clinics = Role.ADMIN, None, None
    if user is not None:
        where.append(practitioner_filter(user))
        role = user.role
        if user.role == Role.REGULATOR:
            jurisdictions = sorted(user.jurisdiction_codes)
        elif user.role == Role.CLINIC_MANAGER:
            ids = sorted(user.clinic_ids)
            clinics = sorted(session.scalars(select(Clinic.name).where(Clinic.id.in_(ids))))
    if jurisdiction:
        where.append(P.c.jurisdiction_code == jurisdiction)
    if profession:
        where.append(P.c.profession_code == profession)
    description = ScopeShape(
        role=role.value,
        jurisdictions=jurisdictions,
        clinics=clinics,
        jurisdiction=jurisdiction,
        profession=profession,
    )
    return ExportScope(tuple(w for w in where if not isinstance(w, True_)), description.to_json())


def statements(where: Sequence[ColumnElement[bool]]):
    """The four statements of an export, each in practitioner id order. Child rows are
    limited with ``practitioner_id IN (scoped ids)``; the whole registry needs no filter."""
    practitioners = select(*PRACTITIONER_COLUMNS).where(*where).order_by(P.c.id)
    modalities = select(M.c.practitioner_id, M.c.modality_code)
    credentials = select(*CREDENTIAL_COLUMNS)
    decisions = select(*DECISION_COLUMNS)
    if where:
        ids = select(P.c.id).where(*where)
        modalities = modalities.where(M.c.practitioner_id.in_(ids))
        credentials = credentials.where(C.c.practitioner_id.in_(ids))
        decisions = decisions.where(D.c.practitioner_id.in_(ids))
    return (
        practitioners,
        modalities.order_by(M.c.practitioner_id, M.c.modality_code),
        credentials.order_by(C.c.practitioner_id, C.c.credential_type_code, C.c.issued_on, C.c.id),
        decisions.order_by(D.c.practitioner_id, D.c.credential_id, D.c.effective_on, D.c.id),
    )


@dataclass
class Record:
    """One practitioner of an export: the rows as read, and today's verdicts."""

    row: Any
    modalities: list
    credentials: list
    verdicts: dict[str, str]


def _verdicts(record_rows, decisions: list, book: RuleBook, today: date) -> dict[str, str]:
    row, modalities, credentials = record_rows
    made = decisions_by_credential(decisions)
    snap = PractitionerSnap(
        jurisdiction=row.jurisdiction_code,
        profession=row.profession_code,
        registration_number=row.registration_number,
        name="",
        registration_status=getattr(row.registration_status, "value", row.registration_status),
        status_since=row.status_since,
        registered_since=row.registered_since,
        practising_since=row.practising_since,
        registration_class=row.registration_class,
        registration_expires_on=row.registration_expires_on,
        modalities=tuple(m.modality_code for m in modalities),
        credentials=tuple(
            CredentialSnap(
                id=c.id,
                credential_type=c.credential_type_code,
                issued_on=c.issued_on,
                issuer=c.issuer,
                expires_on=c.expires_on,
                hours=c.hours,
                in_person_hours=c.in_person_hours,
                sessions=c.sessions,
                decisions=made.get(c.id, ()),
            )
            for c in credentials
        ),
    )
    _, auths = assess(snap, book, today)
    return {m: auths[m].verdict for m in MODALITY_ORDER}


def iter_records(
    session: Session, scope: ExportScope, today: date | None = None
) -> Iterator[Record]:
    """Everyone in scope with their rows and verdicts on ``today``, streamed. The cursors
    are closed when the iteration ends or is abandoned."""
    today = today or date.today()
    book = current_rule_book(session)
    conn = session.connection()
    with ExitStack() as stack:
        q_p, q_m, q_c, q_d = (
            stack.enter_context(conn.execute(q.execution_options(yield_per=BATCH)))
            for q in statements(scope.where)
        )
        modalities, credentials, decisions = Children(q_m), Children(q_c), Children(q_d)
        for row in q_p:
            rows = (row, modalities.take(row.id), credentials.take(row.id))
            yield Record(*rows, _verdicts(rows, decisions.take(row.id), book, today))


def timestamp(value: datetime | None) -> str | None:
    """A stored time as ISO 8601 in UTC (SQLite hands back naive UTC datetimes)."""
    if value is None:
        return None
    return as_utc(value).isoformat(timespec="seconds")


_RISKY = frozenset("=+-@\t\r")  # what a spreadsheet would run as a formula (cf. clinic.export)


def _text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value[0] in _RISKY else value


def _number(value: float | None) -> str:
    """45 rather than 45.0, and every digit of 12345.25 (``:g`` would round it)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


# How each kind of value is written, chosen per column once (the export converts millions).
_JSON = {
    "code": lambda v: v,
    "text": lambda v: v,
    "enum": lambda v: getattr(v, "value", v),
    "date": _date,
    "time": timestamp,
    "number": lambda v: v,
    "flag": bool,
}
_CSV = {
    "code": lambda v: v or "",
    "text": _text,
    "enum": lambda v: getattr(v, "value", v),
    "date": lambda v: v.isoformat() if v is not None else "",
    "time": lambda v: timestamp(v) or "",
    "number": _number,
    "flag": lambda v: "yes" if v else "no",
}
_P_JSON = tuple((f[1], _JSON[f[3]]) for f in PRACTITIONER)
_C_JSON = tuple((f[1], _JSON[f[3]]) for f in CREDENTIAL)
_P_CSV = tuple(_CSV[f[3]] for f in PRACTITIONER)
_C_CSV = tuple(_CSV[f[3]] for f in CREDENTIAL)


def practitioner_json(r: Record) -> dict[str, Any]:
    out = {key: write(v) for (key, write), v in zip(_P_JSON, r.row[1:], strict=True)}
    out["modalities"] = [m.modality_code for m in r.modalities]
    out["verdicts"] = r.verdicts
    out["credentials"] = [
        {key: write(v) for (key, write), v in zip(_C_JSON, c[2:], strict=True)}
        for c in r.credentials
    ]
    return out


def csv_rows(records: Iterable[Record]) -> Iterator[list[str]]:
    """One row per credential, the practitioner's columns (and verdicts) repeated; one row
    with empty credential columns for a practitioner without credentials. Text a spreadsheet
    would run as a formula gets a leading apostrophe."""
    none = [""] * len(CREDENTIAL)
    for r in records:
        person = [write(v) for write, v in zip(_P_CSV, r.row[1:], strict=True)]
        person.append(";".join(m.modality_code for m in r.modalities))
        person += [r.verdicts[m] for m in MODALITY_ORDER]
        if not r.credentials:
            yield person + none
        for c in r.credentials:
            yield person + [write(v) for write, v in zip(_C_CSV, c[2:], strict=True)]


def _chunks(pieces: Iterable[str]) -> Iterator[str]:
    """Pieces joined into chunks of about CHUNK characters (fewer, larger writes)."""
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def _csv_lines(rows: Iterable[list]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(row)
        if out.tell() >= CHUNK:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _json_pieces(records, scope: ExportScope, generated_at: str) -> Iterator[str]:
    head = {"generated_at": generated_at, "scope": scope.description}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "practitioners": [\n'
    separator = ""
    for record in records:
        yield separator + json.dumps(practitioner_json(record), ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


class Export:
    """The export of ``scope`` as text chunks; ``practitioners`` and ``rows`` count what has
    been produced so far (the CLI reports them)."""

    def __init__(self, session: Session, scope: ExportScope, fmt: str) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"format: must be one of {', '.join(FORMATS)}")
        self.session, self.scope, self.fmt = session, scope, fmt
        self.practitioners = self.rows = 0
        self.generated_at = datetime.now(UTC).isoformat(timespec="seconds")

    def _counted(self) -> Iterator[Record]:
        for record in iter_records(self.session, self.scope):
            self.practitioners += 1
            self.rows += max(1, len(record.credentials))
            yield record

    def __iter__(self) -> Iterator[str]:
        if self.fmt == "csv":
            return _csv_lines(csv_rows(self._counted()))
        return _chunks(_json_pieces(self._counted(), self.scope, self.generated_at))


def filename(fmt: str, today: date | None = None) -> str:
    return f"registry-export-{(today or date.today()).isoformat()}.{fmt}"
