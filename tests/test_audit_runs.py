"""The regulator console computes an audit once per question and then pages, filters, counts
and downloads it with SQL; any change to the registry makes it compute afresh."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from sqlalchemy import event, func, select

from registry.models import AuditRun, Practitioner
from registry.read.audit import GAP_FIELDS, run_audit
from registry.read.params import AuditQuery
from registry.read.rulebook import rule_book
from registry.services.practitioners import set_modalities

from .conftest import DEMO_TODAY

TODAY = DEMO_TODAY.isoformat()


@pytest.fixture
def admin(demo, make_user, login):
    user = make_user("admin")
    login(user)
    return user


def full_audit(session, **kw) -> dict:
    return run_audit(session, rule_book(session), AuditQuery(DEMO_TODAY, **kw))


def runs(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditRun))


def download(client, **args) -> dict:
    response = client.get(
        "/regulator/audit", query_string={"as_of": TODAY, **args} | {"format": "json"}
    )
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def test_the_console_download_is_the_audit_document(client, admin, session):
    assert download(client) == full_audit(session)
    ab = download(client, jurisdiction="CA-AB")
    assert ab == full_audit(session, jurisdiction="CA-AB")


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        ({"kind": "missing_credential"}, lambda g: g["kind"] == "missing_credential"),
        ({"modality": "registration"}, lambda g: g["modality"] is None),
        ({"modality": "acupuncture"}, lambda g: g["modality"] == "acupuncture"),
        ({"profession": "massage_therapist"}, lambda g: g["profession"] == "massage_therapist"),
    ],
)
def test_filters_are_applied_in_sql_exactly(client, admin, session, filters, keep):
    expected = [g for g in full_audit(session)["gaps"] if keep(g)]
    assert expected
    assert download(client, **filters)["gaps"] == expected
    body = client.get(
        "/regulator/audit", query_string={"as_of": TODAY, "format": "csv", **filters}
    ).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["registration_number"] for r in rows] == [g["registration_number"] for g in expected]
    assert list(rows[0]) == list(GAP_FIELDS)


def test_a_second_look_reads_the_stored_run(client, admin, session, app):
    client.get(f"/regulator/audit?as_of={TODAY}")
    assert runs(session) == 1
    statements: list[str] = []
    engine = session.get_bind()
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        html = client.get(f"/regulator/audit?as_of={TODAY}&kind=expired&page=1").get_data(
            as_text=True
        )
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert runs(session) == 1
    assert not any("FROM credentials" in s for s in statements)  # the engine did not run
    expired = sum(g["kind"] == "expired" for g in full_audit(session)["gaps"])
    assert expired and f"<strong>{expired}</strong> gaps shown" in html


def test_a_change_to_the_registry_brings_the_run_up_to_date(client, admin, session):
    before = download(client)
    number = next(g["registration_number"] for g in before["gaps"] if g["modality"])
    p = session.scalar(select(Practitioner).where(Practitioner.registration_number == number))
    set_modalities(session, "test", p, [])
    session.commit()
    after = download(client)
    assert runs(session) == 1  # the same run, its changed practitioner evaluated again
    assert after == full_audit(session)
    assert not [g for g in after["gaps"] if g["registration_number"] == number and g["modality"]]


def test_the_dashboard_counts_come_from_the_run_and_the_store(client, admin, session):
    html = client.get(f"/regulator/?as_of={TODAY}").get_data(as_text=True)
    report = full_audit(session)
    errors = sum(g["severity"] == "error" for g in report["gaps"])
    assert f"<strong>{len(report['gaps'])}</strong> gaps" in html
    assert f"<strong>{errors}</strong> errors" in html
    past = client.get("/regulator/?as_of=2025-01-01").get_data(as_text=True)
    old = run_audit(session, rule_book(session), AuditQuery(date(2025, 1, 1)))
    assert f"<strong>{len(old['gaps'])}</strong> gaps" in past


def test_only_the_changed_practitioners_are_evaluated_again(client, admin, session):
    download(client)
    number = next(g["registration_number"] for g in full_audit(session)["gaps"] if g["modality"])
    p = session.scalar(select(Practitioner).where(Practitioner.registration_number == number))
    set_modalities(session, "test", p, [])
    session.commit()
    statements: list[str] = []
    engine = session.get_bind()
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        after = download(client)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    snapshot_reads = [s for s in statements if "FROM credentials" in s]
    assert snapshot_reads and all("IN (" in s or "ANY" in s for s in snapshot_reads)
    assert after == full_audit(session)


def test_a_rules_change_makes_a_run_of_its_own(client, admin, session, cli, tmp_path):
    from registry.demo import default_rules_bytes

    download(client)
    rules = default_rules_bytes()
    at = rules.index(b"permitted: true", rules.index(b"id: ab-physio-needling\n"))
    path = tmp_path / "alberta.yaml"
    path.write_bytes(rules[:at] + b"permitted: false" + rules[at + len(b"permitted: true") :])
    assert cli("registry", "load-rules", str(path)).exit_code == 0
    assert download(client) == full_audit(session)
    assert runs(session) == 2


def test_the_nightly_refresh_prepares_each_consoles_audit_of_today(session, cli, make_user):
    make_user("regulator", jurisdictions=["CA-AB", "CA-BC"])
    make_user("regulator", jurisdictions=["CA-BC", "CA-AB"])  # the same scope, prepared once
    make_user("admin")
    session.commit()
    result = cli("registry", "refresh-verdicts")
    assert result.exit_code == 0
    assert "today's audits prepared for" in result.output
    scopes = set(session.scalars(select(AuditRun.scope).where(AuditRun.as_of == date.today())))
    assert {"*", "CA-AB,CA-BC"} <= scopes
    quiet = cli("registry", "refresh-verdicts", "--no-audits")
    assert quiet.exit_code == 0 and "audits prepared" not in quiet.output


def shown_totals(client, **filters) -> tuple[int, int]:
    """The "N gaps shown" and "M errors" figures of the console page."""
    html = client.get("/regulator/audit", query_string={"as_of": TODAY, **filters}).get_data(
        as_text=True
    )
    shown = re.search(r"<strong>(\d+)</strong> gaps? shown", html)
    errors = re.search(r"<strong>(\d+)</strong> errors?", html)
    return int(shown.group(1)) if shown else 0, int(errors.group(1)) if errors else 0


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"kind": "missing_credential"},
        {"modality": "registration"},
        {"modality": "dry_needling", "profession": "physiotherapist"},
    ],
)
def test_the_pages_totals_are_the_gaps_kept_up_to_date(client, admin, session, filters):
    """The totals come from counts kept with the run: after a change that removes a
    practitioner's modality gaps they still equal the gaps the filters select."""

    def expected() -> tuple[int, int]:
        keep = [g for g in full_audit(session)["gaps"] if _selected(g, filters)]
        return len(keep), sum(g["severity"] == "error" for g in keep)

    assert shown_totals(client, **filters) == expected()
    report = full_audit(session)
    number = next(
        g["registration_number"] for g in report["gaps"] if g["modality"] == "dry_needling"
    )
    p = session.scalar(select(Practitioner).where(Practitioner.registration_number == number))
    set_modalities(session, "test", p, [])
    session.commit()
    assert shown_totals(client, **filters) == expected()
    assert runs(session) == 1


