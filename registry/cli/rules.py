"""Rule commands: load-rules, rules, rule-sets and rules-impact."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import db
from ..read.audit import rules_impact
from ..read.rulebook import get_rule_set, rule_book
from ..rules import RuleBook
from ..rules.explain import describe_requirements
from ..services.rulesets import RulesRefused, check_rules_file, load_rules
from . import registry_cli
from .common import actor, as_of_option, fail, guarded


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from None


def _refuse(exc: RulesRefused):
    for problem in exc.problems:
        click.echo(problem, err=True)
    return fail(str(exc))


@registry_cli.command("load-rules")
@click.argument("file")
@guarded
def load_rules_command(file: str) -> None:
    """Check a rules file whole and, if it is sound, activate it as a new rule-set version."""
    session = db.session()
    before = get_rule_set(session)
    try:
        rule_set = load_rules(session, actor(), _read(file), Path(file).name)
    except RulesRefused as exc:
        raise _refuse(exc) from None
    session.commit()
    if before is not None and rule_set.id == before.id:
        click.echo(
            f"rules unchanged: version {rule_set.version} already holds these "
            f"{len(rule_set.rules)} rules (no new version)"
        )
        return
    click.echo(
        f"rule set version {rule_set.version} active: {len(rule_set.rules)} rules "
        f"from {rule_set.filename} (sha256 {rule_set.checksum[:12]})"
    )


@registry_cli.command("rules")
@click.option("--jurisdiction", help="Only this jurisdiction (e.g. CA-AB).")
@click.option("--version", "version", help="An earlier rule-set version instead of the active one.")
@guarded
def rules_command(jurisdiction: str | None, version: str | None) -> None:
    """List the active rules (or an earlier version's) with their sources."""
    session = db.session()
    if version is not None and not version.isdigit():
        raise fail("--version: must be a rule-set version number")
    rule_set = get_rule_set(session, int(version) if version else None)
    if rule_set is None:
        raise fail("no rules loaded yet: run flask --app wsgi registry load-rules FILE.yaml")
    book = rule_book(session, rule_set.version)
    code = jurisdiction.upper() if jurisdiction else None
    rules = [r for r in book.rules if code is None or r.jurisdiction == code]
    state = "active" if rule_set.active else "inactive"
    click.echo(
        f"rule set version {rule_set.version} ({state}), loaded {rule_set.loaded_at:%Y-%m-%d}"
        f" by {rule_set.loaded_by} from {rule_set.filename}: {len(rules)} rules"
    )
    for r in rules:
        until = r.effective_to or "open-ended"
        click.echo(
            f"\n{r.id}  {r.jurisdiction} {r.profession}: {', '.join(r.modalities)}"
            f"  [{r.effective_from} to {until}]"
        )
        click.echo(f"  {describe_requirements(r)}")
        click.echo(f"  source: {r.source}")


@registry_cli.command("rule-sets")
@guarded
def rule_sets_command() -> None:
    """List every rule-set version ever loaded."""
    from sqlalchemy import select

    from ..models import RuleSet

    for rs in db.session().scalars(select(RuleSet).order_by(RuleSet.version)):
        mark = "*" if rs.active else " "
        click.echo(
            f"{mark} v{rs.version}  {rs.loaded_at:%Y-%m-%d %H:%M}  {rs.loaded_by}  "
            f"{rs.filename}  sha256 {rs.checksum[:12]}  {len(rs.rules)} rules"
        )


@registry_cli.command("rules-impact")
@click.argument("file")
@click.option("--as-of", "as_of", help="Date to compare on (YYYY-MM-DD; default today).")
@click.option("--jurisdiction", help="Only this jurisdiction.")
@click.option("--format", "fmt", default="table", help="table or json")
@guarded
def rules_impact_command(file: str, as_of: str | None, jurisdiction: str | None, fmt: str):
    """Preview, without activating, whose verdict would change under FILE (everyone in
    scope, each modality, declared or not)."""
    if fmt not in ("table", "json"):
        raise fail("--format: must be table or json")
    day = as_of_option(as_of)
    session = db.session()
    try:
        parsed = check_rules_file(session, _read(file))
    except RulesRefused as exc:
        raise _refuse(exc) from None
    code = jurisdiction.upper() if jurisdiction else None
    changes = rules_impact(session, rule_book(session), RuleBook(parsed.rules), day, code)
    session.rollback()
    if fmt == "json":
        click.echo(
            json.dumps(
                {"as_of": day.isoformat(), "changes": [c.to_dict() for c in changes]}, indent=2
            )
        )
        return
    gains = sum(c.change == "gains" for c in changes)
    losses = sum(c.change == "loses" for c in changes)
    click.echo(
        f"as of {day}: {gains} would gain and {losses} would lose authorization, "
        f"{len(changes) - gains - losses} other verdicts would change (nothing activated)"
    )
    for c in changes:
        click.echo(
            f"  {c.change:7}  {c.modality:12}  {c.jurisdiction}/{c.profession}/"
            f"{c.registration_number}  {c.name}  {c.before} -> {c.after}  "
            f"({c.before_rule or 'no rule'} -> {c.after_rule or 'no rule'}): {c.why}"
        )
