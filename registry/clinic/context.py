"""Which clinic a request is about."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, request, url_for
from flask_login import current_user

from .. import db
from ..models import Clinic
from ..services.evidence import evidence_store  # noqa: F401 (the workspace's uploads)
from . import queries


@dataclass
class Workspace:
    """The clinics the user manages and the one this page is about."""

    clinics: list[Clinic]
    clinic: Clinic

    def url(self, endpoint: str, **values) -> str:
        """A link within the workspace that stays on the same clinic."""
        return url_for(endpoint, clinic=self.clinic.id, **values)


def workspace(raw: str | None = None) -> Workspace:
    """The clinic named by ``raw`` (a clinic id; default the ``clinic`` query or form value,
    then the user's first clinic). 404 when the user does not manage it."""
    if raw is None:
        raw = request.values.get("clinic")
    clinics = queries.managed_clinics(db.session(), current_user)
    if not clinics:
        abort(404, "No clinic is assigned to your account yet.")
    if not raw:
        return Workspace(clinics, clinics[0])
    chosen = next((c for c in clinics if str(c.id) == raw.strip()), None)
    if chosen is None:
        abort(404)
    return Workspace(clinics, chosen)
