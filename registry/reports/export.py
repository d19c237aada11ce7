"""The registry export: every practitioner in a scope with their public fields and credentials,
as CSV or JSON text produced chunk by chunk (the API streams it, the CLI writes it).

Three streamed queries (practitioners, their modalities, their credentials) in practitioner id
order, merged in Python as ``snapshots`` does: memory stays flat whatever the size of the scope.
Only public columns are selected: never email, phone, notes, verification notes or evidence
file names.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_

from ..models import (
    Clinic,
    Credential,
    Jurisdiction,
    Practitioner,
    PractitionerModality,
    Profession,
    Role,
    User,
)
from ..models.base import as_utc
from ..public.params import clean_text
from ..scopes import practitioner_filter

P = Practitioner.__table__
C = Credential.__table__
M = PractitionerModality.__table__
BATCH = 5000
CHUNK = 64 * 1024  # characters per chunk handed to the server
FORMATS = ("csv", "json")

# (CSV column, JSON key, database column, kind) of every field, in file order. JSON keys follow
# the public API's record (status, class, type, number); CSV columns the import files' names.
PRACTITIONER = (
    ("jurisdiction", "jurisdiction", P.c.jurisdiction_code, "code"),
    ("profession", "profession", P.c.profession_code, "code"),
    ("registration_number", "registration_number", P.c.registration_number, "text"),
    ("given_name", "given_name", P.c.given_name, "text"),
    ("family_name", "family_name", P.c.family_name, "text"),
    ("registration_status", "status", P.c.registration_status, "enum"),
    ("status_since", "status_since", P.c.status_since, "date"),
    ("registration_class", "class", P.c.registration_class, "text"),
    ("registered_since", "registered_since", P.c.registered_since, "date"),
    ("registration_expires_on", "registration_expires_on", P.c.registration_expires_on, "date"),
    ("city", "city", P.c.city, "text"),
)
CREDENTIAL = (
    ("credential_type", "type", C.c.credential_type_code, "code"),
    ("issuer", "issuer", C.c.issuer, "text"),
    ("credential_number", "number", C.c.credential_number, "text"),
    ("issued_on", "issued_on", C.c.issued_on, "date"),
    ("expires_on", "expires_on", C.c.expires_on, "date"),
    ("hours", "hours", C.c.hours, "number"),
    ("in_person_hours", "in_person_hours", C.c.in_person_hours, "number"),
    ("sessions", "sessions", C.c.sessions, "number"),
    ("verified", "verified", C.c.verified, "flag"),
    ("verified_at", "verified_at", C.c.verified_at, "time"),
    ("verified_by", "verified_by", C.c.verified_by_name, "text"),
    ("revoked", "revoked", C.c.revoked, "flag"),
)
CREDENTIAL_FIELDS = tuple(f[0] for f in CREDENTIAL)
CSV_COLUMNS = (*(f[0] for f in PRACTITIONER), "modalities", *CREDENTIAL_FIELDS)
PRACTITIONER_COLUMNS = (P.c.id, *(f[2] for f in PRACTITIONER))
CREDENTIAL_COLUMNS = (C.c.practitioner_id, *(f[2] for f in CREDENTIAL))


class UnknownCode(ValueError):
    """A filter names a jurisdiction or profession the registry does not know."""


@dataclass(frozen=True)
class ExportScope:
    """Which practitioners an export holds, and how its JSON describes that."""

    where: Sequence[ColumnElement[bool]]
    description: dict[str, Any] = field(default_factory=dict)


def check_filters(
    session: Session, jurisdiction: str | None, profession: str | None
) -> tuple[str | None, str | None]:
    """The filters as known codes (jurisdiction upper-cased, profession lower-cased; empty
    means none); UnknownCode naming the parameter otherwise."""
    code = _cleaned("jurisdiction", jurisdiction).upper() or None
    prof = _cleaned("profession", profession).lower() or None
    if code and session.get(Jurisdiction, code) is None:
        raise UnknownCode(f"jurisdiction: unknown jurisdiction {code!r}")
    if prof and session.get(Profession, prof) is None:
        raise UnknownCode(f"profession: unknown profession {prof!r}")
    return code, prof


def _cleaned(name: str, value: str | None) -> str:
    try:
        return clean_text(value, 50)
    except ValueError as exc:
        raise UnknownCode(f"{name}: {exc}") from None


def scope_of(
    session: Session, user: User | None, jurisdiction: str | None, profession: str | None
) -> ExportScope:
    """What ``user`` may export (``registry.scopes``), narrowed by the (checked) filters;
    ``user`` None is the whole registry (the command line)."""
    where: list[ColumnElement[bool]] = []
    description: dict[str, Any] = {"role": "admin", "jurisdictions": None, "clinics": None}
    if user is not None:
        where.append(practitioner_filter(user))
        description["role"] = user.role.value
        if user.role == Role.REGULATOR:
            description["jurisdictions"] = sorted(user.jurisdiction_codes)
        elif user.role == Role.CLINIC_MANAGER:
            ids = sorted(user.clinic_ids)
            names = session.scalars(select(Clinic.name).where(Clinic.id.in_(ids)))
            description["clinics"] = sorted(names)
    if jurisdiction:
        where.append(P.c.jurisdiction_code == jurisdiction)
    if profession:
        where.append(P.c.profession_code == profession)
    description.update(jurisdiction=jurisdiction, profession=profession)
    return ExportScope(tuple(w for w in where if not isinstance(w, True_)), description)


def statements(where: Sequence[ColumnElement[bool]]):
    """The three statements of an export, each in practitioner id order. Child rows are
    limited with ``practitioner_id IN (scoped ids)``; the whole registry needs no filter."""
    practitioners = select(*PRACTITIONER_COLUMNS).where(*where).order_by(P.c.id)
    modalities = select(M.c.practitioner_id, M.c.modality_code)
    credentials = select(*CREDENTIAL_COLUMNS)
    if where:
        ids = select(P.c.id).where(*where)
        modalities = modalities.where(M.c.practitioner_id.in_(ids))
        credentials = credentials.where(C.c.practitioner_id.in_(ids))
    return (
        practitioners,
        modalities.order_by(M.c.practitioner_id, M.c.modality_code),
        credentials.order_by(C.c.practitioner_id, C.c.credential_type_code, C.c.issued_on, C.c.id),
    )


class _Children:
    """One child stream (rows led by a practitioner id, in id order), taken one id at a time.
    Rows of an id missing from the practitioner stream (written between the statements) are
    skipped rather than stalling the merge."""

    def __init__(self, rows: Iterable) -> None:
        self._groups = groupby(rows, key=itemgetter(0))
        self._next()

    def _next(self) -> None:
        self._key, self._rows = next(self._groups, (None, iter(())))

    def take(self, pid: int) -> list:
        while self._key is not None and self._key < pid:
            self._next()
        if self._key != pid:
            return []
        rows = list(self._rows)
        self._next()
        return rows


def iter_records(session: Session, scope: ExportScope) -> Iterator[tuple[Any, list, list]]:
    """(practitioner row, modality rows, credential rows) for everyone in scope, streamed.
    The cursors are closed when the iteration ends or is abandoned."""
    conn = session.connection()
    with ExitStack() as stack:
        q_p, q_m, q_c = (
            stack.enter_context(conn.execute(q.execution_options(yield_per=BATCH)))
            for q in statements(scope.where)
        )
        modalities, credentials = _Children(q_m), _Children(q_c)
        for row in q_p:
            yield row, modalities.take(row[0]), credentials.take(row[0])


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


def practitioner_json(row, modalities: list, credentials: list) -> dict[str, Any]:
    out = {key: write(v) for (key, write), v in zip(_P_JSON, row[1:], strict=True)}
    out["modalities"] = [m[1] for m in modalities]
    out["credentials"] = [
        {key: write(v) for (key, write), v in zip(_C_JSON, c[1:], strict=True)} for c in credentials
    ]
    return out


def csv_rows(records: Iterable[tuple[Any, list, list]]) -> Iterator[list[str]]:
    """One row per credential, the practitioner's columns repeated; one row with empty
    credential columns for a practitioner without credentials. Text a spreadsheet would run
    as a formula gets a leading apostrophe."""
    none = [""] * len(CREDENTIAL)
    for row, modalities, credentials in records:
        person = [write(v) for write, v in zip(_P_CSV, row[1:], strict=True)]
        person.append(";".join(m[1] for m in modalities))
        if not credentials:
            yield person + none
        for c in credentials:
            yield person + [write(v) for write, v in zip(_C_CSV, c[1:], strict=True)]


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
        yield separator + json.dumps(practitioner_json(*record), ensure_ascii=False)
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

    def _counted(self) -> Iterator[tuple[Any, list, list]]:
        for record in iter_records(self.session, self.scope):
            self.practitioners += 1
            self.rows += max(1, len(record[2]))
            yield record

    def __iter__(self) -> Iterator[str]:
        if self.fmt == "csv":
            return _csv_lines(csv_rows(self._counted()))
        return _chunks(_json_pieces(self._counted(), self.scope, self.generated_at))


def filename(fmt: str, today: date | None = None) -> str:
    return f"registry-export-{(today or date.today()).isoformat()}.{fmt}"
