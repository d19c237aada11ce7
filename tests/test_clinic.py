"""The clinic workspace as a manager of "Bow River Physio" sees it on the demo registry:
staff verdicts, the booking guard, expiries, gaps, staff changes, edits and the export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from registry.models import ClinicStaff
from registry.services.accounts import decide_link
from registry.services.clinics import assign_staff
from registry.services.credentials import add_credential

from .clinic_helpers import (
    AUTHORIZED,
    AUTHORIZED_EMAIL,
    BOW,
    HARBOUR,
    HARBOUR_EMAIL,
    LAPSED,
    MASSAGE,
    MISSING,
    NO_RULE,
    TODAY,
    actions,
    client_for,
    clinic,
    own_account,
    page,
    practitioner,
    section,
    text,
)


@pytest.fixture
def manager(demo, make_user, login):
    user = make_user("clinic_manager", clinics=[BOW])
    login(user)
    return user


# --- the staff list -------------------------------------------------------------------------


def test_staff_list_shows_each_staff_members_verdict_and_its_reason(client, manager):
    html = text(client.get("/clinic/"))
    assert f"Staff of {BOW}" in html
    for name in ("Jane Roe", "Omar Sato", "Sofia Okafor", "Chloé Sharma", "Aiko Gagnon"):
        assert name in html
    assert {"Authorized", "Not authorized", "Pending verification"} <= set(_badges(html))
    assert "registration lapsed since" in html
    assert "no needling authorization on file" in html
    assert "outside this profession&#39;s scope of practice here" in html
    assert "needling authorization, College of Physiotherapists of Alberta, verified" in html
    assert "Registration expires " in html  # Omar Sato's, in 20 days
    # Lucas Lévesque's authorization waits for the regulator: pending, not authorized
    assert "waiting for verification of the needling authorization" in html


def test_a_practitioner_without_a_rule_shows_no_rule_on_file(client, manager, session):
    assign_staff(session, "test", clinic(session, BOW), practitioner(session, NO_RULE))
    html = text(client.get("/clinic/"))
    assert "Priya Haddad" in html and "No rule on file" in html
    assert "no scope-of-practice rule is on file" in html


def test_a_manager_of_several_clinics_chooses_one(client, demo, make_user, login, session):
    login(make_user("clinic_manager", clinics=[BOW, HARBOUR]))
    harbour = clinic(session, HARBOUR)
    assert f"Staff of {BOW}" in text(client.get("/clinic/"))  # the first by name
    html = text(client.get(f"/clinic/?clinic={harbour.id}"))
    assert f"Staff of {HARBOUR}" in html and HARBOUR_EMAIL not in html
    assert 'name="clinic"' in html and f'<option value="{harbour.id}" selected>' in html
    other = clinic(session, "Front Range Rehab")
    for bad in (str(other.id), "abc", "999999"):
        assert client.get(f"/clinic/?clinic={bad}").status_code == 404


def test_the_staff_list_runs_the_same_queries_for_any_number_of_staff(client, manager, session):
    def count() -> int:
        statements = []
        record = lambda *args: statements.append(args[2])  # noqa: E731
        engine = session.get_bind().engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get("/clinic/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    count()  # the first page of a process also reads the rule book, once
    before = count()
    for key in (NO_RULE, "CA-BC/physiotherapist/BC-1009"):
        assign_staff(session, "test", clinic(session, BOW), practitioner(session, key))
    session.flush()
    assert count() == before


def test_others_cannot_use_the_workspace(app, demo, make_user):
    assert client_for(app, None).get("/clinic/").status_code == 302
    regulator = make_user("regulator", jurisdictions=["CA-AB"])
    assert client_for(app, regulator).get("/clinic/").status_code == 404
    assert client_for(app, make_user("admin")).get("/clinic/").status_code == 200


# --- who may I book? ------------------------------------------------------------------------


def test_the_booking_guard_lists_who_may_and_who_may_not_with_the_reason(client, manager):
    html = text(client.get(f"/clinic/book?modality=dry_needling&date={TODAY}"))
    may = section(html, "May be booked for dry needling", "Waiting for verification")
    pending = section(html, "Waiting for verification", "May not be booked")
    may_not = section(html, "May not be booked")
    assert "Omar Sato" in may and "Zoe Nguyen" in may
    # a claim waiting for verification is listed apart and never bookable
    assert "Lucas Lévesque" in pending and "Lucas Lévesque" not in may
    assert "waiting for verification of the needling authorization" in pending
    for name in ("Jane Roe", "Sofia Okafor", "Aiko Gagnon", "Chloé Sharma"):
        assert name not in may and name in may_not
    assert "registration lapsed since" in may_not
    assert "registration class provisional may not perform it" in may_not


def test_the_booking_guard_defaults_to_dry_needling_today(client, manager):
    html = text(client.get("/clinic/book"))
    assert f"May be booked for dry needling on {TODAY}" in html


def test_the_booking_guard_answers_for_an_undeclared_modality_and_a_past_date(client, manager):
    html = text(client.get(f"/clinic/book?modality=ims&date={TODAY}"))
    assert "Does not declare IMS" not in section(html, "May be booked for IMS", "Do not offer")
    assert "Does not declare IMS" in section(html, "Do not offer IMS")
    before_the_rule = text(client.get("/clinic/book?modality=dry_needling&date=2021-01-01"))
    assert "No one on the staff may perform dry needling on 2021-01-01" in before_the_rule
    assert "no scope-of-practice rule is on file" in before_the_rule


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("modality=laser", "Not a valid choice"),
        ("date=2026-02-30", "Not a valid date"),
        ("date=tomorrow", "Not a valid date"),
        ("date=9999-12-31", "must be between"),
        ("modality=ims&date=0001-01-01", "must be between"),
    ],
)
def test_bad_booking_questions_get_a_message_not_an_error(client, manager, query, message):
    response = client.get(f"/clinic/book?{query}")
    assert response.status_code == 400
    assert message in text(response) and "cannot be answered" in text(response)


# --- expiries -------------------------------------------------------------------------------


@pytest.fixture
def expiring(manager, session):
    """CPR cards at Bow River: one expiring in 45 days, one expired 10 days ago, and one
    expired but renewed (which no longer matters)."""
    omar, chloe, zoe = (practitioner(session, k) for k in (AUTHORIZED, MISSING, LAPSED))
    for p, issued, expires in (
        (omar, -300, 45),
        (chloe, -400, -10),
        (zoe, -800, -20),
        (zoe, -20, 700),
    ):
        add_credential(
            session,
            "test",
            p,
            credential_type="cpr_certification",
            issuer="Red Cross",
            issued_on=TODAY + timedelta(days=issued),
            expires_on=TODAY + timedelta(days=expires),
        )
    session.flush()


@pytest.mark.parametrize(
    ("days", "shown", "hidden"),
    [
        (30, ["Omar Sato Registration", "Chloé Sharma CPR certification"], ["Omar Sato CPR"]),
        (60, ["Omar Sato Registration", "Omar Sato CPR", "Chloé Sharma CPR"], []),
        (90, ["Omar Sato CPR", "Chloé Sharma CPR"], []),
    ],
)
def test_expiries_within_the_window_and_expired_ones_that_matter(
    client, expiring, days, shown, hidden
):
    rows = _rows(text(client.get(f"/clinic/expiries?days={days}")))
    for words in shown:
        assert any(words in r for r in rows), (words, rows)
    for words in hidden:
        assert not any(words in r for r in rows), (words, rows)
    assert not any("Jane Roe CPR" in r for r in rows)  # expired but renewed
    assert [r.split()[0] for r in rows] == sorted(r.split()[0] for r in rows)


def test_expiries_say_how_long(client, expiring):
    html = text(client.get("/clinic/expiries?days=60"))
    assert "Expired 10 days ago" in html and "Expires in 45 days" in html
    assert "Expires in 20 days" in html  # Omar Sato's registration


@pytest.mark.parametrize("days", ["45", "abc", "-30"])
def test_expiries_refuse_other_windows(client, manager, days):
    response = client.get(f"/clinic/expiries?days={days}")
    assert response.status_code == 400 and "Choose 30, 60 or 90 days" in text(response)


# --- gaps -----------------------------------------------------------------------------------


def test_gaps_explain_each_gap_with_its_rule_and_source(client, manager):
    html = text(client.get("/clinic/gaps"))
    rows = _rows(html)
    assert any("Chloé Sharma" in r and "missing credential" in r
               and "Alberta rule for physiotherapists" in r
               and "No needling authorization on file" in r for r in rows)  # fmt: skip
    assert any("Jane Roe Registration" in r and "Registration lapsed since" in r for r in rows)
    assert any("Lucas Lévesque" in r and "Error unverified" in r for r in rows)
    assert 'href="https://cpta.ab.ca/for-physiotherapists/' in html
    errors_first = [r for r in rows if "Error" in r or "Warning" in r]
    assert "Warning" not in " ".join(errors_first[: len([r for r in rows if "Error" in r])])


# --- adding and removing staff --------------------------------------------------------------


def test_add_a_practitioner_by_key_asks_them_then_remove_them(client, manager, session):
    data = {
        "jurisdiction": "US-NY",
        "profession": "physiotherapist",
        "registration_number": "NY-1004",
    }
    response = client.post("/clinic/staff", data=data)
    assert response.status_code == 302
    html = text(client.get(response.headers["Location"]))
    assert "Priya Haddad is asked to join the staff of Bow River Physio" in html
    assert "Asked to join the staff" in html and "waiting for their answer" in html
    assert actions(session, "clinic_link.request")[-1].after == {
        "clinic": BOW, "status": "requested",
    }  # fmt: skip
    again = client.get(client.post("/clinic/staff", data=data).headers["Location"])
    assert "Priya Haddad was asked already" in text(again)

    # once she accepts, she is on the staff, with her verdicts
    bow, priya = clinic(session, BOW), practitioner(session, NO_RULE)
    link = session.get(ClinicStaff, (bow.id, priya.id))
    decide_link(session, "test", link, accept=True)
    session.commit()
    html = text(client.get("/clinic/"))
    assert "Priya Haddad</a>" in html and "No rule on file" in html

    # removing asks first, then takes her off
    confirm = client.post(page(NO_RULE, "/remove"), data={"clinic": bow.id})
    assert confirm.status_code == 200
    assert "Remove Priya Haddad from the staff of Bow River Physio?" in text(confirm)
    assert session.get(ClinicStaff, (bow.id, priya.id)) is not None
    response = client.post(page(NO_RULE, "/remove"), data={"clinic": bow.id, "confirmed": "yes"})
    assert response.status_code == 302
    html = text(client.get(response.headers["Location"]))
    assert "Priya Haddad is no longer on the staff" in html
    assert "Priya Haddad</a>" not in html
    assert actions(session, "clinic.remove_staff")[-1].before == {"clinic": BOW}
    assert client.get(page(NO_RULE)).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"jurisdiction": "CA-AB", "profession": "physiotherapist", "registration_number": "X9"},
         "No practitioner with this registration."),
        ({"jurisdiction": "CA-AB", "profession": "physiotherapist", "registration_number": ""},
         "This field is required."),
        ({"jurisdiction": "XX-YY", "profession": "physiotherapist", "registration_number": "1"},
         "Not a valid choice"),
    ],
)  # fmt: skip
def test_adding_a_wrong_key_re_renders_with_the_field_error(client, manager, data, message):
    response = client.post("/clinic/staff", data=data)
    assert response.status_code == 400
    assert message in text(response)


def test_removing_someone_not_on_this_clinics_staff_is_404(client, manager, session):
    bow = clinic(session, BOW)
    assert client.post(page(NO_RULE, "/remove"), data={"clinic": bow.id}).status_code == 404
    harbour = clinic(session, HARBOUR)
    assert client.post(page(AUTHORIZED, "/remove"), data={"clinic": harbour.id}).status_code == 404


# --- a staff member's page ------------------------------------------------------------------


def test_the_staff_page_shows_private_contacts_verdicts_and_credentials(client, manager):
    html = text(client.get(page(AUTHORIZED)))
    assert "Omar Sato" in html and AUTHORIZED_EMAIL in html and "+1-555-0101" in html
    assert "Authorized" in html and "No rule on file" not in html
    assert "needling authorization" in html and "College of Physiotherapists of Alberta" in html
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html


def test_the_practitioner_declares_modalities_and_the_clinic_sees_the_verdicts(
    app, client, manager, session
):
    """City and modalities are the practitioner's (or their regulator's) to change: the
    clinic reads them; the practitioner declares on their own page."""
    html = text(client.get(page(AUTHORIZED)))
    assert 'name="modalities"' not in html and 'name="city"' not in html
    assert "declares the needling they perform on their own page" in html
    for gone in ("/modalities", "/contact"):
        assert client.post(page(AUTHORIZED, gone), data={"modalities": ["ims"]}).status_code == 405
    omar = practitioner(session, AUTHORIZED)
    me = client_for(app, own_account(session, omar))
    response = me.post("/me/modalities", data={"modalities": ["dry_needling", "ims"]})
    assert response.status_code == 302
    session.expire_all()
    assert sorted(m.modality_code for m in omar.modalities) == ["dry_needling", "ims"]
    assert actions(session, "practitioner.set_modalities")[-1].after == {
        "modalities": ["dry_needling", "ims"]
    }
    staff_row = next(
        r for r in _rows(text(client.get("/clinic/"))) if AUTHORIZED_EMAIL in r or "Omar Sato" in r
    )
    assert "IMS Authorized" in staff_row
    refused = me.post("/me/modalities", data={"modalities": ["laser"]})
    assert refused.status_code == 400 and "not a valid choice" in text(refused)
    session.expire_all()
    assert sorted(m.modality_code for m in omar.modalities) == ["dry_needling", "ims"]


def test_the_clinic_keeps_notes_of_its_own(app, client, manager, session, make_user):
    bow = clinic(session, BOW)
    saved = client.post(page(AUTHORIZED, "/notes"), data={"clinic": bow.id, "notes": "Mon-Wed"})
    assert saved.status_code == 302
    assert "Mon-Wed" in text(client.get(page(AUTHORIZED)))
    event = actions(session, "clinic.staff_notes")[-1]
    assert event.after == {"clinic": BOW, "notes": "Mon-Wed"}
    too_long = client.post(page(AUTHORIZED, "/notes"), data={"clinic": bow.id, "notes": "x" * 2001})
    assert too_long.status_code == 400 and "2000" in text(too_long)
    # another clinic the practitioner also accepted does not see them
    harbour = clinic(session, HARBOUR)
    omar = practitioner(session, AUTHORIZED)
    session.add(ClinicStaff(clinic_id=harbour.id, practitioner_id=omar.id))
    session.commit()
    other = client_for(app, make_user("clinic_manager", clinics=[HARBOUR]))
    session.commit()
    html = text(other.get(page(AUTHORIZED)))
    assert AUTHORIZED_EMAIL in html and "Mon-Wed" not in html
    # nor does the practitioner
    me = client_for(app, own_account(session, omar))
    assert "Mon-Wed" not in text(me.get("/me")) and "Mon-Wed" not in text(me.get("/api/v1/me"))


# --- the export -----------------------------------------------------------------------------


def test_the_export_has_staff_credentials_verdicts_and_private_contacts(client, manager):
    response = client.get("/clinic/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="bow-river-physio-staff-'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.DictReader(io.StringIO(text(response))))
    omar = [r for r in rows if r["registration_number"] == "AB-1002"]
    assert {r["credential_type"] for r in omar} == {"needling_authorization", "dry_needling_course"}
    assert omar[0]["email"] == AUTHORIZED_EMAIL and omar[0]["phone"] == "+1-555-0101"
    assert omar[0]["dry_needling"] == "authorized" and omar[0]["ims"] == "not declared"
    assert omar[0]["verification"] == "verified"
    massage = next(r for r in rows if r["profession"] == "massage_therapist")
    assert massage["dry_needling"] == "not_authorized" and massage["credential_type"] == ""
    assert massage["dry_needling_basis"] == "outside this profession's scope of practice here"
    assert {r["registration_number"] for r in rows} >= {"AB-1001", "AB-1006", "AB-1010"}


def test_the_export_neutralizes_formulas(client, manager, session):
    omar = practitioner(session, AUTHORIZED)
    omar.notes, omar.city = "x", '=HYPERLINK("http://evil")'
    session.flush()
    rows = list(csv.DictReader(io.StringIO(text(client.get("/clinic/export.csv")))))
    assert next(r for r in rows if r["registration_number"] == "AB-1002")["city"].startswith("'=")


# --- another clinic's manager ---------------------------------------------------------------


@pytest.fixture
def harbour_manager(app, demo, make_user):
    return client_for(app, make_user("clinic_manager", clinics=[HARBOUR]))


def test_another_clinics_manager_gets_404_on_this_clinics_staff(harbour_manager, session):
    bow = clinic(session, BOW)
    c = harbour_manager
    for url in (f"/clinic/?clinic={bow.id}", f"/clinic/gaps?clinic={bow.id}",
                f"/clinic/export.csv?clinic={bow.id}", f"/clinic/book?clinic={bow.id}",
                f"/clinic/expiries?clinic={bow.id}", page(AUTHORIZED), page(MASSAGE)):  # fmt: skip
        assert c.get(url).status_code == 404, url
    posts = {
        page(AUTHORIZED, "/notes"): {"clinic": bow.id, "notes": "Nowhere"},
        page(AUTHORIZED, "/remove"): {"clinic": bow.id, "confirmed": "yes"},
        "/clinic/staff": {"clinic": bow.id, "jurisdiction": "US-NY",
                          "profession": "physiotherapist", "registration_number": "NY-1004"},
    }  # fmt: skip
    for url, data in posts.items():
        assert c.post(url, data=data).status_code == 404, url
    omar = practitioner(session, AUTHORIZED)
    assert session.get(ClinicStaff, (bow.id, omar.id)).notes is None


def test_private_fields_never_reach_another_clinics_pages(harbour_manager):
    for url in ("/clinic/", "/clinic/gaps", "/clinic/book", "/clinic/expiries?days=90",
                "/clinic/export.csv", "/clinic/roster"):  # fmt: skip
        response = harbour_manager.get(url)
        assert response.status_code == 200, url
        assert AUTHORIZED_EMAIL not in text(response) and "+1-555-0101" not in text(response)
    assert HARBOUR_EMAIL in text(harbour_manager.get("/clinic/export.csv"))


def test_forms_need_a_csrf_token(app, client, manager, session):
    app.config["WTF_CSRF_ENABLED"] = True
    bow = clinic(session, BOW)
    response = client.post(page(AUTHORIZED, "/notes"), data={"clinic": bow.id, "notes": "X"})
    assert response.status_code == 400
    omar = practitioner(session, AUTHORIZED)
    assert session.get(ClinicStaff, (bow.id, omar.id)).notes is None


# --- helpers --------------------------------------------------------------------------------


def _badges(html: str) -> list[str]:
    return re.findall(r'<span class="badge badge-\w+">([^<]+)</span>', html)


def _rows(html: str) -> list[str]:
    """Each table row's text, its cells joined by single spaces."""
    body = html.split("<tbody>", 1)[1] if "<tbody>" in html else ""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows]
