"""The public face: look a practitioner up, see whether they may needle and on what basis."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import TooManyRequests

from .. import db
from ..extensions import limiter, public_rate_limit
from ..permissions import Permission, requires
from ..read.params import SearchError
from ..read.records import public_record
from ..read.search import read_search
from . import bp
from .answers import bad_search_page, search_section, shared_page
from .forms import MODALITY_NAMES


@bp.errorhandler(TooManyRequests)
def too_many_requests(_exc):
    message = "Too many look-ups from your address. Please wait a minute and try again."
    return render_template("error.html", code=429, message=message), 429


@bp.app_context_processor
def public_names():
    return {"modality_names": MODALITY_NAMES}


@bp.get("/healthz")
@requires(Permission.PUBLIC)
def healthz():
    """Liveness probe: answers without touching the database."""
    return {"status": "ok"}


@bp.get("/favicon.ico")
@requires(Permission.PUBLIC)
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: send them to the SVG icon."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.get("/")
@limiter.limit(public_rate_limit)
@requires(Permission.PUBLIC)
def index():
    """The lookup page: a GET search form, and a page of results once anything is asked.
    Bad parameters re-render the form with the reasons (400); a page past the end, 404."""
    session = db.session()
    try:
        search = read_search(session, request.args)
    except SearchError as exc:
        return bad_search_page(session, exc.errors)
    size = current_app.config["PAGE_SIZE"]

    def build():
        body, status = search_section(session, search, size)
        html = render_template("public/index.html", body=body, searched=search.has_criteria)
        return html, status

    return shared_page(session, ("index", search, size), build)


@bp.get("/practitioners/<jurisdiction>/<profession>/<path:registration_number>")
@limiter.limit(public_rate_limit)
@requires(Permission.PUBLIC)
def practitioner(jurisdiction: str, profession: str, registration_number: str):
    """A practitioner's public record: registration, clinics, today's verdict and basis for
    each modality, and every credential with its currency and verification."""
    session = db.session()
    record = public_record(session, jurisdiction, profession, registration_number)
    if record is None:
        abort(404, "No practitioner is registered under that jurisdiction, profession and number.")
    key = ("practitioner", jurisdiction, profession, registration_number)
    return shared_page(
        session, key, lambda: (render_template("public/practitioner.html", p=record), 200)
    )


@bp.get("/about")
@requires(Permission.PUBLIC)
def about():
    return render_template("public/about.html")
