"""``registry import-practitioners`` and ``registry import-credentials``."""

from __future__ import annotations

import os
import sys

import click

from .. import db
from ..services.imports import ImportRefused, import_credentials, import_practitioners
from . import registry_cli
from .common import actor, guarded, open_text

PROGRESS_MIN_BYTES = 1_000_000


def _run_import(importer, path: str) -> None:
    session = db.session()
    with open_text(path) as stream:
        total = _data_lines(path) if os.path.getsize(path) >= PROGRESS_MIN_BYTES else 0
        try:
            if total:
                with click.progressbar(length=total, label="importing", file=sys.stderr) as bar:
                    report = importer(session, actor(), stream, progress=bar.update)
            else:
                report = importer(session, actor(), stream)
        except ImportRefused as refused:
            for error in refused.report.errors:
                click.echo(str(error), err=True)
            raise click.ClickException(str(refused)) from None
    session.commit()
    click.echo(report.summary)


def _data_lines(path: str) -> int:
    with open(path, "rb") as f:
        return max(sum(1 for _ in f) - 1, 0)


@registry_cli.command("import-practitioners")
@click.argument("file")
@guarded
def import_practitioners_command(file: str) -> None:
    """Upsert practitioners from a CSV file (atomic: one bad row and nothing is written)."""
    _run_import(import_practitioners, file)


@registry_cli.command("import-credentials")
@click.argument("file")
@guarded
def import_credentials_command(file: str) -> None:
    """Add or update credentials from a CSV file (atomic)."""
    _run_import(import_credentials, file)
