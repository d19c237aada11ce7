"""search names without accents

``practitioners.given_key`` and ``family_key``: the names folded for search (accents dropped,
case folded: "Lévesque" -> "levesque"), filled here for every practitioner and indexed for
prefix search in place of the case-folded name indexes of 0004. The registration-number index
gets PostgreSQL's ``text_pattern_ops`` so a number can be searched by its first characters.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BATCH = 5000
# the same letters as registry.models.folding (a migration keeps its own copy: it must not
# change when the application's code does)
LETTERS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"})


def fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(LETTERS)


def _expression(dialect: str, column: str, ops: str | None) -> sa.TextClause:
    if dialect == "sqlite":
        return sa.text(f"{column} COLLATE NOCASE")
    return sa.text(f"lower({column}) {ops}" if ops else f"lower({column})")


def _indexes(dialect: str, new: dict[str, tuple[str, str | None]], old: list[str]) -> None:
    with op.batch_alter_table("practitioners") as batch:
        for name in old:
            batch.drop_index(name)
        for name, (column, ops) in new.items():
            batch.create_index(name, [_expression(dialect, column, ops)])


def _backfill() -> None:
    bind = op.get_bind()
    table = sa.table(
        "practitioners",
        sa.column("id", sa.Integer),
        sa.column("given_name", sa.String),
        sa.column("family_name", sa.String),
        sa.column("given_key", sa.String),
        sa.column("family_key", sa.String),
    )
    last = 0
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values(given_key=sa.bindparam("b_given"), family_key=sa.bindparam("b_family"))
    )
    while True:
        rows = bind.execute(
            sa.select(table.c.id, table.c.given_name, table.c.family_name)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            update,
            [
                {"b_id": r.id, "b_given": fold(r.given_name), "b_family": fold(r.family_name)}
                for r in rows
            ],
        )
        last = rows[-1].id


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("practitioners") as batch:
        batch.add_column(sa.Column("given_key", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("family_key", sa.String(length=100), nullable=True))
    _backfill()
    _indexes(
        dialect,
        {
            "ix_practitioners_family_key_folded": ("family_key", "text_pattern_ops"),
            "ix_practitioners_given_key_folded": ("given_key", "text_pattern_ops"),
            "ix_practitioners_registration_number_folded": (
                "registration_number",
                "text_pattern_ops",
            ),
        },
        [
            "ix_practitioners_family_name_folded",
            "ix_practitioners_given_name_folded",
            "ix_practitioners_registration_number_folded",
        ],
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _indexes(
        dialect,
        {
            "ix_practitioners_family_name_folded": ("family_name", "text_pattern_ops"),
            "ix_practitioners_given_name_folded": ("given_name", "text_pattern_ops"),
            "ix_practitioners_registration_number_folded": ("registration_number", None),
        },
        [
            "ix_practitioners_family_key_folded",
            "ix_practitioners_given_key_folded",
            "ix_practitioners_registration_number_folded",
        ],
    )
    with op.batch_alter_table("practitioners") as batch:
        batch.drop_column("family_key")
        batch.drop_column("given_key")
