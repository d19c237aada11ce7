"""Accounts: creation with a strong, hashed password, scopes and deactivation.

Logging out, a password change, deactivation and a change of role or scope end every session
of the account (its session generation moves on); deactivation also revokes its API tokens, so
reactivating it brings neither back.
"""

from __future__ import annotations

import contextlib
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from ..models import (
    ApiToken,
    Clinic,
    Jurisdiction,
    Practitioner,
    Role,
    User,
    UserClinic,
    UserJurisdiction,
)
from . import InvalidInput, audit
from .fields import parse_email
from .secrets import revoke_token


@functools.cache
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher() -> PasswordHasher:
    """The Argon2 hasher at the configured cost (``ARGON2_*``; argon2-cffi's defaults outside
    an application, cheap under the test configuration). Hashes of another cost still verify:
    the cost is stored in each hash."""
    config = current_app.config if has_app_context() else {}
    return _hasher_for(
        int(config.get("ARGON2_TIME_COST", 3)),
        int(config.get("ARGON2_MEMORY_COST", 65536)),
        int(config.get("ARGON2_PARALLELISM", 4)),
    )


MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3  # zxcvbn's 0-4: 3 is "safely unguessable" (about 10^8 guesses or more)
# zxcvbn refuses to score more than this many characters (its matching grows quickly with
# length); a longer password is judged by its beginning, so "aaa..." is still refused.
_SCORED_LENGTH = 72
# Words anyone guessing a registry account would try first.
_SITE_WORDS = ["needling", "registry", "needlingregistry", "physio", "clinic", "regulator"]


