"""``registry create-user``."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from .. import db
from ..models import Practitioner, User
from ..services import NotFound
from ..services import secrets as secret_service
from ..services.practitioners import find
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
@click.option("--role", required=True, help="admin, regulator, clinic_manager or practitioner")
@click.option("--jurisdiction", "jurisdictions", multiple=True, help="A regulator's scope.")
@click.option("--clinic", "clinics", multiple=True, help="A clinic manager's clinic (by name).")
@click.option(
    "--practitioner", "key", help="A practitioner's own record: JURISDICTION/PROFESSION/NUMBER."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@guarded
def create_user_command(email, role, jurisdictions, clinics, key, password_stdin) -> None:
    """Create an account. The password is read from stdin or prompted for, never an argument."""
    practitioner = _practitioner(key) if key else None
    password = _read_password(password_stdin)
    user = create_user(
        db.session(), actor(), email, password, role, jurisdictions, clinics, practitioner
    )
    db.session().commit()
    scope = ", ".join(sorted(user.jurisdiction_codes) or list(clinics)) or "everything"
    if practitioner is not None:
        scope = f"the record {key}"
    click.echo(f"created {user.role.value} {user.email} (scope: {scope})")


def _practitioner(key: str) -> Practitioner:
    """The practitioner named JURISDICTION/PROFESSION/NUMBER (the number may hold slashes)."""
    parts = key.strip().split("/", 2)
    if len(parts) != 3 or not all(parts):
        raise fail(f"--practitioner: expected JURISDICTION/PROFESSION/NUMBER, not {key!r}")
    try:
        return find(db.session(), parts[0].upper(), parts[1].lower(), parts[2])
    except NotFound as exc:
        raise fail(f"--practitioner: {exc}") from None


def _account(email: str) -> User:
    user = db.session().scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise fail(f"no account for {email}")
    return user


@registry_cli.command("create-token")
@click.argument("email")
@click.option("--name", required=True, help="The system that will use the token.")
@guarded
def create_token_command(email, name) -> None:
    """Create an API token acting as the account EMAIL; prints the secret once."""
    token, secret = secret_service.create_token(db.session(), actor(), _account(email), name)
    db.session().commit()
    click.echo(secret)
    click.echo(f"token “{token.name}” for {email}: store it now, it is not shown again", err=True)


@registry_cli.command("revoke-token")
@click.argument("email")
@click.argument("prefix")
@guarded
def revoke_token_command(email, prefix) -> None:
    """Revoke the live token of EMAIL whose secret starts with PREFIX (as listed on the page)."""
    owner = _account(email)
    prefix = prefix.rstrip("…")
    if len(prefix) < 6:
        raise fail("give at least the first 6 characters of the token")
    live = [
        t
        for t in secret_service.tokens_of(db.session(), owner)
        if t.revoked_at is None and (t.prefix.startswith(prefix) or prefix.startswith(t.prefix))
    ]
    if len(live) != 1:
        raise fail(f"{len(live) or 'no'} live tokens of {email} start with {prefix!r}")
    secret_service.revoke_token(db.session(), actor(), live[0])
    db.session().commit()
    click.echo(f"revoked token “{live[0].name}” ({live[0].prefix}…) of {email}")
