"""Views of the admin face."""

from __future__ import annotations

from flask import render_template

from ..permissions import Permission, requires
from . import bp


@bp.get("/users")
@requires(Permission.USERS_MANAGE)
def users():
    return render_template("admin/users.html")
