"""``flask registry ...``: the registry's command line (CONTRACT §4)."""

from __future__ import annotations

from flask.cli import AppGroup

registry_cli = AppGroup("registry", help="Load rules, import, audit and manage users.")

from . import (  # noqa: E402,F401
    audit,
    authorization,
    demo,
    export,
    imports,
    reminders,
    rules,
    users,
    verdicts,
)
