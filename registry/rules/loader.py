"""Reading and checking a rules file (CONTRACT §2) without touching the database.

``parse_rules_file`` checks all of it and returns either the parsed file or every problem,
each with where it is (``rules[3] bc-physio-dn: effective_from: ...``). The shape of the file
is declared once, as pydantic models (``rules.fileschema``): types, required and unknown keys,
lengths, codes known here, dates written as text. What no single rule can say is checked
here: duplicate ids, a modality listed twice, dates out of order, codes declared twice and
rules that overlap. The YAML itself is read with no aliases or anchors (a few hundred bytes
of nested aliases expand to gigabytes) and no timestamps (a date is our text to check).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from . import fileschema as schema
from .fileschema import KnownCodes, parse_day, printable
from .model import Requirement, RuleSnap

__all__ = ["KnownCodes", "RulesFile", "overlaps", "parse_rules_file"]
M = TypeVar("M", bound=BaseModel)
NO_ALIASES = "YAML anchors and aliases (&name, *name) are not allowed in a rules file"


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so an impossible date is our error to report,
    and refuses anchors and aliases before anything is expanded."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(None, None, NO_ALIASES, event.start_mark)
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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
    doc, problem = _read(data)
    if problem is not None:
        result.problems.append(problem)
        return result
    if not isinstance(doc, dict):
        result.problems.append("the file must be a mapping with a 'rules' list")
        return result
    rules_listed = _header(doc, result)
    codes = KnownCodes(
        known.jurisdictions | set(result.jurisdictions),
        known.professions | set(result.professions),
        known.modalities,
        known.credential_types | set(result.credential_types),
    )
    if not rules_listed:
        return result
    seen: dict[str, int] = {}
    for index, raw in enumerate(doc["rules"]):
        rule = _rule(index, raw, codes, seen, result.problems)
        if rule is not None:
            result.rules.append(rule)
    result.problems += overlaps(result.rules)
    return result


def _read(data: bytes) -> tuple[Any, str | None]:
    try:
        text = data.decode("utf-8")
        return yaml.load(text, Loader=_Loader), None  # noqa: S506 (safe loader subclass)
    except UnicodeDecodeError:
        return None, "the file is not UTF-8 text"
    except yaml.reader.ReaderError as exc:  # a character YAML refuses anywhere, NUL among them
        line = text[: exc.position].count("\n") + 1
        return None, f"line {line}: not valid YAML (character #x{exc.character:04x}: {exc.reason})"
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        if getattr(exc, "problem", None) == NO_ALIASES:
            return None, where + NO_ALIASES
        return None, printable(f"{where}not valid YAML ({getattr(exc, 'problem', exc)})")


def _header(doc: dict, result: RulesFile) -> bool:
    """Check the top-level keys and take the declared codes; False when ``rules`` is not a
    list, the one problem there that stops the check."""
    _, found = _validate(schema.Header, doc, None)
    for key in schema.DECLARED:
        entries, target = doc.get(key), getattr(result, key)
        for i, entry in enumerate(entries if isinstance(entries, list) else ()):
            if any(place[:2] == schema.at(schema.Header, key, i) for place, _ in found):
                continue  # refused, so not declared
            if entry["code"] in target:
                where = (*schema.at(schema.Header, key, i), schema.LATER)
                found.append((where, f"{key}[{i}]: code '{entry['code']}' declared twice"))
            target[entry["code"]] = entry["name"]
    result.problems += schema.in_order(found)
    return not any(place[:1] == schema.at(schema.Header, "rules") for place, _ in found)


def _rule(index: int, raw: Any, codes: KnownCodes, seen: dict, problems: list) -> RuleSnap | None:
    where = f"rules[{index}]"
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        where += f" {printable(raw['id'])}"
    entry, found = _validate(schema.RuleEntry, raw, codes)
    if isinstance(raw, dict):
        found += _across(index, raw, seen)
    problems += [f"{where}: {words}" for words in schema.in_order(found)]
    if found or entry is None:
        return None
    return RuleSnap(
        **_frozen(entry.model_dump(exclude={"requires"})),
        requires=tuple(Requirement(**_frozen(item.model_dump())) for item in entry.requires or ()),
    )


def _frozen(values: dict[str, Any]) -> dict[str, Any]:
    """A validated entry's values as the engine's frozen snapshots hold them (tuples)."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}


def _validate(model: type[M], raw: Any, codes: KnownCodes | None) -> tuple[M | None, list]:
    try:
        return model.model_validate(raw, context=codes), []
    except ValidationError as exc:
        return None, schema.problems(model, exc)


def _across(index: int, raw: dict, seen: dict[str, int]) -> list[tuple[tuple, str]]:
    """What a rule's fields say only together, or with the rules before it."""
    found = []
    rule_id = raw.get("id")
    if isinstance(rule_id, str) and rule_id.strip():
        if rule_id in seen:
            where = (*schema.at(schema.RuleEntry, "id"), schema.LATER)
            found.append((where, f"duplicate id (also rules[{seen[rule_id]}])"))
        seen.setdefault(rule_id, index)
    mods = raw.get("modalities")
    if isinstance(mods, list) and mods and len(set(map(str, mods))) != len(mods):
        found.append(
            ((*schema.at(schema.RuleEntry, "modalities"), schema.LATER), "modalities: listed twice")
        )
    start, end = parse_day(raw.get("effective_from")), parse_day(raw.get("effective_to"))
    if start and end and end < start:
        where = (*schema.at(schema.RuleEntry, "effective_to"), schema.LATER)
        found.append((where, f"effective_to {end} is before effective_from {start}"))
    return found


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
