"""Typed query objects: the parameters several faces take, declared, parsed and checked once.

An audit query (as-of date, expiry window, jurisdiction), a day, and a search query are
pydantic dataclasses: their fields hold the limits, the defaults and the words for each
problem, the CLI, the API, the pages and the forms parse through them, and the API's OpenAPI
document describes its parameters from the same fields. Every problem is reported by
parameter name, in words; nothing a client sends reaches the database unchecked (PostgreSQL
refuses NUL characters, for one).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from datetime import date
from functools import partial
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field, TypeAdapter, ValidationError
from pydantic import ValidationInfo as Info
from pydantic.dataclasses import dataclass
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
NAME_LENGTH, CODE_LENGTH = 100, 50  # search text (names, cities) and codes
# What ``clean_text`` lets through, as a JSON Schema pattern: no C0 or C1 control character.
NO_CONTROL = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
Q = TypeVar("Q")


class QueryError(ValueError):
    """Bad parameters, as {parameter: message}."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


SearchError = QueryError


def parse_query(kind: type[Q], args: Mapping[str, Any], **context: Any) -> Q:
    """A query object of ``kind`` from text parameters (an optional one missing: its
    default), or QueryError naming each bad one in the words of its field's parser. ``context`` is
    handed to the fields that check against the database (known codes)."""
    adapter = _adapter(kind)
    values = {
        name: args.get(name)
        for name, spec in kind.__pydantic_fields__.items()
        if args.get(name) is not None or spec.is_required()  # a missing one: its parser says so
    }
    try:
        return adapter.validate_python(values, context=context or None)
    except ValidationError as exc:
        raise QueryError(_messages(exc)) from None


_ADAPTERS: dict[type, TypeAdapter] = {}


def _adapter(kind: type) -> TypeAdapter:
    if kind not in _ADAPTERS:
        _ADAPTERS[kind] = TypeAdapter(kind)
    return _ADAPTERS[kind]


def _messages(exc: ValidationError) -> dict[str, str]:
    """{parameter: the first problem}, in the parsers' own words (a parser's ValueError)."""
    found: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        cause = (error.get("ctx") or {}).get("error")
        name = str(error["loc"][0]) if error["loc"] else "query"
        found.setdefault(name, str(cause) if cause is not None else error["msg"])
    return found


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


def parse_page(text: str | None) -> int:
    text = (text or "").strip() or "1"
    if not _PAGE.fullmatch(text) or not 1 <= int(text) <= MAX_PAGE:
        raise ValueError(f"must be a whole number from 1 to {MAX_PAGE}")
    return int(text)


