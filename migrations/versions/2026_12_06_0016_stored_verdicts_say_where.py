"""stored verdicts say where

Each stored verdict carries its practitioner's jurisdiction, profession and city, and the
authorized ones are indexed by modality and each of those with the days that make a row
current: "who may perform dry needling in Ontario (or Toronto) today" is counted from the
authorized rows in an index, instead of looking up the verdict of every practitioner of the
province or city. Existing rows are filled in from their practitioners. The (modality,
verdict, practitioner) index, which such counts used before, is dropped: nothing reads the
store by verdict alone any more, and every refresh paid for keeping it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

AUTHORIZED_ONLY = sa.text("verdict = 'authorized'")
CURRENT = ("holds_until", "computed_on", "verdict")  # so that the index covers the count


def _folded(dialect: str, column: str) -> sa.TextClause:
    # the same expression as registry.models.folding.folded (a migration keeps its own copy)
    return sa.text(f"{column} COLLATE NOCASE" if dialect == "sqlite" else f"lower({column})")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("stored_verdicts", sa.Column("jurisdiction_code", sa.String(10)))
    op.add_column("stored_verdicts", sa.Column("profession_code", sa.String(50)))
    op.add_column("stored_verdicts", sa.Column("city", sa.String(100)))
    op.execute(
        "UPDATE stored_verdicts SET jurisdiction_code = p.jurisdiction_code, "
        "profession_code = p.profession_code, city = p.city "
        "FROM practitioners AS p WHERE p.id = stored_verdicts.practitioner_id"
    )
    with op.batch_alter_table("stored_verdicts") as batch:
        batch.alter_column("jurisdiction_code", existing_type=sa.String(10), nullable=False)
        batch.alter_column("profession_code", existing_type=sa.String(50), nullable=False)
    where = {"postgresql_where": AUTHORIZED_ONLY, "sqlite_where": AUTHORIZED_ONLY}
    op.create_index(
        "ix_stored_verdicts_authorized_where",
        "stored_verdicts",
        ["modality", "jurisdiction_code", "profession_code", *CURRENT],
        **where,
    )
    op.create_index(
        "ix_stored_verdicts_authorized_city",
        "stored_verdicts",
        ["modality", _folded(dialect, "city"), *CURRENT],
        postgresql_include=["city"],  # PostgreSQL reads lower(city) off an index only beside city
        **where,
    )

    op.drop_index("ix_stored_verdicts_modality_verdict", table_name="stored_verdicts")


def downgrade() -> None:
    op.create_index(
        "ix_stored_verdicts_modality_verdict",
        "stored_verdicts",
        ["modality", "verdict", "practitioner_id"],
    )
    op.drop_index("ix_stored_verdicts_authorized_city", table_name="stored_verdicts")
    op.drop_index("ix_stored_verdicts_authorized_where", table_name="stored_verdicts")
    with op.batch_alter_table("stored_verdicts") as batch:
        batch.drop_column("city")
        batch.drop_column("profession_code")
        batch.drop_column("jurisdiction_code")
