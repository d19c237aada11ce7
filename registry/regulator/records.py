"""Read side of the console's record pages: a practitioner's history, the verification
queue, rule-set versions and rule previews. List pages fetch one page and one count."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from flask import abort, current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager
from werkzeug.routing import BuildError

from ..models import (
    Clinic,
    ClinicStaff,
    Credential,
    LinkStatus,
    Practitioner,
    Rule,
    RuleSet,
    User,
    VerificationStatus,
)
from ..read.audit import ImpactChange, rules_impact
from ..read.history import Page, paginate, shown
from ..read.rulebook import rule_book
from ..rules import RuleBook, RuleSnap
from ..rules.dump import rule_changes
from ..rules.loader import RulesFile
from ..scopes import practitioner_filter
from ..services.rulesets import check_rules_file, check_rules_file_scoped
from .queries import scope_codes

T = TypeVar("T")


def clinics_of(session: Session, p: Practitioner) -> list[str]:
    return list(
        session.scalars(
            select(Clinic.name)
            .join(ClinicStaff, ClinicStaff.clinic_id == Clinic.id)
            .where(ClinicStaff.practitioner_id == p.id, ClinicStaff.status == LinkStatus.ACCEPTED)
            .order_by(Clinic.name)
        )
    )


def _queue_where(user: User):
    return (
        practitioner_filter(user),
        Credential.verification_status == VerificationStatus.PENDING,
    )


def verification_queue(session: Session, user: User, page: int, per_page: int) -> Page:
    """Credentials pending verification today (never decided, or sent back to pending) of
    practitioners in ``user``'s scope, waiting longest first. A decision takes them out."""
    stmt = (
        select(Credential)
        .join(Credential.practitioner)
        .options(contains_eager(Credential.practitioner))
        .where(*_queue_where(user))
        .order_by(Credential.created_at, Credential.id)
    )
    return paginate(session, stmt, page, per_page)


def credential_in_scope(session: Session, user: User, credential_id: int) -> Credential:
    """The credential if its practitioner is in ``user``'s scope; 404 otherwise."""
    credential = session.scalar(
        select(Credential)
        .join(Credential.practitioner)
        .where(Credential.id == credential_id, practitioner_filter(user))
    )
    if credential is None:
        abort(404)
    return credential


def evidence_url(credential: Credential) -> str | None:
    """Where the clinic workspace serves this credential's evidence, when there is some."""
    if not credential.evidence_ref or "clinic.evidence" not in current_app.view_functions:
        return None
    try:
        return url_for("clinic.evidence", credential_id=credential.id)
    except BuildError:
        return None


def rule_sets(session: Session) -> list[tuple[RuleSet, int]]:
    """Every rule-set version, newest first, with its number of rules."""
    stmt = (
        select(RuleSet, func.count(Rule.id))
        .outerjoin(Rule, Rule.rule_set_id == RuleSet.id)
        .group_by(RuleSet.id)
        .order_by(RuleSet.version.desc())
    )
    return [(rs, n) for rs, n in session.execute(stmt)]


@dataclass
class RulesPreview:
    """What activating a rules file would do, without activating it."""

    parsed: RulesFile
    as_of: date
    jurisdictions: list[str] | None  # replaced jurisdictions; None: the whole rule set
    proposed: list[RuleSnap]
    changes: list[ImpactChange]
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: dict[str, list[tuple[str, Any, Any]]] = field(default_factory=dict)

    @property
    def gains(self) -> int:
        return sum(c.change == "gains" for c in self.changes)

    @property
    def losses(self) -> int:
        return sum(c.change == "loses" for c in self.changes)

    @property
    def identical(self) -> bool:
        """Activating would change no rule: no new version would be made."""
        return not (self.added or self.removed or self.modified)


def preview_rules(session: Session, user: User, data: bytes, as_of: date) -> RulesPreview:
    """Check a rules file as ``user`` would load it (an admin: the whole rule set; a
    regulator: their jurisdictions only) and compare it with the active rules on ``as_of``.
    Raises RulesRefused with every problem."""
    codes = scope_codes(user)
    if codes is None:
        parsed = check_rules_file(session, data)
        proposed = list(parsed.rules)
    else:
        parsed, proposed = check_rules_file_scoped(session, data, codes)
    current = rule_book(session)
    book = RuleBook(proposed)
    changes = [
        change
        for code in (codes if codes is not None else [None])
        for change in rules_impact(session, current, book, as_of, code)
    ]
    preview = RulesPreview(parsed, as_of, codes, proposed, changes)
    before = {r.id: r for r in current.rules if codes is None or r.jurisdiction in codes}
    after = {r.id: r for r in proposed if codes is None or r.jurisdiction in codes}
    preview.added = sorted(after.keys() - before.keys())
    preview.removed = sorted(before.keys() - after.keys())
    preview.modified = {
        k: [(key, shown(old), shown(new)) for key, old, new in rule_changes(before[k], after[k])]
        for k in sorted(after.keys() & before.keys())
        if after[k] != before[k]
    }
    return preview
