from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from .. import db
from ..models import Practitioner
from . import bp


@bp.get("/healthz")
def healthz():
    """Liveness probe: answers without touching the database."""
    return {"status": "ok"}


@bp.get("/")
def index():
    """The public lookup page."""
    count = db.session().scalar(select(func.count()).select_from(Practitioner))
    return render_template("public/index.html", practitioner_count=count)
