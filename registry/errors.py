"""Error pages and JSON errors: no input may produce a traceback for a user."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, make_response, render_template, request
from sqlalchemy.exc import OperationalError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from . import db
from .fhir.outcome import error_response, is_fhir_path
from .schema.base import Error

RETRY_AFTER = 2  # seconds
BUSY = "The registry is busy with other changes; nothing was saved. Try again in a moment."


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/openapi.json"


def _handle_http(exc: HTTPException):
    if is_fhir_path(request.path):  # no route or method under /fhir, or a 500 there
        return error_response(exc)
    if _wants_json():
        response = jsonify(Error(error=str(exc.description)).to_json())
        if exc.code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="registry"'
        return response, exc.code
    return render_template("error.html", code=exc.code, message=exc.description), exc.code


def _handle_unexpected(exc: Exception):
    """Log the traceback for the operators; the user sees a plain message."""
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    return _handle_http(InternalServerError())


def _handle_database_busy(exc: Exception):
    """The database could not serve now: SQLite's write lock not had within the busy timeout
    ("database is locked"), a lost connection, no pooled connection free, or a session an
    earlier failure left unusable. The transaction is rolled back, so nothing was saved;
    the answer is to try again shortly (503 with Retry-After, as a page, JSON or FHIR)."""
    where = (request.method, request.path, exc)
    if isinstance(exc, PendingRollbackError):  # an earlier error was swallowed: show where
        current_app.logger.exception("database session unusable on %s %s: %s", *where)
    else:
        current_app.logger.warning("database unavailable on %s %s: %s", *where)
    db.recover()
    busy = ServiceUnavailable(BUSY, retry_after=RETRY_AFTER)
    try:
        response = make_response(_handle_http(busy))
    except Exception:  # the page itself needed the database: say it in plain text
        response = current_app.response_class(BUSY + "\n", status=503, mimetype="text/plain")
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle_http)
    for error in (OperationalError, PendingRollbackError, PoolTimeout):
        app.register_error_handler(error, _handle_database_busy)
    app.register_error_handler(Exception, _handle_unexpected)
