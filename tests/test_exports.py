"""The registry export (GET /api/v1/export.csv and .json, ``registry export``): everyone in
the user's scope with public fields and credentials, never a private value, streamed through a
session of its own."""

from __future__ import annotations

import contextvars
import csv
import io
import json
from collections import Counter, namedtuple

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.db import EXTENSION_KEY
from registry.models import Clinic, ClinicStaff, Credential, Practitioner
from registry.read import export as export_module
from registry.read.snapshots import Children
from registry.services.practitioners import find, update_practitioner
from registry.services.verification import decide

from .export_helpers import CANARIES, CLINIC_A, KEY, TODAY, build_world, log_in_as

PERSONAS = ["manager_a", "manager_b", "regulator_same", "regulator_other", "admin"]
REJECTION_NOTE = "REJECTED-NOTE-CANARY-5512"


@pytest.fixture
def world(demo, app, cli, session, make_user, tmp_path):
    return build_world(app, cli, session, make_user, tmp_path)


@pytest.fixture
def become(client):
    return lambda world, persona: log_in_as(client, world, persona)


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def json_doc(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def key_of(row: dict) -> tuple[str, str, str]:
    return (row["jurisdiction"], row["profession"], row["registration_number"])


def keys_where(session, *where) -> set[tuple[str, str, str]]:
    rows = session.execute(
        select(
            Practitioner.jurisdiction_code,
            Practitioner.profession_code,
            Practitioner.registration_number,
        ).where(*where)
    )
    return {tuple(r) for r in rows}


def credential_counts(session) -> dict[tuple[str, str, str], int]:
    rows = session.execute(
        select(
            Practitioner.jurisdiction_code,
            Practitioner.profession_code,
            Practitioner.registration_number,
            func.count(Credential.id),
        )
        .outerjoin(Credential, Credential.practitioner_id == Practitioner.id)
        .group_by(Practitioner.id)
    )
    return {tuple(r[:3]): r[3] for r in rows}


# --- who sees whom ---------------------------------------------------------------------------


def test_a_manager_exports_exactly_their_clinic_staff(client, world, become):
    become(world, "manager_a")
    staff = {key_of(r) for r in csv_rows(client.get("/clinic/export.csv"))}
    assert KEY in staff and len(staff) > 3
    assert {key_of(r) for r in csv_rows(client.get("/api/v1/export.csv"))} == staff
    doc = json_doc(client.get("/api/v1/export.json"))
    assert {key_of(p) for p in doc["practitioners"]} == staff
    assert doc["scope"]["role"] == "clinic_manager"
    assert doc["scope"]["clinics"] == [CLINIC_A]


def test_a_regulator_exports_only_their_jurisdictions(client, world, become, session):
    become(world, "regulator_same")
    expected = keys_where(session, Practitioner.jurisdiction_code == "CA-AB")
    assert {key_of(r) for r in csv_rows(client.get("/api/v1/export.csv"))} == expected
    doc = json_doc(client.get("/api/v1/export.json"))
    assert {key_of(p) for p in doc["practitioners"]} == expected
    assert doc["scope"]["jurisdictions"] == ["CA-AB"]


def test_an_admin_exports_the_whole_registry(client, world, become, session):
    become(world, "admin")
    counts = credential_counts(session)
    rows = csv_rows(client.get("/api/v1/export.csv"))
    assert Counter(key_of(r) for r in rows) == {k: max(n, 1) for k, n in counts.items()}
    doc = json_doc(client.get("/api/v1/export.json"))
    assert {key_of(p): len(p["credentials"]) for p in doc["practitioners"]} == counts


def test_anonymous_visitors_get_401(client, world):
    for url in ("/api/v1/export.csv", "/api/v1/export.json"):
        response = client.get(url)
        assert response.status_code == 401 and "error" in response.get_json()


# --- what the files hold ---------------------------------------------------------------------


def test_csv_rows_match_the_credentials_on_file(client, world, become, session):
    become(world, "regulator_same")
    rows = [r for r in csv_rows(client.get("/api/v1/export.csv")) if key_of(r) == KEY]
    on_file = session.scalars(
        select(Credential).where(Credential.practitioner_id == world["practitioner"].id)
    ).all()
    assert sorted((r["credential_type"], r["issuer"], r["issued_on"]) for r in rows) == sorted(
        (c.credential_type_code, c.issuer, c.issued_on.isoformat()) for c in on_file
    )
    first = rows[0]
    assert (first["given_name"], first["family_name"], first["registration_status"]) == (
        "Omar",
        "Sato",
        "active",
    )
    assert first["modalities"] == "dry_needling"
    assert (first["verdict_dry_needling"], first["verdict_ims"]) == ("authorized", "authorized")
    cpr = next(r for r in rows if r["credential_type"] == "cpr_certification")
    assert (cpr["expires_on"], cpr["verification"], cpr["verification_on"]) == (
        "2099-01-01",
        "pending",
        "",
    )
    verified = next(r for r in rows if r["credential_type"] == "dry_needling_course")
    assert verified["verification"] == "verified" and verified["verification_on"]
    assert verified["hours"] == "120"


def test_a_practitioner_without_credentials_has_one_row_with_empty_credential_columns(
    client, world, become
):
    become(world, "admin")
    rows = csv_rows(client.get("/api/v1/export.csv?jurisdiction=US-NY"))
    bare = [r for r in rows if r["registration_number"] == "NY-1004"]
    assert len(bare) == 1
    assert all(bare[0][c] == "" for c in export_module.CREDENTIAL_FIELDS)
    assert bare[0]["modalities"] == "ims"


def test_the_json_document_has_the_public_fields_and_credentials(client, world, become):
    become(world, "manager_a")
    doc = json_doc(client.get("/api/v1/export.json"))
    assert doc["generated_at"].startswith(TODAY.isoformat()[:4])
    sato = next(p for p in doc["practitioners"] if key_of(p) == KEY)
    assert set(sato) == {
        "jurisdiction",
        "profession",
        "registration_number",
        "given_name",
        "family_name",
        "status",
        "status_since",
        "class",
        "registered_since",
        "practising_since",
        "registration_expires_on",
        "city",
        "modalities",
        "verdicts",
        "credentials",
    }
    assert sato["verdicts"] == {
        "dry_needling": "authorized",
        "ims": "authorized",
        "acupuncture": "authorized",
    }
    assert sato["city"] == "Calgary" and sato["modalities"] == ["dry_needling"]
    cpr = next(c for c in sato["credentials"] if c["type"] == "cpr_certification")
    assert cpr == {
        "type": "cpr_certification",
        "issuer": "Red Cross",
        "number": "",
        "issued_on": "2025-01-01",
        "expires_on": "2099-01-01",
        "hours": None,
        "in_person_hours": None,
        "sessions": None,
        "verification_status": "pending",
        "verification_on": None,
    }


def test_revoked_credentials_are_listed_as_revoked(client, world, become, session):
    decide(session, "test", world["cpr"], "revoked", note="forged")
    session.commit()
    become(world, "admin")
    doc = json_doc(client.get("/api/v1/export.json?jurisdiction=CA-AB"))
    sato = next(p for p in doc["practitioners"] if key_of(p) == KEY)
    cpr = next(c for c in sato["credentials"] if c["type"] == "cpr_certification")
    assert (cpr["verification_status"], cpr["verification_on"]) == ("revoked", TODAY.isoformat())
    assert "forged" not in json.dumps(doc)


@pytest.mark.parametrize("persona", PERSONAS)
def test_private_values_never_appear(client, world, become, session, persona):
    rejected = session.scalars(
        select(Credential).where(Credential.practitioner_id == world["practitioner"].id)
    ).first()
    decide(session, "test", rejected, "rejected", note=REJECTION_NOTE)
    session.commit()
    become(world, persona)
    for url in ("/api/v1/export.csv", "/api/v1/export.json"):
        body = client.get(url).get_data(as_text=True)
        for secret in (*CANARIES, REJECTION_NOTE, world["evidence_ref"], "cert.pdf"):
            assert secret not in body, (persona, url, secret)


def test_cells_that_a_spreadsheet_would_run_are_neutralized(client, world, become, session):
    p = find(session, *KEY)
    update_practitioner(session, "test", p, {"city": "=HYPERLINK(1)"}, p.version)
    session.commit()
    become(world, "manager_a")
    rows = csv_rows(client.get("/api/v1/export.csv"))
    assert {r["city"] for r in rows if key_of(r) == KEY} == {"'=HYPERLINK(1)"}


# --- filters ---------------------------------------------------------------------------------


def test_filters_narrow_the_export(client, world, become, session):
    become(world, "admin")
    rows = csv_rows(client.get("/api/v1/export.csv?jurisdiction=ca-ab&profession=physiotherapist"))
    assert {key_of(r) for r in rows} == keys_where(
        session,
        Practitioner.jurisdiction_code == "CA-AB",
        Practitioner.profession_code == "physiotherapist",
    )
    doc = json_doc(client.get("/api/v1/export.json?profession=acupuncturist"))
    assert doc["practitioners"] and {p["profession"] for p in doc["practitioners"]} == {
        "acupuncturist"
    }
    assert doc["scope"]["profession"] == "acupuncturist"


def test_a_managers_filter_only_narrows_their_own_staff(client, world, become):
    become(world, "manager_a")
    rows = csv_rows(client.get("/api/v1/export.csv?jurisdiction=US-CO"))
    assert rows == []


@pytest.mark.parametrize(
    "query",
    ["jurisdiction=XX-YY", "profession=wizard", "jurisdiction=CA%00AB", "profession=" + "p" * 60],
)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_bad_filters_are_400(client, world, become, query, fmt):
    become(world, "admin")
    response = client.get(f"/api/v1/export.{fmt}?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"].split(":")[0] in ("jurisdiction", "profession")


def test_a_jurisdiction_outside_a_regulators_own_is_404(client, world, become):
    become(world, "regulator_same")
    assert client.get("/api/v1/export.csv?jurisdiction=US-CO").status_code == 404
    assert client.get("/api/v1/export.json?jurisdiction=CA-AB").status_code == 200


# --- streaming -------------------------------------------------------------------------------


def test_exports_stream_as_attachments(client, world, become):
    become(world, "admin")
    for fmt in ("csv", "json"):
        response = client.get(f"/api/v1/export.{fmt}", buffered=False)
        assert response.is_streamed
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="registry-export-{TODAY.isoformat()}.{fmt}"'
        )
        assert response.headers["Cache-Control"] == "private, no-store"
        response.close()