def password_problem(password: str, email: str = "") -> str | None:
    """Why a password is too weak, or None when it is acceptable: at least 12 characters,
    not containing the email's name, and not guessable by zxcvbn's estimate (common
    passwords, words, names, keyboard patterns, repeats and sequences)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"password must be at least {MIN_PASSWORD_LENGTH} characters"
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in password.lower():
        return "password must not contain the email address"
    estimate = zxcvbn(password[:_SCORED_LENGTH], user_inputs=[email, local, *_SITE_WORDS])
    if estimate["score"] >= MIN_PASSWORD_SCORE:
        return None
    warning = estimate["feedback"]["warning"].rstrip(".")
    why = warning[:1].lower() + warning[1:] if warning else "common words and patterns"
    return f"password is too easy to guess ({why}); a few uncommon words make a good one"


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _dummy_hash() -> str:
    """Made on first use, not at import (hashing costs 64 MiB and a few hundred ms that the
    CLI, the benchmarks and every worker that never sees a login need not pay), once per cost."""
    return _dummy_for(_hasher())


@functools.cache
def _dummy_for(hasher: PasswordHasher) -> str:
    return hasher.hash("not a real password, used to equalize timing")


def dummy_check(password: str) -> None:
    """Verify against a throwaway hash, so an unknown email takes as long as a wrong password."""
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher().verify(_dummy_hash(), password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active account with this email and password, else None. Whatever the reason (no
    such email, a deactivated account, a wrong password) the work is one password
    verification, so the time taken tells nothing about which it was."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        dummy_check(password)
        return None
    right = check_password(user, password)  # checked even when deactivated: same time
    return user if right and user.is_active else None  # is_active: registration revoked too


def create_user(
    session: Session,
    actor: str,
    email: str,
    password: str,
    role: str,
    jurisdictions: list[str] = (),
    clinics: list[str] = (),
    practitioner: Practitioner | None = None,
) -> User:
    """Create an account; regulators need jurisdictions, clinic managers clinics, and a
    practitioner their own record (one account per record)."""
    errors: dict[str, str] = {}
    try:
        email = parse_email(email).lower()
    except ValueError as exc:
        errors["email"] = str(exc)
    if role not in {r.value for r in Role}:
        errors["role"] = f"unknown role '{role}' (admin, regulator, clinic_manager or practitioner)"
    problem = password_problem(password, email)
    if problem:
        errors["password"] = problem
    if not errors and session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = f"an account for {email} exists"
    scopes = _scopes(session, role, list(jurisdictions), list(clinics), errors)
    _check_practitioner(session, role, practitioner, errors)
    if errors:
        raise InvalidInput(errors)
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=Role(role),
        active=True,
        practitioner_id=practitioner.id if practitioner is not None else None,
    )
    user.jurisdiction_scopes = [UserJurisdiction(jurisdiction_code=j) for j in scopes[0]]
    user.clinic_scopes = [UserClinic(clinic_id=c.id) for c in scopes[1]]
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "user.create",
        "user",
        user.id,
        after={
            "email": email,
            "role": role,
            "jurisdictions": scopes[0],
            "clinics": [c.name for c in scopes[1]],
            "practitioner": "/".join(practitioner.key) if practitioner is not None else None,
        },
    )
    return user


def _check_practitioner(session, role, practitioner, errors) -> None:
    if role != Role.PRACTITIONER:
        if practitioner is not None:
            errors["practitioner"] = "only a practitioner account has a practitioner record"
        return
    if practitioner is None:
        errors["practitioner"] = "a practitioner account needs --practitioner J/PROFESSION/NUMBER"
    elif session.scalar(select(User.id).where(User.practitioner_id == practitioner.id)):
        errors["practitioner"] = f"{'/'.join(practitioner.key)} already has an account"


def _scopes(session, role, jurisdictions, clinics, errors) -> tuple[list[str], list[Clinic]]:
    codes = [j.upper() for j in jurisdictions]
    known = set(session.scalars(select(Jurisdiction.code).where(Jurisdiction.code.in_(codes))))
    for code in codes:
        if code not in known:
            errors["jurisdiction"] = f"unknown jurisdiction '{code}'"
    found = {c.name: c for c in session.scalars(select(Clinic).where(Clinic.name.in_(clinics)))}
    for name in clinics:
        if name not in found:
            errors["clinic"] = f"unknown clinic '{name}'"
    if role == Role.REGULATOR and not codes:
        errors["jurisdiction"] = "a regulator needs at least one --jurisdiction"
    if role == Role.CLINIC_MANAGER and not clinics:
        errors["clinic"] = "a clinic manager needs at least one --clinic"
    if role == Role.ADMIN and (codes or clinics):
        errors["role"] = "an admin sees everything; give no --jurisdiction or --clinic"
    if role == Role.PRACTITIONER and (codes or clinics):
        errors["role"] = "a practitioner sees their own record; give no --jurisdiction or --clinic"
    return codes, [found[n] for n in clinics if n in found]


def end_sessions(user: User) -> None:
    """Every session of ``user`` ends: their ids carry the old generation."""
    user.session_generation = (user.session_generation or 1) + 1


def end_access_of_practitioners(session: Session, actor: str, practitioner_ids: list[int]) -> None:
    """The registrations of ``practitioner_ids`` were revoked: their accounts' sessions end and
    their tokens are revoked, for good (a reinstatement brings none back)."""
    for user in session.scalars(select(User).where(User.practitioner_id.in_(practitioner_ids))):
        end_sessions(user)
        revoke_all_tokens(session, actor, user)
        session.flush()
        audit.record(
            session, actor, "user.end_access", "user", user.id,
            after={"reason": "registration revoked"},
        )  # fmt: skip


def set_active(session: Session, actor: str, user: User, active: bool) -> None:
    if user.active == active:
        return
    user.active = active
    end_sessions(user)
    if not active:
        revoke_all_tokens(session, actor, user)
    session.flush()
    audit.record(
        session,
        actor,
        "user.activate" if active else "user.deactivate",
        "user",
        user.id,
        before={"active": not active},
        after={"active": active},
    )


def change_password(session: Session, actor: str, user: User, new_password: str) -> None:
    problem = password_problem(new_password, user.email)
    if problem:
        raise InvalidInput({"password": problem})
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    session.flush()
    audit.record(session, actor, "user.change_password", "user", user.id)


def scopes_of(user: User, clinic_names: dict[int, str]) -> dict[str, list[str]]:
    """A user's scopes as {"jurisdictions": codes, "clinics": names}, sorted."""
    return {
        "jurisdictions": sorted(user.jurisdiction_codes),
        "clinics": sorted(clinic_names.get(i, str(i)) for i in user.clinic_ids),
    }


