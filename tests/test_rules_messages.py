"""The rules file's messages, word for word. Each case's expected problems were written by
the hand-written loader that the schema-based one replaced (``rules.fileschema``), and must
stay as they are: regulators, their tools and our docs quote them."""

from __future__ import annotations

import pytest
import yaml

from registry.rules.loader import KnownCodes, parse_rules_file

DROP = object()  # a key left out
HEAD = {
    "version": 1,
    "jurisdictions": [{"code": "CA-YT", "name": "Yukon"}],
    "professions": [],
    "credential_types": [{"code": "needle_safety", "name": "Needle safety"}],
}
BASE = {
    "id": "yt-dn",
    "jurisdiction": "CA-YT",
    "profession": "physiotherapist",
    "modalities": ["dry_needling"],
    "effective_from": "2020-01-01",
    "permitted": True,
    "requires": [{"credential": "needle_safety", "min_hours": 10}],
    "source": "https://yt.example/rule",
}
RULE_CASES = [
    ("a sound rule", {}, []),
    (
        "wrong kinds",
        {"id": 7, "permitted": "yes", "modalities": "dry_needling", "notes": 5},
        [
            "rules[0]: id: must be text",
            "rules[0]: modalities: must be a non-empty list",
            "rules[0]: permitted: must be true or false",
        ],
    ),
    (
        "empty and blank values",
        {"modalities": [], "registration_classes": [], "source": " "},
        [
            "rules[0] yt-dn: modalities: must be a non-empty list",
            "rules[0] yt-dn: registration_classes: must be a non-empty list of class names",
            "rules[0] yt-dn: source: must say where the rule comes from",
        ],
    ),
    (
        "impossible dates",
        {"effective_from": "2021-02-30", "effective_to": "2019-13-01"},
        [
            "rules[0] yt-dn: effective_from: impossible or badly written date '2021-02-30' (expected "
            "YYYY-MM-DD)",
            "rules[0] yt-dn: effective_to: impossible or badly written date '2019-13-01' (expected "
            "YYYY-MM-DD)",
        ],
    ),
    (
        "dates out of order",
        {"effective_to": "2019-12-31"},
        ["rules[0] yt-dn: effective_to 2019-12-31 is before effective_from 2020-01-01"],
    ),
    (
        "a date is YYYY-MM-DD text",
        {"effective_from": "2021-W01-1", "effective_to": "2021-01-01T00:00:00"},
        [
            "rules[0] yt-dn: effective_to: impossible or badly written date '2021-01-01T00:00:00' "
            "(expected YYYY-MM-DD)"
        ],
    ),
    ("an empty end is open-ended", {"effective_to": ""}, []),
    (
        "whole numbers",
        {"min_years_registered": -1, "min_years_practising": 1.5},
        [
            "rules[0] yt-dn: min_years_registered: must be a non-negative whole number",
            "rules[0] yt-dn: min_years_practising: must be a non-negative whole number",
        ],
    ),
    (
        "a boolean is no number",
        {"min_years_registered": True},
        ["rules[0] yt-dn: min_years_registered: must be a non-negative whole number"],
    ),
    (
        "too long",
        {
            "id": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "source": "https://yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
        },
        [
            "rules[0] "
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx: "
            "id: at most 100 characters",
            "rules[0] "
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx: "
            "source: at most 500 characters",
        ],
    ),
    (
        "unknown codes",
        {
            "jurisdiction": "CA-ZZ",
            "profession": "astronaut",
            "modalities": ["cupping", "ims", "cupping"],
        },
        [
            "rules[0] yt-dn: jurisdiction: unknown code 'CA-ZZ'",
            "rules[0] yt-dn: profession: unknown code 'astronaut'",
            "rules[0] yt-dn: modalities: unknown modality 'cupping'",
            "rules[0] yt-dn: modalities: unknown modality 'cupping'",
            "rules[0] yt-dn: modalities: listed twice",
        ],
    ),
    (
        "requirement items",
        {
            "requires": [
                {
                    "credential": ["pilot_licence", "needle_safety"],
                    "min_hours": -3,
                    "within_months": 0,
                    "min_sessions": 1.5,
                },
                {"credential": "needle_safety", "issuers": [], "verified": "no", "colour": "red"},
                {"min_hours": 3, "colour": "red"},
                "just text",
                {"credential": [], "colour": "red", "min_hours": -1},
            ]
        },
        [
            "rules[0] yt-dn: requires[0]: credential: unknown credential type 'pilot_licence'",
            "rules[0] yt-dn: requires[0]: min_hours: must be a non-negative number",
            "rules[0] yt-dn: requires[0]: min_sessions: must be a non-negative whole number",
            "rules[0] yt-dn: requires[0]: within_months: must be a positive whole number",
            "rules[0] yt-dn: requires[1]: unknown key 'colour'",
            "rules[0] yt-dn: requires[1]: issuers: must be a non-empty list of names",
            "rules[0] yt-dn: requires[1]: verified: must be true or false",
            "rules[0] yt-dn: requires[2]: must be a mapping with a 'credential'",
            "rules[0] yt-dn: requires[3]: must be a mapping with a 'credential'",
            "rules[0] yt-dn: requires[4]: unknown key 'colour'",
            "rules[0] yt-dn: requires[4]: credential: must be a credential type or a list of them",
        ],
    ),
    (
        "requires is a list",
        {"requires": "needle_safety"},
        ["rules[0] yt-dn: requires: must be a list"],
    ),
    (
        "missing and unknown keys",
        {
            "profession": DROP,
            "source": DROP,
            "permitted": DROP,
            "colour": "blue",
            "flavour": "mint",
        },
        [
            "rules[0] yt-dn: missing 'permitted'",
            "rules[0] yt-dn: missing 'profession'",
            "rules[0] yt-dn: missing 'source'",
            "rules[0] yt-dn: unknown key 'colour'",
            "rules[0] yt-dn: unknown key 'flavour'",
        ],
    ),
]
FILE_CASES = [
    (
        "not YAML",
        "rules: [",
        ["line 1: not valid YAML (expected the node content, but found '<stream end>')"],
    ),
    ("not a mapping", "- just a list", ["the file must be a mapping with a 'rules' list"]),
    ("no rules", "version: 1\n", ["rules: must be a list"]),
    (
        "the top level",
        "version: 2\n"
        "flavour: x\n"
        "jurisdictions: [{code: CA-YT}, {code: CA-YTXXXXXXXX, name: Yukon}, {code: CA-YT, name: "
        "Yukon}, {code: CA-YT, name: Again}]\n"
        "professions: nope\n"
        "credential_types: [{code: ' ', name: x}]\n"
        "rules: {}\n",
        [
            "unknown top-level key 'flavour'",
            "version: must be 1, not 2",
            "jurisdictions[0]: must have exactly a code and a name",
            "jurisdictions[1]: code at most 10 and name at most 100 characters",
            "jurisdictions[3]: code 'CA-YT' declared twice",
            "professions: must be a list of {code, name}",
            "credential_types[0]: must have exactly a code and a name",
            "rules: must be a list",
        ],
    ),
]
OVERLAP = [
    "rules yt-dn and yt-dn-2 overlap for CA-YT / physiotherapist / dry_needling (2020-01-01 to open-ended and 2021-06-01 to open-ended)"
]


