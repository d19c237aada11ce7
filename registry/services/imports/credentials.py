"""Import of credentials.csv: a credential is identified by (practitioner, type, issuer,
number, issue date); the same file imported twice changes nothing.

A row's verification decision (CONTRACT §3): ``verification`` (pending, verified, rejected,
revoked) taking effect on ``verified_on``, or version 1's ``verified`` (true: verified on the
issue date). A decision the credential's history does not hold yet is appended to it; one it
holds already changes nothing; an empty cell states no decision (a new credential is then
pending). A file gives ``verification`` or ``verified``, not both.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any, TextIO

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ...models import Credential, CredentialDecision, Practitioner, VerificationStatus
from ...models.base import utcnow
from .. import audit, verdict_store
from ..bulk import (
    GrowingStatistics,
    IdSet,
    allocate_ids,
    insert_columns,
    one_of,
    refresh_statistics,
    select_by_keys,
)
from ..codes import Codes, load_codes
from ..fields import parse_amount, parse_bool, parse_count, parse_date
from ..verification import decision_problems
from .common import (
    ImportRefused,
    ImportReport,
    Progress,
    RowError,
    SeenRows,
    check_length,
    chunks,
    open_reader,
    raw_rows,
)
from .practitioners import KEY_COLUMNS

KEY = ("jurisdiction", "profession", "registration_number")
REQUIRED = {*KEY, "credential_type", "issued_on"}
OPTIONAL = {
    "issuer",
    "credential_number",
    "expires_on",
    "hours",
    "in_person_hours",
    "sessions",
    "verification",
    "verified_on",
    "verified",
}
MUTABLE = ("expires_on", "hours", "in_person_hours", "sessions")
LENGTHS = {"issuer": 200, "credential_number": 100}
ENTERED_BY = "an import"  # who put imported credentials on file, in explanations
T = Credential.__table__
D = CredentialDecision.__table__
P = Practitioner.__table__


IDENTITY = (T.c.practitioner_id, T.c.credential_type_code, T.c.issuer, T.c.credential_number)
IDENTITY += (T.c.issued_on,)
EXISTING = (T.c.id, *IDENTITY, *(T.c[c] for c in MUTABLE), T.c.version)
EXISTING += (T.c.verification_status, T.c.verification_on)

_key = itemgetter(*KEY)  # a clean row's practitioner key
# a clean row's credential identity, in the order of IDENTITY (whose columns it fills)
_identity = itemgetter(
    "practitioner_id", "credential_type", "issuer", "credential_number", "issued_on"
)
IDENTITY_KEYS = tuple(c.key for c in IDENTITY)
# the columns an added credential's audit event shows
ADDED_VIEW = ("id", *IDENTITY_KEYS, "verification_status", *MUTABLE)


_REQUIRED_SORTED = sorted(REQUIRED)
# A file repeats its dates a great deal: each distinct one is parsed once (a bad one raises
# every time: exceptions are not cached).
_parse_date = lru_cache(maxsize=1 << 14)(parse_date)
PARSERS = {
    "issued_on": _parse_date,
    "expires_on": _parse_date,
    "hours": parse_amount,
    "in_person_hours": parse_amount,
    "sessions": parse_count,
    "verified_on": _parse_date,
    "verified": parse_bool,
}


def clean_credential(raw: dict[str, str], codes: Codes) -> tuple[dict[str, Any], list[str]]:
    """Check one row; returns (values for the columns present, problems)."""
    get = raw.get  # every cell is a string: "" when empty, None when its column is absent
    errors = [f"missing required value '{n}'" for n in _REQUIRED_SORTED if not get(n)]
    values: dict[str, Any] = {
        "jurisdiction": get("jurisdiction", "").upper(),
        "profession": get("profession", "").lower(),
        "registration_number": get("registration_number", ""),
        "credential_type": get("credential_type", "").lower(),
        "issuer": get("issuer", ""),
        "credential_number": get("credential_number", ""),
    }
    for name, known in (
        ("jurisdiction", codes.jurisdictions),
        ("profession", codes.professions),
        ("credential_type", codes.credential_types),
    ):
        if values[name] not in known and get(name):
            errors.append(f"unknown {name.replace('_', ' ')} '{raw[name]}'")
    for name, parse in PARSERS.items():
        if text := get(name):
            try:
                values[name] = parse(text)
            except ValueError as exc:
                errors.append(f"{name}: {exc}")
        elif text is not None:
            values[name] = False if name == "verified" else None
    _check_decision(raw, values, errors)
    _check_consistency(values, errors)
    check_length(values, LENGTHS, errors)
    return values, errors


def _check_decision(raw: dict[str, str], values: dict[str, Any], errors: list[str]) -> None:
    """The row's decision as values["decision"] (a VerificationStatus value, or None when
    it states none) taking effect on values["decided_on"]; each problem named (an unknown
    status, a missing, future or pre-issue date). Plain values, no tuple: a dict of plain
    values stays out of the garbage collector's watch, and a chunk's rows live long enough
    to reach its old generation, each of whose full collections walks the whole process."""
    values["decision"] = values["decided_on"] = None
    if raw.get("verification") and raw.get("verified"):
        errors.append("give either 'verification' or version 1's 'verified', not both")
        return
    status = raw.get("verification", "").strip().lower()
    if values.get("verified"):
        status = VerificationStatus.VERIFIED.value
    if not status:
        if raw.get("verified_on"):
            errors.append("verified_on is given but no decision: fill in 'verification'")
        return
    date_was_bad = bool(raw.get("verified_on")) and values.get("verified_on") is None
    on = values.get("verified_on")
    if on is None and not date_was_bad:
        if raw.get("verified"):
            on = values.get("issued_on")  # version 1: verified on the issue date
        elif status == VerificationStatus.PENDING:
            on = date.today()
    problems = decision_problems(status, on, values.get("issued_on") or date.min)
    if date_was_bad:  # already reported by the date parser
        problems.pop("effective_on", None)
    elif "effective_on" in problems and on is None:
        problems["effective_on"] = f"verified_on is required when verification is '{status}'"
    elif "effective_on" in problems:
        problems["effective_on"] = "verified_on " + problems["effective_on"]
    errors += list(problems.values())
    if not problems and not date_was_bad:
        values["decision"], values["decided_on"] = VerificationStatus(status).value, on


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
    if reader is not None and {"verification", "verified"} <= set(reader.fieldnames or ()):
        report.errors.append(
            RowError(1, "give either a 'verification' column or version 1's 'verified', not both")
        )
    if reader is not None:
        columns = set(reader.fieldnames or ())
        writer = _ChunkWriter(session, actor, columns, report)
        rows = _clean_rows(raw_rows(reader, report), load_codes(session), report)
        statistics = GrowingStatistics(session, T, D, writer.seen.table)
        for chunk in chunks(rows):
            writer.resolve(chunk)
            if not report.errors:
                writer.write(chunk)
                statistics.grown_to(report.rows)
            if progress:
                progress(len(chunk))
    if report.errors:
        session.rollback()
        raise ImportRefused(report)
    writer.seen.drop()
    audit.record(session, actor, "import.credentials", "import", None, after=report.counts())
    session.flush()
    refresh_statistics(session, report.created + report.updated, T, D)
    verdict_store.refresh(session, writer.touched)
    return report


def _clean_rows(rows, codes: Codes, report: ImportReport) -> Iterator[dict[str, Any]]:
    """Each clean row's values, its line among them: a dict of plain values, which the
    garbage collector does not watch (a Row object would be, and a chunk's rows live long
    enough to reach its old generation, each of whose full collections walks the whole
    process)."""
    for line, raw in rows:
        values, errors = clean_credential(raw, codes)
        report.errors += [RowError(line, e) for e in errors]
        if not errors:
            values["line"] = line
            yield values


class _ChunkWriter:
    """Resolves and writes one chunk of clean rows with a fixed number of statements."""

    def __init__(self, session: Session, actor: str, columns: set[str], report) -> None:
        self.session, self.actor, self.columns, self.report = session, actor, columns, report
        self.seen = SeenRows(session, "import_seen_credentials")
        self.touched = IdSet()  # practitioners whose stored verdicts are refreshed at the end

    def resolve(self, chunk: list[dict[str, Any]]) -> None:
        """Find each row's practitioner (one query); unknown ones and repeated credentials
        are errors."""
        keys = set(map(_key, chunk))
        found = self.session.execute(
            select_by_keys(self.session, KEY_COLUMNS, keys, *KEY_COLUMNS, P.c.id)
        )
        ids = {(j, p, n): pid for j, p, n, pid in found}
        resolved = []
        for v in chunk:
            key = _key(v)
            v["practitioner_id"] = ids.get(key)
            if v["practitioner_id"] is None:
                self.report.errors.append(
                    RowError(v["line"], f"unknown practitioner {'/'.join(key)}")
                )
            else:
                resolved.append((hash(_identity(v)), v["line"]))
        for line, first in self.seen.repeats(resolved).items():
            self.report.errors.append(RowError(line, f"same credential as line {first}"))

    def write(self, chunk: list[dict[str, Any]]) -> None:
        existing = self._existing(chunk)
        history = self._decisions([old["id"] for old in existing.values()])
        new, changed, decided = [], [], []
        for v in chunk:
            old = existing.get(_identity(v))
            if old is None:
                new.append(v)
                continue
            before, after = audit.diff(old, self._changes(old, v))
            decision = _new_decision(_decision(v), history.get(old["id"], []))
            if decision is not None:
                decided.append((old, decision, history.get(old["id"], [])))
            if after or decision is not None:
                changed.append((old, before, after))
            else:
                self.report.unchanged += 1
        inserted = self._insert(new)
        audit.record_many(self.session, self.actor, self._update(changed, decided))
        decisions = [  # of plain values too
            (cid, v["practitioner_id"], v["decision"], v["decided_on"])
            for cid, v in zip(inserted, new, strict=True)
            if v["decision"] not in (None, VerificationStatus.PENDING)
        ]
        decisions += [
            (old["id"], old["practitioner_id"], d.value, on) for old, (d, on), _ in decided
        ]
        audit.record_many(self.session, self.actor, self._insert_decisions(decisions))
        self.touched.update(v["practitioner_id"] for v in new)
        self.touched.update(old["practitioner_id"] for old, *_ in changed)

    def _existing(self, chunk: list[dict[str, Any]]) -> dict[tuple, dict[str, Any]]:
        """The credentials on record of the chunk's practitioners, by identity: the columns
        an update compares or writes, read as plain rows (a re-import reads every one)."""
        ids = {v["practitioner_id"] for v in chunk}
        result = self.session.execute(
            select(*EXISTING).where(one_of(self.session, T.c.practitioner_id, ids))
        )
        names = list(result.keys())
        identity = itemgetter(*(names.index(c.key) for c in IDENTITY))
        return {identity(r): dict(zip(names, r, strict=True)) for r in result}

    def _decisions(self, credential_ids: list[int]) -> dict[int, list[tuple]]:
        """The decisions on record of these credentials, (status, date) in effect order."""
        if not credential_ids:
            return {}
        rows = self.session.execute(
            select(D.c.credential_id, D.c.status, D.c.effective_on)
            .where(one_of(self.session, D.c.credential_id, credential_ids))
            .order_by(D.c.credential_id, D.c.effective_on, D.c.id)
        )
        found: dict[int, list[tuple]] = {}
        for r in rows:
            found.setdefault(r.credential_id, []).append(
                (VerificationStatus(r.status), r.effective_on)
            )
        return found

    def _changes(self, old: dict[str, Any], v: dict[str, Any]) -> dict[str, Any]:
        """The stored values this row asks for (columns absent from the file are kept)."""
        return {c: v[c] for c in MUTABLE if c in self.columns}

    def _insert(self, new: list[dict[str, Any]]) -> list[int]:
        """Insert the new credentials a column at a time, with their audit events; their ids."""
        if not new:
            return []
        now, count = utcnow(), len(new)
        ids = allocate_ids(self.session, T, count)
        statuses, since = [], []
        for v in new:
            status = v["decision"] or VerificationStatus.PENDING.value
            statuses.append(status)
            since.append(v["decided_on"] if status != VerificationStatus.PENDING else None)
        identities = zip(*map(_identity, new), strict=True)
        columns: dict[str, Sequence] = dict(zip(IDENTITY_KEYS, identities, strict=True))
        columns |= {c: [v.get(c) for v in new] for c in MUTABLE}
        columns |= {
            "id": ids,
            "verification_status": statuses,
            "verification_on": since,
            "entered_by": [ENTERED_BY] * count,
            "version": [1] * count,
            "created_at": [now] * count,
            "updated_at": [now] * count,
        }
        insert_columns(self.session, T, columns)
        self.report.created += count
        audit.record_many(self.session, self.actor, _added(columns), plain_values=True)
        return ids

    def _update(self, changed, decided) -> list[dict[str, Any]]:
        """Write the changed values and, for credentials given a new decision, the state it
        leaves them in (the latest of their decisions); every changed credential's version
        moves on."""
        if not changed:
            return []
        now = utcnow()
        latest = {old["id"]: _latest([*history, decision]) for old, decision, history in decided}
        cols = [c for c in MUTABLE if c in self.columns]
        params = []
        for old, _, after in changed:
            status, on = latest.get(old["id"], (old["verification_status"], old["verification_on"]))
            params.append(
                {f"new_{c}": after.get(c, old[c]) for c in cols}
                | {
                    "b_id": old["id"],
                    "new_version": old["version"] + 1,
                    "new_updated_at": now,
                    "new_verification_status": getattr(status, "value", status),
                    "new_verification_on": on,
                }
            )
        targets = [*cols, "verification_status", "verification_on", "version", "updated_at"]
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
            if after
        ]

    def _insert_decisions(self, decisions: list[tuple]) -> Iterator[dict[str, Any]]:
        """Append each (credential id, practitioner id, status, date); their audit events,
        made one at a time as they are written."""
        if not decisions:
            return iter(())
        now, count = utcnow(), len(decisions)
        credential_ids, practitioner_ids, statuses, dates = zip(*decisions, strict=True)
        insert_columns(
            self.session,
            D,
            {
                "credential_id": credential_ids,
                "practitioner_id": practitioner_ids,
                "status": statuses,
                "effective_on": dates,
                "recorded_at": [now] * count,
                "decided_by": [self.actor] * count,
                "decided_by_id": [None] * count,
                "via": ["import"] * count,
            },
        )
        return (
            {
                "action": f"credential.{status}",
                "target_type": "credential",
                "target_id": cid,
                "after": {"verification": status, "effective_on": on, "via": "import"},
            }
            for cid, _, status, on in decisions
        )


def _latest(decisions: list[tuple]) -> tuple:
    """The decision in force after all of ``decisions`` (recorded in this order)."""
    return max(enumerate(decisions), key=lambda pair: (pair[1][1], pair[0]))[1]


def _decision(values: dict[str, Any]) -> tuple | None:
    """A clean row's decision as (VerificationStatus, date), or None."""
    status = values["decision"]
    return None if status is None else (VerificationStatus(status), values["decided_on"])


