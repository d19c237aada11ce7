"""Authorization status of a set of practitioners, for the public page, the clinic workspace
and the regulator console: for each modality the verdict, its basis, and every gap.

Set-based: five queries (rules, then the three snapshot queries) for any number of
practitioners.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from ..rules import Authorization, Gap, PractitionerSnap, RuleBook, authorization, evaluate
from ..rules.explain import describe_basis, verdict
from ..rules.model import MODALITY_ORDER
from ..services.rulesets import rule_book
from .snapshots import iter_snapshots


@dataclass
class ModalityStatus:
    modality: str
    declared: bool
    authorization: Authorization

    @property
    def verdict(self) -> str:
        return verdict(self.authorization)

    @property
    def basis(self) -> str:
        return describe_basis(self.authorization)

    @property
    def authorized(self) -> bool:
        return self.authorization.authorized


@dataclass
class PractitionerStatus:
    snap: PractitionerSnap
    as_of: date
    modalities: dict[str, ModalityStatus] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)

    def may(self, modality: str) -> bool:
        """Authorized and with a rule that permits it (a missing rule is not a yes here)."""
        status = self.modalities[modality]
        return status.authorized and status.authorization.rule is not None


def status_of(
    snap: PractitionerSnap, book: RuleBook, as_of: date, window: int = 60
) -> PractitionerStatus:
    status = PractitionerStatus(snap, as_of, gaps=evaluate(snap, book, as_of, window))
    for m in MODALITY_ORDER:
        status.modalities[m] = ModalityStatus(
            m, m in snap.modalities, authorization(snap, book, as_of, m, window)
        )
    return status


def statuses(
    session: Session,
    ids: Iterable[int],
    as_of: date | None = None,
    window: int = 60,
    book: RuleBook | None = None,
) -> dict[int, PractitionerStatus]:
    """Status of each practitioner id (ids not found are left out)."""
    as_of = as_of or date.today()
    ids = list(ids)
    if not ids:
        return {}
    book = book or rule_book(session)
    return {s.id: status_of(s, book, as_of, window) for s in iter_snapshots(session, ids=ids)}
