"""Migrations: an empty database upgrades to head, there is one head, the models match the
schema (autogenerate finds nothing), and everything downgrades to base."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from registry.db import make_engine
from registry.migrate import alembic_config
from registry.models import Base

from .scratch import scratch_database


@pytest.fixture
def empty_database(tmp_path):
    """A brand-new empty database of the kind under test."""
    with scratch_database(tmp_path / "empty.sqlite3", "registry_mig") as url:
        yield url


def test_there_is_exactly_one_head():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


def test_upgrade_matches_models_and_downgrades_to_base(empty_database):
    cfg = alembic_config(empty_database)
    command.upgrade(cfg, "head")
    engine = make_engine(empty_database)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
        assert diff == []
        assert conn.execute(text("select count(*) from professions")).scalar() == 11
    command.downgrade(cfg, "base")
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    command.upgrade(cfg, "head")  # and back up again, cleanly
    engine.dispose()


def test_verification_flags_become_dated_decisions_and_come_back(empty_database):
    """Migration 0007 turns each credential's verified/rejected/revoked flags into decisions
    (a queue check on its day, an import's on the issue date) and 0007's downgrade writes the
    same flags back."""
    cfg = alembic_config(empty_database)
    command.upgrade(cfg, "0006")
    engine = make_engine(empty_database)
    now = "2026-11-21 10:00:00"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, email, password_hash, role, active, created_at, updated_at)"
                " VALUES (1, 'reg@example.org', 'x', 'regulator', true, :now, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO practitioners (id, jurisdiction_code, profession_code,"
                " registration_number, given_name, family_name, registration_status,"
                " status_since, registered_since, version, created_at, updated_at) VALUES"
                " (1, 'CA-AB', 'physiotherapist', 'A1', 'Jane', 'Roe', 'active',"
                " '2015-01-01', '2015-01-01', 1, :now, :now)"
            ),
            {"now": now},
        )
        reg, march, june = "reg@example.org", "2026-03-02 09:00:00", "2026-06-30 12:00:00"
        rows = [
            # id, verified, verified_by_id, by_name, verified_at, note, revoked, revoked_at, reason
            (1, True, 1, reg, march, "on register", False, None, None),
            (2, True, None, "cli:root", "2026-11-01 08:00:00", None, False, None, None),
            (3, False, 1, reg, "2026-04-05 09:00:00", "forged", False, None, None),
            (4, True, 1, reg, march, None, True, june, "withdrawn"),
            (5, False, None, None, None, None, False, None, None),
        ]  # fmt: skip
        for r in rows:
            conn.execute(
                text(
                    "INSERT INTO credentials (id, practitioner_id, credential_type_code, issuer,"
                    " credential_number, issued_on, verified, verified_by_id, verified_by_name,"
                    " verified_at, verification_note, revoked, revoked_at, revoked_reason,"
                    " version, created_at, updated_at) VALUES (:id, 1, 'cpr_certification', '',"
                    " :number, '2026-01-15', :v, :by_id, :by, :at, :note, :rv, :rv_at, :reason,"
                    " 1, :now, :now)"
                ),
                dict(
                    id=r[0], number=f"N{r[0]}", v=r[1], by_id=r[2], by=r[3], at=r[4],
                    note=r[5], rv=r[6], rv_at=r[7], reason=r[8], now=now,
                ),
            )  # fmt: skip
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        decided = conn.execute(
            text(
                "SELECT credential_id, status, effective_on, decided_by, via, note"
                " FROM credential_decisions ORDER BY credential_id, effective_on, id"
            )
        ).all()
        summary = dict(conn.execute(text("SELECT id, verification_status FROM credentials")).all())
    assert [(d[0], d[1], str(d[2]), d[4], d[5]) for d in decided] == [
        (1, "verified", "2026-03-02", "review", "on register"),
        (2, "verified", "2026-01-15", "import", None),  # version 1's import: its issue date
        (3, "rejected", "2026-04-05", "review", "forged"),
        (4, "verified", "2026-03-02", "review", None),
        (4, "revoked", "2026-06-30", "review", "withdrawn"),
    ]
    assert summary == {1: "verified", 2: "verified", 3: "rejected", 4: "revoked", 5: "pending"}
    command.downgrade(cfg, "0006")
    with engine.connect() as conn:
        flags = conn.execute(
            text(
                "SELECT id, verified, verified_by_name, verification_note, revoked, revoked_reason"
                " FROM credentials ORDER BY id"
            )
        ).all()
    assert [tuple(bool(v) if i in (1, 4) else v for i, v in enumerate(f)) for f in flags] == [
        (1, True, "reg@example.org", "on register", False, None),
        (2, True, "cli:root", None, False, None),
        (3, False, "reg@example.org", "forged", False, None),
        (4, True, "reg@example.org", None, True, "withdrawn"),
        (5, False, None, None, False, None),
    ]
    engine.dispose()


def test_evidence_and_notes_move_to_the_clinic_that_entered_them(empty_database):
    """Migration 0010: a credential a clinic entered is that clinic's (by its name in
    ``entered_by``); a practitioner's notes move to their link when they have exactly one
    clinic, and stay on the record (regulator only) when they have several."""
    cfg = alembic_config(empty_database)
    command.upgrade(cfg, "0009")
    engine = make_engine(empty_database)
    now = "2026-12-04 10:00:00"
    with engine.begin() as conn:
        for cid, name in ((1, "Bow River Physio"), (2, "Harbour Physiotherapy")):
            conn.execute(
                text(
                    "INSERT INTO clinics (id, name, created_at, updated_at)"
                    " VALUES (:id, :name, :now, :now)"
                ),
                {"id": cid, "name": name, "now": now},
            )
        for pid, number, notes in ((1, "A1", "one clinic"), (2, "A2", "two clinics")):
            conn.execute(
                text(
                    "INSERT INTO practitioners (id, jurisdiction_code, profession_code,"
                    " registration_number, given_name, family_name, registration_status,"
                    " status_since, registered_since, notes, version, created_at, updated_at)"
                    " VALUES (:id, 'CA-AB', 'physiotherapist', :n, 'Jane', 'Roe', 'active',"
                    " '2015-01-01', '2015-01-01', :notes, 1, :now, :now)"
                ),
                {"id": pid, "n": number, "notes": notes, "now": now},
            )
        for pid, cid in ((1, 1), (2, 1), (2, 2)):
            conn.execute(
                text(
                    "INSERT INTO clinic_staff (clinic_id, practitioner_id, status)"
                    " VALUES (:c, :p, 'accepted')"
                ),
                {"c": cid, "p": pid},
            )
        for credential_id, entered_by in ((1, "Bow River Physio"), (2, "the practitioner")):
            conn.execute(
                text(
                    "INSERT INTO credentials (id, practitioner_id, credential_type_code, issuer,"
                    " credential_number, issued_on, verification_status, entered_by, version,"
                    " created_at, updated_at) VALUES (:id, 1, 'cpr_certification', '', :n,"
                    " '2026-01-15', 'pending', :by, 1, :now, :now)"
                ),
                {"id": credential_id, "n": f"N{credential_id}", "by": entered_by, "now": now},
            )
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        owners = conn.execute(
            text("SELECT id, entered_by_clinic_id FROM credentials ORDER BY id")
        ).all()
        links = conn.execute(
            text(
                "SELECT practitioner_id, clinic_id, notes FROM clinic_staff"
                " ORDER BY practitioner_id, clinic_id"
            )
        ).all()
        kept = dict(conn.execute(text("SELECT id, notes FROM practitioners")).all())
    assert [tuple(r) for r in owners] == [(1, 1), (2, None)]
    assert [tuple(r) for r in links] == [(1, 1, "one clinic"), (2, 1, None), (2, 2, None)]
    assert kept == {1: None, 2: "two clinics"}
    command.downgrade(cfg, "0009")
    with engine.connect() as conn:
        back = dict(conn.execute(text("SELECT id, notes FROM practitioners")).all())
    assert back == {1: "one clinic", 2: "two clinics"}
    engine.dispose()
