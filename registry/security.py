"""Security headers on every response (``no-store`` on private ones), the safe ``next=``
check and the NUL guard."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request
from flask_login import current_user

from .permissions import Permission

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return default
    return target


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


def _private() -> bool:
    """Whether the answer may carry private or scoped data: the caller is logged in (by
    cookie or API token: public pages then show their account too) or the endpoint needs more
    than public access (its redirect to the login page included). Static files never do."""
    if request.endpoint == "static":
        return False
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "permission", Permission.PUBLIC) is not Permission.PUBLIC:
        return True
    if request.headers.get("Authorization"):
        return True  # a machine caller: never loaded here (a bad token answers 401 elsewhere)
    return current_user.is_authenticated


def _cache_control(response):
    """No browser or proxy keeps a private answer (a shared computer's disk cache, the back
    button after logout); public anonymous answers keep whatever caching they have."""
    if _private():
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _refuse_nul() -> None:
    """PostgreSQL refuses a NUL character in text with an error deep in a query, so NUL is
    stopped before any view runs: in a path there is no such page (404); in a form it is bad
    input (400). Query parameters are checked by each view, which names the parameter."""
    if "\x00" in request.path:
        abort(404)
    if any("\x00" in key or "\x00" in value for key, value in request.form.items(multi=True)):
        abort(400, "NUL characters are not allowed in a form")


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul)
    app.after_request(_headers)
    app.after_request(_cache_control)
