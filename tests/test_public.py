"""The public face: the lookup page, a practitioner's page and the explainer, as anyone sees
them without logging in."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select, update

from registry import db
from registry.models import Credential, Practitioner
from registry.read.rulebook import rule_book
from registry.read.stored import may_today
from registry.read.verdicts import statuses
from registry.rules.model import MODALITY_ORDER
from registry.services import credentials as credential_service
from registry.services import practitioners as practitioner_service
from registry.services.verification import decide

TODAY = date.today()
DEFAULT_RULES = str(Path(__file__).parent.parent / "registry" / "rules" / "default_rules.yaml")
ACTOR = "test:public"
CALGARY_DRY_NEEDLING = {
    "AB-1002",
    "AB-1018",
    "AB-1019",
    "AB-1020",
    "AB-1044",
    "AB-1045",
    "AB-1046",
    "AB-1058",
}
SMITHS = {"AB-1018", "AB-1058", "BC-1034", "NJ-1054", "QC-1038", "UT-1014"}
HEADER = (
    "jurisdiction,profession,registration_number,given_name,family_name,registration_status,"
    "registered_since,registration_class,city,clinics,modalities,email,phone\n"
)


@pytest.fixture
def rules(cli):
    assert cli("registry", "load-rules", DEFAULT_RULES).exit_code == 0


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def numbers(html: str) -> set[str]:
    """Registration numbers of the result rows on a search page."""
    return set(re.findall(r'<span class="muted number">([^<]+)</span>', html))


def import_people(cli, write_csv, rows: list[str]) -> None:
    result = cli("registry", "import-practitioners", write_csv(HEADER + "\n".join(rows) + "\n"))
    assert result.exit_code == 0, result.output


# --- the lookup page ---------------------------------------------------------------------


def test_lookup_page_offers_a_labelled_search_form(client, demo):
    html = page(client, "/")
    for name, words in [
        ("q", "Name or registration number"),
        ("city", "City"),
        ("jurisdiction", "Province or state"),
        ("profession", "Profession"),
        ("modality", "May perform"),
    ]:
        assert f'<label for="{name}">{words}</label>' in html
        assert f'id="{name}" name="{name}"' in html
    assert '<option value="CA-AB">Alberta</option>' in html
    assert '<option value="dry_needling">Dry needling</option>' in html
    assert "practitioners found" not in html


@pytest.mark.parametrize("q", ["smith", "SMITH", "Smi", "  smith  "])
def test_name_search_is_a_case_insensitive_prefix_on_the_family_name(client, demo, q):
    html = page(client, f"/?q={q}")
    assert numbers(html) == SMITHS
    assert "6 practitioners found" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=mei", {"AB-1018", "AB-1058", "QC-1038"}),  # given name
        ("q=mei+smith", {"AB-1018", "AB-1058", "QC-1038"}),  # given and family name
        ("q=hannah+sm", {"BC-1034", "NJ-1054", "UT-1014"}),
        ("q=ab-1002", {"AB-1002"}),  # registration number, exact
        ("q=AB-100", {"AB-1001", "AB-1002", "AB-1006", "AB-1008"}),  # number, by prefix
        ("city=saskatoon", {"SK-1026", "SK-1052"}),
        ("jurisdiction=ca-sk", {"SK-1026", "SK-1052"}),
        ("jurisdiction=US-CO&q=aiko", {"CO-1028", "CO-1048"}),
        ("profession=acupuncturist", {"AB-1040", "BC-1039", "CA-1042", "ON-1041"}),
        ("profession=chiropractor&city=Toronto", {"ON-1043"}),
        ("q=smith&jurisdiction=CA-AB", {"AB-1018", "AB-1058"}),
        ("q=nobody", set()),
        ("q=%25", set()),  # a LIKE wildcard is searched for literally
        ("q=_", set()),
    ],
)
def test_search_by_name_number_city_jurisdiction_and_profession(client, demo, query, expected):
    assert numbers(page(client, f"/?{query}")) == expected


def test_who_in_calgary_may_do_dry_needling(client, demo):
    html = page(client, "/?city=Calgary&modality=dry_needling")
    assert numbers(html) == CALGARY_DRY_NEEDLING
    assert "8 practitioners found" in html
    # lapsed, outside scope, provisional class, no authorization, no needling, acupuncture only,
    # waiting for verification, authorization rejected
    assert not numbers(html) & {
        "AB-1001", "AB-1006", "AB-1008", "AB-1010", "AB-1036", "AB-1040", "AB-1015", "AB-1059"
    }  # fmt: skip


def test_the_modality_filter_agrees_with_the_status_report(demo, session):
    """The filter reads the verdict store; it must find exactly those the engine says declare
    the modality and are authorized for it today."""
    ids = session.scalars(select(Practitioner.id)).all()
    full = statuses(session, ids, TODAY, book=rule_book(session))
    for m in MODALITY_ORDER:
        found = set(session.scalars(select(Practitioner.id).where(may_today(m, TODAY))))
        expected = {pid for pid, s in full.items() if s.may(m) and s.modalities[m].declared}
        assert found == expected, m
    assert any(s.may("dry_needling") for s in full.values())


def test_authorized_search_counts_every_page(client, demo, app):
    app.config["PAGE_SIZE"] = 4
    pages = [page(client, f"/?city=calgary&modality=dry_needling&page={n}") for n in (1, 2)]
    assert [len(numbers(p)) for p in pages] == [4, 4]
    assert set().union(*(numbers(p) for p in pages)) == CALGARY_DRY_NEEDLING
    assert "Page 2 of 2" in pages[1]


def test_results_show_a_verdict_for_each_declared_modality(client, demo):
    html = page(client, "/?q=ethan&city=san+diego")
    assert numbers(html) == {"CA-1007"}
    assert "Dry needling: " in html and "Acupuncture: " in html
    assert html.count('<span class="badge badge-bad">Not authorized</span>') == 2
    html = page(client, "/?q=noah&jurisdiction=CA-BC")
    assert re.search(r"IMS: \s*<span class=\"badge badge-ok\">Authorized</span>", html)
    html = page(client, "/?q=amara+rossi&jurisdiction=CA-AB")
    assert "No needling declared" in html


def test_results_are_paginated(client, rules, cli, write_csv):
    rows = [
        f"CA-AB,physiotherapist,P-{n:02d},Given{n:02d},Pager,active,2015-01-01,general,Calgary,,,,"
        for n in range(25)
    ]
    import_people(cli, write_csv, rows)
    first, second = page(client, "/?q=pager"), page(client, "/?q=pager&page=2")
    assert "25 practitioners found" in first
    assert numbers(first) == {f"P-{n:02d}" for n in range(20)}  # ordered by given name
    assert numbers(second) == {f"P-{n:02d}" for n in range(20, 25)}
    assert "Page 1 of 2" in first and 'rel="next" href="/?page=2&amp;q=pager"' in first
    assert 'rel="prev" href="/?page=1&amp;q=pager"' in second


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=smith&page=abc", "Page: must be a whole number from 1 to 100000."),
        ("q=smith&page=0", "Page: must be a whole number"),
        ("q=smith&page=-1", "Page: must be a whole number"),
        ("q=smith&page=99999999999999999999", "Page: must be a whole number"),
        ("modality=cupping", "May perform: choose Dry needling, IMS or Acupuncture."),
        ("jurisdiction=XX-YY", "Province or state: unknown jurisdiction &#39;XX-YY&#39;."),
        ("profession=astronaut", "Profession: unknown profession &#39;astronaut&#39;."),
        ("q=%00", "Name or registration number: must not contain control characters."),
        ("city=" + "x" * 101, "City: at most 100 characters."),
    ],
)
def test_bad_parameters_re_render_the_form_with_a_reason(client, demo, query, message):
    html = page(client, f"/?{query}", 400)
    assert "Please check your search" in html and message in html
    assert '<form method="get" action="/"' in html
    assert "\x00" not in html
    assert "must be one of" not in html  # the choices in words, not as codes


def test_a_page_past_the_end_says_so(client, demo):
    html = page(client, "/?q=smith&page=99999", 404)
    assert "There is no page 99999: the results fit on 1 page." in html
    assert 'href="/?q=smith"' in html


def test_unicode_names_are_found_as_written(client, rules, cli, write_csv):
    """(PostgreSQL also folds accented capitals; SQLite folds ASCII letters only.)"""
    import_people(
        cli, write_csv, ["CA-QC,physiotherapist,Q-1,Élodie,Côté,active,2015-01-01,,Montréal,,,,"]
    )
    assert numbers(page(client, "/?q=C%C3%B4t%C3%A9")) == {"Q-1"}
    assert numbers(page(client, "/?city=montr%C3%A9al")) == {"Q-1"}
    assert numbers(page(client, "/?q=%C3%89lodie")) == {"Q-1"}


# --- a practitioner's page ---------------------------------------------------------------


def test_practitioner_page_shows_registration_verdicts_basis_and_sources(client, demo):
    html = page(client, "/practitioners/CA-AB/physiotherapist/AB-1002")
    assert "<h1>Omar Sato</h1>" in html
    for fact in ("AB-1002", "Active", "General", "Alberta (CA-AB)", "Calgary", "Bow River Physio"):
        assert fact in html
    assert "<dt>Registered since</dt><dd>" in html
    assert (
        "<strong>Authorized:</strong> needling authorization, College of Physiotherapists of "
        "Alberta, verified " in html
    )
    assert "120 h dry needling course, Acupuncture Canada, verified" in html
    assert "Under the Alberta rule for Physiotherapist / physical therapist" in html
    assert "ab-physio-needling" not in html and "<code>" not in html
    assert 'href="https://cpta.ab.ca/' in html
    assert [m for m in ("Dry needling", "IMS", "Acupuncture") if f">{m}</h3>" in html] == [
        "Dry needling",
        "IMS",
        "Acupuncture",
    ]
    assert "Performs it" in html and "Does not say they perform it" in html


def test_practitioner_page_lists_credentials_with_currency_and_verification(client, demo):
    html = page(client, "/practitioners/CA-BC/physiotherapist/BC-1012")
    assert '<th scope="row" data-label="Credential">Liability insurance</th>' in html
    assert re.search(r'<span class="badge badge-expired">Expired \d{4}-\d\d-\d\d</span>', html)
    assert "<strong>Not authorized:</strong> liability insurance expired" in html
    html = page(client, "/practitioners/US-NJ/physiotherapist/NJ-1016")
    assert re.search(r'<span class="badge badge-expiring">Expires \d{4}-\d\d-\d\d</span>', html)
    assert '<span class="badge badge-current">Current (no expiry)</span>' in html
    html = page(client, "/practitioners/CA-AB/physiotherapist/AB-1015")
    assert "Pending verification" in html
    assert "waiting for verification of the needling authorization" in html
    assert re.search(r"Verified \d{4}-\d\d-\d\d", html)


@pytest.mark.parametrize(
    ("number", "verdict", "basis"),
    [
        ("BC-1003", "No rule on file", "no scope-of-practice rule is on file"),
        ("NY-1005", "Not authorized", "outside this profession&#39;s scope of practice here"),
        ("AB-1008", "Not authorized", "registration class provisional may not perform it"),
        ("AB-1001", "Not authorized", "registration lapsed since"),
    ],
)
def test_each_verdict_is_explained(client, demo, session, number, verdict, basis):
    p = session.scalar(select(Practitioner).where(Practitioner.registration_number == number))
    html = page(client, f"/practitioners/{p.jurisdiction_code}/{p.profession_code}/{number}")
    assert f"<strong>{verdict}:</strong> " in html and basis in html


def test_a_revoked_credential_is_shown_as_revoked_and_does_not_count(client, demo, session):
    auth = session.scalar(
        select(Credential)
        .join(Practitioner)
        .where(
            Practitioner.registration_number == "AB-1002",
            Credential.credential_type_code == "needling_authorization",
        )
    )
    decide(session, ACTOR, auth, "revoked", note="issued in error")
    html = page(client, "/practitioners/CA-AB/physiotherapist/AB-1002")
    assert f'<span class="badge badge-bad">Revoked {TODAY}: does not count</span>' in html
    assert "<strong>Not authorized:</strong> no needling authorization on file" in html
    assert "issued in error" not in html
    assert "AB-1002" not in numbers(page(client, "/?city=calgary&modality=dry_needling"))


@pytest.mark.parametrize(
    "path",
    [
        "/practitioners/CA-AB/physiotherapist/AB-9999",
        "/practitioners/XX/physiotherapist/AB-1002",
        "/practitioners/CA-AB/astronaut/AB-1002",
        "/practitioners/CA-AB/physiotherapist/" + "9" * 300,
    ],
)
def test_unknown_practitioner_is_a_404_page(client, demo, path):
    html = page(client, path, 404)
    assert "<h1>404</h1>" in html and "No practitioner is registered" in html


def test_a_nul_in_the_key_is_a_404_page(client, demo):
    html = page(client, "/practitioners/CA-AB/physiotherapist/AB-1002%00", 404)
    assert "<h1>404</h1>" in html


# --- private fields never leave ----------------------------------------------------------

CANARIES = (
    "canary-email@private.example",
    "+1-555-0199-CANARY",
    "CANARY-NOTE",
    "CANARY-VERIFY-NOTE",
    "canary-evidence.pdf",
    "CANARY-REVOKED-REASON",
    "canary-verifier",
)


@pytest.fixture
def canary(client, rules, cli, write_csv, session):
    """A practitioner holding a private value in every private field."""
    import_people(
        cli,
        write_csv,
        [
            "CA-AB,physiotherapist,AB-CANARY,Carla,Canary,active,2015-01-01,general,Calgary,"
            "Bow River Physio,dry_needling,canary-email@private.example,+1-555-0199-CANARY"
        ],
    )
    p = session.scalar(select(Practitioner).where(Practitioner.registration_number == "AB-CANARY"))
    practitioner_service.update_practitioner(session, ACTOR, p, {"notes": "CANARY-NOTE"}, p.version)
    auth = credential_service.add_credential(
        session,
        ACTOR,
        p,
        credential_type="needling_authorization",
        issued_on=date(2020, 1, 1),
        issuer="College of Physiotherapists of Alberta",
        evidence_ref="canary-evidence.pdf",
    )
    decide(session, "canary-verifier", auth, "verified", note="CANARY-VERIFY-NOTE")
    course = credential_service.add_credential(
        session,
        ACTOR,
        p,
        credential_type="dry_needling_course",
        issued_on=date(2019, 1, 1),
        hours=45,
        evidence_ref="canary-evidence.pdf",
    )
    decide(session, ACTOR, course, "revoked", note="CANARY-REVOKED-REASON")
    credential_service.add_credential(
        session, ACTOR, p, credential_type="dry_needling_course", issued_on=TODAY, hours=45
    )
    return p


def test_private_fields_appear_on_no_public_page_or_answer(client, canary):
    urls = [
        "/?q=canary",
        "/?city=calgary",
        "/?q=carla+can&modality=dry_needling",
        "/practitioners/CA-AB/physiotherapist/AB-CANARY",
        "/api/v1/practitioners?q=canary",
        "/api/v1/practitioners/CA-AB/physiotherapist/AB-CANARY",
    ]
    for url in urls:
        body = page(client, url)
        assert "Canary" in body, url
        assert [c for c in CANARIES if c.lower() in body.lower()] == [], url


# --- the explainer, accessibility, limits, cost ------------------------------------------


def test_about_page_explains_the_modalities_and_the_verdicts(client):
    html = page(client, "/about")
    for words in (
        "<h1>Dry needling, IMS and acupuncture</h1>",
        "three to four years",
        "a single\n        weekend course",
        "pneumothorax",
        "A weekend certificate and a four-year board registration",
        "<strong>not assessed</strong>",
        "Until the regulator\n    checks it, this is <strong>not</strong> an authorization.",
        "<em>Pending verification</em>",
    ):
        assert words in html
    for verdict in ("Authorized", "Pending verification", "Not authorized", "No rule on file"):
        assert f">{verdict}</span>" in html


def heading_levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[ >]", html)]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?q=smith",
        "/?modality=cupping",
        "/practitioners/CA-AB/physiotherapist/AB-1002",
        "/practitioners/CA-AB/physiotherapist/nobody",
        "/about",
    ],
)
def test_pages_meet_the_accessibility_basics(client, demo, url):
    html = client.get(url).get_data(as_text=True)
    assert "<script" not in html and " style=" not in html  # the CSP forbids both
    levels = heading_levels(html)
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert "<th>" not in html  # every header cell says what it heads
    for input_id in re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', html):
        assert f'<label for="{input_id}">' in html
    assert 'name="viewport"' in html


def test_public_pages_are_rate_limited(client, demo, app):
    app.config["PUBLIC_RATE_LIMIT"] = "3 per minute"
    assert [client.get("/?q=smith").status_code for _ in range(3)] == [200] * 3
    response = client.get("/?q=smith")
    assert response.status_code == 429
    assert "Too many look-ups" in response.get_data(as_text=True)


def test_a_search_page_evaluates_only_its_own_rows(client, demo, app):
    """The same handful of queries for few rows and for many: no query per practitioner (a
    search by name counts as it pages; one by filters counts, then pages by an index)."""
    app.config["PUBLIC_CACHE_SECONDS"] = 0
    page(client, "/?q=smith")  # builds the rule book once
    statements: list[str] = []
    connection = db.session().connection()
    event.listen(connection, "before_cursor_execute", lambda *a: statements.append(a[2]))
    counts = []
    pages = {}
    for url in ("/?q=mei+smith", "/?q=s", "/?jurisdiction=CA-AB", "/?jurisdiction=CA-ON"):
        statements.clear()
        pages[url] = len(numbers(page(client, url)))
        counts.append(len(statements))
    assert pages["/?q=mei+smith"] < pages["/?q=s"]
    assert pages["/?jurisdiction=CA-ON"] < pages["/?jurisdiction=CA-AB"]
    assert counts[0] == counts[1] <= 11
    assert counts[2] == counts[3] <= 11


def test_answers_follow_every_recorded_change(client, demo, session):
    """Cached answers are reused while the audit log stands still, and never after."""
    assert "Omar Sato" in page(client, "/?q=ab-1002")
    session.execute(
        update(Practitioner)
        .where(Practitioner.registration_number == "AB-1002")
        .values(given_name="Unrecorded")
    )
    assert "Omar Sato" in page(client, "/?q=ab-1002")  # a write that bypassed the services
    p = session.scalar(select(Practitioner).where(Practitioner.registration_number == "AB-1002"))
    session.refresh(p)
    practitioner_service.update_practitioner(session, ACTOR, p, {"given_name": "Omari"}, p.version)
    assert "Omari Sato" in page(client, "/?q=ab-1002")


def test_a_new_rule_set_changes_the_answers_at_once(client, demo, cli):
    url = "/practitioners/CA-BC/physiotherapist/BC-1021"
    assert "<strong>Authorized:</strong>" in page(client, url)
    rules_v1 = str(Path(__file__).parent / "fixtures" / "rules_v1.yaml")  # no BC rules
    assert cli("registry", "load-rules", rules_v1).exit_code == 0
    assert "<strong>No rule on file:</strong>" in page(client, url)


def test_a_fresh_answer_is_reused_without_asking_the_database(client, demo, session, app):
    """Within PUBLIC_CACHE_FRESH_SECONDS the public may see an answer that old."""
    app.config["PUBLIC_CACHE_FRESH_SECONDS"] = 3600
    assert "Omar Sato" in page(client, "/api/v1/practitioners?q=ab-1002")
    p = session.scalar(select(Practitioner).where(Practitioner.registration_number == "AB-1002"))
    practitioner_service.update_practitioner(session, ACTOR, p, {"given_name": "Omari"}, p.version)
    assert "Omar Sato" in page(client, "/api/v1/practitioners?q=ab-1002")
    app.config["PUBLIC_CACHE_FRESH_SECONDS"] = 0
    assert "Omari Sato" in page(client, "/api/v1/practitioners?q=ab-1002")


def test_expiry_dates_are_relative_to_today(client, rules, cli, write_csv, session):
    import_people(
        cli,
        write_csv,
        ["CA-AB,physiotherapist,E-1,Eve,Expiry,active,2015-01-01,general,Calgary,,dry_needling,,"],
    )
    p = session.scalar(select(Practitioner).where(Practitioner.registration_number == "E-1"))
    credential_service.add_credential(
        session,
        ACTOR,
        p,
        credential_type="cpr_certification",
        issued_on=TODAY - timedelta(days=300),
        expires_on=TODAY + timedelta(days=10),
    )
    html = page(client, "/practitioners/CA-AB/physiotherapist/E-1")
    expires = (TODAY + timedelta(days=10)).isoformat()
    assert f'<span class="badge badge-expiring">Expires {expires}</span>' in html
    assert "Pending verification" in html


def test_a_search_without_hits_suggests_what_to_try(client, demo):
    html = page(client, "/?q=Mei+Smyth&city=Calgary&jurisdiction=CA-AB&modality=dry_needling")
    assert "No practitioners found" in html
    suggestions = html[html.index('id="no-hits"') :]
    assert "checking the spelling of “Mei Smyth”" in suggestions
    assert (
        'href="/?q=Smyth&amp;jurisdiction=CA-AB&amp;modality=dry_needling&amp;city=Calgary"'
        in suggestions
    )
    assert "registration number" in suggestions
    for dropped, words in (
        ("city", "the city “Calgary”"),
        ("jurisdiction", "the jurisdiction “Alberta”"),
        ("modality", "the modality “Dry needling”"),
    ):
        assert f"search without {words}" in suggestions, dropped
    assert (
        'href="/?q=Mei+Smyth&amp;jurisdiction=CA-AB&amp;modality=dry_needling">'
        "search without the city" in suggestions
    )
    assert 'href="/?q=Mei+Smyth">search by name or number alone</a>' in suggestions


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code in (200, 301, 302)
    icon = client.get(response.headers.get("Location", "/favicon.ico"))
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert 'rel="icon"' in client.get("/about").text


def test_the_data_version_is_read_once_in_the_fresh_window(client, demo, app):
    """Within PUBLIC_CACHE_FRESH_SECONDS a process reads the data version once: an uncached
    search then costs its own statements only; outside the window it reads it again."""
    app.config.update(PUBLIC_CACHE_SECONDS=120, PUBLIC_CACHE_FRESH_SECONDS=60)
    page(client, "/?q=smith")
    statements: list[str] = []
    connection = db.session().connection()
    event.listen(connection, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert "Sato" in page(client, "/?q=sato")
    assert statements and not [s for s in statements if "max(audit_events.id)" in s]
    app.config["PUBLIC_CACHE_FRESH_SECONDS"] = 0
    statements.clear()
    page(client, "/?q=lee")
    assert [s for s in statements if "max(audit_events.id)" in s]


def test_a_bad_field_is_marked_for_screen_readers_and_keeps_what_was_typed(client, demo):
    """The plain-markup form ties each error to its field, as the shared field macro does."""
    html = page(client, "/?q=smith&city=" + "x" * 101, 400)
    assert 'aria-describedby="city-error" aria-invalid="true" id="city"' in html
    assert '<p class="error" id="city-error">at most 100 characters</p>' in html
    assert 'id="q" name="q" type="search" value="smith"' in html
    assert '<div class="field has-error">' in html
    ok = page(client, "/?q=smith&jurisdiction=CA-AB")
    assert '<option selected value="CA-AB">Alberta</option>' in ok
    assert "aria-invalid" not in ok
