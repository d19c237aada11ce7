"""The JSON API of CONTRACT §6. Every error is ``{"error": "..."}`` with a 4xx status."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import abort, current_app, request, stream_with_context
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from .. import db
from ..extensions import limiter, public_rate_limit
from ..permissions import Permission, requires
from ..read.audit import AuditStream
from ..read.cache import cached
from ..read.params import AuditQuery, QueryError, SearchError, SearchQuery
from ..read.records import RecordKey, public_record
from ..read.rulebook import current_rule_book
from ..read.search import read_search, run_search
from ..schema.audit import Audit
from ..schema.base import Error
from ..schema.public import Practitioner, SearchPage
from . import bp
from .openapi import document_text, operation
from .params import NO_JURISDICTION, audit_jurisdiction
from .serialize import json_response, record_shape, results_shape, shape_response, to_json


@bp.errorhandler(TooManyRequests)
def too_many_requests(exc):
    body = Error(error=f"too many requests (limit {exc.description}); try again later")
    return shape_response(body), 429


@operation(
    "/api/v1/practitioners",
    "searchPractitioners",
    "Search the public register",
    SearchPage,
    query=SearchQuery,
    errors={400: None, 429: None},
)
@limiter.limit(public_rate_limit)
@requires(Permission.PUBLIC)
def practitioners():
    """Paginated, ordered by family then given name; ``modality`` keeps those authorized
    for it today. A page past the end has an empty results list and the true total."""
    session = db.session()
    try:
        search = read_search(session, request.args)
    except SearchError as exc:
        abort(400, str(exc))
    size = current_app.config["PAGE_SIZE"]

    def answer() -> str:
        results = run_search(session, search, size, date.today(), with_status=False)
        return to_json(results_shape(results))

    return json_response(cached(session, ("api.search", search, size), answer))


@operation(
    "/api/v1/practitioners/<jurisdiction>/<profession>/<path:registration_number>",
    "getPractitioner",
    "One practitioner's public record, as of today",
    Practitioner,
    key=RecordKey,
    errors={404: None, 429: None},
)
@limiter.limit(public_rate_limit)
@requires(Permission.PUBLIC)
def practitioner(jurisdiction: str, profession: str, registration_number: str):
    """The public record as of today; never a private field."""
    session = db.session()
    record = public_record(session, jurisdiction, profession, registration_number)
    if record is None:
        abort(404, "no practitioner with that jurisdiction, profession and registration number")
    key = ("api.record", jurisdiction, profession, registration_number)
    return json_response(cached(session, key, lambda: to_json(record_shape(record))))


@operation(
    "/api/v1/audit",
    "audit",
    "Every gap between practitioners and the rules (CONTRACT §5)",
    Audit,
    query=AuditQuery,
    errors={400: None, 404: "Unknown jurisdiction, one outside your scope, or no access."},
)
@requires(Permission.AUDIT_READ)
def audit():
    """Admins: any jurisdiction, or all when none is named. Regulators: their own
    jurisdictions; naming none means their only one (400 if they have several)."""
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
    # Written as it is computed (an audit may hold millions of gaps; memory stays flat), so
    # the gaps are not validated one by one: ``Audit`` documents what ``AuditStream`` writes.
    stream = AuditStream(session, current_rule_book(session), query)
    return current_app.response_class(
        stream_with_context(stream.json_chunks()), mimetype="application/json"
    )


@operation(
    "/openapi.json",
    "openapi",
    "The OpenAPI document of this API",
    None,
    answer_words="The OpenAPI document.",
)
@requires(Permission.PUBLIC)
def openapi():
    """Generated from the types the API answers with; /api/reference is the same, to read."""
    return json_response(document_text())
