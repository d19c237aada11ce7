"""The JSON API of CONTRACT §6 and its OpenAPI document."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from . import changes, exports, me, views  # noqa: E402,F401
