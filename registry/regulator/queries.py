"""Read side of the regulator console: scope, the audit and the dashboard's figures.

A regulator sees the jurisdictions of their account, an admin every jurisdiction. An audit is
computed once per scope, day, window and data version and stored (``read.audit_runs``); pages,
filters, counts and downloads are then SQL over the stored run. Today's compliance shares
come from the verdict store. Each dashboard figure is one grouped query, whatever the number
of practitioners.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from ..models import (
    WITHDRAWN_STATUSES,
    AuditRun,
    Credential,
    Jurisdiction,
    Practitioner,
    PractitionerModality,
    Profession,
    Role,
    StoredVerdict,
    User,
)
from ..read import audit_run_counts
from ..read.audit_runs import audit_run
from ..read.params import AuditQuery, clean_text
from ..read.stored import current
from ..rules import AUTHORIZED, NO_RULE, NOT_AUTHORIZED, PENDING_VERIFICATION, RuleBook
from ..rules.model import MODALITY_ORDER, WARNING_KINDS
from ..scopes import practitioner_filter
from .forms import GAP_KINDS


def scope_codes(user: User) -> list[str] | None:
    """The jurisdictions ``user`` may audit, sorted; None means every one (an admin)."""
    return None if user.role == Role.ADMIN else sorted(user.jurisdiction_codes)


def jurisdiction_choices(session: Session, codes: list[str] | None) -> list[tuple[str, str]]:
    """Select options: each of ``codes`` (None: every jurisdiction), after an 'all' option
    whose value is ''."""
    query = select(Jurisdiction.code, Jurisdiction.name).order_by(Jurisdiction.code)
    if codes is not None:
        query = query.where(Jurisdiction.code.in_(codes))
    everything = "All jurisdictions" if codes is None else "All my jurisdictions"
    return [("", everything)] + [(c, f"{c} · {n}") for c, n in session.execute(query)]


def profession_choices(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(select(Profession.code, Profession.name).order_by(Profession.name))
    return [("", "Any profession")] + [(c, n) for c, n in rows]


def requested_jurisdiction(session: Session, user: User, raw: str | None) -> str | None:
    """The jurisdiction a request names (upper-cased), or None for all in scope. Outside a
    regulator's scope: ``OutOfScope`` (403, saying which ones they may audit); unknown to an
    admin: 404."""
    try:
        code = clean_text(raw, 50).upper()
    except ValueError:  # no such code; keep it from the database
        abort(404)
    if not code:
        return None
    codes = scope_codes(user)
    if codes is None:
        if session.get(Jurisdiction, code) is None:
            abort(404)
    elif code not in codes:
        raise OutOfScope(code, codes)
    return code


class OutOfScope(HTTPException):
    """A jurisdiction outside the regulator's account: 403 on the audit and the dashboard,
    404 on a practitioner's page (whose existence must not leak); the page lists the
    jurisdictions the account may audit, with links (``regulator.views``)."""

    code = 403

    def __init__(self, asked: str, codes: list[str], code: int = 403) -> None:
        super().__init__(f"{asked} is outside your account's scope.")
        self.asked, self.codes, self.code = asked, codes, code


def in_scope(user: User, jurisdiction: str | None) -> ColumnElement[bool]:
    """WHERE clause for the practitioners in ``user``'s scope (and in ``jurisdiction``)."""
    clause = practitioner_filter(user)
    if jurisdiction:
        clause = and_(clause, Practitioner.jurisdiction_code == jurisdiction)
    return clause


def run_codes(user: User, jurisdiction: str | None) -> list[str] | None:
    """The jurisdictions an audit of ``jurisdiction`` (None: all in scope) covers; None means
    every jurisdiction (an admin's 'all')."""
    return [jurisdiction] if jurisdiction else scope_codes(user)


def scoped_run(session: Session, user: User, book: RuleBook, query: AuditQuery) -> AuditRun:
    """The stored audit run of ``query`` for ``user``'s scope (computed on first asking)."""
    return audit_run(session, book, query, run_codes(user, query.jurisdiction))


@dataclass(frozen=True)
class KindCount:
    kind: str
    severity: str
    count: int


@dataclass(frozen=True)
class ComplianceRow:
    """Practitioners of one profession declaring one modality, counted by their verdict
    (CONTRACT §5). Only ``authorized`` counts toward the share: a pending claim and "no rule
    on file" never do."""

    profession: str
    modality: str
    declared: int
    authorized: int
    pending: int
    not_authorized: int
    no_rule: int

    @property
    def share(self) -> float:
        return self.authorized / self.declared if self.declared else 0.0


@dataclass(frozen=True)
class MonthCount:
    month: date  # the first day of the month
    credentials: int
    registrations: int


