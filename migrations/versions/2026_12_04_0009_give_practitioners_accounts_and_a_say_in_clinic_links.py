"""give practitioners accounts and a say in clinic links

- ``users``: the ``practitioner`` role with the practitioner record it belongs to, and a
  session generation (part of every session's id: raising it ends every session).
- ``clinic_staff``: a link's status (``requested`` by a clinic, ``accepted`` or ``declined``
  by the practitioner). Existing links, which a regulator's import or a manager made before
  practitioners could answer, are ``accepted``.
- ``one_time_links``: invitations, claims and clinic requests sent by email (single use,
  expiring, stored as SHA-256).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ROLES_BEFORE = ("admin", "regulator", "clinic_manager")
ROLES = (*ROLES_BEFORE, "practitioner")


def _role_check(batch, roles) -> None:
    batch.drop_constraint(op.f("ck_users_user_role"), type_="check")
    batch.create_check_constraint("user_role", sa.column("role").in_(roles))


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        _role_check(batch, ROLES)
        batch.add_column(sa.Column("practitioner_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="1")
        )
        batch.create_foreign_key(
            batch.f("fk_users_practitioner_id_practitioners"),
            "practitioners",
            ["practitioner_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_unique_constraint(batch.f("uq_users_practitioner_id"), ["practitioner_id"])
    with op.batch_alter_table("users") as batch:
        batch.alter_column("session_generation", server_default=None)
    with op.batch_alter_table("clinic_staff") as batch:
        batch.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    "requested",
                    "accepted",
                    "declined",
                    name="link_status",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=False,
                server_default="accepted",
            )
        )
        batch.add_column(sa.Column("requested_by", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("clinic_staff") as batch:
        batch.alter_column("status", server_default=None)
    op.create_table(
        "one_time_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"],
            ["clinics.id"],
            name=op.f("fk_one_time_links_clinic_id_clinics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_one_time_links_practitioner_id_practitioners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_one_time_links_token_hash")),
    )
    op.create_index(
        op.f("ix_one_time_links_practitioner_id"), "one_time_links", ["practitioner_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_one_time_links_practitioner_id"), "one_time_links")
    op.drop_table("one_time_links")
    op.execute("DELETE FROM clinic_staff WHERE status <> 'accepted'")
    with op.batch_alter_table("clinic_staff") as batch:
        batch.drop_constraint(op.f("ck_clinic_staff_link_status"), type_="check")
        for name in ("decided_at", "requested_at", "requested_by", "status"):
            batch.drop_column(name)
    op.execute("DELETE FROM users WHERE role = 'practitioner'")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(batch.f("uq_users_practitioner_id"), type_="unique")
        batch.drop_constraint(batch.f("fk_users_practitioner_id_practitioners"), type_="foreignkey")
        batch.drop_column("session_generation")
        batch.drop_column("practitioner_id")
        _role_check(batch, ROLES_BEFORE)
