"""Typed query objects: the parameters several faces take, parsed and checked once.

An audit query (as-of date, expiry window, jurisdiction) and a search query, with their
limits and defaults here only; the CLI, the API, the pages and the forms all parse through
them. Every problem is reported by parameter name, in words; nothing a client sends reaches
the database unchecked (PostgreSQL refuses NUL characters, for one).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Jurisdiction, Profession
from ..rules.model import MODALITY_ORDER
from ..services.fields import parse_date

MAX_PAGE = 100_000
_PAGE = re.compile(r"[0-9]{1,9}")
# Every as-of date anyone may ask about, and the expiry window (days ahead) of an audit.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
DEFAULT_WINDOW, MAX_WINDOW = 60, 3650
_WINDOW = re.compile(r"[0-9]{1,4}")


class QueryError(ValueError):
    """Bad parameters, as {parameter: message}."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


SearchError = QueryError


def parse_day(text: str | None, default: date | None = None) -> date:
    """YYYY-MM-DD from EARLIEST to LATEST; empty is ``default`` (today when None).
    ValueError in words otherwise."""
    if not (text or "").strip():
        return default or date.today()
    day = parse_date(text)
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"must be between {EARLIEST} and {LATEST}")
    return day


def check_day(day: date) -> date:
    """``day`` when it is within the dates anyone may ask about; ValueError otherwise."""
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"must be between {EARLIEST} and {LATEST}")
    return day


def parse_window(text: str | None) -> int:
    """Whole days from 0 to MAX_WINDOW (default DEFAULT_WINDOW); ValueError otherwise."""
    text = (text or "").strip() or str(DEFAULT_WINDOW)
    if not _WINDOW.fullmatch(text) or int(text) > MAX_WINDOW:
        raise ValueError(f"must be a whole number of days from 0 to {MAX_WINDOW}")
    return int(text)


def parse_as_of(text: str | None) -> date:
    """An ``as_of`` parameter alone (default today); QueryError ('as_of: ...') otherwise."""
    return AuditQuery.parse(text).as_of


@dataclass(frozen=True)
class AuditQuery:
    """What an audit is asked: every practitioner in scope (``jurisdiction`` None: all of
    the caller's) as of ``as_of``, with expiries within ``window`` days as warnings."""

    as_of: date
    window: int = DEFAULT_WINDOW
    jurisdiction: str | None = None

    @classmethod
    def parse(
        cls, as_of: str | None, window: str | None = None, jurisdiction: str | None = None
    ) -> AuditQuery:
        """From text parameters (any may be empty); QueryError naming each bad one."""
        errors: dict[str, str] = {}
        values: dict = {}
        for name, parse, raw in (
            ("as_of", parse_day, as_of),
            ("window", parse_window, window),
            ("jurisdiction", lambda t: clean_text(t, 50).upper() or None, jurisdiction),
        ):
            try:
                values[name] = parse(raw)
            except ValueError as exc:
                errors[name] = str(exc)
        if errors:
            raise QueryError(errors)
        return cls(**values)


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
class SearchQuery:
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
) -> SearchQuery:
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
    return SearchQuery(values["q"], code, profession, modality, values["city"], page)
