"""count audit runs' gaps as they are stored

A stored run's gaps get their place in the audit's order (``position``), indexed alone and
after each filter of the console (kind, modality, profession), so a page of any filter is
read off an index. A stored run keeps how many of its gaps share each kind, modality, profession and severity,
and how many of its declared modalities have each verdict per profession, so the console's
totals for any filter (and the dashboard's counts) read a few rows instead of counting up to
a million gaps. Runs stored before have no counts: they are dropped (a run is a cache of the
engine's answer, computed again at the next click or by the nightly job).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _run_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["run_id"],
        ["audit_runs.id"],
        name=op.f(f"fk_{table}_run_id_audit_runs"),
        ondelete="CASCADE",
    )


ORDERED = {
    "ix_audit_run_gaps_in_order": ["run_id", "position"],
    "ix_audit_run_gaps_kind_in_order": ["run_id", "kind", "position"],
    "ix_audit_run_gaps_modality_in_order": ["run_id", "modality", "position"],
    "ix_audit_run_gaps_profession_in_order": ["run_id", "profession", "position"],
}


def upgrade() -> None:
    for table in ("audit_run_gaps", "audit_run_verdicts", "audit_runs"):
        op.execute(sa.table(table).delete())
    op.drop_index("ix_audit_run_gaps_in_order", table_name="audit_run_gaps")
    op.drop_index("ix_audit_run_gaps_run_id_kind", table_name="audit_run_gaps")
    op.add_column("audit_run_gaps", sa.Column("position", sa.BigInteger(), nullable=False))
    for name, columns in ORDERED.items():
        op.create_index(name, "audit_run_gaps", columns)
    op.create_table(
        "audit_run_gap_counts",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("modality", sa.String(length=50), nullable=False),
        sa.Column("profession", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        _run_fk("audit_run_gap_counts"),
        sa.PrimaryKeyConstraint(
            "run_id", "kind", "modality", "profession", "severity",
            name=op.f("pk_audit_run_gap_counts"),
        ),
    )  # fmt: skip
    op.create_table(
        "audit_run_verdict_counts",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("profession", sa.String(length=64), nullable=False),
        sa.Column("modality", sa.String(length=50), nullable=False),
        sa.Column("verdict", sa.String(length=24), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        _run_fk("audit_run_verdict_counts"),
        sa.PrimaryKeyConstraint(
            "run_id", "profession", "modality", "verdict", name=op.f("pk_audit_run_verdict_counts")
        ),
    )


def downgrade() -> None:
    op.drop_table("audit_run_verdict_counts")
    op.drop_table("audit_run_gap_counts")
    op.execute(sa.table("audit_run_gaps").delete())
    for name in ORDERED:
        op.drop_index(name, table_name="audit_run_gaps")
    with op.batch_alter_table("audit_run_gaps") as batch:
        batch.drop_column("position")
    op.create_index("ix_audit_run_gaps_run_id_kind", "audit_run_gaps", ["run_id", "kind"])
    op.create_index(
        "ix_audit_run_gaps_in_order",
        "audit_run_gaps",
        ["run_id", "jurisdiction", "practitioner_id", "ordinal"],
    )
