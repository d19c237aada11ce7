"""What every shape shares: a closed model, and the value types the contract names."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from ..models import RegistrationStatus
from ..rules.explain import STATE_LABELS, VERDICT_LABELS
from ..rules.model import MODALITY_ORDER, VERDICTS, VERIFICATION_STATES


class Shape(BaseModel):
    """A JSON object of the API: every field required (null where the type says so), no
    other key allowed, keys as the contract spells them (``class`` for ``class_``)."""

    model_config = ConfigDict(
        extra="forbid", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values (dates as YYYY-MM-DD text), ready for ``json.dumps``."""
        return self.model_dump(mode="json")


# Literal[...] over the engine's own tuples: the enums are declared where the codes are.
Verdict = Annotated[
    Literal[VERDICTS],
    Field(description="CONTRACT §5: only 'authorized' is an authorization; 'no_rule' is unknown."),
]
VerdictLabel = Literal[tuple(VERDICT_LABELS.values())]
Verification = Literal[VERIFICATION_STATES]
VerificationLabel = Literal[tuple(STATE_LABELS.values())]
Modality = Literal[MODALITY_ORDER]
RegistrationStatusCode = Literal[tuple(s.value for s in RegistrationStatus)]
Count = Annotated[int, Field(ge=0)]
# Moments are written as text by the code that reads them (UTC, "Z" or "+00:00"); the type
# says so without re-parsing them.
Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class Error(Shape):
    """Every 4xx answer of the API."""

    error: str = Field(description="What was wrong, in words.")
