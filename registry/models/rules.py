"""Rule sets: each load of a rules file is a new, numbered version; one is active."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class RuleSet(Base):
    __tablename__ = "rule_sets"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(254))
    filename: Mapped[str] = mapped_column(String(300))
    checksum: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)  # why it was activated, from the preview

    rules: Mapped[list[Rule]] = relationship(
        back_populates="rule_set", cascade="all, delete-orphan", order_by="Rule.position"
    )


class Rule(Base):
    """One rule of a rule set, as written in its file (CONTRACT §2)."""

    __tablename__ = "rules"
    __table_args__ = (UniqueConstraint("rule_set_id", "rule_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_sets.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    rule_id: Mapped[str] = mapped_column(String(100))
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    profession_code: Mapped[str] = mapped_column(ForeignKey("professions.code"))
    modalities: Mapped[list[str]] = mapped_column(JSON)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    permitted: Mapped[bool] = mapped_column(Boolean)
    registration_classes: Mapped[list[str] | None] = mapped_column(JSON)
    min_years_registered: Mapped[int | None] = mapped_column(Integer)
    min_years_practising: Mapped[int | None] = mapped_column(Integer)
    requires: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)

    rule_set: Mapped[RuleSet] = relationship(back_populates="rules")
