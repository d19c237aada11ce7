"""Accounts: log in, log out, change password."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import bearer, views  # noqa: E402,F401
