"""Reading and checking a rules file (CONTRACT §2) without touching the database.

``parse_rules_file`` checks all of it and returns either the parsed file or every problem,
each with where it is (``rules[3] bc-physio-dn: effective_from: ...``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from .model import Requirement, RuleSnap

TOP_KEYS = {"version", "jurisdictions", "professions", "credential_types", "rules"}
RULE_REQUIRED = {
    "id",
    "jurisdiction",
    "profession",
    "modalities",
    "effective_from",
    "permitted",
    "source",
}
RULE_OPTIONAL = {
    "effective_to",
    "registration_classes",
    "min_years_registered",
    "min_years_practising",
    "requires",
    "notes",
}
CODE_LENGTH = {"jurisdictions": 10, "professions": 50, "credential_types": 50}
NAME_LENGTH = 100
ID_LENGTH, SOURCE_LENGTH = 100, 500
ITEM_KEYS = {
    "credential",
    "min_hours",
    "min_in_person_hours",
    "min_sessions",
    "within_months",
    "issuers",
    "verified",
}


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so an impossible date is our error to report."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class KnownCodes:
    jurisdictions: set[str]
    professions: set[str]
    modalities: set[str]
    credential_types: set[str]


@dataclass
class RulesFile:
    checksum: str
    jurisdictions: dict[str, str] = field(default_factory=dict)
    professions: dict[str, str] = field(default_factory=dict)
    credential_types: dict[str, str] = field(default_factory=dict)
    rules: list[RuleSnap] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_rules_file(data: bytes, known: KnownCodes) -> RulesFile:
    """Parse and check a whole rules file; ``problems`` is empty when it may be loaded."""
    result = RulesFile(checksum=hashlib.sha256(data).hexdigest())
    try:
        doc = yaml.load(data.decode("utf-8"), Loader=_Loader)  # noqa: S506 (safe loader subclass)
    except UnicodeDecodeError:
        result.problems.append("the file is not UTF-8 text")
        return result
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        result.problems.append(f"{where}not valid YAML ({getattr(exc, 'problem', exc)})")
        return result
    if not isinstance(doc, dict):
        result.problems.append("the file must be a mapping with a 'rules' list")
        return result
    _check_top(doc, result)
    codes = KnownCodes(
        known.jurisdictions | set(result.jurisdictions),
        known.professions | set(result.professions),
        known.modalities,
        known.credential_types | set(result.credential_types),
    )
    rules = doc.get("rules")
    if not isinstance(rules, list):
        result.problems.append("rules: must be a list")
        return result
    seen: dict[str, int] = {}
    for index, raw in enumerate(rules):
        rule = _check_rule(index, raw, codes, seen, result.problems)
        if rule is not None:
            result.rules.append(rule)
    result.problems += overlaps(result.rules)
    return result


def _check_top(doc: dict[str, Any], result: RulesFile) -> None:
    for key in doc:
        if key not in TOP_KEYS:
            result.problems.append(f"unknown top-level key '{key}'")
    if doc.get("version") != 1:
        result.problems.append(f"version: must be 1, not {doc.get('version')!r}")
    for key in ("jurisdictions", "professions", "credential_types"):
        entries = doc.get(key) or []
        if not isinstance(entries, list):
            result.problems.append(f"{key}: must be a list of {{code, name}}")
            continue
        target = getattr(result, key)
        for i, entry in enumerate(entries):
            if (
                not isinstance(entry, dict)
                or set(entry) != {"code", "name"}
                or not all(isinstance(entry[k], str) and entry[k].strip() for k in ("code", "name"))
            ):
                result.problems.append(f"{key}[{i}]: must have exactly a code and a name")
                continue
            if len(entry["code"]) > CODE_LENGTH[key] or len(entry["name"]) > NAME_LENGTH:
                result.problems.append(
                    f"{key}[{i}]: code at most {CODE_LENGTH[key]} and name at most "
                    f"{NAME_LENGTH} characters"
                )
                continue
            if entry["code"] in target:
                result.problems.append(f"{key}[{i}]: code '{entry['code']}' declared twice")
            target[entry["code"]] = entry["name"]


def _check_rule(index, raw, codes: KnownCodes, seen, problems) -> RuleSnap | None:
    where = f"rules[{index}]"
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    if isinstance(raw.get("id"), str):
        where += f" {raw['id']}"
    errors: list[str] = []
    for key in sorted(RULE_REQUIRED - set(raw)):
        errors.append(f"missing '{key}'")
    for key in sorted(set(raw) - RULE_REQUIRED - RULE_OPTIONAL):
        errors.append(f"unknown key '{key}'")
    rule_id = raw.get("id")
    if "id" in raw and (not isinstance(rule_id, str) or not rule_id.strip()):
        errors.append("id: must be text")
    elif isinstance(rule_id, str):
        if len(rule_id) > ID_LENGTH:
            errors.append(f"id: at most {ID_LENGTH} characters")
        if rule_id in seen:
            errors.append(f"duplicate id (also rules[{seen[rule_id]}])")
        seen.setdefault(rule_id, index)
    values = _check_fields(raw, codes, errors)
    problems += [f"{where}: {e}" for e in errors]
    if errors:
        return None
    return RuleSnap(id=rule_id, **values)


def _check_fields(raw, codes: KnownCodes, errors: list[str]) -> dict[str, Any]:
    v: dict[str, Any] = {}
    v["jurisdiction"] = _code(raw, "jurisdiction", codes.jurisdictions, errors)
    v["profession"] = _code(raw, "profession", codes.professions, errors)
    mods = raw.get("modalities")
    if "modalities" in raw:
        if not isinstance(mods, list) or not mods:
            errors.append("modalities: must be a non-empty list")
        else:
            errors += [
                f"modalities: unknown modality '{m}'" for m in mods if m not in codes.modalities
            ]
            if len(set(map(str, mods))) != len(mods):
                errors.append("modalities: listed twice")
        v["modalities"] = tuple(mods or ())
    v["effective_from"] = _date(raw, "effective_from", errors)
    v["effective_to"] = _date(raw, "effective_to", errors) if raw.get("effective_to") else None
    start, end = v["effective_from"], v["effective_to"]
    if start and end and end < start:
        errors.append(f"effective_to {end} is before effective_from {start}")
    if "permitted" in raw and not isinstance(raw["permitted"], bool):
        errors.append("permitted: must be true or false")
    v["permitted"] = raw.get("permitted") is True
    v["registration_classes"] = _classes(raw, errors)
    v["min_years_registered"] = _number(raw, "min_years_registered", errors, whole=True)
    v["min_years_practising"] = _number(raw, "min_years_practising", errors, whole=True)
    v["requires"] = _requires(raw.get("requires"), codes, errors)
    source = raw.get("source")
    if "source" in raw and (not isinstance(source, str) or not source.strip()):
        errors.append("source: must say where the rule comes from")
    elif isinstance(source, str) and len(source) > SOURCE_LENGTH:
        errors.append(f"source: at most {SOURCE_LENGTH} characters")
    v["source"] = source
    notes = raw.get("notes")
    v["notes"] = None if notes is None else str(notes)
    return v


def _code(raw, key, known, errors) -> str | None:
    value = raw.get(key)
    if key in raw and value not in known:
        errors.append(f"{key}: unknown code '{value}'")
    return value


def _date(raw, key, errors) -> date | None:
    value = raw.get(key)
    if key not in raw:
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.append(f"{key}: impossible or badly written date {value!r} (expected YYYY-MM-DD)")
    return None


def _classes(raw, errors) -> tuple[str, ...] | None:
    classes = raw.get("registration_classes")
    if classes is None:
        return None
    if (
        not isinstance(classes, list)
        or not classes
        or not all(isinstance(c, str) and c.strip() for c in classes)
    ):
        errors.append("registration_classes: must be a non-empty list of class names")
        return None
    return tuple(c.lower() for c in classes)


def _number(raw, key, errors, whole=False, positive=False):
    value = raw.get(key)
    if value is None:
        return None
    kinds = (int,) if whole else (int, float)
    if (
        isinstance(value, bool)
        or not isinstance(value, kinds)
        or value < 0
        or (positive and value == 0)
    ):
        kind = "whole number" if whole else "number"
        errors.append(f"{key}: must be a {'positive' if positive else 'non-negative'} {kind}")
        return None
    return value


def _requires(items, codes: KnownCodes, errors: list[str]) -> tuple[Requirement, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        errors.append("requires: must be a list")
        return ()
    out = []
    for i, item in enumerate(items):
        before = len(errors)
        sub: list[str] = []
        req = _requirement(item, codes, sub)
        errors += [f"requires[{i}]: {e}" for e in sub]
        if req is not None and len(errors) == before:
            out.append(req)
    return tuple(out)


def _requirement(item, codes: KnownCodes, errors: list[str]) -> Requirement | None:
    if not isinstance(item, dict) or "credential" not in item:
        errors.append("must be a mapping with a 'credential'")
        return None
    errors += [f"unknown key '{k}'" for k in sorted(set(item) - ITEM_KEYS)]
    creds = item["credential"]
    creds = [creds] if isinstance(creds, str) else creds
    if not isinstance(creds, list) or not creds or not all(isinstance(c, str) for c in creds):
        errors.append("credential: must be a credential type or a list of them")
        return None
    errors += [
        f"credential: unknown credential type '{c}'"
        for c in creds
        if c not in codes.credential_types
    ]
    for key in ("min_hours", "min_in_person_hours"):
        _number(item, key, errors)
    _number(item, "min_sessions", errors, whole=True)
    _number(item, "within_months", errors, whole=True, positive=True)
    issuers = item.get("issuers")
    if issuers is not None and (
        not isinstance(issuers, list)
        or not issuers
        or not all(isinstance(s, str) and s.strip() for s in issuers)
    ):
        errors.append("issuers: must be a non-empty list of names")
    if "verified" in item and not isinstance(item["verified"], bool):
        errors.append("verified: must be true or false")
    return None if errors else Requirement.from_dict(item | {"credential": creds})


def overlaps(rules: list[RuleSnap]) -> list[str]:
    """Two rules for the same jurisdiction, profession and modality whose ranges overlap."""
    by_key: dict[tuple[str, str, str], list[RuleSnap]] = {}
    for rule in rules:
        for modality in rule.modalities:
            by_key.setdefault((rule.jurisdiction, rule.profession, modality), []).append(rule)
    problems = []
    for (j, p, m), group in sorted(by_key.items()):
        group.sort(key=lambda r: r.effective_from)
        pairs = [(a, b) for i, a in enumerate(group) for b in group[i + 1 :]]
        for a, b in pairs:
            if a.effective_to is None or a.effective_to >= b.effective_from:
                problems.append(
                    f"rules {a.id} and {b.id} overlap for {j} / {p} / {m} "
                    f"({_span(a)} and {_span(b)})"
                )
    return problems


def _span(rule: RuleSnap) -> str:
    return f"{rule.effective_from} to {rule.effective_to or 'open-ended'}"
