"""Practitioners as users (issue 10): accounts from the command line, an invitation or a claim,
their own page and ``/api/v1/me``, self-service credentials that wait for the regulator, and
consent for clinic links. Mail goes to a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from registry.models import (
    ApiToken,
    AuditEvent,
    ClinicStaff,
    Credential,
    LinkStatus,
    OneTimeLink,
    RegistrationStatus,
    User,
    VerificationStatus,
)
from registry.models.base import utcnow
from registry.services.secrets import create_token
from registry.services.users import set_active, set_scopes

from .clinic_helpers import (
    AUTHORIZED,
    BOW,
    HARBOUR,
    HARBOUR_EMAIL,
    HARBOUR_ONLY,
    MISSING,
    TODAY,
    actions,
    client_for,
    clinic,
    hidden_version,
    own_account,
    page,
    practitioner,
    text,
)
from .conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
NEW_PASSWORD = "quiet river stones 2026"
LINK = re.compile(r"http://localhost(/(?:welcome|clinic-requests)/lnk_[A-Za-z0-9_-]+)")


@pytest.fixture
def folder(app, tmp_path):
    app.config["EVIDENCE_FOLDER"] = str(tmp_path / "evidence")
    return tmp_path / "evidence"


def account(session, key: str, email: str | None = None) -> User:
    return own_account(session, practitioner(session, key), email)


def link_in(mail) -> str:
    match = LINK.search(mail.body)
    assert match, mail.body
    return match.group(1)


def only_mail(outbox, to: str):
    mails = outbox.take()
    assert [m.to for m in mails] == [to]
    return mails[0]


# --- accounts ----------------------------------------------------------------------------


def test_create_user_ties_a_practitioner_account_to_one_record(demo, cli, session, app):
    result = cli(
        "registry", "create-user", "omar@example.org", "--role", "practitioner",
        "--practitioner", AUTHORIZED, "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "omar@example.org"))
    assert user.practitioner_id == practitioner(session, AUTHORIZED).id

    again = cli(
        "registry", "create-user", "other@example.org", "--role", "practitioner",
        "--practitioner", AUTHORIZED, "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert again.exit_code != 0 and "already has an account" in again.output
    for args, words in (
        (["--practitioner", "CA-AB/physiotherapist/NOPE"], "no practitioner"),
        ([], "--practitioner"),
        (["--practitioner", "not-a-key"], "JURISDICTION/PROFESSION/NUMBER"),
    ):
        bad = cli(
            "registry", "create-user", "x@example.org", "--role", "practitioner", *args,
            "--password-stdin", input=PASSWORD + "\n",
        )  # fmt: skip
        assert bad.exit_code != 0 and words in bad.output, bad.output
        assert len(bad.output.strip().splitlines()) == 1 and "Traceback" not in bad.output
    manager = cli(
        "registry", "create-user", "m@example.org", "--role", "clinic_manager", "--clinic", BOW,
        "--practitioner", AUTHORIZED, "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert manager.exit_code != 0 and "only a practitioner" in manager.output


def test_own_page_shows_registration_verdicts_advice_and_history(demo, app, session):
    user = account(session, MISSING)
    me = client_for(app, user)
    html = text(me.get("/me"))
    assert "Chloé Sharma" in html and "AB-1010" in html
    assert "May you needle today?" in html
    assert "Not authorized" in html
    assert "What to do:" in html and "needling authorization" in html.lower()
    assert "Change history" in html and "Record created" in html
    assert "practitioner.create" not in html  # words, not codes
    history = html[html.index("Change history") :]
    assert "Dry needling" in history  # the declared modality, named
    for raw in ("dry_needling", "given key", "family key", "id: "):
        assert raw not in history, raw
    # the login page sends them to their page
    landing = client_for(app, None).post("/login", data={"email": user.email, "password": PASSWORD})
    assert landing.headers["Location"].endswith("/me")


def test_api_me_gives_the_practitioner_their_own_private_record(demo, app, session):
    user = account(session, AUTHORIZED)
    me = client_for(app, user)
    body = me.get("/api/v1/me").get_json()
    omar = practitioner(session, AUTHORIZED)
    assert (body["registration_number"], body["email"], body["phone"]) == (
        "AB-1002", omar.email, omar.phone,
    )  # fmt: skip
    assert body["role"] == "practitioner"
    assert {m["modality"] for m in body["modalities"]} >= {"dry_needling", "ims", "acupuncture"}
    assert isinstance(body["gaps"], list) and all("kind" in g for g in body["gaps"])
    assert body["clinics"] == [BOW] and body["clinic_links"] == [
        {"name": BOW, "status": "accepted"}
    ]
    assert "notes" not in body
    # a token works the same way, and nobody else's record is ever reachable through it
    _token, secret = create_token(session, "test", user, "my phone")
    session.commit()
    api = app.test_client()
    by_token = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert by_token["registration_number"] == "AB-1002"
    assert api.get("/api/v1/me").status_code == 401


def test_api_me_for_other_roles_says_who_and_what_scope(demo, app, make_user, session):
    manager = make_user("clinic_manager", clinics=[BOW])
    session.commit()
    body = client_for(app, manager).get("/api/v1/me").get_json()
    assert body == {"email": manager.email, "role": "clinic_manager", "jurisdictions": [],
                    "clinics": [BOW]}  # fmt: skip


# --- invitations and claims --------------------------------------------------------------


def test_a_regulator_invites_and_the_link_opens_the_account_once(
    demo, app, make_user, session, outbox
):
    regulator = make_user("regulator", jurisdictions=["CA-AB"])
    session.commit()
    omar = practitioner(session, AUTHORIZED)
    desk = client_for(app, regulator)
    record = "/regulator/practitioners/" + AUTHORIZED
    assert "Invite them to set up an account" in text(desk.get(record))
    sent = desk.post(record + "/invite", data={"csrf_token": ""})
    assert sent.status_code == 302
    assert "invitation is on its way" in text(desk.get(record))
    mail = only_mail(outbox, omar.email)
    assert "sets up your own account" in mail.body
    url = link_in(mail)

    visitor = client_for(app, None)
    form = visitor.get(url)
    assert form.status_code == 200 and omar.email in text(form)
    weak = visitor.post(url, data={"password": "short", "again": "short"})
    assert weak.status_code == 400 and "12 characters" in text(weak)
    mismatch = visitor.post(url, data={"password": NEW_PASSWORD, "again": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "The two differ" in text(mismatch)
    opened = visitor.post(url, data={"password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/me")
    assert "Omar Sato" in text(visitor.get("/me"))

    # the link works once
    again = client_for(app, None).get(url)
    assert again.status_code == 410 and "expired or was already used" in text(again)
    # and the practitioner logs in with the address on file
    login = client_for(app, None).post(
        "/login", data={"email": omar.email, "password": NEW_PASSWORD}
    )
    assert login.status_code == 302
    events = {e.action for e in session.scalars(select(AuditEvent))}
    assert {"link.invitation", "user.create"} <= events
    # a second invitation is refused in words: the account exists
    desk.post(record + "/invite", data={"csrf_token": ""})
    assert "already has an account" in text(desk.get(record))
    assert outbox.take() == []


def test_invitations_stay_in_the_regulators_jurisdiction(demo, app, make_user, session, outbox):
    other = make_user("regulator", jurisdictions=["CA-BC"])
    session.commit()
    response = client_for(app, other).post(
        "/regulator/practitioners/" + AUTHORIZED + "/invite", data={}
    )
    assert response.status_code == 404
    assert outbox.take() == []


def test_an_expired_invitation_does_not_open_an_account(demo, app, make_user, session, outbox):
    regulator = make_user("regulator", jurisdictions=["CA-AB"])
    session.commit()
    client_for(app, regulator).post("/regulator/practitioners/" + AUTHORIZED + "/invite")
    url = link_in(outbox.take()[0])
    session.execute(update(OneTimeLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    response = client_for(app, None).post(
        url, data={"password": NEW_PASSWORD, "again": NEW_PASSWORD}
    )
    assert response.status_code == 410
    omar = practitioner(session, AUTHORIZED)
    assert session.scalar(select(User).where(User.practitioner_id == omar.id)) is None


def claim(visitor, key: str):
    j, p, n = key.split("/")
    return visitor.post(
        "/claim", data={"jurisdiction": j, "profession": p, "registration_number": n}
    )


def test_a_claim_answers_the_same_whoever_asks_and_mails_only_the_address_on_file(
    demo, app, session, outbox
):
    omar = practitioner(session, AUTHORIZED)
    nobody_home = practitioner(session, MISSING)
    nobody_home.email = None
    session.commit()
    visitor = client_for(app, None)
    answers = {
        key: text(claim(visitor, key))
        for key in (AUTHORIZED, "CA-AB/physiotherapist/NOT-ON-FILE", MISSING)
    }
    assert len(set(answers.values())) == 1
    answer = answers[AUTHORIZED]
    assert "a link to set up your account is on its way" in answer
    assert omar.email not in answer and "@" not in answer.split("<main")[1].split("</main>")[0]
    mail = only_mail(outbox, omar.email)
    url = link_in(mail)
    assert (
        visitor.post(url, data={"password": NEW_PASSWORD, "again": NEW_PASSWORD}).status_code == 302
    )
    # once the record has an account, a claim sends nothing and still answers the same
    assert text(claim(client_for(app, None), AUTHORIZED)) == answer
    assert outbox.take() == []


def test_claims_and_links_are_throttled(demo, app, session, outbox):
    app.config["RATELIMIT_ENABLED"] = True
    try:
        visitor = client_for(app, None)
        codes = [claim(visitor, "CA-AB/physiotherapist/NOT-ON-FILE").status_code for _ in range(6)]
        assert codes[0] == 200 and codes[-1] == 429
        guesses = [visitor.get(f"/welcome/lnk_guess{i}").status_code for i in range(40)]
        assert guesses[0] == 410 and 429 in guesses
    finally:
        app.config["RATELIMIT_ENABLED"] = False


# --- the practitioner keeps their record ------------------------------------------------


def test_a_submitted_credential_waits_for_the_regulator(demo, app, session, folder, make_user):
    user = account(session, MISSING)
    me = client_for(app, user)
    data = {
        "credential_type": "needling_authorization",
        "issuer": "Physiotherapy Alberta College + Association",
        "credential_number": "NA-1",
        "issued_on": TODAY.isoformat(),
        "evidence": (io.BytesIO(PDF), "authorization.pdf"),
    }
    done = me.post("/me/credentials", data=data, content_type="multipart/form-data")
    assert done.status_code == 302
    html = text(me.get("/me"))
    assert "Pending verification" in html
    chloe = practitioner(session, MISSING)
    session.expire_all()
    added = session.scalar(
        select(Credential).where(
            Credential.practitioner_id == chloe.id,
            Credential.credential_type_code == "needling_authorization",
        )
    )
    assert added.verification_status == VerificationStatus.PENDING
    assert added.entered_by == "the practitioner" and added.evidence_ref
    # the claim never makes the verdict better: dry needling is not authorized on it
    body = me.get("/api/v1/me").get_json()
    verdicts = {m["modality"]: m["verdict"] for m in body["modalities"]}
    assert verdicts["dry_needling"] != "authorized"
    # it is in the regulator's queue
    regulator = make_user("regulator", jurisdictions=["CA-AB"])
    session.commit()
    assert "Chloé Sharma" in text(client_for(app, regulator).get("/regulator/verification"))
    # and without an evidence file nothing is added
    no_file = {k: v for k, v in data.items() if k != "evidence"}
    refused = me.post("/me/credentials", data=no_file, content_type="multipart/form-data")
    assert refused.status_code == 400 and "evidence" in text(refused).lower()


def test_a_renewal_from_the_practitioner_is_pending(demo, app, session, folder):
    user = account(session, AUTHORIZED)
    me = client_for(app, user)
    omar = practitioner(session, AUTHORIZED)
    old = next(c for c in omar.credentials if not c.withdrawn)
    prefix = f"renew-{old.id}-"
    data = {
        prefix + "version": str(old.version),
        prefix + "issued_on": TODAY.isoformat(),
        prefix + "expires_on": (TODAY + timedelta(days=700)).isoformat(),
        prefix + "evidence": (io.BytesIO(PDF), "renewal.pdf"),
    }
    done = me.post(f"/me/credentials/{old.id}/renew", data=data, content_type="multipart/form-data")
    assert done.status_code == 302, text(done)
    assert len(actions(session, "credential.renew")) == 1
    session.expire_all()
    newest = max(practitioner(session, AUTHORIZED).credentials, key=lambda c: c.id)
    assert newest.verification_status == VerificationStatus.PENDING
    # someone else's credential cannot be renewed from here
    other = practitioner(session, MISSING).credentials[0]
    assert me.post(f"/me/credentials/{other.id}/renew", data={}).status_code == 404


def test_contact_details_are_versioned_and_audited(demo, app, session):
    user = account(session, AUTHORIZED)
    me = client_for(app, user)
    version = hidden_version(text(me.get("/me")))
    saved = me.post("/me/contact", data={
        "version": version, "city": "Canmore", "email": "omar@new.example", "phone": "403-555-0101",
    })  # fmt: skip
    assert saved.status_code == 302
    session.expire_all()
    omar = practitioner(session, AUTHORIZED)
    assert (omar.city, omar.email, omar.phone) == ("Canmore", "omar@new.example", "403-555-0101")
    event = actions(session, "practitioner.update")[-1]
    assert event.actor == user.email and event.after["city"] == "Canmore"
    stale = me.post("/me/contact", data={"version": version, "city": "Banff"})
    assert stale.status_code == 409 and "changed by someone else" in text(stale)
    bad = me.post("/me/contact", data={"version": version + 1, "email": "not an address"})
    assert bad.status_code == 400
    session.expire_all()
    assert practitioner(session, AUTHORIZED).city == "Canmore"


# --- consent for clinic links -------------------------------------------------------------


def ask(manager_client, key: str, clinic_id: int):
    j, p, n = key.split("/")
    return manager_client.post("/clinic/staff", data={
        "clinic": clinic_id, "jurisdiction": j, "profession": p, "registration_number": n,
    })  # fmt: skip


def test_a_request_shows_nothing_private_until_accepted_then_ended(
    demo, app, session, make_user, outbox, folder
):
    bow = clinic(session, BOW)
    manager = make_user("clinic_manager", clinics=[BOW])
    session.commit()
    desk = client_for(app, manager)
    asked = ask(desk, HARBOUR_ONLY, bow.id)
    assert asked.status_code == 302
    staff = text(desk.get("/clinic/"))
    assert "Asked to join the staff" in staff and "Li Côté" in staff
    assert "waiting for their answer" in staff
    # until they accept: no staff page, no contacts, no uploads, not on the public page
    assert desk.get(page(HARBOUR_ONLY)).status_code == 404
    upload = desk.post(page(HARBOUR_ONLY, "/credentials"), data={})
    assert upload.status_code == 404
    public = text(client_for(app, None).get("/practitioners/" + HARBOUR_ONLY))
    assert BOW not in public and HARBOUR in public
    assert HARBOUR_EMAIL not in staff

    mail = only_mail(outbox, HARBOUR_EMAIL)
    assert BOW in mail.subject
    url = link_in(mail)
    visitor = client_for(app, None)
    assert BOW in text(visitor.get(url))
    accepted = visitor.post(url, data={"answer": "accept"})
    assert accepted.status_code == 200 and "You accepted" in text(accepted)
    assert visitor.post(url, data={"answer": "decline"}).status_code == 410  # used

    member = text(desk.get(page(HARBOUR_ONLY)))
    assert HARBOUR_EMAIL in member
    public = text(client_for(app, None).get("/practitioners/" + HARBOUR_ONLY))
    assert BOW in public

    # the practitioner ends it from their page, after a confirmation
    user = account(session, HARBOUR_ONLY)
    me = client_for(app, user)
    assert "End this link" in text(me.get("/me"))
    confirm = me.post(f"/me/clinics/{bow.id}/end", data={})
    assert confirm.status_code == 200 and "End the link with Bow River Physio?" in text(confirm)
    assert session.get(ClinicStaff, (bow.id, practitioner(session, HARBOUR_ONLY).id))
    ended = me.post(f"/me/clinics/{bow.id}/end", data={"confirmed": "yes"})
    assert ended.status_code == 302
    assert desk.get(page(HARBOUR_ONLY)).status_code == 404
    assert BOW not in text(client_for(app, None).get("/practitioners/" + HARBOUR_ONLY))
    assert [e.action for e in session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("clinic_link.%")).order_by(AuditEvent.id)
    )] == ["clinic_link.request", "clinic_link.accept", "clinic_link.end"]  # fmt: skip


def test_a_declined_request_is_not_asked_again_for_thirty_days(
    demo, app, session, make_user, outbox
):
    bow = clinic(session, BOW)
    manager = make_user("clinic_manager", clinics=[BOW])
    session.commit()
    desk = client_for(app, manager)
    user = account(session, HARBOUR_ONLY)
    ask(desk, HARBOUR_ONLY, bow.id)
    outbox.take()
    me = client_for(app, user)
    assert "asks to add you to its staff" in text(me.get("/me"))
    assert me.post(f"/me/clinics/{bow.id}/decline", data={}).status_code == 302
    assert "declined" in text(desk.get("/clinic/"))
    again = ask(desk, HARBOUR_ONLY, bow.id)
    assert "declined this clinic&#39;s request less than 30 days ago" in text(desk.get("/clinic/"))
    assert again.status_code == 302 and outbox.take() == []
    # a month on, the clinic may ask again
    month_ago(session, bow)
    ask(desk, HARBOUR_ONLY, bow.id)
    assert [m.to for m in outbox.take()] == [HARBOUR_EMAIL]


def month_ago(session, bow) -> None:
    """Thirty-one days pass since the practitioner answered and the clinic's mail went."""
    session.execute(
        update(ClinicStaff).values(decided_at=utcnow() - timedelta(days=31))
        .where(ClinicStaff.clinic_id == bow.id)
    )  # fmt: skip
    session.execute(update(OneTimeLink).values(created_at=utcnow() - timedelta(days=31)))
    session.commit()


