"""The regulator console, as a regulator of Alberta (and an admin) sees it on the demo
registry: dashboard, audit and exports, a practitioner's record and history, the
verification queue, and rules (list, upload, preview, activate)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from registry.demo import default_rules_bytes
from registry.models import AuditEvent, Credential, Practitioner, RuleSet, VerificationStatus
from registry.read.audit import GAP_FIELDS, run_audit
from registry.read.params import AuditQuery
from registry.read.rulebook import rule_book
from registry.read.snapshots import iter_snapshots
from registry.rules import authorization
from registry.services.credentials import add_credential
from registry.services.practitioners import update_practitioner

from .conftest import DEMO_TODAY  # noqa: E402

TODAY = DEMO_TODAY.isoformat()


@pytest.fixture
def regulator(demo, make_user, login):
    """A regulator of Alberta, logged in."""
    user = make_user("regulator", jurisdictions=["CA-AB"])
    login(user)
    return user


@pytest.fixture
def admin(demo, make_user, login):
    user = make_user("admin")
    login(user)
    return user


def audit(session, jurisdiction=None, as_of=TODAY) -> dict:
    query = AuditQuery(date.fromisoformat(as_of), 60, jurisdiction)
    return run_audit(session, rule_book(session), query)


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def row(html: str, row_id: str) -> str:
    """The text of the table row with this id."""
    match = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return match.group(1)


def numbers(html_row: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)%?</td>', html_row)]


def strip_tags(html: str) -> str:
    """The text a reader sees (attributes, ids and tags left out)."""
    return re.sub(r"<[^>]+>", " ", html)


def find(session, jurisdiction: str, **where) -> Practitioner:
    query = select(Practitioner).where(Practitioner.jurisdiction_code == jurisdiction)
    for name, value in where.items():
        query = query.where(getattr(Practitioner, name) == value)
    return session.scalars(query.order_by(Practitioner.id)).first()


def record_url(p: Practitioner) -> str:
    return "/regulator/practitioners/" + "/".join(p.key)


# ---------------------------------------------------------------- access


@pytest.mark.parametrize(
    "url",
    [
        "/regulator/",
        "/regulator/audit",
        "/regulator/verification",
        "/regulator/rules",
        "/regulator/rules/upload",
    ],
)
def test_console_pages_need_a_regulator(client, demo, make_user, login, url):
    assert client.get(url).status_code == 302  # anonymous: to the login page
    login(make_user("clinic_manager", clinics=["Bow River Physio"]))
    assert client.get(url).status_code == 404


def test_pages_render_without_inline_script_or_style(client, regulator, session):
    urls = ["/regulator/", "/regulator/audit", "/regulator/verification", "/regulator/rules"]
    urls += ["/regulator/rules/upload", record_url(find(session, "CA-AB"))]
    for url in urls:
        html = page(client, url)
        assert "<script" not in html and "style=" not in html


# ---------------------------------------------------------------- dashboard


def test_dashboard_counts_match_the_audit(client, regulator, session):
    html = page(client, f"/regulator/?as_of={TODAY}")
    expected = Counter(g["kind"] for g in audit(session, "CA-AB")["gaps"])
    assert expected["missing_credential"] and expected["wrong_registration_class"]
    for kind in (
        "registration_inactive",
        "missing_credential",
        "wrong_registration_class",
        "outside_scope",
        "unverified",
        "no_rule",
    ):
        assert numbers(row(html, f"kind-{kind}")) == [expected[kind]], kind
    report = audit(session, "CA-AB")
    assert f"<strong>{report['practitioners_checked']}</strong> practitioners checked" in html


def test_dashboard_draws_charts_as_inline_svg_with_titles(client, regulator):
    html = page(client, f"/regulator/?as_of={TODAY}")
    assert html.count("<svg") == 3
    assert "<title>Credential missing: 2</title>" in html  # one of them rejected
    assert 'class="bar-error"' in html and "<text" in html


def test_dashboard_compliance_is_the_share_authorized_among_those_declaring(
    client, regulator, session
):
    html = page(client, f"/regulator/?as_of={TODAY}")
    book, day = rule_book(session), date.fromisoformat(TODAY)
    physios = [
        s
        for s in iter_snapshots(session, "CA-AB")
        if s.profession == "physiotherapist" and "dry_needling" in s.modalities
    ]
    authorized = sum(authorization(s, book, day, "dry_needling").authorized for s in physios)
    assert 0 < authorized < len(physios)
    cells = numbers(row(html, "compliance-physiotherapist-dry_needling"))
    assert cells[:2] == [len(physios), authorized]
    assert f"{round(100 * authorized / len(physios))}%" in row(
        html, "compliance-physiotherapist-dry_needling"
    )


def test_dashboard_expiries_by_month(client, regulator):
    html = page(client, f"/regulator/?as_of={TODAY}")
    # In Alberta the next 12 months hold one registration (expiring in 20 days) and two CPR
    # cards of Bow River staff (in 45 and 75 days).
    today = date.fromisoformat(TODAY)
    expected: dict[str, list[int]] = {}
    for days, column in ((20, 1), (45, 0), (75, 0)):
        month = f"{today + timedelta(days=days):%Y-%m}"
        expected.setdefault(month, [0, 0])[column] += 1
    for month, counts in expected.items():
        assert numbers(row(html, f"month-{month}")) == counts, month
    last = date(today.year + 1, today.month, 1)
    assert numbers(row(html, f"month-{last - timedelta(days=1):%Y-%m}")) == [0, 0]
    assert f'id="month-{last:%Y-%m}"' not in html


def test_dashboard_jurisdiction_selector_offers_only_the_scope(client, regulator):
    html = page(client, "/regulator/")
    assert '<option value="CA-AB"' in html and 'value="CA-BC"' not in html
    page(client, "/regulator/?jurisdiction=CA-BC", 403)
    page(client, "/regulator/?jurisdiction=ca-ab", 200)


def test_dashboard_bad_date_is_explained(client, regulator):
    html = page(client, "/regulator/?as_of=2026-13-01", 400)
    assert "impossible date" in html


# ---------------------------------------------------------------- audit


def test_audit_page_lists_gaps_with_rule_sources_and_record_links(client, regulator, session):
    html = page(client, f"/regulator/audit?as_of={TODAY}")
    report = audit(session, "CA-AB")
    assert f"<strong>{len(report['gaps'])}</strong> gaps shown" in html
    assert "no needling authorization on file" in html
    assert "https://cpta.ab.ca/for-physiotherapists/" in html
    assert "/regulator/practitioners/CA-AB/physiotherapist/" in html


def test_audit_filters_by_kind_modality_and_profession(client, regulator, session):
    full = audit(session, "CA-AB")["gaps"]
    cases = {
        "kind=missing_credential": [g for g in full if g["kind"] == "missing_credential"],
        "modality=registration": [g for g in full if g["modality"] is None],
        "modality=dry_needling&profession=massage_therapist": [
            g
            for g in full
            if g["modality"] == "dry_needling" and g["profession"] == "massage_therapist"
        ],
    }
    for query, expected in cases.items():
        assert expected, query
        report = client.get(f"/regulator/audit?as_of={TODAY}&format=json&{query}").get_json()
        assert report["gaps"] == expected, query


def test_json_export_is_the_contract_document(client, regulator, session):
    response = client.get(f"/regulator/audit?jurisdiction=CA-AB&as_of={TODAY}&format=json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == audit(session, "CA-AB")


def test_csv_export_has_the_contract_columns(client, regulator, session):
    response = client.get(f"/regulator/audit?as_of={TODAY}&kind=missing_credential&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == GAP_FIELDS
    expected = [g for g in audit(session, "CA-AB")["gaps"] if g["kind"] == "missing_credential"]
    assert [r["registration_number"] for r in rows] == [g["registration_number"] for g in expected]


def test_audit_as_of_a_past_date_shows_the_bc_liability_insurance_rule(
    client, demo, make_user, login
):
    login(make_user("regulator", jurisdictions=["CA-BC"]))

    def insurance_gaps(as_of):
        url = f"/regulator/audit?jurisdiction=CA-BC&as_of={as_of}&format=json"
        gaps = client.get(url).get_json()["gaps"]
        return [
            (g["kind"], g["rule_id"]) for g in gaps if g["credential_type"] == "liability_insurance"
        ]

    assert insurance_gaps("2022-05-31") == []  # before BC required liability insurance
    assert insurance_gaps(TODAY) == [("expired", "bc-physio-dn-2022")]


def test_audit_of_washington_before_the_endorsement_as_admin(client, admin):
    def outside_scope(as_of):
        url = f"/regulator/audit?jurisdiction=US-WA&as_of={as_of}&kind=outside_scope&format=json"
        return len(client.get(url).get_json()["gaps"])

    assert outside_scope("2024-01-01") == 3
    assert outside_scope(TODAY) == 0


def test_a_regulator_of_two_jurisdictions_audits_both(client, demo, make_user, login, session):
    login(make_user("regulator", jurisdictions=["CA-AB", "CA-BC"]))
    report = client.get(f"/regulator/audit?as_of={TODAY}&format=json").get_json()
    ab, bc = audit(session, "CA-AB"), audit(session, "CA-BC")
    assert report["jurisdiction"] is None
    assert (
        report["practitioners_checked"] == ab["practitioners_checked"] + bc["practitioners_checked"]
    )
    assert report["gaps"] == ab["gaps"] + bc["gaps"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("as_of=2026-02-30", "impossible date"),
        ("as_of=yesterday", "is not a date"),
        ("as_of=9999-12-31", "must be between 1900-01-01 and 2999-12-31"),
        ("window=abc", "Not a valid integer"),
        ("window=99999", "between 0 and 3650"),
        ("kind=everything", "Not a valid choice"),
        ("modality=cupping", "Not a valid choice"),
        ("profession=astronaut", "Not a valid choice"),
        ("format=xml", "Not a valid choice"),
    ],
)
def test_bad_audit_parameters_re_render_with_a_message(client, regulator, query, message):
    html = page(client, f"/regulator/audit?{query}", 400)
    assert message in html


def test_audit_of_another_jurisdiction_says_it_is_outside_the_scope(client, regulator):
    for fmt in ("html", "json", "csv"):
        html = page(client, f"/regulator/audit?jurisdiction=CA-BC&format={fmt}", 403)
        assert "CA-BC is outside your account" in html
        assert "You can audit these jurisdictions" in html
        assert 'href="/regulator/audit?jurisdiction=CA-AB">Alberta (CA-AB)</a>' in html
    html = page(client, "/regulator/?jurisdiction=CA-ON", 403)
    assert 'href="/regulator/?jurisdiction=CA-AB"' in html
    assert "URL was not found" not in html
    page(client, "/regulator/audit?jurisdiction=XX-XX", 403)


def test_an_admin_asking_for_an_unknown_jurisdiction_gets_not_found(client, admin):
    page(client, "/regulator/audit?jurisdiction=XX-XX", 404)


# ---------------------------------------------------------------- practitioner record


def test_record_of_another_jurisdiction_is_not_found(client, regulator, session):
    bc = find(session, "CA-BC")
    html = page(client, record_url(bc), 404)
    # the same answer for a record that exists and one that does not: nothing leaks
    assert html == page(client, "/regulator/practitioners/CA-BC/physiotherapist/NOPE", 404)
    assert "CA-BC is outside your account" in html and "Alberta (CA-AB)" in html
    page(client, "/regulator/practitioners/CA-AB/physiotherapist/NOPE", 404)


def test_record_shows_private_fields_credentials_and_verification(client, regulator, session):
    p = find(session, "CA-AB", profession_code="physiotherapist", registration_class="provisional")
    html = page(client, record_url(p))
    assert p.email in html and p.phone in html
    assert "Needling authorization" in html and AUTHORITY_AB in html
    assert "Verified</span>" in html and "by an import from the regulator" in html


AUTHORITY_AB = "College of Physiotherapists of Alberta"


def test_history_shows_the_import_and_later_edits_newest_first(client, regulator, session):
    p = find(session, "CA-AB", profession_code="physiotherapist", registration_class="provisional")
    update_practitioner(session, "editor@example.org", p, {"city": "Edmonton"}, p.version)
    session.flush()
    html = page(client, record_url(p))
    history = html[html.index("Change history") :]
    assert "Record changed" in history and "Record created" in history
    assert "Credential added" in history
    assert history.index("Record changed") < history.index("Record created")
    assert "editor@example.org" in history and "the command line" in history
    assert "city: Calgary → Edmonton" in history
    for code in ("practitioner_id", "credential_type_code", "credential.", "cli:", "_"):
        assert code not in strip_tags(history), code


def test_authorized_on_date_answers_per_modality_with_basis_and_rule(client, regulator, session):
    lapsed = find(session, "CA-AB", registration_status="lapsed")
    before_lapse = (lapsed.status_since.replace(day=1)).isoformat()
    html = page(client, f"{record_url(lapsed)}?on={before_lapse}")
    answer = row(html, "authorized-dry_needling")
    assert ">Authorized<" in answer and "Alberta rule for Physiotherapist" in answer
    assert "ab-physio-needling" not in answer
    assert "https://cpta.ab.ca/" in answer and "Acupuncture Canada" in answer
    answer = row(page(client, f"{record_url(lapsed)}?on={TODAY}"), "authorized-dry_needling")
    assert ">Not authorized<" in answer and "lapsed since" in answer


def test_authorized_on_a_bad_date_is_explained(client, regulator, session):
    p = find(session, "CA-AB")
    assert "is not a date" in page(client, f"{record_url(p)}?on=31/12/2025", 400)


def test_credentials_link_to_their_evidence(app, client, regulator, session):
    if "clinic.evidence" not in app.view_functions:  # the clinic workspace serves evidence
        app.add_url_rule("/evidence-stub/<int:credential_id>", "clinic.evidence", lambda **_: "")
    p = find(session, "CA-AB", profession_code="physiotherapist", registration_class="provisional")
    credential = p.credentials[0]
    credential.evidence_ref = "evidence/abc.pdf"
    session.flush()
    from flask import url_for

    with app.test_request_context():
        link = url_for("clinic.evidence", credential_id=credential.id)
    assert f'href="{link}"' in page(client, record_url(p))


# ---------------------------------------------------------------- verification


PENDING = VerificationStatus.PENDING


def unverified_ab(session) -> Credential:
    return session.scalars(
        select(Credential)
        .join(Credential.practitioner)
        .where(Practitioner.jurisdiction_code == "CA-AB", Credential.verification_status == PENDING)
    ).one()


def decide(client, credential: Credential, decision: str, note="", version=None, **more):
    """Press a decision button (verified, rejected, revoked) in the queue."""
    prefix = f"c{credential.id}-"
    data = {prefix + "version": str(version or credential.version), prefix + "note": note}
    data[prefix + "decision"] = decision
    data |= {prefix + k: v for k, v in more.items()}
    return client.post(f"/regulator/verification/{credential.id}", data=data)


def test_queue_lists_unverified_credentials_in_scope_with_evidence(client, regulator, session):
    credential = unverified_ab(session)
    html = page(client, "/regulator/verification")
    assert f'id="queue-{credential.id}"' in html
    assert "1 credential waiting" in html
    assert credential.practitioner.name in html
    bc_unverified = session.scalars(
        select(Credential.id)
        .join(Credential.practitioner)
        .where(Practitioner.jurisdiction_code != "CA-AB", Credential.verification_status == PENDING)
    ).all()
    assert all(f'id="queue-{i}"' not in html for i in bc_unverified)


def test_queue_is_oldest_first_and_paginated(app, client, regulator, session):
    app.config["PAGE_SIZE"] = 2
    waiting_longest = unverified_ab(session)
    p = find(session, "CA-AB", profession_code="physiotherapist", registration_class="provisional")
    added = [
        add_credential(
            session,
            "clinic",
            p,
            credential_type="cpr_certification",
            issued_on=date(2026, 1, n),
            issuer="Red Cross",
        )
        for n in (1, 2)
    ]
    session.flush()
    first, second = (
        page(client, "/regulator/verification"),
        page(client, "/regulator/verification?page=2"),
    )
    assert "3 credentials waiting" in first
    assert f'id="queue-{waiting_longest.id}"' in first
    assert f'id="queue-{added[0].id}"' in first and f'id="queue-{added[1].id}"' in second


def count_queries(engine, fetch) -> int:
    statements = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        fetch()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def test_the_queue_runs_the_same_queries_however_long_it_is(client, regulator, session, engine):
    def fetch():
        assert client.get("/regulator/verification").status_code == 200

    short = count_queries(engine, fetch)
    p = find(session, "CA-AB", profession_code="physiotherapist", registration_class="provisional")
    for n in range(1, 6):
        add_credential(
            session, "clinic", p, credential_type="cpr_certification", issued_on=date(2025, 1, n)
        )
    session.flush()
    assert count_queries(engine, fetch) == short


def test_verify_records_who_when_and_from_which_day_and_leaves_the_queue(
    client, regulator, session
):
    credential = unverified_ab(session)
    response = decide(client, credential, "verified", "Checked on the CPTA public register")
    assert response.status_code == 302
    session.refresh(credential)
    (d,) = credential.decisions
    assert (d.status, d.effective_on.isoformat(), d.via) == ("verified", TODAY, "review")
    assert (d.decided_by, d.decided_by_id) == (regulator.email, regulator.id)
    assert d.note == "Checked on the CPTA public register"
    assert credential.verification_status == VerificationStatus.VERIFIED
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "credential.verified", AuditEvent.target_id == str(credential.id)
        )
    ).one()
    assert event.actor == regulator.email and event.after["effective_on"] == TODAY
    html = page(client, "/regulator/verification")
    assert "verified." in html and f'id="queue-{credential.id}"' not in html


def test_a_decision_may_take_effect_earlier_but_never_in_the_future(client, regulator, session):
    credential = unverified_ab(session)
    tomorrow = (date.fromisoformat(TODAY) + timedelta(days=1)).isoformat()
    response = decide(client, credential, "verified", "x", effective_on=tomorrow)
    assert response.status_code == 400
    assert "cannot take effect in the future" in response.get_data(as_text=True)
    before_issue = (credential.issued_on - timedelta(days=1)).isoformat()
    response = decide(client, credential, "verified", "x", effective_on=before_issue)
    assert response.status_code == 400 and "is before the issue date" in response.get_data(
        as_text=True
    )
    session.refresh(credential)
    assert credential.decisions == []
    earlier = (credential.issued_on + timedelta(days=3)).isoformat()
    assert decide(client, credential, "verified", "x", effective_on=earlier).status_code == 302
    session.refresh(credential)
    assert credential.decisions[0].effective_on.isoformat() == earlier


def test_reject_needs_a_note_and_a_confirmation(client, regulator, session):
    credential = unverified_ab(session)
    version = credential.version
    response = decide(client, credential, "rejected")
    assert response.status_code == 400
    assert "Say why the credential is rejected." in response.get_data(as_text=True)
    session.refresh(credential)
    assert credential.decisions == [] and credential.version == version

    asked = decide(client, credential, "rejected", "Not on the register")
    assert asked.status_code == 200  # a confirmation page, nothing recorded yet
    assert "Reject this credential?" in asked.get_data(as_text=True)
    session.refresh(credential)
    assert credential.decisions == []

    confirmed = decide(client, credential, "rejected", "Not on the register", confirmed="yes")
    assert confirmed.status_code == 302
    session.refresh(credential)
    (d,) = credential.decisions
    assert (d.status, d.note, d.decided_by) == ("rejected", "Not on the register", regulator.email)
    html = page(client, "/regulator/verification")
    assert f'id="queue-{credential.id}"' not in html
    record = page(client, record_url(credential.practitioner))
    assert "Rejected</span>" in record and "Credential rejected" in record


def test_a_verified_credential_is_revoked_from_the_practitioner_page(client, regulator, session):
    p = find(session, "CA-AB", profession_code="physiotherapist", registration_status="active")
    auth = next(c for c in p.credentials if c.credential_type_code == "needling_authorization")
    assert auth.verification_status == VerificationStatus.VERIFIED
    url = f"/regulator/credentials/{auth.id}/decision"
    prefix = f"c{auth.id}-"
    data = {prefix + "version": auth.version, prefix + "decision": "revoked"}
    data[prefix + "note"] = "withdrawn by the College"
    assert "Revoke this credential?" in client.post(url, data=data).get_data(as_text=True)
    response = client.post(url, data=data | {prefix + "confirmed": "yes"})
    assert response.status_code == 302 and response.location.endswith(f"#credential-{auth.id}")
    session.refresh(auth)
    assert [d.status.value for d in auth.decisions] == ["verified", "revoked"]
    answer = row(page(client, record_url(p)), "authorized-dry_needling")
    assert ">Not authorized<" in answer and "was revoked on" in answer
    # the day before, it still counted
    yesterday = (date.fromisoformat(TODAY) - timedelta(days=1)).isoformat()
    answer = row(page(client, f"{record_url(p)}?on={yesterday}"), "authorized-dry_needling")
    assert ">Authorized<" in answer


def test_decisions_need_the_forms_csrf_token(app, client, regulator, session):
    app.config["WTF_CSRF_ENABLED"] = True
    credential = unverified_ab(session)
    assert decide(client, credential, "verified", "no token").status_code == 400
    html = page(client, "/regulator/verification")
    name, token = re.search(
        r'name="(c\d+-csrf_token)" type="hidden" value="([^"]+)"', html
    ).groups()
    prefix = f"c{credential.id}-"
    data = {name: token, prefix + "version": credential.version, prefix + "decision": "verified"}
    response = client.post(f"/regulator/verification/{credential.id}", data=data)
    assert response.status_code == 302
    session.refresh(credential)
    assert credential.verification_status == VerificationStatus.VERIFIED


def test_a_stale_version_is_refused_and_nothing_is_overwritten(client, regulator, session):
    credential = unverified_ab(session)
    seen = credential.version
    credential.hours = 99  # someone else's edit
    session.flush()
    assert credential.version == seen + 1
    response = decide(client, credential, "verified", "too late", version=seen)
    assert response.status_code == 409
    assert "changed by someone else" in response.get_data(as_text=True)
    session.refresh(credential)
    assert credential.decisions == [] and credential.hours == 99


def test_credentials_outside_the_scope_cannot_be_decided(client, regulator, session):
    bc = session.scalars(
        select(Credential)
        .join(Credential.practitioner)
        .where(Practitioner.jurisdiction_code == "CA-BC")
    ).first()
    assert decide(client, bc, "verified", "x").status_code == 404
    assert client.post(f"/regulator/credentials/{bc.id}/decision").status_code == 404
    assert client.post("/regulator/verification/99999999999999999999").status_code == 404


# ---------------------------------------------------------------- rules


def rule_set_count(session) -> int:
    return session.scalar(select(func.count()).select_from(RuleSet))


def upload(client, content: bytes | str, name="rules.yaml", as_of=TODAY):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        "/regulator/rules/upload",
        data={"file": (io.BytesIO(data), name), "as_of": as_of},
        content_type="multipart/form-data",
    )


def activate(client, preview_html: str, **override):
    fields = dict(
        re.findall(
            r'name="(content|checksum|filename|base_version)"[^>]*value="([^"]*)"', preview_html
        )
    )
    fields |= {"note": "Activated by a test"} | override
    return client.post("/regulator/rules/activate", data=fields)


AB_ONLY = """
version: 1
jurisdictions: [{code: CA-AB, name: Alberta}]
professions: [{code: physiotherapist, name: "Physiotherapist / physical therapist"}]
credential_types: [{code: needling_authorization, name: Needling authorization}]
rules:
  - id: ab-physio-needling-2026
    jurisdiction: CA-AB
    profession: physiotherapist
    modalities: [dry_needling, ims, acupuncture]
    effective_from: 2021-10-01
    permitted: true
    requires:
      - credential: needling_authorization
    source: https://cpta.ab.ca/standard-2026
