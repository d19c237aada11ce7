"""The change feed: practitioners changed since a moment, from the audit log, within the
caller's scope, paged by a cursor, with rule-set loads alongside."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from registry.services import credentials as credential_service
from registry.services.practitioners import find, update_practitioner
from registry.services.verification import decide

TODAY = date.today().isoformat()


def feed(client, query: str, status: int = 200) -> dict:
    response = client.get(f"/api/v1/changes?{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()


def keys(answer: dict) -> list[str]:
    return [
        f"{c['jurisdiction']}/{c['profession']}/{c['registration_number']}"
        for c in answer["changes"]
    ]


def _mark(client, admin_login) -> str:
    """A moment after the demo data was written (everything before it is 'old')."""
    admin_login()
    return feed(client, "since=2000-01-01&limit=1")["until"]


def test_changes_since_a_moment_list_exactly_the_practitioners_touched(
    client, demo, session, make_user, login
):
    admin = make_user("admin")
    since = _mark(client, lambda: login(admin))
    assert feed(client, f"since={since}")["changes"] == []

    sato = find(session, "CA-AB", "physiotherapist", "AB-1002")
    update_practitioner(session, "test", sato, {"city": "Canmore"}, sato.version)
    other = find(session, "CA-BC", "physiotherapist", "BC-1009")
    credential_service.add_credential(
        session,
        "test",
        other,
        credential_type="cpr_certification",
        issuer="Red Cross",
        issued_on=date(2026, 1, 5),
        expires_on=date(2028, 1, 5),
    )
    session.commit()

    answer = feed(client, f"since={since}")
    assert keys(answer) == [
        "CA-AB/physiotherapist/AB-1002",
        "CA-BC/physiotherapist/BC-1009",
    ]
    first, second = answer["changes"]
    assert first["actions"] == ["practitioner.update"]
    assert second["actions"] == ["credential.add"]
    assert first["url"] == "/api/v1/practitioners/CA-AB/physiotherapist/AB-1002"
    assert client.get(first["url"]).get_json()["city"] == "Canmore"
    assert answer["next"] is None and answer["rule_sets_loaded"] == []
    # the client keeps ``until`` as its next ``since``: nothing new, nothing listed
    assert feed(client, f"since={answer['until']}")["changes"] == []


def test_a_verification_decision_is_a_change_of_the_practitioner(
    client, demo, session, make_user, login
):
    """A rejection changes a verdict without touching the record: clients must hear of it."""
    admin = make_user("admin")
    since = _mark(client, lambda: login(admin))
    lucas = find(session, "CA-AB", "physiotherapist", "AB-1015")
    pending = next(
        c for c in lucas.credentials if c.credential_type_code == "needling_authorization"
    )
    decide(session, "test", pending, "rejected", note="not on the register")
    session.commit()
    answer = feed(client, f"since={since}")
    assert keys(answer) == ["CA-AB/physiotherapist/AB-1015"]
    assert answer["changes"][0]["actions"] == ["credential.rejected"]
    record = client.get(answer["changes"][0]["url"]).get_json()
    assert record["modalities"][0]["verdict"] == "not_authorized"


def test_the_feed_is_scoped_like_the_caller(client, demo, session, make_user, login):
    regulator = make_user("regulator", jurisdictions=["CA-BC"])
    login(regulator)
    everything = feed(client, "since=2000-01-01&limit=1000")
    assert everything["changes"] and {c["jurisdiction"] for c in everything["changes"]} == {"CA-BC"}
    client.post("/logout")
    login(make_user("clinic_manager", clinics=["Bow River Physio"]))
    staff = client.get("/clinic/").get_data(as_text=True)
    mine = keys(feed(client, "since=2000-01-01&limit=1000"))
    assert mine and all(k.split("/")[2] in staff for k in mine)
    assert "CA-BC/physiotherapist/BC-1009" not in mine


def test_pages_follow_the_cursor_and_visit_every_change_once(client, demo, make_user, login):
    login(make_user("admin"))
    whole = keys(feed(client, "since=2000-01-01&limit=1000"))
    assert len(whole) > 20
    seen, url = [], "/api/v1/changes?since=2000-01-01&limit=7"
    while url:
        answer = client.get(url).get_json()
        assert len(answer["changes"]) <= 7
        seen += keys(answer)
        url = answer["next"]
    assert seen == whole and len(set(seen)) == len(seen)


def test_rule_set_loads_are_listed_because_they_change_verdicts(
    client, demo, cli, make_user, login
):
    login(make_user("admin"))
    since = feed(client, "since=2000-01-01&limit=1")["until"]
    rules = Path(__file__).parent / "fixtures" / "rules_v1.yaml"
    assert cli("registry", "load-rules", str(rules)).exit_code == 0
    loaded = feed(client, f"since={since}")["rule_sets_loaded"]
    assert [r["filename"] for r in loaded] == ["rules_v1.yaml"]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("", "since: required"),
        ("since=yesterday", "is not an ISO 8601 date"),
        ("since=2026-13-01", "is not an ISO 8601 date"),
        ("since=0001-01-01", "between 1900 and 2999"),
        ("since=2026-01-01&limit=0", "limit: a whole number from 1 to 1000"),
        ("since=2026-01-01&limit=abc", "limit"),
        ("since=2026-01-01&after=-1", "after"),
        ("since=2026-01-01&after=99999999999999", "after"),
    ],
)
def test_bad_parameters_are_400_with_a_reason(client, demo, make_user, login, query, problem):
    login(make_user("admin"))
    assert problem in feed(client, query, 400)["error"]


def test_since_accepts_dates_and_offsets(client, demo, make_user, login):
    login(make_user("admin"))
    future = (datetime.now(UTC) + timedelta(hours=1)).astimezone(
        __import__("datetime").timezone(timedelta(hours=-7))
    )
    answer = feed(client, f"since={future.isoformat().replace('+', '%2B')}")
    assert answer["changes"] == [] and answer["since"].endswith("Z")
    assert feed(client, "since=2000-01-01")["since"] == "2000-01-01T00:00:00Z"


def test_anonymous_callers_get_401(client, demo):
    assert client.get("/api/v1/changes?since=2000-01-01").status_code == 401
