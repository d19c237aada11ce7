"""``registry authorization``: was this practitioner authorized on a date, and on what basis."""

from __future__ import annotations

import click

from .. import db
from ..read.rulebook import rule_book
from ..read.snapshots import snapshot_of
from ..rules import authorization
from ..rules.explain import describe_basis, verdict
from ..rules.model import MODALITY_ORDER
from ..services.practitioners import find
from . import registry_cli
from .common import as_of_option, fail, guarded


@registry_cli.command("authorization")
@click.argument("jurisdiction")
@click.argument("profession")
@click.argument("registration_number")
@click.option("--modality", help="dry_needling, ims or acupuncture (default: all three).")
@click.option("--as-of", "as_of", help="The date in question, YYYY-MM-DD (default today).")
@guarded
def authorization_command(jurisdiction, profession, registration_number, modality, as_of):
    """May this practitioner needle on a date, and on what basis?"""
    if modality and modality not in MODALITY_ORDER:
        raise fail(f"--modality: must be one of {', '.join(MODALITY_ORDER)}")
    day = as_of_option(as_of)
    session = db.session()
    p = find(session, jurisdiction.upper(), profession.lower(), registration_number)
    snap = snapshot_of(session, p.id)
    book = rule_book(session)
    click.echo(f"{snap.name}  {'/'.join(p.key)}  as of {day}")
    for m in [modality] if modality else MODALITY_ORDER:
        result = authorization(snap, book, day, m)
        declared = "" if m in snap.modalities else " (not declared)"
        rule = f"  [{result.rule.id}: {result.rule.source}]" if result.rule else ""
        click.echo(f"  {m:13} {verdict(result)}{declared}: {describe_basis(result)}{rule}")