def kind_counts(counts: dict[str, int]) -> list[KindCount]:
    """Gaps per kind, every kind of CONTRACT §5 listed (errors first), zero included."""
    return [
        KindCount(k, "warning" if k in WARNING_KINDS else "error", counts.get(k, 0))
        for k in GAP_KINDS
    ]


def compliance(counts: dict[tuple[str, str], dict[str, int]]) -> list[ComplianceRow]:
    """Per profession and modality: how many declare it and each verdict's count."""
    order = {m: i for i, m in enumerate(MODALITY_ORDER)}
    rows = []
    for p, m in sorted(counts, key=lambda k: (k[0], order.get(k[1], 99), k[1])):
        c = counts[(p, m)]
        rows.append(
            ComplianceRow(
                p,
                m,
                sum(c.values()),
                c.get(AUTHORIZED, 0),
                c.get(PENDING_VERIFICATION, 0),
                c.get(NOT_AUTHORIZED, 0),
                c.get(NO_RULE, 0),
            )
        )
    return rows


def stored_compliance(
    session: Session, user: User, jurisdiction: str | None, day: date
) -> dict[tuple[str, str], dict[str, int]] | None:
    """Today's verdict counts from the verdict store, one GROUP BY; None when some declared
    modality in scope has no current stored row (the run's own counts are used instead)."""
    P, M, V = Practitioner, PractitionerModality, StoredVerdict
    scope = in_scope(user, jurisdiction)
    declared = session.scalar(
        select(func.count()).select_from(M).join(P, P.id == M.practitioner_id).where(scope)
    )
    rows = session.execute(
        select(P.profession_code, V.modality, V.verdict, func.count())
        .join(V, V.practitioner_id == P.id)
        .where(scope, current(day))
        .group_by(P.profession_code, V.modality, V.verdict)
    ).all()
    if sum(n for *_, n in rows) != declared:
        return None
    found: dict[tuple[str, str], dict[str, int]] = {}
    for p, m, v, n in rows:
        found.setdefault((p, m), {})[v] = n
    return found


def _month_start(day: date, months_ahead: int = 0) -> date:
    total = day.year * 12 + day.month - 1 + months_ahead
    return date(total // 12, total % 12 + 1, 1)


def expiries(
    session: Session, user: User, jurisdiction: str | None, as_of: date, months: int = 12
) -> list[MonthCount]:
    """Credential (not withdrawn) and registration expiries from ``as_of`` to the end of the
    ``months``-th month: two queries grouped by day, binned by month here (portable SQL)."""
    end = _month_start(as_of, months)
    scope = in_scope(user, jurisdiction)
    C, P = Credential, Practitioner
    credentials = session.execute(
        select(C.expires_on, func.count())
        .join(P, P.id == C.practitioner_id)
        .where(
            scope,
            C.verification_status.notin_(WITHDRAWN_STATUSES),
            C.expires_on >= as_of,
            C.expires_on < end,
        )
        .group_by(C.expires_on)
    )
    registrations = session.execute(
        select(P.registration_expires_on, func.count())
        .where(scope, P.registration_expires_on >= as_of, P.registration_expires_on < end)
        .group_by(P.registration_expires_on)
    )
    by_month: dict[date, list[int]] = {_month_start(as_of, i): [0, 0] for i in range(months)}
    for column, rows in enumerate((credentials, registrations)):
        for day, count in rows:
            by_month[_month_start(day)][column] += count
    return [MonthCount(m, c, r) for m, (c, r) in by_month.items()]


@dataclass
class Dashboard:
    run: AuditRun
    kinds: list[KindCount]
    compliance: list[ComplianceRow]
    months: list[MonthCount]
    jurisdiction: str | None = None

    @property
    def report(self) -> dict[str, Any]:
        """The figures of the summary line."""
        return {
            "as_of": self.run.as_of.isoformat(),
            "jurisdiction": self.jurisdiction,
            "practitioners_checked": self.run.practitioners_checked,
            "gaps": sum(k.count for k in self.kinds),
            "errors": sum(k.count for k in self.kinds if k.severity == "error"),
        }


def dashboard(
    session: Session, user: User, book: RuleBook, as_of: date, jurisdiction: str | None
) -> Dashboard:
    """Gap counts from the stored run of the day; today's compliance from the verdict store
    (another day's, or a store not yet current, from the run)."""
    run = scoped_run(session, user, book, AuditQuery(as_of, jurisdiction=jurisdiction))
    counts = (
        stored_compliance(session, user, jurisdiction, as_of) if as_of == date.today() else None
    )
    return Dashboard(
        run,
        kind_counts(audit_run_counts.kind_counts(session, run)),
        compliance(counts if counts is not None else audit_run_counts.verdict_counts(session, run)),
        expiries(session, user, jurisdiction, as_of),
        jurisdiction,
    )
