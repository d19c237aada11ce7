"""``registry export``: the whole registry (public fields and credentials) as CSV or JSON."""

from __future__ import annotations

import sys

import click

from .. import db
from ..read.export import FORMATS, Export, UnknownCode, check_filters, scope_of
from . import registry_cli
from .common import fail, guarded


@registry_cli.command("export")
@click.option("--format", "fmt", default="csv", help="csv or json (default csv).")
@click.option("--jurisdiction", help="Only this jurisdiction (e.g. CA-AB).")
@click.option("--profession", help="Only this profession (e.g. physiotherapist).")
@click.option("--output", help="Write to this file instead of standard output.")
@guarded
def export_command(fmt, jurisdiction, profession, output) -> None:
    """Every practitioner with their public fields and credentials, streamed (the same export
    as GET /api/v1/export.csv and .json; never email, phone, notes or evidence files)."""
    if fmt not in FORMATS:
        raise fail(f"--format: must be one of {', '.join(FORMATS)}")
    session = db.session()
    try:
        code, prof = check_filters(session, jurisdiction, profession)
    except UnknownCode as exc:
        raise fail(f"--{exc}") from None
    export = Export(session, scope_of(session, None, code, prof), fmt)
    if not output:
        for chunk in export:
            sys.stdout.write(chunk)
        return
    try:
        with open(output, "w", encoding="utf-8", newline="") as f:
            for chunk in export:
                f.write(chunk)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"{export.practitioners} practitioners ({export.rows} rows) written to {output}")
