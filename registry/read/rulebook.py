"""The rule book: rule-set versions read back as the engine's ``RuleBook``.

A stored version never changes (a load makes a new one), so the active book is built once
per version and application (``current_rule_book``); a page then costs one small query.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Rule, RuleSet
from ..rules import Requirement, RuleBook, RuleSnap
from ..services import NotFound

BOOKS_KEY = "rule_books"


class UnknownVersion(NotFound):
    """No rule set has the version asked for."""


def rule_snap(row: Rule) -> RuleSnap:
    return RuleSnap(
        id=row.rule_id,
        jurisdiction=row.jurisdiction_code,
        profession=row.profession_code,
        modalities=tuple(row.modalities),
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        permitted=row.permitted,
        source=row.source,
        registration_classes=tuple(row.registration_classes) if row.registration_classes else None,
        min_years_registered=row.min_years_registered,
        min_years_practising=row.min_years_practising,
        requires=tuple(Requirement.from_dict(item) for item in row.requires),
        notes=row.notes,
    )


def get_rule_set(session: Session, version: int | None = None) -> RuleSet | None:
    """The active rule set, or the one with ``version``; None when no rules are loaded."""
    query = select(RuleSet)
    query = (
        query.where(RuleSet.version == version)
        if version
        else query.where(RuleSet.active.is_(True))
    )
    rule_set = session.scalar(query)
    if version and rule_set is None:
        raise UnknownVersion(f"no rule set version {version}")
    return rule_set


def rule_book(session: Session, version: int | None = None) -> RuleBook:
    rule_set = get_rule_set(session, version)
    rows = (
        session.scalars(select(Rule).where(Rule.rule_set_id == rule_set.id).order_by(Rule.position))
        if rule_set
        else []
    )
    return RuleBook([rule_snap(r) for r in rows])


def current_rule_book(session: Session) -> RuleBook:
    """The active rule book, built once per rule-set version and application (outside an
    application, as in the benchmarks, built each time)."""
    key = session.execute(
        select(RuleSet.id, RuleSet.version, RuleSet.checksum, RuleSet.loaded_at).where(
            RuleSet.active.is_(True)
        )
    ).first()
    if key is None:
        return RuleBook([])
    if not has_app_context():
        return rule_book(session, key.version)
    books: dict = current_app.extensions.setdefault(BOOKS_KEY, {})
    book = books.get(tuple(key))
    if book is None:
        books.clear()  # only the active version is ever asked for
        book = books[tuple(key)] = rule_book(session, key.version)
    return book
