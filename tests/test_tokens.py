"""API tokens: made on the account page (or by an admin for any account, or on the command
line), shown once, stored hashed, acting as their owner with the owner's scope, refused once
revoked or once the owner is deactivated."""

from __future__ import annotations

import hashlib
import re
from datetime import date

from sqlalchemy import select

from registry.auth.bearer import REFUSED
from registry.models import ApiToken, AuditEvent
from registry.services.users import set_active

from .conftest import PASSWORD

TODAY = date.today().isoformat()
SECRET = re.compile(r"nr_[A-Za-z0-9_-]{40,}")


def make_token(client, name: str = "Scheduling sync") -> str:
    response = client.post("/account/tokens", data={"name": name})
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    page = response.get_data(as_text=True)
    assert "it will not be shown again" in page
    return SECRET.search(page).group(0)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_is_shown_once_stored_hashed_and_acts_as_its_owner(
    app, client, demo, make_user, login, session
):
    regulator = make_user("regulator", jurisdictions=["CA-AB"])
    login(regulator)
    secret = make_token(client)
    row = session.scalar(select(ApiToken).where(ApiToken.user_id == regulator.id))
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(vars(row)) and row.prefix == secret[:10]
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "Scheduling sync" in listing and row.prefix in listing and secret not in listing
    client.post("/logout")

    machine = app.test_client()
    audit = machine.get("/api/v1/audit?jurisdiction=CA-AB", headers=bearer(secret))
    assert audit.status_code == 200 and audit.get_json()["jurisdiction"] == "CA-AB"
    # scoped like the owner: another jurisdiction is as missing for the token as for them
    assert (
        machine.get("/api/v1/audit?jurisdiction=US-CO", headers=bearer(secret)).status_code == 404
    )
    # no session cookie was set by a token request; the next request without it is anonymous
    assert machine.get("/api/v1/audit?jurisdiction=CA-AB").status_code == 401
    assert "Set-Cookie" not in audit.headers
    session.refresh(row)
    assert row.last_used_at is not None


def test_bad_revoked_and_deactivated_tokens_are_refused_with_401(
    app, client, demo, make_user, login, session
):
    manager = make_user("clinic_manager", clinics=["Bow River Physio"])
    login(manager)
    secret = make_token(client)
    machine = app.test_client()
    assert (
        machine.get("/api/v1/changes?since=2000-01-01", headers=bearer(secret)).status_code == 200
    )

    wrong = machine.get("/api/v1/changes?since=2000-01-01", headers=bearer("nr_not-a-token"))
    assert wrong.status_code == 401
    assert wrong.get_json() == {
        "error": "the API token is unknown, revoked, or its owner is deactivated"
    }
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    # a bad token is refused even where no login is needed: the client learns at once
    assert machine.get("/api/v1/practitioners?q=sato", headers=bearer("junk")).status_code == 401

    set_active(session, "test", manager, False)
    session.commit()
    assert (
        machine.get("/api/v1/changes?since=2000-01-01", headers=bearer(secret)).status_code == 401
    )
    set_active(session, "test", manager, True)
    session.commit()  # deactivation ended the token for good: reactivating revives none
    assert (
        machine.get("/api/v1/changes?since=2000-01-01", headers=bearer(secret)).status_code == 401
    )

    # the browser session ended too; logged in again, the owner sees the token revoked
    assert client.get("/account/tokens").status_code == 302
    login(manager)
    assert "revoked" in client.get("/account/tokens").get_data(as_text=True).lower()
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "api_token")
    ).all()
    assert actions == ["token.create", "token.revoke"]


