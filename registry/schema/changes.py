"""The change feed: practitioners changed since a moment, from the audit log."""

from __future__ import annotations

from pydantic import Field

from .base import Shape, Timestamp
from .public import RECORD_PATH


class Change(Shape):
    """One practitioner changed since ``since`` (a change to a credential counts)."""

    jurisdiction: str
    profession: str
    registration_number: str
    name: str
    changed_at: Timestamp = Field(description="The latest change, UTC.")
    actions: list[str] = Field(description="Audit actions since `since`, e.g. credential.add.")
    url: str = Field(description=RECORD_PATH)


class RuleSetLoad(Shape):
    """A rule set loaded since ``since``: any verdict may have changed."""

    version: int = Field(ge=1)
    loaded_at: Timestamp
    filename: str


class Changes(Shape):
    """One page of the change feed."""

    since: Timestamp
    until: Timestamp = Field(description="When this answer was read: pass it as the next `since`.")
    changes: list[Change]
    next: str | None = Field(description="Path of the next page; null on the last one.")
    rule_sets_loaded: list[RuleSetLoad] = Field(
        description="Rule sets loaded since `since`: any verdict may have changed."
    )
