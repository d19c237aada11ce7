"""Template helpers: permission checks, badges and dates for every template."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask_login import current_user

from .permissions import Permission, allowed
from .read.credentials import currency
from .rules.explain import STATE_LABELS, VERDICT_LABELS, sentence
from .rules.fileschema import is_web_address


def label(code: str | None) -> str:
    from .rules.engine import label as engine_label

    return engine_label(code) if code else ""


def init_app(app: Flask) -> None:
    @app.context_processor
    def helpers():
        return {
            "can": lambda name: allowed(current_user, Permission[name]),
            "Permission": Permission,
            "credential_badge": currency,
            "today": date.today(),
        }

    # Globals, so that macros imported without the context (``_macros.html``) see them too.
    app.jinja_env.globals.update(
        verdict_labels=VERDICT_LABELS, state_labels=STATE_LABELS, sentence=sentence
    )

    app.add_template_filter(label, "label")
    app.jinja_env.tests["web_address"] = is_web_address  # {% if source is web_address %}