def test_tokens_only_open_the_json_api_not_the_html_faces(app, client, demo, make_user, login):
    manager = make_user("clinic_manager", clinics=["Bow River Physio"])
    login(manager)
    secret = make_token(client)
    page = app.test_client().get("/clinic/", headers=bearer(secret))
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_nobody_revokes_another_persons_token_except_an_admin(
    app, client, demo, make_user, login, session
):
    owner = make_user("clinic_manager", clinics=["Bow River Physio"])
    login(owner)
    make_token(client)
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    client.post("/logout")

    other = app.test_client()
    login_as = make_user("clinic_manager", clinics=["Bow River Physio"])
    other.post("/login", data={"email": login_as.email, "password": PASSWORD})
    assert other.post(f"/account/tokens/{token.id}/revoke").status_code in (302, 404)
    session.refresh(token)
    assert token.revoked_at is None

    admin = make_user("admin")
    login(admin)
    page = client.get(f"/admin/users/{owner.id}").get_data(as_text=True)
    assert "Scheduling sync" in page
    asked = client.post(f"/account/tokens/{token.id}/revoke")
    assert "Yes, revoke it" in asked.text
    session.refresh(token)
    assert token.revoked_at is None  # asked first
    client.post(f"/account/tokens/{token.id}/revoke", data={"confirmed": "yes"})
    session.refresh(token)
    assert token.revoked_at is not None and token.revoked_by == admin.email


def test_an_admin_makes_a_token_for_a_service_account(client, demo, make_user, login, session):
    service = make_user("regulator", jurisdictions=["CA-BC"])
    login(make_user("admin"))
    response = client.post(f"/admin/users/{service.id}/tokens", data={"name": "Board sync"})
    assert response.status_code == 201
    secret = SECRET.search(response.get_data(as_text=True)).group(0)
    client.post("/logout")
    audit = client.get("/api/v1/audit", headers=bearer(secret))
    assert audit.status_code == 200, audit.get_json()
    assert audit.get_json()["jurisdiction"] == "CA-BC"


def test_a_token_needs_a_name(client, demo, make_user, login, session):
    login(make_user("admin"))
    response = client.post("/account/tokens", data={"name": "  "})
    assert response.status_code == 400
    assert "Name the token" in response.get_data(as_text=True)
    assert session.scalar(select(ApiToken)) is None


def test_tokens_on_the_command_line(cli, demo, session, app):
    made = cli("registry", "create-token", "regulator@registry.example", "--name", "Nightly")
    assert made.exit_code == 0, made.output
    secret = SECRET.search(made.output).group(0)
    assert app.test_client().get("/api/v1/audit", headers=bearer(secret)).status_code in (200, 400)
    unknown = cli("registry", "create-token", "nobody@example.org", "--name", "x")
    assert unknown.exit_code != 0 and unknown.output.strip().endswith(
        "no account for nobody@example.org"
    )
    revoked = cli("registry", "revoke-token", "regulator@registry.example", secret[:12])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert app.test_client().get("/api/v1/audit", headers=bearer(secret)).status_code == 401
    again = cli("registry", "revoke-token", "regulator@registry.example", secret[:12])
    assert again.exit_code != 0 and "no live tokens" in again.output


def test_a_token_decides_over_the_cookie_on_the_api_only(app, client, demo, make_user, login):
    admin = make_user("admin")
    login(admin)
    admin_secret = make_token(client, "Admin sync")
    client.post("/logout")
    manager = make_user("clinic_manager", clinics=["Bow River Physio"])
    login(manager)  # the cookie is the manager's from here on

    as_token = client.get("/api/v1/audit", headers=bearer(admin_secret))
    assert as_token.status_code == 200 and as_token.get_json()["jurisdiction"] is None
    assert "Set-Cookie" not in as_token.headers
    assert client.get("/api/v1/audit").status_code == 404  # the cookie alone: a manager
    # off /api/ the token means nothing: the manager's cookie decides
    assert client.get("/admin/users", headers=bearer(admin_secret)).status_code == 404
    assert client.get("/clinic/", headers=bearer(admin_secret)).status_code == 200


def test_a_bad_token_is_refused_even_with_a_good_cookie(client, demo, make_user, login):
    login(make_user("admin"))
    for url in ("/api/v1/practitioners?q=sato", "/api/v1/audit", "/api/reference"):
        refused = client.get(url, headers=bearer("nr_not-a-token"))
        assert refused.status_code == 401, url
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert refused.get_json() == {"error": REFUSED}
    assert client.get("/api/v1/audit").status_code == 200  # the session is untouched
