"""Every endpoint x every kind of visitor: anonymous, the manager of clinic A, the manager of
clinic B, a regulator of the record's jurisdiction, a regulator of another one, an admin, and
a practitioner with their own account (a colleague at clinic A, not the record's owner).
Records out of scope answer 404 exactly like missing ones. A second test seeds canary private
data and checks that no public page, no page of another clinic and no other practitioner's
page shows it."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from registry.models import Clinic, Credential, User
from registry.permissions import Permission
from registry.services import credentials as credential_service
from registry.services.evidence import EvidenceStore
from registry.services.practitioners import find, update_practitioner
from registry.services.secrets import create_token

from .clinic_helpers import own_account
from .conftest import PASSWORD

TODAY = date.today().isoformat()
CLINIC_A, CLINIC_B = "Bow River Physio", "Harbour Physiotherapy"
KEY = ("CA-AB", "physiotherapist", "AB-1002")  # on the staff of clinic A only
PERSONAS = [
    "anonymous", "manager_a", "manager_b", "regulator_same", "regulator_other", "admin",
    "practitioner",
]  # fmt: skip
COLLEAGUE = ("CA-AB", "physiotherapist", "AB-1010")  # the practitioner persona's own record
CANARIES = ("canary.email@private.example", "+1-555-0199-CANARY", "CANARY-NOTE-7731")


class Upload:
    def __init__(self, name: str, data: bytes) -> None:
        self.filename, self.stream = name, io.BytesIO(data)


@pytest.fixture
def world(demo, app, cli, session, make_user, tmp_path, outbox):
    """The demo registry, one account per persona, and a credential with evidence."""
    app.config["EVIDENCE_FOLDER"] = str(tmp_path / "evidence")
    users = {
        "manager_a": make_user("clinic_manager", clinics=[CLINIC_A]),
        "manager_b": make_user("clinic_manager", clinics=[CLINIC_B]),
        "regulator_same": make_user("regulator", jurisdictions=["CA-AB"]),
        "regulator_other": make_user("regulator", jurisdictions=["US-CO"]),
        "admin": make_user("admin"),
        "practitioner": own_account(session, find(session, *COLLEAGUE)),
    }
    clinics = [session.scalar(select(Clinic).where(Clinic.name == n)) for n in (CLINIC_A, CLINIC_B)]
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
        entered_by_clinic=clinics[0],
    )
    # one the practitioner submitted themself: clinic A does not get its evidence
    own_ref = EvidenceStore(tmp_path / "evidence", 10**6).store(Upload("mine.pdf", b"%PDF-1.4 y"))
    submitted = credential_service.add_credential(
        session, "test", p, credential_type="cpr_certification", issuer="St John",
        issued_on=date(2025, 2, 1), evidence_ref=own_ref, entered_by="the practitioner",
    )  # fmt: skip
    update_practitioner(
        session,
        "test",
        p,
        {"email": CANARIES[0], "phone": CANARIES[1], "notes": CANARIES[2]},
        p.version,
    )
    token, _secret = create_token(session, "test", users["manager_a"], "Scheduling sync")
    session.commit()
    return {
        "users": users, "credential": cred, "practitioner": p, "token": token, "clinics": clinics,
        "submitted": submitted,
    }  # fmt: skip


def become(client, world, persona: str) -> None:
    """Log the client in as ``persona`` (or stay anonymous)."""
    if persona != "anonymous":
        user: User = world["users"][persona]
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302


P = "/".join(KEY)
OK, LOGIN, NOT_FOUND, UNAUTH, GONE, FORBIDDEN, MOVED = 200, "login", 404, 401, 410, 403, 301
NO_LINK = "lnk_unknown"  # a one-time link that was never issued
# url -> expected answer per persona, in PERSONAS order
GET_MATRIX = {
    "/": [OK] * 7,
    "/about": [OK] * 7,
    "/healthz": [OK] * 7,
    "/favicon.ico": [MOVED] * 7,
    "/login": [OK] * 7,
    "/openapi.json": [OK] * 7,
    "/api/reference": [OK] * 7,
    "/fhir/metadata": [OK] * 7,
    "/fhir/Practitioner?name=sato": [OK] * 7,
    "/fhir/Practitioner/{practitioner}": [OK] * 7,
    "/fhir/CodeSystem/credential-type": [OK] * 7,
    "/fhir/CodeSystem/profession": [OK] * 7,
    f"/practitioners/{P}": [OK] * 7,
    "/api/v1/practitioners?q=sato": [OK] * 7,
    f"/api/v1/practitioners/{P}": [OK] * 7,
    "/api/v1/export.csv": [UNAUTH, OK, OK, OK, OK, OK, OK],  # each sees their own scope
    "/api/v1/export.json": [UNAUTH, OK, OK, OK, OK, OK, OK],
    f"/api/v1/practitioners/{P}/evidence": [UNAUTH, OK, NOT_FOUND, OK, NOT_FOUND, OK, NOT_FOUND],
    f"/evidence-bundles/{P}": [LOGIN, OK, NOT_FOUND, OK, NOT_FOUND, OK, NOT_FOUND],
    "/api/v1/audit?jurisdiction=CA-AB": [
        UNAUTH,
        NOT_FOUND,
        NOT_FOUND,
        OK,
        NOT_FOUND,
        OK,
        NOT_FOUND,
    ],
    "/api/v1/changes?since=2000-01-01": [UNAUTH, OK, OK, OK, OK, OK, OK],
    "/account/tokens": [LOGIN, OK, OK, OK, OK, OK, OK],
    "/clinic/calendar": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND],
    "/calendar/cal_unknown.ics": [NOT_FOUND] * 7,
    "/account/password": [LOGIN, OK, OK, OK, OK, OK, OK],
    "/clinic/": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND],
    "/clinic/book": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND],
    "/clinic/expiries?days=30": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND],
    "/clinic/gaps": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND],
    "/clinic/export.csv": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND],
    "/clinic/roster": [LOGIN, OK, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND],
    f"/clinic/practitioners/{P}": [LOGIN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND],
    "/clinic/evidence/{credential}": [LOGIN, OK, NOT_FOUND, OK, NOT_FOUND, OK, NOT_FOUND],
    # evidence the practitioner submitted themself: not clinic A's to download
    "/clinic/evidence/{submitted}": [LOGIN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK, NOT_FOUND],
    "/regulator/": [LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK, NOT_FOUND],
    # another jurisdiction's regulator is told it is outside their scope
    "/regulator/audit?jurisdiction=CA-AB": [
        LOGIN,
        NOT_FOUND,
        NOT_FOUND,
        OK,
        FORBIDDEN,
        OK,
        NOT_FOUND,
    ],
    f"/regulator/practitioners/{P}": [LOGIN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK, NOT_FOUND],
    "/regulator/verification": [LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK, NOT_FOUND],
    "/regulator/rules": [LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK, NOT_FOUND],
    "/regulator/rules/upload": [LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK, NOT_FOUND],
    "/regulator/rules/download.yaml": [LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK, NOT_FOUND],
    "/admin/users": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND],
    "/admin/clinics": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND],
    "/admin/users/{manager_a}": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND],
    "/me": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK],
    "/api/v1/me": [UNAUTH, OK, OK, OK, OK, OK, OK],
    "/claim": [OK] * 7,
    f"/welcome/{NO_LINK}": [GONE] * 7,
    f"/clinic-requests/{NO_LINK}": [GONE] * 7,
}
# Writes: an empty form is enough to tell "may not" (login / 404) from "may" (anything else,
# typically 400 for the missing fields). Nothing here may answer 500.
POST_MATRIX = {
    "/login": ["may"] * 7,
    "/logout": [LOGIN, "may", "may", "may", "may", "may", "may"],
    "/account/password": [LOGIN, "may", "may", "may", "may", "may", "may"],
    "/account/tokens": [LOGIN, "may", "may", "may", "may", "may", "may"],
    "/account/tokens/{token}/revoke": [
        LOGIN,
        "may",
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        "may",
        NOT_FOUND,
    ],
    "/admin/users/{manager_a}/tokens": [
        LOGIN,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        "may",
        NOT_FOUND,
    ],
    "/clinic/calendar": [LOGIN, "may", "may", NOT_FOUND, NOT_FOUND, "may", NOT_FOUND],
    "/clinic/calendar/revoke": [LOGIN, "may", "may", NOT_FOUND, NOT_FOUND, "may", NOT_FOUND],
    "/clinic/roster": [LOGIN, "may", "may", NOT_FOUND, NOT_FOUND, "may", NOT_FOUND],
    "/regulator/rules/upload": [LOGIN, NOT_FOUND, NOT_FOUND, "may", "may", "may", NOT_FOUND],
    "/clinic/staff": [LOGIN, "may", "may", NOT_FOUND, NOT_FOUND, "may", NOT_FOUND],
    f"/clinic/practitioners/{P}/notes": [
        LOGIN,
        "may",
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        "may",
        NOT_FOUND,
    ],
    f"/clinic/practitioners/{P}/credentials": [
        LOGIN,
        "may",
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        "may",
        NOT_FOUND,
    ],
    f"/clinic/practitioners/{P}/credentials/{{credential}}/renew": [
        LOGIN,
        "may",
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        "may",
        NOT_FOUND,
    ],
    f"/clinic/practitioners/{P}/remove": [
        LOGIN,
        "may",
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        "may",
        NOT_FOUND,
    ],
    "/regulator/verification/{credential}": [
        LOGIN,
        NOT_FOUND,
        NOT_FOUND,
        "may",
        NOT_FOUND,
        "may",
        NOT_FOUND,
    ],
    "/regulator/credentials/{credential}/decision": [
        LOGIN,
        NOT_FOUND,
        NOT_FOUND,
        "may",
        NOT_FOUND,
        "may",
        NOT_FOUND,
    ],  # fmt: skip
    "/regulator/rules/activate": [LOGIN, NOT_FOUND, NOT_FOUND, "may", "may", "may", NOT_FOUND],
    "/admin/users": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, "may", NOT_FOUND],
    "/admin/clinics": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, "may", NOT_FOUND],
    "/admin/users/{manager_a}/role": [
        LOGIN,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        "may",
        NOT_FOUND,
    ],
    "/admin/users/{manager_a}": [
        LOGIN,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        "may",
        NOT_FOUND,
    ],
    "/admin/users/{manager_a}/active": [
        LOGIN,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        "may",
        NOT_FOUND,
    ],
    f"/regulator/practitioners/{P}/invite": [
        LOGIN,
        NOT_FOUND,
        NOT_FOUND,
        "may",
        NOT_FOUND,
        "may",
        NOT_FOUND,
    ],
    # no waiting request to withdraw: 404 for everyone (the request flow is tested elsewhere)
    "/clinic/requests/{practitioner}/withdraw": [LOGIN] + [NOT_FOUND] * 6,
    "/me/contact": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, "may"],
    "/me/modalities": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, "may"],
    "/me/credentials": [LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, "may"],
    # the credential is the record owner's, not the practitioner persona's own
    "/me/credentials/{credential}/renew": [LOGIN] + [NOT_FOUND] * 6,
    "/me/clinics/{clinic_a}/accept": [
        LOGIN,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        "may",
    ],
    "/me/clinics/{clinic_b}/decline": [LOGIN] + [NOT_FOUND] * 6,  # no link with clinic B
    "/claim": ["may"] * 7,
    f"/welcome/{NO_LINK}": [GONE] * 7,
    f"/clinic-requests/{NO_LINK}": [GONE] * 7,
}


def _url(template: str, world) -> str:
    return template.format(
        credential=world["credential"].id,
        submitted=world["submitted"].id,
        manager_a=world["users"]["manager_a"].id,
        practitioner=world["practitioner"].id,
        token=world["token"].id,
        clinic_a=world["clinics"][0].id,
        clinic_b=world["clinics"][1].id,
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
        "<secret>.ics": "cal_unknown.ics",
        "<practitioner_id>": "{practitioner}",
        "<id:practitioner_id>": "{practitioner}",
        "<id:clinic_id>/<any(accept, decline, end):action>": "{clinic_a}/accept",
        "<secret>": NO_LINK,
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


@pytest.mark.parametrize(
    "persona", ["anonymous", "manager_b", "regulator_same", "regulator_other", "practitioner"]
)
def test_state_changing_posts_are_refused_to_outsiders(client, world, persona, session):
    index = PERSONAS.index(persona)
    become(client, world, persona)
    for template in (f"/clinic/practitioners/{P}/remove", "/admin/users/{manager_a}/active"):
        _check(client.post(_url(template, world)), POST_MATRIX[template][index])
    assert world["users"]["manager_a"].active
    assert session.scalar(select(Credential).where(Credential.id == world["credential"].id))


@pytest.mark.parametrize("persona", ["anonymous", "manager_b", "regulator_other", "practitioner"])
def test_private_data_never_reaches_the_public_or_another_clinic(client, world, persona):
    """... nor another practitioner: a colleague at the same clinic, through every page and
    answer they may reach (their own page, /api/v1/me, exports, the change feed)."""
    pages = [u for u in GET_MATRIX if GET_MATRIX[u][PERSONAS.index(persona)] == OK]
    pages += [
        "/?q=sato",
        "/api/v1/practitioners?city=Calgary",
        "/?jurisdiction=CA-AB",
        "/clinic/practitioners/CA-AB/physiotherapist/AB-1002",
        "/clinic/evidence/{credential}",
        "/me?page=2",
        f"/evidence-bundles/{P}?as_of={TODAY}",
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


def test_asking_for_staff_by_key_reveals_nothing_until_the_practitioner_accepts(
    client, world, outbox
):
    """Manager B asks for clinic A's practitioner by registration key: B sees what the public
    sees and nothing more until the practitioner accepts; clinic A keeps seeing the contacts
    it was given (its link was accepted)."""
    become(client, world, "manager_b")
    added = client.post(
        "/clinic/staff",
        data={"jurisdiction": KEY[0], "profession": KEY[1], "registration_number": KEY[2]},
    )
    assert added.status_code == 302
    assert client.get(f"/clinic/practitioners/{P}").status_code == 404
    for url in ("/clinic/", "/clinic/export.csv", "/api/v1/export.json", "/clinic/gaps"):
        body = client.get(url).get_data(as_text=True)
        for canary in CANARIES:
            assert canary not in body, url
    assert [m.to for m in outbox.take()] == [CANARIES[0]]  # the request went to them
    client.post("/logout")
    become(client, world, "manager_a")
    assert CANARIES[0] in client.get(f"/clinic/practitioners/{P}").get_data(as_text=True)