def _selected(gap: dict, filters: dict) -> bool:
    modality = filters.get("modality")
    return (
        gap["kind"] == filters.get("kind", gap["kind"])
        and gap["profession"] == filters.get("profession", gap["profession"])
        and (
            modality is None
            or (
                gap["modality"] is None
                if modality == "registration"
                else gap["modality"] == modality
            )
        )
    )


def test_a_regulators_run_walks_their_jurisdictions_in_turn(
    demo, client, session, make_user, login
):
    """A scope of named jurisdictions lists each one's gaps in turn (by code), as the audit
    of each would, whatever the practitioners' ids."""
    codes = sorted({g["jurisdiction"] for g in full_audit(session)["gaps"]})[:3]
    assert len(codes) == 3
    login(make_user("regulator", jurisdictions=codes[::-1]))
    session.commit()
    gaps = download(client)["gaps"]
    assert gaps == [g for j in codes for g in full_audit(session, jurisdiction=j)["gaps"]]


def test_a_large_run_renews_the_planners_statistics(client, admin, session, monkeypatch):
    """On PostgreSQL, computing a run of many practitioners analyzes its tables, so the next
    page is read off the order index rather than sorting the whole run."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite plans from its indexes")
    monkeypatch.setattr("registry.services.bulk.ANALYZE_AFTER", 1)
    statements: list[str] = []
    engine = session.get_bind()
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get(f"/regulator/audit?as_of={TODAY}")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert "ANALYZE audit_run_gaps, audit_run_verdicts" in statements
