"""Single writes through the service layer: each leaves an audit event; stale edits refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from registry.models import AppendOnlyError, AuditEvent, Role
from registry.services import InvalidInput, StaleEdit
from registry.services import clinics as clinic_service
from registry.services import credentials as credential_service
from registry.services import practitioners as practitioner_service
from registry.services import users as user_service

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
    assert not cpr.verified
    renewed = credential_service.renew_credential(
        session, ACTOR, cpr, issued_on=date(2026, 1, 1), expires_on=date(2028, 1, 1)
    )
    credential_service.verify_credential(
        session, "regulator@example.org", renewed, note="called issuer"
    )
    assert renewed.verified and renewed.verified_by_name == "regulator@example.org"
    assert renewed.verified_at is not None
    with pytest.raises(StaleEdit):
        credential_service.revoke_credential(session, ACTOR, renewed, "fraud", expected_version=1)
    credential_service.revoke_credential(session, ACTOR, cpr, "superseded")
    assert cpr.revoked
    assert actions(session)[-4:] == [
        "credential.add",
        "credential.renew",
        "credential.verify",
        "credential.revoke",
    ]


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


def test_audit_events_are_append_only(session, jane):
    event = session.scalars(select(AuditEvent)).first()
    event.actor = "someone else"
    with pytest.raises(AppendOnlyError):
        session.flush()
