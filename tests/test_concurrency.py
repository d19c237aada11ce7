"""Many writers at once, through real threads, on a database of its own (an SQLite file, or
with TEST_DATABASE_URL a scratch PostgreSQL database): no answer is ever a 500. SQLite lets
one writer in at a time; the others wait their turn (the busy timeout) or, past it, are told
to come back (503 with Retry-After)."""

from __future__ import annotations

import io
import sqlite3
import threading
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, PendingRollbackError

from config import TestConfig
from registry import create_app, db, migrate
from registry.db import EXTENSION_KEY
from registry.errors import BUSY
from registry.models import Credential
from registry.services.clinics import assign_staff, get_or_create_clinic
from registry.services.credentials import add_credential
from registry.services.practitioners import create_practitioner
from registry.services.users import create_user

from .conftest import PASSWORD, TEST_DATABASE_URL
from .scratch import scratch_database

THREADS, REQUESTS = 8, 50
CLINIC = "Busy Physio"
STAFF = [f"AB-{n}" for n in range(1, 4)]


@pytest.fixture(scope="module")
def busy_app(tmp_path_factory):
    """A registry on a database of its own, committed for real, with a manager per thread."""
    path = tmp_path_factory.mktemp("busy") / "busy.sqlite3"
    with scratch_database(path, "registry_busy") as url:
        migrate.upgrade(url)
        app = create_app(TestConfig, {"DATABASE_URL": url})
        with app.app_context():
            session = db.session()
            clinic = get_or_create_clinic(session, "test", CLINIC)
            staff = []
            for number in STAFF:
                raw = {
                    "jurisdiction": "CA-AB",
                    "profession": "physiotherapist",
                    "registration_number": number,
                    "given_name": "Busy",
                    "family_name": number,
                    "registration_status": "active",
                    "registered_since": "2020-01-01",
                }
                staff.append(create_practitioner(session, "test", raw))
                assign_staff(session, "test", clinic, staff[-1])
            add_credential(
                session,
                "test",
                staff[0],
                credential_type="cpr_certification",
                issuer="Red Cross",
                issued_on=date(2025, 1, 1),
                expires_on=date(2027, 1, 1),
            )
            for i in range(THREADS):
                create_user(
                    session, "test", f"m{i}@busy.example", PASSWORD, "clinic_manager", [], [CLINIC]
                )
            session.commit()
        yield app
        app.extensions[EXTENSION_KEY].kw["bind"].dispose()


def work(app, i: int, statuses: Counter, problems: list) -> None:
    """One manager's requests: staff notes and API tokens (writes), and the staff list. An
    exception that escapes the app (the test configuration propagates what its error
    handlers could not answer) would have been a 500."""
    try:
        _requests(app, i, statuses, problems)
    except Exception as exc:
        problems.append(f"{type(exc).__name__}: {exc}"[:300])


def _requests(app, i: int, statuses: Counter, problems: list) -> None:
    client = app.test_client()
    client.post("/login", data={"email": f"m{i}@busy.example", "password": PASSWORD})
    for n in range(REQUESTS):
        number = STAFF[(i + n) % len(STAFF)]
        if n % 3 == 0:
            response = client.post("/account/tokens", data={"name": f"sync {i}-{n}"})
        elif n % 3 == 1:
            url = f"/clinic/practitioners/CA-AB/physiotherapist/{number}/notes"
            response = client.post(url, data={"notes": f"seen by {i} at {n}"})
        else:
            response = client.get("/clinic/")
        statuses[response.status_code] += 1
        if response.status_code >= 500 and response.status_code != 503:
            problems.append(response.get_data(as_text=True)[:300])
        if response.status_code == 503 and not response.headers.get("Retry-After"):
            problems.append("a 503 without Retry-After")


