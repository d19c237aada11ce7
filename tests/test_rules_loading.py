"""Loading rules files: whole-file validation, versions, listing and impact previews."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry.models import AuditEvent, RuleSet

FIXTURES = Path(__file__).parent / "fixtures"
RULES_V1 = str(FIXTURES / "rules_v1.yaml")
PEOPLE = """
jurisdiction,profession,registration_number,given_name,family_name,registration_status,registered_since,registration_class,modalities
CA-AB,physiotherapist,AB-1,Jane,Roe,active,2015-01-01,general,dry_needling
US-WA,physiotherapist,WA-1,Wes,Tan,active,2010-01-01,general,dry_needling
"""
CREDS = """
jurisdiction,profession,registration_number,credential_type,issuer,issued_on,hours,verified
CA-AB,physiotherapist,AB-1,needling_authorization,CPTA,2022-01-10,,true
CA-AB,physiotherapist,AB-1,dry_needling_course,Acupuncture Canada,2021-05-01,45,false
US-WA,physiotherapist,WA-1,needling_authorization,Washington Board,2024-07-01,,true
"""


def write_yaml(tmp_path, text: str) -> str:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    return str(path)


@pytest.fixture
def loaded(cli):
    result = cli("registry", "load-rules", RULES_V1)
    assert result.exit_code == 0, result.stderr
    return result


def test_load_makes_an_active_version_with_checksum(loaded, session):
    assert "rule set version 1 active: 3 rules" in loaded.output
    rs = session.scalars(select(RuleSet)).one()
    assert rs.active and len(rs.checksum) == 64 and rs.loaded_by.startswith("cli")
    assert session.scalar(select(func.count()).where(AuditEvent.action == "rules.load")) == 1


def test_a_second_load_supersedes_but_keeps_the_first(loaded, cli, tmp_path, session):
    text = (FIXTURES / "rules_v1.yaml").read_text().replace("min_hours: 40", "min_hours: 80")
    result = cli("registry", "load-rules", write_yaml(tmp_path, text))
    assert "version 2 active" in result.output
    versions = {rs.version: rs.active for rs in session.scalars(select(RuleSet))}
    assert versions == {1: False, 2: True}
    old = cli("registry", "rules", "--version", "1")
    assert "rule set version 1 (inactive)" in old.output and "40 h" in old.output
    assert "80 h" in cli("registry", "rules").output


def test_rules_lists_the_active_rules_with_sources(loaded, cli):
    out = cli("registry", "rules", "--jurisdiction", "us-wa").output
    assert "wa-pt-dn-endorsement" in out and "ab-physio-needling" not in out
    assert "source: https://app.leg.wa.gov/wac/default.aspx?cite=246-915-540" in out
    assert "not permitted" in out


BAD_RULES = """
version: 1
rules:
  - id: a
    jurisdiction: CA-ZZ
    profession: physiotherapist
    modalities: [dry_needling, cupping]
    effective_from: 2021-02-30
    permitted: yes please
    source: https://example.org
  - id: a
    jurisdiction: CA-AB
    profession: physiotherapist
    modalities: [dry_needling]
    effective_from: 2020-01-01
    permitted: true
    colour: blue
    requires:
      - credential: [pilot_licence]
        min_hours: -3
        within_months: 0
  - id: b
    jurisdiction: CA-AB
    profession: physiotherapist
    modalities: [ims]
    effective_from: 2020-01-01
    effective_to: 2022-12-31
    permitted: true
    source: https://example.org
  - id: c
    jurisdiction: CA-AB
    profession: physiotherapist
    modalities: [ims, acupuncture]
    effective_from: 2022-12-31
    permitted: true
    source: https://example.org
  - id: d
    jurisdiction: CA-AB
    profession: physiotherapist
    modalities: [acupuncture]
    effective_from: 2020-01-01
    effective_to: 2019-01-01
    permitted: true
    source: https://example.org
