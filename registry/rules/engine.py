"""Gaps, verdicts and authorizations, exactly as CONTRACT §5 defines them.

Each check is a small function returning the gaps it finds; ``evaluate`` collects every one
of them instead of stopping at the first.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache

from .model import (
    AUTHORIZED,
    ERROR,
    MODALITY_ORDER,
    NO_RULE,
    NOT_AUTHORIZED,
    PENDING_VERIFICATION,
    VERIFIED,
    WARNING,
    WARNING_KINDS,
    WITHDRAWN,
    Authorization,
    Basis,
    CredentialSnap,
    Gap,
    PractitionerSnap,
    Requirement,
    RuleBook,
    RuleSnap,
    make_gap,
)

_ACRONYMS = {"cpr": "CPR", "ims": "IMS"}


@cache  # a few dozen codes, asked for once per gap
def label(code: str) -> str:
    """'cpr_certification' -> 'CPR certification'."""
    return " ".join(_ACRONYMS.get(w, w) for w in code.split("_"))


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to the month's end)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_years(start: date, end: date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def _num(value: float) -> str:
    return f"{value:g}"


class _Context:
    """What every check of one practitioner on one day needs."""

    def __init__(self, p: PractitionerSnap, as_of: date, window: int) -> None:
        self.p, self.as_of, self.window = p, as_of, window
        self.horizon = as_of + timedelta(days=window)

    def gap(self, kind, modality=None, credential_type=None, rule=None, detail="") -> Gap:
        p = self.p
        return make_gap(  # an audit makes one per gap: see ``model.builder``
            p.jurisdiction,
            p.profession,
            p.registration_number,
            p.name,
            modality,
            kind,
            WARNING if kind in WARNING_KINDS else ERROR,
            credential_type,
            rule.id if rule else None,
            rule.source if rule else None,
            detail,
        )


@cache
def _either(kinds: tuple[str, ...]) -> str:
    """('a', 'b') -> 'a or b', as labels."""
    return " or ".join(label(c) for c in kinds)


@cache
def _folded(names: tuple[str, ...]) -> frozenset[str]:
    """Issuers or registration classes as compared: case-insensitively."""
    return frozenset(n.casefold() for n in names)


@cache
def _lowered(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(n.lower() for n in names)


def registration_gaps(ctx: _Context) -> list[Gap]:
    p, d = ctx.p, ctx.as_of
    if d < p.registered_since:
        return [
            ctx.gap("registration_inactive", detail=f"not registered until {p.registered_since}")
        ]
    # the status says more than the expiry date when both apply
    if p.registration_status != "active" and d >= p.status_since:
        return [
            ctx.gap(
                "registration_inactive",
                detail=f"registration {p.registration_status} since {p.status_since}",
            )
        ]
    if p.registration_expires_on is not None and d > p.registration_expires_on:
        return [
            ctx.gap(
                "registration_inactive", detail=f"registration expired {p.registration_expires_on}"
            )
        ]
    if p.registration_expires_on is not None and p.registration_expires_on <= ctx.horizon:
        return [
            ctx.gap(
                "expiring_soon",
                credential_type="registration",
                detail=f"registration expires {p.registration_expires_on}",
            )
        ]
    return []


def rule_gaps(ctx: _Context, rule: RuleSnap, modality: str) -> tuple[list[Gap], list[Basis]]:
    """Gaps against the rule in force, and the requirements it holds (with the credentials
    that satisfy each) as the basis of an authorization."""
    if not rule.permitted:
        return [
            ctx.gap(
                "outside_scope",
                modality,
                rule=rule,
                detail=f"{label(modality)} is outside a {label(ctx.p.profession)}'s "
                f"scope of practice in {ctx.p.jurisdiction}",
            )
        ], []
    gaps = []
    classes = rule.registration_classes
    if classes is not None:
        held = (ctx.p.registration_class or "").lower()
        if held not in _lowered(classes):
            gaps.append(
                ctx.gap(
                    "wrong_registration_class",
                    modality,
                    rule=rule,
                    detail=f"registration class {ctx.p.registration_class or 'unknown'} may not "
                    f"perform it (allowed: {', '.join(classes)})",
                )
            )
    experience = (
        (
            (rule.min_years_registered, ctx.p.registered_since, "registered"),
            (rule.min_years_practising, ctx.p.practising_from, "practising"),
        )
        if rule.min_years_registered or rule.min_years_practising
        else ()
    )
    for minimum, start, words in experience:
        if not minimum:
            continue
        years = whole_years(start, ctx.as_of)
        if years < minimum:
            gaps.append(
                ctx.gap(
                    "insufficient_experience",
                    modality,
                    rule=rule,
                    detail=f"{max(years, 0)} of {minimum} required years {words}",
                )
            )
    basis = []
    for item in rule.requires:
        gap, used = requirement_check(ctx, rule, modality, item)
        if gap is not None:
            gaps.append(gap)
        if gap is None or gap.severity == WARNING:
            basis.append(Basis(item, used))
    return gaps, basis


def requirement_check(
    ctx: _Context, rule: RuleSnap, modality: str, item: Requirement
) -> tuple[Gap | None, tuple[CredentialSnap, ...]]:
    """At most one gap for one item (the first that applies), and the counting credentials.
    A credential rejected or revoked on the day does not exist for it (CONTRACT §5)."""
    d, first, kinds = ctx.as_of, item.credentials[0], item.credentials
    what = _either(kinds)

    def gap(kind: str, detail: str, used: Iterable[CredentialSnap] = ()) -> tuple[Gap, tuple]:
        return ctx.gap(kind, modality, first, rule, detail), tuple(used)

    of_type = [c for c in ctx.p.credentials if c.credential_type in kinds and c.issued_on <= d]
    held = [c for c in of_type if c.state_on(d) not in WITHDRAWN]
    if not held:
        return gap("missing_credential", f"no {what} on file{_withdrawn(of_type, d)}")
    if item.issuers is not None:
        approved = _folded(item.issuers)
        held = [c for c in held if c.issuer.casefold() in approved]
        if not held:
            return gap(
                "unapproved_issuer",
                f"{what} not from an approved provider ({', '.join(item.issuers)})",
            )
    current = [c for c in held if c.expires_on is None or c.expires_on >= d]
    if not current:
        latest = max(c.expires_on for c in held if c.expires_on is not None)
        return gap("expired", f"{what} expired {latest}")
    counting = current
    if item.within_months is not None:
        since = months_before(d, item.within_months)
        counting = [c for c in current if c.issued_on >= since]
    shortfall = _shortfall(item, counting, what)
    if shortfall:
        return gap(*shortfall)
    pool = counting or current
    if item.verified and not any(c.state_on(d) == VERIFIED for c in pool):
        return gap("unverified", waiting_words(pool, d), pool)
    if all(c.expires_on is not None and c.expires_on <= ctx.horizon for c in pool):
        return gap("expiring_soon", f"{what} expires {max(c.expires_on for c in pool)}", pool)
    return None, tuple(pool)


def _withdrawn(credentials: list[CredentialSnap], day: date) -> str:
    """' (the one on file was rejected on 2026-11-03)' when a withdrawn credential explains
    why nothing counts; '' otherwise."""
    gone = [(c, c.decision_on(day)) for c in credentials if c.state_on(day) in WITHDRAWN]
    if not gone:
        return ""
    c, decision = max(gone, key=lambda cd: (cd[1].on, cd[0].issued_on))
    more = f"; {len(gone) - 1} more withdrawn" if len(gone) > 1 else ""
    what = f"the {label(c.credential_type)} of {c.issued_on}"
    return f" ({what} was {decision.status} on {decision.on}{more})"


def waiting_words(pool: Iterable[CredentialSnap], day: date) -> str:
    """'waiting for verification of the needling authorization submitted 2026-11-02 by Bow
    River Physio': the newest of the credentials that would count once verified. The entry
    date is told only when the credential was on file by ``day``; an audit of an earlier day
    (a credential imported later, issued before) says 'issued <issued_on>' instead."""

    def entered(c: CredentialSnap) -> date | None:
        return c.entered_on if c.entered_on is not None and c.entered_on <= day else None

    c = max(pool, key=lambda c: (entered(c) or c.issued_on, c.issued_on))
    if entered(c) is not None:
        by = f" by {c.entered_by}" if c.entered_by else ""
        when = f"submitted {c.entered_on}{by}"
    else:
        when = f"issued {c.issued_on}"
    return f"waiting for verification of the {label(c.credential_type)} {when}"


def _shortfall(item: Requirement, counting: list[CredentialSnap], what: str):
    window = f" in the last {item.within_months} months" if item.within_months else ""
    checks = (
        ("insufficient_hours", item.min_hours, "hours", "required hours"),
        (
            "insufficient_hours",
            item.min_in_person_hours,
            "in_person_hours",
            "required in-person hours",
        ),
        ("insufficient_sessions", item.min_sessions, "sessions", "required supervised sessions"),
    )
    for kind, minimum, attr, words in checks:
        if minimum is None:
            continue
        total = sum(getattr(c, attr) or 0 for c in counting)
        if total < minimum:
            return kind, f"{_num(total)} of {_num(minimum)} {words}{window} ({what})"
    return None


def performed(p: PractitionerSnap) -> list[str]:
    """The modalities ``p`` declares, the contract's three first."""
    known = [m for m in MODALITY_ORDER if m in p.modalities]
    return known + sorted(m for m in p.modalities if m not in MODALITY_ORDER)


