"""Template helpers: permission checks, badges and dates for every template."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask, has_request_context, request
from flask_login import current_user

from . import db
from .permissions import Permission, allowed
from .read.credentials import currency
from .read.history import ROLE_LABELS, change_lines, code_names, gap_kind_words, staff_actor
from .rules.explain import STATE_LABELS, VERDICT_LABELS, sentence
from .rules.fileschema import is_web_address


def label(code: str | None) -> str:
    from .rules.engine import label as engine_label

    return engine_label(code) if code else ""


def _names() -> dict[str, str]:
    """Reference codes to names, read once per request (outside one: each time)."""
    if not has_request_context():
        return code_names(db.session())
    names = getattr(request, "code_names", None)
    if names is None:
        names = request.code_names = code_names(db.session())
    return names


def code_name(code: str | None) -> str:
    """A jurisdiction, profession, modality or credential type by its name ('CA-AB' →
    'Alberta'); an unknown code in words."""
    if not code:
        return ""
    return _names().get(code) or label(code)


JURISDICTION_CODE = re.compile(r"\b(?:CA|US)-[A-Z]{2}\b")


def prose(text: str | None) -> str:
    """A sentence of the rules engine with each jurisdiction code named ('in CA-BC' → 'in
    British Columbia')."""
    return JURISDICTION_CODE.sub(lambda m: code_name(m.group(0)), text or "")


def role_name(role) -> str:
    value = getattr(role, "value", role)
    return ROLE_LABELS.get(value, label(value))


def history_lines(event, notes_words: str = "notes: changed") -> list[str]:
    """An audit event's changes in words (``read.history.change_lines``)."""
    return change_lines(event, _names(), notes_words)


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
        verdict_labels=VERDICT_LABELS,
        state_labels=STATE_LABELS,
        sentence=sentence,
        history_lines=history_lines,
        staff_actor=staff_actor,
    )

    app.add_template_filter(label, "label")
    app.add_template_filter(gap_kind_words, "gap_kind")  # 'registration_inactive' → words
    app.add_template_filter(code_name, "name")  # 'CA-AB' → 'Alberta'
    app.add_template_filter(role_name, "role_name")  # 'clinic_manager' → 'Clinic manager'
    app.add_template_filter(prose, "prose")  # 'in CA-BC' → 'in British Columbia'
    app.jinja_env.tests["web_address"] = is_web_address  # {% if source is web_address %}
