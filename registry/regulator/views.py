"""Views of the regulator face."""

from __future__ import annotations

from flask import render_template

from ..permissions import Permission, requires
from . import bp


@bp.get("/")
@requires(Permission.AUDIT_READ)
def dashboard():
    return render_template("regulator/dashboard.html")
