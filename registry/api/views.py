"""The JSON API of CONTRACT §6. Every error is ``{"error": "..."}`` with a 4xx status."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import abort, current_app, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from .. import db
from ..extensions import limiter, public_rate_limit
from ..permissions import Permission, requires
from ..read.audit import run_audit
from ..read.cache import cached
from ..read.params import AuditQuery, QueryError, SearchError
from ..read.records import public_record
from ..read.rulebook import current_rule_book
from ..read.search import read_search, run_search
from . import bp
from .openapi import document
from .params import NO_JURISDICTION, audit_jurisdiction
from .serialize import json_response, record_json, results_json, to_json


@bp.errorhandler(TooManyRequests)
def too_many_requests(exc):
    return jsonify(error=f"too many requests (limit {exc.description}); try again later"), 429


@bp.get("/api/v1/practitioners")
@limiter.limit(public_rate_limit)
@requires(Permission.PUBLIC)
def practitioners():
    """Public search; ``modality`` keeps those authorized for it today. A page past the end
    is an empty ``results`` list with the true ``total``."""
    session = db.session()
    try:
        search = read_search(session, request.args)
    except SearchError as exc:
        abort(400, str(exc))
    size = current_app.config["PAGE_SIZE"]

    def answer() -> str:
        results = run_search(session, search, size, date.today(), with_status=False)
        return to_json(results_json(results))

    return json_response(cached(session, ("api.search", search, size), answer))


@bp.get("/api/v1/practitioners/<jurisdiction>/<profession>/<path:registration_number>")
@limiter.limit(public_rate_limit)
@requires(Permission.PUBLIC)
def practitioner(jurisdiction: str, profession: str, registration_number: str):
    """One public record as of today; never a private field."""
    session = db.session()
    record = public_record(session, jurisdiction, profession, registration_number)
    if record is None:
        abort(404, "no practitioner with that jurisdiction, profession and registration number")
    key = ("api.record", jurisdiction, profession, registration_number)
    return json_response(cached(session, key, lambda: to_json(record_json(record))))


@bp.get("/api/v1/audit")
@requires(Permission.AUDIT_READ)
def audit():
    """CONTRACT §5's audit document, for admins and for regulators in their jurisdictions."""
    session = db.session()
    args = request.args
    try:
        query = AuditQuery.parse(args.get("as_of"), args.get("window"), args.get("jurisdiction"))
    except QueryError as exc:
        if set(exc.errors) == {"jurisdiction"}:  # no such code: the answer for out of scope
            abort(404, NO_JURISDICTION)
        abort(400, str(exc))
    query = replace(
        query, jurisdiction=audit_jurisdiction(session, current_user, query.jurisdiction)
    )
    return jsonify(run_audit(session, current_rule_book(session), query))


@bp.get("/openapi.json")
@requires(Permission.PUBLIC)
def openapi():
    return jsonify(document())
