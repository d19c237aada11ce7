"""Which records a user may see: clinic managers their clinics' staff (accepted links only),
regulators their jurisdictions, practitioners their own record, admins everything. Out of
scope answers 404, the same as missing."""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, exists, false, select, true
from sqlalchemy.orm import Session

from .models import ClinicStaff, LinkStatus, Practitioner, Role, User


def practitioner_filter(user: User) -> ColumnElement[bool]:
    """A WHERE clause limiting practitioners to those ``user`` may see in private views."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.REGULATOR:
        codes = sorted(user.jurisdiction_codes)
        return Practitioner.jurisdiction_code.in_(codes) if codes else false()
    if user.role == Role.PRACTITIONER:
        return Practitioner.id == user.practitioner_id if user.practitioner_id else false()
    clinic_ids = sorted(user.clinic_ids)
    if not clinic_ids:
        return false()
    return exists().where(
        ClinicStaff.practitioner_id == Practitioner.id,
        ClinicStaff.clinic_id.in_(clinic_ids),
        ClinicStaff.status == LinkStatus.ACCEPTED,
    )


def jurisdiction_allowed(user: User, code: str | None) -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.REGULATOR and code in user.jurisdiction_codes


def clinic_allowed(user: User, clinic_id: int) -> bool:
    return user.role == Role.ADMIN or (
        user.role == Role.CLINIC_MANAGER and clinic_id in user.clinic_ids
    )


def get_practitioner(
    session: Session, user: User, jurisdiction: str, profession: str, number: str
) -> Practitioner:
    """The practitioner with this key if ``user`` may see them; 404 otherwise."""
    p = session.scalar(
        select(Practitioner).where(
            Practitioner.jurisdiction_code == jurisdiction,
            Practitioner.profession_code == profession,
            Practitioner.registration_number == number,
            practitioner_filter(user),
        )
    )
    if p is None:
        abort(404)
    return p


def private_visible_ids(session: Session, user: User, ids: list[int]) -> set[int]:
    """Of ``ids``, the practitioners whose private fields (email, phone, notes) ``user`` may
    see: admins and their regulators always; a practitioner their own; a clinic manager those
    whose link to one of their clinics the practitioner accepted (or a regulator's import
    made). A request the practitioner has not accepted shows nothing private (one query)."""
    ids = list(ids)
    if user.role == Role.ADMIN:
        return set(ids)
    if user.role == Role.PRACTITIONER:
        return {i for i in ids if i == user.practitioner_id}
    if user.role == Role.REGULATOR:
        rows = session.scalars(
            select(Practitioner.id).where(
                Practitioner.id.in_(ids),
                Practitioner.jurisdiction_code.in_(user.jurisdiction_codes),
            )
        )
        return set(rows)
    accepted = session.scalars(
        select(ClinicStaff.practitioner_id).where(
            ClinicStaff.practitioner_id.in_(ids),
            ClinicStaff.clinic_id.in_(sorted(user.clinic_ids)),
            ClinicStaff.status == LinkStatus.ACCEPTED,
        )
    )
    return set(accepted)