def test_the_manager_may_withdraw_a_waiting_request(demo, app, session, make_user, outbox):
    bow = clinic(session, BOW)
    manager = make_user("clinic_manager", clinics=[BOW])
    session.commit()
    desk = client_for(app, manager)
    ask(desk, HARBOUR_ONLY, bow.id)
    url = link_in(outbox.take()[0])
    li = practitioner(session, HARBOUR_ONLY)
    done = desk.post(f"/clinic/requests/{li.id}/withdraw", data={"clinic": bow.id})
    assert done.status_code == 302
    assert "Asked to join the staff" not in text(desk.get("/clinic/"))
    assert client_for(app, None).post(url, data={"answer": "accept"}).status_code == 410
    assert len(actions(session, "clinic_link.withdraw")) == 1
    assert (
        desk.post(f"/clinic/requests/{li.id}/withdraw", data={"clinic": bow.id}).status_code == 404
    )


def test_contacts_show_to_exactly_the_clinics_the_practitioner_accepted(
    demo, app, session, make_user, outbox
):
    """Shared by two clinics, a practitioner's contacts show to both once both are accepted
    (before consent, a shared practitioner showed contacts to neither)."""
    harbour = clinic(session, HARBOUR)
    manager_b = make_user("clinic_manager", clinics=[HARBOUR])
    manager_a = make_user("clinic_manager", clinics=[BOW])
    session.commit()
    omar = practitioner(session, AUTHORIZED)
    desk_b = client_for(app, manager_b)
    ask(desk_b, AUTHORIZED, harbour.id)
    assert omar.email not in text(desk_b.get("/clinic/"))
    client_for(app, None).post(link_in(outbox.take()[0]), data={"answer": "accept"})
    assert omar.email in text(desk_b.get(page(AUTHORIZED)))
    assert omar.email in text(client_for(app, manager_a).get(page(AUTHORIZED)))
    export = text(desk_b.get("/clinic/export.csv"))
    assert omar.email in export


