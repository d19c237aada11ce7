"""Regulators maintain their own rules: download the rules in force for their jurisdictions,
edit, upload only those, read the preview (every rule changed, every verdict that would
change and why), and confirm with a note. Loading the rules already in force changes nothing."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from registry.demo import default_rules_bytes
from registry.models import AuditEvent, RuleSet
from registry.read.rulebook import rule_book
from registry.rules.dump import dump_rules, rule_changes
from registry.rules.loader import KnownCodes, parse_rules_file
from registry.services.rulesets import DECLARED, code_names

EVERYTHING = KnownCodes(set(), set(), {"dry_needling", "ims", "acupuncture"}, set())


@pytest.fixture
def regulator(demo, make_user, login):
    user = make_user("regulator", jurisdictions=["CA-AB"])
    login(user)
    return user


def versions(session) -> int:
    return session.scalar(select(func.count()).select_from(RuleSet))


def text(response) -> str:
    return response.get_data(as_text=True)


def upload(client, data: bytes, name: str = "rules.yaml"):
    return client.post(
        "/regulator/rules/upload",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def activation_fields(preview_html: str) -> dict[str, str]:
    return dict(
        re.findall(
            r'name="(content|checksum|filename|base_version)"[^>]*value="([^"]*)"', preview_html
        )
    )


def test_a_dumped_rules_file_parses_back_to_the_same_rules():
    parsed = parse_rules_file(default_rules_bytes(), EVERYTHING)
    assert parsed.problems == []
    names = {
        "jurisdictions": parsed.jurisdictions,
        "professions": parsed.professions,
        "credential_types": parsed.credential_types,
    }
    again = parse_rules_file(dump_rules(parsed.rules, names).encode(), EVERYTHING)
    assert again.problems == []
    assert again.rules == parsed.rules


def test_a_regulator_downloads_the_rules_of_their_jurisdictions(client, regulator, session):
    response = client.get("/regulator/rules/download.yaml")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="rules-ca-ab.yaml"'
    parsed = parse_rules_file(response.data, EVERYTHING)
    assert parsed.problems == []
    ours = [r for r in rule_book(session).rules if r.jurisdiction == "CA-AB"]
    assert parsed.rules == ours and {r.jurisdiction for r in parsed.rules} == {"CA-AB"}
    assert parsed.jurisdictions == {"CA-AB": code_names(session, DECLARED[0][1])["CA-AB"]}


def test_uploading_the_rules_in_force_makes_no_new_version(client, regulator, session):
    before = versions(session)
    downloaded = client.get("/regulator/rules/download.yaml").data
    preview = text(upload(client, downloaded))
    assert "These are exactly the rules in force" in preview
    assert "Activate as a new version" not in preview
    assert versions(session) == before


def test_the_preview_shows_each_changed_field_and_every_verdict_it_would_change(
    client, regulator, session
):
    downloaded = client.get("/regulator/rules/download.yaml").data.decode()
    classes = "  registration_classes:\n  - general\n  - courtesy\n"
    edited = downloaded.replace(classes, classes + "  - provisional\n", 1)
    assert edited != downloaded
    html = text(upload(client, edited.encode()))
    assert re.search(
        r"<strong>ab-physio-needling</strong>:\s*registration classes: general, courtesy → "
        r"general, courtesy, provisional",
        html,
    )
    # the provisional intern becomes authorized for dry needling, which they declare, and for
    # IMS and acupuncture, which they do not: every modality is previewed
    row = re.search(r"<tr>(?:(?!</tr>).)*Aiko Gagnon(?:(?!</tr>).)*</tr>", html, re.S)
    assert row, html
    assert "<strong>3</strong> would become" in html
    assert "not declared" in html
    assert versions(session) == 1


def test_activation_needs_a_note_which_the_new_version_keeps(client, regulator, session):
    downloaded = client.get("/regulator/rules/download.yaml").data.decode()
    classes = "  registration_classes:\n  - general\n  - courtesy\n"
    edited = downloaded.replace(classes, classes + "  - provisional\n", 1)
    assert edited != downloaded
    preview = text(upload(client, edited.encode()))
    fields = activation_fields(preview)
    refused = client.post("/regulator/rules/activate", data=fields)
    assert refused.status_code == 400
    assert "Say what this version changes and why." in text(refused)
    assert versions(session) == 1
    note = "Follows the College's 2026 notice on course hours"
    done = client.post("/regulator/rules/activate", data=fields | {"note": note})
    assert done.status_code == 302
    active = session.scalar(select(RuleSet).where(RuleSet.active.is_(True)))
    assert (active.version, active.note) == (2, note)
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "rules.load").order_by(AuditEvent.id.desc())
    ).first()
    assert event.after["note"] == note


def test_loading_the_active_rules_again_from_the_command_line_changes_nothing(
    demo, cli, session, tmp_path
):
    path = tmp_path / "default_rules.yaml"
    path.write_bytes(default_rules_bytes())
    before = versions(session)
    result = cli("registry", "load-rules", str(path))
    assert result.exit_code == 0 and "rules unchanged: version" in result.output
    assert versions(session) == before
    assert "default rules loaded" not in cli("registry", "seed-demo").output


def test_rule_changes_name_each_key_that_differs():
    parsed = parse_rules_file(default_rules_bytes(), EVERYTHING)
    rule = next(r for r in parsed.rules if r.id == "ab-physio-needling")
    from dataclasses import replace

    later = replace(rule, registration_classes=("general",), notes="shorter")
    assert [k for k, _, _ in rule_changes(rule, later)] == ["registration_classes", "notes"]


def test_no_rule_on_file_says_what_was_searched(client, demo):
    html = text(client.get("/practitioners/CA-BC/massage_therapist/BC-1003"))
    assert "<strong>No rule on file:</strong>" in html
    assert "What was looked for: The massage therapists&#39; scope" in html
    body = client.get("/api/v1/practitioners/CA-BC/massage_therapist/BC-1003").get_json()
    assert body["modalities"][0]["no_rule_note"].startswith("The massage therapists' scope")


def test_the_no_rule_notes_restate_the_rules_guide():
    """``coverage_notes.yaml`` is docs/RULES.md section 6 as data: the same rows."""
    from pathlib import Path

    from registry.read.coverage import _notes

    guide = (Path(__file__).parents[1] / "docs" / "RULES.md").read_text(encoding="utf-8")
    section = guide.split("## 6. Left out: no rule on file", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| (CA-\w\w|US-\w\w) \| (\w+) \| ([^|]+) \| (.+) \|$", section, re.M)
    spelled = {"all": ("dry_needling", "ims", "acupuncture"), "DN": ("dry_needling",)}
    spelled |= {"IMS": ("ims",), "acupuncture": ("acupuncture",)}
    from_guide = {
        (j, p, m): note.strip()
        for j, p, mods, note in rows
        for part in mods.split(",")
        for m in spelled[part.strip()]
    }
    assert from_guide == _notes()


def test_a_regulator_may_not_rename_a_profession_every_jurisdiction_shares(
    client, regulator, session
):
    downloaded = client.get("/regulator/rules/download.yaml").data.decode()
    renamed = downloaded.replace("name: Physiotherapist / physical therapist", "name: Physio", 1)
    assert renamed != downloaded
    refused = upload(client, renamed.encode())
    assert refused.status_code == 400
    problem = (
        "professions: physiotherapist is named “Physiotherapist / physical therapist” here, "
        "not “Physio”; every jurisdiction shares this profession, so only an admin may rename "
        "it (keep “Physiotherapist / physical therapist” in your file)"
    )
    assert problem in text(refused)
    assert "These are exactly the rules in force" not in text(refused)
    # posting the activation anyway is refused the same way: no silent new version
    import base64
    import hashlib

    fields = {
        "content": base64.b64encode(renamed.encode()).decode(),
        "checksum": hashlib.sha256(renamed.encode()).hexdigest(),
        "filename": "rules.yaml",
        "base_version": "1",
        "note": "Shorter name",
    }
    again = client.post("/regulator/rules/activate", data=fields)
    assert again.status_code == 400 and problem in text(again)
    assert versions(session) == 1
    names = code_names(session, DECLARED[1][1])
    assert names["physiotherapist"] == "Physiotherapist / physical therapist"


def test_the_preview_calls_a_file_identical_only_when_loading_it_would_make_no_version(
    client, regulator, session
):
    downloaded = client.get("/regulator/rules/download.yaml").data.decode()
    renamed = downloaded.replace("name: Alberta", "name: Alberta (Canada)", 1)
    assert renamed != downloaded
    preview = text(upload(client, renamed.encode()))
    assert "These are exactly the rules in force" not in preview
    assert "Codes declared: jurisdiction CA-AB renamed “Alberta” → “Alberta (Canada)”" in preview
    fields = activation_fields(preview)
    done = client.post("/regulator/rules/activate", data=fields | {"note": "Official name"})
    assert done.status_code == 302
    assert versions(session) == 2
    assert code_names(session, DECLARED[0][1])["CA-AB"] == "Alberta (Canada)"
