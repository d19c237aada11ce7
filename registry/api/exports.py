"""Exports of the registry (CSV and JSON, streamed) and one practitioner's evidence bundle,
for users holding ``Permission.EXPORT``, each limited to what ``registry.scopes`` lets them see.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, abort, current_app, request, stream_with_context
from flask_login import current_user
from sqlalchemy.orm import sessionmaker

from .. import db
from ..db import EXTENSION_KEY
from ..models import Role
from ..permissions import Permission, requires
from ..read.evidence import evidence_bundle
from ..read.export import (
    Export,
    ExportFilters,
    ExportScope,
    UnknownCode,
    check_filters,
    filename,
    scope_of,
)
from ..read.params import DayQuery, parse_as_of
from ..read.records import RecordKey
from ..schema.bundle import EvidenceBundle
from ..schema.export import Export as ExportShape
from ..scopes import get_practitioner, jurisdiction_allowed
from .openapi import operation
from .serialize import shape_response

MIMETYPES = {"csv": "text/csv", "json": "application/json"}
EXPORT_ERRORS = {
    400: "Unknown jurisdiction or profession code.",
    404: "A jurisdiction outside your scope, or no access.",
}


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


@operation(
    "/api/v1/export.csv",
    "exportCsv",
    "Practitioners with their credentials in your scope, as CSV (streamed)",
    None,
    media="text/csv",
    answer_words="The CSV file, header first.",
    query=ExportFilters,
    errors=EXPORT_ERRORS,
)
@requires(Permission.EXPORT)
def export_csv():
    """One row per credential, the practitioner's columns repeated; a practitioner without
    credentials has one row with empty credential columns. Public registry fields only:
    never email, phone, notes or evidence files. The columns are ExportPractitioner's and
    ExportCredential's, named as in the import files."""
    return _export("csv")


@operation(
    "/api/v1/export.json",
    "exportJson",
    "Practitioners with their credentials in your scope, as JSON (streamed)",
    ExportShape,
    query=ExportFilters,
    errors=EXPORT_ERRORS,
)
@requires(Permission.EXPORT)
def export_json():
    """Everyone in the user's scope with their credentials (public fields only), streamed."""
    return _export("json")


@operation(
    "/api/v1/practitioners/<jurisdiction>/<profession>/<path:registration_number>/evidence",
    "evidenceBundle",
    "What an inspector or insurer asks for: one practitioner on one day",
    EvidenceBundle,
    key=RecordKey,
    query=DayQuery,
    errors={400: None, 404: "No such practitioner in your scope."},
)
@requires(Permission.EXPORT)
def practitioner_evidence(jurisdiction: str, profession: str, registration_number: str):
    """The rule set used, the rules and sources applied, the verdict and its basis per
    modality, every gap, and the credentials with their verification records. `digest` is
    the SHA-256 of the canonical JSON of `bundle`, printed on the HTML version
    (/evidence-bundles/...) so a paper copy can be checked."""
    session = db.session()
    try:
        as_of = parse_as_of(request.args.get("as_of"))
    except ValueError as exc:
        abort(400, str(exc))
    p = get_practitioner(session, current_user, jurisdiction, profession, registration_number)
    response = shape_response(evidence_bundle(session, p, as_of, current_user.email))
    return response
