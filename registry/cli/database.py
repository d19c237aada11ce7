"""``flask db``: create or migrate the database with the project's Alembic revisions."""

from __future__ import annotations

import click
from alembic import command
from alembic.util.exc import CommandError
from flask import current_app
from flask.cli import with_appcontext

from .. import migrate
from ..db import database_url


@click.group("db", help="Create or migrate the database.")
def db_cli() -> None:
    pass


def _config():
    return migrate.alembic_config(database_url(current_app))


def _run(fn, *args, **kwargs) -> None:
    try:
        fn(*args, **kwargs)
    except CommandError as exc:
        raise click.ClickException(str(exc)) from None


@db_cli.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: head)."""
    _run(command.upgrade, _config(), revision)
    click.echo(f"database at {revision}")


@db_cli.command("downgrade")
@click.argument("revision")
@with_appcontext
def downgrade(revision: str) -> None:
    """Downgrade the database to REVISION ('base' removes every table)."""
    _run(command.downgrade, _config(), revision)
    click.echo(f"database at {revision}")


@db_cli.command("current")
@with_appcontext
def current() -> None:
    """Show the database's revision."""
    _run(command.current, _config())


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the revision does, as a sentence.")
@click.option("--autogenerate", is_flag=True, help="Draft it from the models; review it!")
@with_appcontext
def revision(message: str, autogenerate: bool) -> None:
    """Create a new revision file in migrations/versions."""
    _run(command.revision, _config(), message=message, autogenerate=autogenerate)
