"""Uploading a staff roster: the limit is stated before the upload, a file over it gets one
message (not a line number per row), and the report lists at most ``SHOWN`` rows."""

from __future__ import annotations

import csv
import io

from flask import render_template, request
from flask_login import current_user

from .. import db
from ..permissions import Permission, requires
from ..services.notices import send_link
from ..services.roster import MAX_ROWS, RosterRefused, apply_roster
from . import bp
from .context import workspace
from .forms import RosterForm

SHOWN = 50  # rows and line numbers listed in a report; the rest are counted


def count_rows(data: bytes) -> int | None:
    """The number of rows under the header (blank lines not counted), or None when the file
    cannot be read as CSV: the roster service then says why."""
    try:
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        rows = sum(1 for row in reader if any(cell.strip() for cell in row))
    except (UnicodeDecodeError, csv.Error):
        return None
    return max(rows - 1, 0)


def too_long(data: bytes) -> str | None:
    """The one message for a file over the limit, else None."""
    rows = count_rows(data)
    if rows is None or rows <= MAX_ROWS:
        return None
    return (
        f"This file has {rows} rows; the limit is {MAX_ROWS}. Nothing was changed: split it "
        f"into files of at most {MAX_ROWS} rows and upload each."
    )


@bp.route("/roster", methods=["GET", "POST"])
@requires(Permission.CLINIC_WRITE)
def roster():
    """Upload a staff roster CSV: all rows applied, or none and the bad rows named."""
    form = RosterForm()
    ws = workspace(form.clinic.data if request.method == "POST" else None)
    form.clinic.data = str(ws.clinic.id)
    report, refused, status = None, None, 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        data = form.roster.data.stream.read()  # at most MAX_CONTENT_LENGTH
        refused = too_long(data)
        if refused is None:
            report, status = _apply(ws, data)
    return render_template(
        "clinic/roster.html",
        ws=ws,
        form=form,
        report=report,
        refused=refused,
        max_rows=MAX_ROWS,
        shown=SHOWN,
    ), status


def _apply(ws, data: bytes):
    session = db.session()
    try:
        report = apply_roster(session, current_user.email, ws.clinic, io.BytesIO(data))
    except RosterRefused as exc:
        return exc.report, 400
    session.commit()
    for sent, p in report.sent:
        send_link(sent, p, ws.clinic)
    return report, 200
