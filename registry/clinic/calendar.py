"""A clinic's expiry calendar: an iCalendar feed at a secret URL that calendar apps subscribe
to, and the workspace page that issues, replaces and revokes that URL.

The URL is the only credential a calendar app can carry, so it is 256 random bits, stored as
a digest, shown once, and revocable; issuing a new one kills the old one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from icalendar import Alarm, Calendar, Event

from .. import db
from ..extensions import limiter, public_rate_limit
from ..models import Clinic
from ..permissions import Permission, requires
from ..services import NotFound
from ..services import secrets as secret_service
from . import bp, queries
from .context import Workspace, workspace
from .forms import ClinicForm, ConfirmForm
from .names import CodeNames

feeds_bp = Blueprint("feeds", __name__)

PAST_DAYS = 365  # expiries this far back stay in the calendar (not replaced since)
FUTURE_DAYS = 5 * 365
ALARM_DAYS = 30


def _page(ws, new_url: str | None = None, code: int = 200):
    feed = secret_service.live_feed(db.session(), ws.clinic)
    return render_template(
        "clinic/calendar.html",
        ws=ws,
        feed=feed,
        new_url=new_url,
        form=ClinicForm(formdata=None, clinic=ws.clinic.id),
    ), code


@bp.get("/calendar")
@requires(Permission.CLINIC_READ)
def calendar():
    """Whether the clinic has a calendar link, and the buttons to issue or revoke one."""
    return _page(workspace())


@bp.post("/calendar")
@requires(Permission.CLINIC_WRITE)
def create_calendar():
    """Issue a calendar link; replacing a live one asks first (calendars subscribed to the old
    link stop updating). The new URL is shown this once."""
    form, ws = _posted()
    session = db.session()
    if secret_service.live_feed(session, ws.clinic) and form.confirmed.data != "yes":
        return _confirm(ws, form, "replace")
    _feed, secret = secret_service.create_feed(session, current_user.email, ws.clinic)
    session.commit()
    return _page(ws, url_for("feeds.feed", secret=secret, _external=True), 201)


@bp.post("/calendar/revoke")
@requires(Permission.CLINIC_WRITE)
def revoke_calendar():
    """Revoke the calendar link, after a confirmation."""
    form, ws = _posted()
    session = db.session()
    if secret_service.live_feed(session, ws.clinic) and form.confirmed.data != "yes":
        return _confirm(ws, form, "revoke")
    try:
        secret_service.revoke_feeds(session, current_user.email, ws.clinic)
    except NotFound as exc:
        flash(str(exc))
    else:
        session.commit()
        flash("Calendar link revoked: calendars subscribed to it stop updating.")
    return redirect(ws.url("clinic.calendar"))


def _posted() -> tuple[ConfirmForm, Workspace]:
    form = ConfirmForm()
    ws = workspace(form.clinic.data or "")
    if not form.validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    return form, ws


def _confirm(ws: Workspace, form: ConfirmForm, action: str) -> str:
    """The page that asks before the link is replaced or revoked (``action``)."""
    feed = secret_service.live_feed(db.session(), ws.clinic)
    return render_template(
        "clinic/confirm_calendar.html", ws=ws, form=form, feed=feed, action=action
    )


@feeds_bp.get("/calendar/<secret>.ics")
@limiter.limit(public_rate_limit)
@requires(Permission.PUBLIC)  # the secret in the URL is the credential
def feed(secret: str):
    session = db.session()
    clinic = secret_service.clinic_for_feed(session, secret)
    if clinic is None:
        abort(404, "No calendar here: the link is wrong or was revoked.")
    body = expiry_calendar(session, clinic, date.today()).to_ical()
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="expiries.ics"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def expiry_calendar(session, clinic: Clinic, today: date) -> Calendar:
    """One all-day event per registration or credential expiry of the clinic's staff (those
    not replaced by a longer-running one), from a year ago to five years ahead, each with a
    reminder 30 days before."""
    cal = Calendar()
    cal.add("prodid", "-//Needling Registry//Expiry calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{clinic.name}: expiries")
    cal.add(
        "x-wr-caldesc", "Registrations and credentials of the staff, from the Needling Registry"
    )
    cal.add("refresh-interval", timedelta(hours=12), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT12H")
    stamp = datetime.now(UTC).replace(microsecond=0)
    start = today - timedelta(days=PAST_DAYS)
    names = CodeNames(session)
    for item in queries.expiries(session, clinic.id, today, FUTURE_DAYS):
        if item.on < start:
            continue
        cal.add_component(_event(item, stamp, names))
    return cal


def _event(item: queries.Expiry, stamp: datetime, names: CodeNames) -> Event:
    p = item.practitioner
    key = (
        f"credential-{item.credential.id}"
        if item.credential is not None
        else f"registration-{p.id}-{item.on.isoformat()}"
    )
    event = Event()
    event.add("uid", f"{key}@needling-registry")
    event.add("dtstamp", stamp)
    event.add("dtstart", item.on)
    event.add("dtend", item.on + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("summary", f"{item.what} expires: {p.name}")
    event.add(
        "description",
        f"{p.name} ({names.registration(p)}, no. {p.registration_number}): "
        f"{item.what} expires on {item.on.isoformat()}. Record the renewal in the registry "
        "before then, or stop booking needling that depends on it.",
    )
    event.add("categories", ["Expiry"])
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{item.what} of {p.name} expires in {ALARM_DAYS} days")
    alarm.add("trigger", timedelta(days=-ALARM_DAYS))
    event.add_component(alarm)
    return event
