"""keep evidence and notes with the clinic that entered them

- ``credentials.entered_by_clinic_id``: the clinic that put a credential on file (its evidence
  file is that clinic's to download, with the practitioner and their regulator), filled in
  from ``entered_by`` where it names a clinic.
- ``clinic_staff.notes``: a clinic's own private notes about a staff member, seen by that
  clinic only. A practitioner's notes move to their one clinic link where they have exactly
  one; with several, they stay on the record, which only the regulator's pages show.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("entered_by_clinic_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_credentials_entered_by_clinic_id_clinics"),
            "clinics",
            ["entered_by_clinic_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("clinic_staff") as batch:
        batch.add_column(sa.Column("notes", sa.Text(), nullable=True))
    op.execute(
        "UPDATE credentials SET entered_by_clinic_id = "
        "(SELECT clinics.id FROM clinics WHERE clinics.name = credentials.entered_by) "
        "WHERE entered_by IS NOT NULL"
    )
    op.execute(
        "UPDATE clinic_staff SET notes = (SELECT practitioners.notes FROM practitioners "
        "WHERE practitioners.id = clinic_staff.practitioner_id) "
        "WHERE practitioner_id IN (SELECT practitioner_id FROM clinic_staff "
        "GROUP BY practitioner_id HAVING COUNT(*) = 1)"
    )
    op.execute(
        "UPDATE practitioners SET notes = NULL WHERE notes IS NOT NULL AND id IN "
        "(SELECT practitioner_id FROM clinic_staff GROUP BY practitioner_id HAVING COUNT(*) = 1)"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE practitioners SET notes = (SELECT clinic_staff.notes FROM clinic_staff "
        "WHERE clinic_staff.practitioner_id = practitioners.id "
        "AND clinic_staff.notes IS NOT NULL LIMIT 1) WHERE notes IS NULL"
    )
    with op.batch_alter_table("clinic_staff") as batch:
        batch.drop_column("notes")
    with op.batch_alter_table("credentials") as batch:
        batch.drop_constraint(
            batch.f("fk_credentials_entered_by_clinic_id_clinics"), type_="foreignkey"
        )
        batch.drop_column("entered_by_clinic_id")