def test_a_roster_asks_everyone_it_names(demo, app, session, make_user, outbox):
    harbour = clinic(session, HARBOUR)
    manager = make_user("clinic_manager", clinics=[HARBOUR])
    session.commit()
    desk = client_for(app, manager)
    roster = "jurisdiction,profession,registration_number,modalities\n" + "\n".join(
        f"{k.replace('/', ',')},dry_needling" for k in (AUTHORIZED, HARBOUR_ONLY)
    )
    done = desk.post("/clinic/roster", data={
        "clinic": harbour.id, "roster": (io.BytesIO(roster.encode()), "roster.csv"),
    }, content_type="multipart/form-data")  # fmt: skip
    html = text(done)
    assert done.status_code == 200, html
    assert "1 asked to join the staff" in html and "1 already on staff" in html
    omar = practitioner(session, AUTHORIZED)
    assert [m.to for m in outbox.take()] == [omar.email]
    link = session.get(ClinicStaff, (harbour.id, omar.id))
    assert link.status == LinkStatus.REQUESTED


def test_a_regulators_import_is_authoritative_about_clinics(demo, app, session, make_user, cli,
                                                          write_csv, outbox):  # fmt: skip
    harbour = clinic(session, HARBOUR)
    manager = make_user("clinic_manager", clinics=[HARBOUR])
    session.commit()
    ask(client_for(app, manager), AUTHORIZED, harbour.id)
    omar = practitioner(session, AUTHORIZED)
    assert session.get(ClinicStaff, (harbour.id, omar.id)).status == LinkStatus.REQUESTED
    path = write_csv(
        "jurisdiction,profession,registration_number,given_name,family_name,"
        "registration_status,registered_since,clinics\n"
        f"CA-AB,physiotherapist,AB-1002,Omar,Sato,active,{omar.registered_since},"
        f"{BOW};{HARBOUR}\n"
    )
    result = cli("registry", "import-practitioners", path)
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.get(ClinicStaff, (harbour.id, omar.id)).status == LinkStatus.ACCEPTED
    assert HARBOUR in text(client_for(app, None).get("/practitioners/" + AUTHORIZED))


