"""Clinics, as an admin manages them: every clinic, and the form to create one (a clinic
manager's account then gets it as a scope)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from .. import db
from ..models import Clinic, ClinicStaff, LinkStatus
from ..permissions import Permission, requires
from ..services import InvalidInput
from ..services.clinics import create_clinic
from . import bp
from .forms import ClinicForm


def _clinics_page(form, code: int = 200):
    staff = (
        select(ClinicStaff.clinic_id, func.count().label("n"))
        .where(ClinicStaff.status == LinkStatus.ACCEPTED)
        .group_by(ClinicStaff.clinic_id)
        .subquery()
    )
    rows = db.session().execute(
        select(Clinic.id, Clinic.name, Clinic.city, func.coalesce(staff.c.n, 0).label("staff"))
        .outerjoin(staff, staff.c.clinic_id == Clinic.id)
        .order_by(Clinic.name)
    )
    return render_template("admin/clinics.html", form=form, clinics=list(rows)), code


@bp.get("/clinics")
@requires(Permission.CLINICS_MANAGE)
def clinics():
    """Every clinic with its city and staff, and the form to create one."""
    return _clinics_page(ClinicForm(formdata=None))


@bp.post("/clinics")
@requires(Permission.CLINICS_MANAGE)
def create_clinic_view():
    form = ClinicForm()
    if form.validate_on_submit():
        session = db.session()
        try:
            clinic = create_clinic(session, current_user.email, form.name.data, form.city.data)
        except InvalidInput as exc:
            for name, message in exc.errors.items():
                form[name].errors.append(message[:1].upper() + message[1:] + ".")
        else:
            session.commit()
            flash(f"Clinic “{clinic.name}” created; give a clinic manager's account its scope.")
            return redirect(url_for(".clinics", _anchor=f"clinic-{clinic.id}"))
    return _clinics_page(form, 400)
