"""The clinic workspace: a manager's staff, bookings, expiries, gaps and evidence."""

from flask import Blueprint

bp = Blueprint("clinic", __name__, url_prefix="/clinic")

from . import practitioner, views  # noqa: E402,F401