"""


def test_a_bad_rules_file_names_every_problem_and_writes_nothing(cli, tmp_path, session):
    result = cli("registry", "load-rules", write_yaml(tmp_path, BAD_RULES))
    assert result.exit_code == 1
    err = result.stderr
    for expected in [
        "rules[0] a: jurisdiction: unknown code 'CA-ZZ'",
        "rules[0] a: modalities: unknown modality 'cupping'",
        "rules[0] a: effective_from: impossible or badly written date '2021-02-30'",
        "rules[0] a: permitted: must be true or false",
        "rules[1] a: missing 'source'",
        "rules[1] a: unknown key 'colour'",
        "rules[1] a: duplicate id (also rules[0])",
        "rules[1] a: requires[0]: credential: unknown credential type 'pilot_licence'",
        "rules[1] a: requires[0]: min_hours: must be a non-negative number",
        "rules[1] a: requires[0]: within_months: must be a positive whole number",
        "rules[4] d: effective_to 2019-01-01 is before effective_from 2020-01-01",
        "rules b and c overlap for CA-AB / physiotherapist / ims",
        "nothing was written",
    ]:
        assert expected in err, expected
    assert session.scalar(select(func.count()).select_from(RuleSet)) == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("rules: [", "not valid YAML"),
        ("- just a list", "must be a mapping"),
        ("version: 2\nrules: []", "version: must be 1"),
        ("version: 1\nrules: {}", "rules: must be a list"),
        ("version: 1\nflavour: x\nrules: []", "unknown top-level key 'flavour'"),
    ],
)
def test_malformed_files_are_refused(cli, tmp_path, text, problem):
    result = cli("registry", "load-rules", write_yaml(tmp_path, text))
    assert result.exit_code == 1 and problem in result.stderr


def test_rules_may_declare_new_codes(cli, tmp_path, session):
    text = """
version: 1
jurisdictions: [{code: CA-YT, name: Yukon}]
professions: [{code: podiatrist, name: Podiatrist}]
credential_types: [{code: needle_safety, name: Needle safety}]
rules:
  - id: yt-pod
    jurisdiction: CA-YT
    profession: podiatrist
    modalities: [dry_needling]
    effective_from: 2020-01-01
    permitted: true
    requires: [{credential: needle_safety}]
    source: https://example.org
"""
    assert cli("registry", "load-rules", write_yaml(tmp_path, text)).exit_code == 0
    assert "yt-pod" in cli("registry", "rules").output


def test_impact_previews_without_activating(loaded, cli, write_csv, tmp_path, session):
    cli("registry", "import-practitioners", write_csv(PEOPLE))
    cli("registry", "import-credentials", write_csv(CREDS))
    stricter = (
        (FIXTURES / "rules_v1.yaml")
        .read_text()
        .replace(
            "effective_from: 2024-06-22\n    permitted: true",
            "effective_from: 2024-06-22\n    permitted: false",
        )
    )
    path = write_yaml(tmp_path, stricter)
    result = cli("registry", "rules-impact", path, "--as-of", "2026-11-21", "--format", "json")
    changes = json.loads(result.output)["changes"]
    wes = {
        "jurisdiction": "US-WA",
        "profession": "physiotherapist",
        "registration_number": "WA-1",
        "name": "Wes Tan",
        "change": "loses",
        "before": "authorized",
        "after": "not_authorized",
        "before_rule": "wa-pt-dn-endorsement",
        "after_rule": "wa-pt-dn-endorsement",
        "why": "outside this profession's scope of practice here",
    }
    # every modality the rule covers, whether or not Wes Tan declares it
    assert changes == [
        wes | {"modality": "dry_needling", "declared": True},
        wes | {"modality": "ims", "declared": False},
    ]
    assert session.scalar(select(func.count()).select_from(RuleSet)) == 1
    table = cli("registry", "rules-impact", path, "--as-of", "2026-11-21").output
    assert "0 would gain and 2 would lose" in table and "nothing activated" in table


def test_impact_refuses_bad_arguments(loaded, cli):
    assert "--as-of" in cli("registry", "rules-impact", RULES_V1, "--as-of", "tomorrow").stderr
    assert cli("registry", "rules-impact", "/nope.yaml").exit_code == 1
