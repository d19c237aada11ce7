"""``registry create-user``."""

from __future__ import annotations

import sys

import click

from .. import db
from ..services.users import create_user
from . import registry_cli
from .common import actor, fail, guarded


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise fail("--password-stdin: no password on standard input")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise fail("no terminal to prompt for a password; use --password-stdin")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@registry_cli.command("create-user")
@click.argument("email")
@click.option("--role", required=True, help="admin, regulator or clinic_manager")
@click.option("--jurisdiction", "jurisdictions", multiple=True, help="A regulator's scope.")
@click.option("--clinic", "clinics", multiple=True, help="A clinic manager's clinic (by name).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@guarded
def create_user_command(email, role, jurisdictions, clinics, password_stdin) -> None:
    """Create an account. The password is read from stdin or prompted for, never an argument."""
    password = _read_password(password_stdin)
    user = create_user(db.session(), actor(), email, password, role, jurisdictions, clinics)
    db.session().commit()
    scope = ", ".join(sorted(user.jurisdiction_codes) or list(clinics)) or "everything"
    click.echo(f"created {user.role.value} {user.email} (scope: {scope})")
