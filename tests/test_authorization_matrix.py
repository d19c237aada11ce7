"""Every endpoint x every kind of visitor: anonymous, the manager of clinic A, the manager of
clinic B, a regulator of the record's jurisdiction, a regulator of another one, and an admin.
Records out of scope answer 404 exactly like missing ones. A second test seeds canary private
data and checks that no public page, and no page of another clinic, shows it."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from registry.models import Credential, User
from registry.permissions import Permission
from registry.services import credentials as credential_service
from registry.services.evidence import EvidenceStore
from registry.services.practitioners import find, update_practitioner
from registry.services.secrets import create_token

from .conftest import PASSWORD

TODAY = date.today().isoformat()
CLINIC_A, CLINIC_B = "Bow River Physio", "Harbour Physiotherapy"
KEY = ("CA-AB", "physiotherapist", "AB-1002")  # on the staff of clinic A only
PERSONAS = ["anonymous", "manager_a", "manager_b", "regulator_same", "regulator_other", "admin"]
CANARIES = ("canary.email@private.example", "+1-555-0199-CANARY", "CANARY-NOTE-7731")


class Upload:
    def __init__(self, name: str, data: bytes) -> None:
        self.filename, self.stream = name, io.BytesIO(data)


@pytest.fixture
def world(demo, app, cli, session, make_user, tmp_path):
    """The demo registry, one account per persona, and a credential with evidence."""
    app.config["EVIDENCE_FOLDER"] = str(tmp_path / "evidence")
    users = {
        "manager_a": make_user("clinic_manager", clinics=[CLINIC_A]),
        "manager_b": make_user("clinic_manager", clinics=[CLINIC_B]),
        "regulator_same": make_user("regulator", jurisdictions=["CA-AB"]),
        "regulator_other": make_user("regulator", jurisdictions=["US-CO"]),
        "admin": make_user("admin"),
    }
    p = find(session, *KEY)
    ref = EvidenceStore(tmp_path / "evidence", 10**6).store(Upload("cert.pdf", b"%PDF-1.4 x"))
    cred = credential_service.add_credential(
        session,
        "test",
        p,
        credential_type="cpr_certification",
        issuer="Red Cross",
        issued_on=date(2025, 1, 1),
        expires_on=date(2027, 1, 1),
        evidence_ref=ref,
    )
    update_practitioner(
        session,
        "test",
        p,
        {"email": CANARIES[0], "phone": CANARIES[1], "notes": CANARIES[2]},
        p.version,
    )
    token, _secret = create_token(session, "test", users["manager_a"], "Scheduling sync")
    session.commit()
    return {"users": users, "credential": cred, "practitioner": p, "token": token}


def become(client, world, persona: str) -> None:
    """Log the client in as ``persona`` (or stay anonymous)."""
    if persona != "anonymous":
        user: User = world["users"][persona]
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302


P = "/".join(KEY)
OK, LOGIN, NOT_FOUND, UNAUTH = 200, "login", 404, 401
# url -> expected answer per persona, in PERSONAS order
GET_MATRIX = {
    "/": [OK] * 6,
    "/about": [OK] * 6,
    "/healthz": [OK] * 6,
    "/login": [OK] * 6,
    "/openapi.json": [OK] * 6,
    "/fhir/metadata": [OK] * 6,
    "/fhir/Practitioner?name=sato": [OK] * 6,
    "/fhir/Practitioner/{practitioner}": [OK] * 6,
    "/fhir/CodeSystem/credential-type": [OK] * 6,
    "/fhir/CodeSystem/profession": [OK] * 6,
    f"/practitioners/{P}": [OK] * 6,
    "/api/v1/practitioners?q=sato": [OK] * 6,
    f"/api/v1/practitioners/{P}": [OK] * 6,
    "/api/v1/export.csv": [UNAUTH, OK, OK, OK, OK, OK],  # each sees their own scope
    "/api/v1/export.json": [UNAUTH, OK, OK, OK, OK, OK],
    f"/api/v1/practitioners/{P}/evidence": [UNAUTH, OK, NOT_FOUND, OK, NOT_FOUND, OK],
    f"/evidence-bundles/{P}": [LOGIN, OK, NOT_FOUND, OK, NOT_FOUND, OK],
    "/api/v1/audit?jurisdiction=CA-AB": [UNAUTH, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK],
    "/api/v1/changes?since=2000-01-01": [UNAUTH, OK, OK, OK, OK, OK],
    "/account/tokens": [LOGIN, OK, OK, OK, OK, OK],
    "/clinic/calendar": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK],
    "/calendar/cal_unknown.ics": [NOT_FOUND] * 6,
    "/account/password": [LOGIN, OK, OK, OK, OK, OK],
    "/clinic/": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK],
    "/clinic/book": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK],
    "/clinic/expiries?days=30": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK],
    "/clinic/gaps": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK],
    "/clinic/export.csv": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK],
    "/clinic/roster": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK],
    f"/clinic/practitioners/{P}": [LOGIN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK],
    "/clinic/evidence/{credential}": [LOGIN, OK, NOT_FOUND, OK, NOT_FOUND, OK],
    "/regulator/": [LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK],
    "/regulator/audit?jurisdiction=CA-AB": [LOGIN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK],
    f"/regulator/practitioners/{P}": [LOGIN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK],
    "/regulator/verification": [LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK],
    "/regulator/rules": [LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK],
    "/regulator/rules/upload": [LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK],
    "/regulator/rules/download.yaml": [LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK],
    "/admin/users": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK],
    "/admin/users/{manager_a}": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK],
}
# Writes: an empty form is enough to tell "may not" (login / 404) from "may" (anything else,
# typically 400 for the missing fields). Nothing here may answer 500.
POST_MATRIX = {
    "/login": ["may"] * 6,
    "/logout": [LOGIN, "may", "may", "may", "may", "may"],
    "/account/password": [LOGIN, "may", "may", "may", "may", "may"],
    "/account/tokens": [LOGIN, "may", "may", "may", "may", "may"],
    "/account/tokens/{token}/revoke": [LOGIN, "may", NOT_FOUND, NOT_FOUND, NOT_FOUND, "may"],
    "/admin/users/{manager_a}/tokens": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, "may"],
    "/clinic/calendar": [LOGIN, "may", "may", NOT_FOUND, NOT_FOUND, "may"],
    "/clinic/calendar/revoke": [LOGIN, "may", "may", NOT_FOUND, NOT_FOUND, "may"],
    "/clinic/roster": [LOGIN, "may", "may", NOT_FOUND, NOT_FOUND, "may"],
    "/regulator/rules/upload": [LOGIN, NOT_FOUND, NOT_FOUND, "may", "may", "may"],
    "/clinic/staff": [LOGIN, "may", "may", NOT_FOUND, NOT_FOUND, "may"],
    f"/clinic/practitioners/{P}/contact": [LOGIN, "may", NOT_FOUND, NOT_FOUND, NOT_FOUND, "may"],
    f"/clinic/practitioners/{P}/modalities": [LOGIN, "may", NOT_FOUND, NOT_FOUND, NOT_FOUND, "may"],
    f"/clinic/practitioners/{P}/credentials": [
        LOGIN,
        "may",
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        "may",
    ],
    f"/clinic/practitioners/{P}/credentials/{{credential}}/renew": [
        LOGIN,
        "may",
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        "may",
    ],
    f"/clinic/practitioners/{P}/remove": [LOGIN, "may", NOT_FOUND, NOT_FOUND, NOT_FOUND, "may"],
    "/regulator/verification/{credential}": [LOGIN, NOT_FOUND, NOT_FOUND, "may", NOT_FOUND, "may"],
    "/regulator/credentials/{credential}/decision": [
        LOGIN,
        NOT_FOUND,
        NOT_FOUND,
        "may",
        NOT_FOUND,
        "may",
    ],  # fmt: skip
    "/regulator/rules/activate": [LOGIN, NOT_FOUND, NOT_FOUND, "may", "may", "may"],
    "/admin/users": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, "may"],
    "/admin/users/{manager_a}": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, "may"],
    "/admin/users/{manager_a}/active": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, "may"],
}


def _url(template: str, world) -> str:
    return template.format(
        credential=world["credential"].id,
        manager_a=world["users"]["manager_a"].id,
        practitioner=world["practitioner"].id,
        token=world["token"].id,
    )


def _check(response, expected) -> None:
    status = response.status_code
    assert status < 500, response.get_data(as_text=True)[:500]
    if expected == LOGIN:
        assert status == 302 and "/login" in response.headers["Location"]
    elif expected == "may":
        assert status not in (404, 401) and "/login" not in response.headers.get("Location", "")
    else:
        assert status == expected


def test_every_endpoint_is_in_the_matrix(app):
    covered = {
        (m, u.split("?")[0])
        for m, table in (("GET", GET_MATRIX), ("POST", POST_MATRIX))
        for u in table
    }
    rules = {
        (m, r.rule)
        for r in app.url_map.iter_rules()
        if r.endpoint != "static"
        for m in r.methods & {"GET", "POST"}
    }
    templates = {
        "<jurisdiction>/<profession>/<path:registration_number>": P,
        "<jurisdiction>/<profession>/<path:number>": P,
        "<jurisdiction>/<profession>/<number>": P,
        "<id:credential_id>": "{credential}",
        "<id:user_id>": "{manager_a}",
        "<id:token_id>": "{token}",
        "<secret>": "cal_unknown",
        "<practitioner_id>": "{practitioner}",
    }
    missing = []
    for method, rule in rules:
        url = rule
        for pattern, value in templates.items():
            url = url.replace(pattern, value)
        if (method, url) not in covered:
            missing.append((method, rule))
    assert sorted(missing) == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_get_matrix(client, world, persona):
    index = PERSONAS.index(persona)
    become(client, world, persona)
    for template, expected in GET_MATRIX.items():
        _check(client.get(_url(template, world)), expected[index])


@pytest.mark.parametrize("persona", PERSONAS)
def test_post_matrix(client, world, persona, session):
    index = PERSONAS.index(persona)
    become(client, world, persona)
    for template, expected in POST_MATRIX.items():
        if template.endswith(("/remove", "/active")) or template in ("/logout", "/login"):
            continue  # they change state whatever the form says; checked below
        _check(client.post(_url(template, world)), expected[index])


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_answer_with_private_or_scoped_data_is_no_store(app, client, world, persona):
    """Logged in, or on a page that needs more than public access: ``Cache-Control:
    no-store``. Public pages seen anonymously keep their caching."""
    become(client, world, persona)
    for template in GET_MATRIX:
        url = _url(template, world)
        endpoint, _ = app.url_map.bind("localhost").match(url.split("?")[0], method="GET")
        public = app.view_functions[endpoint].permission is Permission.PUBLIC
        cache_control = client.get(url).headers.get("Cache-Control", "")
        assert ("no-store" in cache_control) != (public and persona == "anonymous"), url


@pytest.mark.parametrize("persona", ["anonymous", "manager_b", "regulator_same", "regulator_other"])
def test_state_changing_posts_are_refused_to_outsiders(client, world, persona, session):
    index = PERSONAS.index(persona)
    become(client, world, persona)
    for template in (f"/clinic/practitioners/{P}/remove", "/admin/users/{manager_a}/active"):
        _check(client.post(_url(template, world)), POST_MATRIX[template][index])
    assert world["users"]["manager_a"].active
    assert session.scalar(select(Credential).where(Credential.id == world["credential"].id))


@pytest.mark.parametrize("persona", ["anonymous", "manager_b", "regulator_other"])
def test_private_data_never_reaches_the_public_or_another_clinic(client, world, persona):
    pages = [u for u in GET_MATRIX if GET_MATRIX[u][PERSONAS.index(persona)] == OK]
    pages += [
        "/?q=sato",
        "/api/v1/practitioners?city=Calgary",
        "/?jurisdiction=CA-AB",
        "/clinic/practitioners/CA-AB/physiotherapist/AB-1002",
    ]
    become(client, world, persona)
    for template in pages:
        body = client.get(_url(template, world)).get_data(as_text=True)
        for canary in CANARIES:
            assert canary not in body, (persona, template)
        assert "cert.pdf" not in body and "%PDF" not in body


def test_the_own_clinic_and_the_regulator_do_see_private_data(client, world):
    become(client, world, "manager_a")
    assert CANARIES[0] in client.get(f"/clinic/practitioners/{P}").get_data(as_text=True)
    client.post("/logout")
    become(client, world, "regulator_same")
    assert CANARIES[0] in client.get(f"/regulator/practitioners/{P}").get_data(as_text=True)


def test_claiming_staff_by_key_does_not_reveal_another_clinics_contacts(client, world):
    """Manager B adds clinic A's practitioner to B's staff: B now sees their verdicts, but not
    the contact details clinic A entered; clinic A no longer sees them either once shared."""
    become(client, world, "manager_b")
    added = client.post(
        "/clinic/staff",
        data={"jurisdiction": KEY[0], "profession": KEY[1], "registration_number": KEY[2]},
    )
    assert added.status_code in (200, 302)
    page = client.get(f"/clinic/practitioners/{P}").get_data(as_text=True)
    assert "Omar Sato" in page
    assert "also works at a clinic you do not manage" in page
    for canary in CANARIES:
        assert canary not in page
    export = client.get("/clinic/export.csv").get_data(as_text=True)
    assert "AB-1002" in export and CANARIES[0] not in export and CANARIES[1] not in export
