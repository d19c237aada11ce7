"""Known devices: a signed cookie, set when a login succeeds, naming the accounts that logged
in from this browser.

The per-account login limit counts a known device's attempts apart from everyone else's, so
that wrong passwords sent from elsewhere (anyone who knows an email can send them) slow the
account down for unknown devices without locking its owner out. A known device is still
limited, per account and per address: a stolen cookie buys no more guesses than its own.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "known_device"
SALT = "registry-known-device"
MAX_ACCOUNTS = 10  # a shared front-desk computer may serve a few managers


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def _max_age() -> int:
    return int(current_app.config["KNOWN_DEVICE_DAYS"]) * 86400


def _account(email: str) -> str:
    """The cookie names accounts by a digest, not by email: it is signed, not encrypted."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def _read() -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=_max_age())
    except BadSignature:  # forged, altered, expired, or signed with an older SECRET_KEY
        return None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("device"), str)
        and isinstance(data.get("accounts"), list)
    ):
        return None
    return data


def device_for(email: str) -> str | None:
    """This browser's device id when it logged in to ``email``'s account before, else None."""
    data = _read()
    if data is None or _account(email) not in data["accounts"]:
        return None
    return data["device"]


def remember(response: Response, email: str) -> Response:
    """After a successful login: this browser is a known device of ``email``'s account."""
    data = _read() or {"device": secrets.token_hex(12), "accounts": []}
    account = _account(email)
    accounts = [account, *(a for a in data["accounts"] if a != account)][:MAX_ACCOUNTS]
    response.set_cookie(
        COOKIE,
        _serializer().dumps({"device": data["device"], "accounts": accounts}),
        max_age=_max_age(),
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
    return response
