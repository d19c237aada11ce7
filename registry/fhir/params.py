"""The Practitioner search's parameters (FHIR search: a comma is OR, a repeated parameter AND).

Problems are ValueError with a reason naming the parameter; the view answers 400. Parameters
we do not know are ignored, as FHIR lets servers do, but a modifier on one we know
(``name:exact``) is refused rather than silently widened to the plain search.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from ..read.params import clean_text

DEFAULT_COUNT, MAX_COUNT = 20, 100
SEARCH_PARAMS = ("name", "identifier")
_DIGITS = re.compile(r"[0-9]+")
_OFFSET = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class PractitionerSearch:
    """Each of ``names`` / ``identifiers`` is one parameter occurrence: comma-separated
    alternatives, cleaned. ``count`` is already clamped to ``MAX_COUNT``."""

    names: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    count: int = DEFAULT_COUNT
    offset: int = 0

    def query_string(self, offset: int | None = None) -> str:
        """This search as a query string (for links), at ``offset`` (default its own)."""
        pairs = [("name", v) for v in self.names] + [("identifier", v) for v in self.identifiers]
        offset = self.offset if offset is None else offset
        pairs += [("_count", str(self.count)), ("_offset", str(offset))]
        return urlencode(pairs)


def alternatives(value: str) -> list[str]:
    """'a, b,' -> ['a', 'b']."""
    return [v.strip() for v in value.split(",") if v.strip()]


def _values(args: MultiDict, name: str) -> tuple[str, ...]:
    found = []
    for raw in args.getlist(name):
        try:
            value = ",".join(alternatives(clean_text(raw, 200)))
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        if value:  # an empty parameter is ignored
            found.append(value)
    return tuple(found)


def parse_count(text: str | None) -> int:
    text = (text or "").strip()
    if not text:
        return DEFAULT_COUNT
    if not _DIGITS.fullmatch(text):
        raise ValueError(f"_count: must be a whole number (0: the total only; at most {MAX_COUNT})")
    return MAX_COUNT if len(text) > 3 else min(int(text), MAX_COUNT)


def parse_offset(text: str | None) -> int:
    text = (text or "").strip()
    if not text:
        return 0
    if not _OFFSET.fullmatch(text):
        raise ValueError("_offset: must be a whole number from 0 to 999999999")
    return int(text)


def parse_search(args: Mapping[str, str]) -> PractitionerSearch:
    """The search a query string asks for; ValueError when a parameter is bad."""
    args = args if isinstance(args, MultiDict) else MultiDict(args)
    for key in args:
        name, _, modifier = key.partition(":")
        if modifier and name in SEARCH_PARAMS:
            raise ValueError(f"{key}: the modifier '{modifier}' is not supported")
    return PractitionerSearch(
        names=_values(args, "name"),
        identifiers=_values(args, "identifier"),
        count=parse_count(args.get("_count")),
        offset=parse_offset(args.get("_offset")),
    )