def problems(text: str) -> list[str]:
    known = KnownCodes(
        {"CA-AB"}, {"physiotherapist"}, {"dry_needling", "ims", "acupuncture"}, set()
    )
    return parse_rules_file(text.encode(), known).problems


class WrittenOut(yaml.SafeDumper):
    """Each value written out: a list two rules share is not dumped as an alias."""

    def ignore_aliases(self, data) -> bool:
        return True


def rules_file(*rules: dict) -> str:
    return yaml.dump(HEAD | {"rules": list(rules)}, Dumper=WrittenOut, sort_keys=False)


@pytest.mark.parametrize(
    ("case", "changes", "expected"), RULE_CASES, ids=[c[0] for c in RULE_CASES]
)
def test_a_rule_s_problems_are_worded_as_before(case, changes, expected):
    rule = {k: v for k, v in (BASE | changes).items() if v is not DROP}
    assert problems(rules_file(rule)) == expected


@pytest.mark.parametrize(("case", "text", "expected"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_a_file_s_problems_are_worded_as_before(case, text, expected):
    assert problems(text) == expected


def test_overlapping_rules_are_worded_as_before():
    later = BASE | {"id": "yt-dn-2", "effective_from": "2021-06-01"}
    assert problems(rules_file(BASE, later)) == OVERLAP
