"""The JSON API of CONTRACT §6, its OpenAPI document and the reference page."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from . import changes, exports, me, reference, views  # noqa: E402,F401
