"""``registry send-reminders``: expiry reminders and new-gap notices, delivered to a real local
SMTP server (aiosmtpd) and read back as the recipients would see them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from registry import db
from registry.demo import DEFAULT_RULES, default_rules_bytes
from registry.models import AuditEvent, ReminderSent
from registry.rules import CredentialSnap, Decision
from registry.services import clinics as clinic_service
from registry.services import credentials as credential_service
from registry.services import practitioners as practitioner_service
from registry.services import users as user_service
from registry.services.reminders import plan_reminders, remindable, threshold_for
from registry.services.rulesets import load_rules
from registry.services.verification import decide

from .mail_helpers import Mail, free_port

ACTOR = "test:reminders"
D0 = date(2026, 1, 5)
BOW, HARBOUR = "Bow River Physio", "Harbour Physiotherapy"


def day(offset: int) -> date:
    return D0 + timedelta(days=offset)


def practitioner(session, number: str, given: str, family: str, email: str = "", **fields):
    raw = {
        "jurisdiction": "CA-AB",
        "profession": "physiotherapist",
        "registration_number": number,
        "given_name": given,
        "family_name": family,
        "registration_status": "active",
        "registered_since": "2015-01-01",
        "registration_class": "general",
        "modalities": "dry_needling",
        "email": email,
        **fields,
    }
    return practitioner_service.create_practitioner(session, ACTOR, raw)


def credential(session, p, kind: str, issued: date, expires: date | None = None, **kw):
    c = credential_service.add_credential(
        session, ACTOR, p, credential_type=kind, issued_on=issued, expires_on=expires, **kw
    )
    if kind == "needling_authorization":
        decide(session, ACTOR, c, "verified", issued)
    return c


def authorized(session, p, auth_expires: date | None = None):
    """The two credentials Alberta's default rule asks of a physiotherapist who needles."""
    credential(session, p, "needling_authorization", date(2022, 1, 10), auth_expires, issuer="CPTA")
    credential(session, p, "dry_needling_course", date(2021, 5, 1), issuer="Acupuncture Canada")


@pytest.fixture
def world(session, make_user):
    """Two clinics as of D0 (2026-01-05):

    Bow River Physio: Jane Roe (registration expires in 75 days, needling authorization in 50,
    CPR in 20), Omar Haddad (no email; no needling authorization: a gap; insurance expires in
    100 days), Li Chen (CPR renewed, a revoked and an expired credential: nothing due).
    Harbour Physiotherapy: Priya Sharma (CPR expires in 80 days).
    Managers: bow@ (Bow), harbour@ (Harbour), owner@ (both), former@ (Bow, deactivated).
    """
    load_rules(session, ACTOR, default_rules_bytes(), DEFAULT_RULES)
    bow = clinic_service.get_or_create_clinic(session, ACTOR, BOW, "Calgary")
    harbour = clinic_service.get_or_create_clinic(session, ACTOR, HARBOUR, "Vancouver")
    people = {}

    jane = practitioner(
        session, "AB-1", "Jane", "Roe", "jane@example.org", registration_expires_on="2026-03-21"
    )
    authorized(session, jane, auth_expires=day(50))
    credential(session, jane, "cpr_certification", date(2024, 1, 25), day(20), issuer="Red Cross")

    omar = practitioner(session, "AB-2", "Omar", "Haddad")
    credential(session, omar, "dry_needling_course", date(2021, 5, 1), issuer="Acupuncture Canada")
    credential(session, omar, "liability_insurance", date(2025, 4, 15), day(100), issuer="BMS")

    li = practitioner(session, "AB-3", "Li", "Chen", "li@example.org")
    authorized(session, li)
    old_cpr = credential(session, li, "cpr_certification", date(2024, 2, 4), day(30))
    credential_service.renew_credential(
        session, ACTOR, old_cpr, issued_on=day(-5), expires_on=day(395)
    )
    revoked = credential(session, li, "bloodborne_pathogens", date(2024, 1, 15), day(10))
    decide(session, ACTOR, revoked, "revoked", day(-60), note="issued in error")  # long ago
    credential(session, li, "continuing_education", date(2024, 1, 2), day(-3))

    priya = practitioner(session, "AB-4", "Priya", "Sharma", "priya@example.org")
    authorized(session, priya)
    credential(session, priya, "cpr_certification", date(2024, 3, 26), day(80), issuer="Red Cross")

    for clinic, staff in ((bow, (jane, omar, li)), (harbour, (priya,))):
        for p in staff:
            clinic_service.assign_staff(session, ACTOR, clinic, p)
            people[p.given_name] = p
    make_user("clinic_manager", "bow@example.org", clinics=[BOW])
    make_user("clinic_manager", "harbour@example.org", clinics=[HARBOUR])
    make_user("clinic_manager", "owner@example.org", clinics=[BOW, HARBOUR])
    former = make_user("clinic_manager", "former@example.org", clinics=[BOW])
    user_service.set_active(session, ACTOR, former, False)
    session.commit()
    return people


