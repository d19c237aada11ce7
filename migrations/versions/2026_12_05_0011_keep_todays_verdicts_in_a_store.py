"""keep today's verdicts in a store

One row per practitioner and declared modality: the verdict, the rule and rule-set version it
came from, the day it was computed and the last day it surely holds. Filled by
``registry refresh-verdicts`` after the upgrade (and kept current by every write after that);
until then readers find no current rows and fall back to the rules engine.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_verdicts",
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("modality", sa.String(length=50), nullable=False),
        sa.Column("verdict", sa.String(length=24), nullable=False),
        sa.Column("rule_id", sa.String(length=100), nullable=True),
        sa.Column("rule_set_version", sa.Integer(), nullable=True),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("holds_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_stored_verdicts_practitioner_id_practitioners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("practitioner_id", "modality", name=op.f("pk_stored_verdicts")),
    )
    op.create_index(
        "ix_stored_verdicts_modality_verdict",
        "stored_verdicts",
        ["modality", "verdict", "practitioner_id"],
    )
    op.create_index("ix_stored_verdicts_holds_until", "stored_verdicts", ["holds_until"])


def downgrade() -> None:
    op.drop_index("ix_stored_verdicts_holds_until", table_name="stored_verdicts")
    op.drop_index("ix_stored_verdicts_modality_verdict", table_name="stored_verdicts")
    op.drop_table("stored_verdicts")
