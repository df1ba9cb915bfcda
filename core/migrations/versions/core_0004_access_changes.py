"""access changes: need-to-know relations granted and withdrawn, and administrators' requests a leader confirms

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-12-03
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0004"
down_revision: str | None = "core_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_name", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_name", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["staff_user.id"], name=op.f("fk_pending_change_decided_by_id_staff_user"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], name=op.f("fk_pending_change_organization_id_organization"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requested_by_id"], ["staff_user.id"], name=op.f("fk_pending_change_requested_by_id_staff_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_change")),
    )
    op.create_index(op.f("ix_pending_change_organization_id"), "pending_change", ["organization_id"], unique=False)
    op.create_index(op.f("ix_pending_change_status"), "pending_change", ["status"], unique=False)
    op.create_table(
        "access_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("what", sa.String(length=120), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("staff_name", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["staff_user.id"], name=op.f("fk_access_change_actor_id_staff_user"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], name=op.f("fk_access_change_organization_id_organization"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["request_id"], ["pending_change.id"], name=op.f("fk_access_change_request_id_pending_change"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_user.id"], name=op.f("fk_access_change_staff_id_staff_user"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["subject_id"], ["participant.id"], name=op.f("fk_access_change_subject_id_participant"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_change")),
    )
    op.create_index(op.f("ix_access_change_at"), "access_change", ["at"], unique=False)
    op.create_index(op.f("ix_access_change_organization_id"), "access_change", ["organization_id"], unique=False)
    op.create_index(op.f("ix_access_change_subject_id"), "access_change", ["subject_id"], unique=False)


def downgrade() -> None:
    op.drop_table("access_change")
    op.drop_table("pending_change")
