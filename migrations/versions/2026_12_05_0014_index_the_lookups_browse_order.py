"""index the lookup's browse order

A public search without a name or number (a province, a profession, a city, with or without
"may perform") lists practitioners by family and given name. These indexes hold them in that
order within each jurisdiction and city, so a page is read off an index instead of sorting
every match (a profession within a jurisdiction is filtered along the jurisdiction's order);
the city one replaces the city-only index. There is deliberately no (jurisdiction,
profession, ...) browse index: while an import's transaction has not been analyzed yet, the
planner could not tell it from the registration key's unique index and looked practitioners
up through it, reading thousands of rows per key.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

NAME_ORDER = ("family_key", "given_key")
INDEXES = {
    "ix_practitioners_browse_jurisdiction": ("jurisdiction_code",),
    "ix_practitioners_browse_city": ("folded:city",),
}


def _folded(dialect: str, column: str) -> sa.TextClause:
    # the same expressions as registry.models.folding.folded (a migration keeps its own copy)
    return sa.text(f"{column} COLLATE NOCASE" if dialect == "sqlite" else f"lower({column})")


def _columns(dialect: str, leading: tuple[str, ...]) -> list:
    columns: list = []
    for name in leading:
        if name.startswith("folded:"):
            columns.append(_folded(dialect, name.removeprefix("folded:")))
        else:
            columns.append(name)
    return [*columns, *(_folded(dialect, c) for c in NAME_ORDER), "id"]


def _given_family(dialect: str) -> list:
    if dialect == "sqlite":
        return [_folded(dialect, "given_key"), _folded(dialect, "family_key")]
    return [sa.text(f"lower({c}) text_pattern_ops") for c in ("given_key", "family_key")]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_practitioners_city_folded", table_name="practitioners")
    for name, leading in INDEXES.items():
        op.create_index(name, "practitioners", _columns(dialect, leading))
    op.drop_index("ix_practitioners_given_key_folded", table_name="practitioners")
    op.create_index("ix_practitioners_given_family_folded", "practitioners", _given_family(dialect))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_practitioners_given_family_folded", table_name="practitioners")
    given = [sa.text("lower(given_key) text_pattern_ops")] if dialect != "sqlite" else None
    op.create_index(
        "ix_practitioners_given_key_folded",
        "practitioners",
        given or [_folded(dialect, "given_key")],
    )
    for name in INDEXES:
        op.drop_index(name, table_name="practitioners")
    op.create_index("ix_practitioners_city_folded", "practitioners", [_folded(dialect, "city")])
