"""Error pages and JSON errors: no input may produce a traceback for a user."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .fhir.outcome import error_response, is_fhir_path


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/openapi.json"


def _handle_http(exc: HTTPException):
    if is_fhir_path(request.path):  # no route or method under /fhir, or a 500 there
        return error_response(exc)
    if _wants_json():
        response = jsonify(error=exc.description)
        if exc.code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="registry"'
        return response, exc.code
    return render_template("error.html", code=exc.code, message=exc.description), exc.code


def _handle_unexpected(exc: Exception):
    """Log the traceback for the operators; the user sees a plain message."""
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    return _handle_http(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(Exception, _handle_unexpected)
