"""The API reference: the OpenAPI document of ``openapi.py`` as a page to read.

Server-rendered from the same document the API serves at /openapi.json (nothing is loaded
from elsewhere, no script): each operation with its parameters and answers, then each shape
with its fields, their types in words, and whether they may be null.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import render_template
from markupsafe import Markup, escape

from ..permissions import Permission, requires
from .openapi import document, operation

SCHEMAS = "#/components/schemas/"
FORMATS = {"date": "date (YYYY-MM-DD)", "date-time": "date and time (ISO 8601)"}
CODE = re.compile(r"``?([^`]+)``?")
Words = tuple[tuple[str, str | None], ...]  # (text, the shape it names or None)


def prose(text: str) -> Markup:
    """Docstring text for the page: `code` and ``code`` as <code>."""
    parts = CODE.split(text or "")
    return Markup("").join(
        Markup("<code>%s</code>") % part if i % 2 else escape(part) for i, part in enumerate(parts)
    )


@dataclass(frozen=True)
class Row:
    """One parameter or field: its name, its type in words, and what it says."""

    name: str
    kind: Words
    required: bool
    nullable: bool
    description: Markup

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.kind)


def words(schema: dict[str, Any]) -> Words:
    """A schema's type in words ('list of Credential', 'one of: a, b', 'text, at most 50
    characters'), each shape it names marked to become a link."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(SCHEMAS)
        return ((name, name),)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            parts = [words(s) for s in schema[key] if s.get("type") != "null"]
            joined: list[tuple[str, str | None]] = []
            for i, part in enumerate(parts):
                joined += [(" or ", None)] * bool(i) + list(part)
            return tuple(joined)
    types = schema.get("type", "any")
    kind = next((t for t in types if t != "null"), "null") if isinstance(types, list) else types
    if "enum" in schema or "const" in schema:
        values = schema.get("enum", [schema.get("const")])
        return (("one of: " + ", ".join(str(v) for v in values), None),)
    if kind == "array":
        return (("list of ", None), *words(schema.get("items", {})))
    text = FORMATS.get(schema.get("format"), {"string": "text"}.get(kind, kind))
    limits = []
    if "minimum" in schema or "maximum" in schema:
        limits.append(f"from {schema.get('minimum', '…')} to {schema.get('maximum', '…')}")
    if "maxLength" in schema:
        limits.append(f"at most {schema['maxLength']} characters")
    if "pattern" in schema and "u0000" in schema["pattern"]:
        limits.append("no control characters")
    elif "pattern" in schema:
        limits.append(f"matching {schema['pattern']}")
    return ((", ".join([text, *limits]), None),)


def nullable(schema: dict[str, Any]) -> bool:
    types = schema.get("type")
    branches = schema.get("anyOf") or schema.get("oneOf") or ()
    return (isinstance(types, list) and "null" in types) or {"type": "null"} in branches


def fields(schema: dict[str, Any]) -> list[Row]:
    required = set(schema.get("required", ()))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        description = prose(prop.get("description", ""))
        rows.append(Row(name, words(prop), name in required, nullable(prop), description))
    return rows


def parameters(op: dict[str, Any]) -> list[Row]:
    rows = []
    for p in op.get("parameters", ()):
        kind = (*words(p["schema"]), (f" (in the {p['in']})", None))
        rows.append(Row(p["name"], kind, p["required"], False, prose(p.get("description"))))
    return rows


def answers(op: dict[str, Any]) -> list[Row]:
    rows = []
    for status, answer in op["responses"].items():
        ((media, body),) = answer["content"].items()
        kind = (*words(body["schema"]), (f" ({media})", None))
        rows.append(Row(status, kind, False, False, prose(answer["description"])))
    return rows


@cache
def reference() -> dict[str, Any]:
    doc = document()
    documents = ("/openapi.json", "/api/reference")  # after the operations on the data
    paths = sorted(doc["paths"], key=lambda p: (p in documents, p))
    operations = [
        {
            "path": path,
            "id": item["get"]["operationId"],
            "summary": item["get"]["summary"],
            "description": prose(item["get"].get("description", "")),
            "signed_in": "security" in item["get"],
            "parameters": parameters(item["get"]),
            "answers": answers(item["get"]),
        }
        for path, item in ((p, doc["paths"][p]) for p in paths)
    ]
    shapes = [
        {"name": name, "description": prose(schema.get("description")), "fields": fields(schema)}
        for name, schema in doc["components"]["schemas"].items()
    ]
    return {"info": doc["info"], "operations": operations, "shapes": shapes}


@operation(
    "/api/reference",
    "apiReference",
    "This reference: the OpenAPI document as a page to read",
    None,
    media="text/html",
    answer_words="The API reference page.",
)
@requires(Permission.PUBLIC)
def api_reference():
    """Every operation with its parameters and answers, and every shape with its fields;
    generated from the same types as /openapi.json."""
    return render_template("api/reference.html", **reference())
