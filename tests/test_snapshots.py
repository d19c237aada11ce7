"""Snapshot loading merges four streamed statements; rows the first one did not see (a
practitioner written between the statements) must not stall the merge for later ones."""

from __future__ import annotations

from registry.read import snapshots
from registry.read.snapshots import P, iter_snapshots


def test_children_of_an_unseen_practitioner_do_not_stall_the_merge(demo, session, monkeypatch):
    complete = {s.id: s for s in iter_snapshots(session)}
    with_credentials = sorted(i for i, s in complete.items() if s.credentials)
    hidden = with_credentials[0]  # as if created after the practitioner statement ran
    original = snapshots.queries

    def practitioners_missing_one(jurisdiction=None, ids=None):
        q_p, *children = original(jurisdiction, ids)
        return q_p.where(P.c.id != hidden), *children

    monkeypatch.setattr(snapshots, "queries", practitioners_missing_one)
    partial = {s.id: s for s in iter_snapshots(session)}
    assert set(partial) == set(complete) - {hidden}
    for pid, snap in partial.items():
        assert snap.credentials == complete[pid].credentials
        assert snap.modalities == complete[pid].modalities