# --- sessions and tokens end ------------------------------------------------------------


def test_logging_out_ends_every_session_of_the_account(demo, app, session):
    user = account(session, AUTHORIZED)
    phone, laptop = client_for(app, user), client_for(app, user)
    assert phone.get("/me").status_code == 200 and laptop.get("/me").status_code == 200
    phone.post("/logout")
    assert laptop.get("/me").status_code == 302


def test_a_password_change_ends_the_other_sessions_but_not_this_one(demo, app, session):
    user = account(session, AUTHORIZED)
    here, elsewhere = client_for(app, user), client_for(app, user)
    changed = here.post("/account/password", data={
        "current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD,
    })  # fmt: skip
    assert changed.status_code == 302, text(changed)
    assert here.get("/me").status_code == 200
    assert elsewhere.get("/me").status_code == 302


def test_deactivation_ends_sessions_and_tokens_and_reactivation_revives_none(demo, app, session):
    user = account(session, AUTHORIZED)
    browser = client_for(app, user)
    _token, secret = create_token(session, "test", user, "sync")
    session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    api = app.test_client()
    assert api.get("/api/v1/me", headers=bearer).status_code == 200
    set_active(session, "test", user, False)
    session.commit()
    assert browser.get("/me").status_code == 302
    assert api.get("/api/v1/me", headers=bearer).status_code == 401
    set_active(session, "test", user, True)
    session.commit()
    assert browser.get("/me").status_code == 302  # the old session stays ended
    assert api.get("/api/v1/me", headers=bearer).status_code == 401
    assert session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == user.id))


