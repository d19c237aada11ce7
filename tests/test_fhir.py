"""The read-only FHIR R4 face (docs/FHIR.md): every body a client receives is a valid FHIR
resource (checked with fhir.resources' R4B models, identical to R4 for these resources), shows
what the public record shows and nothing private, and pages through searches exactly once."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.practitioner import Practitioner as FhirPractitioner
from sqlalchemy import event, func, select

from registry import db
from registry.models import Credential, CredentialType, Practitioner, Profession
from registry.services import credentials as credential_service
from registry.services.practitioners import find, update_practitioner
from registry.services.verification import decide

TODAY = date.today()
BASE = "http://localhost"
KEY = ("CA-AB", "physiotherapist", "AB-1002")  # Omar Sato, Calgary, in good standing
LAPSED = ("CA-AB", "physiotherapist", "AB-1001")  # lapsed 100 days ago
AB_PHYSIO = f"{BASE}/fhir/sid/registration/CA-AB/physiotherapist"
CANARIES = ("canary.email@private.example", "+1-555-0199-CANARY", "CANARY-NOTE-7731")
MODELS = {
    m.__name__: m
    for m in (Bundle, CapabilityStatement, CodeSystem, OperationOutcome, FhirPractitioner)
}


@pytest.fixture
def sato(demo, session) -> Practitioner:
    return find(session, *KEY)


def empty_values(value, path: str = "$") -> list[str]:
    """Where ``value`` holds '', [] or {} (FHIR JSON forbids them) or a null."""
    if value in ("", [], {}, None):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in empty_values(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in empty_values(v, f"{path}[{i}]")]
    return []


def fhir(client, url: str, status: int = 200, resource_type: str | None = None) -> dict:
    """GET ``url``: the status, FHIR's content type, a body that validates as its
    resourceType (and is ``resource_type`` when given, OperationOutcome for errors)."""
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:1000]
    assert response.headers["Content-Type"] == "application/fhir+json; charset=utf-8"
    body = response.get_json(force=True)
    expected = resource_type or ("OperationOutcome" if status >= 400 else body["resourceType"])
    assert body["resourceType"] == expected
    MODELS[expected].model_validate(body)
    assert empty_values(body) == []
    return body


def outcome(client, url: str, status: int, code: str) -> str:
    body = fhir(client, url, status, "OperationOutcome")
    [issue] = body["issue"]
    assert issue["severity"] == "error" and issue["code"] == code
    return issue["diagnostics"]


def search(client, query: str) -> dict:
    return fhir(client, f"/fhir/Practitioner?{query}", resource_type="Bundle")


def ids(bundle: dict) -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", [])]


def link(bundle: dict, relation: str) -> str | None:
    return next((k["url"] for k in bundle["link"] if k["relation"] == relation), None)


# --- metadata and code systems -----------------------------------------------------------


def test_metadata_is_a_capability_statement(client):
    body = fhir(client, "/fhir/metadata", resource_type="CapabilityStatement")
    assert (body["status"], body["kind"], body["fhirVersion"]) == ("active", "instance", "4.0.1")
    assert body["format"] == ["json"]
    [rest] = body["rest"]
    assert rest["mode"] == "server"
    resources = {r["type"]: r for r in rest["resource"]}
    practitioner = resources["Practitioner"]
    assert {i["code"] for i in practitioner["interaction"]} == {"read", "search-type"}
    names = {p["name"] for p in practitioner["searchParam"]}
    assert names == {"name", "identifier", "_count", "_offset"}
    assert [i["code"] for i in resources["CodeSystem"]["interaction"]] == ["read"]
    assert body["implementation"]["url"] == f"{BASE}/fhir"


@pytest.mark.parametrize(
    ("system_id", "model", "some_codes"),
    [
        ("credential-type", CredentialType, {"needling_authorization", "cpr_certification"}),
        ("profession", Profession, {"physiotherapist", "acupuncturist"}),
    ],
)
def test_code_systems_list_every_code(client, demo, session, system_id, model, some_codes):
    body = fhir(client, f"/fhir/CodeSystem/{system_id}", resource_type="CodeSystem")
    assert body["url"] == f"{BASE}/fhir/CodeSystem/{system_id}"
    assert (body["id"], body["status"], body["content"]) == (system_id, "active", "complete")
    expected = sorted((r[0], r[1]) for r in session.execute(select(model.code, model.name)))
    assert [(c["code"], c["display"]) for c in body["concept"]] == expected
    assert body["count"] == len(expected)
    assert some_codes <= {c["code"] for c in body["concept"]}


# --- reading one practitioner ------------------------------------------------------------


def test_a_practitioner_reads_as_the_public_record_shows_them(client, session, sato):
    body = fhir(client, f"/fhir/Practitioner/{sato.id}", resource_type="Practitioner")
    assert body["id"] == str(sato.id)
    [identifier] = body["identifier"]
    assert identifier["system"] == AB_PHYSIO and identifier["value"] == "AB-1002"
    assert identifier["use"] == "official"
    assert identifier["type"]["text"] == "Registration number"
    assert body["active"] is True
    [name] = body["name"]
    assert (name["family"], name["given"], name["text"]) == ("Sato", ["Omar"], "Omar Sato")
    assert body["address"] == [{"city": "Calgary", "state": "AB"}]
    registration, *credentials = body["qualification"]
    assert registration["identifier"] == [{"system": AB_PHYSIO, "value": "AB-1002"}]
    assert registration["code"]["coding"][0]["code"] == "physiotherapist"
    assert registration["period"]["start"] == sato.registered_since.isoformat()
    assert registration["issuer"]["display"] == "Alberta"
    on_file = session.execute(
        select(Credential, CredentialType.name)
        .join(CredentialType)
        .where(Credential.practitioner_id == sato.id)
        .order_by(Credential.credential_type_code)
    ).all()
    codings = [q["code"]["coding"][0] for q in credentials]
    assert [(c["code"], c["display"]) for c in codings] == [
        (c.credential_type_code, type_name) for c, type_name in on_file
    ]
    assert {c["system"] for c in codings} == {f"{BASE}/fhir/CodeSystem/credential-type"}
    for q, (c, _) in zip(credentials, on_file, strict=True):
        assert q["period"]["start"] == c.issued_on.isoformat()
        assert q["period"].get("end") == (c.expires_on.isoformat() if c.expires_on else None)
        assert q["issuer"] == {"display": c.issuer}
        assert q["identifier"] == [{"value": c.credential_number}]


@pytest.mark.parametrize("status", ["revoked", "rejected"])
def test_withdrawn_credentials_are_no_qualification(client, session, sato, status):
    course = next(c for c in sato.credentials if c.credential_type_code == "dry_needling_course")
    decide(session, "test", course, status, note="CANARY-REVOKED-REASON")
    session.commit()
    body = fhir(client, f"/fhir/Practitioner/{sato.id}")
    codes = [q["code"]["coding"][0]["code"] for q in body["qualification"][1:]]
    assert "dry_needling_course" not in codes and "needling_authorization" in codes
    assert "CANARY-REVOKED-REASON" not in str(body)


def test_each_qualification_says_how_it_was_verified(client, session, sato):
    credential_service.add_credential(
        session, "test", sato, credential_type="cpr_certification", issued_on=date(2026, 1, 5)
    )
    session.commit()
    body = fhir(client, f"/fhir/Practitioner/{sato.id}")
    states = {
        q["code"]["coding"][0]["code"]: {e["url"].rsplit("/", 1)[1]: e for e in q["extension"]}
        for q in body["qualification"][1:]
    }
    assert states["cpr_certification"]["verification-status"]["valueCode"] == "pending"
    assert states["cpr_certification"]["verified"]["valueBoolean"] is False
    assert states["needling_authorization"]["verification-status"]["valueCode"] == "verified"


@pytest.mark.parametrize(
    ("changes", "active"),
    [
        ({}, True),
        ({"registration_status": "suspended", "status_since": TODAY}, False),
        ({"registration_status": "suspended", "status_since": TODAY + timedelta(days=1)}, True),
        ({"registration_expires_on": TODAY - timedelta(days=1)}, False),
        ({"registration_expires_on": TODAY}, True),
        (
            {"registered_since": TODAY + timedelta(days=1), "status_since": TODAY + timedelta(1)},
            False,
        ),
    ],
)
def test_active_means_the_registration_is_in_good_standing_today(
    client, session, sato, changes, active
):
    update_practitioner(session, "test", sato, changes, sato.version)
    session.commit()
    assert fhir(client, f"/fhir/Practitioner/{sato.id}")["active"] is active


def test_a_lapsed_registration_is_inactive(client, demo, session):
    lapsed = find(session, *LAPSED)
    body = fhir(client, f"/fhir/Practitioner/{lapsed.id}")
    assert body["active"] is False
    status = body["qualification"][0]["extension"][0]
    assert status["url"].endswith("/registration-status") and status["valueCode"] == "lapsed"


@pytest.mark.parametrize(
    "practitioner_id",
    ["999999", "0", "abc", "1.0", "-1", "01", "%D9%A1", "99999999999999999999", "2147483648"],
)
def test_unknown_or_malformed_ids_are_404_outcomes(client, demo, practitioner_id):
    outcome(client, f"/fhir/Practitioner/{practitioner_id}", 404, "not-found")


def test_no_private_field_ever_appears(client, session, sato):
    update_practitioner(
        session,
        "test",
        sato,
        {"email": CANARIES[0], "phone": CANARIES[1], "notes": CANARIES[2]},
        sato.version,
    )
    auth = next(c for c in sato.credentials if c.credential_type_code == "needling_authorization")
    decide(session, "test", auth, "verified", note="CANARY-VERIFY-NOTE")
    session.commit()
    urls = [
        f"/fhir/Practitioner/{sato.id}",
        "/fhir/Practitioner?name=sato",
        "/fhir/Practitioner?identifier=AB-1002",
        "/fhir/Practitioner?_count=100",
        "/fhir/metadata",
    ]
    for url in urls:
        text = client.get(url).get_data(as_text=True)
        for canary in (*CANARIES, "CANARY-VERIFY-NOTE", "@example.org", "+1-555-01"):
            assert canary not in text, (url, canary)
        assert '"telecom"' not in text and '"note"' not in text


# --- searching ----------------------------------------------------------------------------


def _count(session, *where) -> int:
    return session.scalar(select(func.count()).select_from(Practitioner).where(*where))


def test_following_next_links_visits_every_match_exactly_once(client, session, demo):
    everyone = _count(session)
    seen: list[str] = []
    bundle = search(client, "_count=7")
    pages = 0
    while True:
        assert bundle["total"] == everyone
        assert len(ids(bundle)) <= 7
        for entry in bundle.get("entry", []):
            assert entry["fullUrl"] == f"{BASE}/fhir/Practitioner/{entry['resource']['id']}"
            assert entry["search"] == {"mode": "match"}
        seen += ids(bundle)
        pages += 1
        nxt = link(bundle, "next")
        if nxt is None:
            break
        assert nxt.startswith(f"{BASE}/fhir/Practitioner?")
        bundle = search(client, urlsplit(nxt).query)
    assert len(seen) == len(set(seen)) == everyone
    assert pages == -(-everyone // 7)
    assert link(bundle, "previous") is not None


def test_links_carry_the_search(client, demo):
    bundle = search(client, "name=smith&_count=2&_offset=2")
    for relation, offset in (("self", "2"), ("first", "0"), ("previous", "0"), ("next", "4")):
        query = parse_qs(urlsplit(link(bundle, relation)).query)
        assert query == {"name": ["smith"], "_count": ["2"], "_offset": [offset]}, relation


def test_name_search_is_a_case_insensitive_prefix_on_either_name(client, session, demo):
    family = search(client, "name=SAT")
    assert family["total"] == _count(session, Practitioner.family_name.like("Sat%"))
    assert all(
        e["resource"]["name"][0]["family"].lower().startswith("sat") for e in family["entry"]
    )
    given = search(client, "name=omar")
    assert given["total"] == _count(session, Practitioner.given_name == "Omar") > 0
    both = search(client, "name=omar%20sa")
    assert {e["resource"]["name"][0]["text"] for e in both["entry"]} == {"Omar Sato"}
    assert search(client, "name=zz-nobody")["total"] == 0


def test_search_results_are_ordered_by_family_given_and_id(client, demo):
    entries = search(client, "name=smith&_count=100")["entry"]
    keys = [
        (e["resource"]["name"][0]["family"], e["resource"]["name"][0]["given"][0], int(i))
        for e, i in zip(entries, ids({"entry": entries}), strict=True)
    ]
    assert len(keys) > 1 and keys == sorted(keys)


def test_count_zero_gives_only_the_total(client, session, demo):
    bundle = search(client, "name=smith&_count=0")
    assert "entry" not in bundle
    assert bundle["total"] == search(client, "name=smith")["total"] > 0
    assert link(bundle, "next") is None


def test_a_large_count_is_clamped_to_100(client, demo):
    bundle = search(client, "_count=5000")
    assert len(ids(bundle)) == min(bundle["total"], 100)
    assert parse_qs(urlsplit(link(bundle, "self")).query)["_count"] == ["100"]


def test_an_offset_past_the_end_is_an_empty_page_with_the_total(client, demo):
    bundle = search(client, "_offset=100000")
    assert "entry" not in bundle and bundle["total"] > 0 and link(bundle, "next") is None


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("AB-1002", ["AB-1002"]),
        ("ab-1002", ["AB-1002"]),
        (f"{AB_PHYSIO}|AB-1002", ["AB-1002"]),
        (f"{AB_PHYSIO}|ab-1002", ["AB-1002"]),
        ("AB-1002,AB-1001", ["AB-1001", "AB-1002"]),
        (f"{BASE}/fhir/sid/registration/CA-BC/physiotherapist|AB-1002", []),
        (f"{BASE}/fhir/sid/registration/CA-AB/massage_therapist|AB-1002", []),
        ("http://example.org/other|AB-1002", []),
        (f"{BASE}/fhir/sid/registration/CA-AB|AB-1002", []),
        ("|AB-1002", []),
        ("AB-999999", []),
    ],
)
def test_identifier_search(client, demo, identifier, expected):
    bundle = search(client, f"identifier={identifier.replace('|', '%7C')}")
    assert bundle["total"] == len(expected)
    numbers = [e["resource"]["identifier"][0]["value"] for e in bundle.get("entry", [])]
    assert sorted(numbers) == expected


def test_identifier_system_alone_finds_everyone_registered_there(client, session, demo):
    bundle = search(client, f"identifier={AB_PHYSIO}%7C&_count=100")
    expected = _count(
        session,
        Practitioner.jurisdiction_code == "CA-AB",
        Practitioner.profession_code == "physiotherapist",
    )
    assert bundle["total"] == len(bundle["entry"]) == expected > 1
    assert {e["resource"]["identifier"][0]["system"] for e in bundle["entry"]} == {AB_PHYSIO}


def test_parameters_combine_with_and(client, demo):
    assert search(client, "name=sato&identifier=AB-1002")["total"] == 1
    assert search(client, "name=smith&identifier=AB-1002")["total"] == 0


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("_count=-1", "_count"),
        ("_count=abc", "_count"),
        ("_count=1.5", "_count"),
        ("_offset=x", "_offset"),
        ("_offset=-3", "_offset"),
        ("_offset=" + "9" * 12, "_offset"),
        ("name:exact=Sato", "name:exact"),
        ("identifier:text=AB", "identifier:text"),
        ("name=a%00b", "name"),
        ("name=" + "a" * 201, "name"),
    ],
)
def test_bad_search_parameters_are_400_outcomes(client, demo, query, names):
    assert outcome(client, f"/fhir/Practitioner?{query}", 400, "invalid").startswith(names)


def test_a_page_costs_three_queries_and_a_read_two_whatever_the_size(client, sato, app):
    """Count, page and the page's credentials: no query per practitioner."""
    app.config["PUBLIC_CACHE_SECONDS"] = 0
    statements: list[str] = []
    connection = db.session().connection()
    event.listen(connection, "before_cursor_execute", lambda *a: statements.append(a[2]))
    counts = []
    for query in ("_count=2", "_count=60", "name=smith&_count=50"):
        statements.clear()
        assert len(ids(search(client, query))) > 1
        counts.append(len(statements))
    assert counts == [3, 3, 3], statements
    statements.clear()
    fhir(client, f"/fhir/Practitioner/{sato.id}")
    assert len(statements) == 2, statements


