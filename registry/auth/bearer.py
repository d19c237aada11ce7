"""``Authorization: Bearer <token>`` for machine clients of the JSON API.

A token stands for its owner (role and scopes included) on ``/api/`` paths only; the HTML
faces keep cookie sessions and CSRF. Flask-Login reads the token through its request loader.
When a request carries a token, the token alone decides who the caller is, whatever cookie
comes with it: such a request is given an empty session, never written back, so Flask-Login
finds no cookie user and asks the request loader. A token that is unknown, revoked or whose
owner is deactivated is refused with 401 rather than silently treated as anonymous.
"""

from __future__ import annotations

from flask import Flask, Request, abort, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from .. import db
from ..extensions import login_manager
from ..models import User
from ..services.secrets import user_for_token

SCHEME = "bearer "
REFUSED = "the API token is unknown, revoked, or its owner is deactivated"


def bearer_secret(req: Request) -> str | None:
    header = req.headers.get("Authorization", "")
    if not req.path.startswith("/api/") or header[: len(SCHEME)].lower() != SCHEME:
        return None
    return header[len(SCHEME) :].strip()


def load_user_from_token(req: Request) -> User | None:
    """Flask-Login's request loader: the token's owner, or 401 for a bad token."""
    secret = bearer_secret(req)
    if secret is None:
        return None
    user = user_for_token(db.session(), secret)
    if user is None:
        abort(401, REFUSED)
    return user


class TokenSessions(SecureCookieSessionInterface):
    """Cookie sessions, except that a request carrying a token has an empty one, never saved:
    this request only, no cookie read or set."""

    def open_session(self, app: Flask, req: Request):
        if bearer_secret(req) is not None:
            return self.session_class()
        return super().open_session(app, req)

    def save_session(self, app: Flask, session, response) -> None:
        if bearer_secret(request) is None:
            super().save_session(app, session, response)


def authenticate_bearer() -> None:
    """Called by every endpoint's permission check (``permissions.requires``): resolve the
    caller now when the request carries a token, so that a bad token answers 401 even on an
    endpoint that never asks who is calling (a client learns at once that it is wrong)."""
    if bearer_secret(request) is not None:
        current_user._get_current_object()  # runs the request loader


def init_app(app: Flask) -> None:
    login_manager.request_loader(load_user_from_token)
    app.session_interface = TokenSessions()
