"""``GET /api/v1/me`` (CONTRACT §6, v2): a practitioner's own record, or anyone else's scope."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, RootModel

from ..rules.model import Gap
from .base import Shape
from .public import Practitioner


class ClinicLink(Shape):
    """One clinic's link with the practitioner: waiting for their answer, or accepted."""

    name: str
    status: Literal["pending", "accepted"]


class OwnRecord(Practitioner):
    """The practitioner's public record, plus what only they see: their private email and
    phone, their gaps today (warnings included, window 60 days) and every clinic with a
    waiting or accepted link (the public record's ``clinics`` lists accepted ones only)."""

    role: Literal["practitioner"]
    email: str | None
    phone: str | None
    gaps: list[Gap]
    clinics: list[str] = Field(description="Clinics with a waiting or accepted link.")
    clinic_links: list[ClinicLink]


class Account(Shape):
    """Anyone else signed in: who they are and what they may see."""

    email: str
    role: Literal["admin", "regulator", "clinic_manager"]
    jurisdictions: list[str]
    clinics: list[str]


class Me(RootModel[OwnRecord | Account]):
    """The signed-in user: a practitioner's own record, or anyone else's account."""
