"""record verification as dated decisions

CONTRACT v2: each credential has an append-only list of verification decisions (pending,
verified, rejected, revoked), each with the date it took effect, who decided, a note and the
evidence it rests on. The flags it replaces become decisions, nothing lost:

- ``verified``: a decision ``verified``. A check made in the regulator's queue (a user is on
  record) takes effect on the day it was made; a flag set by an import (no user) takes effect
  on the credential's issue date, which is what version 1's ``verified`` column means in
  CONTRACT v2 §3.
- ``verified`` false with a review time: a decision ``rejected`` on that day.
- ``revoked``: a decision ``revoked`` on the day of the revocation, its reason as the note.

Each keeps the old note, reviewer and time. ``credentials.verification_status`` and
``verification_on`` hold the latest decision (the state today) for lists and filters, and
``entered_by`` who put the credential on file (unknown for the rows already there).
Downgrading writes the flags back from the decisions.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STATUSES = ("pending", "verified", "rejected", "revoked")
BATCH = 5000
UNKNOWN_DECIDER = "not recorded (before decision history)"

old_credentials = sa.table(
    "credentials",
    sa.column("id", sa.Integer),
    sa.column("practitioner_id", sa.Integer),
    sa.column("issued_on", sa.Date),
    sa.column("evidence_ref", sa.String),
    sa.column("verified", sa.Boolean),
    sa.column("verified_by_id", sa.Integer),
    sa.column("verified_by_name", sa.String),
    sa.column("verified_at", sa.DateTime(timezone=True)),
    sa.column("verification_note", sa.Text),
    sa.column("revoked", sa.Boolean),
    sa.column("revoked_at", sa.DateTime(timezone=True)),
    sa.column("revoked_reason", sa.Text),
    sa.column("verification_status", sa.String),
    sa.column("verification_on", sa.Date),
)
decisions = sa.table(
    "credential_decisions",
    sa.column("id", sa.Integer),
    sa.column("credential_id", sa.Integer),
    sa.column("practitioner_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("effective_on", sa.Date),
    sa.column("recorded_at", sa.DateTime(timezone=True)),
    sa.column("decided_by", sa.String),
    sa.column("decided_by_id", sa.Integer),
    sa.column("via", sa.String),
    sa.column("note", sa.Text),
    sa.column("evidence_ref", sa.String),
)


STAGING = "_credential_decisions_0007"


def _decision_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *STATUSES,
                name="decision_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=254), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("evidence_ref", sa.String(length=300), nullable=True),
    ]


def upgrade() -> None:
    # The decisions are worked out into a staging table first: on SQLite, dropping the old
    # columns rebuilds ``credentials``, which would cascade-delete rows already referring to it.
    op.create_table(
        STAGING,
        sa.Column("id", sa.Integer(), primary_key=True),
        *(c for c in _decision_columns() if c.name not in ("id", "status")),
        sa.Column("status", sa.String(32), nullable=False),
    )
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(
            sa.Column(
                "verification_status",
                sa.Enum(
                    *STATUSES,
                    name="verification_status",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=False,
                server_default="pending",
            )
        )
        batch.add_column(sa.Column("verification_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("entered_by", sa.String(length=254), nullable=True))
    _flags_to_decisions(
        op.get_bind(), sa.table(STAGING, *(sa.column(c.name) for c in decisions.columns))
    )
    with op.batch_alter_table("credentials") as batch:
        batch.alter_column("verification_status", server_default=None)
        batch.create_index(batch.f("ix_credentials_verification_status"), ["verification_status"])
        batch.drop_constraint("fk_credentials_verified_by_id_users", type_="foreignkey")
        for name in (
            "verified",
            "verified_by_id",
            "verified_by_name",
            "verified_at",
            "verification_note",
            "revoked",
            "revoked_at",
            "revoked_reason",
        ):
            batch.drop_column(name)
    op.create_table(
        "credential_decisions",
        *_decision_columns(),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_credential_decisions_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_credential_decisions_practitioner_id_practitioners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_credential_decisions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_decisions")),
    )
    op.create_index(
        op.f("ix_credential_decisions_credential_id"), "credential_decisions", ["credential_id"]
    )
    op.create_index(
        "ix_credential_decisions_practitioner_id_credential_id",
        "credential_decisions",
        ["practitioner_id", "credential_id", "effective_on", "id"],
    )
    names = [c.name for c in decisions.columns if c.name != "id"]
    staged = sa.table(STAGING, *(sa.column(n) for n in names))
    op.get_bind().execute(
        sa.insert(decisions).from_select(
            names, sa.select(*staged.c).order_by(staged.c.credential_id, staged.c.effective_on)
        )
    )
    op.drop_table(STAGING)


def _day(value: datetime | str | None, fallback: date) -> date:
    if value is None:
        return fallback
    if isinstance(value, str):  # SQLite without type information
        value = datetime.fromisoformat(value)
    return value.date()


def _time(value: datetime | str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _decisions_of(row) -> list[dict]:
    """The decisions one credential's flags stand for, oldest first."""
    out = []
    reviewed = row.verified_at is not None
    if row.verified or reviewed:
        by_user = row.verified_by_id is not None
        on = _day(row.verified_at, row.issued_on) if by_user or not row.verified else row.issued_on
        out.append(
            {
                "status": "verified" if row.verified else "rejected",
                "effective_on": on,
                "recorded_at": _time(row.verified_at),
                "decided_by": row.verified_by_name or UNKNOWN_DECIDER,
                "decided_by_id": row.verified_by_id,
                "via": "review" if by_user else "import",
                "note": row.verification_note,
            }
        )
    if row.revoked:
        out.append(
            {
                "status": "revoked",
                "effective_on": _day(row.revoked_at, date.today()),
                "recorded_at": _time(row.revoked_at),
                "decided_by": UNKNOWN_DECIDER,
                "decided_by_id": None,
                "via": "review",
                "note": row.revoked_reason,
            }
        )
    out.sort(key=lambda d: d["effective_on"])
    return out


