"""A clinic's staff roster from a CSV file: every row checked first, then all applied or none.

Columns (header row, any order, unknown columns refused): ``jurisdiction``, ``profession``,
``registration_number`` (the practitioner's key, required). Each row asks that practitioner to
join the clinic's staff (they accept or decline; ``services.accounts``). Staff not named in the
file stay on staff. A ``modalities`` column, which earlier rosters carried, is accepted and not
applied: the needling a practitioner performs is theirs (or their regulator's) to declare.

A row is bad when a value is missing, a code is unknown, the practitioner is not on the
register or the same practitioner appears twice. One bad row and nothing is written: the
report lists every row with its result, so the manager sees which lines to fix.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Clinic, ClinicStaff, LinkStatus, Practitioner
from ..models.base import as_utc, utcnow
from . import ServiceError
from .accounts import REASK_AFTER, Sent, request_link
from .codes import Codes, load_codes
from .imports.common import ImportReport, open_reader, raw_rows

KEY = ("jurisdiction", "profession", "registration_number")
COLUMNS = {*KEY, "modalities"}  # modalities: read no more, see above
NOT_APPLIED = (
    "The modalities column is not applied: each practitioner declares the needling they "
    "perform on their own page (or their regulator's import does)."
)
MAX_ROWS = 5000

ADDED, ASKED, DECLINED, ALREADY, UNKNOWN, BAD = (
    "asked to join the staff",
    "asked already, waiting for them",
    "declined less than 30 days ago",
    "already on staff",
    "unknown practitioner",
    "bad row",
)


@dataclass
class RosterRow:
    line: int
    key: tuple[str, str, str]
    result: str = ""
    reason: str = ""
    name: str = ""
    practitioner_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.result not in (UNKNOWN, BAD)

    @property
    def practitioner(self) -> str:
        return self.name or "/".join(k for k in self.key if k)


@dataclass
class RosterReport:
    clinic: str
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the file itself, not a row
    notes: list[str] = field(default_factory=list)  # about the file, not refusing it
    sent: list[tuple[Sent, Practitioner]] = field(default_factory=list)  # requests to mail

    @property
    def applied(self) -> bool:
        return not self.problems and all(r.ok for r in self.rows)

    @property
    def bad_lines(self) -> list[int]:
        return [r.line for r in self.rows if not r.ok]

    def count(self, result: str) -> int:
        return sum(r.result == result for r in self.rows)


class RosterRefused(ServiceError):
    """The roster had problems; nothing was written. ``report`` says which rows."""

    def __init__(self, report: RosterReport):
        self.report = report
        n = len(report.bad_lines) + len(report.problems)
        super().__init__(f"roster refused: {n} problem{'s' * (n != 1)}; nothing was written")


def apply_roster(session: Session, actor: str, clinic: Clinic, data: BinaryIO) -> RosterReport:
    """Check every row of the roster, then add all its practitioners to ``clinic``'s staff
    (audited, flushed, not committed). Raises RosterRefused, writing nothing, when any row or
    the file itself is bad."""
    report = RosterReport(clinic.name)
    rows = _read(data, report, load_codes(session))
    by_id = {} if report.problems else _resolve(session, clinic, rows)
    report.rows = rows
    if not report.applied:
        raise RosterRefused(report)
    for row in rows:
        p = by_id[row.practitioner_id]
        _, sent = request_link(session, actor, clinic, p)
        if sent is not None:
            report.sent.append((sent, p))
    return report


def _read(data: BinaryIO, report: RosterReport, codes: Codes) -> list[RosterRow]:
    text = io.TextIOWrapper(data, encoding="utf-8-sig", newline="")
    check = ImportReport("roster")
    reader = open_reader(text, COLUMNS, set(KEY), check)
    rows: list[RosterRow] = []
    if reader is not None and "modalities" in (reader.fieldnames or ()):
        report.notes.append(NOT_APPLIED)
    if reader is not None:
        seen: dict[tuple[str, str, str], int] = {}
        for line, raw in raw_rows(reader, check):
            if len(rows) >= MAX_ROWS:
                report.problems.append(f"a roster may have at most {MAX_ROWS} rows")
                break
            rows.append(_check_row(line, raw, codes, seen))
    report.problems += [str(e) for e in check.errors]
    if reader is not None and not rows and not report.problems:
        report.problems.append("the file has a header but no rows")
    return rows


def _check_row(line: int, raw: dict[str, str], codes: Codes, seen: dict) -> RosterRow:
    key = (
        raw.get("jurisdiction", "").upper(),
        raw.get("profession", "").lower(),
        raw.get("registration_number", ""),
    )
    row = RosterRow(line, key)
    problems = [f"missing {name}" for name, value in zip(KEY, key, strict=True) if not value]
    if key[0] and key[0] not in codes.jurisdictions:
        problems.append(f"unknown jurisdiction '{key[0]}'")
    if key[1] and key[1] not in codes.professions:
        problems.append(f"unknown profession '{key[1]}'")
    if not problems and key in seen:
        problems.append(f"same practitioner as line {seen[key]}")
    seen.setdefault(key, line)
    if problems:
        row.result, row.reason = BAD, "; ".join(problems)
    return row


def _resolve(session: Session, clinic: Clinic, rows: list[RosterRow]) -> dict[int, Practitioner]:
    """Find each good row's practitioner and whether they are on staff (two queries);
    returns the practitioners found by id."""
    pending = [r for r in rows if not r.result]
    found = {p.key: p for p in _practitioners(session, [r.key for r in pending])}
    rows_ = session.execute(
        select(ClinicStaff.practitioner_id, ClinicStaff.status, ClinicStaff.decided_at).where(
            ClinicStaff.clinic_id == clinic.id
        )
    )
    now = utcnow()
    links = {
        pid: DECLINED if decided and now - as_utc(decided) < REASK_AFTER else status
        for pid, status, decided in rows_
        if status != LinkStatus.DECLINED or decided
    }
    for row in pending:
        p = found.get(row.key)
        if p is None:
            row.result, row.reason = UNKNOWN, "no practitioner with this key on the register"
            continue
        row.name, row.practitioner_id = p.name, p.id
        status = links.get(p.id)
        known = {LinkStatus.ACCEPTED: ALREADY, LinkStatus.REQUESTED: ASKED, DECLINED: DECLINED}
        row.result = known.get(status, ADDED)
    return {p.id: p for p in found.values()}


def _practitioners(session: Session, keys: list[tuple[str, str, str]]) -> list[Practitioner]:
    """The practitioners with these keys, in one query per 500 keys."""
    wanted, out = set(keys), []
    numbers = sorted({k[2] for k in keys})
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        query = select(Practitioner).where(Practitioner.registration_number.in_(chunk))
        out += [p for p in session.scalars(query) if p.key in wanted]
    return out
