"""The API's schema comes from types: the document is generated from the shapes the answers
are built with, it is closed and complete, the streamed shapes (exports, audits) hold to
their types though no row is validated on the way out, and the reference page reads it."""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape
from pydantic import TypeAdapter

from registry.api.openapi import document
from registry.schema.audit import Audit
from registry.schema.export import Export, ExportPractitioner


@pytest.fixture
def doc() -> dict:
    return document()


def test_every_object_answered_is_closed_and_every_field_present(doc):
    open_by_design = {"RequirementItem"}  # rule items: only the keys that say something
    for name, schema in doc["components"]["schemas"].items():
        if "anyOf" in schema:  # one of closed objects (/api/v1/me: own record or account)
            assert all("$ref" in choice for choice in schema["anyOf"]), name
            continue
        assert schema["type"] == "object" and schema["additionalProperties"] is False, name
        if name not in open_by_design:
            assert set(schema["required"]) == set(schema["properties"]), name


def test_codes_are_enums_and_nullable_fields_say_so(doc):
    schemas = doc["components"]["schemas"]
    assert schemas["ModalityStatus"]["properties"]["verdict"]["enum"] == [
        "authorized",
        "pending_verification",
        "not_authorized",
        "no_rule",
    ]
    assert "registration_inactive" in schemas["Gap"]["properties"]["kind"]["enum"]
    assert schemas["Credential"]["properties"]["verification"]["enum"] == [
        "pending",
        "verified",
        "rejected",
        "revoked",
    ]
    assert schemas["Practitioner"]["properties"]["class"]["type"] == ["string", "null"]
    assert schemas["Credential"]["properties"]["expires_on"] == {
        "type": ["string", "null"],
        "format": "date",
    }
    assert '"title"' not in json.dumps(doc["components"])  # pydantic's, of no use to a reader


def test_parameters_come_from_the_query_objects(doc):
    search = {p["name"]: p for p in doc["paths"]["/api/v1/practitioners"]["get"]["parameters"]}
    assert search["q"]["schema"]["maxLength"] == 100 and not search["q"]["required"]
    assert search["page"]["schema"]["minimum"] == 1
    assert search["page"]["schema"]["maximum"] == 100_000
    audit = {p["name"]: p for p in doc["paths"]["/api/v1/audit"]["get"]["parameters"]}
    assert audit["window"]["schema"]["maximum"] == 3650
    assert audit["as_of"]["schema"] == {"type": "string", "format": "date"}
    since = doc["paths"]["/api/v1/changes"]["get"]["parameters"][0]
    assert since["name"] == "since" and since["required"] is True


def test_the_streamed_export_holds_to_its_shape(client, demo, make_user, login):
    login(make_user("admin"))
    body = client.get("/api/v1/export.json").get_json()
    assert body["practitioners"]
    Export.model_validate(body)  # every practitioner and credential, as the document says
    for row in body["practitioners"]:
        assert list(row) == [
            info.alias or name for name, info in ExportPractitioner.model_fields.items()
        ]


def test_the_audit_holds_to_its_shape(client, demo, make_user, login):
    login(make_user("admin"))
    body = client.get("/api/v1/audit").get_json()
    assert body["gaps"]
    TypeAdapter(Audit).validate_python(body)


def test_the_reference_page_reads_the_document_and_loads_nothing_from_elsewhere(client, doc):
    response = client.get("/api/reference")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    for path, item in doc["paths"].items():
        assert f"GET {path}" in html and str(escape(item["get"]["summary"])) in html
    for name in doc["components"]["schemas"]:
        assert f'id="shape-{name}"' in html
    assert "<script" not in html and "style=" not in html
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)
    assert 'href="/openapi.json"' in html


def test_the_tokens_page_links_the_reference(client, make_user, login):
    login(make_user("admin"))
    assert 'href="/api/reference"' in client.get("/account/tokens").get_data(as_text=True)
