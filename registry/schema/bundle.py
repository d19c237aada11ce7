"""The evidence bundle: one practitioner on one day, for an inspector or an insurer.

``bundle`` holds everything that depends only on the records and the day; ``digest`` is the
SHA-256 of its canonical JSON, printed on the HTML version so a paper copy can be checked.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, Required

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from ..rules.model import Gap
from .base import (
    Count,
    Modality,
    RegistrationStatusCode,
    Shape,
    Timestamp,
    Verdict,
    VerdictLabel,
    Verification,
)


class BundlePractitioner(Shape):
    """The practitioner's public record, and the modalities they perform."""

    jurisdiction: str
    profession: str
    registration_number: str
    given_name: str
    family_name: str
    name: str
    status: RegistrationStatusCode
    status_since: date
    class_: str | None = Field(alias="class")
    registered_since: date
    registration_expires_on: date | None
    city: str | None
    clinics: list[str]
    modalities: list[str]


class BundleRuleSet(Shape):
    """The rule-set version whose rules were applied."""

    version: Count
    checksum: str
    loaded_at: Timestamp
    loaded_by: str
    filename: str


class BundleRegistration(Shape):
    """The registration check (CONTRACT §5.1)."""

    in_good_standing: bool
    result: str
    gaps: list[Gap]


@with_config(ConfigDict(extra="forbid"))
class RequirementItem(TypedDict, total=False):
    """One item of a rule's ``requires`` as written in the rules file (docs/RULES.md): only
    the keys that say something."""

    credential: Required[str | list[str]]
    min_hours: int | float
    min_in_person_hours: int | float
    min_sessions: int
    within_months: int
    issuers: list[str]
    verified: bool


class BundleRule(Shape):
    """The rule applied to one modality."""

    rule_id: str
    jurisdiction: str
    profession: str
    modalities: list[str]
    effective_from: date
    effective_to: date | None
    permitted: bool
    requirements: str = Field(description="The requirements, in words.")
    requires: list[RequirementItem] = Field(
        description="The requirements as written in the rules file."
    )
    source: str
    notes: str | None


class BundleBasis(Shape):
    """The credentials that satisfied one requirement."""

    requirement: str
    credential_ids: list[Count]
    credentials: list[str]


class BundleModality(Shape):
    """The verdict for one modality the practitioner performs, its rule, basis and gaps."""

    modality: Modality
    verdict: Verdict
    verdict_label: VerdictLabel
    authorized: bool
    rule: BundleRule | None
    basis: list[BundleBasis]
    explanation: str
    gaps: list[Gap]


class BundleDecision(Shape):
    """One verification decision, with who made it and the note."""

    status: Verification
    effective_on: date
    recorded_at: Timestamp
    decided_by: str
    via: Literal["review", "import"]
    note: str | None
    evidence_on_file: bool


class BundleCredential(Shape):
    """A credential, how it stood on the day, and its whole verification record."""

    id: Count
    type: str
    issuer: str
    number: str
    issued_on: date
    expires_on: date | None
    hours: float | None
    in_person_hours: float | None
    sessions: int | None
    description: str
    state_on_as_of: Literal[
        "current", "expiring", "expired", "not yet issued", "rejected", "revoked"
    ]
    verification_on_as_of: Verification
    verification_today: Verification
    entered_by: str | None
    entered_on: Timestamp
    decisions: list[BundleDecision]
    evidence_on_file: bool
    counted: bool = Field(description="It satisfied a requirement on as_of.")
    counted_for: list[str]


class Bundle(Shape):
    """What the bundle attests: the records and the rules applied on ``as_of``."""

    as_of: date
    window_days: Count
    practitioner: BundlePractitioner
    rule_set: BundleRuleSet | None
    registration: BundleRegistration
    modalities: list[BundleModality]
    credentials: list[BundleCredential]


class Digest(Shape):
    """How to check a printed bundle against this one."""

    algorithm: Literal["sha256"]
    of: str
    value: str = Field(pattern="^[0-9a-f]{64}$")


class EvidenceBundle(Shape):
    """The evidence bundle document: who made it and when, the digest, and the bundle."""

    generated_at: Timestamp
    generated_by: str
    as_of: date
    digest: Digest
    bundle: Bundle
