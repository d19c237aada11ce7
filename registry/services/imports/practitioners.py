"""Import of practitioners.csv: upsert by (jurisdiction, profession, registration_number)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from ...models import (
    ClinicStaff,
    LinkStatus,
    Practitioner,
    PractitionerModality,
    RegistrationStatus,
)
from ...models.base import utcnow
from ...models.folding import name_keys
from .. import audit, verdict_store
from ..bulk import (
    GrowingStatistics,
    IdSet,
    allocate_ids,
    insert_rows,
    one_of,
    refresh_statistics,
    select_by_keys,
)
from ..clinics import ClinicCache
from ..codes import Codes, load_codes
from ..fields import parse_date, parse_email, split_list
from ..users import end_access_of_practitioners
from .common import (
    ImportRefused,
    ImportReport,
    Progress,
    Row,
    RowError,
    SeenRows,
    check_length,
    chunks,
    open_reader,
    raw_rows,
)

KEY = ("jurisdiction", "profession", "registration_number")
REQUIRED = {*KEY, "given_name", "family_name", "registration_status", "registered_since"}
OPTIONAL = {
    "status_since",
    "practising_since",
    "registration_class",
    "registration_expires_on",
    "city",
    "clinics",
    "modalities",
    "email",
    "phone",
}
# CSV column -> practitioners column, for the plain fields stored on the row.
FIELD_COLUMNS = {
    "jurisdiction": "jurisdiction_code",
    "profession": "profession_code",
    "registration_number": "registration_number",
    "given_name": "given_name",
    "family_name": "family_name",
    "registration_status": "registration_status",
    "status_since": "status_since",
    "registered_since": "registered_since",
    "practising_since": "practising_since",
    "registration_class": "registration_class",
    "registration_expires_on": "registration_expires_on",
    "city": "city",
    "email": "email",
    "phone": "phone",
}
LENGTHS = {
    "registration_number": 64,
    "given_name": 100,
    "family_name": 100,
    "registration_class": 50,
    "city": 100,
    "email": 254,
    "phone": 40,
}
T = Practitioner.__table__
KEY_COLUMNS = (T.c.jurisdiction_code, T.c.profession_code, T.c.registration_number)
CHILD_TABLES = (PractitionerModality.__table__, ClinicStaff.__table__)


def clean_practitioner(raw: dict[str, str], codes: Codes) -> tuple[dict[str, Any], list[str]]:
    """Check one row; returns (values for the columns present, problems)."""
    errors: list[str] = []
    values: dict[str, Any] = {}
    for name in REQUIRED:
        if not raw.get(name):
            errors.append(f"missing required value '{name}'")
    _code(raw, "jurisdiction", codes.jurisdictions, str.upper, values, errors)
    _code(raw, "profession", codes.professions, str.lower, values, errors)
    _code(raw, "registration_status", codes.statuses, str.lower, values, errors)
    for name in ("registration_number", "given_name", "family_name"):
        values[name] = raw.get(name, "")
    for name in _DATES:
        if raw.get(name):
            try:
                values[name] = parse_date(raw[name])
            except ValueError as exc:
                errors.append(f"{name}: {exc}")
        elif name in raw and name != "registered_since":
            values[name] = None
    _optional_text(raw, values)
    if raw.get("email"):
        try:
            values["email"] = parse_email(raw["email"])
        except ValueError as exc:
            errors.append(f"email: {exc}")
    if "modalities" in raw:
        mods = [m.lower() for m in split_list(raw["modalities"])]
        errors += [f"unknown modality '{m}'" for m in mods if m not in codes.modalities]
        values["modalities"] = mods
    if "clinics" in raw:
        values["clinics"] = split_list(raw["clinics"])
        check_length(
            {"clinic": max(values["clinics"], key=len, default="")}, {"clinic": 200}, errors
        )
    _check_dates(values, errors)
    check_length(values, LENGTHS, errors)
    return values, errors


def _code(raw, name, known, normalise, values, errors) -> None:
    text = raw.get(name, "")
    if not text:
        return
    code = normalise(text)
    if code not in known:
        label = name.replace("registration_status", "registration status")
        errors.append(f"unknown {label} '{text}'")
    values[name] = code


def _optional_text(raw: dict[str, str], values: dict[str, Any]) -> None:
    for name in ("registration_class", "city", "email", "phone"):
        if name in raw:
            text = raw[name] or None
            values[name] = text.lower() if text and name == "registration_class" else text


def _check_dates(values: dict[str, Any], errors: list[str]) -> None:
    since = values.get("registered_since")
    if since is None:
        return
    if values.get("status_since") is None:
        values["status_since"] = since
    elif values["status_since"] < since:
        errors.append("status_since is before registered_since")
    expires = values.get("registration_expires_on")
    if expires is not None and expires < since:
        errors.append("registration_expires_on is before registered_since")


def import_practitioners(
    session: Session, actor: str, stream: TextIO, progress: Progress | None = None
) -> ImportReport:
    """Upsert every row of a practitioners CSV, or nothing at all.

    Raises ImportRefused (after rolling the session back) when any row is bad.
    Returns the created / updated / unchanged counts; the caller commits.
    """
    report = ImportReport("practitioners")
    reader = open_reader(stream, REQUIRED | OPTIONAL, REQUIRED, report)
    if reader is not None:
        columns = set(reader.fieldnames or ())
        codes = load_codes(session)
        writer = _ChunkWriter(session, actor, columns, ClinicCache(session, actor), report)
        seen = SeenRows(session, "import_seen_practitioners")
        statistics = GrowingStatistics(session, T, *CHILD_TABLES, seen.table)
        for batch in chunks(_cleaned(raw_rows(reader, report), codes)):
            chunk = _checked(batch, seen, report)
            if chunk and not report.errors:
                writer.write(chunk)
                statistics.grown_to(report.rows)
            if progress:
                progress(len(batch))
    if report.errors:
        session.rollback()
        raise ImportRefused(report)
    seen.drop()
    audit.record(session, actor, "import.practitioners", "import", None, after=report.counts())
    session.flush()
    refresh_statistics(session, report.created + report.updated, T, *CHILD_TABLES)
    verdict_store.refresh(session, writer.touched)
    return report


def _cleaned(rows, codes: Codes) -> Iterator[tuple[int, dict[str, Any], list[str]]]:
    for line, raw in rows:
        yield line, *clean_practitioner(raw, codes)


def _checked(batch, seen: SeenRows, report: ImportReport) -> list[Row]:
    """The rows of ``batch`` that are clean and name a practitioner no earlier row named;
    every other row's problems reported. A bad row still counts as the first to name its
    practitioner."""
    repeats = seen.repeats([(hash(tuple(v.get(k) for k in KEY)), line) for line, v, _ in batch])
    chunk = []
    for line, values, errors in batch:
        if not errors and line in repeats:
            errors.append(f"same practitioner as line {repeats[line]}")
        report.errors += [RowError(line, e) for e in errors]
        if not errors:
            chunk.append(Row(line, values))
    return chunk


class _ChunkWriter:
    """Writes one chunk of clean rows with a fixed number of statements."""

    def __init__(self, session, actor, columns, clinics: ClinicCache, report) -> None:
        self.session, self.actor, self.report = session, actor, report
        self.columns, self.clinics = columns, clinics
        self.touched = IdSet()  # practitioners whose stored verdicts are refreshed at the end
        self.fields = [c for c in FIELD_COLUMNS if c in columns or c == "status_since"]
        self.waiting: set[tuple[int, int]] = set()  # (practitioner, clinic) not yet accepted

    def write(self, chunk: list[Row]) -> None:
        existing = self._existing(chunk)
        mods = self._links(PractitionerModality, "modality_code", existing, "modalities")
        staff = self._links(ClinicStaff, "clinic_id", existing, "clinics")
        new, changed = [], []
        if "clinics" in self.columns:
            wanted = [(r.values["clinics"], r.values.get("city")) for r in chunk]
            self.clinics.create_missing(wanted)
        for row in chunk:
            v = row.values
            if "clinics" in v:
                v["clinic_ids"] = self.clinics.ids_for(v["clinics"])
            old = existing.get(tuple(v[k] for k in KEY))
            if old is None:
                new.append(v)
                continue
            new_row = self._row(v)
            if "status_since" not in self.columns:
                new_row["status_since"] = old["status_since"]
            before, after = self._diff(old, new_row, v, mods.get(old["id"]), staff.get(old["id"]))
            if after:
                changed.append((old, v, new_row, before, after))
            else:
                self.report.unchanged += 1
        created = self._insert(new)
        audit.record_many(self.session, self.actor, created, plain_values=True)
        audit.record_many(self.session, self.actor, self._update(changed, mods, staff))
        self.touched.update(e["target_id"] for e in created)
        self.touched.update(old["id"] for old, *_ in changed)
        revoked = [
            old["id"]
            for old, _, row, _, _ in changed
            if row["registration_status"] == RegistrationStatus.REVOKED
            and old["registration_status"] != RegistrationStatus.REVOKED
        ]
        if revoked:  # their own accounts lose every session and token (rare: one query if none)
            end_access_of_practitioners(self.session, self.actor, revoked)

    def _existing(self, chunk: list[Row]) -> dict[tuple, dict[str, Any]]:
        """The practitioners on record that the chunk names, by key (one query)."""
        keys = {tuple(r.values[k] for k in KEY) for r in chunk}
        result = self.session.execute(select_by_keys(self.session, KEY_COLUMNS, keys))
        return {
            (m["jurisdiction_code"], m["profession_code"], m["registration_number"]): dict(m)
            for m in result.mappings()
        }

    def _links(self, model, column, existing, csv_column) -> dict[int, set]:
        if csv_column not in self.columns or not existing:
            return {}
        table = model.__table__
        ids = [p["id"] for p in existing.values()]
        links: dict[int, set] = {i: set() for i in ids}
        rows = self.session.execute(
            select(table.c.practitioner_id, table.c[column]).where(
                one_of(self.session, table.c.practitioner_id, ids)
            )
        )
        for pid, value in rows:
            links[pid].add(value)
        if model is ClinicStaff:
            # a clinic's request the practitioner has not accepted is not a link the file
            # can see: the regulator's file is authoritative, so naming it accepts it, and
            # leaving it out leaves the request to the practitioner
            waiting = self.session.execute(
                select(table.c.practitioner_id, table.c.clinic_id).where(
                    one_of(self.session, table.c.practitioner_id, ids),
                    table.c.status != LinkStatus.ACCEPTED,
                )
            )
            for pid, clinic_id in waiting:
                links[pid].discard(clinic_id)
                self.waiting.add((pid, clinic_id))
        return links

    def _row(self, v: dict[str, Any]) -> dict[str, Any]:
        row = {FIELD_COLUMNS[c]: v.get(c) for c in self.fields}
        row["registration_status"] = RegistrationStatus(v["registration_status"])
        return row

    def _diff(self, old, new_row, v, old_mods, old_staff) -> tuple[dict, dict]:
        before, after = audit.diff(old, new_row)
        if old_mods is not None and set(v["modalities"]) != old_mods:
            before["modalities"], after["modalities"] = sorted(old_mods), sorted(v["modalities"])
        if old_staff is not None and set(v["clinic_ids"]) != old_staff:
            before["clinics"] = self.clinics.names_for(old_staff)
            after["clinics"] = v["clinics"]
        return before, after

    def _insert(self, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not new:
            return []
        now = utcnow()
        ids = allocate_ids(self.session, T, len(new))
        rows = [
            self._row(v)
            | name_keys(v["given_name"], v["family_name"])
            | {"id": pid, "version": 1, "created_at": now, "updated_at": now}
            for pid, v in zip(ids, new, strict=True)
        ]
        insert_rows(self.session, T, rows)
        self._add_links(zip(ids, new, strict=True))
        self.report.created += len(new)
        return [
            {
                "action": "practitioner.create",
                "target_type": "practitioner",
                "target_id": pid,
                "after": _audit_view(row, v),
            }
            for pid, row, v in zip(ids, rows, new, strict=True)
        ]

    def _update(self, changed, mods, staff) -> list[dict[str, Any]]:
        plain = [
            (old, row)
            for old, _, row, _, after in changed
            if set(after) - {"modalities", "clinics"}
        ]
        if plain:
            now = utcnow()
            params = [
                {
                    f"new_{k}": val
                    for k, val in (row | name_keys(row["given_name"], row["family_name"])).items()
                }
                | {"b_id": old["id"], "new_version": old["version"] + 1, "new_updated_at": now}
                for old, row in plain
            ]
            cols = [FIELD_COLUMNS[c] for c in self.fields] + ["version", "updated_at"]
            cols += ["given_key", "family_key"]
            stmt = (
                update(T)
                .where(T.c.id == bindparam("b_id"))
                .values({c: bindparam(f"new_{c}") for c in cols})
            )
            self.session.connection().execute(stmt, params)
        pairs = [(old["id"], v) for old, v, _, _, _ in changed]
        self._replace_links(pairs, mods, staff)
        self.report.updated += len(changed)
        return [
            {
                "action": "practitioner.update",
                "target_type": "practitioner",
                "target_id": old["id"],
                "before": before,
                "after": after,
            }
            for old, _, _, before, after in changed
        ]

    def _add_links(self, pairs) -> None:
        pairs = list(pairs)
        mod_rows = [
            {"practitioner_id": pid, "modality_code": m}
            for pid, v in pairs
            for m in v.get("modalities", ())
        ]
        staff_rows = [
            {"practitioner_id": pid, "clinic_id": c}
            for pid, v in pairs
            for c in v.get("clinic_ids", ())
        ]
        if mod_rows:
            insert_rows(self.session, PractitionerModality.__table__, mod_rows)
        if staff_rows:
            insert_rows(self.session, ClinicStaff.__table__, staff_rows)

    def _replace_links(self, pairs, mods, staff) -> None:
        """Set the modalities and clinics of updated practitioners to exactly the file's."""
        for model, column, old_links, key in (
            (PractitionerModality, "modality_code", mods, "modalities"),
            (ClinicStaff, "clinic_id", staff, "clinic_ids"),
        ):
            table = model.__table__
            gone = [
                {"b_pid": pid, "b_val": val}
                for pid, v in pairs
                if pid in old_links
                for val in old_links[pid] - set(v[key])
            ]
            added = [
                {"practitioner_id": pid, column: val}
                for pid, v in pairs
                if pid in old_links
                for val in set(v[key]) - old_links[pid]
            ]
            if model is ClinicStaff:
                self._accept_waiting([a for a in added if self._is_waiting(a)])
                added = [a for a in added if not self._is_waiting(a)]
            if gone:
                stmt = delete(table).where(
                    table.c.practitioner_id == bindparam("b_pid"),
                    table.c[column] == bindparam("b_val"),
                )
                self.session.connection().execute(stmt, gone)
            if added:
                self.session.execute(insert(table), added)

    def _is_waiting(self, link: dict[str, int]) -> bool:
        return (link["practitioner_id"], link["clinic_id"]) in self.waiting

    def _accept_waiting(self, links: list[dict[str, int]]) -> None:
        """Requests (or refusals) the regulator's file names become accepted links."""
        if not links:
            return
        table = ClinicStaff.__table__
        stmt = (
            update(table)
            .where(
                table.c.practitioner_id == bindparam("b_pid"),
                table.c.clinic_id == bindparam("b_clinic"),
            )
            .values(status=LinkStatus.ACCEPTED, decided_at=utcnow())
        )
        params = [{"b_pid": a["practitioner_id"], "b_clinic": a["clinic_id"]} for a in links]
        self.session.connection().execute(stmt, params)


_DATES = ("registered_since", "status_since", "practising_since", "registration_expires_on")
_BOOKKEEPING = {"created_at", "updated_at", "version", "given_key", "family_key"}


def _audit_view(row: dict[str, Any], v: dict[str, Any]) -> dict[str, Any]:
    """The new practitioner as JSON-ready values (built directly: this runs once per row)."""
    view = {k: val for k, val in row.items() if k not in _BOOKKEEPING}
    view["registration_status"] = row["registration_status"].value
    for name in _DATES:
        if view.get(name) is not None:
            view[name] = view[name].isoformat()
    for name in ("modalities", "clinics"):
        if name in v:
            view[name] = v[name]
    return view
