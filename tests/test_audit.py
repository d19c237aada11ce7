"""``registry audit`` and the set-based audit report (CONTRACT §4, §5)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import event

from registry import db
from registry.read.audit import run_audit
from registry.read.params import AuditQuery
from registry.read.rulebook import rule_book

from .test_rules_loading import CREDS, PEOPLE, RULES_V1


@pytest.fixture
def registry_data(cli, write_csv):
    assert cli("registry", "load-rules", RULES_V1).exit_code == 0
    assert cli("registry", "import-practitioners", write_csv(PEOPLE)).exit_code == 0
    assert cli("registry", "import-credentials", write_csv(CREDS)).exit_code == 0


def audit_json(cli, *args) -> dict:
    result = cli("registry", "audit", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.output)


def test_audit_json_follows_the_contract(registry_data, cli):
    assert audit_json(cli, "--as-of", "2026-11-21")["gaps"] == []  # both compliant today
    report = audit_json(cli, "--as-of", "2021-12-01", "--jurisdiction", "CA-AB")
    assert {
        k: report[k] for k in ("as_of", "window_days", "jurisdiction", "practitioners_checked")
    } == {
        "as_of": "2021-12-01",
        "window_days": 60,
        "jurisdiction": "CA-AB",
        "practitioners_checked": 1,
    }
    assert report["gaps"] == [
        {
            "jurisdiction": "CA-AB",
            "profession": "physiotherapist",
            "registration_number": "AB-1",
            "name": "Jane Roe",
            "modality": "dry_needling",
            "kind": "missing_credential",
            "severity": "error",
            "credential_type": "needling_authorization",
            "rule_id": "ab-physio-needling",
            "source": "https://www.cpta.ab.ca/for-physiotherapists/regulatory-expectations/"
            "restricted-activities/",
            "detail": "no needling authorization on file",
        }
    ]


def test_audit_shows_the_rule_change_between_two_dates(registry_data, cli):
    def wa(as_of):
        return [
            (g["kind"], g["rule_id"])
            for g in audit_json(cli, "--as-of", as_of, "--jurisdiction", "US-WA")["gaps"]
        ]

    assert wa("2024-06-21") == [("outside_scope", "wa-pt-dn-before-2024")]
    assert wa("2024-06-22") == [("missing_credential", "wa-pt-dn-endorsement")]
    assert wa("2024-07-01") == []


def test_scoped_audit_equals_the_filtered_full_audit(registry_data, session):
    book = rule_book(session)
    full = run_audit(session, book, AuditQuery(date(2026, 11, 21)))
    for code in ("CA-AB", "US-WA", "CA-BC"):
        scoped = run_audit(session, book, AuditQuery(date(2026, 11, 21), jurisdiction=code))
        assert scoped["gaps"] == [g for g in full["gaps"] if g["jurisdiction"] == code]


def test_csv_and_table_formats(registry_data, cli, tmp_path):
    out = tmp_path / "audit.csv"
    result = cli(
        "registry", "audit", "--as-of", "2024-06-21", "--format", "csv", "--output", str(out)
    )
    assert "written to" in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {r["kind"] for r in rows} >= {"outside_scope"}
    assert list(rows[0]) == [
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
    ]
    table = cli("registry", "audit", "--as-of", "2024-06-21", "--format", "table").output
    assert "Wes Tan  US-WA/physiotherapist/WA-1" in table
    assert "ERROR  dry_needling  outside_scope" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-02-30"], "--as-of: impossible date"),
        (["--as-of", "yesterday"], "--as-of: 'yesterday' is not a date"),
        (["--window", "-5"], "--window: must be a whole number"),
        (["--format", "xml"], "--format: must be one of json, csv, table"),
        (["--jurisdiction", "CA-ZZ"], "unknown jurisdiction 'CA-ZZ'"),
        (["--output", "/nonexistent/dir/a.json"], "cannot write"),
    ],
)
def test_bad_arguments_get_one_line(registry_data, cli, args, message):
    result = cli("registry", "audit", *args)
    assert result.exit_code == 1
    assert message in result.stderr and result.stderr.strip().count("\n") == 0


def test_the_audit_runs_a_fixed_number_of_queries(registry_data, cli, write_csv, session):
    def queries_for_audit() -> int:
        statements = []
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        engine = db.session().get_bind().engine
        book = rule_book(session)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            run_audit(session, book, AuditQuery(date(2026, 11, 21)))
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    before = queries_for_audit()
    header = PEOPLE.strip().splitlines()[0]
    many = "\n".join(
        f"CA-AB,physiotherapist,MORE-{i},A,B,active,2015-01-01,general,ims" for i in range(300)
    )
    cli("registry", "import-practitioners", write_csv(header + "\n" + many + "\n"))
    assert queries_for_audit() == before == 4
