"""The audit document of CONTRACT §5.

Its gaps are the engine's own ``rules.model.Gap`` (their JSON is ``Gap.to_dict``): an audit
holds a gap per problem of every practitioner in scope, so they are documented by that type
and never validated one by one.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from ..read.params import MAX_WINDOW
from ..rules.model import Gap
from .base import Count, Shape


class Audit(Shape):
    """Every gap between practitioners and the rules on a day (CONTRACT §5)."""

    as_of: date
    window_days: int = Field(ge=0, le=MAX_WINDOW)
    jurisdiction: str | None
    practitioners_checked: Count
    gaps: list[Gap]
