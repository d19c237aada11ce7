"""Verdicts of a set of practitioners, as every face shows them: for each modality the verdict
of CONTRACT §5 (authorized, pending verification, not authorized, no rule on file), its
explanation and basis, and every gap.

Set-based: five queries (the rule book, then the snapshot queries) for any number of
practitioners. The verdict codes and words come from ``rules``; nothing here decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from ..rules import (
    AUTHORIZED,
    NO_RULE,
    PENDING_VERIFICATION,
    Authorization,
    Gap,
    PractitionerSnap,
    RuleBook,
)
from ..rules.engine import assess
from ..rules.explain import VERDICT_LABELS, describe_basis
from ..rules.model import MODALITY_ORDER
from .coverage import no_rule_note
from .rulebook import current_rule_book
from .snapshots import iter_snapshots

DEFAULT_WINDOW = 60


@dataclass
class ModalityStatus:
    modality: str
    declared: bool
    authorization: Authorization
    snap: PractitionerSnap | None = None

    @property
    def verdict(self) -> str:
        """The verdict code: authorized, pending_verification, not_authorized or no_rule."""
        return self.authorization.verdict

    @property
    def label(self) -> str:
        """The verdict in words ('Pending verification')."""
        return VERDICT_LABELS[self.authorization.verdict]

    @property
    def basis(self) -> str:
        return describe_basis(self.authorization)

    @property
    def authorized(self) -> bool:
        return self.authorization.verdict == AUTHORIZED

    @property
    def pending(self) -> bool:
        return self.authorization.verdict == PENDING_VERIFICATION

    @property
    def no_rule_note(self) -> str | None:
        """For "No rule on file": what was searched, where the default rules say."""
        if self.authorization.verdict != NO_RULE or self.snap is None:
            return None
        return no_rule_note(self.snap.jurisdiction, self.snap.profession, self.modality)


@dataclass
class PractitionerStatus:
    snap: PractitionerSnap
    as_of: date
    modalities: dict[str, ModalityStatus] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)

    def may(self, modality: str) -> bool:
        """Authorized for ``modality`` (CONTRACT §5): never for no rule or a pending claim."""
        return self.modalities[modality].authorized


def status_of(
    snap: PractitionerSnap, book: RuleBook, as_of: date, window: int = DEFAULT_WINDOW
) -> PractitionerStatus:
    gaps, auths = assess(snap, book, as_of, window, MODALITY_ORDER)
    status = PractitionerStatus(snap, as_of, gaps=gaps)
    for m, auth in auths.items():
        status.modalities[m] = ModalityStatus(m, m in snap.modalities, auth, snap)
    return status


def statuses(
    session: Session,
    ids: Iterable[int],
    as_of: date | None = None,
    window: int = DEFAULT_WINDOW,
    book: RuleBook | None = None,
) -> dict[int, PractitionerStatus]:
    """Status of each practitioner id (ids not found are left out)."""
    as_of = as_of or date.today()
    ids = list(ids)
    if not ids:
        return {}
    book = book or current_rule_book(session)
    return {s.id: status_of(s, book, as_of, window) for s in iter_snapshots(session, ids=ids)}
