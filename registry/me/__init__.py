"""The practitioner's face: their own record and account, and the one-time links (an
invitation, a claim, a clinic's request) that reach them by email."""

from flask import Blueprint

bp = Blueprint("me", __name__)

from . import links, views  # noqa: E402,F401