@pytest.fixture
def sessions(app):
    """Record every session the app opens and closes, in order."""
    events: list[tuple[str, int]] = []

    class Tracked(Session):
        def close(self) -> None:
            events.append(("close", id(self)))
            super().close()

    tracked = sessionmaker(class_=Tracked, **app.extensions[EXTENSION_KEY].kw)

    def make():
        s = tracked()
        events.append(("open", id(s)))
        return s

    app.extensions[EXTENSION_KEY] = make
    return events


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_stream_outlives_the_request_session_and_closes_its_own(
    client, world, become, session, sessions, monkeypatch, fmt
):
    """As in production: the request's app context ends (closing the request's session)
    before the body is sent. The tests' shared app context is left out by running the request
    in an empty context."""
    monkeypatch.setattr(export_module, "CHUNK", 200)  # many chunks
    become(world, "admin")
    sessions.clear()

    def download() -> str:
        response = client.get(f"/api/v1/export.{fmt}")
        body = response.get_data(as_text=True)
        response.close()
        return body

    body = contextvars.Context().run(download)
    request_session, stream_session = sessions[0][1], sessions[2][1]
    assert sessions == [
        ("open", request_session),
        ("close", request_session),  # the request is over ...
        ("open", stream_session),  # ... before the body is read through a session of its own
        ("close", stream_session),
    ]
    total = session.scalar(select(func.count(Practitioner.id)))
    if fmt == "json":
        assert len(json.loads(body)["practitioners"]) == total
    else:
        assert len({key_of(r) for r in csv.DictReader(io.StringIO(body))}) == total


