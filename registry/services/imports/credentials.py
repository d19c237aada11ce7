"""Import of credentials.csv: a credential is identified by (practitioner, type, issuer,
number, issue date); the same file imported twice changes nothing.

``verified`` true marks a credential verified; false never un-verifies one (verification
is withdrawn through the regulator's review, not by a re-import).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from ...models import Credential, Practitioner
from ...models.base import utcnow
from .. import audit
from ..bulk import allocate_ids, one_of
from ..codes import Codes, load_codes
from ..fields import parse_amount, parse_bool, parse_count, parse_date
from .common import (
    ImportRefused,
    ImportReport,
    Progress,
    Row,
    RowError,
    check_length,
    chunks,
    open_reader,
    raw_rows,
)
from .practitioners import known_keys

KEY = ("jurisdiction", "profession", "registration_number")
REQUIRED = {*KEY, "credential_type", "issued_on"}
OPTIONAL = {
    "issuer",
    "credential_number",
    "expires_on",
    "hours",
    "in_person_hours",
    "sessions",
    "verified",
}
MUTABLE = ("expires_on", "hours", "in_person_hours", "sessions")
LENGTHS = {"issuer": 200, "credential_number": 100}
T = Credential.__table__
P = Practitioner.__table__


_REQUIRED_SORTED = sorted(REQUIRED)
PARSERS = {
    "issued_on": parse_date,
    "expires_on": parse_date,
    "hours": parse_amount,
    "in_person_hours": parse_amount,
    "sessions": parse_count,
    "verified": parse_bool,
}


def clean_credential(raw: dict[str, str], codes: Codes) -> tuple[dict[str, Any], list[str]]:
    """Check one row; returns (values for the columns present, problems)."""
    errors = [f"missing required value '{n}'" for n in _REQUIRED_SORTED if not raw.get(n)]
    values: dict[str, Any] = {
        "jurisdiction": raw.get("jurisdiction", "").upper(),
        "profession": raw.get("profession", "").lower(),
        "registration_number": raw.get("registration_number", ""),
        "credential_type": raw.get("credential_type", "").lower(),
        "issuer": raw.get("issuer", ""),
        "credential_number": raw.get("credential_number", ""),
    }
    for name, known in (
        ("jurisdiction", codes.jurisdictions),
        ("profession", codes.professions),
        ("credential_type", codes.credential_types),
    ):
        if raw.get(name) and values[name] not in known:
            errors.append(f"unknown {name.replace('_', ' ')} '{raw[name]}'")
    for name, parse in PARSERS.items():
        if raw.get(name):
            try:
                values[name] = parse(raw[name])
            except ValueError as exc:
                errors.append(f"{name}: {exc}")
        elif name in raw:
            values[name] = False if name == "verified" else None
    _check_consistency(values, errors)
    check_length(values, LENGTHS, errors)
    return values, errors


def _check_consistency(values: dict[str, Any], errors: list[str]) -> None:
    issued, expires = values.get("issued_on"), values.get("expires_on")
    if issued and expires and expires < issued:
        errors.append(f"expires_on {expires} is before issued_on {issued}")
    hours, in_person = values.get("hours"), values.get("in_person_hours")
    if hours is not None and in_person is not None and in_person > hours:
        errors.append(f"in_person_hours {in_person:g} exceed hours {hours:g}")


def import_credentials(
    session: Session, actor: str, stream: TextIO, progress: Progress | None = None
) -> ImportReport:
    """Add or update every credential of a credentials CSV, or nothing at all.

    Raises ImportRefused (after rolling the session back) when any row is bad.
    """
    report = ImportReport("credentials")
    reader = open_reader(stream, REQUIRED | OPTIONAL, REQUIRED, report)
    if reader is not None:
        columns = set(reader.fieldnames or ())
        writer = _ChunkWriter(session, actor, columns, report, known_keys(session))
        rows = _clean_rows(raw_rows(reader, report), load_codes(session), report)
        for chunk in chunks(rows):
            writer.resolve(chunk)
            if not report.errors:
                writer.write(chunk)
            if progress:
                progress(len(chunk))
    if report.errors:
        session.rollback()
        raise ImportRefused(report)
    audit.record(session, actor, "import.credentials", "import", None, after=report.counts())
    session.flush()
    return report


def _clean_rows(rows, codes: Codes, report: ImportReport) -> Iterator[Row]:
    for line, raw in rows:
        values, errors = clean_credential(raw, codes)
        report.errors += [RowError(line, e) for e in errors]
        if not errors:
            yield Row(line, values)


class _ChunkWriter:
    """Resolves and writes one chunk of clean rows with a fixed number of statements."""

    def __init__(self, session: Session, actor: str, columns: set[str], report, known) -> None:
        self.session, self.actor, self.columns, self.report = session, actor, columns, report
        self.known = known
        # identity hash -> first line; a hash (not the tuple) keeps memory flat on big files
        self.seen: dict[int, int] = {}

    def resolve(self, chunk: list[Row]) -> None:
        """Find each row's practitioner; unknown ones and repeated credentials are errors."""
        for row in chunk:
            key = tuple(row.values[k] for k in KEY)
            row.values["practitioner_id"] = self.known.get(key)
            if row.values["practitioner_id"] is None:
                self.report.errors.append(
                    RowError(row.line, f"unknown practitioner {'/'.join(key)}")
                )
                continue
            identity = hash(_identity(row.values))
            if identity in self.seen:
                self.report.errors.append(
                    RowError(row.line, f"same credential as line {self.seen[identity]}")
                )
            self.seen.setdefault(identity, row.line)

    def write(self, chunk: list[Row]) -> None:
        existing = self._existing(chunk)
        new, changed = [], []
        for row in chunk:
            old = existing.get(_identity(row.values))
            if old is None:
                new.append(row.values)
                continue
            before, after = audit.diff(old, self._changes(old, row.values))
            if after:
                changed.append((old, before, after))
            else:
                self.report.unchanged += 1
        audit.record_many(self.session, self.actor, self._insert(new), plain_values=True)
        audit.record_many(self.session, self.actor, self._update(changed))

    def _existing(self, chunk: list[Row]) -> dict[tuple, dict[str, Any]]:
        ids = {r.values["practitioner_id"] for r in chunk}
        result = self.session.execute(
            select(T).where(one_of(self.session, T.c.practitioner_id, ids))
        )
        return {
            (
                m["practitioner_id"],
                m["credential_type_code"],
                m["issuer"],
                m["credential_number"],
                m["issued_on"],
            ): dict(m)
            for m in result.mappings()
        }

    def _changes(self, old: dict[str, Any], v: dict[str, Any]) -> dict[str, Any]:
        """The stored values this row asks for (columns absent from the file are kept)."""
        wanted = {c: v[c] for c in MUTABLE if c in self.columns}
        if v.get("verified") and not old["verified"]:
            wanted["verified"] = True
        return wanted

    def _insert(self, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not new:
            return []
        now = utcnow()
        ids = allocate_ids(self.session, T, len(new))
        rows = [
            {
                "id": cid,
                "practitioner_id": v["practitioner_id"],
                "credential_type_code": v["credential_type"],
                "issuer": v["issuer"],
                "credential_number": v["credential_number"],
                "issued_on": v["issued_on"],
                **{c: v.get(c) for c in MUTABLE},
                "verified": bool(v.get("verified")),
                "verified_by_name": self.actor if v.get("verified") else None,
                "verified_at": now if v.get("verified") else None,
                "revoked": False,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for cid, v in zip(ids, new, strict=True)
        ]
        self.session.execute(insert(T), rows)
        self.report.created += len(new)
        return [
            {
                "action": "credential.add",
                "target_type": "credential",
                "target_id": cid,
                "after": _audit_view(row),
            }
            for cid, row in zip(ids, rows, strict=True)
        ]

    def _update(self, changed) -> list[dict[str, Any]]:
        if not changed:
            return []
        now = utcnow()
        cols = [c for c in MUTABLE if c in self.columns]
        params = []
        for old, _, after in changed:
            merged = {c: after.get(c, old[c]) for c in (*cols, "verified")}
            verified_now = after.get("verified", False)
            params.append(
                {f"new_{c}": val for c, val in merged.items()}
                | {
                    "b_id": old["id"],
                    "new_version": old["version"] + 1,
                    "new_updated_at": now,
                    "new_verified_by_name": self.actor if verified_now else old["verified_by_name"],
                    "new_verified_at": now if verified_now else old["verified_at"],
                }
            )
        targets = [*cols, "verified", "verified_by_name", "verified_at", "version", "updated_at"]
        stmt = (
            update(T)
            .where(T.c.id == bindparam("b_id"))
            .values({c: bindparam(f"new_{c}") for c in targets})
        )
        self.session.connection().execute(stmt, params)
        self.report.updated += len(changed)
        return [
            {
                "action": "credential.update",
                "target_type": "credential",
                "target_id": old["id"],
                "before": before,
                "after": after,
            }
            for old, before, after in changed
        ]


def _identity(v: dict[str, Any]) -> tuple:
    return (
        v["practitioner_id"],
        v["credential_type"],
        v["issuer"],
        v["credential_number"],
        v["issued_on"],
    )


def _audit_view(row: dict[str, Any]) -> dict[str, Any]:
    """The new credential as JSON-ready values (built directly: this runs once per row)."""
    view = {
        "practitioner_id": row["practitioner_id"],
        "credential_type_code": row["credential_type_code"],
        "issuer": row["issuer"],
        "credential_number": row["credential_number"],
        "issued_on": row["issued_on"].isoformat(),
        "verified": row["verified"],
    }
    if row["expires_on"] is not None:
        view["expires_on"] = row["expires_on"].isoformat()
    for name in ("hours", "in_person_hours", "sessions"):
        if row[name] is not None:
            view[name] = row[name]
    return view
