"""``registry audit`` writes its document as it computes it: the same document as the
in-memory audit, and never a half-written file."""

from __future__ import annotations

import json

from registry.read.audit import render_csv, run_audit
from registry.read.params import AuditQuery
from registry.read.rulebook import rule_book


def whole(session) -> dict:
    return run_audit(session, rule_book(session), AuditQuery.parse(None, None, None))


def test_the_streamed_json_is_the_audit_document(demo, cli, session):
    result = cli("registry", "audit", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == whole(session)


def test_the_streamed_csv_is_the_audit_csv(demo, cli, session):
    result = cli("registry", "audit", "--format", "csv")
    assert result.output == render_csv(whole(session))


def test_an_audit_to_a_file_says_what_it_wrote(demo, cli, session, tmp_path):
    out = tmp_path / "audit.json"
    result = cli("registry", "audit", "--output", str(out))
    report = whole(session)
    assert result.output.strip() == (
        f"{len(report['gaps'])} gaps for {report['practitioners_checked']} practitioners "
        f"written to {out}"
    )
    assert json.loads(out.read_text()) == report
    assert [p.name for p in tmp_path.iterdir()] == ["audit.json"]  # no temporary file left


def test_the_table_ends_with_the_totals(demo, cli, session):
    report = whole(session)
    lines = cli("registry", "audit", "--format", "table").output.strip().splitlines()
    assert lines[0].startswith("Audit as of ")
    total = f"{report['practitioners_checked']} practitioners checked, {len(report['gaps'])} gaps"
    assert lines[-1] == total


def test_an_unwritable_output_is_one_line_and_no_file(demo, cli, tmp_path):
    result = cli("registry", "audit", "--output", str(tmp_path / "missing" / "a.json"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot write ")
    assert not (tmp_path / "missing").exists()
