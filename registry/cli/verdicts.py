"""``registry refresh-verdicts`` (daily) and ``registry check-verdicts``: the verdict store."""

from __future__ import annotations

from itertools import islice

import click

from .. import db
from ..services import audit, verdict_store
from . import registry_cli
from .common import actor, fail, guarded

SHOWN = 20  # differences listed before "and N more"


@registry_cli.command("refresh-verdicts")
@click.option("--all", "everything", is_flag=True, help="Recompute every practitioner's row.")
@guarded
def refresh_verdicts_command(everything: bool) -> None:
    """Bring today's stored verdicts up to date (run daily, e.g. from cron): only the rows
    whose date has passed, or every row with --all (after an upgrade)."""
    session = db.session()
    if everything:
        count = verdict_store.refresh_jurisdictions(session, None)
    else:
        count = verdict_store.refresh_due(session)
    if count:
        audit.record(
            session,
            actor(),
            "verdicts.refresh",
            "verdict_store",
            None,
            after={"practitioners": count, "all": everything},
        )
    session.commit()
    click.echo(f"stored verdicts refreshed for {count} practitioner{'s' * (count != 1)}")


@registry_cli.command("check-verdicts")
@guarded
def check_verdicts_command() -> None:
    """Compare the stored verdicts with a full evaluation of today; exit 1 on any difference."""
    found = verdict_store.differences(db.session())
    shown = list(islice(found, SHOWN))
    if not shown:
        click.echo("stored verdicts equal a full evaluation of today")
        return
    more = sum(1 for _ in found)
    for line in shown:
        click.echo(line)
    raise fail(
        f"{len(shown) + more} stored verdicts differ from a full evaluation"
        "; run: flask --app wsgi registry refresh-verdicts --all"
    )
