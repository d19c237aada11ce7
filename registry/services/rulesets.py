"""Loading rules files as new rule-set versions (reading them back: ``read.rulebook``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..models import CredentialType, Jurisdiction, Rule, RuleSet
from ..models import Profession as ProfessionModel
from ..read.rulebook import get_rule_set, rule_book
from ..rules import RuleSnap
from ..rules.loader import KnownCodes, RulesFile, parse_rules_file
from . import ServiceError, audit, verdict_store
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


def load_rules(
    session: Session,
    actor: str,
    data: bytes,
    filename: str,
    note: str | None = None,
    refresh_limit: int | None = None,
) -> RuleSet:
    """Check the whole file, then store it as a new active rule-set version; when it holds
    exactly the active rules, nothing is stored and the active version is returned
    (``unchanged`` tells which)."""
    parsed = check_rules_file(session, data)
    if unchanged(session, parsed.rules, parsed):
        return get_rule_set(session)
    _declare_codes(session, actor, parsed)
    rule_set = _new_version(
        session, actor, parsed.rules, filename, parsed.checksum, note, refresh_limit
    )
    audit.record(
        session,
        actor,
        "rules.load",
        "rule_set",
        rule_set.id,
        after={
            "version": rule_set.version,
            "filename": filename,
            "checksum": parsed.checksum,
            "rules": len(parsed.rules),
            "note": note,
        },
    )
    return rule_set


DECLARED = (
    ("jurisdictions", Jurisdiction),
    ("professions", ProfessionModel),
    ("credential_types", CredentialType),
)


def unchanged(session: Session, rules: list[RuleSnap], parsed: RulesFile) -> bool:
    """Would activating ``rules`` (declaring what ``parsed`` declares) change nothing? The
    same rules, whatever their order, and no new or renamed code. The upload preview and
    both loads ask this one question, so "identical" means the same on the page and in the
    load."""
    active = get_rule_set(session)
    if active is None:
        return False
    if sorted(rule_book(session, active.version).rules, key=_by_id) != sorted(rules, key=_by_id):
        return False
    return not declared_changes(session, parsed)


def declared_changes(session: Session, parsed: RulesFile) -> list[tuple[str, str, str | None, str]]:
    """(key, code, name here or None when new, name in the file) for every code the file
    declares that is new or named differently here, in the file's order."""
    changes = []
    for key, model in DECLARED:
        names = code_names(session, model)
        changes += [
            (key, code, names.get(code), name)
            for code, name in getattr(parsed, key).items()
            if names.get(code) != name
        ]
    return changes


def code_names(session: Session, model) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(model.code, model.name))}


def _by_id(rule: RuleSnap) -> str:
    return rule.id


def _new_version(
    session: Session,
    actor: str,
    rules: list[RuleSnap],
    filename: str,
    checksum: str,
    note: str | None = None,
    refresh_limit: int | None = None,
) -> RuleSet:
    """Store ``rules`` as the next rule-set version and make it the only active one, and
    refresh the stored verdicts of the jurisdictions whose rules it changes (more than
    ``refresh_limit`` practitioners: expired instead, see ``verdict_store.refresh_or_expire``)."""
    before = rule_book(session)
    version = (session.scalar(select(func.max(RuleSet.version))) or 0) + 1
    session.execute(update(RuleSet).where(RuleSet.active.is_(True)).values(active=False))
    rule_set = RuleSet(
        version=version,
        loaded_by=actor,
        filename=filename,
        checksum=checksum,
        active=True,
        note=note,
    )
    rule_set.rules = [_rule_row(i, r) for i, r in enumerate(rules)]
    session.add(rule_set)
    session.flush()
    changed = changed_jurisdictions(before.rules, rules)
    verdict_store.refresh_or_expire(session, changed, refresh_limit)
    return rule_set


def changed_jurisdictions(before: Iterable[RuleSnap], after: Iterable[RuleSnap]) -> set[str]:
    """The jurisdictions whose rules differ between two rule books."""
    old, new = defaultdict(list), defaultdict(list)
    for rules, into in ((before, old), (after, new)):
        for r in rules:
            into[r.jurisdiction].append(r)
    return {
        j
        for j in old.keys() | new.keys()
        if sorted(old[j], key=_by_id) != sorted(new[j], key=_by_id)
    }


