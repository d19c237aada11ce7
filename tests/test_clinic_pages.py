"""What a clinic manager sees (issue 13): who is bookable for a service they offer, names told
apart, codes in words, forms that pick nothing by accident, a roster limit stated and kept,
confirmations before the calendar link is replaced or revoked, and demo expiries that differ
from one window to the next."""

from __future__ import annotations

import io
import re

import pytest

from registry.models import Clinic
from registry.services.practitioners import set_modalities
from registry.services.roster import MAX_ROWS

from .clinic_helpers import AUTHORIZED, BOW, TODAY, clinic, page, practitioner, section, text


@pytest.fixture
def manager(demo, make_user, login):
    user = make_user("clinic_manager", clinics=[BOW])
    login(user)
    return user


def plain(html: str) -> str:
    """The text of an HTML fragment, tags gone, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def visible(html: str) -> str:
    """The words a person reads: no tags, attributes, scripts, or ``<code>``/``<pre>`` (the
    roster's file format, which is written in codes on purpose)."""
    main = html.split("<main", 1)[1]
    return plain(re.sub(r"<(code|pre|script)\b.*?</\1>", " ", main, flags=re.S))


# --- who may I book? ------------------------------------------------------------------------


@pytest.mark.parametrize("modality", ["ims", "acupuncture"])
def test_nobody_is_bookable_for_a_service_they_do_not_declare(client, manager, modality):
    html = text(client.get(f"/clinic/book?modality={modality}&date={TODAY}"))
    what = "IMS" if modality == "ims" else "acupuncture"
    may = section(html, f"May be booked for {what}", "May not be booked")
    assert "No one on the staff may perform" in may and "Omar Sato" not in may
    undeclared = section(html, f"Do not offer {what}")
    assert "Omar Sato" in undeclared and f"Does not declare {what}" in undeclared
    assert "Authorized" not in undeclared  # the rules' answer is not a booking


def test_a_declarer_is_bookable_and_namesakes_are_told_apart(client, manager, session):
    omar = practitioner(session, AUTHORIZED)
    set_modalities(session, "test", omar, ["dry_needling", "ims"])
    session.flush()
    html = text(client.get(f"/clinic/book?modality=ims&date={TODAY}"))
    may = plain(section(html, "May be booked for IMS", "May not be booked"))
    assert "Omar Sato" in may and "Physiotherapist, Alberta · AB-1002" in may
    undeclared = plain(section(html, "Do not offer IMS"))
    assert "Omar Sato" not in undeclared
    # two people named Mei Smith: their registration numbers tell them apart
    assert undeclared.count("Mei Smith") == 2
    assert "Physiotherapist, Alberta · AB-1018" in undeclared
    assert "Physiotherapist, Alberta · AB-1058" in undeclared


def test_pending_verification_is_listed_apart_and_never_bookable(client, manager):
    html = text(client.get(f"/clinic/book?modality=dry_needling&date={TODAY}"))
    pending = section(html, "Waiting for verification", "May not be booked")
    assert "Lucas Lévesque" in pending and "Pending verification" in pending
    assert "Lucas Lévesque" not in section(html, "May be booked", "Waiting for verification")


# --- plain words ----------------------------------------------------------------------------

CLINIC_PAGES = [
    "/clinic/",
    "/clinic/book",
    "/clinic/book?modality=ims",
    "/clinic/book?modality=acupuncture",
    "/clinic/expiries?days=90",
    "/clinic/gaps",
    "/clinic/roster",
    "/clinic/calendar",
    page(AUTHORIZED),
    page("CA-AB/massage_therapist/AB-1006"),
    page("CA-AB/physiotherapist/AB-1001"),
]
RAW_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:CA|US)-[A-Z]{2}\b|\bclinic_manager\b")


@pytest.mark.parametrize("url", CLINIC_PAGES)
def test_clinic_pages_speak_in_words_not_codes(client, manager, url):
    response = client.get(url)
    assert response.status_code == 200
    words = visible(text(response))
    assert not RAW_CODE.findall(words), RAW_CODE.findall(words)


def test_the_staff_page_names_profession_and_jurisdiction(client, manager):
    html = plain(text(client.get("/clinic/")))
    assert "Physiotherapist, Alberta · AB-1002" in html
    assert "Massage therapist, Alberta · AB-1006" in html
    assert "physiotherapist, CA-AB" not in html


# --- form defaults --------------------------------------------------------------------------


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, flags=re.S).group(0)
    chosen = re.search(
        r'<option selected value="([^"]*)">|<option value="([^"]*)" selected', select
    )
    return next(v for v in chosen.groups() if v is not None) if chosen else ""


def test_add_to_staff_starts_on_the_clinics_own_jurisdiction(client, manager):
    html = text(client.get("/clinic/"))
    add = section(html, "Add a practitioner to the staff")
    assert _selected(add, "jurisdiction") == "CA-AB" and _selected(add, "profession") == (
        "physiotherapist"
    )
    assert ">Alberta</option>" in add and "Alabama" in add  # by name, not code