def _new_decision(decision: tuple | None, history: list[tuple]) -> tuple | None:
    """``decision`` when the history does not hold it yet; a pending one only when the
    credential is not pending on its date already."""
    if decision is None or decision in history:
        return None
    status, on = decision
    if status == VerificationStatus.PENDING:
        state = next((s for s, d in reversed(history) if d <= on), VerificationStatus.PENDING)
        if state == VerificationStatus.PENDING:
            return None
    return decision


def _added(columns: dict[str, Sequence]) -> Iterator[dict[str, Any]]:
    """The audit events of the credentials inserted from ``columns``, their values made
    JSON-ready directly (this runs once per row), one at a time."""
    rows = zip(*(columns[c] for c in ADDED_VIEW), strict=True)
    for cid, pid, kind, issuer, number, issued, status, expires, hours, in_person, sessions in rows:
        view = {
            "practitioner_id": pid,
            "credential_type_code": kind,
            "issuer": issuer,
            "credential_number": number,
            "issued_on": issued.isoformat(),
            "verification_status": status,
        }
        if expires is not None:
            view["expires_on"] = expires.isoformat()
        if hours is not None:
            view["hours"] = hours
        if in_person is not None:
            view["in_person_hours"] = in_person
        if sessions is not None:
            view["sessions"] = sessions
        yield {
            "action": "credential.add",
            "target_type": "credential",
            "target_id": cid,
            "after": view,
        }
