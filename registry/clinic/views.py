"""Views of the clinic face."""

from __future__ import annotations

from flask import render_template

from ..permissions import Permission, requires
from . import bp


@bp.get("/")
@requires(Permission.CLINIC_READ)
def staff():
    return render_template("clinic/staff.html")
