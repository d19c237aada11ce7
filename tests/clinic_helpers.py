"""Shared setup of the clinic workspace tests: the demo registry and its Bow River staff."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from registry.models import AuditEvent, Clinic, Practitioner, User
from registry.services.users import create_user, hash_password

from .conftest import PASSWORD

# The demo's dates are relative to the day it is seeded; seeding it "today" keeps every
# scenario (lapsed, expiring in 30 days, ...) true on whatever day the tests run.
TODAY = date.today()
BOW, HARBOUR = "Bow River Physio", "Harbour Physiotherapy"

# Bow River Physio staff in the demo, by registration number.
LAPSED = "CA-AB/physiotherapist/AB-1001"  # Jane Roe: registration lapsed 100 days ago
AUTHORIZED = "CA-AB/physiotherapist/AB-1002"  # Omar Sato: authorized; registration expires in 30 d
MASSAGE = "CA-AB/massage_therapist/AB-1006"  # Sofia Okafor: outside scope
MISSING = "CA-AB/physiotherapist/AB-1010"  # Chloé Sharma: no needling authorization
NO_RULE = "US-NY/physiotherapist/NY-1004"  # Priya Haddad: IMS in New York, no rule; no clinic
HARBOUR_ONLY = "CA-BC/massage_therapist/BC-1003"  # Li Côté: on Harbour's staff only
# Names repeat in the demo (another Omar Sato works at Harbour); emails are unique.
AUTHORIZED_EMAIL = "omar.sato.1@example.org"
HARBOUR_EMAIL = "li.cote.2@example.org"


def page(key: str, suffix: str = "") -> str:
    return f"/clinic/practitioners/{key}{suffix}"


def practitioner(session, key: str) -> Practitioner:
    j, p, n = key.split("/")
    return session.scalar(
        select(Practitioner).where(
            Practitioner.jurisdiction_code == j,
            Practitioner.profession_code == p,
            Practitioner.registration_number == n,
        )
    )


def clinic(session, name: str) -> Clinic:
    return session.scalar(select(Clinic).where(Clinic.name == name))


class Visitor:
    """A test client of its own whose every request runs in a fresh app context, as on a real
    server. (The ``client`` fixture shares the test's app context, so Flask-Login's cached
    user in ``g`` would leak from one client to another.)"""

    def __init__(self, app, user=None) -> None:
        self.app, self.client = app, app.test_client()
        if user is not None:
            response = self.post("/login", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 302

    def _run(self, method: str, *args, **kwargs):
        with self.app.app_context():
            return getattr(self.client, method)(*args, **kwargs)

    def get(self, *args, **kwargs):
        return self._run("get", *args, **kwargs)

    def post(self, *args, **kwargs):
        return self._run("post", *args, **kwargs)


def client_for(app, user) -> Visitor:
    """A separate client logged in as ``user`` (None: anonymous)."""
    return Visitor(app, user)


def text(response) -> str:
    return response.get_data(as_text=True)


def section(html: str, start: str, end: str | None = None) -> str:
    """The part of a page from the heading containing ``start`` to the one containing ``end``."""
    tail = html.split(start, 1)[1]
    return tail.split(end, 1)[0] if end else tail


def actions(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def hidden_version(html: str) -> int:
    return int(re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1))


def own_account(session, p: Practitioner, email: str | None = None) -> User:
    """The practitioner's own account (made as ``create-user`` makes it, unless the demo has
    one), with the test password, committed."""
    user = session.scalar(select(User).where(User.practitioner_id == p.id))
    if user is None:
        user = create_user(
            session, "test", email or p.email, PASSWORD, "practitioner", practitioner=p
        )
    user.password_hash = hash_password(PASSWORD)
    session.commit()
    return user
