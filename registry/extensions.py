"""Flask extensions, created once and bound to each app in ``register_extensions``."""

from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."
login_manager.session_protection = "strong"

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def public_rate_limit() -> str:
    """The public faces' limit, read per request so an operator (or a test) can change it
    without a restart."""
    return current_app.config["PUBLIC_RATE_LIMIT"]
