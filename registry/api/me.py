"""``GET /api/v1/me`` (CONTRACT §6, v2): the signed-in user. A practitioner gets their own
record as the public API gives it, plus their private email and phone, their gaps today and
their clinics (waiting and accepted links); anyone else their role and scope."""

from __future__ import annotations

from datetime import date

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import db
from ..models import Clinic, ClinicStaff, LinkStatus, Practitioner, Role, User
from ..permissions import Permission, requires
from ..read.records import find_record
from ..schema.me import Account, ClinicLink, Me, OwnRecord
from .openapi import operation
from .serialize import record_shape, shape_response

LINK_WORDS = {LinkStatus.REQUESTED: "pending", LinkStatus.ACCEPTED: "accepted"}


@operation(
    "/api/v1/me",
    "me",
    "The signed-in user; a practitioner's own record with its private fields",
    Me,
    errors={404: "Your account is not tied to a record on the register."},
)
@requires(Permission.ACCOUNT)
def me():
    """A practitioner gets their public record plus their own email and phone, their gaps
    today and their clinics (waiting and accepted links); anyone else their email, role and
    scope. Never another practitioner's private fields."""
    session, user = db.session(), current_user
    if user.role == Role.PRACTITIONER:
        return shape_response(_own_record(session, user))
    clinics = session.scalars(select(Clinic.name).where(Clinic.id.in_(sorted(user.clinic_ids))))
    return shape_response(
        Account(
            email=user.email,
            role=user.role.value,
            jurisdictions=sorted(user.jurisdiction_codes),
            clinics=sorted(clinics),
        )
    )


def _own_record(session: Session, user: User) -> OwnRecord:
    p = session.get(Practitioner, user.practitioner_id or 0)
    if p is None:
        abort(404, "your account is not tied to a record")
    record = find_record(
        session, p.jurisdiction_code, p.profession_code, p.registration_number, date.today()
    )
    if record is None:
        abort(404, "your record is not on the register")
    links = session.execute(
        select(Clinic.name, ClinicStaff.status)
        .join(ClinicStaff, ClinicStaff.clinic_id == Clinic.id)
        .where(
            ClinicStaff.practitioner_id == p.id,
            ClinicStaff.status.in_([LinkStatus.REQUESTED, LinkStatus.ACCEPTED]),
        )
        .order_by(Clinic.name)
    ).all()
    public = record_shape(record).model_dump(by_alias=False)
    public.update(
        role="practitioner",
        email=p.email,
        phone=p.phone,
        gaps=record.status.gaps,
        clinics=[name for name, _ in links],
        clinic_links=[ClinicLink(name=name, status=LINK_WORDS[s]) for name, s in links],
    )
    return OwnRecord(**public)