def test_a_revoked_registration_ends_sessions_and_tokens_for_good(
    demo, app, session, cli, write_csv
):
    user = account(session, AUTHORIZED)
    browser = client_for(app, user)
    _token, secret = create_token(session, "test", user, "sync")
    session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    omar = practitioner(session, AUTHORIZED)
    header = ("jurisdiction,profession,registration_number,given_name,family_name,"
              "registration_status,registered_since,status_since\n")  # fmt: skip
    row = f"CA-AB,physiotherapist,AB-1002,Omar,Sato,{{}},{omar.registered_since},{TODAY}\n"
    assert (
        cli("registry", "import-practitioners", write_csv(header + row.format("revoked"))).exit_code
        == 0
    )
    assert browser.get("/me").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    refused = client_for(app, None).post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code != 302
    # reinstated: they log in again, but the ended session and the token stay ended
    assert (
        cli("registry", "import-practitioners", write_csv(header + row.format("active"))).exit_code
        == 0
    )
    assert browser.get("/me").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    assert client_for(app, user).get("/me").status_code == 200
    assert len(actions(session, "user.end_access")) == 1


def test_a_request_to_someone_without_an_email_waits_on_their_page(
    demo, app, session, make_user, outbox
):
    bow = clinic(session, BOW)
    li = practitioner(session, HARBOUR_ONLY)
    li.email = None
    manager = make_user("clinic_manager", clinics=[BOW])
    session.commit()
    desk = client_for(app, manager)
    assert ask(desk, HARBOUR_ONLY, bow.id).status_code == 302
    assert outbox.take() == []
    assert session.get(ClinicStaff, (bow.id, li.id)).status == LinkStatus.REQUESTED
    user = account(session, HARBOUR_ONLY, email="li.cote@own.example")
    assert "asks to add you to its staff" in text(client_for(app, user).get("/me"))


