"""Parsing the audit endpoint's parameters; each problem is a 4xx with a reason."""

from __future__ import annotations

import re
from datetime import date

from flask import abort
from sqlalchemy.orm import Session

from ..models import Jurisdiction, Role, User
from ..public.params import clean_text
from ..scopes import jurisdiction_allowed
from ..services.fields import parse_date

MAX_WINDOW = 3650
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
NO_JURISDICTION = "no such jurisdiction among those you may audit"
_WINDOW = re.compile(r"[0-9]{1,4}")


def parse_as_of(text: str | None) -> date:
    """YYYY-MM-DD between 1900 and 2999 (default today); ValueError otherwise."""
    if not (text or "").strip():
        return date.today()
    try:
        day = parse_date(text)
    except ValueError as exc:
        raise ValueError(f"as_of: {exc}") from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"as_of: must be between {EARLIEST} and {LATEST}")
    return day


def parse_window(text: str | None) -> int:
    """Whole days from 0 to 3650 (default 60), as the CLI's --window."""
    text = (text or "").strip() or "60"
    if not _WINDOW.fullmatch(text) or int(text) > MAX_WINDOW:
        raise ValueError(f"window: must be a whole number of days from 0 to {MAX_WINDOW}")
    return int(text)


def audit_jurisdiction(session: Session, user: User, text: str | None) -> str | None:
    """The jurisdiction to audit for ``user``: None (all) only for admins who name none; a
    regulator who names none gets their only jurisdiction, or 400 when they have several.
    Unknown and out-of-scope codes are the same 404."""
    try:
        code = clean_text(text, 50).upper()
    except ValueError:
        abort(404, NO_JURISDICTION)
    if not code:
        if user.role == Role.ADMIN:
            return None
        codes = sorted(user.jurisdiction_codes)
        if len(codes) == 1:
            return codes[0]
        if not codes:
            abort(404, NO_JURISDICTION)
        abort(400, f"jurisdiction: name one of yours ({', '.join(codes)})")
    if session.get(Jurisdiction, code) is None or not jurisdiction_allowed(user, code):
        abort(404, NO_JURISDICTION)
    return code
