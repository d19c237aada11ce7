"""Template helpers: permission checks, badges and dates for every template."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask_login import current_user

from .permissions import Permission, allowed


def credential_badge(
    expires_on: date | None, today: date | None = None, window: int = 60
) -> tuple[str, str]:
    """(css class, words) for a credential's currency: current, expiring or expired."""
    today = today or date.today()
    if expires_on is None:
        return "current", "Current (no expiry)"
    if expires_on < today:
        return "expired", f"Expired {expires_on}"
    if expires_on <= today + timedelta(days=window):
        return "expiring", f"Expires {expires_on}"
    return "current", f"Current to {expires_on}"


def label(code: str | None) -> str:
    from .rules.engine import label as engine_label

    return engine_label(code) if code else ""


def init_app(app: Flask) -> None:
    @app.context_processor
    def helpers():
        return {
            "can": lambda name: allowed(current_user, Permission[name]),
            "Permission": Permission,
            "credential_badge": credential_badge,
            "today": date.today(),
        }

    app.add_template_filter(label, "label")
