"""The public search's parameters: parsed and checked once for the pages and the API.

Every problem is reported by parameter name, in words; nothing a client sends reaches the
database unchecked (PostgreSQL refuses NUL characters, for one).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Jurisdiction, Profession
from ..rules.model import MODALITY_ORDER

MAX_PAGE = 100_000
_PAGE = re.compile(r"[0-9]{1,9}")


class SearchError(ValueError):
    """Bad search parameters, as {parameter: message}."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def clean_text(value: str | None, limit: int) -> str:
    """Stripped text with single spaces; ValueError when too long or holding control characters
    (PostgreSQL refuses NUL in text, and nobody's name holds a tab)."""
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise ValueError(f"at most {limit} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise ValueError("must not contain control characters")
    return value


@dataclass(frozen=True)
class Search:
    q: str = ""
    jurisdiction: str = ""
    profession: str = ""
    modality: str = ""
    city: str = ""
    page: int = 1

    @property
    def has_criteria(self) -> bool:
        return any((self.q, self.jurisdiction, self.profession, self.modality, self.city))

    def args(self) -> dict[str, str]:
        """The criteria as query-string arguments (for page links), empty ones left out."""
        names = ("q", "jurisdiction", "profession", "modality", "city")
        return {n: getattr(self, n) for n in names if getattr(self, n)}


def parse_page(text: str | None) -> int:
    text = (text or "").strip() or "1"
    if not _PAGE.fullmatch(text) or not 1 <= int(text) <= MAX_PAGE:
        raise ValueError(f"must be a whole number from 1 to {MAX_PAGE}")
    return int(text)


def known_codes(session: Session) -> tuple[frozenset[str], frozenset[str]]:
    """Every jurisdiction and profession code, to check search parameters against."""
    return (
        frozenset(session.scalars(select(Jurisdiction.code))),
        frozenset(session.scalars(select(Profession.code))),
    )


def parse_search(
    args: Mapping[str, str], jurisdictions: Collection[str], professions: Collection[str]
) -> Search:
    """Search parameters from a query string; SearchError names every bad one.

    Codes are case-insensitive; an unknown jurisdiction, profession or modality is an error
    (a known code with nobody registered is simply no results)."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name, limit in (("q", 100), ("city", 100), ("jurisdiction", 50), ("profession", 50)):
        try:
            values[name] = clean_text(args.get(name), limit)
        except ValueError as exc:
            errors[name] = str(exc)
    code = values.get("jurisdiction", "").upper()
    if code and code not in jurisdictions:
        errors["jurisdiction"] = f"unknown jurisdiction '{code}'"
    profession = values.get("profession", "").lower()
    if profession and profession not in professions:
        errors["profession"] = f"unknown profession '{profession}'"
    modality = (args.get("modality") or "").strip().lower()
    if modality and modality not in MODALITY_ORDER:
        errors["modality"] = f"must be one of {', '.join(MODALITY_ORDER)}"
    try:
        page = parse_page(args.get("page"))
    except ValueError as exc:
        errors["page"] = str(exc)
    if errors:
        raise SearchError(errors)
    return Search(values["q"], code, profession, modality, values["city"], page)
