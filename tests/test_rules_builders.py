"""The cheap constructors of the engine's frozen snapshots make the very objects the
dataclasses would: equal, hashed alike, and just as frozen."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from registry.rules.model import (
    CredentialSnap,
    Decision,
    Gap,
    PractitionerSnap,
    builder,
    make_credential,
    make_decision,
    make_gap,
    make_practitioner,
)

DAY = date(2026, 11, 21)
DECISION = Decision("verified", DAY)
CREDENTIAL = CredentialSnap(
    "cpr_certification", DAY, "Red Cross", None, 2.5, None, 3, "N-1", 7, (DECISION,), DAY, "Bow"
)
PRACTITIONER = PractitionerSnap(
    "CA-AB", "physiotherapist", "12345", "Jane Doe", "active", DAY, DAY, "general", None,
    ("dry_needling",), (CREDENTIAL,), 3, None,
)  # fmt: skip
GAP = Gap("CA-AB", "physiotherapist", "12345", "Jane Doe", None, "no_rule", "warning",
          None, None, None, "detail")  # fmt: skip


@pytest.mark.parametrize(
    "make, made",
    [
        (make_decision, DECISION),
        (make_credential, CREDENTIAL),
        (make_practitioner, PRACTITIONER),
        (make_gap, GAP),
    ],
)
def test_a_builder_makes_the_same_frozen_object(make, made):
    values = [getattr(made, f.name) for f in dataclasses.fields(made)]
    built = make(*values)
    assert type(built) is type(made)
    assert built == made and hash(built) == hash(made) and repr(built) == repr(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.__setattr__(dataclasses.fields(made)[0].name, None)


def test_a_builder_needs_a_slotted_dataclass():
    @dataclasses.dataclass(frozen=True)
    class Plain:
        value: int

    with pytest.raises(TypeError):
        builder(Plain)
