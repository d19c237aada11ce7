"""count years practising anywhere

CONTRACT v2: a practitioner's ``practising_since`` (first licensed in this profession
anywhere; null means the same as ``registered_since``) and a rule's ``min_years_practising``
(whole years since then), for regulators that count experience earned elsewhere.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("practitioners") as batch:
        batch.add_column(sa.Column("practising_since", sa.Date(), nullable=True))
    with op.batch_alter_table("rules") as batch:
        batch.add_column(sa.Column("min_years_practising", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rules") as batch:
        batch.drop_column("min_years_practising")
    with op.batch_alter_table("practitioners") as batch:
        batch.drop_column("practising_since")