# --- errors, limits, configuration ---------------------------------------------------------


@pytest.mark.parametrize("url", ["/fhir", "/fhir/", "/fhir/Patient", "/fhir/Practitioner/1/x"])
def test_unknown_paths_are_404_outcomes(client, url):
    outcome(client, url, 404, "not-found")


def test_writes_are_405_outcomes(client, demo, sato):
    for url in ("/fhir/Practitioner", f"/fhir/Practitioner/{sato.id}"):
        response = client.post(url, json={"resourceType": "Practitioner"})
        assert response.status_code == 405
        assert response.headers["Content-Type"] == "application/fhir+json; charset=utf-8"
        assert "GET" in response.headers["Allow"]
        body = OperationOutcome.model_validate(response.get_json(force=True))
        assert body.issue[0].code == "not-supported"


def test_rate_limited_requests_get_a_throttled_outcome(client, demo, app):
    app.config["PUBLIC_RATE_LIMIT"] = "3 per minute"
    assert [client.get("/fhir/Practitioner").status_code for _ in range(3)] == [200] * 3
    assert "too many requests" in outcome(client, "/fhir/Practitioner", 429, "throttled")
    assert client.get("/fhir/Practitioner").headers["Retry-After"]


def test_an_unexpected_failure_is_a_500_outcome_without_details(client, demo, monkeypatch):
    from registry.fhir import views

    def broken(*_args):
        raise RuntimeError("SECRET-INTERNAL-DETAIL")

    monkeypatch.setattr(views, "search_page", broken)
    body = fhir(client, "/fhir/Practitioner?name=zz-uncached", 500, "OperationOutcome")
    assert body["issue"][0]["code"] == "exception"
    assert "SECRET-INTERNAL-DETAIL" not in str(body)


def test_fhir_base_url_sets_every_absolute_url(client, app, sato):
    app.config["FHIR_BASE_URL"] = "https://registry.example.org/"
    base = "https://registry.example.org"
    system = f"{base}/fhir/sid/registration/CA-AB/physiotherapist"
    bundle = search(client, f"identifier={system}%7CAB-1002")
    assert bundle["total"] == 1
    assert link(bundle, "self").startswith(f"{base}/fhir/Practitioner?")
    [entry] = bundle["entry"]
    assert entry["fullUrl"] == f"{base}/fhir/Practitioner/{sato.id}"
    assert entry["resource"]["identifier"][0]["system"] == system
    assert search(client, f"identifier={AB_PHYSIO}%7CAB-1002")["total"] == 0
