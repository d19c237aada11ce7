"""Small builders for engine snapshots, so each test states only what matters to it."""

from __future__ import annotations

from datetime import date

from registry.rules import (
    CredentialSnap,
    Decision,
    PractitionerSnap,
    Requirement,
    RuleBook,
    RuleSnap,
)

D = date(2026, 11, 21)


def cred(kind: str = "needling_authorization", issued: str = "2020-01-01", **kw) -> CredentialSnap:
    """A credential; ``verified=True`` (verified on ``verified_at`` or its issue date),
    ``revoked=True`` (on ``revoked_on`` or its issue date) or ``decisions=[(status, "date")]``
    give it a verification history."""
    expires = kw.pop("expires", None)
    issued_on = date.fromisoformat(issued)
    decisions = [(s, _day(d)) for s, d in kw.pop("decisions", ())]
    if kw.pop("verified", False):
        decisions.append(("verified", kw.pop("verified_at", None) or issued_on))
    if kw.pop("revoked", False):
        decisions.append(("revoked", _day(kw.pop("revoked_on", None)) or issued_on))
    decisions.sort(key=lambda d: d[1])
    return CredentialSnap(
        credential_type=kind,
        issued_on=issued_on,
        expires_on=date.fromisoformat(expires) if expires else None,
        decisions=tuple(Decision(s, d) for s, d in decisions),
        **kw,
    )


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def person(*credentials: CredentialSnap, modalities=("dry_needling",), **kw) -> PractitionerSnap:
    values = {
        "jurisdiction": "CA-AB",
        "profession": "physiotherapist",
        "registration_number": "A1",
        "name": "Jane Roe",
        "registration_status": "active",
        "status_since": date(2015, 1, 1),
        "registered_since": date(2015, 1, 1),
        "registration_class": "general",
    }
    for name in ("status_since", "registered_since", "practising_since", "registration_expires_on"):
        if isinstance(kw.get(name), str):
            kw[name] = date.fromisoformat(kw[name])
    values.update(kw)
    return PractitionerSnap(modalities=tuple(modalities), credentials=tuple(credentials), **values)


def rule(*requires: dict, id: str = "r1", modalities=("dry_needling", "ims"), **kw) -> RuleSnap:
    values = {
        "jurisdiction": "CA-AB",
        "profession": "physiotherapist",
        "effective_from": date(2000, 1, 1),
        "permitted": True,
        "source": "https://example.org/r",
    }
    for name in ("effective_from", "effective_to"):
        if isinstance(kw.get(name), str):
            kw[name] = date.fromisoformat(kw[name])
    values.update(kw)
    return RuleSnap(
        id=id,
        modalities=tuple(modalities),
        requires=tuple(Requirement.from_dict(r) for r in requires),
        **values,
    )


def book(*rules: RuleSnap) -> RuleBook:
    return RuleBook(list(rules))