"""


def test_rules_page_lists_active_rules_with_sources_and_versions(client, regulator):
    html = page(client, "/regulator/rules?jurisdiction=CA-AB")
    assert 'id="rule-ab-physio-needling"' in html
    assert (
        "https://cpta.ab.ca/for-physiotherapists/regulatory-expectations/restricted-activities"
        in html
    )
    assert "needling authorization (from College of Physiotherapists of Alberta" in html
    assert 'id="rule-bc-physio-dn-2022"' not in html
    assert 'id="version-1"' in html
    assert 'id="rule-bc-physio-dn-2022"' in page(client, "/regulator/rules")
    page(client, "/regulator/rules?version=99", 404)
    page(client, "/regulator/rules?version=99999999999999999999", 400)
    page(client, "/regulator/rules?jurisdiction=XX-XX", 400)


def test_a_bad_rules_file_lists_every_problem_and_writes_nothing(client, regulator, session):
    before = rule_set_count(session)
    bad = AB_ONLY.replace("effective_from: 2021-10-01", "effective_from: 2021-02-30").replace(
        "profession: physiotherapist", "profession: astronaut"
    )
    response = upload(client, bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "impossible or badly written date" in html and "unknown code &#39;astronaut&#39;" in html
    assert "Activate" not in html
    assert rule_set_count(session) == before


def test_upload_without_a_file_is_a_field_error(client, regulator):
    response = client.post("/regulator/rules/upload", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a rules file." in response.get_data(as_text=True)


def test_admin_upload_previews_the_impact_then_activates_a_new_version(client, admin, session):
    proposed = default_rules_bytes().replace(
        b"registration_classes: [general, courtesy]",
        b"registration_classes: [general, courtesy, provisional]",
    )
    response = upload(client, proposed, "default_rules.yaml")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    intern = find(session, "CA-AB", registration_class="provisional")
    assert "<strong>3</strong> would become" in html and intern.name in html  # 3 modalities
    assert re.search(r"<strong>ab-physio-needling</strong>:\s*registration classes", html)
    assert rule_set_count(session) == 1  # a preview writes nothing

    response = activate(client, html, note="Interns may needle (test)")
    assert response.status_code == 302 and response.headers["Location"] == "/regulator/rules"
    active = session.scalars(select(RuleSet).where(RuleSet.active.is_(True))).one()
    total = len(rule_book(session).rules)
    assert active.version == 2 and len(active.rules) == total
    assert f"Rule set version 2 is active ({total} rules)." in page(client, "/regulator/rules")


def test_a_regulator_replaces_only_their_jurisdictions_rules(client, regulator, session):
    response = upload(client, AB_ONLY, "alberta.yaml")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "in CA-AB" in html and "Rules removed: ab-acupuncturist-acupuncture" in html
    assert "/regulator/practitioners/CA-BC/" not in html  # the preview stays in scope

    old = rule_book(session).rules
    assert activate(client, html).status_code == 302
    new = rule_book(session).rules
    assert [r.id for r in new if r.jurisdiction == "CA-AB"] == ["ab-physio-needling-2026"]
    assert [r for r in new if r.jurisdiction != "CA-AB"] == [
        r for r in old if r.jurisdiction != "CA-AB"
    ]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "rules.load").order_by(AuditEvent.id.desc())
    ).first()
    assert event.actor == regulator.email and event.after["jurisdictions"] == ["CA-AB"]


def test_a_regulators_file_with_another_jurisdictions_rule_is_refused(client, regulator, session):
    other = (
        AB_ONLY
        + """
  - id: bc-sneaky
    jurisdiction: CA-BC
    profession: physiotherapist
    modalities: [dry_needling]
    effective_from: 2021-10-01
    permitted: false
    source: https://example.org/bc
