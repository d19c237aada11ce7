"""Why there is no rule: the default rules' notes on what was searched for each jurisdiction,
profession and modality they leave out (``rules/coverage_notes.yaml``, restating
docs/RULES.md section 6), shown next to "No rule on file"."""

from __future__ import annotations

import functools
from importlib import resources

import yaml

NOTES_FILE = "coverage_notes.yaml"


@functools.cache
def _notes() -> dict[tuple[str, str, str], str]:
    text = resources.files("registry.rules").joinpath(NOTES_FILE).read_text(encoding="utf-8")
    found = {}
    for entry in yaml.safe_load(text)["notes"]:
        for modality in entry["modalities"]:
            found[(entry["jurisdiction"], entry["profession"], modality)] = entry["note"]
    return found


def no_rule_note(jurisdiction: str, profession: str, modality: str) -> str | None:
    """What was searched for this combination, when the default rules leave it out."""
    return _notes().get((jurisdiction, profession, modality))
