"""The clinic workspace pages: staff, booking guard, expiries, gaps and export.

Every page is about one clinic the user manages (``?clinic=<id>``, default their first);
a clinic they do not manage answers 404. Staff member pages are in ``practitioner.py``, the
roster upload in ``roster.py``, the calendar link in ``calendar.py``.
"""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request
from flask_login import current_user

from .. import db
from ..models import Practitioner
from ..permissions import Permission, requires
from ..services import NotFound
from ..services.accounts import request_link, withdraw_request
from ..services.clinics import remove_staff
from ..services.notices import send_link
from . import booking, bp, queries
from .context import Workspace, workspace
from .export import export_filename, staff_csv
from .forms import (
    AddStaffForm,
    BookingForm,
    ExpiryForm,
    RemoveStaffForm,
    WithdrawForm,
)

ADD_WORDS = {
    "requested": "{name} is asked to join the staff of {clinic}: they appear on the staff once "
    "they accept (the request is emailed to them when an address is on file).",
    "requested again": "{name} is asked again to join the staff of {clinic}. No new email is "
    "sent so soon after the last one: the request waits on their page, and the link in the "
    "email they already have answers it.",
    "already requested": "{name} was asked already; the request waits for their answer.",
    "already on staff": "{name} is already on the staff.",
    "declined recently": "{name} declined this clinic's request less than 30 days ago; ask "
    "them in person, or again later.",
}


def _staff_page(ws: Workspace, add_form: AddStaffForm | None = None) -> str:
    session = db.session()
    usual = queries.usual_key(session, ws.clinic.id)
    add_form = add_form or AddStaffForm(formdata=None, clinic=ws.clinic.id, **usual)
    queries.fill_choices(session, add_form)
    total = queries.staff_count(session, ws.clinic.id)
    pages = max(1, -(-total // queries.STAFF_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    return render_template(
        "clinic/staff.html",
        ws=ws,
        rows=queries.staff_rows(session, ws.clinic.id, page=page),
        total=total,
        page=page,
        pages=pages,
        summary=queries.verdict_summary(session, ws.clinic.id, date.today()),
        requests=queries.pending_requests(session, ws.clinic.id),
        add_form=add_form,
    )


@bp.get("/")
@requires(Permission.CLINIC_READ)
def staff():
    """The clinic's staff, each with registration status and a verdict per declared modality."""
    return _staff_page(workspace())


@bp.post("/staff")
@requires(Permission.CLINIC_WRITE)
def add_staff():
    """Add a practitioner on the register to the clinic's staff, by their key."""
    form = AddStaffForm()
    session = db.session()
    queries.fill_choices(session, form)
    ws = workspace(form.clinic.data)
    if form.validate_on_submit():
        key = (form.jurisdiction.data, form.profession.data, form.registration_number.data)
        p = queries.find_practitioner(session, *key)
        if p is None:
            form.registration_number.errors.append("No practitioner with this registration.")
        else:
            outcome, sent = request_link(session, current_user.email, ws.clinic, p)
            session.commit()
            if sent is not None:
                send_link(sent, p, ws.clinic)
            if outcome == "requested" and sent is None and (p.email or "").strip():
                outcome = "requested again"  # the mail limit held this one back
            flash(ADD_WORDS[outcome].format(name=p.name, clinic=ws.clinic.name))
            return redirect(ws.url("clinic.staff"))
    return _staff_page(ws, form), 400


@bp.post("/practitioners/<jurisdiction>/<profession>/<path:number>/remove")
@requires(Permission.CLINIC_WRITE)
def remove(jurisdiction: str, profession: str, number: str):
    """Take a staff member off one clinic's staff (their record stays on the register)."""
    form = RemoveStaffForm()
    session = db.session()
    p, _ = queries.staff_practitioner(session, current_user, jurisdiction, profession, number)
    ws = workspace(form.clinic.data)
    if not form.validate_on_submit():
        abort(400)
    if form.confirmed.data != "yes":
        return render_template("clinic/confirm_remove.html", ws=ws, p=p, form=form)
    try:
        remove_staff(session, current_user.email, ws.clinic, p)
    except NotFound:
        abort(404)
    session.commit()
    flash(f"{p.name} is no longer on the staff of {ws.clinic.name}.")
    return redirect(ws.url("clinic.staff"))


@bp.post("/requests/<id:practitioner_id>/withdraw")
@requires(Permission.CLINIC_WRITE)
def withdraw(practitioner_id: int):
    """Take back a request to join the staff that the practitioner has not accepted."""
    form = WithdrawForm()
    ws = workspace(form.clinic.data)
    if not form.validate_on_submit():
        abort(400)
    session = db.session()
    p = session.get(Practitioner, practitioner_id)
    try:
        if p is None:
            raise NotFound("no such practitioner")
        withdraw_request(session, current_user.email, ws.clinic, p)
    except NotFound:
        abort(404)
    session.commit()
    flash(f"The request to {p.name} is withdrawn.")
    return redirect(ws.url("clinic.staff") + "#requests")


@bp.get("/book")
@requires(Permission.CLINIC_READ)
def book():
    """Who may be booked for a modality on a date (authorized only), who waits for a
    verification (never bookable), and why the others may not."""
    ws = workspace()
    form = BookingForm(formdata=request.args)
    if not form.validate():
        return render_template("clinic/book.html", ws=ws, form=form, rows=None), 400
    found = booking.booking(db.session(), ws.clinic.id, form.modality.data, form.date.data)
    return render_template(
        "clinic/book.html", ws=ws, form=form, rows=True, counts=found.counts, **found.groups
    )


@bp.get("/expiries")
@requires(Permission.CLINIC_READ)
def expiries():
    """Registrations and credentials that expire in the next 30, 60 or 90 days, or already
    expired and not replaced."""
    ws = workspace()
    form = ExpiryForm(formdata=request.args)
    if not form.validate():
        return render_template("clinic/expiries.html", ws=ws, form=form, items=None), 400
    today = date.today()
    items = queries.expiries(db.session(), ws.clinic.id, today, form.days.data)
    return render_template("clinic/expiries.html", ws=ws, form=form, items=items, today=today)


@bp.get("/gaps")
@requires(Permission.CLINIC_READ)
def gaps():
    """Every gap of the staff today, with the rule it comes from and its source."""
    ws = workspace()
    rows = queries.staff_rows(db.session(), ws.clinic.id)
    return render_template("clinic/gaps.html", ws=ws, gaps=queries.staff_gaps(rows))


@bp.get("/export.csv")
@requires(Permission.CLINIC_READ)
def export():
    """The clinic's staff, credentials and verdicts as CSV (with their private contacts)."""
    ws = workspace()
    response = Response(staff_csv(db.session(), ws.clinic.id, current_user), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{export_filename(ws)}"'
    return response
