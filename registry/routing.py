"""URL converters: ``<id:name>`` for a database id in a path."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

from .models.base import MAX_ID


class IdConverter(BaseConverter):
    """A database id: ASCII digits for a number from 1 to ``MAX_ID``.

    Digits out of that range are this page's 404 (raised here, not a non-match, so that a
    ``<path:...>`` rule beside it cannot turn them into a 405), before any query: PostgreSQL
    answers a number its INTEGER columns cannot hold with an error, not with no rows.
    Anything else (a sign, a Unicode digit, hex) is not an id and matches no rule."""

    regex = r"[0-9]+"
    part_isolating = True

    def to_python(self, value: str) -> int:
        if len(value) > len(str(MAX_ID)) or not 0 < int(value) <= MAX_ID:
            raise NotFound()
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))


def init_app(app: Flask) -> None:
    """Register the converters; before any blueprint, whose rules use them."""
    app.url_map.converters["id"] = IdConverter
