"""The audit's documents are written without a dict or an encoder call per gap: what comes
out must be what ``json.dumps`` and ``csv.DictWriter`` would have written."""

from __future__ import annotations

import csv
import io
import json

import pytest

from registry.read.audit import GAP_FIELDS, csv_document, gap_json, json_document
from registry.rules.model import Gap

VALUES = [
    "CA-QC", "physiotherapist", "Q-1", "Zoë \"Z\" O'Brien", None, "unverified", "error",
    "needling_authorization", "qc-dn", None, "waiting for verification of the café's \\ course\n",
]  # fmt: skip
GAP = dict(zip(GAP_FIELDS, VALUES, strict=True))


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"name": "中文 名字 \u2028 \x00", "detail": ""},
        {"rule_id": 7, "source": 1.5},  # not text: written by the encoder itself
        {"modality": True, "detail": ["a"]},
    ],
)
def test_a_gap_is_written_as_json_dumps_writes_it(changes):
    gap = GAP | changes
    assert gap_json(tuple(gap.values())) == json.dumps(gap)


def test_the_json_document_is_json_dumps_of_each_gap():
    gaps = [GAP, GAP | {"kind": "expired"}, {"other": "keys", "in": None}] * 400
    text = "".join(json_document({"as_of": "2026-11-21"}, gaps, lambda: {"checked": 3}))
    assert json.loads(text) == {"as_of": "2026-11-21", "gaps": gaps, "checked": 3}
    lines = text.splitlines()
    assert lines[1:-1] == [json.dumps(g) + "," for g in gaps[:-1]] + [json.dumps(gaps[-1])]


def test_an_empty_json_document_still_has_its_gaps():
    text = "".join(json_document({"a": 1}, [], lambda: {"b": 2}))
    assert json.loads(text) == {"a": 1, "gaps": [], "b": 2}


def test_the_csv_is_what_a_dict_writer_writes():
    gaps = [GAP, GAP | {"detail": 'a, b; "c"', "rule_id": None}] * 700
    expected = io.StringIO()
    writer = csv.DictWriter(expected, fieldnames=GAP_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(gaps)
    assert "".join(csv_document(gaps)) == expected.getvalue()


def test_the_written_fields_are_a_gaps_own():
    assert GAP_FIELDS == Gap.__slots__ == tuple(Gap(*GAP.values()).to_dict())