def clean_text(value: str | None, limit: int) -> str:
    """Stripped text with single spaces; ValueError when too long or holding control characters
    (PostgreSQL refuses NUL in text, and nobody's name holds a tab)."""
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise ValueError(f"at most {limit} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _typed(parse, kind: type):
    """``parse`` for text; a value already of ``kind`` (from Python, not a client) as is."""

    def check(value):
        return value if isinstance(value, kind) and not isinstance(value, str) else parse(value)

    return check


def cleaned(limit: int) -> Any:
    """Text cleaned by ``clean_text`` (at most ``limit`` characters, no control ones)."""
    return Annotated[
        str,
        Field(max_length=limit, pattern=NO_CONTROL),
        BeforeValidator(partial(clean_text, limit=limit)),
    ]


Day = Annotated[date, BeforeValidator(_typed(parse_day, date))]
# Constraints first: they document (and hold) the value the parser hands on.
Window = Annotated[int, Field(ge=0, le=MAX_WINDOW), BeforeValidator(_typed(parse_window, int))]
Page = Annotated[int, Field(ge=1, le=MAX_PAGE), BeforeValidator(_typed(parse_page, int))]
Code = cleaned(CODE_LENGTH)
Name = cleaned(NAME_LENGTH)
JURISDICTION = "ISO 3166-2 code, e.g. CA-AB."


@dataclass(frozen=True)
class AuditQuery:
    """What an audit is asked: every practitioner in scope (``jurisdiction`` None: all of
    the caller's) as of ``as_of``, with expiries within ``window`` days as warnings."""

    as_of: Day = Field(
        default_factory=date.today,
        description="Audit date, YYYY-MM-DD from 1900 to 2999; default today.",
    )
    window: Window = Field(
        DEFAULT_WINDOW, description="Days ahead that count as expiring soon; default 60."
    )
    jurisdiction: Annotated[Code | None, AfterValidator(lambda c: (c or "").upper() or None)] = (
        Field(None, description="ISO 3166-2 code.")
    )

    @classmethod
    def parse(
        cls, as_of: str | None, window: str | None = None, jurisdiction: str | None = None
    ) -> AuditQuery:
        """From text parameters (any may be empty); QueryError naming each bad one."""
        args = {"as_of": as_of, "window": window, "jurisdiction": jurisdiction}
        return parse_query(cls, args)


@dataclass(frozen=True)
class DayQuery:
    """One day asked about (an evidence bundle's)."""

    as_of: Day = Field(
        default_factory=date.today,
        description="The day, YYYY-MM-DD from 1900 to 2999; default today.",
    )


def parse_as_of(text: str | None) -> date:
    """An ``as_of`` parameter alone (default today); QueryError ('as_of: ...') otherwise."""
    return parse_query(DayQuery, {"as_of": text}).as_of


def _known(kind: str, case, noun: str):
    """A code in ``case``, checked against the codes in the parse's context (when given):
    an unknown one is an error, a known one with nobody registered simply finds nobody."""

    def check(code: str, info: Info) -> str:
        code = case(code)
        known = (info.context or {}).get(kind)
        if code and known is not None and code not in known:
            raise ValueError(f"unknown {noun} '{code}'")
        return code

    return AfterValidator(check)


def _modality(value: str) -> str:
    value = (value or "").strip().lower()
    if value and value not in MODALITY_ORDER:
        raise ValueError(f"must be one of {', '.join(MODALITY_ORDER)}")
    return value


@dataclass(frozen=True)
class SearchQuery:
    """A public search. Codes are case-insensitive; an unknown jurisdiction, profession or
    modality is an error (a known code with nobody registered is simply no results)."""

    q: Name = Field(
        "",
        description="Family or given name prefix, 'given family' prefixes, or the first "
        "characters of a registration number; accents and case ignored; exact matches first.",
    )
    jurisdiction: Annotated[Code, _known("jurisdictions", str.upper, "jurisdiction")] = Field(
        "", description=JURISDICTION
    )
    profession: Annotated[Code, _known("professions", str.lower, "profession")] = Field(
        "", description="Profession code."
    )
    modality: Annotated[
        str,
        BeforeValidator(_modality),
        Field(json_schema_extra={"enum": list(MODALITY_ORDER)}),
    ] = Field("", description="Only practitioners who perform it and are authorized for it today.")
    city: Name = Field("", description="City, case-insensitive exact match.")
    page: Page = Field(1, description="From 1.")

    @property
    def has_criteria(self) -> bool:
        return any((self.q, self.jurisdiction, self.profession, self.modality, self.city))

    def args(self) -> dict[str, str]:
        """The criteria as query-string arguments (for page links), empty ones left out."""
        names = ("q", "jurisdiction", "profession", "modality", "city")
        return {n: getattr(self, n) for n in names if getattr(self, n)}


def known_codes(session: Session) -> tuple[frozenset[str], frozenset[str]]:
    """Every jurisdiction and profession code, to check search parameters against."""
    return (
        frozenset(session.scalars(select(Jurisdiction.code))),
        frozenset(session.scalars(select(Profession.code))),
    )


def parse_search(
    args: Mapping[str, str], jurisdictions: Collection[str], professions: Collection[str]
) -> SearchQuery:
    """Search parameters from a query string; SearchError names every bad one."""
    return parse_query(SearchQuery, args, jurisdictions=jurisdictions, professions=professions)