"""
    )
    response = upload(client, other)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "rule bc-sneaky: jurisdiction CA-BC is not one of your jurisdictions (CA-AB)" in html
    assert rule_set_count(session) == 1


def test_activation_refuses_a_file_that_changed_after_the_preview(client, regulator, session):
    html = upload(client, AB_ONLY).get_data(as_text=True)
    tampered = __import__("base64").b64encode(AB_ONLY.replace("2026", "2027").encode()).decode()
    response = activate(client, html, content=tampered)
    assert response.status_code == 400
    assert "did not come back intact" in response.get_data(as_text=True)
    assert rule_set_count(session) == 1


def test_activation_after_someone_else_activated_shows_a_fresh_preview(client, regulator, session):
    html = upload(client, AB_ONLY).get_data(as_text=True)
    assert activate(client, html).status_code == 302
    response = activate(client, html)  # the same preview again: the rules moved on
    assert response.status_code == 409
    assert "The active rules changed since your preview" in response.get_data(as_text=True)
    assert rule_set_count(session) == 2


def test_a_scoped_load_adds_codes_but_renames_only_its_own_jurisdiction(session, demo):
    """Shared codes keep their names: a regulator's file may add codes and rename its own
    jurisdiction, and a rename of a shared one is refused, not silently dropped."""
    from registry.models import CredentialType, Jurisdiction, Profession
    from registry.services.rulesets import RulesRefused, load_rules_scoped

    colliding = AB_ONLY.replace("ab-physio-needling-2026", "bc-physio-dn-2022")
    with pytest.raises(RulesRefused) as refused:
        load_rules_scoped(session, "reg", colliding.encode(), "ab.yaml", ["CA-AB"])
    assert refused.value.problems == [
        "rule bc-physio-dn-2022: id already used by a rule of CA-BC; ids are unique in a rule set"
    ]
    renames = AB_ONLY.replace("name: Needling authorization}]", "name: Renamed}]")
    with pytest.raises(RulesRefused) as refused:
        load_rules_scoped(session, "reg", renames.encode(), "ab.yaml", ["CA-AB"])
    assert refused.value.problems[0].startswith(
        "credential_types: needling_authorization is named “Needling authorization” here, "
        "not “Renamed”"
    )
    declares = AB_ONLY.replace("name: Alberta", "name: Alberta (province)").replace(
        "name: Needling authorization}]",
        "name: Needling authorization}, {code: dry_needling_log, name: Dry needling log}]",
    )
    rule_set = load_rules_scoped(session, "reg", declares.encode(), "ab.yaml", ["CA-AB"])
    assert rule_set.version == 2 and rule_set.filename == "ab.yaml (CA-AB; others kept from v1)"
    assert session.get(Jurisdiction, "CA-AB").name == "Alberta (province)"
    assert session.get(Profession, "physiotherapist").name.startswith("Physiotherapist /")
    assert session.get(CredentialType, "needling_authorization").name == "Needling authorization"
    assert session.get(CredentialType, "dry_needling_log").name == "Dry needling log"


def test_audit_names_gap_kinds_and_places_in_words(client, regulator):
    html = page(client, f"/regulator/audit?as_of={TODAY}")
    text = strip_tags(html[html.index("<tbody>") :])
    assert "Registration not active" in text and "Credential missing" in text
    for code in ("registration_inactive", "outside_scope", "missing_credential", "CA-AB ·"):
        assert code not in text, code
    assert "Physiotherapist / physical therapist, Alberta" in text
    assert "Alberta rule for" in text and "in force" in text
    assert '<table class="stack">' in html and 'data-label="What is wrong"' in html
    dashboard = page(client, f"/regulator/?as_of={TODAY}")
    assert ">Registration not active</a>" in dashboard
    assert "registration_inactive</" not in dashboard
