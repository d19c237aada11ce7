"""The public answers: search results and a practitioner's record (CONTRACT §6, §7)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from ..rules.model import MODALITY_ORDER
from .base import (
    Count,
    Modality,
    RegistrationStatusCode,
    Shape,
    Verdict,
    VerdictLabel,
    Verification,
    VerificationLabel,
)

RECORD_PATH = "Path of the practitioner's public record."


class SearchResult(Shape):
    """One practitioner found: public columns only."""

    jurisdiction: str
    profession: str
    registration_number: str
    name: str
    status: RegistrationStatusCode
    class_: str | None = Field(alias="class")
    city: str | None
    url: str = Field(description=RECORD_PATH)


class SearchPage(Shape):
    """One page of a public search; a page past the end has no results and the true total."""

    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    total: Count
    results: list[SearchResult]


class Decision(Shape):
    """A verification decision, without its note (notes stay private)."""

    status: Verification
    effective_on: date = Field(description="The day the decision took effect.")


class Credential(Shape):
    """A credential as it stands on the record's day."""

    type: str
    issuer: str = Field(description="'' when unknown.")
    number: str = Field(description="'' when unknown.")
    issued_on: date
    expires_on: date | None
    status: Literal["current", "expiring", "expired", "rejected", "revoked"] = Field(
        description="Its currency on as_of; rejected or revoked once withdrawn "
        "(then it counts for nothing)."
    )
    verification_status: Verification
    verification: Verification = Field(description="The same as verification_status.")
    verification_label: VerificationLabel
    verified: bool = Field(description="Verified on as_of.")
    verified_on: date | None
    decided_on: date | None = Field(
        description="When the decision in force took effect; null before any."
    )
    verification_history: list[Decision]


class BasisCredential(Shape):
    """A credential an authorization rests on."""

    type: str
    issuer: str
    issued_on: date
    expires_on: date | None
    verification_status: Verification


class ModalityStatus(Shape):
    """CONTRACT §5's verdict for one modality today, in words too, and what it rests on."""

    modality: Modality
    declared: bool = Field(description="The practitioner performs it.")
    verdict: Verdict
    verdict_label: VerdictLabel
    authorized: bool = Field(
        description="True for the verdict 'authorized' only (never for no_rule)."
    )
    explanation: str = Field(description="The credentials it rests on, or why not.")
    basis: str = Field(description="The same as explanation (version 1's name).")
    rule_id: str | None
    source: str | None
    no_rule_note: str | None = Field(
        description="With no_rule: what was searched for this case, when known."
    )
    credentials: list[BasisCredential] = Field(
        description="When authorized: the verified credentials that satisfy the rule."
    )
    claimed_credentials: list[BasisCredential] = Field(
        description="When authorized: credentials that also count toward it though "
        "nobody has verified them (the rule does not require it)."
    )


class Practitioner(Shape):
    """CONTRACT §6's public record as of today; never a private field."""

    jurisdiction: str
    profession: str
    registration_number: str
    name: str
    status: RegistrationStatusCode
    class_: str | None = Field(alias="class")
    registered_since: date
    registration_expires_on: date | None
    city: str | None
    clinics: list[str]
    as_of: date
    credentials: list[Credential]
    modalities: list[ModalityStatus] = Field(
        min_length=len(MODALITY_ORDER), max_length=len(MODALITY_ORDER)
    )
