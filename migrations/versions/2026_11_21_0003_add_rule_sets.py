"""add rule sets

Each load of a rules file becomes a numbered rule set holding its rules; one is active.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rule_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=254), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_sets")),
        sa.UniqueConstraint("version", name=op.f("uq_rule_sets_version")),
    )
    op.create_table(
        "rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_set_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=100), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=10), nullable=False),
        sa.Column("profession_code", sa.String(length=50), nullable=False),
        sa.Column("modalities", sa.JSON(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("permitted", sa.Boolean(), nullable=False),
        sa.Column("registration_classes", sa.JSON(), nullable=True),
        sa.Column("min_years_registered", sa.Integer(), nullable=True),
        sa.Column("requires", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_rules_jurisdiction_code_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["profession_code"],
            ["professions.code"],
            name=op.f("fk_rules_profession_code_professions"),
        ),
        sa.ForeignKeyConstraint(
            ["rule_set_id"],
            ["rule_sets.id"],
            name=op.f("fk_rules_rule_set_id_rule_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rules")),
        sa.UniqueConstraint("rule_set_id", "rule_id", name=op.f("uq_rules_rule_set_id_rule_id")),
    )


def downgrade() -> None:
    op.drop_table("rules")
    op.drop_table("rule_sets")
