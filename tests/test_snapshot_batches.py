"""Snapshots are built a batch of practitioners at a time, each child stream cut at the
batch's last practitioner: the cut must neither drop nor repeat a row, whatever the batch
size, and a filtered load (a jurisdiction, a set of ids) must agree with the whole one."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete

from registry.read import snapshots
from registry.read.snapshots import Batches, M, iter_snapshots


@pytest.mark.parametrize("batch", [1, 2, 3, 7])
def test_every_batch_size_builds_the_same_snapshots(demo, session, monkeypatch, batch):
    whole = list(iter_snapshots(session))
    assert any(c.decisions for s in whole for c in s.credentials)  # the demo exercises them
    monkeypatch.setattr(snapshots, "BATCH", batch)
    monkeypatch.setattr(snapshots, "GROUP", batch)
    assert list(iter_snapshots(session)) == whole


def test_a_jurisdiction_or_a_set_of_ids_gives_the_same_snapshots(demo, session):
    whole = {s.id: s for s in iter_snapshots(session)}
    alberta = list(iter_snapshots(session, "CA-AB"))
    assert alberta and all(s == whole[s.id] for s in alberta)
    some = sorted(whole)[1::3]
    assert [s.id for s in iter_snapshots(session, ids=some)] == some
    assert all(s == whole[s.id] for s in iter_snapshots(session, ids=some))


@pytest.mark.parametrize("batch", [1, 2, 3, 10])
def test_batches_hand_out_each_practitioners_rows_once(monkeypatch, batch):
    monkeypatch.setattr(snapshots, "GROUP", batch)  # rows are copied this many at a time
    rows = [(1, "a"), (1, "b"), (2, "c"), (4, "d"), (4, "e"), (4, "f"), (9, "g")]
    batches = Batches(rows)
    assert batches.upto(1) == rows[:2]
    assert batches.upto(3) == rows[2:3]  # practitioner 3 has none
    assert batches.upto(4) == rows[3:6]
    assert batches.upto(8) == []
    assert batches.upto(20) == rows[6:]
    assert batches.upto(30) == []


def test_snapshots_for_evaluate_leave_out_only_what_evaluate_never_reads(demo, session, app):
    from registry.read.rulebook import rule_book
    from registry.rules import evaluate

    book = rule_book(session)
    holder = next(s for s in iter_snapshots(session) if s.credentials and s.modalities)
    session.execute(delete(M).where(M.c.practitioner_id == holder.id))  # now performs nothing
    whole = list(iter_snapshots(session))
    lean = list(iter_snapshots(session, for_evaluate=True))
    assert any(s.credentials and not s.modalities for s in whole)
    for full, part in zip(whole, lean, strict=True):
        assert part.credentials == (full.credentials if full.modalities else ())
        for day in (demo, date(2024, 6, 22)):
            assert evaluate(part, book, day) == evaluate(full, book, day)