def send(cli, on: date, *args: str):
    return cli("registry", "send-reminders", "--as-of", on.isoformat(), *args)


def by_recipient(mails: list[Mail]) -> dict[str, Mail]:
    assert len({m.to for m in mails}) == len(mails), "one email per recipient"
    return {m.to: m for m in mails}


def recorded(session) -> set[tuple[str, int, str]]:
    rows = session.execute(
        select(ReminderSent.item_key, ReminderSent.threshold, ReminderSent.recipient)
    )
    return {tuple(r) for r in rows}


JANE_REGISTRATION = "Registration expires 2026-03-21: 75 days left."
JANE_AUTHORIZATION = "Needling authorization (CPTA) expires 2026-02-24: 50 days left."
JANE_CPR = "CPR certification (Red Cross) expires 2026-01-25: 20 days left."
OMAR_GAP = "Not authorized for dry needling: no needling authorization on file."
PRIYA_CPR = "CPR certification (Red Cross) expires 2026-03-26: 80 days left."
BOW_ITEMS = (JANE_REGISTRATION, JANE_AUTHORIZATION, JANE_CPR, OMAR_GAP)


def test_managers_get_one_digest_of_their_own_staff(world, cli, outbox, session):
    result = send(cli, D0)
    assert result.exit_code == 0, result.output
    mails = by_recipient(outbox.take())
    assert set(mails) == {
        "bow@example.org",
        "harbour@example.org",
        "owner@example.org",
        "jane@example.org",
        "priya@example.org",
    }  # not the deactivated manager; not Omar (no email) nor Li (nothing due)

    bow = mails["bow@example.org"]
    assert bow.subject == (
        "Needling Registry: 2 expiring credentials, 1 expiring registration and 1 new gap "
        "at Bow River Physio"
    )
    assert all(item in bow.body for item in BOW_ITEMS)
    assert "Jane Roe (physiotherapist, CA-AB registration AB-1)" in bow.body
    assert "Omar Haddad (physiotherapist, CA-AB registration AB-2)" in bow.body
    assert "What to do: renew it, then record the renewal in the registry." in bow.body
    assert "Priya" not in bow.body and "Li Chen" not in bow.body  # other clinic; renewed
    assert "jane@example.org" not in bow.body  # private details stay private

    harbour = mails["harbour@example.org"]
    assert harbour.subject == "Needling Registry: 1 expiring credential at Harbour Physiotherapy"
    assert PRIYA_CPR in harbour.body and "Jane" not in harbour.body and "Omar" not in harbour.body

    owner = mails["owner@example.org"]
    assert owner.subject.endswith("at Bow River Physio and Harbour Physiotherapy")
    assert all(item in owner.body for item in (*BOW_ITEMS, PRIYA_CPR))
    assert "Priya Sharma (physiotherapist, CA-AB registration AB-4) at Harbour" in owner.body

    assert "sent 5 emails (3 managers, 2 practitioners); 14 reminders recorded" in result.output
    assert len(recorded(session)) == 14


