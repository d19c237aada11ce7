"""finer statistics for name prefixes (PostgreSQL)

PostgreSQL estimates how many names start with a prefix from a histogram of 100 buckets per
column. Names cluster (a few hundred family names can cover a registry), so a prefix such as
"mart" falls inside one bucket and was estimated at 99 practitioners instead of 6,719: for
"Charlotte Mart" the planner then read the family-name index (6,719 rows, 25 ms) rather than
the given-and-family one (34 rows, 0.2 ms). 500 buckets per folded name column make those
estimates right; ANALYZE samples more rows (2 s for a million practitioners). SQLite plans
from its indexes without such statistics: nothing changes there.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

NAME_COLUMNS = {  # index: its folded-name columns (1-based)
    "ix_practitioners_family_key_folded": (1,),
    "ix_practitioners_given_family_folded": (1, 2),
}


def _set(target: int) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for index, columns in NAME_COLUMNS.items():
        for column in columns:
            op.execute(f"ALTER INDEX {index} ALTER COLUMN {column} SET STATISTICS {target}")


def upgrade() -> None:
    _set(500)


def downgrade() -> None:
    _set(-1)
