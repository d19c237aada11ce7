"""The public face: lookup pages anyone may use without logging in."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from . import views  # noqa: E402,F401  (registers the routes)