def test_a_stream_abandoned_midway_closes_its_session(client, world, become, sessions, monkeypatch):
    monkeypatch.setattr(export_module, "CHUNK", 200)
    become(world, "admin")
    sessions.clear()
    response = client.get("/api/v1/export.csv", buffered=False)
    chunks = iter(response.response)
    assert next(chunks).startswith(b"jurisdiction,profession")
    next(chunks)
    opened = [s for event, s in sessions if event == "open"]
    response.close()  # the client went away
    closed = [s for event, s in sessions if event == "close"]
    assert set(opened) <= set(closed)


def test_the_export_holds_no_list_of_everyone(session, world):
    """Rows come from four streamed cursors (yield_per), merged in practitioner order."""
    scope = export_module.scope_of(session, None, None, None)
    statements = export_module.statements(scope.where)
    assert len(statements) == 4 and not scope.where
    records = export_module.iter_records(session, scope)
    ids = [r.row.id for r in records]
    assert ids == sorted(ids) and len(ids) == session.scalar(select(func.count(Practitioner.id)))


Row = namedtuple("Row", "practitioner_id value")


@pytest.mark.parametrize(
    "value, cell", [(None, ""), (45.0, "45"), (12345.25, "12345.25"), (0.5, "0.5"), (260, "260")]
)
def test_amounts_are_written_without_rounding(value, cell):
    assert export_module._number(value) == cell


