"""Uploading a staff roster: every row applied and reported, or nothing written at all."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from registry.models import AuditEvent, ClinicStaff
from registry.services.roster import RosterRefused, apply_roster

from .clinic_helpers import BOW, actions, clinic, practitioner, text

GOOD = """\
jurisdiction,profession,registration_number,modalities
US-NY,physiotherapist,NY-1004,ims;dry_needling
ca-ab,Physiotherapist,AB-1002,
CA-BC,physiotherapist,BC-1009,acupuncture
"""
BAD = """\
jurisdiction,profession,registration_number,modalities
US-NY,physiotherapist,NY-1004,ims
CA-AB,physiotherapist,AB-9999,
CA-AB,physiotherapist,,
CA-XX,physiotherapist,AB-1002,laser
US-NY,physiotherapist,NY-1004,
"""


@pytest.fixture
def manager(demo, make_user, login):
    user = make_user("clinic_manager", clinics=[BOW])
    login(user)
    return user


def upload(client, content: str | bytes, filename: str = "roster.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        "/clinic/roster",
        data={"roster": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def staff_count(session) -> int:
    bow = clinic(session, BOW)
    query = select(func.count()).select_from(ClinicStaff).where(ClinicStaff.clinic_id == bow.id)
    return session.scalar(query)


def event_count(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent))


def test_the_roster_page_explains_the_format(client, manager):
    html = text(client.get("/clinic/roster"))
    assert "registration_number" in html and 'type="file"' in html


def test_a_good_roster_asks_each_new_name_and_reports_row_by_row(client, manager, session, outbox):
    before = staff_count(session)
    priya = practitioner(session, "US-NY/physiotherapist/NY-1004")
    declared = sorted(m.modality_code for m in priya.modalities)
    response = upload(client, GOOD)
    assert response.status_code == 200
    html = text(response)
    assert (
        "Roster applied to Bow River Physio: 2 asked to join the staff (they appear once they "
        "accept), 0 asked before and still waiting, 1 already on staff." in html
    )
    assert "Priya Haddad" in html and "asked to join the staff" in html
    assert "The modalities column is not applied" in html
    # two requests (one email each), nobody added without consent
    assert staff_count(session) == before + 2
    assert [link.status for link in links(session, "requested")] != []
    assert len(outbox.take()) == 2
    session.expire_all()
    assert sorted(m.modality_code for m in priya.modalities) == declared  # not theirs to set
    omar = practitioner(session, "CA-AB/physiotherapist/AB-1002")
    assert [m.modality_code for m in omar.modalities] == ["dry_needling"]  # empty cell: untouched
    assert len(actions(session, "clinic_link.request")) == 2
    staff = text(client.get("/clinic/"))
    assert "Asked to join the staff" in staff and "Priya Haddad" in staff

    again = text(upload(client, GOOD))
    assert "0 asked to join the staff" in again and "2 asked before and still waiting" in again
    assert outbox.take() == []


def test_a_roster_never_sets_modalities(client, manager, session):
    """The needling a practitioner performs is theirs (or their regulator's) to declare."""
    roster = "jurisdiction,profession,registration_number,modalities\n"
    roster += "CA-AB,physiotherapist,AB-1002,ims;dry_needling\n"
    html = text(upload(client, roster))
    assert "The modalities column is not applied" in html and "1 already on staff" in html
    omar = practitioner(session, "CA-AB/physiotherapist/AB-1002")
    assert [m.modality_code for m in omar.modalities] == ["dry_needling"]
    plain = "jurisdiction,profession,registration_number\nCA-AB,physiotherapist,AB-1002\n"
    assert "The modalities column is not applied" not in text(upload(client, plain))


def links(session, status: str) -> list[ClinicStaff]:
    bow = clinic(session, BOW)
    query = select(ClinicStaff).where(ClinicStaff.clinic_id == bow.id)
    return [link for link in session.scalars(query) if link.status.value == status]


def test_a_roster_with_any_bad_row_writes_nothing_and_names_the_rows(client, manager, session):
    before, events = staff_count(session), event_count(session)
    response = upload(client, BAD)
    assert response.status_code == 400
    html = text(response)
    assert "Nothing was changed." in html and "Fix lines 3, 4, 5, 6" in html
    assert "unknown practitioner" in html and "no practitioner with this key" in html
    assert "missing registration_number" in html
    assert "unknown jurisdiction &#39;CA-XX&#39;" in html
    assert "same practitioner as line 2" in html
    assert "1 other row is correct (not applied until the whole file is)" in html
    assert (staff_count(session), event_count(session)) == (before, events)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("jurisdiction,profession\nCA-AB,physiotherapist\n", "missing required column"),
        ("jurisdiction,profession,registration_number,name\n", "unknown column &#39;name&#39;"),
        ("jurisdiction,profession,registration_number\n", "the file has a header but no rows"),
        ("", "the file is empty"),
        (b"jurisdiction,profession,registration_number\nCA-AB,physio\xe9,X\n", "not UTF-8"),
        ("jurisdiction,profession,registration_number\nCA-AB,physiotherapist,AB-1002,x\n",
         "more values than columns"),
    ],
)  # fmt: skip
def test_unusable_files_are_refused_with_the_reason(client, manager, session, content, message):
    before = staff_count(session)
    response = upload(client, content)
    assert response.status_code == 400
    assert message in text(response)
    assert staff_count(session) == before


@pytest.mark.parametrize("char", ["\x00", "\x1f", "\x9b"])
def test_a_control_character_in_a_roster_cell_is_refused_naming_the_line(
    client, manager, session, char
):
    """A NUL in a cell was a 500 on PostgreSQL (it refuses NUL in text)."""
    before = staff_count(session)
    response = upload(client, GOOD.replace("NY-1004", f"NY-{char}1004"))
    assert response.status_code == 400
    html = text(response)
    assert f"line 2: registration_number has a control character (U+{ord(char):04X})" in html
    assert char not in html
    assert staff_count(session) == before


def test_a_roster_needs_a_file(client, manager):
    response = client.post("/clinic/roster", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a CSV file." in text(response)


def test_the_service_accepts_a_byte_order_mark_and_reports_without_flask(manager, session):
    data = io.BytesIO(("\ufeff" + GOOD).encode("utf-8"))
    report = apply_roster(session, "test", clinic(session, BOW), data)
    assert report.applied and [r.line for r in report.rows] == [2, 3, 4]
    assert [r.result for r in report.rows] == [
        "asked to join the staff",
        "already on staff",
        "asked to join the staff",
    ]


def test_the_service_raises_with_the_report_when_refused(manager, session):
    with pytest.raises(RosterRefused) as exc:
        apply_roster(session, "test", clinic(session, BOW), io.BytesIO(BAD.encode()))
    assert exc.value.report.bad_lines == [3, 4, 5, 6]
    assert "nothing was written" in str(exc.value)
