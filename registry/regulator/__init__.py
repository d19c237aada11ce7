"""The regulator console: dashboard, audit, practitioner history, verification, rules."""

from flask import Blueprint

bp = Blueprint("regulator", __name__, url_prefix="/regulator")

from . import record_views, rule_views, views  # noqa: E402,F401
