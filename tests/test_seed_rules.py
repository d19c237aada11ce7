"""``seed-demo`` (and so ``make run``) never undoes rules that someone activated by hand."""

from __future__ import annotations

from sqlalchemy import select

from registry.demo import default_rules_bytes
from registry.models import RuleSet


def active(session) -> RuleSet:
    return session.scalar(select(RuleSet).where(RuleSet.active.is_(True)))


def test_seeding_keeps_an_edited_rule_set_active(demo, cli, session, tmp_path):
    edited = default_rules_bytes().replace(
        b"id: ab-physio-needling", b"id: ab-physio-needling-2027", 1
    )
    path = tmp_path / "alberta-2027.yaml"
    path.write_bytes(edited)
    assert cli("registry", "load-rules", str(path)).exit_code == 0
    loaded = active(session)

    result = cli("registry", "seed-demo")

    assert result.exit_code == 0
    assert "default rules not loaded: version" in result.output
    assert active(session).id == loaded.id


def test_seeding_over_the_default_rules_makes_no_new_version(demo, cli, session):
    before = active(session)
    result = cli("registry", "seed-demo")
    assert f"default rules already active as version {before.version}" in result.output
    assert active(session).id == before.id
