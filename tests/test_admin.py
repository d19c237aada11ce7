"""Administration: accounts, their scopes and deactivation, as an admin sees them."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from registry.models import AuditEvent, Clinic, User
from registry.services.clinics import get_or_create_clinic

from .conftest import PASSWORD

STRONG = "quiet-harbour-lantern-77"


@pytest.fixture
def admin(make_user, login):
    user = make_user("admin", email="boss@example.org")
    login(user)
    return user


@pytest.fixture
def clinic(session) -> Clinic:
    clinic = get_or_create_clinic(session, "test", "Bow River Physio", "Calgary")
    session.flush()
    return clinic


def account(session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def events(session, user: User, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == action,
                AuditEvent.target_type == "user",
                AuditEvent.target_id == str(user.id),
            )
        )
    )


def create(client, **fields):
    data = {"email": "new@example.org", "role": "regulator", "password": STRONG} | fields
    return client.post("/admin/users", data=data)


@pytest.mark.parametrize("role", ["regulator", "clinic_manager"])
def test_only_admins_reach_the_admin_pages(client, make_user, login, clinic, role):
    someone = make_user("regulator", jurisdictions=["CA-AB"])
    for url in ("/admin/users", f"/admin/users/{someone.id}"):
        assert client.get(url).status_code == 302  # anonymous: to the login page
    scopes = {"jurisdictions": ["CA-AB"]} if role == "regulator" else {"clinics": [clinic.name]}
    login(make_user(role, **scopes))
    for url in ("/admin/users", f"/admin/users/{someone.id}"):
        assert client.get(url).status_code == 404
    assert create(client, email="x@example.org", jurisdictions="CA-AB").status_code == 404
    assert (
        client.post(f"/admin/users/{someone.id}/active", data={"active": "false"}).status_code
        == 404
    )


def test_users_list_shows_role_scopes_and_state(client, admin, make_user, clinic):
    make_user("regulator", email="reg@example.org", jurisdictions=["CA-AB", "CA-BC"])
    make_user("clinic_manager", email="mgr@example.org", clinics=[clinic.name])
    html = client.get("/admin/users").get_data(as_text=True)
    for text in (
        "reg@example.org",
        "Alberta, British Columbia",
        "mgr@example.org",
        "Bow River Physio",
    ):
        assert text in html
    assert 'name="jurisdictions"' in html and 'name="clinics"' in html


def test_the_users_list_runs_the_same_queries_however_many_users(
    client, admin, make_user, engine, clinic
):
    def queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/admin/users").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    make_user("regulator", jurisdictions=["CA-AB"])
    few = queries()
    for _ in range(4):
        make_user("regulator", jurisdictions=["CA-AB", "CA-BC"])
        make_user("clinic_manager", clinics=[clinic.name])
    assert queries() == few


def test_forms_need_a_csrf_token(app, client, admin, session):
    app.config["WTF_CSRF_ENABLED"] = True
    response = create(client, jurisdictions=["CA-AB"])
    assert response.status_code == 400
    assert account(session, "new@example.org") is None


def test_create_a_regulator(client, admin, session):
    response = create(client, email="New@Example.org", jurisdictions=["CA-AB", "CA-BC"])
    assert response.status_code == 302
    user = account(session, "new@example.org")
    assert user.role.value == "regulator" and user.jurisdiction_codes == {"CA-AB", "CA-BC"}
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    [event] = events(session, user, "user.create")
    assert event.actor == admin.email and "password" not in event.after


def test_create_a_clinic_manager(client, admin, session, clinic):
    assert create(client, role="clinic_manager", clinics=[clinic.name]).status_code == 302
    assert account(session, "new@example.org").clinic_ids == {clinic.id}


AB = {"jurisdictions": ["CA-AB"]}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (AB | {"password": "short"}, "password must be at least 12 characters"),
        (
            AB | {"password": "Password1234!"},
            "password is too easy to guess (this is similar to a commonly used password)",
        ),
        (
            AB | {"email": "lantern@example.org", "password": "lantern-harbour-77"},
            "password must not contain the email address",
        ),
        (AB | {"email": "not an email"}, "is not an email address"),
        ({}, "Choose at least one jurisdiction for a regulator."),
        ({"role": "clinic_manager"}, "Choose at least one clinic for a clinic manager."),
        (AB | {"role": "admin"}, "An administrator sees everything"),
        ({"jurisdictions": ["XX-XX"]}, "'XX-XX' is not a valid choice"),
        (AB | {"role": "overlord"}, "Not a valid choice"),
    ],
)
def test_bad_input_re_renders_with_field_errors(client, admin, session, fields, message):
    response = create(client, **fields)
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    assert '<p class="error"' in html and message in html
    assert session.scalar(select(User).where(User.email != admin.email)) is None


def test_an_existing_email_is_refused(client, admin, session):
    assert create(client, email="boss@example.org", jurisdictions=["CA-AB"]).status_code == 400


def test_edit_a_regulators_scopes(client, admin, make_user, session):
    user = make_user("regulator", jurisdictions=["CA-AB"])
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert '<option selected value="CA-AB">' in page or 'value="CA-AB" selected' in page
    response = client.post(f"/admin/users/{user.id}", data={"jurisdictions": ["CA-AB", "CA-BC"]})
    assert response.status_code == 302
    session.refresh(user)
    assert user.jurisdiction_codes == {"CA-AB", "CA-BC"}
    [event] = events(session, user, "user.set_scopes")
    assert event.before == {"jurisdictions": ["CA-AB"], "clinics": []}
    assert event.after == {"jurisdictions": ["CA-AB", "CA-BC"], "clinics": []}
    assert event.actor == admin.email
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Scopes changed" in page and "jurisdictions: Alberta → Alberta, British Columbia" in page
    assert "user.set_scopes" not in page


def test_a_regulator_keeps_at_least_one_jurisdiction(client, admin, make_user, session):
    user = make_user("regulator", jurisdictions=["CA-AB"])
    response = client.post(f"/admin/users/{user.id}", data={})
    assert response.status_code == 400
    assert "Choose at least one jurisdiction" in response.get_data(as_text=True)
    session.refresh(user)
    assert user.jurisdiction_codes == {"CA-AB"}


def test_deactivated_users_can_no_longer_log_in_until_reactivated(
    client, admin, make_user, session
):
    user = make_user("regulator", jurisdictions=["CA-AB"])
    response = client.post(f"/admin/users/{user.id}/active", data={"active": "false"})
    assert response.status_code == 200 and "Yes, deactivate the account" in response.text
    assert user.active  # asked first, nothing done
    confirmed = {"active": "false", "confirmed": "yes"}
    response = client.post(f"/admin/users/{user.id}/active", data=confirmed)
    assert response.status_code == 302
    assert not user.active and events(session, user, "user.deactivate")
    client.post("/logout")
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 401
    )

    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert client.post(f"/admin/users/{user.id}/active", data={"active": "true"}).status_code == 302
    client.post("/logout")
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )


def test_an_admin_cannot_deactivate_themselves(client, admin):
    response = client.post(f"/admin/users/{admin.id}/active", data={"active": "false"})
    assert response.status_code == 400
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert admin.active


def test_unknown_account_is_not_found(client, admin):
    assert client.get("/admin/users/999999").status_code == 404
    assert client.get("/admin/users/99999999999999999999").status_code == 404


def test_deactivate_is_a_danger_button_that_asks_first(client, admin, make_user):
    user = make_user("regulator", jurisdictions=["CA-AB"])
    page = client.get(f"/admin/users/{user.id}").text
    assert '<button type="submit" class="danger">Deactivate account…</button>' in page
    asked = client.post(f"/admin/users/{user.id}/active", data={"active": "false"}).text
    assert "Deactivate " + user.email + "?" in asked and "Cancel" in asked
    assert user.active


def test_history_of_an_account_is_in_words(client, admin, make_user):
    user = make_user("regulator", jurisdictions=["CA-AB"])
    page = client.get(f"/admin/users/{user.id}").text
    history = page[page.index("Recent changes") :]
    assert "Account opened" in history and "role: Regulator" in history
    assert "jurisdictions: Alberta" in history
    for raw in ("user.create", "clinic_manager", "{&#34;", '{"'):
        assert raw not in history, raw


def test_a_role_change_asks_first_ends_the_sessions_and_is_audited(
    app, client, admin, make_user, session, clinic
):
    user = make_user("regulator", jurisdictions=["CA-AB"])
    other = app.test_client()
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    assert other.get("/regulator/").status_code == 200
    wanted = {"role-role": "clinic_manager", "role-clinics": [clinic.name]}
    asked = client.post(f"/admin/users/{user.id}/role", data=wanted)
    assert asked.status_code == 200 and "Yes, change the role" in asked.text
    assert "Clinic manager" in asked.text and user.role.value == "regulator"
    done = client.post(f"/admin/users/{user.id}/role", data=wanted | {"role-confirmed": "yes"})
    assert done.status_code == 302
    session.refresh(user)
    assert user.role.value == "clinic_manager" and user.clinic_ids == {clinic.id}
    assert user.jurisdiction_codes == set()
    [event] = events(session, user, "user.set_role")
    assert event.before["role"] == "regulator" and event.after["role"] == "clinic_manager"
    assert other.get("/clinic/").status_code == 302  # the old session ended: log in again
    page = client.get(f"/admin/users/{user.id}").text
    assert "Role changed" in page and "role: Regulator → Clinic manager" in page


def test_a_role_change_needs_the_scopes_of_the_new_role(client, admin, make_user):
    user = make_user("regulator", jurisdictions=["CA-AB"])
    response = client.post(f"/admin/users/{user.id}/role", data={"role-role": "clinic_manager"})
    assert response.status_code == 400
    assert "Choose at least one clinic for a clinic manager." in response.text
    assert user.role.value == "regulator"


def test_an_admin_creates_a_clinic(client, admin, session):
    response = client.post("/admin/clinics", data={"name": "Harbour Physio", "city": "Halifax"})
    assert response.status_code == 302
    clinic = session.scalar(select(Clinic).where(Clinic.name == "Harbour Physio"))
    assert clinic.city == "Halifax"
    [event] = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "clinic.create", AuditEvent.target_id == str(clinic.id)
        )
    ).all()
    assert event.actor == admin.email
    page = client.get("/admin/clinics").text
    assert "Harbour Physio" in page and "Halifax" in page
    # it is offered as a scope for a clinic manager at once
    assert '<option value="Harbour Physio">' in client.get("/admin/users").text


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"name": ""}, "Name the clinic."), ({"name": "Bow River Physio"}, "exists")],
)
def test_a_clinic_form_explains_its_errors(client, admin, clinic, fields, message):
    response = client.post("/admin/clinics", data=fields)
    assert response.status_code == 400 and message in response.text