def test_practitioners_get_only_their_own_items(world, cli, outbox):
    send(cli, D0)
    mails = by_recipient(outbox.take())
    jane = mails["jane@example.org"]
    assert jane.subject == (
        "Needling Registry: 2 expiring credentials and 1 expiring registration for Jane Roe"
    )
    assert jane.body.startswith("Hello Jane Roe,")
    assert all(item in jane.body for item in (JANE_REGISTRATION, JANE_AUTHORIZATION, JANE_CPR))
    assert "Omar" not in jane.body and "Priya" not in jane.body and "Bow River" not in jane.body
    priya = mails["priya@example.org"]
    assert PRIYA_CPR in priya.body and "Jane" not in priya.body
    # they renew themselves: the mail says where
    assert "Submit each renewal from your page in the registry" in jane.body
    manager = next(
        m for m in mails.values() if m.to not in ("jane@example.org", "priya@example.org")
    )
    assert "Submit each renewal from your page" not in manager.body


def test_each_threshold_is_sent_once(world, cli, outbox, session):
    send(cli, D0)
    outbox.take()
    for rerun in (D0, day(1)):  # the same day again, then the next day: nothing new
        result = send(cli, rerun)
        assert result.exit_code == 0
        assert "sent 0 emails (0 managers, 0 practitioners); 0 reminders recorded" in result.output
        assert outbox.take() == []

    # Day 15: Jane's registration is 60 days out; Omar's insurance reaches 90 (85 days left).
    send(cli, day(15))
    mails = by_recipient(outbox.take())
    assert set(mails) == {"bow@example.org", "owner@example.org", "jane@example.org"}
    assert mails["jane@example.org"].subject == (
        "Needling Registry: 1 expiring registration for Jane Roe"
    )
    assert "Registration expires 2026-03-21: 60 days left." in mails["jane@example.org"].body
    bow = mails["bow@example.org"].body
    assert "Registration expires 2026-03-21: 60 days left." in bow
    assert "Professional liability insurance (BMS) expires 2026-04-15: 85 days left." in bow
    assert "Needling authorization" not in bow and "no needling authorization" not in bow
    key = f"registration:{world['Jane'].id}:2026-03-21"
    assert (key, 60, "jane@example.org") in recorded(session)
    send(cli, day(16))
    assert outbox.take() == []


def test_a_run_skipped_for_weeks_sends_only_the_current_threshold(world, cli, outbox, session):
    send(cli, D0)
    outbox.take()
    send(cli, day(50))  # registration: 25 days left; its 60-day reminder is not sent late
    jane = by_recipient(outbox.take())["jane@example.org"]
    assert "Registration expires 2026-03-21: 25 days left." in jane.body
    key = f"registration:{world['Jane'].id}:2026-03-21"
    thresholds = {t for k, t, r in recorded(session) if k == key and r == "jane@example.org"}
    assert thresholds == {90, 30}


def test_a_renewed_registration_is_reminded_again_before_its_new_date(world, cli, outbox):
    send(cli, D0)
    outbox.take()
    jane = world["Jane"]
    practitioner_service.update_practitioner(
        db.session(),
        ACTOR,
        jane,
        {"registration_expires_on": date(2027, 3, 21)},
        expected_version=jane.version,
    )
    db.session().commit()
    send(cli, day(20))  # her needling authorization reaches 30 days; the old date is gone
    assert "Registration" not in by_recipient(outbox.take())["jane@example.org"].body
    send(cli, date(2026, 12, 25))  # 86 days before the new date
    mails = by_recipient(outbox.take())
    assert "Registration expires 2027-03-21: 86 days left." in mails["jane@example.org"].body


