"""The evidence bundle of one practitioner on one date, as JSON
(GET /api/v1/practitioners/{key}/evidence) and as a printable page (GET /evidence-bundles/{key}):
the rule set and rule used, the verdict and its basis, every gap, the credentials with their
verification records, and a digest that ties a printed copy to the JSON."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from registry.models import Credential, Practitioner, PractitionerModality
from registry.read.evidence import bundle_body
from registry.read.rulebook import get_rule_set, rule_book
from registry.rules.explain import describe_requirements
from registry.services import credentials as credential_service
from registry.services.verification import decide

from .export_helpers import CANARIES, KEY, TODAY, build_world, log_in_as

P = "/".join(KEY)
API = f"/api/v1/practitioners/{P}/evidence"
PAGE = f"/evidence-bundles/{P}"
CONTRACT_GAP_FIELDS = {
    "jurisdiction",
    "profession",
    "registration_number",
    "name",
    "modality",
    "kind",
    "severity",
    "credential_type",
    "rule_id",
    "source",
    "detail",
}


@pytest.fixture
def world(demo, app, cli, session, make_user, tmp_path):
    return build_world(app, cli, session, make_user, tmp_path)


@pytest.fixture
def become(client):
    return lambda world, persona: log_in_as(client, world, persona)


def bundle_of(client, as_of: str | None = None) -> dict:
    response = client.get(API + (f"?as_of={as_of}" if as_of else ""))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    return response.get_json()


def credentials_of(session, world) -> dict[str, Credential]:
    rows = session.scalars(
        select(Credential).where(Credential.practitioner_id == world["practitioner"].id)
    )
    return {c.credential_type_code: c for c in rows}


def page_text(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_the_bundle_names_the_rule_set_the_rule_the_verdict_and_the_credentials(
    client, world, become, session
):
    become(world, "regulator_same")
    doc = bundle_of(client)
    b = doc["bundle"]
    assert doc["generated_by"] == world["users"]["regulator_same"].email
    assert doc["as_of"] == b["as_of"] == TODAY.isoformat()
    assert b["practitioner"]["name"] == "Omar Sato"
    assert b["practitioner"]["clinics"] == ["Bow River Physio"]

    active = get_rule_set(session)
    assert b["rule_set"] == {
        "version": active.version,
        "checksum": active.checksum,
        "loaded_at": b["rule_set"]["loaded_at"],
        "loaded_by": active.loaded_by,
        "filename": active.filename,
    }
    assert b["rule_set"]["loaded_at"].startswith(active.loaded_at.date().isoformat())

    rule = rule_book(session).rule_for(*KEY[:2], "dry_needling", TODAY)
    [needling] = b["modalities"]
    assert (needling["modality"], needling["verdict"], needling["authorized"]) == (
        "dry_needling",
        "authorized",
        True,
    )
    assert needling["verdict_label"] == "Authorized"
    assert needling["rule"]["rule_id"] == rule.id == "ab-physio-needling"
    assert needling["rule"]["source"] == rule.source
    assert needling["rule"]["effective_from"] == rule.effective_from.isoformat()
    assert needling["rule"]["requirements"] == describe_requirements(rule)
    assert needling["rule"]["permitted"] is True
    assert needling["gaps"] == []

    held = credentials_of(session, world)
    used = {cid for item in needling["basis"] for cid in item["credential_ids"]}
    assert used == {held["needling_authorization"].id, held["dry_needling_course"].id}

    by_type = {c["type"]: c for c in b["credentials"]}
    authorization = by_type["needling_authorization"]
    assert authorization["verification_on_as_of"] == "verified"
    (decision,) = authorization["decisions"]
    on_record = held["needling_authorization"].decisions[0]
    assert (decision["status"], decision["effective_on"], decision["via"]) == (
        "verified",
        on_record.effective_on.isoformat(),
        "import",
    )
    assert authorization["counted"] and authorization["counted_for"] == ["dry_needling"]
    cpr = by_type["cpr_certification"]
    assert cpr["evidence_on_file"] and not cpr["counted"]
    assert (cpr["verification_on_as_of"], cpr["decisions"]) == ("pending", [])

    assert b["registration"]["in_good_standing"]
    [expiring] = b["registration"]["gaps"]
    assert expiring["kind"] == "expiring_soon" and set(expiring) == CONTRACT_GAP_FIELDS


def test_a_past_date_gives_the_past_verdict(client, world, become, session):
    issued = credentials_of(session, world)["needling_authorization"].issued_on
    day = (issued - timedelta(days=1)).isoformat()
    become(world, "manager_a")
    b = bundle_of(client, day)["bundle"]
    assert b["as_of"] == day
    [needling] = b["modalities"]
    assert (needling["verdict"], needling["authorized"]) == ("not_authorized", False)
    [gap] = needling["gaps"]
    assert set(gap) == CONTRACT_GAP_FIELDS
    assert (gap["kind"], gap["severity"], gap["credential_type"], gap["rule_id"]) == (
        "missing_credential",
        "error",
        "needling_authorization",
        "ab-physio-needling",
    )
    assert gap["detail"] == "no needling authorization on file"
    by_type = {c["type"]: c for c in b["credentials"]}
    assert by_type["needling_authorization"]["state_on_as_of"] == "not yet issued"
    assert not by_type["needling_authorization"]["counted"]
    assert by_type["dry_needling_course"]["counted"]  # the course requirement still held


def test_before_any_rule_there_is_no_rule(client, world, become):
    become(world, "admin")
    [needling] = bundle_of(client, "2021-09-30")["bundle"]["modalities"]
    assert needling["verdict"] == "no_rule" and needling["rule"] is None
    assert [g["kind"] for g in needling["gaps"]] == ["no_rule"]


def test_the_digest_is_that_of_the_canonical_bundle(client, world, become, session):
    become(world, "regulator_same")
    doc = bundle_of(client)
    canonical = json.dumps(doc["bundle"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert doc["digest"]["algorithm"] == "sha256"
    assert doc["digest"]["value"] == hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    become(world, "admin")
    again = bundle_of(client)
    assert again["generated_by"] != doc["generated_by"]
    assert again["digest"] == doc["digest"]  # same records, same date: same digest

    decide(session, "test", world["cpr"], "verified")
    session.commit()
    assert bundle_of(client)["digest"] != doc["digest"]
    assert bundle_of(client, "2025-06-01")["digest"] != doc["digest"]


def test_the_page_shows_the_same_bundle_ready_to_print(client, world, become):
    become(world, "regulator_same")
    doc = bundle_of(client)
    html = page_text(client, PAGE)
    b = doc["bundle"]
    assert doc["digest"]["value"] in html
    assert f"<dt>Version</dt><dd>{b['rule_set']['version']}</dd>" in html
    assert b["modalities"][0]["rule"]["source"] in html
    assert re.search(r'id="modality-dry_needling">Dry needling:\s*<span class="badge badge-ok">'
                     r"Authorized</span>", html)  # fmt: skip
    verified = next(c for c in b["credentials"] if c["verification_on_as_of"] == "verified")
    decision = verified["decisions"][0]
    assert f"Verified from {decision['effective_on']}" in html
    assert f"(an import, recorded {decision['recorded_at'][:10]})" in html
    assert f'href="{API}?as_of={TODAY.isoformat()}"' in html
    assert "bundle.css" in html and "@media print" in client.get("/static/bundle.css").text
    assert "style=" not in html
    assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", html))  # CSP: no inline


def test_the_page_for_a_past_date_shows_the_past_verdict(client, world, become, session):
    issued = credentials_of(session, world)["needling_authorization"].issued_on
    day = (issued - timedelta(days=1)).isoformat()
    become(world, "manager_a")
    html = page_text(client, f"{PAGE}?as_of={day}")
    assert bundle_of(client, day)["digest"]["value"] in html
    assert re.search(r'badge-bad">Not authorized</span>', html)
    assert "no needling authorization on file" in html


@pytest.mark.parametrize("bad", ["2026-02-30", "tomorrow", "1899-12-31", "3000-01-01", "%00"])
def test_a_bad_date_is_400_never_500(client, world, become, bad):
    become(world, "regulator_same")
    response = client.get(f"{API}?as_of={bad}")
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("as_of")
    html = page_text(client, f"{PAGE}?as_of={bad}", 400)
    assert 'aria-invalid="true"' in html and 'id="as_of-error"' in html
    assert "SHA-256" not in html


@pytest.mark.parametrize("persona", ["manager_b", "regulator_other"])
def test_out_of_scope_is_404(client, world, become, persona):
    become(world, persona)
    assert client.get(API).status_code == 404
    assert client.get(PAGE).status_code == 404
    assert client.get(f"{API}?as_of=nonsense").status_code in (400, 404)


@pytest.mark.parametrize("key", ["CA-AB/physiotherapist/AB-9999", "CA-AB/physiotherapist/AB%00"])
def test_missing_or_malformed_keys_are_404(client, world, become, key):
    become(world, "admin")
    assert client.get(f"/api/v1/practitioners/{key}/evidence").status_code == 404
    assert client.get(f"/evidence-bundles/{key}").status_code == 404


def test_anonymous_visitors_are_asked_to_log_in(client, world):
    assert client.get(API).status_code == 401
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("persona", ["manager_a", "regulator_same", "admin"])
def test_private_values_stay_out_of_the_bundle(client, world, become, persona):
    become(world, persona)
    for body in (client.get(API).get_data(as_text=True), page_text(client, PAGE)):
        for secret in (*CANARIES, world["evidence_ref"], "cert.pdf"):
            assert secret not in body


def test_revocations_and_rejections_are_on_record(client, world, become, session):
    held = credentials_of(session, world)
    decide(session, "test", world["cpr"], "revoked", note="card reported stolen")
    course = held["dry_needling_course"]
    decide(session, "a regulator", course, "rejected", note="hours not on transcript")
    session.commit()
    become(world, "regulator_same")
    b = bundle_of(client)["bundle"]
    by_type = {c["type"]: c for c in b["credentials"]}
    cpr, course = by_type["cpr_certification"], by_type["dry_needling_course"]
    assert (cpr["state_on_as_of"], cpr["verification_on_as_of"]) == ("revoked", "revoked")
    assert [(d["status"], d["note"]) for d in cpr["decisions"]] == [
        ("revoked", "card reported stolen")
    ]
    assert not cpr["counted"]
    assert course["verification_today"] == "rejected"
    (rejection,) = [d for d in course["decisions"] if d["status"] == "rejected"]
    assert (rejection["note"], rejection["decided_by"]) == (
        "hours not on transcript",
        "a regulator",
    )
    html = page_text(client, PAGE)
    assert "card reported stolen" in html and "Note: hours not on transcript" in html


def test_a_practitioner_performing_no_modality_has_an_empty_list(client, world, become, session):
    performs = select(PractitionerModality.practitioner_id)
    p = session.scalars(
        select(Practitioner).where(
            Practitioner.jurisdiction_code == "CA-AB", Practitioner.id.notin_(performs)
        )
    ).first()
    become(world, "admin")
    key = "/".join(p.key)
    assert (
        client.get(f"/api/v1/practitioners/{key}/evidence").get_json()["bundle"]["modalities"] == []
    )
    assert "declares no needling modality" in page_text(client, f"/evidence-bundles/{key}")


def test_the_practitioner_pages_link_to_the_bundle(client, world, become):
    become(world, "regulator_same")
    html = page_text(client, f"/regulator/practitioners/{P}?on=2025-01-01")
    assert f'href="{PAGE}?as_of=2025-01-01">Evidence bundle for 2025-01-01</a>' in html
    become(world, "manager_a")
    html = page_text(client, f"/clinic/practitioners/{P}")
    today = TODAY.isoformat()
    assert f'href="{PAGE}?as_of={today}">Evidence bundle for {today}</a>' in html


def test_the_rule_used_is_the_one_in_force_on_the_date(client, world, become, session):
    """Washington's rule changed on 2024-06-22 (the demo's rule-change scenario): bundles on
    either side name different rules."""
    wa = session.scalars(
        select(Practitioner).where(
            Practitioner.jurisdiction_code == "US-WA",
            Practitioner.id.in_(select(PractitionerModality.practitioner_id)),
        )
    ).first()
    become(world, "admin")
    url = f"/api/v1/practitioners/{'/'.join(wa.key)}/evidence?as_of="
    before = client.get(url + "2024-06-21").get_json()["bundle"]["modalities"][0]["rule"]
    after = client.get(url + "2024-06-22").get_json()["bundle"]["modalities"][0]["rule"]
    assert before and after and before["rule_id"] != after["rule_id"]
    assert date.fromisoformat(after["effective_from"]) == date(2024, 6, 22)


def test_a_bundle_takes_the_same_queries_however_many_credentials(world, session):
    def count() -> int:
        statements = []
        record = lambda *args: statements.append(args[2])  # noqa: E731
        engine = session.get_bind().engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            bundle_body(session, world["practitioner"], TODAY)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    count()  # the first call also begins the session's transaction (a savepoint here)
    before = count()
    for year in range(2015, 2020):
        credential_service.add_credential(
            session,
            "test",
            world["practitioner"],
            credential_type="continuing_education",
            issuer="College",
            issued_on=date(year, 1, 1),
            hours=10,
        )
    session.flush()
    assert count() == before <= 10
