"""Printable evidence bundles: one practitioner, one date, every fact a verdict rests on."""

from flask import Blueprint

bp = Blueprint("bundles", __name__, url_prefix="/evidence-bundles")

from . import views  # noqa: E402,F401
