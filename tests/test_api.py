"""The JSON API of CONTRACT §6: public search and records, the audit for regulators and
admins, JSON errors, rate limits, and an OpenAPI document that matches every answer."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from registry.models import Credential, Practitioner
from registry.read.audit import run_audit
from registry.read.params import AuditQuery
from registry.read.rulebook import rule_book
from registry.services import credentials as credential_service
from registry.services.verification import decide

DEFAULT_RULES = str(Path(__file__).parent.parent / "registry" / "rules" / "default_rules.yaml")
RESULT_KEYS = {
    "jurisdiction",
    "profession",
    "registration_number",
    "name",
    "status",
    "class",
    "city",
    "url",
}


@pytest.fixture
def spec(client) -> dict:
    return client.get("/openapi.json").get_json()


def get_json(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:1000]
    assert response.mimetype == "application/json"
    return response.get_json()


# --- a minimal JSON Schema check (the subset openapi.py uses) ----------------------------


def conforms(value, schema: dict, spec: dict, path: str = "$") -> list[str]:
    """Problems of ``value`` against ``schema``: $ref, type (or a list of types), enum,
    required, properties, additionalProperties: false, items, min/maxItems, format date."""
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types or []
    python = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "boolean": bool,
        "null": type(None),
    }
    if types and not any(
        isinstance(value, python[t]) and not (t == "integer" and isinstance(value, bool))
        for t in types
    ):
        return [f"{path}: {value!r} is not {types}"]
    problems = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {value!r} not in {schema['enum']}")
    is_date = schema.get("format") == "date" and isinstance(value, str)
    if is_date and not re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        problems.append(f"{path}: {value!r} is not a date")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        problems += [f"{path}: missing {k}" for k in schema.get("required", []) if k not in value]
        if schema.get("additionalProperties") is False:
            problems += [f"{path}: unexpected {k}" for k in value if k not in props]
        for k, v in value.items():
            if k in props:
                problems += conforms(v, props[k], spec, f"{path}.{k}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 1e9):
            problems.append(f"{path}: {len(value)} items")
        for i, item in enumerate(value):
            problems += conforms(item, schema.get("items", {}), spec, f"{path}[{i}]")
    return problems


def documented(spec: dict, template: str, status: int) -> dict:
    return spec["paths"][template]["get"]["responses"][str(status)]["content"]["application/json"][
        "schema"
    ]


def check(client, spec, url: str, template: str, status: int = 200):
    body = get_json(client, url, status)
    assert conforms(body, documented(spec, template, status), spec) == []
    return body


SEARCH = "/api/v1/practitioners"
RECORD = "/api/v1/practitioners/{jurisdiction}/{profession}/{registration_number}"
AUDIT = "/api/v1/audit"


# --- public search -----------------------------------------------------------------------


def test_search_answers_the_contract_shape(client, demo, spec):
    body = check(client, spec, "/api/v1/practitioners?q=smith", SEARCH)
    assert (body["page"], body["page_size"], body["total"]) == (1, 20, 6)
    assert {r["registration_number"] for r in body["results"]} == {
        "AB-1018",
        "AB-1058",
        "BC-1034",
        "NJ-1054",
        "QC-1038",
        "UT-1014",
    }
    assert all(set(r) == RESULT_KEYS for r in body["results"])
    assert [r["name"] for r in body["results"]][:3] == ["Hannah Smith"] * 3  # by given name
    mei = next(r for r in body["results"] if r["registration_number"] == "AB-1018")
    assert mei == {
        "jurisdiction": "CA-AB",
        "profession": "physiotherapist",
        "registration_number": "AB-1018",
        "name": "Mei Smith",
        "status": "active",
        "class": "general",
        "city": "Calgary",
        "url": "/api/v1/practitioners/CA-AB/physiotherapist/AB-1018",
    }
    assert get_json(client, mei["url"])["name"] == "Mei Smith"


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ("q=SMI", 6),
        ("q=ab-1002", 1),
        ("city=CALGARY", 16),
        ("jurisdiction=ca-ab", 16),
        ("profession=acupuncturist", 4),
        ("modality=ims", 2),
        # authorized only: not Lucas Lévesque, whose authorization waits for verification
        ("city=calgary&modality=dry_needling", 8),
        ("jurisdiction=US-NY&modality=dry_needling", 0),
        ("", 61),
    ],
)
def test_search_filters(client, demo, query, total):
    assert get_json(client, f"/api/v1/practitioners?{query}")["total"] == total


def test_search_pages(client, demo, app, spec):
    app.config["PAGE_SIZE"] = 4
    pages = [
        check(client, spec, f"/api/v1/practitioners?city=calgary&page={n}", SEARCH)
        for n in (1, 2, 3, 4, 5)
    ]
    assert [len(p["results"]) for p in pages] == [4, 4, 4, 4, 0]
    assert {p["total"] for p in pages} == {16}
    numbers = [r["registration_number"] for p in pages for r in p["results"]]
    assert len(set(numbers)) == 16


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("page=abc", "page: must be a whole number from 1 to 100000"),
        ("page=-1", "page:"),
        ("page=0", "page:"),
        ("page=1e3", "page:"),
        ("page=100001", "page:"),
        ("page=" + "9" * 40, "page:"),
        ("modality=cupping", "modality: must be one of dry_needling, ims, acupuncture"),
        ("jurisdiction=CA-XX", "jurisdiction: unknown jurisdiction 'CA-XX'"),
        ("profession=astronaut", "profession: unknown profession 'astronaut'"),
        ("q=%00", "q: must not contain control characters"),
        ("q=" + "x" * 101, "q: at most 100 characters"),
        ("city=a%01b", "city: must not contain control characters"),
    ],
)
def test_bad_search_parameters_are_400_with_a_reason(client, demo, spec, query, reason):
    body = check(client, spec, f"/api/v1/practitioners?{query}", SEARCH, 400)
    assert reason in body["error"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(["q", "jurisdiction", "profession", "modality", "city", "page", "x"]),
        st.text(max_size=30) | st.integers(-(10**20), 10**20).map(str),
    )
)
def test_no_search_input_is_a_server_error(client, spec, params):
    response = client.get("/api/v1/practitioners", query_string=params)
    assert response.status_code in (200, 400), params
    schema = documented(spec, SEARCH, response.status_code)
    assert conforms(response.get_json(), schema, spec) == []


# --- public records ----------------------------------------------------------------------


def test_record_answers_the_contract_shape(client, demo, spec):
    body = check(client, spec, "/api/v1/practitioners/CA-AB/physiotherapist/AB-1002", RECORD)
    assert {k: body[k] for k in ("name", "status", "class", "city", "clinics")} == {
        "name": "Omar Sato",
        "status": "active",
        "class": "general",
        "city": "Calgary",
        "clinics": ["Bow River Physio"],
    }
    assert body["as_of"] == date.today().isoformat()  # today, read as the test runs
    assert [m["modality"] for m in body["modalities"]] == ["dry_needling", "ims", "acupuncture"]
    dry = body["modalities"][0]
    assert dry["declared"] and dry["authorized"] and dry["verdict"] == "authorized"
    assert dry["verdict_label"] == "Authorized"
    assert dry["rule_id"] == "ab-physio-needling" and dry["source"].startswith("https://")
    assert dry["basis"].startswith("needling authorization, College of Physiotherapists of Alberta")
    assert {c["type"] for c in dry["credentials"]} == {
        "needling_authorization",
        "dry_needling_course",
    }
    assert dry["claimed_credentials"] == []
    assert {c["type"]: c["status"] for c in body["credentials"]} == {
        "needling_authorization": "current",
        "dry_needling_course": "current",
    }
    assert all(c["verified"] and c["verified_on"] for c in body["credentials"])
    assert {c["verification_status"] for c in body["credentials"]} == {"verified"}


def test_the_basis_tells_verified_credentials_from_claims(client, demo, session, spec):
    """A course the rule does not require verified counts while pending, but is listed apart:
    the basis names only verified credentials."""
    omar = session.scalar(select(Practitioner).where(Practitioner.registration_number == "AB-1002"))
    course = next(c for c in omar.credentials if c.credential_type_code == "dry_needling_course")
    credential_service.renew_credential(
        session, "test", course, issued_on=course.issued_on, expires_on=None, credential_number="X"
    )
    decide(session, "test", course, "revoked", note="replaced by a new certificate")
    body = check(client, spec, "/api/v1/practitioners/CA-AB/physiotherapist/AB-1002", RECORD)
    dry = body["modalities"][0]
    assert dry["verdict"] == "authorized"
    assert [c["type"] for c in dry["credentials"]] == ["needling_authorization"]
    assert [c["verification_status"] for c in dry["claimed_credentials"]] == ["pending"]


def test_no_rule_on_file_is_never_authorized(client, demo, spec):
    body = check(client, spec, "/api/v1/practitioners/CA-BC/massage_therapist/BC-1003", RECORD)
    dry = body["modalities"][0]
    assert (dry["authorized"], dry["verdict"], dry["rule_id"], dry["source"]) == (
        False,
        "no_rule",
        None,
        None,
    )
    assert dry["verdict_label"] == "No rule on file" and dry["credentials"] == []


def test_record_credential_states(client, demo, session, spec):
    nj = check(client, spec, "/api/v1/practitioners/US-NJ/physiotherapist/NJ-1016", RECORD)
    assert {c["type"]: c["status"] for c in nj["credentials"]}["cpr_certification"] == "expiring"
    bc = check(client, spec, "/api/v1/practitioners/CA-BC/physiotherapist/BC-1012", RECORD)
    assert "expired" in {c["status"] for c in bc["credentials"]}
    auth = session.scalar(
        select(Credential)
        .join(Practitioner)
        .where(
            Practitioner.registration_number == "AB-1015",
            Credential.credential_type_code == "needling_authorization",
        )
    )
    body = check(client, spec, "/api/v1/practitioners/CA-AB/physiotherapist/AB-1015", RECORD)
    unverified = next(c for c in body["credentials"] if c["type"] == "needling_authorization")
    assert (unverified["verified"], unverified["verified_on"]) == (False, None)
    assert unverified["verification_status"] == "pending"
    assert body["modalities"][0]["verdict"] == "pending_verification"
    assert not body["modalities"][0]["authorized"]
    decide(session, "test", auth, "verified")
    body = check(client, spec, "/api/v1/practitioners/CA-AB/physiotherapist/AB-1015", RECORD)
    assert body["modalities"][0]["verdict"] == "authorized"
    decide(session, "test", auth, "revoked", note="forged")
    body = check(client, spec, "/api/v1/practitioners/CA-AB/physiotherapist/AB-1015", RECORD)
    revoked = next(c for c in body["credentials"] if c["type"] == "needling_authorization")
    assert (revoked["status"], revoked["verification_status"]) == ("revoked", "revoked")
    assert [d["status"] for d in revoked["verification_history"]] == ["verified", "revoked"]
    assert body["modalities"][0]["verdict"] == "not_authorized"
    assert "forged" not in json.dumps(body)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/practitioners/CA-AB/physiotherapist/NOPE",
        "/api/v1/practitioners/ZZ/physiotherapist/AB-1002",
        "/api/v1/practitioners/CA-AB/physiotherapist/AB-1002%00",
        "/api/v1/practitioners/CA-AB/physiotherapist/%F0%9F%A6%94/x",
        "/api/v1/practitioners/CA-AB/physiotherapist",
    ],
)
def test_unknown_record_is_a_json_404(client, demo, path):
    assert "error" in get_json(client, path, 404)


# --- the audit ---------------------------------------------------------------------------


@pytest.fixture
def audit_users(demo, make_user):
    return {
        "manager": make_user("clinic_manager", clinics=["Bow River Physio"]),
        "ontario": make_user("regulator", jurisdictions=["CA-ON"]),
        "alberta": make_user("regulator", jurisdictions=["CA-AB"]),
        "west": make_user("regulator", jurisdictions=["CA-AB", "CA-BC"]),
        "admin": make_user("admin"),
    }


def test_audit_needs_a_login(client, demo, spec):
    body = check(client, spec, "/api/v1/audit?jurisdiction=CA-AB", AUDIT, 401)
    assert body["error"]


@pytest.mark.parametrize(
    ("who", "query", "status"),
    [
        ("manager", "jurisdiction=CA-AB", 404),
        ("manager", "", 404),
        ("ontario", "jurisdiction=CA-AB", 404),
        ("ontario", "jurisdiction=ZZ-ZZ", 404),
        ("alberta", "jurisdiction=CA-AB", 200),
        ("alberta", "jurisdiction=ca-ab", 200),
        ("west", "jurisdiction=CA-BC", 200),
        ("west", "", 400),
        ("admin", "jurisdiction=CA-ON", 200),
        ("admin", "jurisdiction=ZZ-ZZ", 404),
    ],
)
def test_audit_is_for_regulators_in_their_jurisdictions_and_admins(
    client, login, audit_users, spec, who, query, status
):
    login(audit_users[who])
    body = check(client, spec, f"/api/v1/audit?{query}", AUDIT, status)
    if status == 404:
        assert body["error"]


def test_regulator_audit_is_the_contract_document(client, login, audit_users, session):
    login(audit_users["alberta"])
    body = get_json(client, "/api/v1/audit?as_of=2026-11-21&window=30")
    query = AuditQuery(date(2026, 11, 21), 30, "CA-AB")
    expected = run_audit(session, rule_book(session), query)
    assert body == json.loads(json.dumps(expected))
    assert (body["jurisdiction"], body["window_days"]) == ("CA-AB", 30)
    assert body["practitioners_checked"] == 16


def test_admin_audit_defaults_to_everyone_today(client, login, audit_users, cli):
    login(audit_users["admin"])
    body = get_json(client, "/api/v1/audit")
    assert (body["jurisdiction"], body["as_of"], body["window_days"]) == (
        None,
        date.today().isoformat(),
        60,
    )
    expected = json.loads(cli("registry", "audit").output)
    assert body == expected


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("as_of=2026-02-30", "as_of: impossible date '2026-02-30'"),
        ("as_of=yesterday", "as_of: 'yesterday' is not a date"),
        ("as_of=20261121", "as_of:"),
        ("as_of=9999-12-31", "as_of: must be between 1900-01-01 and 2999-12-31"),
        ("window=-1", "window: must be a whole number of days from 0 to 3650"),
        ("window=abc", "window:"),
        ("window=3651", "window:"),
        ("window=" + "9" * 50, "window:"),
    ],
)
def test_bad_audit_parameters_are_400(client, login, audit_users, spec, query, reason):
    login(audit_users["admin"])
    body = check(client, spec, f"/api/v1/audit?{query}", AUDIT, 400)
    assert reason in body["error"]


# --- limits and the document -------------------------------------------------------------


def test_rate_limited_api_answers_429_in_json(client, demo, app, spec):
    app.config["PUBLIC_RATE_LIMIT"] = "3 per minute"
    assert [client.get("/api/v1/practitioners?q=smith").status_code for _ in range(3)] == [200] * 3
    body = check(client, spec, "/api/v1/practitioners?q=smith", SEARCH, 429)
    assert "too many requests" in body["error"]


def flask_to_openapi(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_openapi_document_describes_every_api_route(client, app, spec):
    response = client.get("/openapi.json")
    json.loads(response.get_data(as_text=True))
    assert spec["openapi"] == "3.1.0"
    routes = {
        flask_to_openapi(r.rule) for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")
    }
    assert routes == set(spec["paths"])
    for path, item in spec["paths"].items():
        for status, response in item["get"]["responses"].items():
            assert 200 <= int(status) < 500, (path, status)
            assert response["description"]
    names = {p["name"] for p in spec["paths"][SEARCH]["get"]["parameters"]}
    assert names == {"q", "jurisdiction", "profession", "modality", "city", "page"}
    refs = re.findall(r'"#/components/schemas/([A-Za-z]+)"', json.dumps(spec))
    assert set(refs) <= set(spec["components"]["schemas"])
