"""``registry seed-demo``: the demo registry shows every gap kind, on both databases."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from config import ProductionConfig
from registry.models import Clinic, Practitioner, Role, User
from registry.read.audit import run_audit
from registry.read.params import AuditQuery
from registry.read.rulebook import rule_book

from .conftest import DEMO_TODAY

ALL_KINDS = {
    "registration_inactive",
    "expiring_soon",
    "no_rule",
    "outside_scope",
    "wrong_registration_class",
    "insufficient_experience",
    "missing_credential",
    "unapproved_issuer",
    "expired",
    "insufficient_hours",
    "insufficient_sessions",
    "unverified",
}
TODAY = DEMO_TODAY.isoformat()


def audit(cli, *args) -> dict:
    return json.loads(cli("registry", "audit", "--as-of", TODAY, *args).output)


def test_demo_has_practitioners_clinics_and_a_login_per_role(demo, session):
    assert 50 <= session.scalar(select(func.count()).select_from(Practitioner)) <= 70
    assert session.scalar(select(func.count()).select_from(Clinic)) == 3
    assert {u.role for u in session.scalars(select(User))} == set(Role)
    jurisdictions = session.scalars(select(Practitioner.jurisdiction_code).distinct()).all()
    assert len(jurisdictions) >= 8


def test_every_gap_kind_appears_with_an_explanation(demo, cli):
    gaps = audit(cli)["gaps"]
    assert set(Counter(g["kind"] for g in gaps)) == ALL_KINDS
    assert all(g["detail"] for g in gaps)


def test_seeding_twice_changes_nothing(demo, cli):
    again = cli("registry", "seed-demo", "--today", TODAY)
    assert "0 created, 0 updated, 61 unchanged" in again.output
    assert "default rules loaded" not in again.output
    assert "login regulator@registry.example / " in again.output


def test_the_audit_on_two_dates_shows_the_washington_rule_change(demo, cli):
    def kinds(as_of):
        report = json.loads(
            cli("registry", "audit", "--as-of", as_of, "--jurisdiction", "US-WA").output
        )
        return Counter(g["kind"] for g in report["gaps"])

    assert kinds("2024-01-01")["outside_scope"] == 3  # every Washington PT who needles
    assert kinds(TODAY)["outside_scope"] == 0


def test_each_jurisdiction_audit_equals_the_filtered_full_audit(demo, session):
    book, day = rule_book(session), date.fromisoformat(TODAY)
    full = run_audit(session, book, AuditQuery(day))
    codes = {g["jurisdiction"] for g in full["gaps"]} | {"CA-PE"}
    for code in codes:
        scoped = run_audit(session, book, AuditQuery(day, jurisdiction=code))
        assert scoped["gaps"] == [g for g in full["gaps"] if g["jurisdiction"] == code]


def test_seed_demo_refuses_production(app, cli, monkeypatch):
    monkeypatch.setitem(app.config, "ALLOW_DEMO_SEED", ProductionConfig.ALLOW_DEMO_SEED)
    result = cli("registry", "seed-demo")
    assert result.exit_code == 1 and "production" in result.stderr


def test_create_user_from_stdin(demo, cli, session):
    result = cli(
        "registry",
        "create-user",
        "inspector@example.org",
        "--role",
        "regulator",
        "--jurisdiction",
        "CA-AB",
        "--password-stdin",
        input="long enough secret\n",
    )
    assert result.exit_code == 0, result.stderr
    assert "created regulator inspector@example.org (scope: CA-AB)" in result.output
    manager = cli(
        "registry",
        "create-user",
        "m2@example.org",
        "--role",
        "clinic_manager",
        "--clinic",
        "Front Range Rehab",
        "--password-stdin",
        input="another long one\n",
    )
    assert manager.exit_code == 0


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--role", "admin"], "short\n", "password must be at least 12 characters"),
        (["--role", "pilot"], "long enough secret\n", "unknown role 'pilot'"),
        (["--role", "regulator"], "long enough secret\n", "needs at least one --jurisdiction"),
        (
            ["--role", "clinic_manager", "--clinic", "Nowhere"],
            "long enough secret\n",
            "unknown clinic 'Nowhere'",
        ),
        (["--role", "admin"], "", "no password on standard input"),
    ],
)
def test_create_user_refuses_with_one_line(cli, session, args, password, message):
    result = cli(
        "registry", "create-user", "x@example.org", *args, "--password-stdin", input=password
    )
    assert result.exit_code == 1
    assert message in result.stderr and result.stderr.strip().count("\n") == 0
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_authorization_on_a_date_with_its_basis(demo, cli):
    before = cli(
        "registry",
        "authorization",
        "US-WA",
        "physiotherapist",
        "WA-1017",
        "--modality",
        "dry_needling",
        "--as-of",
        "2024-01-01",
    )
    assert "dry_needling  Not authorized: outside this profession's scope" in before.output
    today = cli(
        "registry",
        "authorization",
        "US-WA",
        "physiotherapist",
        "WA-1017",
        "--modality",
        "dry_needling",
        "--as-of",
        TODAY,
    )
    assert (
        "dry_needling  Authorized: needling authorization, Washington Board of Physical "
        "Therapy, verified" in today.output
    )
    assert "[us-wa-physio-dn-2024: " in today.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["CA-AB", "physiotherapist", "NOPE"], "no practitioner CA-AB/physiotherapist/NOPE"),
        (["CA-AB", "physiotherapist", "AB-1002", "--modality", "cupping"], "--modality:"),
        (["CA-AB", "physiotherapist", "AB-1002", "--as-of", "2026-13-01"], "--as-of:"),
    ],
)
def test_authorization_refuses_bad_arguments(demo, cli, args, message):
    result = cli("registry", "authorization", *args)
    assert result.exit_code == 1 and message in result.stderr
