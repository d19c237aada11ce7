"""``Authorization: Bearer <token>`` for machine clients of the JSON API.

A token stands for its owner (role and scopes included) on ``/api/`` paths only; the HTML
faces keep cookie sessions and CSRF. When a request carries a token, the token decides who
the caller is, whatever cookie comes with it. A token that is unknown, revoked or whose
owner is deactivated is refused with 401 rather than silently treated as anonymous.
"""

from __future__ import annotations

from flask import Request, abort, request

from .. import db
from ..extensions import login_manager
from ..services.secrets import user_for_token

SCHEME = "bearer "
REFUSED = "the API token is unknown, revoked, or its owner is deactivated"


def bearer_secret(req: Request) -> str | None:
    header = req.headers.get("Authorization", "")
    if not req.path.startswith("/api/") or header[: len(SCHEME)].lower() != SCHEME:
        return None
    return header[len(SCHEME) :].strip()


def authenticate_bearer() -> None:
    """Called by every endpoint's permission check (``permissions.requires``), after the
    request's hooks ran: a request with a token acts as the token's owner; a bad token
    answers 401 even on public endpoints, so a client learns at once that it is wrong."""
    secret = bearer_secret(request)
    if secret is None:
        return
    user = user_for_token(db.session(), secret)
    if user is None:
        abort(401, REFUSED)
    login_manager._update_request_context_with_user(user)  # this request only, no session
