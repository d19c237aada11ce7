"""Plain-language descriptions of authorizations, for the public page, the clinic and the CLI."""

from __future__ import annotations

from datetime import date

from .engine import label
from .model import (
    AUTHORIZED,
    NO_RULE,
    NOT_AUTHORIZED,
    PENDING,
    PENDING_VERIFICATION,
    REJECTED,
    REVOKED,
    VERIFIED,
    Authorization,
    CredentialSnap,
    RuleSnap,
)


def sentence(text: str) -> str:
    """'needling authorization' -> 'Needling authorization' (acronyms kept: 'IMS ...')."""
    return text[:1].upper() + text[1:]


VERDICT_LABELS = {
    AUTHORIZED: "Authorized",
    PENDING_VERIFICATION: "Pending verification",
    NOT_AUTHORIZED: "Not authorized",
    NO_RULE: "No rule on file",
}
# One vocabulary for a credential's verification state on every page.
STATE_LABELS = {
    PENDING: "Pending verification",
    VERIFIED: "Verified",
    REJECTED: "Rejected",
    REVOKED: "Revoked",
}


def describe_credential(c: CredentialSnap, on: date) -> str:
    """'45 h dry needling course, Acupuncture Canada, verified 2022-01-10': as it stood on
    ``on``."""
    parts = []
    amount = ""
    if c.hours:
        amount = f"{c.hours:g} h "
    elif c.sessions:
        amount = f"{c.sessions} supervised sessions: "
    parts.append(f"{amount}{label(c.credential_type)}")
    if c.issuer:
        parts.append(c.issuer)
    decision = c.decision_on(on)
    if decision is None or decision.status == PENDING:
        parts.append("pending verification")
    else:
        parts.append(f"{decision.status} {decision.on}")
    if c.expires_on:
        parts.append(f"valid to {c.expires_on}")
    return ", ".join(parts)


def verdict(auth: Authorization) -> str:
    """The verdict in words: 'Authorized', 'Pending verification', 'Not authorized' or
    'No rule on file'."""
    return VERDICT_LABELS[auth.verdict]


def describe_basis(auth: Authorization) -> str:
    """Why, in a sentence: the credentials an authorization rests on, what it waits for, or
    the errors that withhold it."""
    if auth.verdict == NO_RULE:
        return (
            "no scope-of-practice rule is on file for this profession and modality here, "
            "so the registry cannot say whether they may"
        )
    if not auth.rule.permitted:
        return "outside this profession's scope of practice here"
    if auth.verdict != AUTHORIZED:
        return "; ".join(g.detail for g in auth.gaps if g.severity == "error")
    credentials = [describe_credential(c, auth.as_of) for b in auth.basis for c in b.credentials]
    return "; ".join(credentials) or "permitted for this profession without further credentials"


GAP_ADVICE = {
    "registration_inactive": "no needling until the registration is active again; update the "
    "registry once it is",
    "outside_scope": "stop offering {m}: it is outside this profession's scope of practice "
    "here; take it off the practitioner's services in the registry",
    "wrong_registration_class": "stop {m} until the registration class allows it",
    "insufficient_experience": "stop {m} until the required years of registration are reached",
    "missing_credential": "record the credential in the registry with its evidence, or stop "
    "{m} until it is on file",
    "unapproved_issuer": "record a credential from an approved provider, or stop {m}",
    "expired": "record the renewed credential in the registry, or stop {m} until it is renewed",
    "insufficient_hours": "record the further training that makes up the hours, or stop {m}",
    "insufficient_sessions": "record the further supervised sessions, or stop {m}",
    "unverified": "nothing to do but wait: the regulator checks it with its issuer; until then "
    "{m} is not authorized",
    "expiring_soon": "renew it before it expires, then record the renewal in the registry",
    "no_rule": "ask the regulator whether {m} is within this profession's scope here",
}


def advice(kind: str, modality: str = "needling") -> str:
    """What to do about a gap of ``kind``, in words a practitioner or a clinic acts on."""
    return GAP_ADVICE.get(kind, "resolve it in the registry, or stop {m}").format(m=modality)


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
        text = " or ".join(label(c) for c in item.credentials)
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
