"""The printable evidence bundle: the same document as the JSON API's, as a page."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from .. import db
from ..permissions import Permission, requires
from ..read.evidence import evidence_bundle
from ..read.params import parse_as_of
from ..scopes import get_practitioner
from . import bp


@bp.get("/<jurisdiction>/<profession>/<path:number>")
@requires(Permission.EXPORT)
def evidence(jurisdiction: str, profession: str, number: str):
    """The bundle as of ``as_of`` (default today); a bad date re-renders the date form (400)."""
    session = db.session()
    p = get_practitioner(session, current_user, jurisdiction, profession, number)
    text = request.args.get("as_of", "")
    try:
        as_of = parse_as_of(text)
    except ValueError as exc:
        return render_template("bundles/evidence.html", p=p, doc=None, as_of=text, error=exc), 400
    doc = evidence_bundle(session, p, as_of, current_user.email)
    return render_template("bundles/evidence.html", p=p, doc=doc, as_of=doc["as_of"], error=None)
