"""Administration: user accounts and their scopes."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import clinic_views, views  # noqa: E402,F401
