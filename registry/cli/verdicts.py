"""``registry refresh-verdicts`` (daily) and ``registry check-verdicts``: the verdict store."""

from __future__ import annotations

from datetime import date
from itertools import islice

import click

from .. import db
from ..read import audit_runs
from ..read.params import AuditQuery
from ..read.rulebook import current_rule_book
from ..services import audit, verdict_check, verdict_store
from . import registry_cli
from .common import actor, fail, guarded

SHOWN = 20  # differences listed before "and N more"


@registry_cli.command("refresh-verdicts")
@click.option("--all", "everything", is_flag=True, help="Recompute every practitioner's row.")
@click.option("--no-audits", "no_audits", is_flag=True, help="Skip preparing the console's audits.")
@guarded
def refresh_verdicts_command(everything: bool, no_audits: bool) -> None:
    """Bring today's stored verdicts up to date (run daily, e.g. from cron): only the rows
    whose date has passed, or every row with --all (after an upgrade). Then prepare today's
    audit of each regulator's scope (and of everything, for admins), so that the console's
    first click of the day does not wait for a full evaluation."""
    session = db.session()
    if not no_audits:
        _prepare_audits(session)
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
    found = verdict_check.differences(db.session())
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


def _prepare_audits(session) -> None:
    book, query = current_rule_book(session), AuditQuery(date.today())
    scopes = audit_runs.console_scopes(session)
    for codes in scopes:
        audit_runs.audit_run(session, book, query, codes)
    if scopes:
        click.echo(f"today's audits prepared for {len(scopes)} scope{'s' * (len(scopes) != 1)}")
