"""Writing rules back as a rules file (CONTRACT §2), for a regulator to edit and load again.

``dump_rules`` is the inverse of ``loader.parse_rules_file``: parsing its output gives the same
rules, in the same order (a test holds the two to that).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from .model import RuleSnap

HEADER = """\
# Scope-of-practice rules, as loaded in the Needling Registry ({what}).
# Edit and upload this file on the Rules page (or `flask --app wsgi registry load-rules`):
# it is checked in full and previewed first. The format is the registry's rules file
# (docs/RULES.md); every rule needs a source, and its notes start with "Confidence: H|M|L.".
"""


class _Dumper(yaml.SafeDumper):
    """Block style, long text folded at 100 columns rather than one endless line, and never
    an anchor or alias (the loader refuses them)."""

    def ignore_aliases(self, data) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str):
    style = ">" if len(value) > 80 and " " in value and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def rule_dict(rule: RuleSnap) -> dict[str, Any]:
    """One rule as the file writes it: optional keys only when they say something."""
    out: dict[str, Any] = {
        "id": rule.id,
        "jurisdiction": rule.jurisdiction,
        "profession": rule.profession,
        "modalities": list(rule.modalities),
        "effective_from": rule.effective_from.isoformat(),
        "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
        "permitted": rule.permitted,
    }
    if rule.registration_classes is not None:
        out["registration_classes"] = list(rule.registration_classes)
    for name in ("min_years_registered", "min_years_practising"):
        if getattr(rule, name) is not None:
            out[name] = getattr(rule, name)
    if rule.requires:
        out["requires"] = [item.to_dict() for item in rule.requires]
    out["source"] = rule.source
    if rule.notes is not None:
        out["notes"] = rule.notes
    return out


def dump_rules(
    rules: Iterable[RuleSnap],
    names: Mapping[str, Mapping[str, str]],
    what: str = "every jurisdiction",
) -> str:
    """The rules as a rules file, declaring the jurisdictions, professions and credential types
    they use with their names (``names``: {"jurisdictions": {code: name}, ...})."""
    rules = list(rules)
    used = {
        "jurisdictions": sorted({r.jurisdiction for r in rules}),
        "professions": sorted({r.profession for r in rules}),
        "credential_types": sorted(
            {c for r in rules for item in r.requires for c in item.credentials}
        ),
    }
    doc: dict[str, Any] = {"version": 1}
    for key, codes in used.items():
        doc[key] = [{"code": c, "name": names.get(key, {}).get(c, c)} for c in codes]
    doc["rules"] = [rule_dict(r) for r in rules]
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(what=what) + "\n" + body


def rule_changes(before: RuleSnap, after: RuleSnap) -> list[tuple[str, Any, Any]]:
    """(key, before, after) for each key of the rules file that differs between two versions
    of one rule, in the file's order."""
    old, new = rule_dict(before), rule_dict(after)
    keys = list(dict.fromkeys([*new, *old]))
    return [(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]
