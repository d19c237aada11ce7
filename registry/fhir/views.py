"""The FHIR endpoints: public, rate-limited like the JSON API, answers cached like it.

Every error under /fhir is an OperationOutcome: those raised here through the blueprint's
handler, the rest (no such path or method, an unexpected exception) through
``registry.errors``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flask import Response, abort, request
from werkzeug.exceptions import HTTPException

from .. import db
from ..extensions import limiter, public_rate_limit
from ..models import CredentialType, Profession
from ..models.base import MAX_ID
from ..permissions import Permission, requires
from ..read.cache import cached
from . import bp
from .outcome import base_url, error_response, fhir_response, to_text
from .params import parse_search
from .queries import code_rows, practitioner_row, search_page
from .resources import capability_statement, code_system, practitioner, searchset

_ID = re.compile(r"[1-9][0-9]{0,18}")  # a database id as FHIR writes it: ASCII, no leading 0
NO_PRACTITIONER = "no Practitioner with that id"


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return error_response(exc)


def _answer(key: tuple, build: Callable[[], dict | None]) -> str | None:
    """The resource ``build`` makes, as JSON text, cached per base URL like the API's
    answers (None, not found, is not cached)."""
    return cached(db.session(), ("fhir", base_url(), *key), lambda: _text(build()))


def _text(resource: dict | None) -> str | None:
    return to_text(resource) if resource is not None else None


@bp.get("/metadata")
@limiter.limit(public_rate_limit)
@requires(Permission.PUBLIC)
def metadata():
    """The CapabilityStatement: what this server reads and searches."""
    return fhir_response(to_text(capability_statement(base_url())))


@bp.get("/Practitioner/<practitioner_id>")
@limiter.limit(public_rate_limit)
@requires(Permission.PUBLIC)
def read_practitioner(practitioner_id: str):
    """One Practitioner by database id; anything but a plausible id is the same 404."""
    if not _ID.fullmatch(practitioner_id) or int(practitioner_id) > MAX_ID:
        abort(404, NO_PRACTITIONER)
    pid, base, session = int(practitioner_id), base_url(), db.session()

    def build() -> dict | None:
        row = practitioner_row(session, pid)
        return practitioner(base, row, date.today()) if row is not None else None

    text = _answer(("Practitioner", pid), build)
    if text is None:
        abort(404, NO_PRACTITIONER)
    return fhir_response(text)


@bp.get("/Practitioner")
@limiter.limit(public_rate_limit)
@requires(Permission.PUBLIC)
def search_practitioners():
    """A searchset Bundle: ``name``, ``identifier``, ``_count`` and ``_offset``."""
    try:
        search = parse_search(request.args)
    except ValueError as exc:
        abort(400, str(exc))
    base, session = base_url(), db.session()

    def build() -> dict:
        return searchset(base, search, search_page(session, search, base), date.today())

    return fhir_response(_answer(("search", search), build))


def _code_system(system_id: str, model) -> Response:
    session, base = db.session(), base_url()
    text = _answer(
        ("CodeSystem", system_id), lambda: code_system(base, system_id, code_rows(session, model))
    )
    return fhir_response(text)


@bp.get("/CodeSystem/credential-type")
@limiter.limit(public_rate_limit)
@requires(Permission.PUBLIC)
def credential_type_system():
    """Every credential type (code and name), as the rules file declares them."""
    return _code_system("credential-type", CredentialType)


@bp.get("/CodeSystem/profession")
@limiter.limit(public_rate_limit)
@requires(Permission.PUBLIC)
def profession_system():
    """Every profession (code and name): the codes of a registration's qualification."""
    return _code_system("profession", Profession)
