"""The clinic workspace: a manager's staff, bookings, expiries, gaps and evidence."""

from flask import Blueprint

bp = Blueprint("clinic", __name__, url_prefix="/clinic")

from . import calendar, names, practitioner, roster, views  # noqa: E402,F401
from .calendar import feeds_bp as feeds_bp  # noqa: E402
