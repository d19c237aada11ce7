"""One vocabulary for a credential's state, on every page and in every answer.

Two things are said of a credential on a day: its **currency** (current, expiring within the
window, expired) and its **verification** (Pending verification, Verified, Rejected, Revoked:
the decision in force that day). A rejected or revoked credential is never shown as current:
its currency is replaced by the withdrawal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Credential
from ..rules import CredentialSnap, PractitionerSnap
from ..rules.engine import label
from ..rules.explain import STATE_LABELS, sentence
from ..rules.model import PENDING, VERIFIED, WITHDRAWN

CURRENCY_WINDOW = 60  # days ahead that read "expires ..." rather than "current to ..."


def currency(
    expires_on: date | None, today: date | None = None, window: int = CURRENCY_WINDOW
) -> tuple[str, str]:
    """(css class, words) for a credential's currency: current, expiring or expired."""
    today = today or date.today()
    if expires_on is None:
        return "current", "Current (no expiry)"
    if expires_on < today:
        return "expired", f"Expired {expires_on}"
    if expires_on <= today + timedelta(days=window):
        return "expiring", f"Expires {expires_on}"
    return "current", f"Current to {expires_on}"


@dataclass(frozen=True)
class CredentialState:
    """How one credential stands on ``on``: ``status`` is its currency class, or
    'rejected'/'revoked' when withdrawn; ``verification`` the decision in force."""

    status: str
    status_words: str
    verification: str  # pending | verified | rejected | revoked
    decided_on: date | None  # when the decision in force took effect; None while pending

    @property
    def verification_label(self) -> str:
        return STATE_LABELS[self.verification]

    @property
    def verification_words(self) -> str:
        """'Verified 2026-11-02', 'Rejected 2026-11-03', 'Pending verification'."""
        if self.decided_on is None or self.verification == PENDING:
            return self.verification_label
        return f"{self.verification_label} {self.decided_on}"

    @property
    def counts(self) -> bool:
        """False once rejected or revoked: it counts for nothing (CONTRACT §5)."""
        return self.verification not in WITHDRAWN

    @property
    def verified(self) -> bool:
        return self.verification == VERIFIED


def state_of(c: CredentialSnap, on: date) -> CredentialState:
    decision = c.decision_on(on)
    verification = decision.status if decision is not None else PENDING
    if verification in WITHDRAWN:
        words = f"{STATE_LABELS[verification]} {decision.on}: does not count"
        return CredentialState(verification, words, verification, decision.on)
    status, words = currency(c.expires_on, on)
    return CredentialState(
        status, words, verification, decision.on if decision is not None else None
    )


def credentials_of(session: Session, practitioner_id: int) -> list[Credential]:
    """A practitioner's credentials with their decisions (two queries), by type then newest."""
    return list(
        session.scalars(
            select(Credential)
            .where(Credential.practitioner_id == practitioner_id)
            .options(selectinload(Credential.decisions))
            .order_by(Credential.credential_type_code, Credential.issued_on.desc())
        )
    )


@dataclass(frozen=True)
class Expiry:
    on: date
    what: str


def credential_name(c: Credential) -> str:
    """A credential as the history names it: its type, and its issuer when known."""
    words = sentence(label(c.credential_type_code))
    return words + (f", {c.issuer}" if c.issuer else "")


def upcoming_expiries(snap: PractitionerSnap, today: date, days: int = 90) -> list[Expiry]:
    """The registration and the credentials that count which expire within ``days`` (or
    already have) and are not replaced by a later one of the same type: what to renew."""
    horizon = today + timedelta(days=days)
    out = []
    if snap.registration_expires_on and snap.registration_expires_on <= horizon:
        out.append(Expiry(snap.registration_expires_on, "Registration"))
    live = [c for c in snap.credentials if state_of(c, today).counts and c.expires_on]
    for c in live:
        replaced = any(
            o is not c
            and o.credential_type == c.credential_type
            and (o.expires_on is None or o.expires_on > c.expires_on)
            for o in snap.credentials
            if state_of(o, today).counts
        )
        if c.expires_on <= horizon and not replaced:
            issuer = f" ({c.issuer})" if c.issuer else ""
            words = label(c.credential_type)
            out.append(Expiry(c.expires_on, words[:1].upper() + words[1:] + issuer))
    return sorted(out, key=lambda e: e.on)
