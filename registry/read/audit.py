"""The audit report of CONTRACT §5, and the preview of a rules change."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ..rules import RuleBook, assess, evaluate
from ..rules.explain import describe_basis
from ..rules.model import MODALITY_ORDER
from .params import AuditQuery
from .snapshots import iter_snapshots

GAP_FIELDS = (
    "jurisdiction",
    "profession",
    "registration_number",
    "name",
    "modality",
    "kind",
    "severity",
    "credential_type",
    "rule_id",
    "source",
    "detail",
)


class AuditStream:
    """An audit computed as it is read: ``gaps()`` yields each gap (a JSON-ready dict) while
    the practitioners are streamed from the database, so memory stays flat in the registry's
    size; ``checked`` is complete once ``gaps()`` is exhausted. ``json_chunks`` and
    ``csv_chunks`` write the documents of CONTRACT §5 piece by piece."""

    def __init__(self, session: Session, book: RuleBook, query: AuditQuery) -> None:
        self.session, self.book, self.query = session, book, query
        self.checked = 0
        self.found = 0

    def gaps(self) -> Iterator[dict[str, Any]]:
        q = self.query
        for snap in iter_snapshots(self.session, q.jurisdiction):
            self.checked += 1
            for gap in evaluate(snap, self.book, q.as_of, q.window):
                self.found += 1
                yield gap.to_dict()

    def json_chunks(self) -> Iterator[str]:
        q = self.query
        head = {
            "as_of": q.as_of.isoformat(),
            "window_days": q.window,
            "jurisdiction": q.jurisdiction,
        }
        yield from json_document(head, self.gaps(), lambda: {"practitioners_checked": self.checked})

    def csv_chunks(self) -> Iterator[str]:
        return csv_document(self.gaps())


def json_document(
    head: dict[str, Any], gaps: Iterable[dict[str, Any]], tail: Callable[[], dict[str, Any]]
) -> Iterator[str]:
    """The audit JSON document written piece by piece: ``head``'s keys, the gaps as they
    come, then ``tail()``'s keys (asked for once the gaps are written)."""
    yield json.dumps(head)[:-1] + ', "gaps": ['
    separator = "\n"
    for gap in gaps:
        yield separator + json.dumps(gap)
        separator = ",\n"
    yield "\n]" + "".join(f", {json.dumps(k)}: {json.dumps(v)}" for k, v in tail().items())
    yield "}\n"


def csv_document(gaps: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The audit CSV (header, then a row per gap) in pieces of about 64 kB."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=GAP_FIELDS, lineterminator="\n")
    writer.writeheader()
    for gap in gaps:
        writer.writerow(gap)
        if out.tell() > 64_000:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def render_csv(report: dict) -> str:
    return "".join(csv_document(report["gaps"]))


def run_audit(session: Session, book: RuleBook, query: AuditQuery) -> dict[str, Any]:
    """The audit JSON document (``schema.audit.Audit``): every gap of every practitioner in
    scope on ``query.as_of``. Built as plain values, not validated: it may hold millions of
    gaps, each ``Gap.to_dict``."""
    checked, gaps = 0, []
    for snap in iter_snapshots(session, query.jurisdiction):
        checked += 1
        gaps += [g.to_dict() for g in evaluate(snap, book, query.as_of, query.window)]
    return {
        "as_of": query.as_of.isoformat(),
        "window_days": query.window,
        "jurisdiction": query.jurisdiction,
        "practitioners_checked": checked,
        "gaps": gaps,
    }


@dataclass(frozen=True)
class ImpactChange:
    """One practitioner's verdict for one modality, before and after a rules change."""

    jurisdiction: str
    profession: str
    registration_number: str
    name: str
    modality: str
    declared: bool  # they say they perform it
    change: str  # "gains" (now authorized), "loses" (no longer authorized) or "changes"
    before: str  # the verdict under the active rules
    after: str  # the verdict under the proposed rules
    before_rule: str | None
    after_rule: str | None
    why: str  # the proposed verdict's explanation (its gaps, or what it rests on)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def rules_impact(
    session: Session,
    current: RuleBook,
    proposed: RuleBook,
    as_of: date,
    jurisdiction: str | None = None,
) -> list[ImpactChange]:
    """Every verdict that would change on ``as_of`` if ``proposed`` replaced ``current``:
    for each practitioner in scope and each modality, declared or not (a regulator needs to
    see who a new rule would allow, not only who asks today)."""
    changes = []
    for snap in iter_snapshots(session, jurisdiction):
        _, before = assess(snap, current, as_of)
        _, after = assess(snap, proposed, as_of)
        for modality in MODALITY_ORDER:
            old, new = before[modality], after[modality]
            if old.verdict == new.verdict:
                continue
            change = "gains" if new.authorized else "loses" if old.authorized else "changes"
            changes.append(
                ImpactChange(
                    snap.jurisdiction,
                    snap.profession,
                    snap.registration_number,
                    snap.name,
                    modality,
                    modality in snap.modalities,
                    change,
                    old.verdict,
                    new.verdict,
                    old.rule.id if old.rule else None,
                    new.rule.id if new.rule else None,
                    describe_basis(new),
                )
            )
    return changes
