"""The JSON API of CONTRACT §6. Every error is ``{"error": "..."}`` with a 4xx status."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from .. import db
from ..extensions import limiter
from ..permissions import Permission, requires
from ..public.answers import public_rate_limit, public_record, read_search
from ..public.cache import cached
from ..public.params import SearchError
from ..public.queries import run_search
from ..reports.audit import run_audit
from ..services.rulesets import rule_book
from . import bp
from .openapi import document
from .params import audit_jurisdiction, parse_as_of, parse_window
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
        search = read_search(session)
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
    try:
        as_of = parse_as_of(request.args.get("as_of"))
        window = parse_window(request.args.get("window"))
    except ValueError as exc:
        abort(400, str(exc))
    code = audit_jurisdiction(session, current_user, request.args.get("jurisdiction"))
    return jsonify(run_audit(session, rule_book(session), as_of, window, code))


@bp.get("/openapi.json")
@requires(Permission.PUBLIC)
def openapi():
    return jsonify(document())
