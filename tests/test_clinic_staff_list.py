"""The clinic's staff list: paged by name in SQL, with today's verdicts counted from the
verdict store above it."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from registry.clinic import booking, queries
from registry.read.verdicts import statuses

from .clinic_helpers import BOW, clinic


@pytest.fixture
def manager(demo, make_user, login):
    user = make_user("clinic_manager", clinics=[BOW])
    login(user)
    return user


def names_on(html: str) -> list[str]:
    return re.findall(r'<span class="regno">([^<]+)</span>', html)


def test_the_staff_list_is_paged_by_name(client, manager, session, monkeypatch):
    monkeypatch.setattr(queries, "STAFF_PAGE", 3)
    bow = clinic(session, BOW)
    everyone = [p.registration_number for p in queries.staff(session, bow.id)]
    assert len(everyone) > 3
    first = client.get(f"/clinic/?clinic={bow.id}").get_data(as_text=True)
    second = client.get(f"/clinic/?clinic={bow.id}&page=2").get_data(as_text=True)
    assert names_on(first) == everyone[:3] and names_on(second) == everyone[3:6]
    assert f"{len(everyone)} staff members, by name." in first
    assert "Page 2 of" in second
    beyond = client.get(f"/clinic/?clinic={bow.id}&page=999").get_data(as_text=True)
    assert names_on(beyond) == everyone[(len(everyone) - 1) // 3 * 3 :]


def test_the_verdict_counts_agree_with_the_engine(client, manager, session):
    bow = clinic(session, BOW)
    people = queries.staff(session, bow.id)
    found = statuses(session, [p.id for p in people], date.today())
    expected: dict[str, Counter] = {}
    for s in found.values():
        for m, ms in s.modalities.items():
            if ms.declared:
                expected.setdefault(m, Counter())[ms.verdict] += 1
    summary = dict(queries.verdict_summary(session, bow.id, date.today()))
    assert summary == {m: dict(c) for m, c in expected.items()}
    html = client.get(f"/clinic/?clinic={bow.id}").get_data(as_text=True)
    authorized = expected["dry_needling"]["authorized"]
    assert re.search(rf"Dry needling</strong>:\s*{authorized} authorized", html)


@pytest.mark.parametrize("modality", ["dry_needling", "ims", "acupuncture"])
def test_todays_booking_groups_from_the_store_equal_the_engines(session, demo, modality):
    bow = clinic(session, BOW)
    engine = booking.booking_groups(queries.staff_rows(session, bow.id), modality)
    stored = booking.booking(session, bow.id, modality, date.today())
    for group, rows in engine.items():
        expected = [r.practitioner.registration_number for r in rows]
        assert [r.practitioner.registration_number for r in stored.groups[group]] == expected
        assert stored.counts[group] == len(rows)


def test_a_stale_stored_row_is_decided_by_the_engine(session, demo):
    from sqlalchemy import update

    from registry.models import StoredVerdict

    bow = clinic(session, BOW)
    session.execute(
        update(StoredVerdict.__table__)
        .where(StoredVerdict.verdict == "not_authorized")
        .values(verdict="authorized", holds_until=date(2000, 1, 1))
    )
    engine = booking.booking_groups(queries.staff_rows(session, bow.id), "dry_needling")
    stored = booking.booking(session, bow.id, "dry_needling", date.today())
    assert {g: len(r) for g, r in engine.items()} == stored.counts


def test_the_booking_page_counts_those_it_does_not_list(client, manager, session, monkeypatch):
    monkeypatch.setattr(booking, "BOOKING_SHOWN", 1)
    bow = clinic(session, BOW)
    html = client.get(f"/clinic/book?clinic={bow.id}&modality=dry_needling").get_data(as_text=True)
    may = booking.booking(session, bow.id, "dry_needling", date.today()).counts["may"]
    assert may > 1
    assert f"May be booked for dry needling on {date.today()} ({may})" in html
    assert f"And {may - 1} more, not listed here." in html
