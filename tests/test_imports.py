"""CONTRACT §3 imports through the CLI: atomic, every bad row named, re-imports are no-ops."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from registry.models import AuditEvent, Clinic, Credential, Practitioner

PRACTITIONERS = """
jurisdiction,profession,registration_number,given_name,family_name,registration_status,registered_since,status_since,registration_class,registration_expires_on,city,clinics,modalities,email,phone
CA-AB,physiotherapist,AB-100,Jane,Roe,active,2015-03-01,,general,2027-03-31,Calgary,Bow River Physio,dry_needling;ims,jane@example.org,403-555-0100
CA-AB,physiotherapist,AB-101,Sam,Lee,active,2021-06-01,,provisional,,Calgary,Bow River Physio;Elbow Clinic,dry_needling,,
US-CO,physiotherapist,CO-7,Ana,Díaz,lapsed,2010-01-01,2026-01-01,general,,Denver,,,,
"""
CREDENTIALS = """
jurisdiction,profession,registration_number,credential_type,issuer,credential_number,issued_on,expires_on,hours,in_person_hours,sessions,verified
CA-AB,physiotherapist,AB-100,needling_authorization,College of Physiotherapists of Alberta,N-1,2020-01-10,,,,,true
CA-AB,physiotherapist,AB-100,dry_needling_course,Acupuncture Canada,DN-1,2019-05-01,,45,30,,yes
CA-AB,physiotherapist,AB-101,cpr_certification,Canadian Red Cross,,2025-01-01,2027-01-01,,,,false
"""


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def imported(cli, write_csv):
    result = cli("registry", "import-practitioners", write_csv(PRACTITIONERS))
    assert result.exit_code == 0, result.output
    return result


def test_practitioner_import_creates_and_reports(imported, session):
    assert "3 created, 0 updated, 0 unchanged" in imported.output
    jane = session.scalar(select(Practitioner).where(Practitioner.registration_number == "AB-100"))
    assert jane.name == "Jane Roe" and jane.city == "Calgary"
    assert {m.modality_code for m in jane.modalities} == {"dry_needling", "ims"}
    assert jane.status_since.isoformat() == "2015-03-01"  # defaults to registered_since
    assert jane.email == "jane@example.org"
    assert {c.name for c in session.scalars(select(Clinic))} == {"Bow River Physio", "Elbow Clinic"}
    created = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "practitioner.create", AuditEvent.target_id == str(jane.id)
        )
    ).one()
    assert created.after["registered_since"] == "2015-03-01"
    assert created.after["registration_status"] == "active"
    assert created.after["modalities"] == ["dry_needling", "ims"]


def test_reimporting_the_same_file_changes_nothing(imported, cli, write_csv, session):
    events = count(session, AuditEvent)
    again = cli("registry", "import-practitioners", write_csv(PRACTITIONERS))
    assert again.exit_code == 0
    assert "0 created, 0 updated, 3 unchanged" in again.output
    # only the import's own summary event, no change events
    assert count(session, AuditEvent) == events + 1


def test_changed_rows_are_updated_with_an_audit_trail(imported, cli, write_csv, session):
    changed = PRACTITIONERS.replace(
        "Calgary,Bow River Physio,dry_needling;ims", "Edmonton,Elbow Clinic,acupuncture"
    )
    result = cli("registry", "import-practitioners", write_csv(changed))
    assert "0 created, 1 updated, 2 unchanged" in result.output
    jane = session.scalar(select(Practitioner).where(Practitioner.registration_number == "AB-100"))
    session.refresh(jane)
    assert jane.city == "Edmonton" and jane.version == 2
    assert [m.modality_code for m in jane.modalities] == ["acupuncture"]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "practitioner.update")
    ).one()
    assert event.before["city"] == "Calgary" and event.after["city"] == "Edmonton"
    assert event.after["clinics"] == ["Elbow Clinic"]


def test_columns_absent_from_a_file_are_left_alone(imported, cli, write_csv, session):
    minimal = (
        "jurisdiction,profession,registration_number,given_name,family_name,"
        "registration_status,registered_since\n"
        "CA-AB,physiotherapist,AB-100,Jane,Roe,active,2015-03-01\n"
    )
    result = cli("registry", "import-practitioners", write_csv(minimal))
    assert "1 unchanged" in result.output
    jane = session.scalar(select(Practitioner).where(Practitioner.registration_number == "AB-100"))
    assert jane.city == "Calgary" and len(jane.modalities) == 2


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("CA-XX,physiotherapist,X1,A,B,active,2020-01-01", "unknown jurisdiction 'CA-XX'"),
        ("CA-AB,wizard,X1,A,B,active,2020-01-01", "unknown profession 'wizard'"),
        (
            "CA-AB,physiotherapist,X1,A,B,dormant,2020-01-01",
            "unknown registration status 'dormant'",
        ),
        ("CA-AB,physiotherapist,X1,A,B,active,2021-02-30", "impossible date '2021-02-30'"),
        ("CA-AB,physiotherapist,X1,A,B,active,01/02/2021", "is not a date"),
        ("CA-AB,physiotherapist,X1,,B,active,2020-01-01", "missing required value 'given_name'"),
        (
            "CA-AB,physiotherapist,,A,B,active,2020-01-01",
            "missing required value 'registration_number'",
        ),
    ],
)
def test_each_bad_practitioner_row_is_named(cli, write_csv, session, row, reason):
    header = (
        "jurisdiction,profession,registration_number,given_name,family_name,"
        "registration_status,registered_since\n"
    )
    good = "CA-AB,physiotherapist,OK1,Good,Row,active,2020-01-01\n"
    result = cli("registry", "import-practitioners", write_csv(header + good + row + "\n"))
    assert result.exit_code != 0
    assert "line 3: " in result.stderr and reason in result.stderr
    assert "nothing was written" in result.stderr
    assert count(session, Practitioner) == 0


@pytest.mark.parametrize(
    ("cell", "line", "shown"),
    [
        ("AB\x00-7", 3, "U+0000"),
        ("AB\x1b[2J", 3, "U+001B"),
        ("AB\x7f", 3, "U+007F"),
        ('"AB\n7"', 4, "U+000A"),  # a quoted line break: the row ends on line 4
    ],
)
def test_a_control_character_in_any_cell_is_refused_naming_the_line(
    cli, write_csv, session, cell, line, shown
):
    """SQLite stored a NUL in a registration number (the record could not be reached again)
    and PostgreSQL refused it with a 500; now the line and column are named."""
    header = (
        "jurisdiction,profession,registration_number,given_name,family_name,"
        "registration_status,registered_since\n"
    )
    good = "CA-AB,physiotherapist,OK1,Good,Row,active,2020-01-01\n"
    row = f"CA-AB,physiotherapist,{cell},A,B,active,2020-01-01\n"
    result = cli("registry", "import-practitioners", write_csv(header + good + row))
    assert result.exit_code == 1
    assert f"line {line}: registration_number has a control character ({shown})" in result.stderr
    assert count(session, Practitioner) == 0


def test_a_control_character_in_a_credential_cell_is_refused(imported, cli, write_csv, session):
    row = "CA-AB,physiotherapist,AB-100,cpr_certification,Red\x00Cross,,2025-01-01,,,,,\n"
    result = cli("registry", "import-credentials", write_csv(CREDENTIALS + row))
    assert result.exit_code == 1
    assert "line 5: issuer has a control character (U+0000)" in result.stderr
    assert count(session, Credential) == 0


def test_every_bad_row_is_reported_and_nothing_is_written(cli, write_csv, session):
    text = PRACTITIONERS + (
        "CA-AB,physiotherapist,AB-102,Al,Bo,active,2020-01-01,,,2019-01-01,,,,,\n"
        "CA-AB,physiotherapist,AB-103,Cy,Do,active,2020-01-01,,,,,,laser,not-an-email,\n"
        "CA-AB,physiotherapist,AB-100,Jane,Again,active,2015-03-01,,,,,,,,\n"
    )
    result = cli("registry", "import-practitioners", write_csv(text))
    assert result.exit_code == 1
    assert "line 5: registration_expires_on is before registered_since" in result.stderr
    assert "line 6: unknown modality 'laser'" in result.stderr
    assert "line 6: email: 'not-an-email' is not an email address" in result.stderr
    assert "line 7: same practitioner as line 2" in result.stderr
    assert count(session, Practitioner) == 0 and count(session, Clinic) == 0
    assert count(session, AuditEvent) == 0


def test_unknown_and_missing_columns_are_refused(cli, write_csv):
    result = cli(
        "registry",
        "import-practitioners",
        write_csv("jurisdiction,profession,registration_number,nickname\n"),
    )
    assert result.exit_code == 1
    assert "line 1: unknown column 'nickname'" in result.stderr
    assert "line 1: missing required column 'given_name'" in result.stderr


def test_a_missing_file_is_one_line(cli):
    result = cli("registry", "import-practitioners", "/nonexistent/file.csv")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "cannot read" in result.stderr


def test_credentials_import_and_reimport(imported, cli, write_csv, session):
    path = write_csv(CREDENTIALS)
    first = cli("registry", "import-credentials", path)
    assert first.exit_code == 0 and "3 created" in first.output
    second = cli("registry", "import-credentials", path)
    assert "0 created, 0 updated, 3 unchanged" in second.output
    course = session.scalar(select(Credential).where(Credential.credential_number == "DN-1"))
    assert course.hours == 45 and course.in_person_hours == 30
    # version 1's verified=true: verified on the issue date, decided by the import
    (decision,) = course.decisions
    assert (decision.status.value, decision.effective_on.isoformat()) == ("verified", "2019-05-01")
    assert decision.via == "import" and decision.decided_by.startswith("cli")


def test_credential_changes_update_by_identity(imported, cli, write_csv, session):
    cli("registry", "import-credentials", write_csv(CREDENTIALS))
    renewed = CREDENTIALS.replace("2025-01-01,2027-01-01,,,,false", "2025-01-01,2028-01-01,,,,true")
    result = cli("registry", "import-credentials", write_csv(renewed))
    assert "0 created, 1 updated, 2 unchanged" in result.output
    cpr = session.scalar(
        select(Credential).where(Credential.credential_type_code == "cpr_certification")
    )
    session.refresh(cpr)
    assert cpr.expires_on.isoformat() == "2028-01-01" and cpr.version == 2
    assert cpr.verification_status.value == "verified"


def test_a_false_verified_never_unverifies(imported, cli, write_csv, session):
    cli("registry", "import-credentials", write_csv(CREDENTIALS))
    result = cli(
        "registry", "import-credentials", write_csv(CREDENTIALS.replace(",,,true", ",,,false"))
    )
    assert "3 unchanged" in result.output


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            "CA-AB,physiotherapist,NOPE,cpr_certification,,,2025-01-01,,,,,",
            "unknown practitioner CA-AB/physiotherapist/NOPE",
        ),
        (
            "CA-AB,physiotherapist,AB-100,pilot_licence,,,2025-01-01,,,,,",
            "unknown credential type 'pilot_licence'",
        ),
        (
            "CA-AB,physiotherapist,AB-100,cpr_certification,,,2025-01-01,2024-01-01,,,,",
            "expires_on 2024-01-01 is before issued_on 2025-01-01",
        ),
        (
            "CA-AB,physiotherapist,AB-100,dry_needling_course,,,2025-01-01,,-3,,,",
            "hours: negative value -3",
        ),
        (
            "CA-AB,physiotherapist,AB-100,dry_needling_course,,,2025-01-01,,10,12,,",
            "in_person_hours 12 exceed hours 10",
        ),
        (
            "CA-AB,physiotherapist,AB-100,supervised_sessions,,,2025-01-01,,,,2.5,",
            "sessions: '2.5' is not a whole number",
        ),
        (
            "CA-AB,physiotherapist,AB-100,cpr_certification,,,,,,,,",
            "missing required value 'issued_on'",
        ),
        (
            "CA-AB,physiotherapist,AB-100,cpr_certification,,,2025-13-01,,,,,",
            "impossible date '2025-13-01'",
        ),
        (
            "CA-AB,physiotherapist,AB-100,cpr_certification,,,2025-01-01,,,,,perhaps",
            "verified: 'perhaps' is not true/false/yes/no",
        ),
    ],
)
def test_each_bad_credential_row_is_named(imported, cli, write_csv, session, row, reason):
    result = cli("registry", "import-credentials", write_csv(CREDENTIALS + row + "\n"))
    assert result.exit_code == 1
    assert "line 5: " in result.stderr and reason in result.stderr
    assert count(session, Credential) == 0


def test_a_credential_twice_in_one_file_is_refused(imported, cli, write_csv, session):
    lines = CREDENTIALS.strip().splitlines()
    result = cli("registry", "import-credentials", write_csv("\n".join([*lines, lines[1]]) + "\n"))
    assert "line 5: same credential as line 2" in result.stderr
    assert count(session, Credential) == 0


def test_non_utf8_files_are_refused(imported, cli, tmp_path, session):
    path = tmp_path / "latin1.csv"
    path.write_bytes(CREDENTIALS.lstrip().replace("Canada", "Canad\u00e9").encode("latin-1"))
    result = cli("registry", "import-credentials", str(path))
    assert result.exit_code == 1 and "not UTF-8" in result.stderr
    assert count(session, Credential) == 0


def test_large_files_show_progress_and_import(cli, tmp_path, session):
    header = (
        "jurisdiction,profession,registration_number,given_name,family_name,"
        "registration_status,registered_since,city,clinics,modalities\n"
    )
    rows = "".join(
        f"CA-ON,physiotherapist,ON-{i:05d},Given{i},Family{i % 97},active,2012-01-01,"
        f"Toronto{'x' * 40},Clinic {i % 50},dry_needling\n"
        for i in range(12_000)
    )
    path = tmp_path / "big.csv"
    path.write_text(header + rows)
    result = cli("registry", "import-practitioners", str(path))
    assert result.exit_code == 0, result.stderr
    assert "importing" in result.stderr  # the progress bar
    assert "12000 created" in result.output
    assert count(session, Practitioner) == 12_000


# --- verification decisions (CONTRACT v2 §3) ------------------------------------------------

V2 = "jurisdiction,profession,registration_number,credential_type,issuer,credential_number,issued_on,verification,verified_on\n"
AUTH_ROW = "CA-AB,physiotherapist,AB-100,needling_authorization,CPTA,N-1,2020-01-10,{status},{on}\n"


def history(session) -> list[tuple[str, str]]:
    c = session.scalar(select(Credential).where(Credential.credential_number == "N-1"))
    session.refresh(c)
    return [(d.status.value, d.effective_on.isoformat()) for d in c.decisions]


def test_each_new_decision_is_added_to_the_history_and_a_repeat_is_a_no_op(
    imported, cli, write_csv, session
):
    steps = [
        ("pending", "", []),
        ("verified", "2021-02-01", [("verified", "2021-02-01")]),
        ("verified", "2021-02-01", [("verified", "2021-02-01")]),  # the same decision: no-op
        ("revoked", "2024-06-30", [("verified", "2021-02-01"), ("revoked", "2024-06-30")]),
        ("", "", [("verified", "2021-02-01"), ("revoked", "2024-06-30")]),  # states none
    ]
    for status, on, expected in steps:
        result = cli(
            "registry", "import-credentials", write_csv(V2 + AUTH_ROW.format(status=status, on=on))
        )
        assert result.exit_code == 0, result.stderr
        assert history(session) == expected
    c = session.scalar(select(Credential).where(Credential.credential_number == "N-1"))
    assert (c.verification_status.value, c.verification_on.isoformat()) == ("revoked", "2024-06-30")
    again = cli(
        "registry",
        "import-credentials",
        write_csv(V2 + AUTH_ROW.format(status="revoked", on="2024-06-30")),
    )
    assert "0 created, 0 updated, 1 unchanged" in again.output


AUTH_RULE = """
version: 1
jurisdictions: [{code: CA-AB, name: Alberta}]
professions: [{code: physiotherapist, name: Physiotherapist}]
credential_types: [{code: needling_authorization, name: Needling authorization}]
rules:
  - id: ab-auth
    jurisdiction: CA-AB
    profession: physiotherapist
    modalities: [dry_needling, ims, acupuncture]
    effective_from: 2000-01-01
    permitted: true
    requires: [{credential: needling_authorization, verified: true}]
    source: https://example.org/ab
