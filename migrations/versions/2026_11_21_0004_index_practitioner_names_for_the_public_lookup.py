"""index practitioner names for the public lookup

Case-insensitive search indexes on practitioners (``registry.models.folding``): name prefixes,
registration number and city. SQLite indexes the column with NOCASE (its LIKE is
case-insensitive and uses such an index); PostgreSQL indexes lower(column), with
text_pattern_ops for the names so LIKE 'smi%' uses the index under any collation.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# index name: (column, PostgreSQL operator class or None)
INDEXES = {
    "ix_practitioners_family_name_folded": ("family_name", "text_pattern_ops"),
    "ix_practitioners_given_name_folded": ("given_name", "text_pattern_ops"),
    "ix_practitioners_registration_number_folded": ("registration_number", None),
    "ix_practitioners_city_folded": ("city", None),
}


def _expression(dialect: str, column: str, ops: str | None) -> str:
    if dialect == "sqlite":
        return f"{column} COLLATE NOCASE"
    if dialect == "postgresql" and ops:
        return f"lower({column}) {ops}"
    return f"lower({column})"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("practitioners") as batch_op:
        for name, (column, ops) in INDEXES.items():
            batch_op.create_index(name, [sa.text(_expression(dialect, column, ops))])


def downgrade() -> None:
    with op.batch_alter_table("practitioners") as batch_op:
        for name in reversed(INDEXES):
            batch_op.drop_index(name)