@pytest.mark.parametrize(
    ("renewal_issued", "reminded"),
    [
        (day(-10), False),  # renewed already
        (day(75), False),  # renewal recorded ahead, starts before the old one ends
        (day(81), False),  # starts the day after the old one ends: cover continues
        (day(95), True),  # starts two weeks after it ends: a break in cover, still remind
    ],
)
def test_a_renewed_credential_is_not_reminded(
    world, cli, outbox, session, renewal_issued, reminded
):
    priya = world["Priya"]
    cpr = next(c for c in priya.credentials if c.credential_type_code == "cpr_certification")
    credential_service.renew_credential(
        session, ACTOR, cpr, issued_on=renewal_issued, expires_on=renewal_issued + timedelta(365)
    )
    session.commit()
    send(cli, D0)
    mails = by_recipient(outbox.take())
    assert ("priya@example.org" in mails) is reminded
    assert ("harbour@example.org" in mails) is reminded


def test_expired_revoked_and_renewed_credentials_are_not_reminded():
    def cred(id, kind, issued, expires=None, revoked=False):
        decisions = (Decision("revoked", issued),) if revoked else ()
        return CredentialSnap(kind, issued, expires_on=expires, decisions=decisions, id=id)

    cases = [
        cred(1, "cpr_certification", date(2025, 1, 1), day(20)),
        cred(2, "continuing_education", date(2025, 1, 1), day(-1)),  # expired: no threshold
        cred(3, "bloodborne_pathogens", date(2025, 1, 1), day(5), revoked=True),
        cred(4, "dry_needling_course", date(2021, 1, 1)),  # never expires
        # a revoked renewal does not count: 1 is still due
        cred(5, "cpr_certification", day(-1), day(400), revoked=True),
        # insurance renewed ahead: the new policy (not issued yet on D0) starts when 6 ends
        cred(6, "liability_insurance", date(2025, 1, 1), day(10)),
        cred(7, "liability_insurance", day(11), day(376)),
    ]
    assert [c.id for c in remindable(cases, D0)] == [1, 2]
    assert threshold_for((day(-1) - D0).days) is None


@pytest.mark.parametrize(
    ("days_left", "threshold"),
    [(91, None), (90, 90), (61, 90), (60, 60), (31, 60), (30, 30), (1, 30), (0, 30), (-1, None)],
)
def test_threshold_is_the_smallest_at_or_above_the_days_left(days_left, threshold):
    assert threshold_for(days_left) == threshold


def test_a_new_gap_is_reminded_once(world, cli, outbox, session):
    send(cli, D0)
    outbox.take()
    li = world["Li"]
    auth = next(c for c in li.credentials if c.credential_type_code == "needling_authorization")
    decide(session, ACTOR, auth, "revoked", day(1), note="withdrawn by the college")
    session.commit()
    send(cli, day(2))
    mails = by_recipient(outbox.take())
    assert set(mails) == {"bow@example.org", "owner@example.org", "li@example.org"}
    gap = "Not authorized for dry needling: no needling authorization on file"
    assert gap in mails["li@example.org"].body and "Omar" not in mails["li@example.org"].body
    revoked = (
        "Needling authorization (CPTA) was revoked on 2026-01-06: it no longer counts toward "
        "any rule."
    )
    assert revoked in mails["bow@example.org"].body
    assert "withdrawn by the college" not in mails["bow@example.org"].body  # the note stays
    assert mails["bow@example.org"].subject == (
        "Needling Registry: 1 new gap and 1 rejected or revoked credential at Bow River Physio"
    )
    assert (
        "Li Chen" in mails["bow@example.org"].body and "Omar" not in mails["bow@example.org"].body
    )
    send(cli, day(3))
    assert outbox.take() == []


def test_dry_run_prints_and_sends_and_records_nothing(world, cli, outbox, session):
    result = send(cli, D0, "--dry-run")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == (
        "would send to bow@example.org (manager): Needling Registry: 2 expiring credentials, "
        "1 expiring registration and 1 new gap at Bow River Physio"
    )
    assert "    - " + JANE_CPR in lines
    assert lines[-1] == (
        "dry run: would send 5 emails (3 managers, 2 practitioners); 14 reminders; "
        "nothing sent or recorded"
    )
    assert outbox.take() == [] and outbox.data_calls == 0
    assert recorded(session) == set()
    assert session.scalar(select(func.count()).where(AuditEvent.action == "reminders.send")) == 0


