"""Read side of the regulator console: scope, the audit and the dashboard's figures.

A regulator sees the jurisdictions of their account, an admin every jurisdiction. The audit
runs ``run_audit``'s fixed queries once per jurisdiction asked for; each dashboard figure is
one more grouped query, whatever the number of practitioners.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask import abort
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from ..models import (
    WITHDRAWN_STATUSES,
    Credential,
    Jurisdiction,
    Practitioner,
    PractitionerModality,
    Profession,
    Role,
    User,
)
from ..read.audit import run_audit
from ..read.params import AuditQuery, clean_text
from ..rules import AUTHORIZED, NO_RULE, NOT_AUTHORIZED, PENDING_VERIFICATION, RuleBook, verdict_of
from ..rules.model import MODALITY_ORDER, WARNING_KINDS
from ..scopes import practitioner_filter
from .forms import GAP_KINDS, REGISTRATION


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


def scoped_audit(session: Session, user: User, book: RuleBook, query: AuditQuery) -> dict[str, Any]:
    """The audit document (CONTRACT §5) for one jurisdiction or every one in scope. For a
    regulator's 'all' the per-jurisdiction audits are joined; ``jurisdiction`` stays null."""
    codes = scope_codes(user)
    if query.jurisdiction or codes is None:
        return run_audit(session, book, query)
    report: dict[str, Any] = {"practitioners_checked": 0, "gaps": []}
    for code in codes:
        more = run_audit(session, book, replace(query, jurisdiction=code))
        report["practitioners_checked"] += more["practitioners_checked"]
        report["gaps"] += more["gaps"]
    return {
        **report,
        "as_of": query.as_of.isoformat(),
        "window_days": query.window,
        "jurisdiction": None,
    }


def filter_gaps(
    report: dict[str, Any], kind: str = "", modality: str = "", profession: str = ""
) -> dict[str, Any]:
    """The same document with only the gaps matching every filter given. ``modality``
    'registration' keeps the registration gaps (those without a modality).
    ``practitioners_checked`` still counts every practitioner the audit evaluated."""
    wanted_modality = None if modality == REGISTRATION else modality

    def keep(g: dict[str, Any]) -> bool:
        return (
            (not kind or g["kind"] == kind)
            and (not modality or g["modality"] == wanted_modality)
            and (not profession or g["profession"] == profession)
        )

    return {**report, "gaps": [g for g in report["gaps"] if keep(g)]}


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


def kind_counts(gaps: list[dict[str, Any]]) -> list[KindCount]:
    """Gaps per kind, every kind of CONTRACT §5 listed (errors first), zero included."""
    counts = Counter(g["kind"] for g in gaps)
    return [
        KindCount(k, "warning" if k in WARNING_KINDS else "error", counts[k]) for k in GAP_KINDS
    ]


def compliance(
    session: Session, user: User, jurisdiction: str | None, gaps: list[dict[str, Any]]
) -> list[ComplianceRow]:
    """Per profession and modality: how many declare it and each verdict's count, from the
    audit's gaps of the same day and one query of the declared modalities."""
    errors: dict[tuple, list[str]] = defaultdict(list)
    for g in gaps:
        if g["severity"] == "error":
            errors[_gap_key(g)].append(g["kind"])
    no_rule = {_gap_key(g) for g in gaps if g["kind"] == "no_rule"}
    P, M = Practitioner, PractitionerModality
    rows = session.execute(
        select(P.jurisdiction_code, P.profession_code, P.registration_number, M.modality_code)
        .join(M, M.practitioner_id == P.id)
        .where(in_scope(user, jurisdiction))
    )
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for r in rows:
        key = (r.jurisdiction_code, r.profession_code, r.registration_number)
        kinds = errors.get((*key, None), []) + errors.get((*key, r.modality_code), [])
        verdict = verdict_of((*key, r.modality_code) not in no_rule, kinds)
        counts[(r.profession_code, r.modality_code)][verdict] += 1
    order = {m: i for i, m in enumerate(MODALITY_ORDER)}
    return [
        ComplianceRow(
            p,
            m,
            counts[(p, m)].total(),
            counts[(p, m)][AUTHORIZED],
            counts[(p, m)][PENDING_VERIFICATION],
            counts[(p, m)][NOT_AUTHORIZED],
            counts[(p, m)][NO_RULE],
        )
        for p, m in sorted(counts, key=lambda k: (k[0], order.get(k[1], 99), k[1]))
    ]


def _gap_key(g: dict[str, Any]) -> tuple[str, str, str, str | None]:
    return (g["jurisdiction"], g["profession"], g["registration_number"], g["modality"])


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
    report: dict[str, Any]
    kinds: list[KindCount]
    compliance: list[ComplianceRow]
    months: list[MonthCount]


def dashboard(
    session: Session, user: User, book: RuleBook, as_of: date, jurisdiction: str | None
) -> Dashboard:
    report = scoped_audit(session, user, book, AuditQuery(as_of, jurisdiction=jurisdiction))
    return Dashboard(
        report,
        kind_counts(report["gaps"]),
        compliance(session, user, jurisdiction, report["gaps"]),
        expiries(session, user, jurisdiction, as_of),
    )
