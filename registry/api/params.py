"""The audit endpoint's jurisdiction: which one a caller may audit (dates and windows are
parsed by ``read.params.AuditQuery``)."""

from __future__ import annotations

from flask import abort
from sqlalchemy.orm import Session

from ..models import Jurisdiction, Role, User
from ..scopes import jurisdiction_allowed

NO_JURISDICTION = "no such jurisdiction among those you may audit"


def audit_jurisdiction(session: Session, user: User, code: str | None) -> str | None:
    """The jurisdiction to audit for ``user`` (``code`` already cleaned and upper-cased):
    None (all) only for admins who name none; a regulator who names none gets their only
    jurisdiction, or 400 when they have several. Unknown and out-of-scope codes are the
    same 404."""
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