def test_a_run_leaves_one_audit_event(world, cli, outbox, session):
    send(cli, D0)
    send(cli, D0)  # nothing sent: no event
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "reminders.send")).all()
    assert len(events) == 1
    assert (events[0].target_type, events[0].target_id) == ("reminders", "2026-01-05")
    assert events[0].after == {
        "as_of": "2026-01-05",
        "emails": 5,
        "managers": 3,
        "practitioners": 2,
        "reminders": 14,
        "refused": 0,
    }


def test_smtp_down_is_one_line_and_records_nothing(world, cli, app, session):
    port = free_port()  # nothing listens there
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    result = send(cli, D0)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1  # one line, no traceback
    assert f"could not send to SMTP server 127.0.0.1:{port}: " in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert recorded(session) == set()


def test_a_failure_halfway_keeps_what_was_sent_and_resends_nothing(world, cli, outbox, session):
    outbox.fail_data_at = 3  # the third message: the server gives up
    result = send(cli, D0)
    assert result.exit_code == 1
    assert "could not send to SMTP server" in result.stderr and "451" in result.stderr
    first = [m.to for m in outbox.take()]
    assert first == ["bow@example.org", "harbour@example.org"]
    assert {r for _, _, r in recorded(session)} == set(first)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "reminders.send")).one()
    assert (event.after["emails"], event.after["reminders"]) == (2, 5)
    outbox.fail_data_at = None
    assert send(cli, D0).exit_code == 0
    assert {m.to for m in outbox.take()} == {
        "owner@example.org",
        "jane@example.org",
        "priya@example.org",
    }


def test_a_refused_recipient_does_not_stop_the_others(world, cli, outbox, session):
    outbox.refuse = {"jane@example.org"}
    result = send(cli, D0)
    assert result.exit_code == 1
    assert "not sent: jane@example.org: the server refused" in result.stderr
    assert "1 email refused by the SMTP server" in result.stderr
    assert "sent 4 emails (3 managers, 1 practitioner); 11 reminders recorded" in result.output
    assert "jane@example.org" not in {r for _, _, r in recorded(session)}
    outbox.take()
    outbox.refuse = set()
    send(cli, D0)
    assert [m.to for m in outbox.take()] == ["jane@example.org"]


@pytest.mark.parametrize("bad", ["2026-13-01", "tomorrow", "05/01/2026"])
def test_a_bad_as_of_is_one_line(world, cli, bad):
    result = cli("registry", "send-reminders", "--as-of", bad)
    assert result.exit_code != 0
    assert result.stderr.strip().startswith("Error: --as-of:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_smtp_settings_are_one_line(world, cli, app):
    app.config["SMTP_SECURITY"] = "tls"
    result = send(cli, D0)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: SMTP_SECURITY must be one of none, starttls, ssl, not 'tls'"
    )


def test_an_address_both_manager_and_practitioner_gets_each_item_once(
    world, cli, outbox, make_user, session
):
    make_user("clinic_manager", "jane@example.org", clinics=[BOW])
    session.commit()
    assert send(cli, D0).exit_code == 0
    jane = [m for m in outbox.take() if m.to == "jane@example.org"]
    assert len(jane) == 1  # her Bow digest already holds her own items
    assert jane[0].subject.endswith("at Bow River Physio")
    assert all(item in jane[0].body for item in BOW_ITEMS)


def test_planning_is_a_fixed_handful_of_queries(world, session):
    def queries() -> int:
        statements = []
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        engine = db.session().get_bind().engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            plan_reminders(session, D0)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))

    before = queries()
    bow = clinic_service.get_or_create_clinic(session, ACTOR, BOW)
    for i in range(30):
        p = practitioner(session, f"MORE-{i}", "More", f"Staff{i}", f"more{i}@example.org")
        credential(session, p, "cpr_certification", date(2025, 1, 1), day(i * 3))
        clinic_service.assign_staff(session, ACTOR, bow, p)
    session.flush()
    assert len(plan_reminders(session, D0)) > 30
    assert queries() == before <= 11
