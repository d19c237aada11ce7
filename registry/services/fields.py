"""Parsing and checking of single values, shared by CSV imports, forms and the API.

Each parser takes the raw text and returns a value or raises ValueError with a message
that names the problem in a user's words.
"""

from __future__ import annotations

import math
import re
from datetime import date

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TRUE = {"true", "yes", "1", "y"}
FALSE = {"false", "no", "0", "n", ""}


def parse_date(text: str) -> date:
    text = text.strip()
    if not _DATE.match(text):
        raise ValueError(f"'{text}' is not a date (expected YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"impossible date '{text}'") from None


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(f"'{text}' is not true/false/yes/no")


def parse_amount(text: str) -> float:
    """A non-negative number of hours."""
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a number") from None
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"'{text}' is not a number")
    if value < 0:
        raise ValueError(f"negative value {text.strip()}")
    return value


def parse_count(text: str) -> int:
    """A non-negative whole number."""
    value = text.strip()
    if not re.fullmatch(r"[+-]?\d+", value):
        raise ValueError(f"'{text}' is not a whole number")
    if int(value) < 0:
        raise ValueError(f"negative value {value}")
    return int(value)


def parse_email(text: str) -> str:
    value = text.strip()
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValueError(f"'{text}' is not an email address")
    return value


def split_list(text: str) -> list[str]:
    """A ';'-separated list, blanks dropped, order kept, duplicates removed."""
    items = [part.strip() for part in text.split(";")]
    return list(dict.fromkeys(item for item in items if item))
