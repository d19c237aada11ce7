"""Accounts, login throttling, redirects, CSRF and security headers."""

from __future__ import annotations

import pytest

from registry.permissions import Permission

from .conftest import PASSWORD


def test_every_endpoint_declares_its_permission(app):
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and not isinstance(
            getattr(app.view_functions[rule.endpoint], "permission", None), Permission
        )
    ]
    assert missing == []


def test_login_redirects_each_role_home(client, make_user, login):
    regulator = make_user("regulator", jurisdictions=["CA-AB"])
    response = login(regulator)
    assert response.headers["Location"] == "/regulator/"


def test_unknown_email_and_wrong_password_get_the_same_answer(client, make_user):
    make_user("admin", email="known@example.org")
    answers = [
        client.post("/login", data={"email": email, "password": "wrong password!"})
        for email in ("nobody@example.org", "known@example.org")
    ]
    assert [a.status_code for a in answers] == [401, 401]
    bodies = [
        a.get_data(as_text=True).replace(email, "EMAIL")
        for a, email in zip(answers, ("nobody@example.org", "known@example.org"), strict=True)
    ]
    assert bodies[0] == bodies[1]
    assert "Email or password is incorrect." in answers[0].get_data(as_text=True)


def test_deactivated_accounts_cannot_log_in(client, make_user, session):
    user = make_user("admin")
    user.active = False
    session.flush()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 401


@pytest.fixture
def verifications(monkeypatch):
    """How many Argon2 verifications (the expensive part of a login) were made."""
    from argon2 import PasswordHasher

    calls = []
    real = PasswordHasher.verify

    def counting(self, hash, password):
        calls.append(hash)
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls


@pytest.mark.parametrize(
    ("who", "password"),
    [
        ("nobody@example.org", "wrong password!"),
        ("deactivated", "wrong password!"),
        ("deactivated", PASSWORD),
        ("active", "wrong password!"),
        ("active", PASSWORD),
    ],
)
def test_every_login_does_the_same_password_work(
    client, make_user, session, verifications, who, password
):
    """A deactivated account answered in ~9 ms against ~580 ms for an unknown email: it was
    never checked. Now an unknown email, a deactivated account and a wrong password cost one
    verification each, like a right password, and answer alike."""
    active, deactivated = make_user("admin"), make_user("admin")
    deactivated.active = False
    session.flush()
    email = {"active": active.email, "deactivated": deactivated.email}.get(who, who)
    response = client.post("/login", data={"email": email, "password": password})
    assert len(verifications) == 1
    assert response.status_code == (302 if (who, password) == ("active", PASSWORD) else 401)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/regulator/", "/regulator/"),
        ("https://evil.example/", "/admin/users"),
        ("//evil.example/x", "/admin/users"),
        ("/\\evil.example", "/admin/users"),
        ("javascript:alert(1)", "/admin/users"),
    ],
)
def test_next_only_to_this_site(client, make_user, next_url, expected):
    admin = make_user("admin")
    response = client.post(
        f"/login?next={next_url}", data={"email": admin.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == expected


def test_login_is_throttled_per_account(client, make_user):
    user = make_user("admin")
    statuses = [
        client.post(
            "/login",
            data={"email": user.email, "password": "wrong one!!"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        ).status_code
        for i in range(7)
    ]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    # even the right password is refused while throttled
    right = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert right.status_code == 429


def attack(app, email: str, attempts: int = 30) -> list[int]:
    """Wrong passwords for ``email`` from as many addresses, from a device never seen."""
    attacker = app.test_client()
    return [
        attacker.post(
            "/login",
            data={"email": email, "password": f"guess number {i}"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{i}"},
        ).status_code
        for i in range(attempts)
    ]


def log_in(client, user, password: str = PASSWORD, address: str = "203.0.113.7") -> int:
    data = {"email": user.email, "password": password}
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": address}).status_code


def test_a_known_device_still_logs_in_while_its_account_is_attacked(app, client, make_user):
    """30 wrong passwords from 30 addresses used to lock the owner out (429 for the right
    one). A device that logged in before counts on its own: the owner gets in, from another
    address too, while a device never seen is still held back."""
    owner = make_user("admin")
    assert log_in(client, owner) == 302  # the owner's laptop, remembered from now on
    client.post("/logout")
    assert attack(app, owner.email).count(429) == 25
    assert log_in(client, owner, address="192.0.2.44") == 302
    assert log_in(app.test_client(), owner) == 429  # a new device: slowed down as before


def test_a_known_device_is_known_for_its_own_accounts_only(app, client, make_user):
    mine, theirs = make_user("admin"), make_user("admin")
    assert log_in(client, mine) == 302
    client.post("/logout")
    attack(app, theirs.email)
    assert log_in(client, theirs) == 429


def test_a_known_device_is_still_slowed_down_per_account_and_per_address(client, make_user):
    owner = make_user("admin")
    assert log_in(client, owner) == 302
    client.post("/logout")
    wrong = [log_in(client, owner, "not it at all", f"192.0.2.{i}") for i in range(7)]
    assert wrong == [401] * 5 + [429] * 2  # its own five a minute
    address = {"REMOTE_ADDR": "192.0.2.200"}
    for i in range(20):  # twenty a minute from one address, as for anyone
        data = {"email": f"someone{i}@example.org", "password": "not it either"}
        assert client.post("/login", data=data, environ_base=address).status_code == 401
    assert log_in(client, owner, address="192.0.2.200") == 429


def test_a_forged_known_device_cookie_counts_for_nothing(app, client, make_user):
    owner = make_user("admin")
    assert log_in(client, owner) == 302
    client.post("/logout")
    cookie = client.get_cookie("known_device")
    assert cookie is not None and cookie.http_only
    forged = app.test_client()
    forged.set_cookie("known_device", cookie.value[:-2] + "xx")
    attack(app, owner.email)
    assert log_in(forged, owner) == 429


def test_login_is_throttled_per_address(client):
    statuses = [
        client.post("/login", data={"email": f"u{i}@example.org", "password": "x"}).status_code
        for i in range(22)
    ]
    assert statuses.count(429) == 2


def test_logout_and_password_change(client, make_user, login):
    user = make_user("admin")
    login(user)
    weak = client.post(
        "/account/password", data={"current": PASSWORD, "new": "short", "confirm": "short"}
    )
    assert weak.status_code == 400 and "at least 12 characters" in weak.get_data(as_text=True)
    wrong = client.post(
        "/account/password",
        data={
            "current": "not it at all",
            "new": "new long password",
            "confirm": "new long password",
        },
    )
    assert "not your current password" in wrong.get_data(as_text=True)
    ok = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "new long password", "confirm": "new long password"},
    )
    assert ok.status_code == 302
    assert client.post("/logout").status_code == 302
    assert client.get("/account/password").status_code == 302  # back to login
    assert (
        client.post(
            "/login", data={"email": user.email, "password": "new long password"}
        ).status_code
        == 302
    )


def test_forms_carry_csrf_tokens_and_refuse_without(app, client, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    user = make_user("admin")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]


def no_store(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def test_answers_to_a_logged_in_caller_are_no_store_and_static_files_are_not(
    client, make_user, login
):
    """Whoever is logged in, by cookie or by API token, gets answers no cache keeps, public
    pages included; anonymous public answers and static files keep their caching."""
    assert not no_store(client.get("/api/v1/practitioners?q=sato"))
    assert not no_store(client.get("/"))
    user = make_user("admin")
    assert no_store(login(user))
    for url in ("/", "/about", "/api/v1/practitioners?q=sato", "/nowhere"):
        assert no_store(client.get(url)), url
    assert no_store(client.post("/admin/users", data={}))
    assert not no_store(client.get("/static/registry.css"))
    client.post("/logout")
    token = client.post("/account/tokens", data={"name": "x"})  # logged out: to the login
    assert no_store(token)


def test_api_answers_to_a_token_are_no_store(client, make_user, session):
    from registry.services.secrets import create_token

    _token, secret = create_token(session, "test", make_user("admin"), "sync")
    session.flush()
    headers = {"Authorization": f"Bearer {secret}"}
    for url in ("/api/v1/practitioners?q=sato", "/api/v1/changes", "/api/v1/export.json"):
        assert no_store(client.get(url, headers=headers)), url


def test_session_cookie_flags(app, client, make_user, login):
    login(make_user("admin"))
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_anonymous_users_are_sent_to_login_and_api_gets_json(client):
    response = client.get("/regulator/")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_other_roles_get_404_not_403(client, make_user, login):
    login(make_user("regulator", jurisdictions=["CA-AB"]))
    assert client.get("/admin/users").status_code == 404
    assert client.get("/clinic/").status_code == 404