def test_concurrent_writers_never_get_a_500(busy_app):
    statuses: Counter = Counter()
    problems: list = []
    threads = [
        threading.Thread(target=work, args=(busy_app, i, statuses, problems))
        for i in range(THREADS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert problems == []
    assert sum(statuses.values()) == THREADS * REQUESTS
    # 409: on PostgreSQL two edits of one staff member can cross (each saw the same version)
    assert set(statuses) <= {200, 201, 302, 409, 503}, statuses


def locked(*_args, **_kwargs):
    raise OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


@pytest.mark.parametrize(
    ("target", "url", "kind"),
    [
        ("registry.public.views.read_search", "/?q=sato", "text/html"),
        ("registry.api.views.read_search", "/api/v1/practitioners?q=sato", "application/json"),
        (
            "registry.fhir.views.search_page",
            "/fhir/Practitioner?name=sato",
            "application/fhir+json",
        ),
    ],
)
def test_a_database_that_cannot_answer_now_is_a_503_with_retry_after(
    client, monkeypatch, target, url, kind
):
    """As a page, JSON or FHIR. (On rate-limited pages Flask-Limiter may stretch Retry-After
    to the end of its window.)"""
    monkeypatch.setattr(target, locked)
    response = client.get(url)
    assert response.status_code == 503 and int(response.headers["Retry-After"]) >= 2
    assert response.mimetype == kind
    if kind == "application/json":
        assert response.get_json() == {"error": BUSY}
    elif kind == "text/html":
        assert BUSY in response.get_data(as_text=True)


def test_a_session_left_unusable_is_a_503_not_a_500(client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise PendingRollbackError("This Session's transaction has been rolled back")

    monkeypatch.setattr("registry.api.views.read_search", broken)
    response = client.get("/api/v1/practitioners?q=sato")
    assert response.status_code == 503 and response.get_json() == {"error": BUSY}


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite's one writer lock")
def test_a_writer_that_waits_in_vain_is_told_to_come_back_and_readers_never_wait(busy_app):
    """Another process holds SQLite's write lock past the busy timeout: a write is answered
    503 with Retry-After (nothing saved), a read is answered at once."""
    url = busy_app.config["DATABASE_URL"]
    quick = create_app(TestConfig, {"DATABASE_URL": url, "SQLITE_BUSY_TIMEOUT": 0.2})
    client = quick.test_client()
    client.post("/login", data={"email": "m0@busy.example", "password": PASSWORD})
    other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        refused = client.post("/account/tokens", data={"name": "while locked"})
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "2"
        assert BUSY in refused.get_data(as_text=True)
        assert client.get("/clinic/").status_code == 200
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert client.post("/account/tokens", data={"name": "once free"}).status_code == 201
    quick.extensions[EXTENSION_KEY].kw["bind"].dispose()


def test_concurrent_renewals_of_one_version_make_one_and_keep_no_other_file(busy_app, tmp_path):
    """Four managers renew the same credential from the same page at the same moment: one
    renewal (302), three refused as stale (409, never a 500), and only the one renewal's
    evidence file is kept."""
    folder = tmp_path / "evidence"
    busy_app.config["EVIDENCE_FOLDER"] = str(folder)
    with busy_app.app_context():
        old = db.session().scalar(select(Credential).where(Credential.issuer == "Red Cross"))
        old_id, version = old.id, old.version
    url = f"/clinic/practitioners/CA-AB/physiotherapist/{STAFF[0]}/credentials/{old_id}/renew"
    clients = []
    for i in range(4):
        clients.append(busy_app.test_client())
        clients[-1].post("/login", data={"email": f"m{i}@busy.example", "password": PASSWORD})
    start, statuses = threading.Barrier(4), []

    def renew(client, i: int) -> None:
        prefix = f"renew-{old_id}-"
        data = {
            prefix + "version": version,
            prefix + "issued_on": f"2026-01-0{i + 1}",
            prefix + "evidence": (io.BytesIO(b"%PDF-1.4 renewal"), "renewal.pdf"),
        }
        start.wait()
        response = client.post(url, data=data, content_type="multipart/form-data")
        statuses.append(response.status_code)

    threads = [threading.Thread(target=renew, args=(c, i)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(statuses) == [302, 409, 409, 409]
    with busy_app.app_context():
        query = select(Credential).where(Credential.credential_type_code == "cpr_certification")
        renewals = [c for c in db.session().scalars(query) if c.id != old_id]
    assert len(renewals) == 1
    assert {p.name for p in folder.iterdir()} == {
        renewals[0].evidence_ref,
        renewals[0].evidence_ref + ".json",
    }