def scoped_rules(
    session: Session, parsed: RulesFile, jurisdictions: Collection[str]
) -> list[RuleSnap]:
    """The rules a load limited to ``jurisdictions`` would activate: every rule of the file
    (which replace all active rules of those jurisdictions), then the active rules of every
    other jurisdiction, unchanged.

    Raises RulesRefused naming every problem of the file, every rule or declared jurisdiction
    outside ``jurisdictions``, every shared code it renames, and every rule id that a kept
    rule already uses."""
    allowed = set(jurisdictions)
    own = ", ".join(sorted(allowed)) or "none"
    problems = list(parsed.problems)
    problems += [
        f"jurisdictions: {code} is not one of your jurisdictions ({own})"
        for code in parsed.jurisdictions
        if code not in allowed
    ]
    problems += [
        f"rule {r.id}: jurisdiction {r.jurisdiction} is not one of your jurisdictions ({own})"
        for r in parsed.rules
        if r.jurisdiction not in allowed
    ]
    problems += _shared_renames(session, parsed)
    kept = [r for r in rule_book(session).rules if r.jurisdiction not in allowed]
    kept_ids = {r.id: r.jurisdiction for r in kept}
    problems += [
        f"rule {r.id}: id already used by a rule of {kept_ids[r.id]}; ids are unique in a rule set"
        for r in parsed.rules
        if r.id in kept_ids
    ]
    if problems:
        raise RulesRefused(problems)
    return [*parsed.rules, *kept]


SHARED = {"professions": "profession", "credential_types": "credential type"}


def _shared_renames(session: Session, parsed: RulesFile) -> list[str]:
    """A scoped file may add professions and credential types but not rename one: every
    jurisdiction's rules (and pages) share them. One problem per rename, naming its code."""
    return [
        f"{key}: {code} is named “{here}” here, not “{name}”; every jurisdiction shares this "
        f"{SHARED[key]}, so only an admin may rename it (keep “{here}” in your file)"
        for key, code, here, name in declared_changes(session, parsed)
        if key in SHARED and here is not None
    ]


def check_rules_file_scoped(
    session: Session, data: bytes, jurisdictions: Collection[str]
) -> tuple[RulesFile, list[RuleSnap]]:
    """Parse and check a file limited to ``jurisdictions``: (the file, the rules a scoped load
    would activate). Raises RulesRefused with every problem; writes nothing."""
    parsed = parse_rules_file(data, known_codes(session))
    return parsed, scoped_rules(session, parsed, jurisdictions)


def load_rules_scoped(
    session: Session,
    actor: str,
    data: bytes,
    filename: str,
    jurisdictions: Collection[str],
    note: str | None = None,
    refresh_limit: int | None = None,
) -> RuleSet:
    """A regulator's load: the file may hold rules of ``jurisdictions`` only; the new version
    is its rules plus the active rules of every other jurisdiction (see ``scoped_rules``).

    The file may add professions and credential types but not rename existing ones, which
    other jurisdictions share (refused by ``scoped_rules``). Audited as ``rules.load`` with
    the jurisdictions it replaced."""
    parsed, rules = check_rules_file_scoped(session, data, jurisdictions)
    previous = get_rule_set(session)
    if unchanged(session, rules, parsed):
        return previous
    _declare_codes(session, actor, parsed)  # shared codes: new ones only (renames refused)
    replaced = sorted(set(jurisdictions))
    label = filename
    if previous is not None:
        label = f"{filename} ({', '.join(replaced)}; others kept from v{previous.version})"
    rule_set = _new_version(
        session, actor, rules, label[:300], parsed.checksum, note, refresh_limit
    )
    audit.record(
        session,
        actor,
        "rules.load",
        "rule_set",
        rule_set.id,
        after={
            "version": rule_set.version,
            "filename": filename,
            "checksum": parsed.checksum,
            "rules": len(rules),
            "jurisdictions": replaced,
            "rules_from_file": len(parsed.rules),
            "kept_from_version": previous.version if previous else None,
            "note": note,
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
        min_years_practising=r.min_years_practising,
        requires=[item.to_dict() for item in r.requires],
        source=r.source,
        notes=r.notes,
    )
