"""The API's OpenAPI 3.1 document, written by hand to match ``serialize.py`` and ``views.py``.

Every response documented here is one the code returns, with the same required keys, types
and nullable fields, so a fuzzer (schemathesis) can hold the API to it.
"""

from __future__ import annotations

from typing import Any

from ..models import RegistrationStatus
from ..models.base import MAX_ID
from ..read.params import MAX_WINDOW
from ..rules.explain import STATE_LABELS, VERDICT_LABELS
from ..rules.model import GAP_KINDS, MODALITY_ORDER, VERDICTS, VERIFICATION_STATES

NO_CONTROL = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
PATH_SEGMENT = "^[^/\\u0000-\\u001f\\u007f-\\u009f]+$"


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
DATETIME = {"type": "string", "format": "date-time"}
COUNT = {"type": "integer", "minimum": 0}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
VERDICT = {
    "type": "string",
    "enum": list(VERDICTS),
    "description": "CONTRACT §5: only 'authorized' is an authorization; 'no_rule' is unknown.",
}
VERIFICATION = {"type": "string", "enum": list(VERIFICATION_STATES)}

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
    "Decision": _object(
        {
            "status": VERIFICATION,
            "effective_on": {**DATE, "description": "The day the decision took effect."},
        }
    ),
    "Credential": _object(
        {
            "type": STRING,
            "issuer": {**STRING, "description": "'' when unknown."},
            "number": {**STRING, "description": "'' when unknown."},
            "issued_on": DATE,
            "expires_on": _nullable(DATE),
            "status": {
                "type": "string",
                "enum": ["current", "expiring", "expired", "rejected", "revoked"],
                "description": "Its currency on as_of; rejected or revoked once withdrawn "
                "(then it counts for nothing).",
            },
            "verification_status": VERIFICATION,
            "verification": {**VERIFICATION, "description": "The same as verification_status."},
            "verification_label": {"type": "string", "enum": list(STATE_LABELS.values())},
            "verified": {**BOOLEAN, "description": "Verified on as_of."},
            "verified_on": _nullable(DATE),
            "decided_on": {
                **_nullable(DATE),
                "description": "When the decision in force took effect; null before any.",
            },
            "verification_history": {"type": "array", "items": _ref("Decision")},
        }
    ),
    "BasisCredential": _object(
        {
            "type": STRING,
            "issuer": STRING,
            "issued_on": DATE,
            "expires_on": _nullable(DATE),
            "verification_status": VERIFICATION,
        }
    ),
    "ModalityStatus": _object(
        {
            "modality": {"type": "string", "enum": list(MODALITY_ORDER)},
            "declared": {"type": "boolean", "description": "The practitioner performs it."},
            "verdict": VERDICT,
            "verdict_label": {"type": "string", "enum": list(VERDICT_LABELS.values())},
            "authorized": {
                **BOOLEAN,
                "description": "True for the verdict 'authorized' only (never for no_rule).",
            },
            "explanation": {**STRING, "description": "The credentials it rests on, or why not."},
            "basis": {**STRING, "description": "The same as explanation (version 1's name)."},
            "rule_id": _nullable(STRING),
            "source": _nullable(STRING),
            "no_rule_note": {
                **_nullable(STRING),
                "description": "With no_rule: what was searched for this case, when known.",
            },
            "credentials": {
                "type": "array",
                "items": _ref("BasisCredential"),
                "description": "When authorized: the verified credentials that satisfy the rule.",
            },
            "claimed_credentials": {
                "type": "array",
                "items": _ref("BasisCredential"),
                "description": "When authorized: credentials that also count toward it though "
                "nobody has verified them (the rule does not require it).",
            },
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
    "Account": _object(
        {
            "email": STRING,
            "role": {"type": "string", "enum": ["admin", "regulator", "clinic_manager"]},
            "jurisdictions": {"type": "array", "items": STRING},
            "clinics": {"type": "array", "items": STRING},
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
    "Change": _object(
        {
            "jurisdiction": STRING,
            "profession": STRING,
            "registration_number": STRING,
            "name": STRING,
            "changed_at": {**DATETIME, "description": "The latest change, UTC."},
            "actions": {
                "type": "array",
                "items": STRING,
                "description": "Audit actions since `since`, e.g. credential.add.",
            },
            "url": {**STRING, "description": "Path of the practitioner's public record."},
        }
    ),
    "RuleSetLoad": _object(
        {"version": {"type": "integer", "minimum": 1}, "loaded_at": DATETIME, "filename": STRING}
    ),
    "Changes": _object(
        {
            "since": DATETIME,
            "until": {
                **DATETIME,
                "description": "When this answer was read: pass it as the next `since`.",
            },
            "changes": {"type": "array", "items": _ref("Change")},
            "next": {
                "type": ["string", "null"],
                "description": "Path of the next page; null on the last one.",
            },
            "rule_sets_loaded": {
                "type": "array",
                "items": _ref("RuleSetLoad"),
                "description": "Rule sets loaded since `since`: any verdict may have changed.",
            },
        }
    ),
    "ExportCredential": _object(
        {
            "type": STRING,
            "issuer": STRING,
            "number": STRING,
            "issued_on": DATE,
            "expires_on": _nullable(DATE),
            "hours": _nullable(NUMBER),
            "in_person_hours": _nullable(NUMBER),
            "sessions": _nullable(NUMBER),
            "verification_status": VERIFICATION,
            "verification_on": {
                **_nullable(DATE),
                "description": "When the decision in force took effect; null before any.",
            },
        }
    ),
    "ExportPractitioner": _object(
        {
            "jurisdiction": STRING,
            "profession": STRING,
            "registration_number": STRING,
            "given_name": STRING,
            "family_name": STRING,
            "status": {"type": "string", "enum": [s.value for s in RegistrationStatus]},
            "status_since": _nullable(DATE),
            "class": _nullable(STRING),
            "registered_since": DATE,
            "practising_since": _nullable(DATE),
            "registration_expires_on": _nullable(DATE),
            "city": _nullable(STRING),
            "modalities": {"type": "array", "items": STRING},
            "verdicts": _object({m: VERDICT for m in MODALITY_ORDER}),
            "credentials": {"type": "array", "items": _ref("ExportCredential")},
        }
    ),
    "Export": _object(
        {
            "generated_at": DATETIME,
            "scope": _object(
                {
                    "role": {"type": "string", "enum": ["admin", "regulator", "clinic_manager"]},
                    "jurisdictions": {"type": ["array", "null"], "items": STRING},
                    "clinics": {"type": ["array", "null"], "items": STRING},
                    "jurisdiction": _nullable(STRING),
                    "profession": _nullable(STRING),
                }
            ),
            "practitioners": {"type": "array", "items": _ref("ExportPractitioner")},
        }
    ),
    "BundleCredential": _object(
        {
            "id": COUNT,
            "type": STRING,
            "issuer": STRING,
            "number": STRING,
            "issued_on": DATE,
            "expires_on": _nullable(DATE),
            "hours": _nullable(NUMBER),
            "in_person_hours": _nullable(NUMBER),
            "sessions": _nullable(NUMBER),
            "description": STRING,
            "state_on_as_of": {
                "type": "string",
                "enum": ["current", "expiring", "expired", "not yet issued", "rejected", "revoked"],
            },
            "verification_on_as_of": VERIFICATION,
            "verification_today": VERIFICATION,
            "entered_by": _nullable(STRING),
            "entered_on": DATETIME,
            "decisions": {
                "type": "array",
                "items": _object(
                    {
                        "status": VERIFICATION,
                        "effective_on": DATE,
                        "recorded_at": DATETIME,
                        "decided_by": STRING,
                        "via": {"type": "string", "enum": ["review", "import"]},
                        "note": _nullable(STRING),
                        "evidence_on_file": BOOLEAN,
                    }
                ),
            },
            "evidence_on_file": BOOLEAN,
            "counted": {**BOOLEAN, "description": "It satisfied a requirement on as_of."},
            "counted_for": {"type": "array", "items": STRING},
        }
    ),
    "BundleRule": _object(
        {
            "rule_id": STRING,
            "jurisdiction": STRING,
            "profession": STRING,
            "modalities": {"type": "array", "items": STRING},
            "effective_from": DATE,
            "effective_to": _nullable(DATE),
            "permitted": BOOLEAN,
            "requirements": {**STRING, "description": "The requirements, in words."},
            "requires": {
                "type": "array",
                "items": {"type": "object"},
                "description": "The requirements as written in the rules file.",
            },
            "source": STRING,
            "notes": _nullable(STRING),
        }
    ),
    "BundleModality": _object(
        {
            "modality": {"type": "string", "enum": list(MODALITY_ORDER)},
            "verdict": VERDICT,
            "verdict_label": {"type": "string", "enum": list(VERDICT_LABELS.values())},
            "authorized": BOOLEAN,
            "rule": {"oneOf": [_ref("BundleRule"), {"type": "null"}]},
            "basis": {
                "type": "array",
                "items": _object(
                    {
                        "requirement": STRING,
                        "credential_ids": {"type": "array", "items": COUNT},
                        "credentials": {"type": "array", "items": STRING},
                    }
                ),
            },
            "explanation": STRING,
            "gaps": {"type": "array", "items": _ref("Gap")},
        }
    ),
    "EvidenceBundle": _object(
        {
            "generated_at": DATETIME,
            "generated_by": STRING,
            "as_of": DATE,
            "digest": _object(
                {
                    "algorithm": {"type": "string", "enum": ["sha256"]},
                    "of": STRING,
                    "value": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                }
            ),
            "bundle": _object(
                {
                    "as_of": DATE,
                    "window_days": COUNT,
                    "practitioner": {
                        "type": "object",
                        "required": ["jurisdiction", "profession", "registration_number", "name"],
                    },
                    "rule_set": {
                        "oneOf": [
                            _object(
                                {
                                    "version": COUNT,
                                    "checksum": STRING,
                                    "loaded_at": DATETIME,
                                    "loaded_by": STRING,
                                    "filename": STRING,
                                }
                            ),
                            {"type": "null"},
                        ]
                    },
                    "registration": _object(
                        {
                            "in_good_standing": BOOLEAN,
                            "result": STRING,
                            "gaps": {"type": "array", "items": _ref("Gap")},
                        }
                    ),
                    "modalities": {"type": "array", "items": _ref("BundleModality")},
                    "credentials": {"type": "array", "items": _ref("BundleCredential")},
                }
            ),
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
BAD_TOKEN = _json("The API token sent is unknown, revoked, or its owner deactivated.", "Error")
UNAUTHENTICATED = _json("No session and no valid API token.", "Error")
SIGNED_IN = [{"bearer": []}, {"session": []}]
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
            "401": BAD_TOKEN,
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
            "401": BAD_TOKEN,
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
        "security": SIGNED_IN,
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
            "401": UNAUTHENTICATED,
            "404": _json("Unknown jurisdiction, one outside your scope, or no access.", "Error"),
        },
    }
}
CHANGES = {
    "get": {
        "operationId": "changes",
        "summary": "Practitioners changed since a moment, from the audit log",
        "description": "Within the caller's scope (a clinic manager's staff, a regulator's "
        "jurisdictions, everything for admins). A change to a credential is a change to its "
        "practitioner. Ordered by each practitioner's latest change; follow `next` for more. "
        "Poll with the previous answer's `until` as `since`.",
        "security": SIGNED_IN,
        "parameters": [
            {
                "name": "since",
                "in": "query",
                "required": True,
                "schema": {"anyOf": [DATE, DATETIME]},
                "description": "ISO 8601 date (midnight UTC) or date-time; UTC unless an "
                "offset is given. E.g. 2026-11-01 or 2026-11-21T08:00:00Z.",
            },
            _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "Default 100."),
            _query(
                "after",
                {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                "Cursor from the previous page's `next`.",
            ),
        ],
        "responses": {
            "200": _json("One page of changed practitioners.", "Changes"),
            "400": BAD,
            "401": UNAUTHENTICATED,
            "404": _json("No access.", "Error"),
        },
    }
}

EXPORT_FILTERS = [
    _query("jurisdiction", {**TEXT, "maxLength": 50}, "Only this jurisdiction (ISO 3166-2)."),
    _query("profession", {**TEXT, "maxLength": 50}, "Only this profession code."),
]
EXPORT_ERRORS = {
    "400": _json("Unknown jurisdiction or profession code.", "Error"),
    "401": UNAUTHENTICATED,
    "404": _json("A jurisdiction outside your scope, or no access.", "Error"),
}
EXPORT_CSV = {
    "get": {
        "operationId": "exportCsv",
        "summary": "Practitioners with their credentials in your scope, as CSV (streamed)",
        "description": "One row per credential, the practitioner's columns repeated; a "
        "practitioner without credentials has one row with empty credential columns. Public "
        "registry fields only: never email, phone, notes or evidence files.",
        "security": SIGNED_IN,
        "parameters": EXPORT_FILTERS,
        "responses": {
            "200": {
                "description": "The CSV file, header first.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            },
            **EXPORT_ERRORS,
        },
    }
}
EXPORT_JSON = {
    "get": {
        "operationId": "exportJson",
        "summary": "Practitioners with their credentials in your scope, as JSON (streamed)",
        "security": SIGNED_IN,
        "parameters": EXPORT_FILTERS,
        "responses": {"200": _json("The export.", "Export"), **EXPORT_ERRORS},
    }
}
EVIDENCE = {
    "get": {
        "operationId": "evidenceBundle",
        "summary": "What an inspector or insurer asks for: one practitioner on one day",
        "description": "The rule set used, the rules and sources applied, the verdict and "
        "its basis per modality, every gap, and the credentials with their verification "
        "records. `digest` is the SHA-256 of the canonical JSON of `bundle`, printed on the "
        "HTML version (/evidence-bundles/...) so a paper copy can be checked.",
        "security": SIGNED_IN,
        "parameters": [
            _path("jurisdiction", "ISO 3166-2 code, e.g. CA-AB."),
            _path("profession", "Profession code, e.g. physiotherapist."),
            _path("registration_number", "The regulator's registration number."),
            _query("as_of", DATE, "The day, YYYY-MM-DD from 1900 to 2999; default today."),
        ],
        "responses": {
            "200": _json("The evidence bundle.", "EvidenceBundle"),
            "400": BAD,
            "401": UNAUTHENTICATED,
            "404": _json("No such practitioner in your scope.", "Error"),
        },
    }
}


def _own_record() -> dict[str, Any]:
    """A practitioner's ``/api/v1/me``: their public record and what only they see."""
    public = SCHEMAS["Practitioner"]
    extra = {
        "role": {"type": "string", "const": "practitioner"},
        "email": _nullable(STRING),
        "phone": _nullable(STRING),
        "gaps": {"type": "array", "items": _ref("Gap")},
        "clinics": {
            "type": "array",
            "items": STRING,
            "description": "Clinics with a waiting or accepted link (the public record lists "
            "accepted ones only).",
        },
        "clinic_links": {
            "type": "array",
            "items": _object(
                {"name": STRING, "status": {"type": "string", "enum": ["pending", "accepted"]}}
            ),
        },
    }
    return _object(public["properties"] | extra)


SCHEMAS["OwnRecord"] = _own_record()
ME = {
    "get": {
        "operationId": "me",
        "summary": "The signed-in user; a practitioner's own record with its private fields",
        "description": "A practitioner gets their public record plus their own email and "
        "phone, their gaps today and their clinics (waiting and accepted links); anyone else "
        "their email, role and scope. Never another practitioner's private fields.",
        "security": SIGNED_IN,
        "responses": {
            "200": {
                "description": "The signed-in user.",
                "content": {
                    "application/json": {"schema": {"oneOf": [_ref("OwnRecord"), _ref("Account")]}}
                },
            },
            "401": UNAUTHENTICATED,
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
            "/api/v1/me": ME,
            "/api/v1/changes": CHANGES,
            "/api/v1/export.csv": EXPORT_CSV,
            "/api/v1/export.json": EXPORT_JSON,
            "/api/v1/practitioners/{jurisdiction}/{profession}/{registration_number}/evidence": (
                EVIDENCE
            ),
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
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token from /account/tokens (or `flask registry "
                    "create-token`): `Authorization: Bearer nr_...`. It acts as its owner.",
                },
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "The session cookie set by logging in at /login.",
                },
            },
        },
    }
