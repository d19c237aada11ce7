"""Loading rules files as new rule-set versions, and reading rule sets back."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..models import CredentialType, Jurisdiction, Rule, RuleSet
from ..models import Profession as ProfessionModel
from ..rules import Requirement, RuleBook, RuleSnap
from ..rules.loader import KnownCodes, RulesFile, parse_rules_file
from . import NotFound, ServiceError, audit
from .codes import load_codes


class RulesRefused(ServiceError):
    """The rules file has problems; nothing was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        n = len(problems)
        super().__init__(f"rules file refused: {n} problem{'s' * (n != 1)}; nothing was written")


def known_codes(session: Session) -> KnownCodes:
    codes = load_codes(session)
    return KnownCodes(
        set(codes.jurisdictions),
        set(codes.professions),
        set(codes.modalities),
        set(codes.credential_types),
    )


def check_rules_file(session: Session, data: bytes) -> RulesFile:
    """Parse and check a rules file against the codes known here; raise on any problem."""
    parsed = parse_rules_file(data, known_codes(session))
    if parsed.problems:
        raise RulesRefused(parsed.problems)
    return parsed


def load_rules(session: Session, actor: str, data: bytes, filename: str) -> RuleSet:
    """Check the whole file, then store it as a new active rule-set version."""
    parsed = check_rules_file(session, data)
    _declare_codes(session, actor, parsed)
    version = (session.scalar(select(func.max(RuleSet.version))) or 0) + 1
    session.execute(update(RuleSet).where(RuleSet.active.is_(True)).values(active=False))
    rule_set = RuleSet(
        version=version, loaded_by=actor, filename=filename, checksum=parsed.checksum, active=True
    )
    rule_set.rules = [_rule_row(i, r) for i, r in enumerate(parsed.rules)]
    session.add(rule_set)
    session.flush()
    audit.record(
        session,
        actor,
        "rules.load",
        "rule_set",
        rule_set.id,
        after={
            "version": version,
            "filename": filename,
            "checksum": parsed.checksum,
            "rules": len(parsed.rules),
        },
    )
    return rule_set


def _declare_codes(session: Session, actor: str, parsed: RulesFile) -> None:
    """Add or rename the jurisdictions, professions and credential types the file declares."""
    for model, declared in (
        (Jurisdiction, parsed.jurisdictions),
        (ProfessionModel, parsed.professions),
        (CredentialType, parsed.credential_types),
    ):
        existing = {row.code: row for row in session.scalars(select(model))}
        for code, name in declared.items():
            row = existing.get(code)
            if row is None:
                session.add(model(code=code, name=name))
            elif row.name == name:
                continue
            else:
                row.name = name
            audit.record(
                session,
                actor,
                "code.declare",
                model.__tablename__,
                code,
                before=None if row is None else {"name": row.name},
                after={"name": name},
            )
    session.flush()


def _rule_row(position: int, r: RuleSnap) -> Rule:
    return Rule(
        position=position,
        rule_id=r.id,
        jurisdiction_code=r.jurisdiction,
        profession_code=r.profession,
        modalities=list(r.modalities),
        effective_from=r.effective_from,
        effective_to=r.effective_to,
        permitted=r.permitted,
        registration_classes=list(r.registration_classes) if r.registration_classes else None,
        min_years_registered=r.min_years_registered,
        requires=[item.to_dict() for item in r.requires],
        source=r.source,
        notes=r.notes,
    )


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
        raise NotFound(f"no rule set version {version}")
    return rule_set


def rule_book(session: Session, version: int | None = None) -> RuleBook:
    rule_set = get_rule_set(session, version)
    rows = (
        session.scalars(select(Rule).where(Rule.rule_set_id == rule_set.id).order_by(Rule.position))
        if rule_set
        else []
    )
    return RuleBook([rule_snap(r) for r in rows])