def test_only_the_asking_clinic_may_withdraw_its_request(demo, app, session, make_user, outbox):
    bow, harbour = clinic(session, BOW), clinic(session, HARBOUR)
    manager_a = make_user("clinic_manager", clinics=[BOW])
    manager_b = make_user("clinic_manager", clinics=[HARBOUR])
    session.commit()
    ask(client_for(app, manager_a), HARBOUR_ONLY, bow.id)
    li = practitioner(session, HARBOUR_ONLY)
    other = client_for(app, manager_b)
    for clinic_id in (bow.id, harbour.id):
        refused = other.post(f"/clinic/requests/{li.id}/withdraw", data={"clinic": clinic_id})
        assert refused.status_code == 404
    assert session.get(ClinicStaff, (bow.id, li.id)).status == LinkStatus.REQUESTED


def test_a_change_of_scope_ends_the_accounts_sessions(demo, app, session, make_user):
    manager = make_user("clinic_manager", clinics=[BOW])
    session.commit()
    desk = client_for(app, manager)
    assert desk.get("/clinic/").status_code == 200
    set_scopes(session, "test", manager, clinics=[HARBOUR])
    session.commit()
    assert desk.get("/clinic/").status_code == 302
    again = client_for(app, manager)
    assert HARBOUR in text(again.get("/clinic/"))


