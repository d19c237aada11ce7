"""The API's OpenAPI 3.1 document, written by hand to match ``serialize.py`` and ``views.py``.

Every response documented here is one the code returns, with the same required keys, types
and nullable fields, so a fuzzer (schemathesis) can hold the API to it.
"""

from __future__ import annotations

from typing import Any

from ..models import RegistrationStatus
from ..rules.model import GAP_KINDS, MODALITY_ORDER
from .params import MAX_WINDOW

NO_CONTROL = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
PATH_SEGMENT = "^[^/\\u0000-\\u001f\\u007f-\\u009f]+$"
VERDICTS = ["Authorized", "Not authorized", "Outside scope", "No rule on file"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    """An object whose every property is required and nothing else appears."""
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }


STRING = {"type": "string"}
DATE = {"type": "string", "format": "date"}
COUNT = {"type": "integer", "minimum": 0}

SCHEMAS: dict[str, Any] = {
    "Error": _object({"error": {**STRING, "description": "What was wrong, in words."}}),
    "SearchResult": _object(
        {
            "jurisdiction": STRING,
            "profession": STRING,
            "registration_number": STRING,
            "name": STRING,
            "status": {"type": "string", "enum": [s.value for s in RegistrationStatus]},
            "class": _nullable(STRING),
            "city": _nullable(STRING),
            "url": {**STRING, "description": "Path of the practitioner's public record."},
        }
    ),
    "SearchPage": _object(
        {
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1},
            "total": COUNT,
            "results": {"type": "array", "items": _ref("SearchResult")},
        }
    ),
    "Credential": _object(
        {
            "type": STRING,
            "issuer": {**STRING, "description": "'' when unknown."},
            "number": {**STRING, "description": "'' when unknown."},
            "issued_on": DATE,
            "expires_on": _nullable(DATE),
            "status": {"type": "string", "enum": ["current", "expiring", "expired", "revoked"]},
            "verified": {"type": "boolean"},
            "verified_on": _nullable(DATE),
        }
    ),
    "ModalityStatus": _object(
        {
            "modality": {"type": "string", "enum": list(MODALITY_ORDER)},
            "declared": {"type": "boolean", "description": "The practitioner performs it."},
            "authorized": {
                "type": "boolean",
                "description": "CONTRACT §5: no error today. True with 'No rule on file' too.",
            },
            "verdict": {"type": "string", "enum": VERDICTS},
            "basis": {**STRING, "description": "The credentials it rests on, or why not."},
            "rule_id": _nullable(STRING),
            "source": _nullable(STRING),
        }
    ),
    "Practitioner": _object(
        {
            "jurisdiction": STRING,
            "profession": STRING,
            "registration_number": STRING,
            "name": STRING,
            "status": {"type": "string", "enum": [s.value for s in RegistrationStatus]},
            "class": _nullable(STRING),
            "registered_since": DATE,
            "registration_expires_on": _nullable(DATE),
            "city": _nullable(STRING),
            "clinics": {"type": "array", "items": STRING},
            "as_of": DATE,
            "credentials": {"type": "array", "items": _ref("Credential")},
            "modalities": {
                "type": "array",
                "items": _ref("ModalityStatus"),
                "minItems": len(MODALITY_ORDER),
                "maxItems": len(MODALITY_ORDER),
            },
        }
    ),
    "Gap": _object(
        {
            "jurisdiction": STRING,
            "profession": STRING,
            "registration_number": STRING,
            "name": STRING,
            "modality": _nullable(STRING),
            "kind": {"type": "string", "enum": list(GAP_KINDS)},
            "severity": {"type": "string", "enum": ["error", "warning"]},
            "credential_type": _nullable(STRING),
            "rule_id": _nullable(STRING),
            "source": _nullable(STRING),
            "detail": STRING,
        }
    ),
    "Audit": _object(
        {
            "as_of": DATE,
            "window_days": {"type": "integer", "minimum": 0, "maximum": MAX_WINDOW},
            "jurisdiction": _nullable(STRING),
            "practitioners_checked": COUNT,
            "gaps": {"type": "array", "items": _ref("Gap")},
        }
    ),
}


def _json(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": PATH_SEGMENT},
        "description": description,
    }


BAD = _json("Bad parameters.", "Error")
LIMITED = _json("Too many requests from this address; try again later.", "Error")
TEXT = {"type": "string", "pattern": NO_CONTROL}

SEARCH = {
    "get": {
        "operationId": "searchPractitioners",
        "summary": "Search the public register",
        "description": "Paginated, ordered by family then given name. A page past the end "
        "has an empty results list and the true total.",
        "parameters": [
            _query(
                "q",
                {**TEXT, "maxLength": 100},
                "Family or given name prefix, 'given family' prefixes, or an exact "
                "registration number; case-insensitive.",
            ),
            _query("jurisdiction", {**TEXT, "maxLength": 50}, "ISO 3166-2 code, e.g. CA-AB."),
            _query("profession", {**TEXT, "maxLength": 50}, "Profession code."),
            _query(
                "modality",
                {"type": "string", "enum": list(MODALITY_ORDER)},
                "Only practitioners who perform it and are authorized for it today.",
            ),
            _query("city", {**TEXT, "maxLength": 100}, "City, case-insensitive exact match."),
            _query("page", {"type": "integer", "minimum": 1, "maximum": 100_000}, "From 1."),
        ],
        "responses": {
            "200": _json("A page of results.", "SearchPage"),
            "400": BAD,
            "429": LIMITED,
        },
    }
}
RECORD = {
    "get": {
        "operationId": "getPractitioner",
        "summary": "One practitioner's public record, as of today",
        "parameters": [
            _path("jurisdiction", "ISO 3166-2 code, e.g. CA-AB."),
            _path("profession", "Profession code, e.g. physiotherapist."),
            _path("registration_number", "The regulator's registration number."),
        ],
        "responses": {
            "200": _json("The public record.", "Practitioner"),
            "404": _json("No such practitioner.", "Error"),
            "429": LIMITED,
        },
    }
}
AUDIT = {
    "get": {
        "operationId": "audit",
        "summary": "Every gap between practitioners and the rules (CONTRACT §5)",
        "description": "Admins: any jurisdiction, or all when none is named. Regulators: "
        "their own jurisdictions; naming none means their only one (400 if they have several).",
        "security": [{"session": []}],
        "parameters": [
            _query("jurisdiction", {**TEXT, "maxLength": 50}, "ISO 3166-2 code."),
            _query("as_of", DATE, "Audit date, YYYY-MM-DD from 1900 to 2999; default today."),
            _query(
                "window",
                {"type": "integer", "minimum": 0, "maximum": MAX_WINDOW},
                "Days ahead that count as expiring soon; default 60.",
            ),
        ],
        "responses": {
            "200": _json("The audit document.", "Audit"),
            "400": BAD,
            "401": _json("Not logged in.", "Error"),
            "404": _json("Unknown jurisdiction, one outside your scope, or no access.", "Error"),
        },
    }
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Needling Registry API",
            "version": "1",
            "description": "Who may needle (dry needling, IMS, acupuncture), where, and on "
            'what credentials. Errors are {"error": "..."} with a 4xx status.',
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/practitioners": SEARCH,
            "/api/v1/practitioners/{jurisdiction}/{profession}/{registration_number}": RECORD,
            "/api/v1/audit": AUDIT,
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "The session cookie set by logging in at /login.",
                }
            },
        },
    }
