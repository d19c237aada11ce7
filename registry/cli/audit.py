"""``registry audit``: every gap of every practitioner in scope, as of any date."""

from __future__ import annotations

import json
import sys

import click

from .. import db
from ..models import Jurisdiction
from ..read.audit import render_csv, run_audit
from ..read.rulebook import rule_book
from . import registry_cli
from .common import audit_query, fail, guarded

FORMATS = ("json", "csv", "table")


def render_table(report: dict) -> str:
    lines = [
        f"Audit as of {report['as_of']} (window {report['window_days']} days, "
        f"{report['jurisdiction'] or 'all jurisdictions'}): "
        f"{report['practitioners_checked']} practitioners checked, "
        f"{len(report['gaps'])} gaps"
    ]
    current = None
    for g in report["gaps"]:
        who = (g["jurisdiction"], g["profession"], g["registration_number"])
        if who != current:
            current = who
            lines.append(f"\n{g['name']}  {'/'.join(who)}")
        mark = "ERROR" if g["severity"] == "error" else "warn "
        lines.append(
            f"  {mark}  {g['modality'] or 'registration':13} {g['kind']:25} {g['detail']}"
            + (f"  [{g['rule_id']}]" if g["rule_id"] else "")
        )
    return "\n".join(lines) + "\n"


@registry_cli.command("audit")
@click.option("--jurisdiction", help="Only this jurisdiction (e.g. CA-AB).")
@click.option("--as-of", "as_of", help="Audit date, YYYY-MM-DD (default today).")
@click.option("--window", default="60", help="Days ahead that count as expiring soon (default 60).")
@click.option("--format", "fmt", default="json", help="json, csv or table (default json).")
@click.option("--output", help="Write to this file instead of standard output.")
@guarded
def audit_command(jurisdiction, as_of, window, fmt, output) -> None:
    """Every gap between practitioners and the rules, explained (CONTRACT §5)."""
    if fmt not in FORMATS:
        raise fail(f"--format: must be one of {', '.join(FORMATS)}")
    query = audit_query(as_of, window, jurisdiction)
    session = db.session()
    if query.jurisdiction and session.get(Jurisdiction, query.jurisdiction) is None:
        raise fail(f"--jurisdiction: unknown jurisdiction '{jurisdiction}'")
    report = run_audit(session, rule_book(session), query)
    text = {
        "json": lambda r: json.dumps(r, indent=2) + "\n",
        "csv": render_csv,
        "table": render_table,
    }[fmt](report)
    if output:
        try:
            with open(output, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror}") from None
        click.echo(
            f"{len(report['gaps'])} gaps for {report['practitioners_checked']} "
            f"practitioners written to {output}"
        )
    else:
        sys.stdout.write(text)
