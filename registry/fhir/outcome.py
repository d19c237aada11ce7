"""FHIR responses and errors: every answer under /fhir, failures included, is FHIR JSON.

Kept free of registry imports so ``registry.errors`` can use it for the errors no blueprint
sees (an unknown path or method under /fhir, an unexpected exception).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException

PREFIX = "/fhir"
CONTENT_TYPE = "application/fhir+json; charset=utf-8"
# HTTP status -> OperationOutcome issue type (http://hl7.org/fhir/issue-type)
ISSUE_CODES = {400: "invalid", 404: "not-found", 405: "not-supported", 429: "throttled"}


def is_fhir_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def base_url() -> str:
    """The root of every absolute URL we write: ``FHIR_BASE_URL``, or the request's root."""
    base = current_app.config.get("FHIR_BASE_URL") or request.url_root
    return base.rstrip("/")


def to_text(resource: dict[str, Any]) -> str:
    """Compact JSON in the resource's own key order (``resourceType`` first)."""
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"


def fhir_response(text: str, status: int = 200) -> Response:
    return current_app.response_class(text, status=status, content_type=CONTENT_TYPE)


def operation_outcome(status: int, diagnostics: str) -> dict[str, Any]:
    code = ISSUE_CODES.get(status, "exception" if status >= 500 else "processing")
    issue = {"severity": "error", "code": code, "diagnostics": diagnostics}
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def error_response(exc: HTTPException) -> Response:
    """``exc`` as an OperationOutcome with its status (and its Allow header, for a 405)."""
    status = exc.code or 500
    diagnostics = exc.description or "request failed"
    if status == 429:
        diagnostics = f"too many requests (limit {exc.description}); try again later"
    elif status >= 500:
        diagnostics = "the server could not answer; the error has been logged"
    response = fhir_response(to_text(operation_outcome(status, diagnostics)), status)
    for name, value in exc.get_headers():
        if name.lower() in ("allow", "retry-after"):
            response.headers[name] = value
    return response
