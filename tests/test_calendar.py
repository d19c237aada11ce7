"""The clinic's expiry calendar: a secret, revocable iCalendar URL listing the staff's
registration and credential expiries."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from registry.models import AuditEvent, CalendarFeed, Clinic
from registry.services import credentials as credential_service
from registry.services.practitioners import find

TODAY = date.today()
URL = re.compile(r"http://localhost/calendar/(cal_[A-Za-z0-9_-]+)\.ics")


@pytest.fixture
def manager(demo, make_user, login):
    user = make_user("clinic_manager", clinics=["Bow River Physio"])
    login(user)
    return user


def clinic_id(session, name: str = "Bow River Physio") -> int:
    return session.scalar(select(Clinic.id).where(Clinic.name == name))


def issue(client, session) -> str:
    # confirmed: replacing a live link asks first (tests/test_clinic_pages.py)
    data = {"clinic": clinic_id(session), "confirmed": "yes"}
    response = client.post("/clinic/calendar", data=data)
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    page = response.get_data(as_text=True)
    assert "it will not be shown again" in page
    return URL.search(page).group(0).removeprefix("http://localhost")


def events(app, url: str) -> list:
    response = app.test_client().get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data).walk("VEVENT")


def test_the_feed_lists_the_staffs_expiries_with_a_reminder(app, client, session, manager):
    sato = find(session, "CA-AB", "physiotherapist", "AB-1002")
    cpr = credential_service.add_credential(
        session,
        "test",
        sato,
        credential_type="cpr_certification",
        issuer="Heart and Stroke",
        issued_on=TODAY - timedelta(days=300),
        expires_on=TODAY + timedelta(days=65),
    )
    session.commit()
    url = issue(client, session)
    found = events(app, url)
    by_uid = {str(e["UID"]): e for e in found}
    event = by_uid[f"credential-{cpr.id}@needling-registry"]
    assert event.decoded("DTSTART") == TODAY + timedelta(days=65)
    assert str(event["SUMMARY"]) == "CPR certification (Heart and Stroke) expires: Omar Sato"
    description = str(event["DESCRIPTION"])
    assert "Omar Sato (Physiotherapist, Alberta, no. AB-1002)" in description
    assert "CA-AB" not in description and "physiotherapist," not in description
    alarm = event.walk("VALARM")[0]
    assert alarm.decoded("TRIGGER") == timedelta(days=-30)
    # every event is someone on this clinic's staff; no contact details travel
    staff = client.get("/clinic/").get_data(as_text=True)
    for e in found:
        assert str(e["SUMMARY"]).rsplit(": ", 1)[1] in staff
    body = app.test_client().get(url).get_data(as_text=True)
    assert "@" not in body.replace("@needling-registry", "")


def test_a_renewed_credential_shows_only_the_new_expiry(app, client, session, manager):
    sato = find(session, "CA-AB", "physiotherapist", "AB-1002")
    old = credential_service.add_credential(
        session,
        "test",
        sato,
        credential_type="cpr_certification",
        issuer="Red Cross",
        issued_on=TODAY - timedelta(days=700),
        expires_on=TODAY + timedelta(days=20),
    )
    new = credential_service.renew_credential(
        session, "test", old, issued_on=TODAY, expires_on=TODAY + timedelta(days=730)
    )
    session.commit()
    uids = {str(e["UID"]) for e in events(app, issue(client, session))}
    assert f"credential-{new.id}@needling-registry" in uids
    assert f"credential-{old.id}@needling-registry" not in uids


def test_replacing_or_revoking_the_link_kills_the_old_url(app, client, session, manager):
    first = issue(client, session)
    assert app.test_client().get(first).status_code == 200
    page = client.get(f"/clinic/calendar?clinic={clinic_id(session)}").get_data(as_text=True)
    assert "A calendar link is active" in page and first.split("/")[-1] not in page

    second = issue(client, session)
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200

    revoked = client.post(
        "/clinic/calendar/revoke",
        data={"clinic": clinic_id(session), "confirmed": "yes"},
        follow_redirects=True,
    )
    assert "Calendar link revoked" in revoked.get_data(as_text=True)
    assert app.test_client().get(second).status_code == 404
    assert "No calendar link is active" in client.get("/clinic/calendar").get_data(as_text=True)
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.like("calendar_feed.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "calendar_feed.create",
        "calendar_feed.revoke",
        "calendar_feed.create",
        "calendar_feed.revoke",
    ]
    stored = session.scalars(select(CalendarFeed.token_hash)).all()
    assert all(len(h) == 64 and not h.startswith("cal_") for h in stored)


def test_unknown_links_and_other_clinics_are_404(app, client, session, manager):
    assert app.test_client().get("/calendar/cal_nothing-here.ics").status_code == 404
    assert app.test_client().get("/calendar/whatever.ics").status_code == 404
    other = clinic_id(session, "Harbour Physiotherapy")
    assert client.post("/clinic/calendar", data={"clinic": other}).status_code == 404
    assert client.post("/clinic/calendar/revoke", data={"clinic": other}).status_code == 404
    assert client.get(f"/clinic/calendar?clinic={other}").status_code == 404