def _flags_to_decisions(bind, target) -> None:
    c = old_credentials
    flagged = sa.or_(c.c.verified.is_(True), c.c.verified_at.is_not(None), c.c.revoked.is_(True))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(c).where(flagged, c.c.id > last_id).order_by(c.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        last_id = rows[-1].id
        inserts, latest = [], []
        for row in rows:
            made = _decisions_of(row)
            for d in made:
                inserts.append(
                    d
                    | {
                        "credential_id": row.id,
                        "practitioner_id": row.practitioner_id,
                        "evidence_ref": row.evidence_ref,
                    }
                )
            if made:
                latest.append(
                    {
                        "b_id": row.id,
                        "b_status": made[-1]["status"],
                        "b_on": made[-1]["effective_on"],
                    }
                )
        if inserts:
            bind.execute(sa.insert(target), inserts)
        if latest:
            bind.execute(
                sa.update(c)
                .where(c.c.id == sa.bindparam("b_id"))
                .values(
                    verification_status=sa.bindparam("b_status"),
                    verification_on=sa.bindparam("b_on"),
                ),
                latest,
            )


def downgrade() -> None:
    # Read before altering ``credentials``: on SQLite the rebuild would cascade to decisions.
    flags = _flags_from_decisions(op.get_bind())
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(
            sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("verified_by_name", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("verification_note", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("revoked", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_reason", sa.Text(), nullable=True))
    _write_flags(op.get_bind(), flags)
    with op.batch_alter_table("credentials") as batch:
        batch.alter_column("verified", server_default=None)
        batch.alter_column("revoked", server_default=None)
        batch.create_foreign_key(
            "fk_credentials_verified_by_id_users", "users", ["verified_by_id"], ["id"]
        )
        batch.drop_index(batch.f("ix_credentials_verification_status"))
        batch.drop_constraint(op.f("ck_credentials_verification_status"), type_="check")
        batch.drop_column("entered_by")
        batch.drop_column("verification_on")
        batch.drop_column("verification_status")
    op.drop_index("ix_credential_decisions_practitioner_id_credential_id", "credential_decisions")
    op.drop_index(op.f("ix_credential_decisions_credential_id"), "credential_decisions")
    op.drop_table("credential_decisions")


def _flags_from_decisions(bind) -> list[dict]:
    """The flags from each credential's decisions: the last review (verified or rejected)
    and, when the latest decision is a revocation, that revocation."""
    d = decisions
    rows = bind.execute(sa.select(d).order_by(d.c.credential_id, d.c.effective_on, d.c.id))
    params: dict[int, dict] = {}
    for row in rows:
        p = params.setdefault(
            row.credential_id,
            {
                "b_id": row.credential_id,
                "b_verified": False,
                "b_by_id": None,
                "b_by_name": None,
                "b_at": None,
                "b_note": None,
                "b_revoked": False,
                "b_revoked_at": None,
                "b_reason": None,
            },
        )
        if row.status in ("verified", "rejected"):
            p.update(
                b_verified=row.status == "verified",
                b_by_id=row.decided_by_id,
                b_by_name=row.decided_by,
                b_at=_time(row.recorded_at),
                b_note=row.note,
            )
        p.update(b_revoked=row.status == "revoked")
        if row.status == "revoked":
            p.update(b_revoked_at=_time(row.recorded_at), b_reason=row.note)
    return list(params.values())


def _write_flags(bind, params: list[dict]) -> None:
    if not params:
        return
    c = sa.table(
        "credentials",
        *(sa.column(n) for n in ("id", "verified", "verified_by_id", "verified_by_name")),
        *(sa.column(n) for n in ("verified_at", "verification_note", "revoked")),
        *(sa.column(n) for n in ("revoked_at", "revoked_reason")),
    )
    bind.execute(
        sa.update(c)
        .where(c.c.id == sa.bindparam("b_id"))
        .values(
            verified=sa.bindparam("b_verified"),
            verified_by_id=sa.bindparam("b_by_id"),
            verified_by_name=sa.bindparam("b_by_name"),
            verified_at=sa.bindparam("b_at"),
            verification_note=sa.bindparam("b_note"),
            revoked=sa.bindparam("b_revoked"),
            revoked_at=sa.bindparam("b_revoked_at"),
            revoked_reason=sa.bindparam("b_reason"),
        ),
        params,
    )
