"""``registry audit``: every gap of every practitioner in scope, as of any date."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator

import click

from .. import db
from ..models import Jurisdiction
from ..read.audit import AuditStream
from ..read.rulebook import rule_book
from . import registry_cli
from .common import audit_query, fail, guarded

FORMATS = ("json", "csv", "table")


def table_chunks(stream: AuditStream) -> Iterator[str]:
    """The audit as text for a terminal, written as it is computed; the totals come last."""
    q = stream.query
    yield (
        f"Audit as of {q.as_of} (window {q.window} days, {q.jurisdiction or 'all jurisdictions'})\n"
    )
    current = None
    for g in stream.gaps():
        who = (g["jurisdiction"], g["profession"], g["registration_number"])
        if who != current:
            current = who
            yield f"\n{g['name']}  {'/'.join(who)}\n"
        mark = "ERROR" if g["severity"] == "error" else "warn "
        rule = f"  [{g['rule_id']}]" if g["rule_id"] else ""
        yield f"  {mark}  {g['modality'] or 'registration':13} {g['kind']:25} {g['detail']}{rule}\n"
    yield f"\n{stream.checked} practitioners checked, {stream.found} gaps\n"


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
    stream = AuditStream(session, rule_book(session), query)
    chunks = {"json": AuditStream.json_chunks, "csv": AuditStream.csv_chunks}.get(
        fmt, table_chunks
    )(stream)
    if not output:
        try:
            for chunk in chunks:
                sys.stdout.write(chunk)
            sys.stdout.flush()
        except BrokenPipeError:  # the reader stopped early (| head): not an error here
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    _write_file(output, chunks)
    click.echo(f"{stream.found} gaps for {stream.checked} practitioners written to {output}")


def _write_file(output: str, chunks: Iterator[str]) -> None:
    """Write beside ``output`` and move it into place once complete: a failed audit never
    leaves a half-written file under the asked-for name."""
    folder = os.path.dirname(os.path.abspath(output))
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", newline="", dir=folder, prefix=".audit-", delete=False
        ) as f:
            partial = f.name
            try:
                f.writelines(chunks)
            except BaseException:
                f.close()
                os.unlink(partial)
                raise
        os.replace(partial, output)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror}") from None