"""


def test_an_audit_of_a_past_day_reads_the_decisions_of_that_day(imported, cli, write_csv):
    assert cli("registry", "load-rules", write_csv(AUTH_RULE, "rules.yaml")).exit_code == 0
    rows = V2 + AUTH_ROW.format(status="verified", on="2021-02-01")
    cli("registry", "import-credentials", write_csv(rows))
    cli(
        "registry",
        "import-credentials",
        write_csv(V2 + AUTH_ROW.format(status="revoked", on="2024-06-30")),
    )

    def kinds(as_of):
        report = json.loads(
            cli("registry", "audit", "--as-of", as_of, "--jurisdiction", "CA-AB").output
        )
        return {g["kind"] for g in report["gaps"] if g["registration_number"] == "AB-100"}

    assert "unverified" in kinds("2021-01-31")
    assert not kinds("2021-02-01") & {"unverified", "missing_credential"}
    assert not kinds("2024-06-29") & {"unverified", "missing_credential"}
    assert "missing_credential" in kinds("2024-06-30")


@pytest.mark.parametrize(
    ("rows", "reasons"),
    [
        (
            AUTH_ROW.format(status="approved", on="2021-02-01"),
            ["line 2: unknown verification 'approved'"],
        ),
        (
            AUTH_ROW.format(status="verified", on=""),
            ["line 2: verified_on is required when verification is 'verified'"],
        ),
        (
            AUTH_ROW.format(status="rejected", on="2021-02-30"),
            ["line 2: verified_on: impossible date '2021-02-30'"],
        ),
        (
            AUTH_ROW.format(status="revoked", on="2999-01-01"),
            ["line 2: verified_on 2999-01-01 is in the future"],
        ),
        (
            AUTH_ROW.format(status="verified", on="2019-01-01"),
            ["line 2: verified_on 2019-01-01 is before the issue date 2020-01-10"],
        ),
        (
            AUTH_ROW.format(status="", on="2021-02-01"),
            ["line 2: verified_on is given but no decision"],
        ),
        (
            AUTH_ROW.format(status="verified", on="2021-02-01")
            + AUTH_ROW.format(status="oops", on="x").replace("N-1", "N-2"),
            ["line 3: unknown verification 'oops'", "line 3: verified_on: 'x' is not a date"],
        ),
    ],
)
def test_a_bad_decision_refuses_the_whole_file_naming_each_line(
    imported, cli, write_csv, session, rows, reasons
):
    result = cli("registry", "import-credentials", write_csv(V2 + rows))
    assert result.exit_code == 1
    for reason in reasons:
        assert reason in result.stderr
    assert count(session, Credential) == 0


def test_a_file_gives_verification_or_verified_not_both(imported, cli, write_csv, session):
    header = V2.strip() + ",verified\n"
    row = "CA-AB,physiotherapist,AB-100,needling_authorization,CPTA,N-1,2020-01-10,verified,2021-02-01,true\n"
    result = cli("registry", "import-credentials", write_csv(header + row))
    assert result.exit_code == 1
    assert "line 1: give either a 'verification' column or version 1's 'verified'" in result.stderr
    assert "line 2: give either 'verification' or version 1's 'verified', not both" in result.stderr
    assert count(session, Credential) == 0
