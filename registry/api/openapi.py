"""The API's OpenAPI 3.1 document, generated from the types the API answers with.

Each JSON endpoint declares itself once, with ``@operation``: its path, the shape of its
answer (a ``registry.schema`` model), the query object it parses its parameters into (a
pydantic dataclass of ``read.params`` and friends) and the errors it may answer. Components
are the JSON Schemas pydantic derives from those models, tidied: no titles, and a nullable
simple type written ``"type": [T, "null"]``. The summary is given; the description is the
view's docstring. Nothing here restates a field: a field exists in the document because the
model that builds the answer has it.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import models_json_schema

from ..permissions import Permission
from ..schema.base import Error
from . import bp

REF = "#/components/schemas/{model}"
SIGNED_IN = [{"bearer": []}, {"session": []}]
ERRORS = {
    400: "Bad parameters.",
    404: "No such practitioner.",
    429: "Too many requests from this address; try again later.",
}
BAD_TOKEN = "The API token sent is unknown, revoked, or its owner deactivated."  # noqa: S105
UNAUTHENTICATED = "No session and no valid API token."
INFO = {
    "title": "Needling Registry API",
    "version": "1",
    "description": "Who may needle (dry needling, IMS, acupuncture), where, and on what "
    'credentials. Errors are {"error": "..."} with a 4xx status.',
}
SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token from /account/tokens (or `flask registry create-token`): "
        "`Authorization: Bearer nr_...`. It acts as its owner.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "The session cookie set by logging in at /login.",
    },
}


@dataclass(frozen=True)
class Operation:
    """One GET endpoint as the document describes it."""

    path: str
    operation_id: str
    summary: str
    description: str | None
    public: bool
    answer: type | None  # the 200 JSON shape; None: any ``media`` body, ``answer_words``
    media: str = "application/json"
    answer_words: str | None = None
    query: type | None = None
    key: type | None = None  # the path parameters
    errors: Mapping[int, str] = field(default_factory=dict)


OPERATIONS: dict[str, Operation] = {}


def openapi_path(rule: str) -> str:
    """/a/<path:b> -> /a/{b}"""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def operation(
    rule: str,
    operation_id: str,
    summary: str,
    answer: type | None,
    *,
    media: str = "application/json",
    answer_words: str | None = None,
    query: type | None = None,
    key: type | None = None,
    errors: Mapping[int, str | None] | None = None,
) -> Callable:
    """Route ``GET rule`` on the API blueprint and describe it in the document. Put it
    above ``@requires``: whether the operation needs a caller is read from the permission
    the view declares. ``errors`` maps each 4xx it may answer to its words (None: the usual
    ones, ``ERRORS``); 401 is added on /api/ paths, where a token is read."""

    def decorate(view: Callable) -> Callable:
        public = getattr(view, "permission", None) is Permission.PUBLIC
        words = {code: text or ERRORS[code] for code, text in (errors or {}).items()}
        if rule.startswith("/api/"):
            words[401] = BAD_TOKEN if public else UNAUTHENTICATED
        OPERATIONS[openapi_path(rule)] = Operation(
            path=openapi_path(rule),
            operation_id=operation_id,
            summary=summary,
            description=inspect.getdoc(view),
            public=public,
            answer=answer,
            media=media,
            answer_words=answer_words,
            query=query,
            key=key,
            errors=dict(sorted(words.items())),
        )
        return bp.get(rule)(view)

    return decorate


def document() -> dict[str, Any]:
    """The document, as a fresh dict (callers may change their copy)."""
    return json.loads(document_text())


@cache
def document_text() -> str:
    """The document as JSON text, built once per process (from classes that never change;
    the views declared their operations when ``registry.api`` was imported)."""
    ops = sorted(OPERATIONS.values(), key=lambda o: o.path)
    shapes = [Error, *(o.answer for o in ops if o.answer is not None)]
    doc = {
        "openapi": "3.1.0",
        "info": INFO,
        "servers": [{"url": "/"}],
        "paths": {o.path: {"get": _operation(o)} for o in ops},
        "components": {"schemas": schemas(shapes), "securitySchemes": SECURITY_SCHEMES},
    }
    return json.dumps(doc, separators=(",", ":"))  # fields in their declared order


def schemas(shapes: list[type]) -> dict[str, Any]:
    """The JSON Schema of each shape and of every shape they hold, by class name."""
    _, top = models_json_schema([(s, "serialization") for s in shapes], ref_template=REF)
    return {name: tidy(schema) for name, schema in sorted(top["$defs"].items())}


def tidy(schema: Any) -> Any:
    """Without pydantic's titles; ``anyOf: [T, null]`` as ``type: [T, "null"]`` when T is a
    plain type (not a reference, not an enum, which would then refuse null)."""
    if isinstance(schema, list):
        return [tidy(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: tidy(v) for k, v in schema.items() if k != "title"}
    branches = out.get("anyOf")
    if branches and len(branches) == 2 and {"type": "null"} in branches:
        (other,) = [b for b in branches if b != {"type": "null"}]
        if isinstance(other.get("type"), str) and not {"enum", "const", "$ref"} & set(other):
            out.pop("anyOf")
            out = {**other, **out, "type": [other["type"], "null"]}
    return out


def parameters(kind: type, where: str) -> list[dict[str, Any]]:
    """The fields of a query object (or a path key) as OpenAPI parameters."""
    schema = TypeAdapter(kind).json_schema()
    required = set(schema.get("required", ()))
    found = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        if prop.get("default", 0) in ("", None):
            prop.pop("default")  # nothing to send is the default
        branches = [b for b in prop.pop("anyOf", ()) if b != {"type": "null"}]
        if len(branches) == 1:  # a parameter is sent or left out, never null
            prop |= branches[0]
        elif branches:
            prop["anyOf"] = branches
        found.append(
            {
                "name": name,
                "in": where,
                "required": where == "path" or name in required,
                "schema": tidy(prop),
                "description": description,
            }
        )
    return found


def _json(words: str, shape: type) -> dict[str, Any]:
    ref = {"$ref": REF.format(model=shape.__name__)}
    return {"description": words, "content": {"application/json": {"schema": ref}}}


def _operation(o: Operation) -> dict[str, Any]:
    if o.answer is not None:
        ok = _json(inspect.getdoc(o.answer).split("\n")[0], o.answer)
    else:
        body = {"type": "object" if o.media == "application/json" else "string"}
        ok = {"description": o.answer_words, "content": {o.media: {"schema": body}}}
    out: dict[str, Any] = {"operationId": o.operation_id, "summary": o.summary}
    if o.description:
        out["description"] = o.description
    if not o.public:
        out["security"] = SIGNED_IN
    params = []
    if o.key is not None:
        params += parameters(o.key, "path")
    if o.query is not None:
        params += parameters(o.query, "query")
    if params:
        out["parameters"] = params
    out["responses"] = {"200": ok} | {str(c): _json(w, Error) for c, w in o.errors.items()}
    return out
