"""What a rules file may not hold, refused wherever a rules file is read (the upload's preview,
its activation, `load-rules` and `rules-impact`), with the place named: YAML anchors and
aliases (an alias bomb expands a few hundred bytes into gigabytes), control characters in any
text, and a source that is not a web address. Sources already stored are shown as links only
when they are web addresses."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import time

import pytest
from sqlalchemy import select, update

from registry.models import Rule, RuleSet
from registry.rules.loader import NO_ALIASES, KnownCodes, parse_rules_file

EVERYTHING = KnownCodes(set(), set(), {"dry_needling", "ims", "acupuncture"}, set())
RULE = """\
version: 1
jurisdictions: [{code: CA-AB, name: Alberta}]
professions: [{code: physiotherapist, name: Physiotherapist}]
credential_types: [{code: needling_authorization, name: Needling authorization}]
rules:
  - id: ab-physio-needling-2026
    jurisdiction: CA-AB
    profession: physiotherapist
    modalities: [dry_needling, ims, acupuncture]
    effective_from: 2021-10-01
    permitted: true
    requires:
      - credential: needling_authorization
        issuers: ["College of Physiotherapists of Alberta"]
    source: https://cpta.ab.ca/standard-2026
    notes: "Confidence: H."
"""


def alias_bomb(levels: int = 9) -> bytes:
    """The classic "billion laughs": each level nine aliases of the one before, hidden in a
    rule's notes, padded with a comment to the 687 bytes the probe sent."""
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    text = "version: 1\n" + "\n".join(lines) + f"\nrules: [{{id: x, notes: *a{levels - 1}}}]\n"
    return (text + "#" * (686 - len(text)) + "\n").encode()


def test_the_bomb_is_687_bytes_of_nine_levels():
    assert len(alias_bomb()) == 687 and alias_bomb().count(b"*a") == 8 * 9 + 1


def test_an_alias_bomb_is_refused_at_once_without_expanding_it():
    started = time.perf_counter()
    parsed = parse_rules_file(alias_bomb(), EVERYTHING)
    assert time.perf_counter() - started < 0.5
    assert parsed.problems == [f"line 2: {NO_ALIASES}"] and parsed.rules == []


def test_even_one_anchor_or_alias_is_refused():
    text = RULE.replace(
        "    modalities: [dry_needling, ims, acupuncture]", "    modalities: &all [ims]"
    )
    assert parse_rules_file(text.encode(), EVERYTHING).problems == [f"line 9: {NO_ALIASES}"]


def test_the_cli_refuses_an_alias_bomb_to_load_or_preview(cli, tmp_path, session):
    path = tmp_path / "bomb.yaml"
    path.write_bytes(alias_bomb())
    for command in ("load-rules", "rules-impact"):
        result = cli("registry", command, str(path))
        assert result.exit_code == 1 and NO_ALIASES in result.stderr, command
    assert session.scalar(select(RuleSet)) is None


@pytest.fixture
def regulator(demo, make_user, login):
    user = make_user("regulator", jurisdictions=["CA-AB"])
    login(user)
    return user


def upload(client, data: bytes):
    return client.post(
        "/regulator/rules/upload",
        data={"file": (io.BytesIO(data), "rules.yaml")},
        content_type="multipart/form-data",
    )


def activate(client, session, data: bytes):
    """The activation form posted with ``data`` as if a preview had carried it."""
    active = session.scalar(select(RuleSet).where(RuleSet.active.is_(True)))
    return client.post(
        "/regulator/rules/activate",
        data={
            "content": base64.b64encode(data).decode(),
            "checksum": hashlib.sha256(data).hexdigest(),
            "filename": "rules.yaml",
            "base_version": str(active.version),
            "note": "test",
        },
    )


def versions(session) -> int:
    return len(session.scalars(select(RuleSet)).all())


def test_the_upload_refuses_an_alias_bomb(client, regulator, session):
    before = versions(session)
    for response in (upload(client, alias_bomb()), activate(client, session, alias_bomb())):
        assert response.status_code == 400
        assert "YAML anchors and aliases" in response.get_data(as_text=True)
    assert versions(session) == before


