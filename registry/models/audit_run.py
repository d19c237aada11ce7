"""Stored audit runs: an audit computed once and then paged, filtered and counted in SQL.

A run is keyed by the scope (the jurisdictions audited), the day, the window and the rule-set
version, and says which data version (the newest audit event id, which every change moves on)
its gaps reflect. When the registry has changed since, the run is brought up to date by
re-evaluating only the practitioners the newer audit events name (``read.audit_runs``).
Gaps and verdicts are kept per practitioner for that reason.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class AuditRun(Base):
    __tablename__ = "audit_runs"
    __table_args__ = (
        UniqueConstraint(
            "scope",
            "as_of",
            "window_days",
            "rule_set_version",
            name="uq_audit_runs_key",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(1000))  # "*" or the jurisdiction codes, sorted
    as_of: Mapped[date] = mapped_column(Date)
    window_days: Mapped[int] = mapped_column(Integer)
    rule_set_version: Mapped[int] = mapped_column(Integer)  # 0: no rules loaded
    data_version: Mapped[int] = mapped_column(Integer)
    practitioners_checked: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditRunGap(Base):
    """One gap of a run (CONTRACT §5's fields): the ``ordinal``-th of its practitioner's."""

    __tablename__ = "audit_run_gaps"
    __table_args__ = (
        # the audit's order (``position``), alone and after each of the console's filters:
        # a page of any filter is read off an index, without sorting the filtered gaps
        Index("ix_audit_run_gaps_in_order", "run_id", "position"),
        Index("ix_audit_run_gaps_kind_in_order", "run_id", "kind", "position"),
        Index("ix_audit_run_gaps_modality_in_order", "run_id", "modality", "position"),
        Index("ix_audit_run_gaps_profession_in_order", "run_id", "profession", "position"),
    )

    run_id: Mapped[int] = mapped_column(
        ForeignKey("audit_runs.id", ondelete="CASCADE"), primary_key=True
    )
    practitioner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True)
    # where the gap comes in the audit: the jurisdiction's place in the scope's sorted codes
    # (0 for every jurisdiction), then practitioner id, then ordinal (``read.audit_runs``)
    position: Mapped[int] = mapped_column(BigInteger)
    jurisdiction: Mapped[str] = mapped_column(String(20))
    profession: Mapped[str] = mapped_column(String(64))
    registration_number: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(210))
    modality: Mapped[str | None] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    credential_type: Mapped[str | None] = mapped_column(String(64))
    rule_id: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)


class AuditRunVerdict(Base):
    """A run's verdict of one declared modality of one practitioner (counted per profession
    and modality for the dashboard)."""

    __tablename__ = "audit_run_verdicts"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("audit_runs.id", ondelete="CASCADE"), primary_key=True
    )
    practitioner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    modality: Mapped[str] = mapped_column(String(50), primary_key=True)
    profession: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(24))


class AuditRunGapCount(Base):
    """How many of a run's gaps share a kind, modality (``""`` for registration gaps),
    profession and severity: the console's totals for any filter, without counting gaps."""

    __tablename__ = "audit_run_gap_counts"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("audit_runs.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    modality: Mapped[str] = mapped_column(String(50), primary_key=True)
    profession: Mapped[str] = mapped_column(String(64), primary_key=True)
    severity: Mapped[str] = mapped_column(String(10), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class AuditRunVerdictCount(Base):
    """How many of a run's declared modalities have each verdict, per profession."""

    __tablename__ = "audit_run_verdict_counts"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("audit_runs.id", ondelete="CASCADE"), primary_key=True
    )
    profession: Mapped[str] = mapped_column(String(64), primary_key=True)
    modality: Mapped[str] = mapped_column(String(50), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(24), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
