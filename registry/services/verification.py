"""Verification decisions: the dated, append-only history of each credential (CONTRACT §1, §5).

A decision (pending, verified, rejected, revoked) takes effect on a date, which may be earlier
than the day it is recorded but never later. The credential's ``verification_status`` and
``verification_on`` are kept equal to its latest decision (by date, then by when it was
recorded), so lists can filter on today's state; audits of a past day read the history.

Only someone entitled decides: an admin, a regulator of the practitioner's jurisdiction, or
an import run by the registry's operators. A clinic or a practitioner can only submit a
credential, which waits as pending.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..models import Credential, CredentialDecision, Role, User, VerificationStatus
from ..models.base import utcnow
from ..scopes import jurisdiction_allowed
from . import InvalidInput, NotFound, StaleEdit, audit

NOTE_REQUIRED = {VerificationStatus.REJECTED, VerificationStatus.REVOKED}
NOTE_LENGTH = 2000


def decision_problems(
    status: str, effective_on: date | None, issued_on: date, today: date | None = None
) -> dict[str, str]:
    """What is wrong with a decision ``status`` taking effect on ``effective_on`` for a
    credential issued on ``issued_on`` ({field: reason}; empty when it may be recorded).
    Shared by the review form and the import, which word the same rules the same way."""
    today = today or date.today()
    problems = {}
    if status not in VerificationStatus.__members__.values():
        problems["status"] = (
            f"unknown verification '{status}' (one of "
            f"{', '.join(s.value for s in VerificationStatus)})"
        )
    if effective_on is None:
        problems["effective_on"] = "say the date the decision took effect"
    elif effective_on > today:
        problems["effective_on"] = f"{effective_on} is in the future"
    elif effective_on < issued_on:
        problems["effective_on"] = f"{effective_on} is before the issue date {issued_on}"
    return problems


def entitled(user: User | None, credential: Credential) -> bool:
    """May ``user`` decide about ``credential``? None is the command line (the operators)."""
    if user is None or user.role == Role.ADMIN:
        return True
    return user.role == Role.REGULATOR and jurisdiction_allowed(
        user, credential.practitioner.jurisdiction_code
    )


def decide(
    session: Session,
    actor: str,
    credential: Credential,
    status: str,
    effective_on: date | None = None,
    *,
    note: str | None = None,
    decider: User | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> CredentialDecision | None:
    """Record a reviewer's decision (date: today when None). Returns None when the same
    decision (status and date) is already on record: deciding twice changes nothing.

    Raises NotFound when ``decider`` may not decide here, StaleEdit when the credential moved
    on since ``expected_version``, InvalidInput naming each bad field."""
    if not entitled(decider, credential):
        raise NotFound("no such credential among those you may verify")
    if expected_version is not None and credential.version != expected_version:
        raise StaleEdit(
            "this credential was changed by someone else since you loaded it "
            f"(version {credential.version}, you saw {expected_version}); reload and decide again"
        )
    today = today or date.today()
    effective_on = effective_on or today
    note = (note or "").strip() or None
    problems = decision_problems(status, effective_on, credential.issued_on, today)
    if status in NOTE_REQUIRED and note is None:
        problems["note"] = f"say why the credential is {status}"
    if note is not None and len(note) > NOTE_LENGTH:
        problems["note"] = f"at most {NOTE_LENGTH} characters"
    if problems:
        raise InvalidInput(problems)
    return append(
        session,
        actor,
        credential,
        VerificationStatus(status),
        effective_on,
        via="review",
        note=note,
        decided_by_id=decider.id if decider is not None else None,
    )


def append(
    session: Session,
    actor: str,
    credential: Credential,
    status: VerificationStatus,
    effective_on: date,
    *,
    via: str,
    note: str | None = None,
    decided_by_id: int | None = None,
) -> CredentialDecision | None:
    """Append a checked decision, keep the credential's summary in step and bump its
    version, and record the audit event; None (nothing written) when it is already on
    record or, for a pending decision, when the credential is pending that day anyway."""
    if any(d.status == status and d.effective_on == effective_on for d in credential.decisions):
        return None
    if status == VerificationStatus.PENDING and _state_on(credential, effective_on) == status:
        return None
    decision = CredentialDecision(
        credential=credential,
        practitioner_id=credential.practitioner_id,
        status=status,
        effective_on=effective_on,
        decided_by=actor,
        decided_by_id=decided_by_id,
        via=via,
        note=note,
        evidence_ref=credential.evidence_ref,
    )
    session.add(decision)  # joins credential.decisions through the relationship
    credential.decisions.sort(key=lambda d: (d.effective_on, d.id is None, d.id or 0))
    latest = credential.decisions[-1]
    credential.verification_status = latest.status
    credential.verification_on = latest.effective_on
    credential.updated_at = utcnow()  # a decision always moves the credential's version
    session.flush()
    audit.record(
        session,
        actor,
        f"credential.{status.value}",
        "credential",
        credential.id,
        after={
            "verification": status.value,
            "effective_on": effective_on.isoformat(),
            "via": via,
            "note": note,
        },
    )
    return decision


def _state_on(credential: Credential, day: date) -> VerificationStatus:
    found = [d for d in credential.decisions if d.effective_on <= day]
    return found[-1].status if found else VerificationStatus.PENDING
