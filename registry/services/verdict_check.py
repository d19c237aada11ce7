"""Checking the verdict store against a full evaluation (``registry check-verdicts``): every
stored row that is missing, extra or different, in words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..read.rulebook import rule_book
from ..read.snapshots import iter_snapshots
from .verdict_store import CHUNK, V, active_version, rows_for


def differences(session: Session, day: date | None = None) -> Iterator[str]:
    """Every way the store differs from a full evaluation on ``day``, in words: a missing,
    extra or different row (the verdict, its rule or a ``holds_until`` other than the
    evaluation's, or a jurisdiction, profession or city other than the practitioner's).
    Empty when the store is exact."""
    day = day or date.today()
    book, version = rule_book(session), active_version(session)
    stored: dict[tuple[int, str], tuple] = {}
    columns = (V.c.practitioner_id, V.c.modality, *(V.c[name] for name in _COMPARED))
    current = or_(V.c.holds_until.is_(None), V.c.holds_until >= day)
    query = select(*columns).where(V.c.computed_on <= day, current)
    for chunk in _chunks(session.execute(query.order_by(V.c.practitioner_id))):
        stored.update({(r.practitioner_id, r.modality): tuple(r)[2:] for r in chunk})
    for snap in iter_snapshots(session):
        for row in rows_for(snap, book, day, version):
            key = (row["practitioner_id"], row["modality"])
            want = tuple(row[name] for name in _COMPARED)
            have = stored.pop(key, None)
            if have is None:
                yield f"practitioner {key[0]}, {key[1]}: no current row (should be {want[0]})"
            elif tuple(have) != want:
                yield (
                    f"practitioner {key[0]}, {key[1]}: stored {_words(have)}, "
                    f"evaluated {_words(want)}"
                )
    for (pid, modality), have in sorted(stored.items()):
        yield f"practitioner {pid}, {modality}: stored {have[0]} but not declared"


_COMPARED = ("verdict", "rule_id", "holds_until", "jurisdiction_code", "profession_code", "city")


def _words(row: tuple) -> str:
    verdict, rule_id, until, jurisdiction, profession, city = row
    where = f"{jurisdiction}, {profession}, {city or 'no city'}"
    return f"{verdict} under {rule_id or 'no rule'} until {until or 'further notice'} ({where})"


def _chunks(result) -> Iterator[list]:
    while rows := result.fetchmany(CHUNK):
        yield rows