def _no_rule(ctx: _Context, modality: str) -> Gap:
    p = ctx.p
    return ctx.gap(
        "no_rule",
        modality,
        detail=f"no rule for {label(p.profession)}s performing {label(modality)} "
        f"in {p.jurisdiction} on {ctx.as_of}",
    )


def modality_gaps(ctx: _Context, book: RuleBook, modality: str) -> list[Gap]:
    p = ctx.p
    rule = book.rule_for(p.jurisdiction, p.profession, modality, ctx.as_of)
    if rule is None:
        return [_no_rule(ctx, modality)]
    return rule_gaps(ctx, rule, modality)[0]


def evaluate(p: PractitionerSnap, book: RuleBook, as_of: date, window: int = 60) -> list[Gap]:
    """Every gap of one practitioner on ``as_of``: registration first, then each modality
    they perform."""
    ctx = _Context(p, as_of, window)
    gaps = registration_gaps(ctx)
    if p.modalities:  # most of a registry performs none: nothing more to look up
        for modality in performed(p):
            gaps += modality_gaps(ctx, book, modality)
    return gaps


def verdict_of(has_rule: bool, error_kinds: Iterable[str]) -> str:
    """CONTRACT §5's verdict from whether a rule applies and the kinds of the errors of the
    registration and the modality: pending verification when every error is ``unverified``."""
    if not has_rule:
        return NO_RULE
    errors = list(error_kinds)
    if not errors:
        return AUTHORIZED
    if all(kind == "unverified" for kind in errors):
        return PENDING_VERIFICATION
    return NOT_AUTHORIZED


