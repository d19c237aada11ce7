"""``GET /api/v1/me`` (CONTRACT §6, v2): the signed-in user. A practitioner gets their own
record as the public API gives it, plus their private email and phone, their gaps today and
their clinics (waiting and accepted links); anyone else their role and scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, jsonify
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import db
from ..models import Clinic, ClinicStaff, LinkStatus, Practitioner, Role, User
from ..permissions import Permission, requires
from ..read.records import find_record
from . import bp
from .serialize import record_json

LINK_WORDS = {LinkStatus.REQUESTED: "pending", LinkStatus.ACCEPTED: "accepted"}


@bp.get("/api/v1/me")
@requires(Permission.ACCOUNT)
def me():
    """The signed-in user; for a practitioner, their own record with its private fields."""
    session, user = db.session(), current_user
    body: dict[str, Any] = {"email": user.email, "role": user.role.value}
    if user.role == Role.PRACTITIONER:
        body |= _own_record(session, user)
    else:
        body["jurisdictions"] = sorted(user.jurisdiction_codes)
        body["clinics"] = sorted(
            session.scalars(select(Clinic.name).where(Clinic.id.in_(sorted(user.clinic_ids))))
        )
    return jsonify(body)  # private: no-store, as every answer to a signed-in caller


def _own_record(session: Session, user: User) -> dict[str, Any]:
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
    body = record_json(record)
    body |= {
        "email": p.email,
        "phone": p.phone,
        "gaps": [g.to_dict() for g in record.status.gaps],
        "clinics": [name for name, _ in links],
        "clinic_links": [{"name": name, "status": LINK_WORDS[s]} for name, s in links],
    }
    return body