def test_one_invitation_or_claim_mail_per_record_per_ten_minutes(
    demo, app, session, make_user, outbox
):
    regulator = make_user("regulator", jurisdictions=["CA-AB"])
    session.commit()
    desk = client_for(app, regulator)
    record = "/regulator/practitioners/" + AUTHORIZED
    desk.post(record + "/invite")
    assert len(outbox.take()) == 1
    assert "Send a new invitation" in text(desk.get(record))
    desk.post(record + "/invite")
    assert "less than ten minutes ago" in text(desk.get(record))
    # claims from anywhere add nothing to the inbox meanwhile, and answer the same
    answers = {text(claim(client_for(app, None), AUTHORIZED)) for _ in range(3)}
    assert len(answers) == 1 and outbox.take() == []
    session.execute(update(OneTimeLink).values(created_at=utcnow() - timedelta(minutes=11)))
    session.commit()
    claim(client_for(app, None), AUTHORIZED)
    assert len(outbox.take()) == 1


def withdraw(manager_client, practitioner_id: int, clinic_id: int):
    return manager_client.post(
        f"/clinic/requests/{practitioner_id}/withdraw", data={"clinic": clinic_id}
    )


def test_asking_and_withdrawing_again_and_again_mails_the_practitioner_once_a_day(
    demo, app, session, make_user, outbox
):
    bow = clinic(session, BOW)
    manager = make_user("clinic_manager", clinics=[BOW])
    session.commit()
    desk = client_for(app, manager)
    li = practitioner(session, HARBOUR_ONLY)
    for _ in range(6):
        assert ask(desk, HARBOUR_ONLY, bow.id).status_code == 302
        assert withdraw(desk, li.id, bow.id).status_code == 302
    ask(desk, HARBOUR_ONLY, bow.id)
    url = link_in(only_mail(outbox, HARBOUR_EMAIL))  # one mail, not seven
    page = text(desk.get("/clinic/"))
    assert "Asked to join the staff" in page
    assert "No new email is sent so soon after the last one" in page  # and the manager is told
    # every request and withdrawal is still on record
    assert len(actions(session, "clinic_link.request")) == 7
    assert len(actions(session, "clinic_link.withdraw")) == 6
    # the one mail they have answers the request that waits now
    accepted = client_for(app, None).post(url, data={"answer": "accept"})
    assert accepted.status_code == 200 and "You accepted" in text(accepted)
    assert session.get(ClinicStaff, (bow.id, li.id)).status == LinkStatus.ACCEPTED


def test_a_new_request_mail_goes_once_a_day_has_passed(demo, app, session, make_user, outbox):
    bow = clinic(session, BOW)
    manager = make_user("clinic_manager", clinics=[BOW])
    session.commit()
    desk = client_for(app, manager)
    li = practitioner(session, HARBOUR_ONLY)
    ask(desk, HARBOUR_ONLY, bow.id)
    withdraw(desk, li.id, bow.id)
    outbox.take()
    session.execute(update(OneTimeLink).values(created_at=utcnow() - timedelta(hours=25)))
    session.commit()
    ask(desk, HARBOUR_ONLY, bow.id)
    assert [m.to for m in outbox.take()] == [HARBOUR_EMAIL]


