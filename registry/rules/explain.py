"""Plain-language descriptions of authorizations, for the public page, the clinic and the CLI."""

from __future__ import annotations

from .engine import label
from .model import Authorization, CredentialSnap, RuleSnap


def describe_credential(c: CredentialSnap) -> str:
    """'45 h dry needling course, Acupuncture Canada, verified 2022-01-10'."""
    parts = []
    amount = ""
    if c.hours:
        amount = f"{c.hours:g} h "
    elif c.sessions:
        amount = f"{c.sessions} supervised sessions: "
    parts.append(f"{amount}{label(c.credential_type)}")
    if c.issuer:
        parts.append(c.issuer)
    if c.verified:
        parts.append(f"verified {c.verified_at}" if c.verified_at else "verified")
    else:
        parts.append("self-declared, not verified")
    if c.expires_on:
        parts.append(f"valid to {c.expires_on}")
    return ", ".join(parts)


def verdict(auth: Authorization) -> str:
    """A short answer: 'Authorized', 'Not authorized', 'Outside scope' or 'No rule on file'.

    'No rule on file' is still authorized in CONTRACT §5's sense (no error), but a reader
    must see that nothing was assessed."""
    if auth.rule is None:
        return "No rule on file"
    if not auth.rule.permitted:
        return "Outside scope"
    return "Authorized" if auth.authorized else "Not authorized"


def describe_basis(auth: Authorization) -> str:
    """Why: the credentials an authorization rests on, or the errors that withhold it."""
    if auth.rule is None:
        return "no scope-of-practice rule is on file for this profession and modality here"
    if not auth.rule.permitted:
        return "outside this profession's scope of practice here"
    if not auth.authorized:
        return "; ".join(g.detail for g in auth.gaps if g.severity == "error")
    credentials = [describe_credential(c) for b in auth.basis for c in b.credentials]
    return "; ".join(credentials) or "permitted for this profession without further credentials"


def describe_requirements(rule: RuleSnap) -> str:
    """A rule's requirements in one line: 'class general/courtesy; needling_authorization
    (verified); ...'."""
    parts = []
    if not rule.permitted:
        return "not permitted"
    if rule.registration_classes:
        parts.append(f"class {'/'.join(rule.registration_classes)}")
    if rule.min_years_registered:
        parts.append(f"{rule.min_years_registered}+ years registered")
    if rule.min_years_practising:
        parts.append(f"{rule.min_years_practising}+ years practising")
    for item in rule.requires:
        text = " or ".join(item.credentials)
        extras = [
            f"{item.min_hours:g} h" if item.min_hours is not None else "",
            f"{item.min_in_person_hours:g} h in person"
            if item.min_in_person_hours is not None
            else "",
            f"{item.min_sessions} sessions" if item.min_sessions is not None else "",
            f"within {item.within_months} months" if item.within_months else "",
            f"from {', '.join(item.issuers)}" if item.issuers else "",
            "verified" if item.verified else "",
        ]
        extras = [e for e in extras if e]
        parts.append(text + (f" ({'; '.join(extras)})" if extras else ""))
    return "; ".join(parts) or "permitted, nothing required"