def _authorize(ctx: _Context, book: RuleBook, modality: str, registration: list[Gap]):
    p = ctx.p
    rule = book.rule_for(p.jurisdiction, p.profession, modality, ctx.as_of)
    if rule is None:
        gaps, basis = [_no_rule(ctx, modality)], []
    else:
        gaps, basis = rule_gaps(ctx, rule, modality)
    every = (*registration, *gaps)
    verdict = verdict_of(rule is not None, [g.kind for g in every if g.severity == ERROR])
    return Authorization(modality, ctx.as_of, verdict, rule, every, tuple(basis))


def authorization(
    p: PractitionerSnap, book: RuleBook, as_of: date, modality: str, window: int = 60
) -> Authorization:
    """May ``p`` perform ``modality`` on ``as_of`` (whether or not they declare it), and on
    which credentials (CONTRACT §5's verdict)."""
    ctx = _Context(p, as_of, window)
    return _authorize(ctx, book, modality, registration_gaps(ctx))


def assess(
    p: PractitionerSnap,
    book: RuleBook,
    as_of: date,
    window: int = 60,
    modalities: Iterable[str] = MODALITY_ORDER,
) -> tuple[list[Gap], dict[str, Authorization]]:
    """Everything faces show of one practitioner on one day, evaluating each rule once:
    ``evaluate``'s gaps, and an authorization for each of ``modalities``."""
    ctx = _Context(p, as_of, window)
    registration = registration_gaps(ctx)
    wanted = list(dict.fromkeys([*modalities, *performed(p)]))
    auths = {m: _authorize(ctx, book, m, registration) for m in wanted}
    gaps = list(registration)
    for m in performed(p):
        gaps += [g for g in auths[m].gaps if g.modality is not None]
    return gaps, auths


def audit(
    practitioners: Iterable[PractitionerSnap], book: RuleBook, as_of: date, window: int = 60
) -> Iterable[Gap]:
    for p in practitioners:
        yield from evaluate(p, book, as_of, window)
