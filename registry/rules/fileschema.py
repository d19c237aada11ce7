"""The shape of a rules file (CONTRACT §2, docs/RULES.md), declared as pydantic models.

Strict types (``yes please`` is not ``true``, ``1`` is not ``"1"``), closed mappings, the
codes known here (handed to the validation as its context), and with each field the words for
its problems (``Says``), so that every pydantic error becomes the located message a regulator
reads (``rules[3] bc-physio-dn: effective_from: impossible or badly written date ...``).
Every text refuses control characters (NUL and the like: PostgreSQL refuses NUL, and none
belongs in a rule; notes may hold tabs and line breaks), and a source is a web address.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

DECLARED = ("jurisdictions", "professions", "credential_types")
CODE_LENGTH = {"jurisdictions": 10, "professions": 50, "credential_types": 50}
NAME_LENGTH, ID_LENGTH, SOURCE_LENGTH = 100, 100, 500
CONTROL = "must not contain control characters"
WEB = "must be a web address (http:// or https://)"
BAD_DATE = "impossible or badly written date {value!r} (expected YYYY-MM-DD)"
NOT_NEGATIVE, WHOLE = "must be a non-negative number", "must be a non-negative whole number"
OURS = {"control": CONTROL, "web": WEB}  # errors whose words are the same for every field


@dataclass
class KnownCodes:
    jurisdictions: set[str]
    professions: set[str]
    modalities: set[str]
    credential_types: set[str]


class Says:
    """A field's words for its problems: ``default``; ``item`` for a problem of one item of
    its list; or words per error type. ``{value}`` is what the file says there."""

    def __init__(self, default: str, item: str | None = None, **by_type: str) -> None:
        self.default, self.item, self.by_type = default, item, by_type

    def words(self, error: dict, in_item: bool) -> str:
        template = self.by_type.get(error["type"]) or OURS.get(error["type"])
        if template is None:
            template = self.item if in_item and self.item else self.default
        return printable(template.format(value=error.get("input")))


def printable(value: Any) -> str:
    """``value`` as text, its control characters escaped (``\\x00``), fit for a message."""
    return "".join(
        ch.encode("unicode_escape").decode() if unicodedata.category(ch) in ("Cc", "Cs") else ch
        for ch in str(value)
    )


# ---------------------------------------------------------------- value types


def _plain(allowed: str = ""):
    def check(text: str | None) -> str | None:
        if text is not None and any(
            unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in text
        ):
            raise PydanticCustomError("control", CONTROL)
        return text

    return AfterValidator(check)


def _known(kind: str):
    """One of the codes of ``kind`` known here (the validation's context)."""

    def check(code: str, info: ValidationInfo) -> str:
        if info.context is not None and code not in getattr(info.context, kind):
            raise PydanticCustomError("unknown", "unknown code")
        return code

    return AfterValidator(check)


def parse_day(value: Any) -> date | None:
    """YYYY-MM-DD as text (the loader reads no YAML timestamps), or None."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _day(value: Any) -> date:
    day = parse_day(value)
    if day is None:
        raise PydanticCustomError("date", "bad date")
    return day


def is_web_address(text: Any) -> bool:
    """An http:// or https:// address of a site: what a rule's source may be, and what the
    pages link to (anything else, ``javascript:`` included, is shown as text)."""
    if not isinstance(text, str):
        return False
    parts = urlsplit(text.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _web(source: str) -> str:
    if not is_web_address(source):
        raise PydanticCustomError("web", WEB)
    return source


def _not_negative(number: float) -> float:
    if number < 0:  # (NaN passes, as it always has)
        raise PydanticCustomError("negative", "negative")
    return number


def _one(version: Any) -> Any:
    if version != 1:
        raise PydanticCustomError("version", "not 1")
    return version


def _text_of(value: Any) -> str | None:
    return None if value is None else str(value)


def text(max_length: int | None = None) -> Any:
    """Text that says something (not only spaces), at most ``max_length`` characters."""
    return Annotated[str, Field(pattern=r"\S", max_length=max_length), _plain()]


Text = text()
Code = Annotated[str, _plain()]
Day = Annotated[date, BeforeValidator(_day)]
Whole = Annotated[int, Field(ge=0)]
Number = Annotated[int | float, Field(union_mode="left_to_right"), AfterValidator(_not_negative)]
Notes = Annotated[Any, AfterValidator(_text_of), _plain("\t\n\r")]


def _or_empty(value: Any) -> Any:
    return value or []


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Entry(Strict):
    """A code the file declares, with its name."""

    code: text(CODE_LENGTH["professions"])
    name: text(NAME_LENGTH)


class JurisdictionEntry(Entry):
    code: text(CODE_LENGTH["jurisdictions"])


ENTRIES = Says("must be a list of {{code, name}}")


class Header(Strict):
    """The top level: the format's version, the codes the file declares, and its rules."""

    version: Annotated[Any, AfterValidator(_one), Says("must be 1, not {value!r}")] = Field(
        None, validate_default=True
    )
    jurisdictions: Annotated[list[JurisdictionEntry], BeforeValidator(_or_empty), ENTRIES] = []
    professions: Annotated[list[Entry], BeforeValidator(_or_empty), ENTRIES] = []
    credential_types: Annotated[list[Entry], BeforeValidator(_or_empty), ENTRIES] = []
    rules: Annotated[list[Any], Says("must be a list")] = Field(None, validate_default=True)


class RequirementEntry(Strict):
    """One item of a rule's ``requires``."""

    credentials: Annotated[
        list[Annotated[Code, _known("credential_types")]],
        Field(min_length=1, alias="credential"),
        BeforeValidator(lambda v: [v] if isinstance(v, str) else v),
        Says(
            "must be a credential type or a list of them",
            unknown="unknown credential type '{value}'",
        ),
    ]
    min_hours: Annotated[Number | None, Says(NOT_NEGATIVE)] = None
    min_in_person_hours: Annotated[Number | None, Says(NOT_NEGATIVE)] = None
    min_sessions: Annotated[Whole | None, Says(WHOLE)] = None
    within_months: Annotated[
        Annotated[int, Field(ge=1)] | None, Says("must be a positive whole number")
    ] = None
    issuers: Annotated[
        list[Text] | None, Field(min_length=1), Says("must be a non-empty list of names")
    ] = None
    verified: Annotated[bool, Says("must be true or false")] = False


class RuleEntry(Strict):
    """One rule (CONTRACT §2); fields in the order their problems are listed."""

    id: Annotated[
        text(ID_LENGTH),
        Says("must be text", string_too_long=f"at most {ID_LENGTH} characters"),
    ]
    jurisdiction: Annotated[Code, _known("jurisdictions"), Says("unknown code '{value}'")]
    profession: Annotated[Code, _known("professions"), Says("unknown code '{value}'")]
    modalities: Annotated[
        list[Annotated[Code, _known("modalities")]],
        Field(min_length=1),
        Says("must be a non-empty list", item="unknown modality '{value}'"),
    ]
    effective_from: Annotated[Day, Says(BAD_DATE)]
    # empty (null, "", 0...) is open-ended
    effective_to: Annotated[Day | None, BeforeValidator(lambda v: v or None), Says(BAD_DATE)] = None
    permitted: Annotated[bool, Says("must be true or false")]
    registration_classes: Annotated[
        list[Annotated[Text, AfterValidator(str.lower)]] | None,
        Field(min_length=1),
        Says("must be a non-empty list of class names"),
    ] = None
    min_years_registered: Annotated[Whole | None, Says(WHOLE)] = None
    min_years_practising: Annotated[Whole | None, Says(WHOLE)] = None
    requires: Annotated[list[RequirementEntry] | None, Says("must be a list")] = None
    source: Annotated[
        text(SOURCE_LENGTH),
        AfterValidator(_web),
        Says(
            "must say where the rule comes from",
            string_too_long=f"at most {SOURCE_LENGTH} characters",
        ),
    ]
    notes: Annotated[Notes, Says("must be text")] = None


# ---------------------------------------------------------------- errors in words
# A problem is (place, words); the place sorts problems the way a reader expects them:
# missing keys, unknown keys, then each field in its model's order (a list's items in
# order, and what a field says together with others after its own problems).

MISSING, UNKNOWN, FIELD, AFTER = 0, 1, 2, 9
LATER = (AFTER, 0, "")  # after the field's own problems
KEYS = ("extra_forbidden", "invalid_key")  # a key not in the model, text or not


def keys(model: type[BaseModel]) -> dict[str, str]:
    """{key as the file writes it: field name}, in the model's order."""
    return {info.alias or name: name for name, info in model.model_fields.items()}


def at(model: type[BaseModel], key: str, *items: int) -> tuple:
    """The place of ``key`` of ``model`` (and of items of it)."""
    return ((FIELD, list(keys(model)).index(key), ""), *((FIELD, i, "") for i in items))


def problems(model: type[BaseModel], exc: ValidationError) -> list[tuple[tuple, str]]:
    """Each error of validating ``model`` (``Header`` or ``RuleEntry``), in words, with its
    place: one problem per declared code (its first kind), and a requirement that is not a
    mapping with a credential, or whose credential is none, says only that (and its unknown
    keys), as a regulator would fix them."""
    where = _header if model is Header else partial(_in, RuleEntry)
    found = list(dict.fromkeys(where(tuple(e["loc"]), e) for e in exc.errors(include_url=False)))
    first: dict[tuple, tuple] = {}
    for place, words in found:
        if _stops(model, place, words):
            first[place[:2]] = min(first.get(place[:2], place), place)
    return [
        (place, words)
        for place, words in found
        if place[:2] not in first
        or place == first[place[:2]]
        or _still_said(first[place[:2]], place)
    ]


def _still_said(stop: tuple, place: tuple) -> bool:
    """An unknown key of a requirement whose credential is not one is still listed (not
    once it is no mapping with a credential at all)."""
    return len(place) > 2 and place[2][0] == UNKNOWN and stop[2] != (MISSING, -1, "")


def _in(model: type[BaseModel], loc: tuple, error: dict) -> tuple[tuple, str]:
    """(place, words) of an error at ``loc`` inside a rule or a requirement."""
    missing = error["type"] == "missing"
    if not loc or (model is RequirementEntry and missing and loc == ("credential",)):
        if model is RuleEntry:
            return ((MISSING, -1, ""),), "must be a mapping"
        return ((MISSING, -1, ""),), "must be a mapping with a 'credential'"
    name, rest = loc[0], loc[1:]
    if error["type"] in KEYS and not rest:
        return ((UNKNOWN, 0, str(name)),), f"unknown key '{printable(name)}'"
    if missing and not rest:
        return ((MISSING, 0, name),), f"missing '{name}'"
    place = at(model, name)
    if model is RuleEntry and name == "requires" and rest and isinstance(rest[0], int):
        inner, words = _in(RequirementEntry, rest[1:], error)
        return (*place, (FIELD, rest[0], ""), *inner), f"requires[{rest[0]}]: {words}"
    items = tuple((FIELD, part, "") for part in rest if isinstance(part, int))
    return (*place, *items), f"{name}: {_says(model, name).words(error, bool(items))}"


def _header(loc: tuple, error: dict) -> tuple[tuple, str]:
    if error["type"] in KEYS and len(loc) == 1:
        return ((UNKNOWN, 0, ""),), f"unknown top-level key '{printable(loc[0])}'"
    name = loc[0]
    if name not in DECLARED or len(loc) == 1:
        return at(Header, name), f"{name}: {_says(Header, name).words(error, False)}"
    entry, place = f"{name}[{loc[1]}]", at(Header, name, loc[1])
    if error["type"] in OURS:
        return (*place, (FIELD, 1, "")), f"{entry}: {CONTROL}"
    if error["type"] == "string_too_long":
        limits = f"code at most {CODE_LENGTH[name]} and name at most {NAME_LENGTH} characters"
        return (*place, (FIELD, 2, "")), f"{entry}: {limits}"
    return (*place, (FIELD, 0, "")), f"{entry}: must have exactly a code and a name"


def _says(model: type[BaseModel], key: str) -> Says:
    info = model.model_fields[keys(model)[key]]
    return next(m for m in info.metadata if isinstance(m, Says))


REQUIRES = (FIELD, list(RuleEntry.model_fields).index("requires"), "")
NO_CREDENTIAL = (
    "must be a mapping with a 'credential'",
    "credential: must be a credential type or a list of them",
)


def _stops(model, place: tuple, words: str) -> bool:
    """A problem after which nothing more is said of its declared code or requirement."""
    if model is Header:
        return len(place) == 3
    return place[0] == REQUIRES and words.split(": ", 1)[-1] in NO_CREDENTIAL


def in_order(found: list[tuple[tuple, str]]) -> list[str]:
    """The words, in the order of their places."""
    return [words for _, words in sorted(found, key=lambda p: p[0])]