def test_a_clinic_without_staff_chooses_and_a_blank_choice_is_refused(
    client, demo, make_user, login, session
):
    session.add(Clinic(name="Empty Room Physio", city="Red Deer"))
    session.flush()
    login(make_user("clinic_manager", clinics=["Empty Room Physio"]))
    html = text(client.get("/clinic/"))
    add = section(html, "Add a practitioner to the staff")
    for name in ("jurisdiction", "profession"):
        first = re.search(rf'<select[^>]*name="{name}"[^>]*>\s*<option([^>]*)>([^<]*)', add)
        assert first.group(2) == "Choose…" and 'value=""' in first.group(1)
    assert _selected(add, "jurisdiction") == "" and _selected(add, "profession") == ""
    empty = clinic(session, "Empty Room Physio")
    data = {"clinic": empty.id, "jurisdiction": "", "profession": "", "registration_number": "1"}
    response = client.post("/clinic/staff", data=data)
    assert response.status_code == 400
    assert "Choose the jurisdiction of their registration." in text(response)
    assert "Choose their profession." in text(response)


def test_add_credential_starts_on_choose_and_requires_a_choice(client, manager, session):
    html = text(client.get(page(AUTHORIZED)))
    form = section(html, "Add a credential")
    assert _selected(form, "credential_type") == ""
    assert "Choose…</option>" in form
    bow = clinic(session, BOW)
    response = client.post(
        page(AUTHORIZED, "/credentials"),
        data={"clinic": bow.id, "credential_type": "", "issued_on": str(TODAY)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Choose the kind of credential." in text(response)


# --- roster limit ---------------------------------------------------------------------------


def upload(client, content: str):
    return client.post(
        "/clinic/roster",
        data={"roster": (io.BytesIO(content.encode()), "roster.csv")},
        content_type="multipart/form-data",
    )


HEADER = "jurisdiction,profession,registration_number\n"


def test_the_roster_page_states_the_row_limit_before_upload(client, manager):
    html = text(client.get("/clinic/roster"))
    assert f"at most {MAX_ROWS} rows" in html
    assert 'data-busy="Uploading and checking… this can take a minute' in html
    assert "clinic.js" in html  # the busy state, from the site itself (no inline script)


def test_a_roster_over_the_limit_gets_one_message(client, manager):
    rows = "".join(f"CA-AB,physiotherapist,X-{n}\n" for n in range(MAX_ROWS + 1))
    response = upload(client, HEADER + rows)
    assert response.status_code == 400
    html = text(response)
    assert f"This file has {MAX_ROWS + 1} rows; the limit is {MAX_ROWS}." in html
    assert "Fix line" not in html and "X-17" not in html
    assert html.count("<tr") == 0


def test_a_roster_with_many_bad_rows_lists_the_first_fifty(client, manager):
    rows = "".join(f"CA-AB,physiotherapist,NOPE-{n}\n" for n in range(120))
    html = text(upload(client, HEADER + rows))
    assert "Fix lines 2, 3, 4," in html and "51 and 70 more, then upload the file again" in html
    listed = section(html, "<tbody>", "</tbody>")
    assert listed.count("<tr") == 50
    assert "70 more are not" in html


# --- the calendar link asks first -----------------------------------------------------------


def _issue(client, bow_id: int) -> str:
    response = client.post("/clinic/calendar", data={"clinic": bow_id})
    assert response.status_code == 201
    return re.search(r"/calendar/(cal_[A-Za-z0-9_-]+)\.ics", text(response)).group(0)


def test_revoking_the_calendar_link_asks_first(app, client, manager, session):
    bow = clinic(session, BOW)
    url = _issue(client, bow.id)
    page_html = text(client.get("/clinic/calendar"))
    assert "Revoke the link…" in page_html
    ask = client.post("/clinic/calendar/revoke", data={"clinic": bow.id})
    assert ask.status_code == 200
    assert "Revoke the calendar link of Bow River Physio?" in text(ask)
    assert 'name="confirmed" value="yes"' in text(ask)
    assert app.test_client().get(url).status_code == 200  # nothing revoked yet
    done = client.post(
        "/clinic/calendar/revoke",
        data={"clinic": bow.id, "confirmed": "yes"},
        follow_redirects=True,
    )
    assert "Calendar link revoked" in text(done)
    assert app.test_client().get(url).status_code == 404


def test_replacing_the_calendar_link_asks_first(app, client, manager, session):
    bow = clinic(session, BOW)
    first = _issue(client, bow.id)
    ask = client.post("/clinic/calendar", data={"clinic": bow.id})
    assert ask.status_code == 200
    assert "Replace the calendar link of Bow River Physio?" in text(ask)
    assert app.test_client().get(first).status_code == 200
    replaced = client.post("/clinic/calendar", data={"clinic": bow.id, "confirmed": "yes"})
    assert replaced.status_code == 201 and "it will not be shown again" in text(replaced)
    assert app.test_client().get(first).status_code == 404


# --- the demo's expiries --------------------------------------------------------------------


def test_each_expiry_window_of_the_demo_clinic_shows_more_than_the_one_before(client, manager):
    def rows(days: int) -> int:
        html = text(client.get(f"/clinic/expiries?days={days}"))
        return section(html, "<tbody>", "</tbody>").count("<tr")

    assert 0 < rows(30) < rows(60) < rows(90)
