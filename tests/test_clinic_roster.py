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


def test_a_good_roster_is_applied_and_reported_row_by_row(client, manager, session):
    before = staff_count(session)
    response = upload(client, GOOD)
    assert response.status_code == 200
    html = text(response)
    assert "Roster applied to Bow River Physio: 2 added, 1 already on staff." in html
    assert "Priya Haddad" in html and "added to staff" in html and "already on staff" in html
    assert "declares dry_needling, ims" in html
    assert staff_count(session) == before + 2
    assert sorted(m.modality_code for m in practitioner(session, "US-NY/physiotherapist/NY-1004")
                  .modalities) == ["dry_needling", "ims"]  # fmt: skip
    omar = practitioner(session, "CA-AB/physiotherapist/AB-1002")
    assert [m.modality_code for m in omar.modalities] == ["dry_needling"]  # empty cell: untouched
    assert len(actions(session, "clinic.assign_staff")) >= 2
    assert "Priya Haddad" in text(client.get("/clinic/"))


def test_a_roster_with_any_bad_row_writes_nothing_and_names_the_rows(client, manager, session):
    before, events = staff_count(session), event_count(session)
    response = upload(client, BAD)
    assert response.status_code == 400
    html = text(response)
    assert "Nothing was changed." in html and "Fix lines 3, 4, 5, 6" in html
    assert "unknown practitioner" in html and "no practitioner with this key" in html
    assert "missing registration_number" in html
    assert "unknown jurisdiction &#39;CA-XX&#39;; unknown modality &#39;laser&#39;" in html
    assert "same practitioner as line 2" in html
    assert "(not applied)" in html  # line 2 was fine but waits for the others
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
        "added to staff",
        "already on staff",
        "added to staff",
    ]


def test_the_service_raises_with_the_report_when_refused(manager, session):
    with pytest.raises(RosterRefused) as exc:
        apply_roster(session, "test", clinic(session, BOW), io.BytesIO(BAD.encode()))
    assert exc.value.report.bad_lines == [3, 4, 5, 6]
    assert "nothing was written" in str(exc.value)
