"""The verdict store: today's verdict per practitioner and declared modality, kept current by
the services (``services.verdict_store``) so that searches, counts and lists read it with SQL
instead of running the rules engine over every candidate.

A row says: on ``computed_on``, under rule-set ``rule_set_version``, the verdict was
``verdict`` (CONTRACT §5), and nothing on file can change it before ``holds_until`` (null:
nothing dated can). A row is *current* for a day D when ``computed_on <= D`` and
``holds_until`` is null or ``>= D``; readers trust current rows only and say less otherwise.

Each row also carries its practitioner's jurisdiction, profession and city, as they were when
it was written (every write to a practitioner rewrites their rows, ``services.verdict_store``):
"who may perform X here" is then counted from the authorized rows alone, in an index, instead
of looking up the verdict of every practitioner of a province or city (a million-practitioner
registry: 200 ms for Ontario's physiotherapists, against 62,000 authorized rows in all).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .folding import folded

AUTHORIZED_ONLY = text("verdict = 'authorized'")


class StoredVerdict(Base):
    __tablename__ = "stored_verdicts"
    __table_args__ = (Index("ix_stored_verdicts_holds_until", "holds_until"),)

    practitioner_id: Mapped[int] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE"), primary_key=True
    )
    modality: Mapped[str] = mapped_column(String(50), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(24))
    rule_id: Mapped[str | None] = mapped_column(String(100))
    rule_set_version: Mapped[int | None] = mapped_column(Integer)
    computed_on: Mapped[date] = mapped_column(Date)
    holds_until: Mapped[date | None] = mapped_column(Date)
    jurisdiction_code: Mapped[str] = mapped_column(String(10))
    profession_code: Mapped[str] = mapped_column(String(50))
    city: Mapped[str | None] = mapped_column(String(100))


# Counting who may perform a modality in a jurisdiction (and profession), or in a city, today:
# the authorized rows only, with the days that make a row current, so that the count reads
# nothing but the index (the verdict is there for SQLite to see the index covers the query;
# PostgreSQL needs the city itself beside its folded form for the same).
_CURRENT = (StoredVerdict.holds_until, StoredVerdict.computed_on, StoredVerdict.verdict)
Index(
    "ix_stored_verdicts_authorized_where",
    StoredVerdict.modality,
    StoredVerdict.jurisdiction_code,
    StoredVerdict.profession_code,
    *_CURRENT,
    postgresql_where=AUTHORIZED_ONLY,
    sqlite_where=AUTHORIZED_ONLY,
)
Index(
    "ix_stored_verdicts_authorized_city",
    StoredVerdict.modality,
    folded(StoredVerdict.city),
    *_CURRENT,
    postgresql_where=AUTHORIZED_ONLY,
    postgresql_include=["city"],
    sqlite_where=AUTHORIZED_ONLY,
)