def set_scopes(
    session: Session,
    actor: str,
    user: User,
    jurisdictions: list[str] = (),
    clinics: list[str] = (),
) -> bool:
    """Replace the jurisdictions and clinics (by name) a user may see, under the same rules as
    ``create_user`` (a regulator needs a jurisdiction, a clinic manager a clinic, an admin
    neither). Audited as ``user.set_scopes``; False when nothing changed."""
    errors: dict[str, str] = {}
    codes, found = _scopes(session, user.role, list(jurisdictions), list(clinics), errors)
    if errors:
        raise InvalidInput(errors)
    names = dict(session.execute(select(Clinic.id, Clinic.name)).all())
    before = scopes_of(user, names)
    after = {"jurisdictions": sorted(set(codes)), "clinics": sorted({c.name for c in found})}
    if before == after:
        return False
    # Keep the rows that stay and add only the new ones: no row is deleted and re-inserted.
    codes_wanted, ids_wanted = set(after["jurisdictions"]), {c.id for c in found}
    user.jurisdiction_scopes = [
        s for s in user.jurisdiction_scopes if s.jurisdiction_code in codes_wanted
    ] + [
        UserJurisdiction(jurisdiction_code=j)
        for j in sorted(codes_wanted - user.jurisdiction_codes)
    ]
    user.clinic_scopes = [s for s in user.clinic_scopes if s.clinic_id in ids_wanted] + [
        UserClinic(clinic_id=i) for i in sorted(ids_wanted - user.clinic_ids)
    ]
    end_sessions(user)
    session.flush()
    audit.record(session, actor, "user.set_scopes", "user", user.id, before=before, after=after)
    return True


def set_role(
    session: Session,
    actor: str,
    user: User,
    role: str,
    jurisdictions: list[str] = (),
    clinics: list[str] = (),
) -> bool:
    """Give ``user`` another staff role (admin, regulator, clinic manager) with the scopes it
    needs, under the rules of ``create_user``. A practitioner's account keeps its role (it is
    tied to their record). Every session of the account ends; audited as ``user.set_role``
    with the role and scopes before and after. False when nothing changed."""
    errors: dict[str, str] = {}
    staff = {Role.ADMIN.value, Role.REGULATOR.value, Role.CLINIC_MANAGER.value}
    if user.role == Role.PRACTITIONER:
        errors["role"] = "a practitioner's account keeps its role: it belongs to their record"
    elif role not in staff:
        errors["role"] = f"unknown role '{role}' (admin, regulator or clinic_manager)"
    codes, found = _scopes(session, role, list(jurisdictions), list(clinics), errors)
    if errors:
        raise InvalidInput(errors)
    names = dict(session.execute(select(Clinic.id, Clinic.name)).all())
    before = {"role": user.role.value, **scopes_of(user, names)}
    after = {
        "role": role,
        "jurisdictions": sorted(set(codes)),
        "clinics": sorted({c.name for c in found}),
    }
    if before == after:
        return False
    user.role = Role(role)
    user.jurisdiction_scopes = [
        s for s in user.jurisdiction_scopes if s.jurisdiction_code in after["jurisdictions"]
    ] + [
        UserJurisdiction(jurisdiction_code=j)
        for j in after["jurisdictions"]
        if j not in user.jurisdiction_codes
    ]
    ids_wanted = {c.id for c in found}
    user.clinic_scopes = [s for s in user.clinic_scopes if s.clinic_id in ids_wanted] + [
        UserClinic(clinic_id=i) for i in sorted(ids_wanted - user.clinic_ids)
    ]
    end_sessions(user)
    session.flush()
    audit.record(session, actor, "user.set_role", "user", user.id, before=before, after=after)
    return True


def revoke_all_tokens(session: Session, actor: str, user: User) -> None:
    """Revoke every live API token of ``user`` (deactivation: reactivating brings none back)."""
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        revoke_token(session, actor, token)
