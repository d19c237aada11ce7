"""Every permission, named in one place, and the decorator each endpoint declares.

A permission is ``scope:resource:action``. Roles grant permissions here and nowhere else;
which *records* a user may see within a permission (their clinics, their jurisdictions) is
decided by ``registry.scopes``.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable

from flask import abort, request
from flask_login import current_user

from .models import Role


class Permission(enum.StrEnum):
    PUBLIC = "public:registry:read"
    ACCOUNT = "account:self:manage"
    CLINIC_READ = "clinic:staff:read"
    CLINIC_WRITE = "clinic:staff:write"
    EVIDENCE_READ = "evidence:file:read"
    AUDIT_READ = "regulator:audit:read"
    PRACTITIONER_HISTORY = "regulator:practitioner:read"
    VERIFY = "regulator:credential:verify"
    RULES_MANAGE = "regulator:rules:manage"
    USERS_MANAGE = "admin:users:manage"
    CLINICS_MANAGE = "admin:clinics:manage"  # create clinics (admins only)
    EXPORT = "registry:practitioners:export"  # exports and evidence bundles, within scope
    CHANGES_READ = "registry:changes:read"  # the change feed, within scope
    INVITE = "regulator:practitioner:invite"  # invite a practitioner to their own account
    SELF_READ = "practitioner:own:read"  # a practitioner's own record, links and history
    SELF_WRITE = "practitioner:own:write"  # their contacts, credentials and clinic links


GRANTS: dict[Role, frozenset[Permission]] = {
    # everything but a practitioner's own pages: an admin has no record of their own
    Role.ADMIN: frozenset(Permission) - {Permission.SELF_READ, Permission.SELF_WRITE},
    Role.REGULATOR: frozenset(
        {
            Permission.PUBLIC,
            Permission.ACCOUNT,
            Permission.EVIDENCE_READ,
            Permission.AUDIT_READ,
            Permission.PRACTITIONER_HISTORY,
            Permission.VERIFY,
            Permission.RULES_MANAGE,
            Permission.EXPORT,
            Permission.CHANGES_READ,
            Permission.INVITE,
        }
    ),
    Role.CLINIC_MANAGER: frozenset(
        {
            Permission.PUBLIC,
            Permission.ACCOUNT,
            Permission.CLINIC_READ,
            Permission.CLINIC_WRITE,
            Permission.EVIDENCE_READ,
            Permission.EXPORT,
            Permission.CHANGES_READ,
        }
    ),
    Role.PRACTITIONER: frozenset(
        {
            Permission.PUBLIC,
            Permission.ACCOUNT,
            Permission.SELF_READ,
            Permission.SELF_WRITE,
            Permission.EVIDENCE_READ,  # their own evidence files
            Permission.EXPORT,  # their own evidence bundle and record
            Permission.CHANGES_READ,  # changes to their own record
        }
    ),
}


def allowed(user, permission: Permission) -> bool:
    if permission is Permission.PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return permission in GRANTS.get(user.role, frozenset())


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def requires(permission: Permission) -> Callable:
    """Declare (and enforce) the permission an endpoint needs.

    Anonymous users are sent to the login page (JSON 401 on the API); logged-in users without
    the permission get 404, the same as for a missing record, so nothing leaks.
    """

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            from .auth.bearer import authenticate_bearer

            authenticate_bearer()
            if not allowed(current_user, permission):
                if not current_user.is_authenticated:
                    if _wants_json():
                        abort(401, "log in or send credentials to use this endpoint")
                    from .extensions import login_manager

                    return login_manager.unauthorized()
                abort(404)
            return view(*args, **kwargs)

        wrapper.permission = permission
        return wrapper

    return decorate
