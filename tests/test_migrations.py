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
