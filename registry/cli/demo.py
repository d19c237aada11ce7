"""``registry seed-demo``: the default rules and a demo registry, for local use only."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app

from .. import db
from ..demo import seed
from ..services import verdict_store
from ..services.imports import ImportRefused
from . import registry_cli
from .common import actor, as_of_option, fail, guarded


@registry_cli.command("seed-demo")
@click.option("--today", help="Pretend today is this date (YYYY-MM-DD); for reproducible demos.")
@guarded
def seed_demo_command(today: str | None) -> None:
    """Load the default rules, ~60 demo practitioners, 3 clinics and one user per role."""
    if not current_app.config.get("ALLOW_DEMO_SEED"):
        raise fail("seed-demo refuses to run under the production configuration")
    day = as_of_option(today) if today else date.today()
    session = db.session()
    try:
        lines = seed(session, actor(), day)
    except ImportRefused as exc:  # a bug in the demo data, not the user's input
        raise fail(f"demo data refused: {exc.report.errors[0]}") from None
    # a database upgraded from before the verdict store gets its rows here
    verdict_store.refresh_due(session)
    session.commit()
    for line in lines:
        click.echo(line)
    click.echo("demo registry ready: flask --app wsgi run, then open http://127.0.0.1:5000")
