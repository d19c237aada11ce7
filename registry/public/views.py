from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from .. import db
from ..models import Practitioner
from ..permissions import Permission, requires
from . import bp


@bp.get("/healthz")
@requires(Permission.PUBLIC)
def healthz():
    """Liveness probe: answers without touching the database."""
    return {"status": "ok"}


@bp.get("/")
@requires(Permission.PUBLIC)
def index():
    """The public lookup page."""
    count = db.session().scalar(select(func.count()).select_from(Practitioner))
    return render_template("public/index.html", practitioner_count=count)


@bp.get("/about")
@requires(Permission.PUBLIC)
def about():
    return render_template("public/about.html")
