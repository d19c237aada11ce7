"""Plain-language descriptions of authorizations, for the public page, the clinic and the CLI."""

from __future__ import annotations

from .engine import label
from .model import Authorization, CredentialSnap


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