CONTROL = [
    (
        "id: ab-physio-needling-2026",
        'id: "ab-physio\\0needling"',
        "rules[0] ab-physio\\x00needling: id",
    ),
    ("{code: CA-AB, name: Alberta}", '{code: CA-AB, name: "Alb\\x07erta"}', "jurisdictions[0]"),
    (
        '"College of Physiotherapists of Alberta"',
        '"College of\\0Physiotherapists"',
        "rules[0] ab-physio-needling-2026: requires[0]: issuers",
    ),
    ('"Confidence: H."', '"Confidence: H.\\0"', "rules[0] ab-physio-needling-2026: notes"),
    (
        "source: https://cpta.ab.ca/standard-2026",
        'source: "https://cpta.ab.ca/\\u0000"',
        "rules[0] ab-physio-needling-2026: source",
    ),
]


@pytest.mark.parametrize(("old", "new", "where"), CONTROL)
def test_control_characters_are_refused_with_their_place(old, new, where):
    parsed = parse_rules_file(RULE.replace(old, new).encode(), EVERYTHING)
    # (a refused declaration declares nothing: the rule's code is then unknown too)
    assert parsed.problems[0] == f"{where}: must not contain control characters"
    assert all("\x00" not in p and "\x07" not in p for p in parsed.problems)


def test_notes_may_hold_tabs_and_line_breaks():
    text = RULE.replace('notes: "Confidence: H."', 'notes: "Confidence: H.\\n\\tSee the standard."')
    parsed = parse_rules_file(text.encode(), EVERYTHING)
    assert parsed.problems == [] and parsed.rules[0].notes == "Confidence: H.\n\tSee the standard."


def test_a_nul_in_a_rule_is_refused_in_preview_and_activation_alike(client, regulator, session):
    bad = RULE.replace('"Confidence: H."', '"Confidence: \\0"').encode()
    before = versions(session)
    for response in (upload(client, bad), activate(client, session, bad)):
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert (
            "rules[0] ab-physio-needling-2026: notes: must not contain control characters" in html
        )
    assert versions(session) == before


@pytest.mark.parametrize(
    "source",
    [
        "javascript:alert(document.domain)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/rule",
        "www.example.org/rule",
        "https://",
    ],
)
def test_a_source_must_be_a_web_address(source):
    parsed = parse_rules_file(
        RULE.replace("https://cpta.ab.ca/standard-2026", source).encode(), EVERYTHING
    )
    assert parsed.problems == [
        "rules[0] ab-physio-needling-2026: source: must be a web address (http:// or https://)"
    ]


@pytest.mark.parametrize("source", ["http://example.org/rule", "HTTPS://Example.org/rule?a=1"])
def test_http_and_https_sources_load(source):
    parsed = parse_rules_file(
        RULE.replace("https://cpta.ab.ca/standard-2026", source).encode(), EVERYTHING
    )
    assert parsed.problems == [] and parsed.rules[0].source == source


BAD_SOURCE = "javascript:alert(document.domain)"
KEY = "CA-AB/physiotherapist/AB-1002"  # Omar Sato, Bow River Physio: authorized under CA-AB rules


def test_a_stored_source_that_is_no_web_address_is_never_a_link(
    app, client, demo, make_user, login, session
):
    """Rules stored before sources were checked: no page makes such a source a link (pages
    that cite sources show only web addresses as links, and words otherwise)."""
    session.execute(update(Rule).values(source=BAD_SOURCE))
    session.flush()
    pages = {"/practitioners/" + KEY: None}
    regulator = make_user("regulator", jurisdictions=["CA-AB"])
    pages |= {
        f"/evidence-bundles/{KEY}": regulator,
        f"/regulator/practitioners/{KEY}": regulator,
        "/regulator/rules?jurisdiction=CA-AB": regulator,
        "/regulator/audit?jurisdiction=CA-AB": regulator,
        "/clinic/gaps": make_user("clinic_manager", clinics=["Bow River Physio"]),
    }
    for url, user in pages.items():
        visitor = app.test_client()
        if user is not None:
            visitor.post("/login", data={"email": user.email, "password": "a long test password"})
        html = visitor.get(url).get_data(as_text=True)
        assert visitor.get(url).status_code == 200, url
        assert 'href="javascript:' not in html, url
        links = re.findall(r'(?:href|src|action)="([^"]*)"', html)
        assert not [a for a in links if a.strip().lower().startswith("javascript")], url


def test_a_raw_control_character_in_the_file_is_refused_with_its_line():
    text = RULE.replace("profession: physiotherapist\n", "profession: physio\x00therapist\n")
    assert parse_rules_file(text.encode(), EVERYTHING).problems == [
        "line 8: not valid YAML (character #x0000: special characters are not allowed)"
    ]
