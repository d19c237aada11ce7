"""The verdict store: today's verdict per practitioner and declared modality, kept current by
the services (``services.verdict_store``) so that searches, counts and lists read it with SQL
instead of running the rules engine over every candidate.

A row says: on ``computed_on``, under rule-set ``rule_set_version``, the verdict was
``verdict`` (CONTRACT §5), and nothing on file can change it before ``holds_until`` (null:
nothing dated can). A row is *current* for a day D when ``computed_on <= D`` and
``holds_until`` is null or ``>= D``; readers trust current rows only and say less otherwise.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class StoredVerdict(Base):
    __tablename__ = "stored_verdicts"
    __table_args__ = (
        Index("ix_stored_verdicts_modality_verdict", "modality", "verdict", "practitioner_id"),
        Index("ix_stored_verdicts_holds_until", "holds_until"),
    )

    practitioner_id: Mapped[int] = mapped_column(
        ForeignKey("practitioners.id", ondelete="CASCADE"), primary_key=True
    )
    modality: Mapped[str] = mapped_column(String(50), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(24))
    rule_id: Mapped[str | None] = mapped_column(String(100))
    rule_set_version: Mapped[int | None] = mapped_column(Integer)
    computed_on: Mapped[date] = mapped_column(Date)
    holds_until: Mapped[date | None] = mapped_column(Date)
