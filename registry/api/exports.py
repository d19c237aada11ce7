"""Exports of the registry (CSV and JSON, streamed) and one practitioner's evidence bundle,
for users holding ``Permission.EXPORT``, each limited to what ``registry.scopes`` lets them see.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, abort, current_app, jsonify, request, stream_with_context
from flask_login import current_user
from sqlalchemy.orm import sessionmaker

from .. import db
from ..db import EXTENSION_KEY
from ..models import Role
from ..permissions import Permission, requires
from ..read.evidence import evidence_bundle
from ..read.export import Export, ExportScope, UnknownCode, check_filters, filename, scope_of
from ..read.params import parse_as_of
from ..scopes import get_practitioner, jurisdiction_allowed
from . import bp

MIMETYPES = {"csv": "text/csv", "json": "application/json"}


def _scope() -> ExportScope:
    """The current user's scope narrowed by ``jurisdiction=`` and ``profession=``: an unknown
    code is 400; a jurisdiction outside a regulator's own is 404, like anything out of scope."""
    session = db.session()
    try:
        code, profession = check_filters(
            session, request.args.get("jurisdiction"), request.args.get("profession")
        )
    except UnknownCode as exc:
        abort(400, str(exc))
    regulator = current_user.role == Role.REGULATOR
    if code and regulator and not jurisdiction_allowed(current_user, code):
        abort(404, "no such jurisdiction among yours")
    return scope_of(session, current_user, code, profession)


def _in_own_session(factory: sessionmaker, scope: ExportScope, fmt: str) -> Iterator[str]:
    """The export read through a session of its own, opened with the first chunk and closed
    after the last one (or when the client goes away). The request's session cannot serve:
    it is closed when the view returns, before the server sends a streamed body."""
    with factory() as session:
        yield from Export(session, scope, fmt)


def _export(fmt: str) -> Response:
    scope = _scope()
    factory = current_app.extensions[EXTENSION_KEY]
    response = Response(
        stream_with_context(_in_own_session(factory, scope, fmt)), mimetype=MIMETYPES[fmt]
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(fmt)}"'
    return response


@bp.get("/api/v1/export.csv")
@requires(Permission.EXPORT)
def export_csv():
    """Everyone in the user's scope, one row per credential (public fields only), streamed."""
    return _export("csv")


@bp.get("/api/v1/export.json")
@requires(Permission.EXPORT)
def export_json():
    """Everyone in the user's scope with their credentials (public fields only), streamed."""
    return _export("json")


@bp.get("/api/v1/practitioners/<jurisdiction>/<profession>/<path:registration_number>/evidence")
@requires(Permission.EXPORT)
def practitioner_evidence(jurisdiction: str, profession: str, registration_number: str):
    """The evidence bundle of one practitioner in scope on ``as_of`` (default today)."""
    session = db.session()
    try:
        as_of = parse_as_of(request.args.get("as_of"))
    except ValueError as exc:
        abort(400, str(exc))
    p = get_practitioner(session, current_user, jurisdiction, profession, registration_number)
    response = jsonify(evidence_bundle(session, p, as_of, current_user.email))
    return response
