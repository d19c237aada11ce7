"""The audit report of CONTRACT §5, and the preview of a rules change."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ..rules import RuleBook, authorization, evaluate
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


def render_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=GAP_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report["gaps"])
    return out.getvalue()


def run_audit(session: Session, book: RuleBook, query: AuditQuery) -> dict[str, Any]:
    """The audit JSON document: every gap of every practitioner in scope on ``query.as_of``."""
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
    jurisdiction: str
    profession: str
    registration_number: str
    name: str
    modality: str
    change: str  # "gains" or "loses"
    before_rule: str | None
    after_rule: str | None

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def rules_impact(
    session: Session,
    current: RuleBook,
    proposed: RuleBook,
    as_of: date,
    jurisdiction: str | None = None,
) -> list[ImpactChange]:
    """Who would gain or lose authorization for a modality they perform, if ``proposed``
    replaced ``current``, on ``as_of``."""
    changes = []
    for snap in iter_snapshots(session, jurisdiction):
        for modality in (m for m in MODALITY_ORDER if m in snap.modalities):
            before = authorization(snap, current, as_of, modality)
            after = authorization(snap, proposed, as_of, modality)
            if before.authorized == after.authorized:
                continue
            changes.append(
                ImpactChange(
                    snap.jurisdiction,
                    snap.profession,
                    snap.registration_number,
                    snap.name,
                    modality,
                    "gains" if after.authorized else "loses",
                    before.rule.id if before.rule else None,
                    after.rule.id if after.rule else None,
                )
            )
    return changes
