"""store audit runs for the console

An audit computed once per scope, day, window and rule-set version, then paged, filtered and
counted in SQL by the regulator console (``read.audit_runs``), and brought up to date by
re-evaluating only the practitioners changed since the data version it reflects: its gaps
and its verdicts of declared modalities, both per practitioner.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _run_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["run_id"],
        ["audit_runs.id"],
        name=op.f(f"fk_{table}_run_id_audit_runs"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "audit_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=1000), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("rule_set_version", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("practitioners_checked", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_runs")),
        sa.UniqueConstraint(
            "scope", "as_of", "window_days", "rule_set_version", name="uq_audit_runs_key"
        ),
    )
    op.create_table(
        "audit_run_gaps",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=20), nullable=False),
        sa.Column("profession", sa.String(length=64), nullable=False),
        sa.Column("registration_number", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=210), nullable=False),
        sa.Column("modality", sa.String(length=50), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("credential_type", sa.String(length=64), nullable=True),
        sa.Column("rule_id", sa.String(length=100), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        _run_fk("audit_run_gaps"),
        sa.PrimaryKeyConstraint(
            "run_id", "practitioner_id", "ordinal", name=op.f("pk_audit_run_gaps")
        ),
    )
    op.create_index("ix_audit_run_gaps_run_id_kind", "audit_run_gaps", ["run_id", "kind"])
    op.create_index(
        "ix_audit_run_gaps_in_order",
        "audit_run_gaps",
        ["run_id", "jurisdiction", "practitioner_id", "ordinal"],
    )
    op.create_table(
        "audit_run_verdicts",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("modality", sa.String(length=50), nullable=False),
        sa.Column("profession", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=24), nullable=False),
        _run_fk("audit_run_verdicts"),
        sa.PrimaryKeyConstraint(
            "run_id", "practitioner_id", "modality", name=op.f("pk_audit_run_verdicts")
        ),
    )


def downgrade() -> None:
    op.drop_table("audit_run_verdicts")
    op.drop_index("ix_audit_run_gaps_in_order", table_name="audit_run_gaps")
    op.drop_index("ix_audit_run_gaps_run_id_kind", table_name="audit_run_gaps")
    op.drop_table("audit_run_gaps")
    op.drop_table("audit_runs")
