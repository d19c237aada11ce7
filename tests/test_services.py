"""Single writes through the service layer: each leaves an audit event; stale edits refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from registry.models import AppendOnlyError, AuditEvent, Clinic, Role
from registry.services import InvalidInput, NotFound, StaleEdit
from registry.services import clinics as clinic_service
from registry.services import credentials as credential_service
from registry.services import practitioners as practitioner_service
from registry.services import users as user_service
from registry.services.verification import decide

ACTOR = "test:editor"


def actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def jane(session):
    return practitioner_service.create_practitioner(
        session,
        ACTOR,
        {
            "jurisdiction": "CA-BC",
            "profession": "physiotherapist",
            "registration_number": "BC-1",
            "given_name": "Jane",
            "family_name": "Roe",
            "registration_status": "active",
            "registered_since": "2018-05-01",
            "modalities": "dry_needling",
            "email": "jane@example.org",
        },
    )


def test_create_practitioner_records_who_and_what(session, jane):
    event = session.scalars(select(AuditEvent)).one()
    assert (event.actor, event.action, event.target_id) == (
        ACTOR,
        "practitioner.create",
        str(jane.id),
    )
    assert event.after["modalities"] == ["dry_needling"]


def test_create_refuses_bad_input_and_duplicates(session, jane):
    with pytest.raises(InvalidInput, match="unknown jurisdiction"):
        practitioner_service.create_practitioner(
            session,
            ACTOR,
            {
                "jurisdiction": "XX",
                "profession": "physiotherapist",
                "registration_number": "1",
                "given_name": "A",
                "family_name": "B",
                "registration_status": "active",
                "registered_since": "2020-01-01",
            },
        )
    with pytest.raises(InvalidInput, match="exists"):
        practitioner_service.create_practitioner(
            session,
            ACTOR,
            {
                "jurisdiction": "CA-BC",
                "profession": "physiotherapist",
                "registration_number": "BC-1",
                "given_name": "A",
                "family_name": "B",
                "registration_status": "active",
                "registered_since": "2020-01-01",
            },
        )


def test_update_practitioner_detects_a_stale_edit(session, jane):
    practitioner_service.update_practitioner(session, ACTOR, jane, {"city": "Victoria"}, 1)
    assert jane.version == 2
    with pytest.raises(StaleEdit, match="changed by someone else"):
        practitioner_service.update_practitioner(session, ACTOR, jane, {"city": "Nanaimo"}, 1)
    assert jane.city == "Victoria"
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "practitioner.update")
    ).one()
    assert event.before == {"city": None} and event.after == {"city": "Victoria"}


def test_credential_lifecycle_is_audited(session, jane):
    cpr = credential_service.add_credential(
        session,
        ACTOR,
        jane,
        credential_type="cpr_certification",
        issuer="Canadian Red Cross",
        issued_on=date(2025, 1, 1),
        expires_on=date(2026, 1, 1),
    )
    assert cpr.verification_status.value == "pending" and cpr.decisions == []
    renewed = credential_service.renew_credential(
        session, ACTOR, cpr, issued_on=date(2026, 1, 1), expires_on=date(2028, 1, 1)
    )
    assert cpr.version == 2  # the renewal moved the old credential's version on
    with pytest.raises(StaleEdit):  # a second renewal of the version the first one saw
        credential_service.renew_credential(
            session, ACTOR, cpr, issued_on=date(2026, 1, 2), expires_on=None, expected_version=1
        )
    decide(session, "regulator@example.org", renewed, "verified", note="called issuer")
    assert renewed.verification_status.value == "verified"
    assert renewed.decisions[-1].decided_by == "regulator@example.org"
    assert decide(session, "regulator@example.org", renewed, "verified") is None  # no-op
    with pytest.raises(StaleEdit):
        decide(session, ACTOR, renewed, "revoked", note="fraud", expected_version=1)
    with pytest.raises(InvalidInput, match="say why"):
        decide(session, ACTOR, cpr, "revoked")
    decide(session, ACTOR, cpr, "revoked", note="superseded")
    assert cpr.withdrawn
    assert actions(session)[-4:] == [
        "credential.add",
        "credential.renew",
        "credential.verified",
        "credential.revoked",
    ]


@pytest.mark.parametrize(
    ("status", "effective_on", "field", "reason"),
    [
        ("verified", date(2999, 1, 1), "effective_on", "is in the future"),
        ("verified", date(2024, 12, 31), "effective_on", "is before the issue date"),
        ("approved", None, "status", "unknown verification 'approved'"),
        ("rejected", None, "note", "say why the credential is rejected"),
    ],
)
def test_impossible_decisions_are_refused(session, jane, status, effective_on, field, reason):
    cpr = credential_service.add_credential(
        session, ACTOR, jane, credential_type="cpr_certification", issued_on=date(2025, 1, 1)
    )
    with pytest.raises(InvalidInput) as exc:
        decide(session, ACTOR, cpr, status, effective_on)
    assert reason in exc.value.errors[field]
    assert cpr.decisions == [] and cpr.verification_status.value == "pending"


def test_only_an_entitled_reviewer_decides(session, jane, make_user):
    cpr = credential_service.add_credential(
        session, ACTOR, jane, credential_type="cpr_certification", issued_on=date(2025, 1, 1)
    )
    bow = Clinic(name="Bow River Physio")
    session.add(bow)
    session.flush()
    clinic_service.assign_staff(session, ACTOR, bow, jane)
    for user in (
        make_user("clinic_manager", clinics=["Bow River Physio"]),
        make_user("regulator", jurisdictions=["US-CO"]),
    ):
        with pytest.raises(NotFound):
            decide(session, user.email, cpr, "verified", decider=user)
    own = make_user("regulator", jurisdictions=[jane.jurisdiction_code])
    assert decide(session, own.email, cpr, "verified", decider=own) is not None


def test_credential_values_are_checked(session, jane):
    with pytest.raises(InvalidInput) as exc:
        credential_service.add_credential(
            session,
            ACTOR,
            jane,
            credential_type="dry_needling_course",
            issued_on=date(2025, 1, 1),
            expires_on=date(2024, 1, 1),
            hours=-1,
        )
    assert set(exc.value.errors) == {"expires_on", "hours"}


def test_staff_assignment_is_audited(session, jane):
    clinic = clinic_service.get_or_create_clinic(session, ACTOR, "Harbour Physio", "Victoria")
    assert clinic_service.assign_staff(session, ACTOR, clinic, jane) is True
    assert clinic_service.assign_staff(session, ACTOR, clinic, jane) is False
    assert actions(session)[-2:] == ["clinic.create", "clinic.assign_staff"]


def test_users_get_hashed_passwords_and_scopes(session):
    user = user_service.create_user(
        session,
        ACTOR,
        "Reg@Example.org",
        "correct horse battery",
        "regulator",
        jurisdictions=["ca-bc"],
    )
    assert user.email == "reg@example.org" and user.role is Role.REGULATOR
    assert user.password_hash.startswith("$argon2") and "horse" not in user.password_hash
    assert user_service.check_password(user, "correct horse battery")
    assert not user_service.check_password(user, "wrong password!!")
    assert user.jurisdiction_codes == {"CA-BC"}


@pytest.mark.parametrize(
    ("password", "role", "scopes", "field"),
    [
        ("short", "admin", {}, "password"),
        ("aaaaaaaaaaaaaaaa", "admin", {}, "password"),
        ("good long passphrase", "wizard", {}, "role"),
        ("good long passphrase", "regulator", {}, "jurisdiction"),
        ("good long passphrase", "clinic_manager", {"clinics": ["Nowhere"]}, "clinic"),
    ],
)
def test_bad_accounts_are_refused(session, password, role, scopes, field):
    with pytest.raises(InvalidInput) as exc:
        user_service.create_user(session, ACTOR, "x@example.org", password, role, **scopes)
    assert field in exc.value.errors


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Password1234!", "this is similar to a commonly used password"),
        ("1234512345123", 'repeats like "abcabcabc" are only slightly harder to guess'),
        ("qwertyuiopasdf", "this is similar to a commonly used password"),
        ("aaaaaaaaaaaaaaaa", 'repeats like "aaa" are easy to guess'),
        ("abcdefghijklmnop", 'sequences like "abc" or "6543" are easy to guess'),
        ("needlingregistry", "too easy to guess"),
        ("x" * 200, 'repeats like "aaa" are easy to guess'),
    ],
)
def test_common_and_repetitive_passwords_are_refused_saying_why(password, why):
    problem = user_service.password_problem(password, "x@example.org")
    assert problem.startswith("password is too easy to guess") and why in problem


@pytest.mark.parametrize(
    "password", ["a long test password", "correct horse battery", "quiet-harbour-lantern-77"]
)
def test_passphrases_are_accepted(password):
    assert user_service.password_problem(password, "x@example.org") is None


def test_audit_events_are_append_only(session, jane):
    event = session.scalars(select(AuditEvent)).first()
    event.actor = "someone else"
    with pytest.raises(AppendOnlyError):
        session.flush()