def test_a_declined_request_cannot_be_forgotten_to_let_the_clinic_ask_at_once(
    demo, app, session, make_user, outbox
):
    bow = clinic(session, BOW)
    manager = make_user("clinic_manager", clinics=[BOW])
    session.commit()
    desk = client_for(app, manager)
    user = account(session, HARBOUR_ONLY)
    ask(desk, HARBOUR_ONLY, bow.id)
    outbox.take()
    me = client_for(app, user)
    me.post(f"/me/clinics/{bow.id}/decline", data={})
    home = text(me.get("/me"))
    assert "It may not ask again before" in home and "Forget it" not in home
    forgot = me.post(f"/me/clinics/{bow.id}/end", data={"confirmed": "yes"})
    assert forgot.status_code == 302
    assert "stays on your page until" in text(me.get("/me"))
    li = practitioner(session, HARBOUR_ONLY)
    assert session.get(ClinicStaff, (bow.id, li.id)).status == LinkStatus.DECLINED
    ask(desk, HARBOUR_ONLY, bow.id)
    assert "declined this clinic&#39;s request less than 30 days ago" in text(desk.get("/clinic/"))
    assert outbox.take() == []
    # a month on, they may forget it (and the clinic may ask again)
    month_ago(session, bow)
    assert "Forget it" in text(me.get("/me"))
    assert me.post(f"/me/clinics/{bow.id}/end", data={"confirmed": "yes"}).status_code == 302
    assert session.get(ClinicStaff, (bow.id, li.id)) is None


def test_ending_a_waiting_request_counts_as_declining_it(demo, app, session, make_user, outbox):
    bow = clinic(session, BOW)
    manager = make_user("clinic_manager", clinics=[BOW])
    session.commit()
    desk = client_for(app, manager)
    user = account(session, HARBOUR_ONLY)
    ask(desk, HARBOUR_ONLY, bow.id)
    outbox.take()
    me = client_for(app, user)
    assert me.post(f"/me/clinics/{bow.id}/end", data={"confirmed": "yes"}).status_code == 302
    assert "you declined its request" in text(me.get("/me"))
    ask(desk, HARBOUR_ONLY, bow.id)
    assert "declined this clinic&#39;s request less than 30 days ago" in text(desk.get("/clinic/"))
    assert outbox.take() == []


def revoke(session, key: str):
    p = practitioner(session, key)
    p.registration_status = RegistrationStatus.REVOKED
    session.commit()
    return p


def test_a_revoked_registration_gets_no_invitation(demo, app, make_user, session, outbox):
    regulator = make_user("regulator", jurisdictions=["CA-AB"])
    session.commit()
    revoke(session, AUTHORIZED)
    desk = client_for(app, regulator)
    record = "/regulator/practitioners/" + AUTHORIZED
    assert desk.post(record + "/invite").status_code == 302
    assert (
        "No invitation sent: Omar Sato&#39;s registration is revoked, so they may not have an "
        "account." in text(desk.get(record))
    )
    assert outbox.take() == []


def test_a_revoked_registration_claims_nothing_and_hears_what_everyone_hears(
    demo, app, session, outbox
):
    unknown = text(claim(client_for(app, None), "CA-AB/physiotherapist/NOT-ON-FILE"))
    revoke(session, AUTHORIZED)
    assert text(claim(client_for(app, None), AUTHORIZED)) == unknown
    assert outbox.take() == []


def test_an_invitation_sent_before_a_revocation_opens_no_account(
    demo, app, make_user, session, outbox
):
    regulator = make_user("regulator", jurisdictions=["CA-AB"])
    session.commit()
    client_for(app, regulator).post("/regulator/practitioners/" + AUTHORIZED + "/invite")
    url = link_in(outbox.take()[0])
    omar = revoke(session, AUTHORIZED)
    visitor = client_for(app, None)
    assert visitor.get(url).status_code == 410
    opened = visitor.post(url, data={"password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert opened.status_code == 410 and "expired or was already used" in text(opened)
    assert session.scalar(select(User).where(User.practitioner_id == omar.id)) is None


def test_remove_from_staff_cannot_erase_a_declined_request(demo, app, session, make_user):
    """A declined request keeps the clinic from asking again for 30 days; posting "remove"
    for it is refused (it is not on the staff) and the refusal stays on record."""
    bow = clinic(session, BOW)
    li = practitioner(session, HARBOUR_ONLY)
    session.add(ClinicStaff(clinic_id=bow.id, practitioner_id=li.id, status=LinkStatus.DECLINED))
    manager = make_user("clinic_manager", clinics=[BOW])
    session.commit()
    desk = client_for(app, manager)
    j, p, n = HARBOUR_ONLY.split("/")
    removed = desk.post(
        f"/clinic/practitioners/{j}/{p}/{n}/remove", data={"clinic": bow.id, "confirmed": "yes"}
    )
    assert removed.status_code == 404
    assert session.get(ClinicStaff, (bow.id, li.id)).status == LinkStatus.DECLINED