def test_child_rows_of_a_practitioner_missing_from_the_stream_are_skipped():
    rows = [Row(2, "a"), Row(3, "b"), Row(3, "c"), Row(5, "d")]
    children = Children(rows)
    assert children.take(1) == []
    assert children.take(3) == rows[1:3]  # 2 had no practitioner row: skipped
    assert children.take(4) == []
    assert children.take(5) == rows[3:]


# --- the command line ------------------------------------------------------------------------


def test_the_cli_exports_the_whole_registry(cli, world, session, tmp_path):
    out = tmp_path / "export.csv"
    result = cli("registry", "export", "--format", "csv", "--output", str(out))
    assert result.exit_code == 0, result.output
    total = session.scalar(select(func.count(Practitioner.id)))
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert len({key_of(r) for r in rows}) == total
    assert f"{total} practitioners ({len(rows)} rows) written to {out}" in result.output
    text = out.read_text(encoding="utf-8")
    assert all(canary not in text for canary in CANARIES)


def test_the_cli_writes_json_to_standard_output_and_filters(cli, world, session):
    result = cli("registry", "export", "--format", "json", "--jurisdiction", "ca-ab")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert {key_of(p) for p in doc["practitioners"]} == keys_where(
        session, Practitioner.jurisdiction_code == "CA-AB"
    )
    assert doc["scope"]["jurisdiction"] == "CA-AB"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "xml"], "--format: must be one of csv, json"),
        (["--jurisdiction", "XX-YY"], "--jurisdiction: unknown jurisdiction 'XX-YY'"),
        (["--profession", "wizard"], "--profession: unknown profession 'wizard'"),
    ],
)
def test_the_cli_refuses_bad_arguments_in_one_line(cli, world, args, message):
    result = cli("registry", "export", *args)
    assert result.exit_code != 0
    assert result.output.strip() == f"Error: {message}"


def test_the_cli_reports_an_unwritable_output(cli, world, tmp_path):
    result = cli("registry", "export", "--output", str(tmp_path / "missing" / "x.csv"))
    assert result.exit_code != 0 and "cannot write" in result.output


def test_each_manager_exports_their_own_clinic_and_shared_staff_appear_in_both(
    client, world, become, session
):
    def staff_of(name: str) -> set[tuple[str, str, str]]:
        ids = select(ClinicStaff.practitioner_id).join(Clinic).where(Clinic.name == name)
        return keys_where(session, Practitioner.id.in_(ids))

    exported = {}
    for persona in ("manager_a", "manager_b"):
        become(world, persona)
        exported[persona] = {key_of(r) for r in csv_rows(client.get("/api/v1/export.csv"))}
    assert exported["manager_a"] == staff_of(CLINIC_A)
    assert exported["manager_b"] == staff_of("Harbour Physiotherapy")
    assert exported["manager_a"] & exported["manager_b"]  # one practitioner works at both
